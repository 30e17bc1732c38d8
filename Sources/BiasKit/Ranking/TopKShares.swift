import Foundation

/// Each item group's share of the top k, with FA*IR's test of whether the protected group is
/// significantly under-represented there.
///
/// For a list and a cut-off k (ties broken by input order):
///
///     share(G, k)   = |G ∩ top k| / k
///     p-value(k)    = F(τ; k, p)                  τ = protected items in the top k
///     passes(k)     ⇔ τ ≥ m(k) = F⁻¹(α; k, p)     (FA*IR's fair representation condition)
///     prefixes(k)   ⇔ every prefix i ≤ k passes the α_c-adjusted m-table of FA*IR(k, p, α)
///
/// with F the Binomial(k, p) cdf and p the target proportion: ``proportion`` if given, else
/// the protected group's share of the whole list (then only the single-cut-off test is made,
/// as the adjusted table depends on p). Per query the values are means over its samples (a
/// pass counts 1, a fail 0); the report's means are over queries.
///
/// - Complexity: O(n + lists · cut-offs · k) for n rows, plus one ``FAIR`` table per cut-off
///   when p is given.
///
/// ## References
/// - Zehlike et al. FA*IR: A Fair Top-k Ranking Algorithm. CIKM 2017 (the ranked group
///   fairness test).
public struct TopKShares: Sendable, Equatable {
  /// The cut-offs k.
  public var cutoffs: [Int]
  /// The test's target proportion p of protected items; nil for each list's own proportion.
  public var proportion: Double?
  /// The test's significance α.
  public var significance: Double

  public init(cutoffs: [Int] = [10], proportion: Double? = nil, significance: Double = 0.1) {
    self.cutoffs = cutoffs
    self.proportion = proportion
    self.significance = significance
  }

  /// The values at one cut-off.
  public struct Values: Sendable, Equatable {
    /// Each group's share of the top k.
    public var shares: [Double]
    /// Protected items in the top k.
    public var protectedCount: Double
    /// F(τ; k, p).
    public var pValue: Double
    /// Whether τ ≥ m(k) (a fraction of samples, or of queries for means).
    public var passes: Double
    /// Whether every prefix passes the adjusted table (nil without a fixed p).
    public var passesEveryPrefix: Double?
  }

  /// `queries[q][c]`: query q at cut-off ``cutoffs``[c]; `mean[c]` over queries.
  public struct Report: Sendable, Equatable {
    public var cutoffs: [Int]
    public var groupNames: [String]
    public var protectedGroup: Int
    public var queries: [[Values]]
    public var mean: [Values]
    /// The adjusted m-table of each cut-off, when p is fixed.
    public var tables: [FAIR.MTable]?
  }

