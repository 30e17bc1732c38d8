import Foundation
import Testing

@testable import BiasKit

@Suite(
  "Embeddings: Bolukbasi et al. against responsibly 0.1.2", .enabled(if: TestData.sharedIsAvailable)
)
struct BolukbasiTests {
  static let oracle: [String: Any] =
    (try? embeddingOracle("bolukbasi_oracle.json") as? [String: Any]) ?? [:]

  @Test("the PCA gender direction matches within 1e-6 (up to sign) with its explained variance")
  func direction() throws {
    let expected = Self.oracle["direction"] as! [Double]
    let g = SharedEmbedding.direction.vector
    let sign = VectorMath.dot(g, expected) < 0 ? -1.0 : 1.0
    let worst = zip(g, expected).map { abs(sign * $0 - $1) }.max()!
    #expect(worst < 1e-6, "largest component difference \(worst)")
    #expect(sign == 1, "responsibly orients the direction towards 'she'")
    let ratios = Self.oracle["explained_variance_ratio_10"] as! [Double]
    for (a, b) in zip(SharedEmbedding.direction.explainedVarianceRatio, ratios) {
      #expect(close(a, b, 1e-6))
    }
  }

  @Test("DirectBias_1 and DirectBias_2 over the 303 neutral professions")
  func directBias() throws {
    let e = SharedEmbedding.embedding
    let words = SharedEmbedding.lists.neutralProfessions(in: e)
    #expect(words == Self.oracle["neutral_profession_words"] as! [String])
    let one = try DirectBias.compute(words, direction: SharedEmbedding.direction, in: e)
    #expect(close(one.value, Self.oracle["direct_bias"] as! Double, 1e-6), "\(one.value)")
    let two = try DirectBias.compute(
      words, direction: SharedEmbedding.direction, in: e, strictness: 2)
    #expect(close(two.value, Self.oracle["direct_bias_c2"] as! Double, 1e-6))
    let projections = Self.oracle["projections_of_neutral_profession_words"] as! [String: Double]
    for (word, p) in one.projections { #expect(close(p, projections[word]!, 1e-6), "\(word)") }
  }

  @Test("the 'single' and 'sum' directions give responsibly's direct bias")
  func otherDirections() throws {
    let e = SharedEmbedding.embedding
    let words = SharedEmbedding.lists.neutralProfessions(in: e)
    for (method, key) in [
      (BiasDirection.Method.single, "direct_bias_single"), (.sum, "direct_bias_sum"),
    ] {
      let g = try BiasDirection(method, pairs: SharedEmbedding.lists.definitionalPairs, in: e)
      let value = try DirectBias.compute(words, direction: g, in: e).value
      #expect(close(value, Self.oracle[key] as! Double, 1e-6), "\(method): \(value)")
    }
  }

  @Test("indirect bias of professions to softball / football")
  func indirectBias() throws {
    let e = SharedEmbedding.embedding
    let pairs = (Self.oracle["indirect_bias"] as! [String: Any])["pairs"] as! [String: Double]
    for (key, value) in pairs {
      let parts = key.split(separator: "|").map(String.init)
      let beta = try DirectBias.indirect(
        parts[0], parts[1], direction: SharedEmbedding.direction, in: e)
      #expect(close(beta, value, 1e-5), "\(key): \(beta) vs \(value)")
    }
    let rows = try DirectBias.closestWordsIndirectBias(
      positive: "softball", negative: "football", words: SharedEmbedding.lists.professions,
      direction: SharedEmbedding.direction, in: e)
    let extreme = (Self.oracle["indirect_bias"] as! [String: Any])["extreme"] as! [[String: Any]]
    #expect(rows.map(\.word) == extreme.map { $0["word"] as! String })
    for (row, want) in zip(rows, extreme) {
      #expect(close(row.projection, want["projection"] as! Double, 1e-6))
      #expect(close(row.indirectBias, want["indirect_bias"] as! Double, 1e-5))
    }
  }

  @Test("factual association with the occupation statistics: Pearson r and p")
  func factualAssociation() throws {
    let data = try Data(
      contentsOf: TestData.shared("data/embeddings/occupational_female_precentage.json"))
    let object = try JSONSerialization.jsonObject(with: data) as! [String: Double]
    let result = try FactualAssociation.compute(
      object.map { ($0.key, $0.value) }, direction: SharedEmbedding.direction,
      in: SharedEmbedding.embedding)
    let expected = Self.oracle["factual_association"] as! [String: Any]
    #expect(result.points.count == 36)
    #expect(Set(result.missing) == Set(expected["missing_words"] as! [String]))
    #expect(close(result.r, expected["pearson_r"] as! Double, 1e-6))
    let p = expected["p_value"] as! Double
    #expect(abs(result.pValue - p) / p < 1e-4, "\(result.pValue) vs \(p)")
  }

  @Test("the t-distribution tail matches known values")
  func studentT() {
    // scipy.stats.t.sf(2.0, 10) * 2 = 0.07338803477074...
    #expect(
      close(
        FactualAssociation.studentTTwoSided(2.0, degreesOfFreedom: 10), 0.07338803477074037, 1e-12))
    // t.sf(1.0, 1) * 2 = 0.5 (Cauchy)
    #expect(close(FactualAssociation.studentTTwoSided(1.0, degreesOfFreedom: 1), 0.5, 1e-13))
  }

  @Test("hard debias: every neutral word's projection < 1e-6, equalize pairs symmetric")
  func hardDebias() throws {
    let e = SharedEmbedding.embedding
    let g = SharedEmbedding.direction
    let expected = Self.oracle["hard_debias"] as! [String: Any]
    let result = try HardDebias.gender(e, direction: g, lists: SharedEmbedding.lists)
    #expect(result.neutralizedCount == expected["n_neutral_words"] as! Int)
    let specific = SharedEmbedding.lists.specificWordForms
    let nonNeutral = e.words.filter { specific.contains($0) }.sorted {
      $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
    }
    #expect(nonNeutral == expected["non_neutral_vocab_words_sorted"] as! [String])
    let candidates = expected["equalize_candidate_pairs"] as! [[String]]
    #expect(Set(result.equalizedSets.map { Set($0) }) == Set(candidates.map { Set($0) }))
    let debiased = result.embedding
    var worst = 0.0
    for i in 0..<debiased.count where !specific.contains(debiased.words[i]) {
      worst = max(worst, abs(g.projection(of: debiased.vector(at: i))))
    }
    #expect(worst < 1e-6, "largest neutral projection \(worst)")
    for pair in result.equalizedSets {
      let a = debiased.vector(pair[0])!
      let b = debiased.vector(pair[1])!
      #expect(close(g.projection(of: a), -g.projection(of: b), 1e-6), "\(pair)")
      let orthogonal = VectorMath.norm(
        VectorMath.subtract(
          VectorMath.reject(a, from: g.vector), VectorMath.reject(b, from: g.vector)))
      #expect(orthogonal < 1e-6, "\(pair): \(orthogonal)")
    }
    let after = expected["equalize_pairs_after"] as! [String: [String: Double]]
    for (key, values) in after {
      let parts = key.split(separator: "|").map(String.init)
      #expect(
        close(g.projection(of: parts[0], in: debiased)!, values["proj_first"]!, 1e-6), "\(key)")
      #expect(
        close(g.projection(of: parts[1], in: debiased)!, values["proj_second"]!, 1e-6), "\(key)")
    }
    let words = SharedEmbedding.lists.neutralProfessions(in: e)
    let bias = try DirectBias.compute(words, direction: g, in: debiased)
    #expect(bias.value < 1e-6)
  }
}
