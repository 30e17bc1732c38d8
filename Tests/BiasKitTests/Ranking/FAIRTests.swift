import Foundation
import Testing

@testable import BiasKit

/// Expected values made by fairsearchcore 1.0.4 (Fixtures/Ranking/make_fair_fixtures.py).
enum FAIRFixture {
  static let grid: [String: Any] =
    (try? TestData.json(TestData.fixture("Ranking/fair_grid.json"))) as? [String: Any] ?? [:]
  static var tables: [[String: Any]] { grid["tables"] as? [[String: Any]] ?? [] }
  static var rerankings: [[String: Any]] { grid["rerankings"] as? [[String: Any]] ?? [] }
}

@Suite("Ranking.FAIR")
struct FAIRTests {
  @Test("m-tables, adjusted alpha and fail probabilities equal fairsearchcore's on the grid")
  func gridMatchesFairsearchcore() throws {
    let cases = FAIRFixture.tables
    #expect(cases.count >= 360)
    var tieCases = 0
    for c in cases {
      let k = c["k"] as! Int
      let p = (c["p"] as! NSNumber).doubleValue
      let alpha = (c["alpha"] as! NSNumber).doubleValue
      let label = "k=\(k) p=\(p) alpha=\(alpha)"
      let unadjusted = try FAIR(
        length: k, proportion: p, significance: alpha,
        adjustsSignificance: false
      ).table()
      let expectedUnadjusted = c["mtable_unadjusted"] as! [Int]
      if unadjusted.minimumProtected == expectedUnadjusted {
        let expectedFailUnadjusted = (c["fail_probability_unadjusted"] as! NSNumber).doubleValue
        #expect(abs(unadjusted.failureProbability - expectedFailUnadjusted) < 1e-12, "\(label)")
      } else {
        // Only where the binomial cdf equals alpha exactly (p = alpha = 1/2, odd i ≥ 35):
        // SciPy's cdf is then off by an ulp (0.4999999999999999 at i = 35) and its ppf moves
        // by one; BiasKit decides the tie exactly.
        tieCases += 1
        for i in expectedUnadjusted.indices
        where expectedUnadjusted[i] != unadjusted.minimumProtected[i] {
          let m = min(expectedUnadjusted[i], unadjusted.minimumProtected[i])
          #expect(BinomialDistribution.exactComparison(m, i + 1, p, alpha) == 0, "\(label) i=\(i)")
          #expect(abs(expectedUnadjusted[i] - unadjusted.minimumProtected[i]) == 1, "\(label)")
        }
      }
      let adjusted = try FAIR(length: k, proportion: p, significance: alpha).table()
      #expect(adjusted.minimumProtected == c["mtable_adjusted"] as! [Int], "\(label)")
      // Exactly, read from the shortest round-trip text (JSONSerialization rounds some numbers).
      let expectedAlpha = Double(c["alpha_adjusted_text"] as! String)!
      #expect(
        adjusted.adjustedSignificance == expectedAlpha,
        "\(label): alpha_c \(adjusted.adjustedSignificance) vs \(expectedAlpha)")
      let expectedFail = (c["fail_probability_adjusted"] as! NSNumber).doubleValue
      #expect(abs(adjusted.failureProbability - expectedFail) < 1e-12, "\(label)")
    }
    #expect(tieCases == 2)  // k = 50 and 100 with p = alpha = 0.5
  }

  @Test("re-rankings equal fairsearchcore's re_rank, ties between groups included")
  func rerankingsMatchFairsearchcore() throws {
    let cases = FAIRFixture.rerankings
    #expect(cases.count >= 20)
    for (index, c) in cases.enumerated() {
      let k = c["k"] as! Int
      let p = (c["p"] as! NSNumber).doubleValue
      let alpha = (c["alpha"] as! NSNumber).doubleValue
      let scores = (c["scores"] as! [NSNumber]).map(\.doubleValue)
      let protected = c["protected"] as! [Bool]
      let n = scores.count
      let lists = try RankedLists(
        queries: CategoricalColumn(Array(repeating: "q", count: n)),
        items: CategoricalColumn((0..<n).map { String($0) }),
        order: .scores(scores),
        groups: Groups(protected.map { $0 ? "protected" : "other" }))
      let protectedGroup = lists.groupNames.firstIndex(of: "protected")!
      let result = try FAIR(length: k, proportion: p, significance: alpha)
        .reranked(lists, protectedGroup: protectedGroup)
      let ids = result.positions.map { Int(lists.rows[Int($0)]) }
      #expect(ids == c["reranked_ids"] as! [Int], "case \(index)")
      #expect(result.table.minimumProtected == c["mtable_adjusted"] as! [Int], "case \(index)")
      #expect(result.passesBefore[0] == c["is_fair_before"] as! Bool, "case \(index)")
      #expect(result.passesAfter[0] == c["is_fair_after"] as! Bool, "case \(index)")
    }
  }

  @Test("the binomial quantile is SciPy's ppf convention")
  func quantileConvention() {
    #expect(BinomialDistribution.quantile(0, trials: 10, probability: 0.3) == -1)
    #expect(BinomialDistribution.quantile(1, trials: 10, probability: 0.3) == 10)
    // cdf(0; 2, 0.5) = 0.25 exactly: q = 0.25 gives 0, a hair more gives 1.
    #expect(BinomialDistribution.quantile(0.25, trials: 2, probability: 0.5) == 0)
    #expect(BinomialDistribution.quantile(0.25.nextUp, trials: 2, probability: 0.5) == 1)
    // cdf(2; 5, 0.5) = 1/2 exactly, decided in exact arithmetic.
    #expect(BinomialDistribution.quantile(0.5, trials: 5, probability: 0.5) == 2)
    #expect(BinomialDistribution.exactComparison(2, 5, 0.5, 0.5) == 0)
    #expect(BinomialDistribution.exactComparison(1, 2, 0.75, 0.4375) == 0)
    #expect(BinomialDistribution.exactComparison(3, 10, 0.25, 203_391.0 / 262_144) == 0)
    #expect(BinomialDistribution.exactComparison(3, 10, 0.25, (203_391.0 / 262_144).nextUp) == -1)
  }

  @Test("the binomial mass sums to one and matches the exact form", arguments: [3, 17, 200, 5_000])
  func binomialMass(n: Int) {
    for p in [0.01, 0.3, 0.5, 0.97] {
      var sum = 0.0
      for x in 0...n { sum += BinomialDistribution.pmf(x, trials: n, probability: p) }
      #expect(abs(sum - 1) < 1e-12, "n=\(n) p=\(p)")
      #expect(
        abs(
          BinomialDistribution.cdf(n / 3, trials: n, probability: p)
            + (1 - BinomialDistribution.cdf(n / 3, trials: n, probability: p)) - 1) < 1e-15)
    }
    // C(17, 5) 0.3^5 0.7^12.
    let exact = 6188.0 * pow(0.3, 5) * pow(0.7, 12)
    #expect(abs(BinomialDistribution.pmf(5, trials: 17, probability: 0.3) / exact - 1) < 1e-14)
  }

  @Test("FA*IR parameters outside their ranges throw")
  func badParameters() {
    #expect(throws: BiasKitError.self) { try FAIR(length: 10, proportion: 0).table() }
    #expect(throws: BiasKitError.self) { try FAIR(length: 10, proportion: 1).table() }
    #expect(throws: BiasKitError.self) { try FAIR(length: 10, proportion: 1.5).table() }
    #expect(throws: BiasKitError.self) { try FAIR(length: 0, proportion: 0.5).table() }
    #expect(throws: BiasKitError.self) {
      try FAIR(length: 10, proportion: 0.5, significance: 0).table()
    }
  }

  @Test("three groups, or a list shorter than k, throw")
  func badLists() throws {
    let three = try RankedLists(
      queries: CategoricalColumn(["q", "q", "q"]), order: .ranks([1, 2, 3]),
      groups: Groups(["a", "b", "c"]))
    #expect(throws: BiasKitError.self) {
      try FAIR(length: 2, proportion: 0.5).reranked(three, protectedGroup: 0)
    }
    let two = try RankedLists(
      queries: CategoricalColumn(["q", "q", "q"]), order: .ranks([1, 2, 3]),
      groups: Groups(["a", "b", "a"]))
    do {
      _ = try FAIR(length: 4, proportion: 0.5).reranked(two, protectedGroup: 0)
      Issue.record("k > list length did not throw")
    } catch let error as BiasKitError {
      #expect(error.message.contains("query 'q'"))
    }
  }
}