  /// Computes the shares and tests of `lists`, `protectedGroup` being the protected group.
  public func evaluated(_ lists: RankedLists, protectedGroup: Int) throws -> Report {
    guard !cutoffs.isEmpty, cutoffs.allSatisfy({ $0 >= 1 }) else {
      throw BiasKitError(.invalidArgument, "the cut-offs k must be at least 1")
    }
    guard (0..<lists.groupCount).contains(protectedGroup) else {
      throw BiasKitError(.invalidArgument, "protected group \(protectedGroup) does not exist")
    }
    guard significance > 0, significance <= 0.5 else {
      throw BiasKitError.fairSignificance(significance)
    }
    if let proportion, !(proportion > 0 && proportion < 1) {
      throw BiasKitError.fairProportion(proportion)
    }
    let kMax = cutoffs.max()!
    for l in 0..<lists.listCount where lists.listStart[l + 1] - lists.listStart[l] < kMax {
      throw BiasKitError.listShorterThanCutoff(
        lists.listName(l), length: lists.listStart[l + 1] - lists.listStart[l], cutoff: kMax)
    }
    let g = lists.groupCount
    var tables: [FAIR.MTable]? = nil
    var unadjusted: [[Int]] = []
    if let proportion {
      tables = try cutoffs.map {
        try FAIR(length: $0, proportion: proportion, significance: significance).table()
      }
      unadjusted = cutoffs.map {
        FAIR.minimumProtected(length: $0, proportion: proportion, alpha: significance)
      }
    }
    let protected = Int32(protectedGroup)
    var queries = [[Values]](repeating: [], count: lists.queryCount)
    let alpha = significance
    let fixed = proportion
    queries.withUnsafeMutableBufferPointer { out in
      RankingMath.forEachChunk(lists.queryCount, minimumChunk: 512) { range in
        var prefixCounts = [Int](repeating: 0, count: kMax)
        var groupCounts = [Int](repeating: 0, count: g)
        // The test depends on (list length, protected total) through p: the cdf at every τ ≤ k
        // and m(k) of each cut-off, computed once per distinct pair.
        var cache: [Int: [(cdf: [Double], m: Int)]] = [:]
        func test(_ n: Int, _ total: Int) -> [(cdf: [Double], m: Int)] {
          let key = fixed == nil ? n &* 1_000_003 &+ total : 0
          if let hit = cache[key] { return hit }
          let p = fixed ?? Double(total) / Double(n)
          let value = cutoffs.enumerated().map { c, k in
            (
              cdf: (0...k).map { BinomialDistribution.cdf($0, trials: k, probability: p) },
              m: fixed == nil
                ? max(0, BinomialDistribution.quantile(alpha, trials: k, probability: p))
                : unadjusted[c][k - 1]
            )
          }
          cache[key] = value
          return value
        }
        for q in range {
          var values = cutoffs.map { _ in
            Values(
              shares: [Double](repeating: 0, count: g), protectedCount: 0, pValue: 0, passes: 0,
              passesEveryPrefix: fixed == nil ? nil : 0)
          }
          let first = lists.queryListStart[q]
          let last = lists.queryListStart[q + 1]
          for l in first..<last {
            let start = lists.listStart[l]
            let n = lists.listStart[l + 1] - start
            var total = 0
            for p in start..<(start + n) where lists.groups[p] == protected { total += 1 }
            var count = 0
            for i in 0..<kMax {
              if lists.groups[start + i] == protected { count += 1 }
              prefixCounts[i] = count
            }
            let tests = test(n, total)
            for (c, k) in cutoffs.enumerated() {
              for j in 0..<g { groupCounts[j] = 0 }
              for i in 0..<k { groupCounts[Int(lists.groups[start + i])] += 1 }
              for j in 0..<g { values[c].shares[j] += Double(groupCounts[j]) / Double(k) }
              let tau = prefixCounts[k - 1]
              values[c].protectedCount += Double(tau)
              values[c].pValue += tests[c].cdf[tau]
              if tau >= tests[c].m { values[c].passes += 1 }
              if let tables {
                let table = tables[c].minimumProtected
                var every = true
                for i in 0..<k where prefixCounts[i] < table[i] {
                  every = false
                  break
                }
                if every { values[c].passesEveryPrefix! += 1 }
              }
            }
          }
          let s = Double(last - first)
          for c in values.indices {
            for j in 0..<g { values[c].shares[j] /= s }
            values[c].protectedCount /= s
            values[c].pValue /= s
            values[c].passes /= s
            if values[c].passesEveryPrefix != nil { values[c].passesEveryPrefix! /= s }
          }
          out[q] = values
        }
      }
    }
    let mean = cutoffs.indices.map { c -> Values in
      let rows = queries.map { $0[c] }
      return Values(
        shares: (0..<g).map { j in RankingMath.mean(rows.map { $0.shares[j] }) },
        protectedCount: RankingMath.mean(rows.map(\.protectedCount)),
        pValue: RankingMath.mean(rows.map(\.pValue)),
        passes: RankingMath.mean(rows.map(\.passes)),
        passesEveryPrefix: proportion == nil
          ? nil : RankingMath.mean(rows.map { $0.passesEveryPrefix ?? .nan }))
    }
    return Report(
      cutoffs: cutoffs, groupNames: lists.groupNames, protectedGroup: protectedGroup,
      queries: queries, mean: mean, tables: tables)
  }
}
