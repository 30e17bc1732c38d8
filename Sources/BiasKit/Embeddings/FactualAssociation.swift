import Foundation

/// Correlation between a factual property of words (e.g. the share of women in an
/// occupation) and their projection on a bias direction.
///
///     r = Σ (x − x̄)(y − ȳ) / √(Σ (x − x̄)² Σ (y − ȳ)²)
///     t = r √((n − 2) / (1 − r²)),   p = 2 · P(T_{n−2} ≥ |t|)
///
/// Corresponds to responsibly's `compute_factual_association` (`scipy.stats.pearsonr`, two-
/// sided p-value) with x the property and y = cos(w, g). Words missing from the vocabulary
/// are dropped and listed. The Student t tail is `I_{ν/(ν+t²)}(ν/2, 1/2)`, the regularized
/// incomplete beta function, evaluated by its continued fraction (Lentz's method).
///
/// - Complexity: O(n · d).
///
/// ## References
/// - Garg, Schiebinger, Jurafsky, Zou. Word embeddings quantify 100 years of gender and
///   ethnic stereotypes. PNAS 2018 (the occupation statistics).
public enum FactualAssociation {
  public struct Result: Sendable {
    /// Pearson r.
    public var r: Double
    /// Two-sided p-value of r = 0.
    public var pValue: Double
    /// Each word used: its property value and projection.
    public var points: [(word: String, value: Double, projection: Double)]
    /// Words not in the vocabulary.
    public var missing: [String]
  }

  /// Correlates `values[word]` with the projection of `word` on `direction`.
  /// - Throws: ``BiasKitError`` when fewer than 3 words are in the vocabulary.
  public static func compute(
    _ values: [(String, Double)], direction: BiasDirection, in embedding: WordEmbedding
  )
    throws -> Result
  {
    var points: [(word: String, value: Double, projection: Double)] = []
    var missing: [String] = []
    for (word, value) in values {
      if let v = embedding.vector(word) {
        points.append((word, value, direction.projection(of: v)))
      } else {
        missing.append(word)
      }
    }
    guard points.count >= 3 else {
      throw BiasKitError.tooFewWords(
        "factual property words", found: points.count, needed: 3, missing: missing)
    }
    let (r, p) = pearson(points.map(\.value), points.map(\.projection))
    return Result(r: r, pValue: p, points: points, missing: missing)
  }

  /// Pearson r and its two-sided p-value (scipy's `pearsonr`).
  public static func pearson(_ x: [Double], _ y: [Double]) -> (r: Double, pValue: Double) {
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n
    let my = y.reduce(0, +) / n
    var sxy = 0.0
    var sxx = 0.0
    var syy = 0.0
    for i in x.indices {
      let dx = x[i] - mx
      let dy = y[i] - my
      sxy += dx * dy
      sxx += dx * dx
      syy += dy * dy
    }
    guard sxx > 0, syy > 0 else { return (.nan, .nan) }
    let r = max(-1, min(1, sxy / (sxx * syy).squareRoot()))
    let df = n - 2
    if abs(r) == 1 { return (r, 0) }
    let t2 = r * r * df / (1 - r * r)
    return (r, regularizedIncompleteBeta(df / (df + t2), df / 2, 0.5))
  }

  /// Two-sided tail of Student's t with `df` degrees of freedom: P(|T| ≥ |t|).
  public static func studentTTwoSided(_ t: Double, degreesOfFreedom df: Double) -> Double {
    regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5)
  }

  /// `I_x(a, b)`, the regularized incomplete beta function.
  public static func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
    if x < (a + 1) / (a + b + 2) {
      return exp(logFront) * betaContinuedFraction(x, a, b) / a
    }
    return 1 - exp(logFront) * betaContinuedFraction(1 - x, b, a) / b
  }

  private static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...10_000 {
      let m = Double(m)
      var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
      d = 1 + numerator * d
      if abs(d) < tiny { d = tiny }
      c = 1 + numerator / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      h *= d * c
      numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
      d = 1 + numerator * d
      if abs(d) < tiny { d = tiny }
      c = 1 + numerator / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < 1e-16 { break }
    }
    return h
  }
}
