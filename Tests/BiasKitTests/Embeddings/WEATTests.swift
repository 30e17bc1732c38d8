import Foundation
import Testing

@testable import BiasKit

@Suite("Embeddings: WEAT against responsibly 0.1.2", .enabled(if: TestData.sharedIsAvailable))
struct WEATTests {
  static let oracle: [[String: Any]] =
    (try? embeddingOracle("weat_oracle.json") as? [[String: Any]]) ?? []

  @Test(
    "word filtering, statistic, effect size and exact p-value match responsibly", arguments: 0..<9)
  func matchesResponsibly(index: Int) throws {
    let expected = Self.oracle[index]
    let result = try WEAT(permutations: .exact).run(
      SharedEmbedding.weatTests[index], on: SharedEmbedding.embedding)
    let sets = expected["sets"] as! [[String: Any]]
    for k in 0..<4 {
      #expect(result.sets[k].used == sets[k]["used"] as! [String], "test \(index) set \(k)")
      #expect(result.sets[k].notInVocabulary == sets[k]["not_in_vocabulary"] as! [String])
      #expect(
        Set(result.sets[k].droppedToEqualSize) == Set(sets[k]["dropped_to_equal_size"] as! [String])
      )
    }
    #expect(
      close(result.statistic, expected["statistic"] as! Double, 1e-6), "s \(result.statistic)")
    #expect(
      close(result.effectSize, expected["effect_size"] as! Double, 1e-6), "d \(result.effectSize)")
    let associations = expected["first_target_associations"] as! [String: Double]
    for (word, value) in zip(result.sets[0].used, result.firstTargetAssociations) {
      #expect(close(value, associations[word]!, 1e-6))
    }
    let count = expected["p_exact_own_count"] as! Int
    let splits = expected["n_splits"] as! Int
    if expected["p_exact_mlxtend"] is Double {
      // mlxtend's exact p is count / C(2n, n); it must be equal, bit for bit.
      #expect(expected["p_exact_mlxtend_is_count_over_splits"] as! Bool)
      #expect(
        result.pValue == Double(count) / Double(splits),
        "p \(result.pValue) vs mlxtend \(count)/\(splits)")
    } else {
      // n = 16, 18: the reference's own integer enumeration over float32 associations. With
      // 6e8 and 9e9 splits, splits within the ~5e-8 float32-vs-double band of the observed
      // statistic can fall either way (test 4: 82 of 9.1e9), so allow 5e-8.
      #expect(close(result.pValue, Double(count) / Double(splits), 5e-8))
    }
  }

  @Test(
    "responsibly's default p-value (mlxtend, 1,000 numpy-seeded shuffles) is reproduced",
    arguments: 0..<9)
  func mlxtendApproximate(index: Int) throws {
    let expected = Int(
      ((Self.oracle[index]["p_approximate_mlxtend_1000"] as! Double) * 1000).rounded())
    // On gensim's float32 associations the draws and counts are identical.
    let sets = Self.oracle[index]["sets"] as! [[String: Any]]
    let first = Self.oracle[index]["first_target_associations"] as! [String: Double]
    let second = Self.oracle[index]["second_target_associations"] as! [String: Double]
    let x = (sets[0]["used"] as! [String]).map { first[$0]! }
    let y = (sets[1]["used"] as! [String]).map { second[$0]! }
    let p = WEATPermutations.mlxtendPValue(first: x, second: y, rounds: 1000, seed: 42)
    #expect(Int((p * 1000).rounded()) == expected, "test \(index)")
    // End to end, from BiasKit's double associations rounded to float32 (which can differ from
    // gensim's in the last bit): the same counts on all 9 tests.
    let result = try WEAT(permutations: .mlxtend(rounds: 1000, seed: 42)).run(
      SharedEmbedding.weatTests[index], on: SharedEmbedding.embedding)
    #expect(Int((result.pValue * 1000).rounded()) == expected, "test \(index): \(result.pValue)")
  }

  @Test("ddof 1 reproduces the sample-deviation effect size", arguments: [1, 3, 6])
  func ddofOne(index: Int) throws {
    let expected = Self.oracle[index]["effect_size_ddof1_float64"] as! Double
    let result = try WEAT(permutations: .sampled(10, seed: 1), ddof: 1).run(
      SharedEmbedding.weatTests[index], on: SharedEmbedding.embedding)
    #expect(close(result.effectSize, expected, 1e-6))
  }

  @Test(
    "sampled p-values are close to the exact ones and reproducible for a seed",
    arguments: [0, 2, 4, 6, 7, 8])
  func sampledIsClose(index: Int) throws {
    let exact = Self.oracle[index]["p_exact_own"] as! Double
    let weat = WEAT(permutations: .sampled(20_000, seed: 7))
    let a = try weat.run(SharedEmbedding.weatTests[index], on: SharedEmbedding.embedding)
    let b = try weat.run(SharedEmbedding.weatTests[index], on: SharedEmbedding.embedding)
    #expect(a.pValue == b.pValue)
    // 4.5 standard errors of a binomial proportion.
    let se = (max(exact * (1 - exact), 1e-4) / 20_000).squareRoot()
    #expect(abs(a.pValue - exact) < 4.5 * se, "seed 7: \(a.pValue) vs \(exact)")
  }

  @Test("a test whose target set is empty is an error listing the missing words")
  func emptyTargetSet() throws {
    let error = try #require(throws: BiasKitError.self) {
      try WEAT().run(SharedEmbedding.weatTests[9], on: SharedEmbedding.embedding)
    }
    #expect(error.code == .degenerateData)
    #expect(error.message.contains("Tiffany"))
  }

  @Test("strict filtering lists every missing word")
  func strictFiltering() throws {
    let error = try #require(throws: BiasKitError.self) {
      try WEAT(filtering: .strict).run(SharedEmbedding.weatTests[0], on: SharedEmbedding.embedding)
    }
    #expect(error.code == .unknownName)
    #expect(error.message.contains("'aster'"))
  }
}

