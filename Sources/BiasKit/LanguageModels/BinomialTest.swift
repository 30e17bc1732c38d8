import Foundation

/// The exact binomial test of `k` successes in `n` trials against a success probability `p`,
/// two-sided, with the Clopper–Pearson interval.
///
///     p-value = Σ_{x : P(X = x) ≤ P(X = k)·(1 + 10⁻⁷)} P(X = x),   X ~ Binomial(n, p)
///     interval = [B⁻¹(α/2; k, n − k + 1), B⁻¹(1 − α/2; k + 1, n − k)]
///
/// Corresponds to SciPy's `scipy.stats.binomtest(k, n, p, alternative='two-sided')` (its
/// relative tolerance 1e-7 for "as extreme", its `proportion_ci(method='exact')`). The
/// probabilities are Loader's saddle-point form of the binomial density (R's `dbinom`),
/// accurate to a few ulps for any n, summed over the tails.
///
/// - Complexity: O(n) for the p-value; O(60 · n) for the interval (bisection).
///
/// ## References
/// - Loader. Fast and accurate computation of binomial probabilities. 2000.
/// - Clopper, Pearson. The use of confidence or fiducial limits illustrated in the case of the
///   binomial. Biometrika 26, 1934.
public struct BinomialTest: Sendable, Equatable {
  /// The number of successes, `k`.
  public var successes: Int
  /// The number of trials, `n`.
  public var trials: Int
  /// The success probability under the null hypothesis.
  public var probability: Double
  /// Two-sided p-value (1 when there are no trials).
  public var pValue: Double
  /// Clopper–Pearson interval at ``confidenceLevel`` (NaN when there are no trials).
  public var lower: Double
  /// Upper end of the Clopper–Pearson interval (NaN when there are no trials).
  public var upper: Double
  /// The interval's confidence level, in (0, 1).
  public var confidenceLevel: Double

  /// Tests `successes` of `trials` against `probability`.
  /// - Throws: ``BiasKitError`` when the counts or the probability are out of range.
  public init(
    successes k: Int, trials n: Int, probability p: Double = 0.5, confidenceLevel: Double = 0.95
  ) throws {
    guard n >= 0, k >= 0, k <= n else {
      throw BiasKitError(
        .invalidArgument, "a binomial test needs 0 ≤ successes ≤ trials, got \(k) of \(n)")
    }
    guard p > 0, p < 1, confidenceLevel > 0, confidenceLevel < 1 else {
      throw BiasKitError(
        .invalidArgument, "a binomial test needs 0 < p < 1 and a confidence level in (0, 1)")
    }
    successes = k
    trials = n
    probability = p
    self.confidenceLevel = confidenceLevel
    guard n > 0 else {
      pValue = 1
      lower = .nan
      upper = .nan
      return
    }
    pValue = Self.twoSided(k, n, p)
    let alpha = (1 - confidenceLevel) / 2
    // Lower: the p at which P(X ≥ k) = α/2; upper: the p at which P(X ≤ k) = α/2.
    lower = k == 0 ? 0 : Self.solve(increasing: true) { Self.upperTail(k, n, $0) - alpha }
    upper = k == n ? 1 : Self.solve(increasing: false) { Self.lowerTail(k, n, $0) - alpha }
  }

  /// SciPy's two-sided p-value.
  static func twoSided(_ k: Int, _ n: Int, _ p: Double) -> Double {
    let d = density(k, n, p)
    let bound = d * (1 + 1e-7)
    let mean = Double(n) * p
    if Double(k) == mean { return 1 }
    var total = 0.0
    if Double(k) < mean {
      total = lowerTail(k, n, p)
      var x = n
      let mode = Int(mean.rounded(.up))
      var tail = 0.0
      while x >= mode {
        let f = density(x, n, p)
        guard f <= bound else { break }
        tail += f
        x -= 1
      }
      total += tail
    } else {
      total = upperTail(k, n, p)
      var x = 0
      let mode = Int(mean.rounded(.down))
      var tail = 0.0
      while x <= mode {
        let f = density(x, n, p)
        guard f <= bound else { break }
        tail += f
        x += 1
      }
      total += tail
    }
    return min(1, total)
  }

  /// P(X ≤ k).
  static func lowerTail(_ k: Int, _ n: Int, _ p: Double) -> Double {
    if k >= n { return 1 }
    if k < 0 { return 0 }
    // Sum the shorter side, smallest terms first.
    if Double(k) > Double(n) * p { return 1 - upperTail(k + 1, n, p) }
    var s = 0.0
    for x in 0...k { s += density(x, n, p) }
    return min(1, s)
  }

  /// P(X ≥ k).
  static func upperTail(_ k: Int, _ n: Int, _ p: Double) -> Double {
    if k <= 0 { return 1 }
    if k > n { return 0 }
    if Double(k) < Double(n) * p { return 1 - lowerTail(k - 1, n, p) }
    var s = 0.0
    for x in stride(from: n, through: k, by: -1) { s += density(x, n, p) }
    return min(1, s)
  }

  /// The root in (0, 1) of a function of p that is monotone, by bisection.
  static func solve(increasing: Bool, _ f: (Double) -> Double) -> Double {
    var lo = 0.0
    var hi = 1.0
    for _ in 0..<200 {
      let mid = 0.5 * (lo + hi)
      guard mid > lo, mid < hi else { break }
      let value = f(mid)
      if (value < 0) == increasing { lo = mid } else { hi = mid }
    }
    return 0.5 * (lo + hi)
  }

  /// P(X = x) for X ~ Binomial(n, p), Loader's saddle-point formula.
  static func density(_ x: Int, _ n: Int, _ p: Double) -> Double {
    let q = 1 - p
    if x < 0 || x > n { return 0 }
    let nd = Double(n)
    let xd = Double(x)
    if x == 0 {
      if n == 0 { return 1 }
      return exp(p < 0.1 ? -bd0(nd, nd * q) - nd * p : nd * log(q))
    }
    if x == n { return exp(q < 0.1 ? -bd0(nd, nd * p) - nd * q : nd * log(p)) }
    let lc =
      stirlingError(nd) - stirlingError(xd) - stirlingError(nd - xd) - bd0(xd, nd * p)
      - bd0(nd - xd, nd * q)
    let lf = log(2 * Double.pi) + log(xd) + log1p(-xd / nd)
    return exp(lc - 0.5 * lf)
  }

  /// log(n!) − log(√(2πn) (n/e)ⁿ).
  static func stirlingError(_ n: Double) -> Double {
    if n <= 15 {
      if n == 0 { return 0 }
      return lgamma(n + 1) - (n + 0.5) * log(n) + n - 0.5 * log(2 * Double.pi)
    }
    let s0 = 1.0 / 12
    let s1 = 1.0 / 360
    let s2 = 1.0 / 1260
    let s3 = 1.0 / 1680
    let s4 = 1.0 / 1188
    let nn = n * n
    if n > 500 { return (s0 - s1 / nn) / n }
    if n > 80 { return (s0 - (s1 - s2 / nn) / nn) / n }
    if n > 35 { return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n }
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n
  }

  /// x log(x / np) + np − x, without cancellation when x ≈ np.
  static func bd0(_ x: Double, _ np: Double) -> Double {
    if abs(x - np) < 0.1 * (x + np) {
      var v = (x - np) / (x + np)
      var s = (x - np) * v
      var ej = 2 * x * v
      v *= v
      for j in 1..<1000 {
        ej *= v
        let next = s + ej / Double(2 * j + 1)
        if next == s { return next }
        s = next
      }
      return s
    }
    return x * log(x / np) + np - x
  }
}
