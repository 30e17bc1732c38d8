import Foundation

/// NDCG@k, precision@k and recall@k of each list, overall and by item group, averaged over
/// queries and over each query group.
///
/// With graded relevance u (relevant: u > 0) and the logarithmic discount D(i) = 1/log₂(i + 1):
///
///     DCG@k  = Σ_{i ≤ k} u(i) · D(i)         NDCG@k = DCG@k / IDCG@k   (0 when IDCG@k = 0)
///     precision@k = |relevant ∩ top k| / k     recall@k = |relevant ∩ top k| / |relevant|
///
/// IDCG@k is the DCG@k of the list sorted by relevance. Tied scores average their gains over
/// the positions they span, so NDCG@k equals scikit-learn's `ndcg_score(y_true, y_score, k=k)`
/// (one query at a time; its mean over queries for the overall value). Precision and recall
/// break ties by input order; recall is NaN without relevant items.
///
/// By item group G:
///
///     NDCG@k(G)      = NDCG@k of G's items alone, in their order (`ndcg_score` on G's rows);
///                      NaN when G has no relevant item in the list
///     precision@k(G) = |relevant ∩ G ∩ top k| / |G ∩ top k|      (NaN when no G item is shown)
///     recall@k(G)    = |relevant ∩ G ∩ top k| / |relevant ∩ G|   (NaN without relevant G items)
///
/// so that the groups' values compare how well each group's relevant items are served. Per
/// query, values are means over its samples; averages over queries skip NaN.
///
/// - Complexity: O(n log m) for n rows in lists of up to m items.
public struct RankingQuality: Sendable, Equatable {
  /// The cut-offs k.
  public var cutoffs: [Int]

  public init(cutoffs: [Int] = [10]) { self.cutoffs = cutoffs }

  /// The three measures at one cut-off.
  public struct Values: Sendable, Equatable {
    public var ndcg: Double
    public var precision: Double
    public var recall: Double
    /// The same per item group.
    public var groupNDCG: [Double]
    public var groupPrecision: [Double]
    public var groupRecall: [Double]
  }

  /// `queries[q][c]` for query q at ``cutoffs``[c]; means over queries and query groups.
  public struct Report: Sendable, Equatable {
    public var cutoffs: [Int]
    public var groupNames: [String]
    public var queries: [[Values]]
    public var mean: [Values]
    public var byQueryGroup: [[Values]]?
    public var queryGroupNames: [String]?
  }

