import Foundation

/// Yang & Stoyanovich's rank-aware statistical parity measures rND, rKL and rRD: how far the
/// protected group's share of each top-i prefix is from its share of the whole list,
/// discounted by position and normalized to [0, 1].
///
/// For a list of N items, |S⁺| of them protected, and cut-offs i = s, 2s, … ≤ N (s =
/// ``step``, 10 in the paper), with |S⁺₁…ᵢ| the protected items and |S⁻₁…ᵢ| the others in the
/// top i:
///
///     rND = 1/Z Σ_i 1/log₂ i · | |S⁺₁…ᵢ|/i − |S⁺|/N |
///     rKL = 1/Z Σ_i 1/log₂ i · D_KL(P_i ‖ Q),  P_i = (|S⁺₁…ᵢ|/i, |S⁻₁…ᵢ|/i),  Q = (|S⁺|/N, |S⁻|/N)
///     rRD = 1/Z Σ_i 1/log₂ i · | |S⁺₁…ᵢ|/|S⁻₁…ᵢ| − |S⁺|/|S⁻| |
///
/// (0·log 0 = 0 in the divergence; in rRD a ratio with a zero numerator or denominator is 0,
/// as the paper sets it). Z is the largest value the sum can take over all rankings of N items
/// with |S⁺| protected — found exactly by dynamic programming over the protected counts at the
/// cut-offs, where the authors' code estimates it from random rankings. 0 is fair, 1 the most
/// unfair ranking; rRD is meant for a protected minority (|S⁺| ≤ N/2). A list whose protected
/// group is empty or everything, or shorter than one step, has no value (NaN).
///
/// The paper's discount is 1/log₂ i; the authors' FairRank code uses 1/log₂(i + 1), smooths
/// the divergence of a one-group prefix with proportion 0.001 and measures rRD only below the
/// overall ratio. ``rawSums`` reproduce its unnormalized values with those conventions in
/// the reference script (`make_ranking_fixtures.py`), which checks them against the authors'
/// worked example.
///
/// - Complexity: O(n) for n rows, plus O((N/s) · |S⁺| · s) once per distinct (N, |S⁺|).
///
/// ## References
/// - Yang, Stoyanovich. Measuring Fairness in Ranked Outputs. SSDBM 2017.
public struct RankedGroupDivergence: Sendable, Equatable {
  /// Distance between cut-offs (the paper's 10).
  public var step: Int

  public init(step: Int = 10) { self.step = step }

  /// The three measures.
  public enum Measure: String, Sendable, CaseIterable {
    case rND, rKL, rRD
  }

  /// The values of one list (or their means over queries).
  public struct Values: Sendable, Equatable {
    public var rND: Double
    public var rKL: Double
    public var rRD: Double
    /// The sums before normalization, and their normalizers Z.
    public var rawSums: [Double]
    public var normalizers: [Double]

    public subscript(measure: Measure) -> Double {
      switch measure {
      case .rND: return rND
      case .rKL: return rKL
      case .rRD: return rRD
      }
    }
  }

  /// Per query (means over its samples) and the means over queries.
  public struct Report: Sendable, Equatable {
    public var protectedGroup: Int
    public var step: Int
    public var queries: [Values]
    public var mean: Values
  }

