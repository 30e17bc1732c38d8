import Foundation

/// The Wilson score interval of a proportion `x / n` at a confidence level `1 − α`, without a
/// bootstrap:
///
///     z = Φ⁻¹(1 − α/2),   p̂ = x / n,   d = 1 + z² / n
///     centre = (p̂ + z² / 2n) / d,   half-width = z · √(p̂(1 − p̂)/n + z² / 4n²) / d
///
/// Corresponds to statsmodels' `proportion_confint(x, n, alpha=α, method="wilson")` (its
/// critical value `scipy.stats.norm.isf(α/2)`). The audit's per-group rates use the groups'
/// row counts (unweighted, also with sample weights): ``rateCounts(_:of:)``.
///
/// - Complexity: O(1).
public struct WilsonInterval: Sendable, Equatable {
  /// The lower bound.
  public let lower: Double
  /// The upper bound.
  public let upper: Double

  /// The interval of `successes` out of `trials` at `confidence`; nil without trials.
  ///
  /// - Throws: ``BiasKitError`` unless `0 < confidence < 1` and `0 ≤ successes ≤ trials`.
  public init?(successes: Int, trials: Int, confidence: Double) throws {
    try WilsonInterval.check(confidence: confidence)
    guard successes >= 0, successes <= trials else {
      throw BiasKitError(
        .invalidArgument, "a proportion of \(successes) out of \(trials) is not a proportion")
    }
    guard trials > 0 else { return nil }
    let z = -NormalDistribution.quantile((1 - confidence) / 2)
    let n = Double(trials)
    let p = Double(successes) / n
    let z2 = z * z
    let denominator = 1 + z2 / n
    let centre = (p + z2 / (2 * n)) / denominator
    let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
    lower = centre - half
    upper = centre + half
  }

  /// Throws unless `0 < confidence < 1`.
  public static func check(confidence: Double) throws {
    guard confidence > 0, confidence < 1 else {
      throw BiasKitError(
        .invalidArgument,
        "\(.confidence) must be a level in (0, 1), such as 0.95, not \(confidence)")
    }
  }

  /// The metrics that are a proportion of rows, and so have a Wilson interval.
  public static let rates: [Metric] = [
    .selectionRate, .accuracy, .precision, .recall, .truePositiveRate, .falsePositiveRate,
    .trueNegativeRate, .falseNegativeRate,
  ]

  /// The (successes, trials) row counts of `metric` in a group's confusion counts, if the
  /// metric is one of ``rates``.
  public static func rateCounts(_ metric: Metric, of c: ConfusionCounts) -> (Int, Int)? {
    let tp = c.countTruePositives
    let fp = c.countFalsePositives
    let tn = c.countTrueNegatives
    let fn = c.countFalseNegatives
    switch metric {
    case .selectionRate: return (tp + fp, tp + fp + tn + fn)
    case .accuracy: return (tp + tn, tp + fp + tn + fn)
    case .precision: return (tp, tp + fp)
    case .recall, .truePositiveRate: return (tp, tp + fn)
    case .falsePositiveRate: return (fp, fp + tn)
    case .trueNegativeRate: return (tn, tn + fp)
    case .falseNegativeRate: return (fn, fn + tp)
    default: return nil
    }
  }
}

extension MetricFrame {
  /// The Wilson interval of `metric` in cell `index` (``AuditLayout/cells`` order), from the
  /// cell's row counts; nil when the metric is not a rate or the denominator has no rows.
  public func wilsonInterval(
    _ metric: Metric, cellIndex index: Int, confidence: Double
  ) throws
    -> WilsonInterval?
  {
    guard isBinary, let (x, n) = WilsonInterval.rateCounts(metric, of: statistics[index].confusion)
    else { return nil }
    return try WilsonInterval(successes: x, trials: n, confidence: confidence)
  }
}