  /// Computes the report of `lists`, which must carry relevance.
  public func evaluated(_ lists: RankedLists) throws -> Report {
    guard let relevance = lists.relevance else {
      throw BiasKitError.rankingNeeds("relevance", for: "NDCG, precision and recall")
    }
    guard !cutoffs.isEmpty, cutoffs.allSatisfy({ $0 >= 1 }) else {
      throw BiasKitError(.invalidArgument, "the cut-offs k must be at least 1")
    }
    let kMax = cutoffs.max()!
    for l in 0..<lists.listCount where lists.listStart[l + 1] - lists.listStart[l] < kMax {
      throw BiasKitError.listShorterThanCutoff(
        lists.listName(l), length: lists.listStart[l + 1] - lists.listStart[l], cutoff: kMax)
    }
    let g = lists.groupCount
    let c = cutoffs.count
    let discount = PositionWeights(.logarithmic, length: lists.longestListLength)
    let empty = Values(
      ndcg: 0, precision: 0, recall: 0, groupNDCG: [Double](repeating: 0, count: g),
      groupPrecision: [Double](repeating: 0, count: g),
      groupRecall: [Double](repeating: 0, count: g))
    var queries = [[Values]](repeating: [], count: lists.queryCount)
    queries.withUnsafeMutableBufferPointer { out in
      RankingMath.forEachChunk(lists.queryCount, minimumChunk: 256) { range in
        var weights: [Double] = []
        var sorted: [Double] = []
        var sub: [Int] = []
        var scratch = Scratch(groups: g, cutoffs: cutoffs)
        for q in range {
          var values = [Values](repeating: empty, count: c)
          // Per-sample sums and how many samples defined each value (for NaN-skipping means).
          var defined = [Double](repeating: 0, count: c * (2 + 3 * g))
          let first = lists.queryListStart[q]
          let last = lists.queryListStart[q + 1]
          for l in first..<last {
            let start = lists.listStart[l]
            let m = lists.listStart[l + 1] - start
            if !lists.hasTies {
              scratch.accumulate(
                list: start..<(start + m), lists: lists, relevance: relevance,
                cutoffs: cutoffs, discount: discount, values: &values, defined: &defined)
              continue
            }
            sorted.removeAll(keepingCapacity: true)
            var relevantTotal = 0
            for p in start..<(start + m) {
              sorted.append(relevance[p])
              if relevance[p] > 0 { relevantTotal += 1 }
            }
            sorted.sort(by: >)
            for (ci, k) in cutoffs.enumerated() {
              lists.fillWeights(&weights, list: l, table: discount, cutoff: k)
              var dcg = 0.0
              var idcg = 0.0
              var hits = 0
              for i in 0..<m { dcg += relevance[start + i] * weights[i] }
              for i in 0..<k { idcg += sorted[i] * discount[i + 1] }
              for i in 0..<k where relevance[start + i] > 0 { hits += 1 }
              values[ci].ndcg += idcg > 0 ? dcg / idcg : 0
              values[ci].precision += Double(hits) / Double(k)
              if relevantTotal > 0 {
                values[ci].recall += Double(hits) / Double(relevantTotal)
                defined[ci * (2 + 3 * g)] += 1
              }
            }
            // By item group.
            for h in 0..<g {
              sub.removeAll(keepingCapacity: true)
              var relevantInGroup = 0
              for p in start..<(start + m) where lists.groups[p] == Int32(h) {
                sub.append(p)
                if relevance[p] > 0 { relevantInGroup += 1 }
              }
              for (ci, k) in cutoffs.enumerated() {
                let base = ci * (2 + 3 * g) + 2 + 3 * h
                var shown = 0
                var hits = 0
                for i in 0..<k where lists.groups[start + i] == Int32(h) {
                  shown += 1
                  if relevance[start + i] > 0 { hits += 1 }
                }
                if shown > 0 {
                  values[ci].groupPrecision[h] += Double(hits) / Double(shown)
                  defined[base + 1] += 1
                }
                if relevantInGroup > 0 {
                  values[ci].groupRecall[h] += Double(hits) / Double(relevantInGroup)
                  defined[base + 2] += 1
                  values[ci].groupNDCG[h] += RankingQuality.ndcg(
                    sub, relevance: relevance, scores: lists.hasTies ? lists.scores : nil, k: k,
                    discount: discount, sorted: &sorted)
                  defined[base] += 1
                }
              }
            }
          }
          let s = Double(last - first)
          for ci in 0..<c {
            let stride = 2 + 3 * g
            values[ci].ndcg /= s
            values[ci].precision /= s
            values[ci].recall =
              defined[ci * stride] > 0 ? values[ci].recall / defined[ci * stride] : .nan
            for h in 0..<g {
              let base = ci * stride + 2 + 3 * h
              values[ci].groupNDCG[h] =
                defined[base] > 0 ? values[ci].groupNDCG[h] / defined[base] : .nan
              values[ci].groupPrecision[h] =
                defined[base + 1] > 0 ? values[ci].groupPrecision[h] / defined[base + 1] : .nan
              values[ci].groupRecall[h] =
                defined[base + 2] > 0 ? values[ci].groupRecall[h] / defined[base + 2] : .nan
            }
          }
          out[q] = values
        }
      }
    }
    func average(_ rows: [[Values]]) -> [Values] {
      (0..<c).map { ci in
        let column = rows.map { $0[ci] }
        return Values(
          ndcg: RankingMath.mean(column.map(\.ndcg)),
          precision: RankingMath.mean(column.map(\.precision)),
          recall: RankingMath.mean(column.map(\.recall)),
          groupNDCG: (0..<g).map { h in RankingMath.mean(column.map { $0.groupNDCG[h] }) },
          groupPrecision: (0..<g).map { h in RankingMath.mean(column.map { $0.groupPrecision[h] })
          },
          groupRecall: (0..<g).map { h in RankingMath.mean(column.map { $0.groupRecall[h] }) })
      }
    }
    var byQueryGroup: [[Values]]? = nil
    if let codes = lists.queryGroup, let names = lists.queryGroupNames {
      byQueryGroup = names.indices.map { h in
        average(queries.indices.filter { codes[$0] == Int32(h) }.map { queries[$0] })
      }
    }
    return Report(
      cutoffs: cutoffs, groupNames: lists.groupNames, queries: queries, mean: average(queries),
      byQueryGroup: byQueryGroup, queryGroupNames: lists.queryGroupNames)
  }

  /// One pass over a list without ties: every measure at every cut-off, and each group's top
  /// relevances kept by insertion (no sort).
  struct Scratch {
    let g: Int
    let kMax: Int
    /// The kMax largest relevances, overall and per group (descending), and how many are kept.
    var top: [Double]
    var groupTop: [Double]
    var groupTopCount: [Int]
    var subRank: [Int]
    var relevantInGroup: [Int]
    var groupDCG: [Double]
    var shown: [Int]
    var hits: [Int]

    init(groups g: Int, cutoffs: [Int]) {
      self.g = g
      kMax = cutoffs.max() ?? 1
      top = [Double](repeating: 0, count: kMax)
      groupTop = [Double](repeating: 0, count: g * kMax)
      groupTopCount = [Int](repeating: 0, count: g)
      subRank = [Int](repeating: 0, count: g)
      relevantInGroup = [Int](repeating: 0, count: g)
      groupDCG = [Double](repeating: 0, count: g * cutoffs.count)
      shown = [Int](repeating: 0, count: g * cutoffs.count)
      hits = [Int](repeating: 0, count: g * cutoffs.count)
    }

