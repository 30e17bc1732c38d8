import Foundation
import Testing

@testable import BiasKit

@Suite(
  "Embeddings: multiclass bias subspace and debiasing (Manzini et al.)",
  .enabled(if: TestData.sharedIsAvailable))
struct BiasSubspaceTests {
  /// Manzini et al.'s religion defining sets, restricted to words in this small vocabulary
  /// (their race sets' words, e.g. "caucasian", "asian", are absent from it).
  static let religion = [
    ["church", "mosque", "synagogue"], ["churches", "mosques", "synagogues"],
    ["priest", "imam", "rabbi"], ["priests", "imams", "rabbis"],
  ]

  @Test("with one pair per set and one component it is Bolukbasi's PCA direction")
  func reducesToGenderDirection() throws {
    let sets = SharedEmbedding.lists.definitionalPairs.map { [$0.0, $0.1] }
    let subspace = try BiasSubspace(
      definingSets: sets, components: 1, in: SharedEmbedding.embedding)
    let g = SharedEmbedding.direction.vector
    #expect(abs(abs(VectorMath.dot(subspace.basis[0], g)) - 1) < 1e-9)
    #expect(
      close(
        subspace.explainedVarianceRatio[0], SharedEmbedding.direction.explainedVarianceRatio[0],
        1e-9))
  }

  @Test("the basis is orthonormal and hard debiasing removes it from neutral words")
  func multiclassHardDebias() throws {
    let e = SharedEmbedding.embedding
    let subspace = try BiasSubspace(definingSets: Self.religion, components: 2, in: e)
    try #require(subspace.basis.count == 2)
    for i in 0..<2 {
      for j in 0..<2 {
        #expect(close(VectorMath.dot(subspace.basis[i], subspace.basis[j]), i == j ? 1 : 0, 1e-12))
      }
    }
    let specific = Set(Self.religion.flatMap { $0 })
    let words = e.words
    let result = try HardDebias.apply(
      to: e, basis: subspace.basis, isNeutral: { !specific.contains(words[$0]) },
      equalitySets: Self.religion)
    let out = result.embedding
    for word in ["terrorism", "violent", "greedy", "lawyer", "police", "nurse"] {
      #expect(try #require(subspace.projectionNorm(of: word, in: out)) < 1e-6, "\(word)")
      #expect(try #require(subspace.projectionNorm(of: word, in: e)) > 1e-3, "\(word) before")
    }
    // Each equality set shares its orthogonal part after equalizing (the last set processed
    // for a word wins, so check the sets whose words appear in no later set).
    let last = result.equalizedSets.last!
    let rejections = last.map { w -> [Double] in
      let v = out.vector(w)!
      return VectorMath.subtract(v, HardDebias.project(v, subspace.basis))
    }
    for r in rejections.dropFirst() {
      #expect(VectorMath.norm(VectorMath.subtract(r, rejections[0])) < 1e-6)
    }
    // MAC of race targets to attribute words moves after debiasing.
    let macBefore = WEFEMetrics.mac(
      targets: [["church", "mosque", "synagogue"]], attributes: [["terrorism", "violent"]], in: e)
    let macAfter = WEFEMetrics.mac(
      targets: [["church", "mosque", "synagogue"]], attributes: [["terrorism", "violent"]], in: out)
    #expect(macBefore != macAfter)
  }

  @Test("empty defining sets are an error")
  func emptySets() {
    #expect(throws: BiasKitError.self) {
      try BiasSubspace(definingSets: [], components: 1, in: SharedEmbedding.embedding)
    }
    #expect(throws: BiasKitError.self) {
      try BiasSubspace(definingSets: [[], []], components: 1, in: SharedEmbedding.embedding)
    }
    let error = try? #require(throws: BiasKitError.self) {
      try BiasSubspace(
        definingSets: [["qqqq", "zzzz"]], components: 1, in: SharedEmbedding.embedding)
    }
    #expect(error?.message.contains("'qqqq'") == true)
  }
}
