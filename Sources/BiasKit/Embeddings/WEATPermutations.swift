import Foundation

/// How a WEAT's one-sided p-value is obtained from the associations of X ∪ Y.
///
///     p = #{ splits (X', Y') of X ∪ Y, |X'| = |X| : S(X', Y') > S(X, Y) } / #splits
///
/// Corresponds to mlxtend 0.16's `permutation_test(x, y, func=sum(x)−sum(y))` that
/// responsibly calls: `method='exact'` is ``exact``, `method='approximate'` is
/// ``sampled(_:seed:)`` (different random streams, so sampled values agree only
/// statistically). The comparison is strict, so the observed split never counts; a split
/// within 1e-12·Σ|s| of the observed statistic is treated as a tie (not counted), which keeps
/// double rounding from counting the observed split itself.
///
/// `exact` enumerates every split by meet-in-the-middle: the 2n associations are cut into
/// two halves, the subset sums of each half are listed by size and one side is sorted, and
/// for every subset of the left half a binary search counts the right subsets that complete it
/// above the threshold. That makes the exact p-value cheap for n up to about 22 (C(44, 22)
/// ≈ 2e12 splits), far beyond mlxtend's plain enumeration.
///
/// Unequal sets (WEFE-style filtering) are supported: splits keep |X'| = |X|.
///
/// - Complexity: exact O(2^(m/2) · m) for m = |X| + |Y|; sampled O(count · m).
public enum WEATPermutations: Sendable, Equatable {
  /// Every split, by meet-in-the-middle (at most 44 target words).
  case exact
  /// `count` uniformly random splits drawn from `SeededGenerator(seed:)`; `p = hits / count`
  /// (mlxtend's convention, no +1). A count of at least the number of distinct splits gives
  /// the exact p-value instead; at most ``maximumSampledCount`` are drawn.
  case sampled(Int, seed: UInt64)
  /// Exact when |X| + |Y| ≤ 40, otherwise 10,000 sampled splits.
  case automatic(seed: UInt64)
  /// responsibly's default p-value, reproduced draw for draw: mlxtend's
  /// `permutation_test(method='approximate', num_rounds: rounds, seed: seed)`, i.e. numpy
  /// `RandomState(seed)` shuffling the pooled associations in place, cumulatively, and
  /// sums of the float32 values (accumulated in double, as Python's `sum` does) compared
  /// strictly; `p = hits / rounds`. The associations are rounded to
  /// float32 first, as gensim computes them in float32 (a draw within ~1e-7 of the observed
  /// statistic could fall the other way; on the shared file's 9 tests every count is identical).
  case mlxtend(rounds: Int, seed: UInt32)

  /// The largest |X| + |Y| for which ``exact`` is allowed.
  public static let exactLimit = 44

  /// The most sampled splits (or mlxtend rounds) one test may draw: 10⁹, about a minute for
  /// 40 target words on one core. A request of at least C(|X| + |Y|, |X|) splits with
  /// |X| + |Y| ≤ ``exactLimit`` is answered exactly instead, whatever its size.
  public static let maximumSampledCount = 1_000_000_000

  /// The p-value and a description of the method used.
  public func pValue(
    first: [Double], second: [Double], statistic: Double
  ) throws -> (
    value: Double, method: String
  ) {
    switch self {
    case .exact:
      guard first.count + second.count <= Self.exactLimit else {
        throw BiasKitError(
          .invalidArgument,
          "an exact WEAT p-value enumerates C(\(first.count + second.count), \(first.count)) splits; use at most \(Self.exactLimit) target words or \(.permutations, "N")"
        )
      }
      return (Self.exactPValue(first: first, second: second, statistic: statistic), "exact")
    case .sampled(let count, let seed):
      guard count >= 1 else {
        throw BiasKitError(
          .invalidArgument, "the number of sampled permutations must be at least 1, got \(count)")
      }
      let m = first.count + second.count
      let splits = Self.binomial(m, first.count)
      if m <= Self.exactLimit, Double(count) >= splits {
        // Sampling at least as many splits as exist estimates what enumerating them gives.
        return (
          Self.exactPValue(first: first, second: second, statistic: statistic),
          "exact (\(count) permutations asked for, \(Int(splits)) distinct splits)"
        )
      }
      guard count <= Self.maximumSampledCount else {
        throw BiasKitError.tooManyPermutations(count, splits: splits)
      }
      return (
        Self.sampledPValue(
          first: first, second: second, statistic: statistic, count: count, seed: seed),
        "sampled \(count) permutations, seed \(seed)"
      )
    case .mlxtend(let rounds, let seed):
      guard rounds >= 1 else {
        throw BiasKitError(
          .invalidArgument, "the number of permutation rounds must be at least 1, got \(rounds)")
      }
      guard rounds <= Self.maximumSampledCount else {
        throw BiasKitError.tooManyPermutations(
          rounds, splits: Self.binomial(first.count + second.count, first.count))
      }
      return (
        Self.mlxtendPValue(first: first, second: second, rounds: rounds, seed: seed),
        "mlxtend approximate, \(rounds) rounds, numpy RandomState(\(seed))"
      )
    case .automatic(let seed):
      if first.count + second.count <= 40 {
        return try WEATPermutations.exact.pValue(first: first, second: second, statistic: statistic)
      }
      return try WEATPermutations.sampled(10_000, seed: seed).pValue(
        first: first, second: second, statistic: statistic)
    }
  }

