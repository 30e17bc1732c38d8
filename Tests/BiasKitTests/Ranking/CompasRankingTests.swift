import Foundation
import Testing

@testable import BiasKit

/// The shipped example `Examples/compas-ranking.csv` (Fixtures/Ranking/make_compas_ranking.py)
/// and fairsearchcore 1.0.4's FA*IR on it (`fair_compas.json`).
enum CompasRanking {
  static let path = TestData.packageRoot.appendingPathComponent("Examples/compas-ranking.csv").path

  static func lists(order: String = "score") throws -> RankedLists {
    let table = try TableSources.open(path).read([
      .category("query"), .category("item"), .number(order), .category("group"),
      .number("relevance"), .category("query_group"),
    ])
    func categories(_ i: Int) -> CategoricalColumn { table.columns[i].categories! }
    let values = table.columns[2].numbers!
    let group = categories(3)
    let queryGroup = categories(5)
    return try RankedLists(
      queries: categories(0), items: categories(1),
      order: order == "rank" ? .ranks(values) : .scores(values),
      groups: Groups(features: ["group"], columns: [group]),
      relevance: table.columns[4].numbers!,
      queryGroups: Groups(features: ["query_group"], columns: [queryGroup]))
  }
}

@Suite("Ranking.CompasExample")
struct CompasRankingTests {
  @Test("FA*IR on the shipped COMPAS lists equals fairsearchcore's re_rank, list by list")
  func fairMatchesFairsearchcore() throws {
    let fixture =
      try TestData.json(TestData.fixture("Ranking/fair_compas.json")) as! [String: Any]
    let lists = try CompasRanking.lists()
    #expect(lists.rowCount == fixture["rows"] as! Int)
    let k = fixture["k"] as! Int
    let fair = FAIR(
      length: k, proportion: (fixture["p"] as! NSNumber).doubleValue,
      significance: (fixture["alpha"] as! NSNumber).doubleValue)
    let protected = lists.groupNames.firstIndex(of: "African-American")!
    let result = try fair.reranked(lists, protectedGroup: protected)
    #expect(result.table.minimumProtected == fixture["mtable_adjusted"] as! [Int])
    #expect(result.table.adjustedSignificance == Double(fixture["alpha_adjusted_text"] as! String)!)
    let queries = fixture["queries"] as! [[String: Any]]
    #expect(queries.count == lists.queryCount)
    for (l, q) in queries.enumerated() {
      #expect(lists.queryNames[l] == q["query"] as! String)
      let ids = (0..<k).map { i -> Int in
        let position = Int(result.positions[l * k + i])
        return Int(lists.itemNames![Int(lists.items![position])])!
      }
      #expect(ids == q["reranked_ids"] as! [Int], "query \(lists.queryNames[l])")
      #expect(result.passesBefore[l] == q["is_fair_before"] as! Bool)
      #expect(result.passesAfter[l] == q["is_fair_after"] as! Bool)
    }
    // Every re-ranked list passes. NDCG@20 against the actual outcome (no recidivism) does not
    // drop: the risk score under-ranks African-American defendants who did not reoffend.
    #expect(result.passingAfter == lists.queryCount)
    #expect(result.passingBefore < lists.queryCount)
    #expect(result.meanNDCGAfter! >= result.meanNDCGBefore!)
  }

  @Test("ranks and scores of the example give the same rankings (ties broken by id)")
  func ranksAgreeWithScores() throws {
    let byScore = try CompasRanking.lists(order: "score")
    let byRank = try CompasRanking.lists(order: "rank")
    #expect(byScore.rows == byRank.rows)
    #expect(byScore.hasTies)
    // Exposure differs only through the tie averaging.
    let a = try GroupExposure().evaluated(byScore)
    let b = try GroupExposure().evaluated(byRank)
    #expect(abs(a.mean.exposureRatio - b.mean.exposureRatio) < 0.05)
    #expect(a.mean.exposureRatio < 1)
  }

  @Test("topKNDCG of a re-ranking equals FA*IR's own NDCG before and after; multinomial has one")
  func topKNDCGMatchesReranking() throws {
    let lists = try CompasRanking.lists()
    let protected = try lists.group(named: "African-American")
    let result = try FAIR(length: 20, proportion: 0.5).reranked(lists, protectedGroup: protected)
    let values = try #require(lists.topKNDCG(reranked: result.positions, length: 20))
    #expect(values.before == result.ndcgBefore)
    #expect(values.after == result.ndcgAfter)
    #expect(lists.topKNDCG(reranked: result.positions, length: 19) == nil)
    let multinomial = try MultinomialFAIR(length: 20, proportions: [0.5])
      .reranked(lists, protectedGroups: [protected])
    let m = try #require(lists.topKNDCG(reranked: multinomial.positions, length: 20))
    #expect(m.before == result.ndcgBefore)
    #expect(m.after.allSatisfy { (0...1).contains($0) })
  }
}