    /// Inserts `x` into the descending run `buffer[base..<base + count]` of capacity kMax.
    @inline(__always)
    static func insert(
      _ x: Double, _ buffer: inout [Double], base: Int, count: inout Int, kMax: Int
    ) {
      if count == kMax && x <= buffer[base + kMax - 1] { return }
      var i = count == kMax ? kMax - 1 : count
      if count < kMax { count += 1 }
      while i > 0 && buffer[base + i - 1] < x {
        buffer[base + i] = buffer[base + i - 1]
        i -= 1
      }
      buffer[base + i] = x
    }

    mutating func accumulate(
      list: Range<Int>, lists: RankedLists, relevance: [Double], cutoffs: [Int],
      discount: PositionWeights, values: inout [Values], defined: inout [Double]
    ) {
      let c = cutoffs.count
      var topCount = 0
      for h in 0..<g {
        groupTopCount[h] = 0
        subRank[h] = 0
        relevantInGroup[h] = 0
      }
      for j in 0..<(g * c) {
        groupDCG[j] = 0
        shown[j] = 0
        hits[j] = 0
      }
      var relevantTotal = 0
      for p in list {
        let r = relevance[p]
        let h = Int(lists.groups[p])
        let i = p - list.lowerBound
        subRank[h] += 1
        if r > 0 {
          relevantTotal += 1
          relevantInGroup[h] += 1
          RankingQuality.Scratch.insert(r, &top, base: 0, count: &topCount, kMax: kMax)
          RankingQuality.Scratch.insert(
            r, &groupTop, base: h * kMax, count: &groupTopCount[h], kMax: kMax)
        }
        for (ci, k) in cutoffs.enumerated() {
          if subRank[h] <= k { groupDCG[ci * g + h] += r * discount[subRank[h]] }
          if i < k {
            shown[ci * g + h] += 1
            if r > 0 { hits[ci * g + h] += 1 }
          }
        }
      }
      let stride = 2 + 3 * g
      for (ci, k) in cutoffs.enumerated() {
        var dcg = 0.0
        var idcg = 0.0
        var allHits = 0
        for i in 0..<k {
          let r = relevance[list.lowerBound + i]
          dcg += r * discount[i + 1]
          if r > 0 { allHits += 1 }
          if i < topCount { idcg += top[i] * discount[i + 1] }
        }
        values[ci].ndcg += idcg > 0 ? dcg / idcg : 0
        values[ci].precision += Double(allHits) / Double(k)
        if relevantTotal > 0 {
          values[ci].recall += Double(allHits) / Double(relevantTotal)
          defined[ci * stride] += 1
        }
        for h in 0..<g {
          let base = ci * stride + 2 + 3 * h
          if shown[ci * g + h] > 0 {
            values[ci].groupPrecision[h] += Double(hits[ci * g + h]) / Double(shown[ci * g + h])
            defined[base + 1] += 1
          }
          if relevantInGroup[h] > 0 {
            values[ci].groupRecall[h] += Double(hits[ci * g + h]) / Double(relevantInGroup[h])
            defined[base + 2] += 1
            var gidcg = 0.0
            for j in 0..<min(k, groupTopCount[h]) {
              gidcg += groupTop[h * kMax + j] * discount[j + 1]
            }
            values[ci].groupNDCG[h] += gidcg > 0 ? groupDCG[ci * g + h] / gidcg : 0
            defined[base] += 1
          }
        }
      }
    }
  }

  /// NDCG@k of the positions `sub` (in ranking order) alone: ties of `scores` averaged.
  static func ndcg(
    _ sub: [Int], relevance: [Double], scores: [Double]?, k: Int, discount: PositionWeights,
    sorted: inout [Double]
  ) -> Double {
    let m = sub.count
    var dcg = 0.0
    var i = 0
    while i < min(m, k) {
      var e = i + 1
      if let scores {
        while e < m, scores[sub[e]] == scores[sub[i]] { e += 1 }
      }
      if e - i == 1 {
        dcg += relevance[sub[i]] * discount[i + 1]
      } else {
        var gain = 0.0
        var weight = 0.0
        for j in i..<e {
          gain += relevance[sub[j]]
          if j < k { weight += discount[j + 1] }
        }
        dcg += gain / Double(e - i) * weight
      }
      i = e
    }
    sorted.removeAll(keepingCapacity: true)
    for p in sub { sorted.append(relevance[p]) }
    sorted.sort(by: >)
    var idcg = 0.0
    for j in 0..<min(m, k) { idcg += sorted[j] * discount[j + 1] }
    return idcg > 0 ? dcg / idcg : 0
  }
}