  /// The threshold on `sum(X')`: `S(X') = 2·sum(X') − total > statistic`.
  private static func threshold(_ values: [Double], statistic: Double) -> Double {
    let total = values.reduce(0, +)
    let scale = values.reduce(0) { $0 + abs($1) }
    return (statistic + total) / 2 + 1e-12 * max(scale, 1e-300)
  }

  /// Exact one-sided p-value by meet-in-the-middle.
  static func exactPValue(first: [Double], second: [Double], statistic: Double) -> Double {
    let values = first + second
    let m = values.count
    let n = first.count
    let limit = threshold(values, statistic: statistic)
    let half = m / 2
    let left = Array(values[0..<half])
    let right = Array(values[half...])
    // Right subset sums grouped by size, each sorted.
    var rightSums = [[Double]](repeating: [], count: right.count + 1)
    subsetSums(right) { size, sum in rightSums[size].append(sum) }
    for k in rightSums.indices { rightSums[k].sort() }
    var count: UInt64 = 0
    subsetSums(left) { size, sum in
      let need = n - size
      guard need >= 0, need < rightSums.count else { return }
      let sums = rightSums[need]
      // Count right sums r with sum + r > limit.
      let target = limit - sum
      var lo = 0
      var hi = sums.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if sums[mid] > target { hi = mid } else { lo = mid + 1 }
      }
      count += UInt64(sums.count - lo)
    }
    return Double(count) / binomial(m, n)
  }

  /// Calls `body(size, sum)` for every subset of `values`.
  private static func subsetSums(_ values: [Double], _ body: (Int, Double) -> Void) {
    let m = values.count
    var sums = [Double](repeating: 0, count: 1 << m)
    var sizes = [UInt8](repeating: 0, count: 1 << m)
    for mask in 1..<(1 << m) {
      let low = mask.trailingZeroBitCount
      let rest = mask & (mask - 1)
      sums[mask] = sums[rest] + values[low]
      sizes[mask] = sizes[rest] + 1
    }
    for mask in 0..<(1 << m) { body(Int(sizes[mask]), sums[mask]) }
  }

  /// C(m, n) as a double (exact below 2^53).
  static func binomial(_ m: Int, _ n: Int) -> Double {
    var result = 1.0
    let k = min(n, m - n)
    if k < 0 { return 0 }
    for i in 0..<k { result = result * Double(m - i) / Double(i + 1) }
    return result.rounded()
  }

  /// mlxtend 0.16's approximate permutation test with numpy's legacy generator.
  static func mlxtendPValue(first: [Double], second: [Double], rounds: Int, seed: UInt32) -> Double
  {
    let x = first.map { Float($0) }
    let y = second.map { Float($0) }
    // Python's `sum` over numpy float32 scalars starts from the int 0, and `0 + float32` is a
    // float64 in numpy 1.x: the elements are float32, the accumulation is double.
    func sum<C: Collection>(_ values: C) -> Double where C.Element == Float {
      var s = 0.0
      for v in values { s += Double(v) }
      return s
    }
    let reference = sum(x) - sum(y)
    var combined = x + y
    var random = PythonRandom(numpyLegacySeed: seed)
    var hits = 0
    for _ in 0..<rounds {
      random.numpyShuffle(&combined)
      if sum(combined[..<x.count]) - sum(combined[x.count...]) > reference { hits += 1 }
    }
    return Double(hits) / Double(rounds)
  }

  /// Sampled one-sided p-value: `count` uniformly random splits (a partial Fisher–Yates
  /// shuffle of the pooled associations per draw).
  static func sampledPValue(
    first: [Double], second: [Double], statistic: Double, count: Int, seed: UInt64
  )
    -> Double
  {
    var values = first + second
    let m = values.count
    let n = first.count
    let limit = threshold(values, statistic: statistic)
    var generator = SeededGenerator(seed: seed)
    var hits = 0
    values.withUnsafeMutableBufferPointer { v in
      for _ in 0..<count {
        var sum = 0.0
        for i in 0..<n {
          let j = i + generator.nextInt(below: m - i)
          v.swapAt(i, j)
          sum += v[i]
        }
        if sum > limit { hits += 1 }
      }
    }
    return Double(hits) / Double(count)
  }
}

extension BiasKitError {
  static func tooManyPermutations(_ count: Int, splits: Double) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "\(.permutations, "\(count)") is more than the \(WEATPermutations.maximumSampledCount) sampled splits a test may draw (this test has \(String(format: "%.3g", splits)) distinct splits, too many for the exact test): ask for fewer"
    )
  }
}