  /// Computes the measures of every list of `lists` with `protectedGroup` against the rest.
  public func evaluated(_ lists: RankedLists, protectedGroup: Int) throws -> Report {
    guard step >= 2 else {
      // The discount 1/log₂ i is infinite at i = 1.
      throw BiasKitError(.invalidArgument, "the cut-off step must be at least 2; got \(step)")
    }
    guard (0..<lists.groupCount).contains(protectedGroup) else {
      throw BiasKitError(.invalidArgument, "protected group \(protectedGroup) does not exist")
    }
    let protected = Int32(protectedGroup)
    let listCount = lists.listCount
    // Per list: its length, protected total and the three discounted sums (in parallel).
    var raw = [Double](repeating: 0, count: 3 * listCount)
    var totals = [Int32](repeating: 0, count: listCount)
    let discount = (0...lists.longestListLength).map { $0 < 2 ? 0 : 1 / log2(Double($0)) }
    raw.withUnsafeMutableBufferPointer { out in
      totals.withUnsafeMutableBufferPointer { totalOut in
        RankingMath.forEachChunk(listCount) { range in
          for l in range {
            let start = lists.listStart[l]
            let n = lists.listStart[l + 1] - start
            var total = 0
            for k in start..<(start + n) where lists.groups[k] == protected { total += 1 }
            var prefix = 0
            var nd = 0.0
            var kl = 0.0
            var rd = 0.0
            for k in 0..<n {
              if lists.groups[start + k] == protected { prefix += 1 }
              let i = k + 1
              if i % step == 0 {
                let d = discount[i]
                nd += RankedGroupDivergence.term(.rND, prefix, i, total, n) * d
                kl += RankedGroupDivergence.term(.rKL, prefix, i, total, n) * d
                rd += RankedGroupDivergence.term(.rRD, prefix, i, total, n) * d
              }
            }
            out[3 * l] = nd
            out[3 * l + 1] = kl
            out[3 * l + 2] = rd
            totalOut[l] = Int32(total)
          }
        }
      }
    }
    // Z once per distinct (length, protected total).
    var normalizers: [Int: [Double]] = [:]
    for l in 0..<listCount {
      let n = lists.listStart[l + 1] - lists.listStart[l]
      let key = n &* 1_000_003 &+ Int(totals[l])
      if normalizers[key] == nil {
        normalizers[key] = Measure.allCases.map {
          normalizer($0, count: n, protected: Int(totals[l]))
        }
      }
    }
    var queries: [Values] = []
    queries.reserveCapacity(lists.queryCount)
    for q in 0..<lists.queryCount {
      var sums = [0.0, 0.0, 0.0]
      var rawSums = [0.0, 0.0, 0.0]
      var norms = [0.0, 0.0, 0.0]
      var counts = [0, 0, 0]
      for l in lists.queryListStart[q]..<lists.queryListStart[q + 1] {
        let n = lists.listStart[l + 1] - lists.listStart[l]
        let z = normalizers[n &* 1_000_003 &+ Int(totals[l])]!
        for j in 0..<3 where z[j] > 0 {
          let value = raw[3 * l + j]
          sums[j] += value / z[j]
          rawSums[j] += value
          norms[j] += z[j]
          counts[j] += 1
        }
      }
      func mean(_ j: Int, _ x: [Double]) -> Double {
        counts[j] == 0 ? .nan : x[j] / Double(counts[j])
      }
      queries.append(
        Values(
          rND: mean(0, sums), rKL: mean(1, sums), rRD: mean(2, sums),
          rawSums: (0..<3).map { mean($0, rawSums) },
          normalizers: (0..<3).map { mean($0, norms) }))
    }
    let mean = Values(
      rND: RankingMath.mean(queries.map(\.rND)), rKL: RankingMath.mean(queries.map(\.rKL)),
      rRD: RankingMath.mean(queries.map(\.rRD)),
      rawSums: (0..<3).map { j in RankingMath.mean(queries.map { $0.rawSums[j] }) },
      normalizers: (0..<3).map { j in RankingMath.mean(queries.map { $0.normalizers[j] }) })
    return Report(protectedGroup: protectedGroup, step: step, queries: queries, mean: mean)
  }

  /// The undiscounted term of `measure` at cut-off `i` with `x` protected items in the top i,
  /// `total` protected items among `n`.
  static func term(_ measure: Measure, _ x: Int, _ i: Int, _ total: Int, _ n: Int) -> Double {
    switch measure {
    case .rND:
      return abs(Double(x) / Double(i) - Double(total) / Double(n))
    case .rKL:
      let p = Double(x) / Double(i)
      let q = Double(total) / Double(n)
      var d = 0.0
      if p > 0 { d += p * log(p / q) }
      if p < 1 { d += (1 - p) * log((1 - p) / (1 - q)) }
      return d
    case .rRD:
      let others = i - x
      let ratio = x == 0 || others == 0 ? 0 : Double(x) / Double(others)
      let overall = total == 0 || total == n ? 0 : Double(total) / Double(n - total)
      return abs(ratio - overall)
    }
  }

  /// Z: the largest discounted sum over all rankings of `n` items with `total` protected.
  func normalizer(_ measure: Measure, count n: Int, protected total: Int) -> Double {
    guard total > 0, total < n, n >= step else { return 0 }
    // best[x]: the largest sum over the cut-offs so far with x protected items in the prefix.
    var best = [Double](repeating: -.infinity, count: total + 1)
    best[0] = 0
    var previous = 0
    var i = step
    while i <= n {
      var next = [Double](repeating: -.infinity, count: total + 1)
      let room = i - previous
      let d = log2(Double(i))
      let low = max(0, i - (n - total))
      let high = min(total, i)
      for x in low...high {
        var b = -Double.infinity
        for y in max(0, x - room)...x where best[y] > b { b = best[y] }
        if b > -.infinity {
          next[x] = b + RankedGroupDivergence.term(measure, x, i, total, n) / d
        }
      }
      best = next
      previous = i
      i += step
    }
    return best.max() ?? 0
  }
}
