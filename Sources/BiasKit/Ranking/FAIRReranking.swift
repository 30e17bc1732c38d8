import Foundation

/// FA*IR's re-ranking: the top k of each list rebuilt so that every prefix passes the ranked
/// group fairness test of ``FAIR``, while keeping each group's own order.
///
/// Position i (1…k) takes the best remaining protected item if the prefix would otherwise
/// hold fewer than m(i) protected items, and otherwise the better of the best remaining
/// protected and non-protected items (the protected one on equal scores). When one group runs
/// out, the other fills the list (which may then fail the test: ``passesAfter`` says so).
///
/// Corresponds to `fairsearchcore` 1.0.4's `Fair.re_rank` (`re_ranker.fair_top_k`) with the
/// adjusted m-table, given each list top first: "better" compares scores, or without scores
/// the original ranks. The utility lost is reported as NDCG@k of the original and of the
/// re-ranked top k, with the relevance as gains (or, without relevance, non-negative scores),
/// both over the strict orders (ties broken by input order).
///
/// - Complexity: O(n + lists × k) for n rows, plus the m-table (``FAIR/table()``).
public struct FAIRReranking: Sendable {
  /// The m-table every list was re-ranked with.
  public let table: FAIR.MTable
  /// The protected group.
  public let protectedGroup: Int
  /// Length of each re-ranked list (k).
  public let length: Int
  /// `positions[l · k + i]`: the position (into ``RankedLists``' arrays) at new rank i + 1 of
  /// list l.
  public let positions: [Int32]
  /// Whether each list's original top k passes the test.
  public let passesBefore: [Bool]
  /// Whether each re-ranked list passes it.
  public let passesAfter: [Bool]
  /// NDCG@k of each list's original top k, when gains are known.
  public let ndcgBefore: [Double]?
  /// NDCG@k of each re-ranked list.
  public let ndcgAfter: [Double]?

  /// Number of lists.
  public var listCount: Int { passesBefore.count }
  /// Lists whose original top k passes.
  public var passingBefore: Int { passesBefore.lazy.filter { $0 }.count }
  /// Lists whose re-ranked top k passes.
  public var passingAfter: Int { passesAfter.lazy.filter { $0 }.count }
  /// Mean NDCG@k before re-ranking.
  public var meanNDCGBefore: Double? { ndcgBefore.map { RankingMath.mean($0) } }
  /// Mean NDCG@k after re-ranking.
  public var meanNDCGAfter: Double? { ndcgAfter.map { RankingMath.mean($0) } }
}

