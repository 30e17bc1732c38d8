import Foundation
import Testing

@testable import BiasKit

@Suite("Ranking.RankedLists")
struct RankedListsTests {
  func lists(
    queries: [String], items: [String]? = nil, ranks: [Double]? = nil, scores: [Double]? = nil,
    groups: [String]? = nil, relevance: [Double]? = nil, propensities: [Double]? = nil,
    clicks: [UInt8]? = nil, queryGroups: [String]? = nil
  ) throws -> RankedLists {
    try RankedLists(
      queries: CategoricalColumn(queries), items: items.map { CategoricalColumn($0) },
      order: ranks.map { .ranks($0) } ?? .scores(scores!),
      groups: groups.map { Groups($0) }, relevance: relevance, clicks: clicks,
      propensities: propensities, queryGroups: queryGroups.map { Groups($0) },
      describeRow: { "input.csv:\($0 + 2)" })
  }

  /// The message of the error `body` throws.
  func message(_ body: () throws -> Void) -> String {
    do {
      try body()
    } catch let error as BiasKitError {
      return error.message
    } catch {
      return "unexpected \(error)"
    }
    return "no error"
  }

  @Test("rows are ordered query by query, top first, whatever the input order")
  func ordering() throws {
    let l = try lists(
      queries: ["b", "a", "b", "a", "a"], items: ["x", "y", "y", "x", "z"],
      ranks: [2, 3, 1, 1, 2], groups: ["g", "h", "g", "h", "g"])
    #expect(l.queryNames == ["b", "a"])
    #expect(l.listStart == [0, 2, 5])
    #expect(l.rows == [2, 0, 3, 4, 1])
    #expect(l.groupNames == ["g", "h"])
    #expect(l.items!.map { l.itemNames![Int($0)] } == ["y", "x", "x", "z", "y"])
  }

  @Test("scores order descending, ties by input order")
  func scoreOrdering() throws {
    let l = try lists(queries: ["q", "q", "q", "q"], scores: [0.5, 0.9, 0.5, 0.1])
    #expect(l.rows == [1, 0, 2, 3])
    #expect(l.hasTies)
  }

  @Test("a repeated rank names the query, the rank and the row")
  func repeatedRank() {
    let text = message {
      _ = try lists(queries: ["q1", "q1", "q1"], ranks: [1, 2, 2])
    }
    #expect(text.contains("query 'q1'"))
    #expect(text.contains("rank 2 appears twice"))
    #expect(text.hasPrefix("input.csv:4"))
  }

  @Test("ranks that skip a value are not a permutation")
  func rankGap() {
    let text = message { _ = try lists(queries: ["q", "q", "q"], ranks: [1, 2, 4]) }
    #expect(text.contains("not a permutation of 1…3"))
    #expect(text.contains("rank 4"))
  }

  @Test("a fractional or non-positive rank is refused")
  func badRankValues() {
    #expect(message { _ = try lists(queries: ["q", "q"], ranks: [1, 1.5]) }.contains("rank 1.5"))
    #expect(message { _ = try lists(queries: ["q", "q"], ranks: [0, 1]) }.contains("rank 0.0"))
    #expect(message { _ = try lists(queries: ["q", "q"], scores: [1, .nan]) }.contains("score"))
  }

  @Test("a duplicate (query, item) is refused")
  func duplicateItem() {
    let text = message {
      _ = try lists(
        queries: ["q", "q", "r", "r"], items: ["a", "a", "a", "b"], ranks: [1, 2, 1, 2])
    }
    #expect(text.contains("item 'a' appears twice in query 'q'"))
  }

  @Test("a query with one item is refused")
  func oneItem() {
    let text = message { _ = try lists(queries: ["q", "q", "solo"], ranks: [1, 2, 1]) }
    #expect(text.contains("query 'solo' has one item"))
  }

  @Test("propensities outside (0, 1] are refused", arguments: [0.0, -0.1, 1.5, Double.nan])
  func badPropensity(value: Double) {
    let text = message {
      _ = try lists(queries: ["q", "q"], ranks: [1, 2], propensities: [0.5, value])
    }
    #expect(text.contains("propensity"))
    #expect(text.contains("outside (0, 1]"))
  }

  @Test("negative relevance and clicks other than 0/1 are refused")
  func badRelevanceAndClicks() {
    #expect(
      message { _ = try lists(queries: ["q", "q"], ranks: [1, 2], relevance: [1, -1]) }
        .contains("relevance -1"))
    #expect(
      message { _ = try lists(queries: ["q", "q"], ranks: [1, 2], clicks: [0, 2]) }
        .contains("click 2"))
  }

  @Test("a query that changes query group is refused")
  func queryGroupChanges() {
    let text = message {
      _ = try lists(queries: ["q", "q"], ranks: [1, 2], queryGroups: ["x", "y"])
    }
    #expect(text.contains("query 'q' is in query group 'x' and then 'y'"))
  }

  @Test("columns of different lengths are refused")
  func lengths() {
    #expect(
      message { _ = try lists(queries: ["q", "q"], ranks: [1, 2], groups: ["a"]) }
        .contains("groups has 1 values for 2 rows"))
  }

  @Test("k larger than a list names the list", arguments: [0, 1, 2])
  func cutoffTooLarge(measure: Int) throws {
    let l = try lists(
      queries: ["q", "q", "r", "r", "r"], ranks: [1, 2, 1, 2, 3],
      groups: ["a", "b", "a", "b", "a"],
      relevance: [1, 0, 1, 0, 1])
    let text = message {
      switch measure {
      case 0: _ = try RankingQuality(cutoffs: [3]).evaluated(l)
      case 1: _ = try TopKShares(cutoffs: [3]).evaluated(l, protectedGroup: 0)
      default: _ = try FAIR(length: 3, proportion: 0.5).reranked(l, protectedGroup: 0)
      }
    }
    #expect(text.contains("k = 3 is larger than the 2 items of query 'q'"))
  }
}