@Suite("Embeddings: WEAT permutation p-values")
struct WEATPermutationTests {
  /// Brute force over all splits, for comparison with meet-in-the-middle.
  func bruteForce(_ first: [Double], _ second: [Double], _ s: Double) -> Double {
    let values = first + second
    let m = values.count
    var hits = 0
    var total = 0
    for mask in 0..<(1 << m) where mask.nonzeroBitCount == first.count {
      var a = 0.0
      var b = 0.0
      for i in 0..<m { if mask & (1 << i) != 0 { a += values[i] } else { b += values[i] } }
      total += 1
      if a - b > s + 1e-12 { hits += 1 }
    }
    return Double(hits) / Double(total)
  }

  @Test("meet-in-the-middle equals brute-force enumeration", arguments: 0..<12)
  func exactMatchesBruteForce(seed: UInt64) {
    var g = SeededGenerator(seed: seed)
    let n = 2 + Int(seed % 5)
    let nY = seed % 3 == 0 ? n + 1 : n
    let x = (0..<n).map { _ in g.nextUniform() - 0.4 }
    let y = (0..<nY).map { _ in g.nextUniform() - 0.5 }
    let s = x.reduce(0, +) - y.reduce(0, +)
    #expect(
      WEATPermutations.exactPValue(first: x, second: y, statistic: s) == bruteForce(x, y, s),
      "seed \(seed)")
  }

  @Test("exact refuses more than 44 target words; sampled needs at least one draw")
  func limits() {
    let big = [Double](repeating: 0.1, count: 23)
    #expect(throws: BiasKitError.self) {
      try WEATPermutations.exact.pValue(first: big, second: big, statistic: 0)
    }
    #expect(throws: BiasKitError.self) {
      try WEATPermutations.sampled(0, seed: 1).pValue(first: [1], second: [0], statistic: 1)
    }
  }
}
