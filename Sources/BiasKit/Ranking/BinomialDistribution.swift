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
    if cdf(m, atLeast: q, trials: n, probability: p) {
      while m > 0, cdf(m - 1, atLeast: q, trials: n, probability: p) { m -= 1 }
      return m
    }
    while m < n, !cdf(m, atLeast: q, trials: n, probability: p) { m += 1 }
    return m
  }

  /// Whether `cdf(m) ≥ q`, decided exactly when the two are within rounding of each other and
  /// p is a short binary fraction (0.5, 0.25, 0.375, …), where the cdf can equal q exactly:
  /// there SciPy's finite-sum cdf is exact too, and the m-table's boundaries depend on it.
  static func cdf(_ m: Int, atLeast q: Double, trials n: Int, probability p: Double) -> Bool {
    let c = cdf(m, trials: n, probability: p)
    guard abs(c - q) <= 1e-13 * q, m >= 0, m < n, let exact = exactComparison(m, n, p, q) else {
      return c >= q
    }
    return exact >= 0
  }

  /// The sign of cdf(m; n, p) − q in exact arithmetic, when p = a / 2^s with s ≤ 16 and the
  /// numbers stay small (n · s ≤ 8192 bits); nil otherwise.
  static func exactComparison(_ m: Int, _ n: Int, _ p: Double, _ q: Double) -> Int? {
    var s = 0
    var scaled = p
    while scaled != scaled.rounded(), s < 16 {
      scaled *= 2
      s += 1
    }
    guard scaled == scaled.rounded(), s >= 1, n * s <= 8192 else { return nil }
    let a = UInt32(scaled)
    let b = UInt32((1 << s) - Int(a))
    // N = Σ_{j ≤ m} C(n, j) a^j b^(n − j); cdf = N / 2^(s n).
    var binomial = BigNatural(1)
    var aPower = BigNatural(1)
    var bPower = BigNatural(1)
    for _ in 0..<n { bPower.multiply(by: b) }
    var numerator = BigNatural(0)
    for j in 0...m {
      if j > 0 {
        binomial.multiply(by: UInt32(n - j + 1))
        binomial.divideExactly(by: UInt32(j))
        aPower.multiply(by: a)
        bPower.divideExactly(by: b)
      }
      numerator.add(binomial.times(aPower).times(bPower))
    }
    // q = significand · 2^exponent with an integer significand.
    let significand = BigNatural(UInt64(q.significandBitPattern | (1 << 52)))
    let exponent = Int(q.exponent) - 52 + s * n
    if exponent >= 0 {
      return numerator.compare(significand.shifted(left: exponent))
    }
    return numerator.shifted(left: -exponent).compare(significand)
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

/// A natural number in base 2^32, for the exact comparisons of ``BinomialDistribution``.
struct BigNatural {
  /// Little-endian limbs, no trailing zeros (zero is empty).
  var limbs: [UInt32]

  init(_ value: UInt64) {
    limbs = [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
    trim()
  }

  init(limbs: [UInt32]) {
    self.limbs = limbs
    trim()
  }

  mutating func trim() {
    while let last = limbs.last, last == 0 { limbs.removeLast() }
  }

  mutating func multiply(by factor: UInt32) {
    var carry: UInt64 = 0
    for i in limbs.indices {
      let x = UInt64(limbs[i]) * UInt64(factor) + carry
      limbs[i] = UInt32(truncatingIfNeeded: x)
      carry = x >> 32
    }
    if carry > 0 { limbs.append(UInt32(carry)) }
    trim()
  }

  /// Divides by `divisor`, which must divide the number.
  mutating func divideExactly(by divisor: UInt32) {
    var remainder: UInt64 = 0
    for i in limbs.indices.reversed() {
      let x = (remainder << 32) | UInt64(limbs[i])
      limbs[i] = UInt32(x / UInt64(divisor))
      remainder = x % UInt64(divisor)
    }
    precondition(remainder == 0, "inexact division")
    trim()
  }

  mutating func add(_ other: BigNatural) {
    if other.limbs.count > limbs.count {
      limbs += [UInt32](repeating: 0, count: other.limbs.count - limbs.count)
    }
    var carry: UInt64 = 0
    for i in limbs.indices {
      let x = UInt64(limbs[i]) + (i < other.limbs.count ? UInt64(other.limbs[i]) : 0) + carry
      limbs[i] = UInt32(truncatingIfNeeded: x)
      carry = x >> 32
    }
    if carry > 0 { limbs.append(UInt32(carry)) }
  }

  func times(_ other: BigNatural) -> BigNatural {
    if limbs.isEmpty || other.limbs.isEmpty { return BigNatural(0) }
    var out = [UInt32](repeating: 0, count: limbs.count + other.limbs.count)
    for i in limbs.indices {
      var carry: UInt64 = 0
      let x = UInt64(limbs[i])
      for j in other.limbs.indices {
        let t = x * UInt64(other.limbs[j]) + UInt64(out[i + j]) + carry
        out[i + j] = UInt32(truncatingIfNeeded: t)
        carry = t >> 32
      }
      var k = i + other.limbs.count
      while carry > 0 {
        let t = UInt64(out[k]) + carry
        out[k] = UInt32(truncatingIfNeeded: t)
        carry = t >> 32
        k += 1
      }
    }
    return BigNatural(limbs: out)
  }

  func shifted(left bits: Int) -> BigNatural {
    if limbs.isEmpty { return self }
    let words = bits / 32
    let offset = bits % 32
    var out = [UInt32](repeating: 0, count: words) + limbs + [0]
    if offset > 0 {
      var carry: UInt32 = 0
      for i in words..<out.count {
        let x = out[i]
        out[i] = (x << offset) | carry
        carry = x >> (32 - offset)
      }
    }
    return BigNatural(limbs: out)
  }

  /// −1, 0 or 1 as self is less than, equal to or greater than `other`.
  func compare(_ other: BigNatural) -> Int {
    if limbs.count != other.limbs.count { return limbs.count < other.limbs.count ? -1 : 1 }
    for i in limbs.indices.reversed() where limbs[i] != other.limbs[i] {
      return limbs[i] < other.limbs[i] ? -1 : 1
    }
    return 0
  }
}
