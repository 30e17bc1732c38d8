import Foundation
import Testing

@testable import BiasKit

@Suite("Ranking.MultinomialFAIR")
struct MultinomialFAIRTests {
  @Test(
    "with one protected group the table is FA*IR's unadjusted m-table",
    arguments: [(30, 0.3, 0.1), (50, 0.25, 0.05), (100, 0.6, 0.15), (20, 0.1, 0.01)])
  func oneGroupIsBinomialFAIR(k: Int, p: Double, alpha: Double) throws {
    let multinomial = try MultinomialFAIR(length: k, proportions: [p], significance: alpha).table()
    let binomial = try FAIR(
      length: k, proportion: p, significance: alpha, adjustsSignificance: false
    ).table()
    #expect(multinomial.map { $0[0] } == binomial.minimumProtected)
  }

  @Test("the multinomial cdf of two groups sums the trinomial mass")
  func multinomialCDF() {
    let fair = MultinomialFAIR(length: 10, proportions: [0.2, 0.3])
    // P(X1 ≤ 2, X2 ≤ 3) for n = 9 by summing the trinomial mass directly.
    var direct = 0.0
    for x1 in 0...2 {
      for x2 in 0...3 where x1 + x2 <= 9 {
        let x0 = 9 - x1 - x2
        let coefficient = exp(
          lgamma(10.0) - lgamma(Double(x1 + 1)) - lgamma(Double(x2 + 1))
            - lgamma(Double(x0 + 1)))
        direct += coefficient * pow(0.2, Double(x1)) * pow(0.3, Double(x2)) * pow(0.5, Double(x0))
      }
    }
    #expect(abs(fair.mcdf(9, [2, 3]) - direct) < 1e-13)
  }

  @Test("three groups: every prefix of every re-ranked list meets its requirement")
  func threeGroups() throws {
    var rng = SeededGenerator(seed: 5)
    var queries: [String] = []
    var groups: [String] = []
    var scores: [Double] = []
    for q in 0..<40 {
      for _ in 0..<60 {
        let u = rng.nextUniform()
        let group = u < 0.2 ? "b" : u < 0.45 ? "c" : "a"
        queries.append("q\(q)")
        groups.append(group)
        // Groups b and c score lower.
        scores.append(rng.nextUniform() - (group == "a" ? 0 : 0.4))
      }
    }
    let lists = try RankedLists(
      queries: CategoricalColumn(queries), order: .scores(scores), groups: Groups(groups))
    let fair = MultinomialFAIR(length: 30, proportions: [0.2, 0.25], significance: 0.1)
    let protected = [lists.groupNames.firstIndex(of: "b")!, lists.groupNames.firstIndex(of: "c")!]
    let result = try fair.reranked(lists, protectedGroups: protected)
    #expect(result.passingAfter == lists.listCount)
    #expect(result.passingBefore < lists.listCount)
    let table = result.minimumProtected
    #expect(table.last!.allSatisfy { $0 > 0 })
    for l in 0..<lists.listCount {
      var counts = [0, 0]
      var previous = Double.infinity
      var previousGroup = [Double.infinity, Double.infinity, Double.infinity]
      for i in 0..<30 {
        let p = Int(result.positions[l * 30 + i])
        let g = Int(lists.groups[p])
        if let j = protected.firstIndex(of: g) { counts[j] += 1 }
        #expect(counts[0] >= table[i][0] && counts[1] >= table[i][1])
        // Each group keeps its own order.
        #expect(lists.scores![p] <= previousGroup[g])
        previousGroup[g] = lists.scores![p]
        previous = lists.scores![p]
      }
      _ = previous
    }
  }

  @Test("bad proportions and groups throw")
  func badInput() throws {
    #expect(throws: BiasKitError.self) {
      try MultinomialFAIR(length: 10, proportions: [0.6, 0.5]).table()
    }
    #expect(throws: BiasKitError.self) { try MultinomialFAIR(length: 10, proportions: []).table() }
    let lists = try RankedLists(
      queries: CategoricalColumn(["q", "q", "q"]), order: .ranks([1, 2, 3]),
      groups: Groups(["a", "b", "c"]))
    #expect(throws: BiasKitError.self) {
      try MultinomialFAIR(length: 2, proportions: [0.2, 0.3]).reranked(lists, protectedGroups: [1])
    }
  }
}
