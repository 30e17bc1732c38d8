import Foundation

/// The binomial distribution's probability mass, cumulative distribution and quantile,
/// accurate to a few units in the last place.
///
///     pmf(x; n, p) = C(n, x) p^x (1 − p)^(n − x)
///     cdf(m; n, p) = Σ_{x ≤ m} pmf(x; n, p)
///     quantile(q; n, p) = min { m : cdf(m; n, p) ≥ q }      (−1 for q = 0, n for q = 1)
///
/// The mass is Loader's saddle-point form (as R's `dbinom`): `stirlerr` and `bd0` avoid the
/// cancellation of `lgamma` differences, so it is accurate to ~1e-15 relative for every n.
/// The quantile is the convention of SciPy's `binom.ppf`, which FA*IR's m-table is built on.
///
/// - Complexity: O(1) per mass; O(m) per cumulative value (the terms below m, summed from m
///   down until they stop mattering).
///
/// ## References
/// - Loader. Fast and Accurate Computation of Binomial Probabilities. 2000.
public enum BinomialDistribution {
  /// P(X = `x`) for X ~ Binomial(`n`, `p`).
  public static func pmf(_ x: Int, trials n: Int, probability p: Double) -> Double {
    if x < 0 || x > n { return 0 }
    let q = 1 - p
    if p == 0 { return x == 0 ? 1 : 0 }
    if q == 0 { return x == n ? 1 : 0 }
    let nd = Double(n)
    if x == 0 {
      if n == 0 { return 1 }
      return exp(p < 0.1 ? -bd0(nd, nd * q) - nd * p : nd * log(q))
    }
    if x == n {
      return exp(q < 0.1 ? -bd0(nd, nd * p) - nd * q : nd * log(p))
    }
    let xd = Double(x)
    let lc =
      stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(xd, nd * p) - bd0(nd - xd, nd * q)
    let lf = log(2 * Double.pi) + log(xd) + log1p(-xd / nd)
    return exp(lc - 0.5 * lf)
  }

  /// P(X ≤ `m`) for X ~ Binomial(`n`, `p`).
  public static func cdf(_ m: Int, trials n: Int, probability p: Double) -> Double {
    if m < 0 { return 0 }
    if m >= n { return 1 }
    if p == 0 { return 1 }
    if p == 1 { return 0 }
    let mean = Double(n) * p
    if Double(m) <= mean {
      // Terms below m shrink at least geometrically: sum from m down.
      return lowerSum(m, n, p)
    }
    return 1 - upperSum(m + 1, n, p)
  }

  /// The smallest m with `cdf(m) ≥ q` (SciPy's `binom.ppf`): −1 for q = 0, n for q = 1.
  public static func quantile(_ q: Double, trials n: Int, probability p: Double) -> Int {
    if q <= 0 { return -1 }
    if q >= 1 { return n }
    var m = max(0, min(n, Int((Double(n) * p).rounded(.down))))
    if cdf(m, trials: n, probability: p) >= q {
      while m > 0, cdf(m - 1, trials: n, probability: p) >= q { m -= 1 }
      return m
    }
    while m < n, cdf(m, trials: n, probability: p) < q { m += 1 }
    return m
  }

  /// Σ_{x ≤ m} pmf(x), summed from m downwards with the ratio recurrence.
  static func lowerSum(_ m: Int, _ n: Int, _ p: Double) -> Double {
    var term = pmf(m, trials: n, probability: p)
    var sum = term
    let ratio = (1 - p) / p
    var x = m
    while x > 0 {
      term *= Double(x) / Double(n - x + 1) * ratio
      x -= 1
      let next = sum + term
      if next == sum { break }
      sum = next
    }
    return sum
  }

  /// Σ_{x ≥ m} pmf(x), summed from m upwards with the ratio recurrence.
  static func upperSum(_ m: Int, _ n: Int, _ p: Double) -> Double {
    var term = pmf(m, trials: n, probability: p)
    var sum = term
    let ratio = p / (1 - p)
    var x = m
    while x < n {
      term *= Double(n - x) / Double(x + 1) * ratio
      x += 1
      let next = sum + term
      if next == sum { break }
      sum = next
    }
    return sum
  }

  /// log(n!) − log(√(2πn) (n/e)^n), the error of Stirling's formula.
  static func stirlerr(_ n: Int) -> Double {
    if n <= 15 { return stirlerrTable[n] }
    let nd = Double(n)
    let nn = nd * nd
    let s0 = 1.0 / 12
    let s1 = 1.0 / 360
    let s2 = 1.0 / 1260
    let s3 = 1.0 / 1680
    let s4 = 1.0 / 1188
    if n > 500 { return (s0 - s1 / nn) / nd }
    if n > 80 { return (s0 - (s1 - s2 / nn) / nn) / nd }
    if n > 35 { return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / nd }
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / nd
  }

  /// stirlerr(0…15), correctly rounded (computed with 50 digits).
  static let stirlerrTable: [Double] = [
    0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093,
    0.016644691189821193, 0.013876128823070748, 0.01189670994589177, 0.010411265261972096,
    0.009255462182712733, 0.00833056343336287, 0.007573675487951841, 0.00694284010720953,
    0.006408994188004207, 0.0059513701127588475, 0.005554733551962801,
  ]

  /// x log(x / np) + np − x, without cancellation when x ≈ np.
  static func bd0(_ x: Double, _ np: Double) -> Double {
    if abs(x - np) < 0.1 * (x + np) {
      var v = (x - np) / (x + np)
      var s = (x - np) * v
      if abs(s) < Double.leastNormalMagnitude { return s }
      var ej = 2 * x * v
      v *= v
      for j in 1..<1000 {
        ej *= v
        let s1 = s + ej / Double(2 * j + 1)
        if s1 == s { return s1 }
        s = s1
      }
    }
    return x * log(x / np) + np - x
  }
}
