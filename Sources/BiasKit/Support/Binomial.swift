import Foundation

/// Exact binomial and multinomial variates.
///
/// `Binomial(n, p)` uses inversion by geometric skips when `n·p < 10` and Hörmann's BTRS
/// (transformed rejection with squeeze) otherwise, both exact; `p > 1/2` is sampled as
/// `n − Binomial(n, 1 − p)`. A multinomial draw is a chain of conditional binomials, which is
/// how ``Bootstrap`` resamples n rows with replacement in O(cells) instead of O(n).
///
/// - Complexity: O(1 + n·p) expected for inversion, O(1) expected for BTRS.
///
/// ## References
/// - Hörmann. The generation of binomial random variates. J. Stat. Comput. Simul. 46, 1993.
public enum Binomial {
  /// A draw of Binomial(`trials`, `probability`).
  public static func sample(
    trials n: Int, probability p: Double, using rng: inout SeededGenerator
  ) -> Int {
    if n <= 0 || p <= 0 { return 0 }
    if p >= 1 { return n }
    if p > 0.5 { return n - sample(trials: n, probability: 1 - p, using: &rng) }
    if Double(n) * p < 10 { return inversion(n, p, &rng) }
    return btrs(n, p, &rng)
  }

  /// Counts of `total` draws over categories with weights `weights` (need not sum to 1).
  public static func multinomial(
    total: Int, weights: [Double], using rng: inout SeededGenerator
  ) -> [Int] {
    var remainingMass = weights.reduce(0, +)
    var remaining = total
    var counts = [Int](repeating: 0, count: weights.count)
    for k in weights.indices {
      if remaining == 0 { break }
      if k == weights.count - 1 || remainingMass <= 0 {
        counts[k] = remaining
        break
      }
      let p = min(1, weights[k] / remainingMass)
      let draw = sample(trials: remaining, probability: p, using: &rng)
      counts[k] = draw
      remaining -= draw
      remainingMass -= weights[k]
    }
    return counts
  }

  private static func inversion(_ n: Int, _ p: Double, _ rng: inout SeededGenerator) -> Int {
    let logQ = log1p(-p)
    var sum = 0
    var count = 0
    while true {
      var u = rng.nextUniform()
      while u == 0 { u = rng.nextUniform() }
      sum += Int((log(u) / logQ).rounded(.up))
      if sum > n { return count }
      count += 1
    }
  }

  private static let tail: [Double] = [
    0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
    0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
    0.00925546218271273, 0.00833056343336287,
  ]

  /// log(k!) − [(k + ½) log(k + 1) − (k + 1) + ½ log 2π], the Stirling series' tail.
  private static func stirlingTail(_ k: Double) -> Double {
    if k <= 9 { return tail[Int(k)] }
    let kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)
  }

  private static func btrs(_ n: Int, _ p: Double, _ rng: inout SeededGenerator) -> Int {
    let nd = Double(n)
    let spq = (nd * p * (1 - p)).squareRoot()
    let b = 1.15 + 2.53 * spq
    let a = -0.0873 + 0.0248 * b + 0.01 * p
    let c = nd * p + 0.5
    let vr = 0.92 - 4.2 / b
    let r = p / (1 - p)
    let alpha = (2.83 + 5.1 / b) * spq
    let m = ((nd + 1) * p).rounded(.down)
    while true {
      let u = rng.nextUniform() - 0.5
      var v = rng.nextUniform()
      let us = 0.5 - abs(u)
      let k = ((2 * a / us + b) * u + c).rounded(.down)
      if k < 0 || k > nd { continue }
      if us >= 0.07 && v <= vr { return Int(k) }
      if v == 0 { continue }
      v = log(v * alpha / (a / (us * us) + b))
      let bound =
        (m + 0.5) * log((m + 1) / (r * (nd - m + 1)))
        + (nd + 1) * log((nd - m + 1) / (nd - k + 1))
        + (k + 0.5) * log(r * (nd - k + 1) / (k + 1))
        + stirlingTail(m) + stirlingTail(nd - m) - stirlingTail(k) - stirlingTail(nd - k)
      if v <= bound { return Int(k) }
    }
  }
}