extension FAIR {
  /// Re-ranks the top ``length`` of every list of `lists`, `protectedGroup` against the other
  /// group.
  ///
  /// - Throws: when the parameters are out of range, the lists do not have exactly two item
  ///   groups, or a list is shorter than k.
  public func reranked(_ lists: RankedLists, protectedGroup: Int) throws -> FAIRReranking {
    try validate()
    guard lists.groupCount == 2 else {
      throw BiasKitError.fairNeedsTwoGroups(lists.groupNames)
    }
    guard (0..<2).contains(protectedGroup) else {
      throw BiasKitError(.invalidArgument, "FA*IR: protected group \(protectedGroup) is not 0 or 1")
    }
    let k = length
    for l in 0..<lists.listCount where lists.listStart[l + 1] - lists.listStart[l] < k {
      throw BiasKitError.listShorterThanCutoff(
        lists.listName(l), length: lists.listStart[l + 1] - lists.listStart[l], cutoff: k)
    }
    let table = try self.table()
    let m = table.minimumProtected
    let listCount = lists.listCount
    var positions = [Int32](repeating: 0, count: listCount * k)
    var before = [Bool](repeating: false, count: listCount)
    var after = [Bool](repeating: false, count: listCount)
    let protected = Int32(protectedGroup)

    positions.withUnsafeMutableBufferPointer { out in
      before.withUnsafeMutableBufferPointer { passBefore in
        after.withUnsafeMutableBufferPointer { passAfter in
          RankingMath.forEachChunk(listCount) { range in
            var protectedQueue: [Int32] = []
            var otherQueue: [Int32] = []
            for l in range {
              let start = lists.listStart[l]
              let end = lists.listStart[l + 1]
              protectedQueue.removeAll(keepingCapacity: true)
              otherQueue.removeAll(keepingCapacity: true)
              var count = 0
              var fair = true
              for p in start..<end {
                if lists.groups[p] == protected {
                  protectedQueue.append(Int32(p))
                } else {
                  otherQueue.append(Int32(p))
                }
                if p - start < k {
                  if lists.groups[p] == protected { count += 1 }
                  if count < m[p - start] { fair = false }
                }
              }
              passBefore[l] = fair
              var ip = 0
              var io = 0
              count = 0
              fair = true
              for i in 0..<k {
                let takeProtected: Bool
                if ip >= protectedQueue.count {
                  takeProtected = false
                } else if io >= otherQueue.count {
                  takeProtected = true
                } else if count < m[i] {
                  takeProtected = true
                } else if let scores = lists.scores {
                  takeProtected =
                    scores[Int(protectedQueue[ip])] >= scores[Int(otherQueue[io])]
                } else {
                  takeProtected = protectedQueue[ip] < otherQueue[io]
                }
                if takeProtected {
                  out[l * k + i] = protectedQueue[ip]
                  ip += 1
                  count += 1
                } else {
                  out[l * k + i] = otherQueue[io]
                  io += 1
                }
                if count < m[i] { fair = false }
              }
              passAfter[l] = fair
            }
          }
        }
      }
    }
    let ndcg = lists.topKNDCG(reranked: positions, length: k)
    return FAIRReranking(
      table: table, protectedGroup: protectedGroup, length: k, positions: positions,
      passesBefore: before, passesAfter: after, ndcgBefore: ndcg?.before,
      ndcgAfter: ndcg?.after)
  }
}

extension BiasKitError {
  static func fairNeedsTwoGroups(_ names: [String]) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "FA*IR compares a protected group with one other group, but the group column has \(names.count) value\(names.count == 1 ? "" : "s") (\(names.prefix(5).joined(separator: ", "))\(names.count > 5 ? ", …" : "")); use multinomial FA*IR for more groups"
    )
  }
}

extension RankedLists {
  /// NDCG@k of each list's original top k and of a re-ranked top k, as ``FAIRReranking``
  /// reports them: gains are the relevance (or, without relevance, non-negative scores), the
  /// ideal is the list's k largest gains, both over the strict orders. Nil when no gains are
  /// known. `positions[l · k + i]` is the position at new rank i + 1 of list l (as
  /// ``FAIRReranking/positions`` and ``MultinomialFAIR/Reranking/positions``).
  ///
  /// - Complexity: O(n log m + lists × k).
  public func topKNDCG(
    reranked positions: [Int32], length k: Int
  ) -> (
    before: [Double], after: [Double]
  )? {
    let gains: [Double]? = relevance ?? scores.flatMap { s in s.min()! >= 0 ? s : nil }
    guard let gains, k >= 1, positions.count == listCount * k else { return nil }
    let discount = PositionWeights(.logarithmic, length: k)
    var before = [Double](repeating: 0, count: listCount)
    var after = [Double](repeating: 0, count: listCount)
    var ideal: [Double] = []
    for l in 0..<listCount {
      let start = listStart[l]
      let end = listStart[l + 1]
      guard end - start >= k else { return nil }
      ideal.removeAll(keepingCapacity: true)
      for p in start..<end { ideal.append(gains[p]) }
      ideal.sort(by: >)
      var idcg = 0.0
      var dcgBefore = 0.0
      var dcgAfter = 0.0
      for i in 0..<k {
        idcg += ideal[i] * discount[i + 1]
        dcgBefore += gains[start + i] * discount[i + 1]
        dcgAfter += gains[Int(positions[l * k + i])] * discount[i + 1]
      }
      before[l] = idcg > 0 ? dcgBefore / idcg : 0
      after[l] = idcg > 0 ? dcgAfter / idcg : 0
    }
    return (before, after)
  }
}
