import Foundation

/// Sums over a group's probability scores for the Brier score, log loss and expected
/// calibration error.
///
/// - Brier score (scikit-learn `brier_score_loss`): `Σ w (y − p)² / Σ w`.
/// - Log loss (scikit-learn `log_loss(labels=[0, 1])`): the two class probabilities `1 − p` and
///   `p` are clipped to `[ε, 1 − ε]` (ε = 2⁻⁵²) and renormalised, then
///   `−Σ w log(p_y) / Σ w`.
/// - Expected calibration error over `bins` equal-width bins of [0, 1] (bin of p is
///   `min(⌊p · bins⌋, bins − 1)`): `Σ_b (W_b / W) |ȳ_b − p̄_b|` with weighted means per bin,
///   over non-empty bins.
///
/// - Complexity: O(1) per row, O(bins) memory; mergeable.
public struct CalibrationStatistics: Sendable, Equatable, Codable {
  public var weight = CompensatedSum()
  public var squaredError = CompensatedSum()
  public var logLoss = CompensatedSum()
  /// Per bin: weight, weighted labels, weighted scores.
  public var binWeight: [Double]
  public var binLabels: [Double]
  public var binScores: [Double]

  /// The most bins a calibration may have (`--bins`): each bin holds three sums (24 bytes) per
  /// group, in every block of rows being counted.
  public static let maximumBins = 1_000_000

  /// Throws unless `bins` is in `1...maximumBins`.
  static func checkBins(_ bins: Int) throws {
    guard bins >= 1 else { throw BiasKitError(.invalidArgument, "\(.bins) must be at least 1") }
    guard bins <= maximumBins else {
      let perGroup = Double(bins) * 24
      throw BiasKitError(
        .invalidArgument,
        "\(.bins, "\(bins)") is above the ceiling of \(maximumBins) calibration bins (it would need \(ByteCount.text(perGroup)) per group)"
      )
    }
  }

  /// The most memory the calibration sums of an audit may take (1 GiB): `bins` × cells × 24
  /// bytes.
  public static let maximumBytes = 1 << 30

  /// Throws when `bins` bins in each of `cells` cells exceed ``maximumBytes``.
  static func checkMemory(bins: Int, cells: Int) throws {
    let bytes = Double(bins) * Double(cells) * 24
    guard bytes <= Double(maximumBytes) else {
      throw BiasKitError(
        .invalidArgument,
        "\(.bins, "\(bins)") in each of \(cells) groups would need \(ByteCount.text(bytes)) of calibration sums; at most \(ByteCount.text(Double(maximumBytes))) (\(maximumBytes / (24 * max(1, cells))) bins for these groups)"
      )
    }
  }

  /// Sums over `bins` equal-width bins of [0, 1].
  public init(bins: Int) {
    binWeight = Array(repeating: 0, count: bins)
    binLabels = Array(repeating: 0, count: bins)
    binScores = Array(repeating: 0, count: bins)
  }

  public mutating func add(label: UInt8, score p: Double, weight w: Double = 1) {
    let y = Double(label)
    weight.add(w)
    squaredError.add(w * (y - p) * (y - p))
    let eps = Double.ulpOfOne
    var q0 = min(max(1 - p, eps), 1 - eps)
    var q1 = min(max(p, eps), 1 - eps)
    let s = q0 + q1
    q0 /= s
    q1 /= s
    logLoss.add(w * -log(label == 1 ? q1 : q0))
    let bins = binWeight.count
    // Clamped in Double before converting: a score far outside [0, 1] (or NaN) must not trap.
    let x = p * Double(bins)
    let b = x >= Double(bins) ? bins - 1 : (x >= 0 ? Int(x.rounded(.down)) : 0)
    binWeight[b] += w
    binLabels[b] += w * y
    binScores[b] += w * p
  }

  public mutating func add(_ other: CalibrationStatistics) {
    weight.add(other.weight)
    squaredError.add(other.squaredError)
    logLoss.add(other.logLoss)
    for b in binWeight.indices {
      binWeight[b] += other.binWeight[b]
      binLabels[b] += other.binLabels[b]
      binScores[b] += other.binScores[b]
    }
  }

  public var brierScore: Double? { weight.value > 0 ? squaredError.value / weight.value : nil }
  public var meanLogLoss: Double? { weight.value > 0 ? logLoss.value / weight.value : nil }
  public var expectedCalibrationError: Double? {
    let total = weight.value
    guard total > 0 else { return nil }
    var ece = 0.0
    for b in binWeight.indices where binWeight[b] > 0 {
      ece += binWeight[b] / total * abs(binLabels[b] / binWeight[b] - binScores[b] / binWeight[b])
    }
    return ece
  }
}

/// Sums over a group's numeric targets and predictions for the regression metrics.
///
/// `mean_absolute_error`, `mean_squared_error` and fairlearn's `mean_prediction` are weighted
/// means; `r2_score` is `1 − Σ w (y − ŷ)² / Σ w (y − ȳ)²`, with scikit-learn's convention for a
/// constant target (1 if the predictions are perfect, else 0). The target's spread is
/// accumulated with West's weighted update and merged with Chan's formula, so it stays exact
/// when the mean is large.
///
/// - Complexity: O(1) per row; mergeable.
public struct RegressionStatistics: Sendable, Equatable, Codable {
  public var weight = CompensatedSum()
  public var absoluteError = CompensatedSum()
  public var squaredError = CompensatedSum()
  public var prediction = CompensatedSum()
  /// Weighted mean of the target and weighted sum of squared deviations from it.
  public var targetMean = 0.0
  public var targetDeviation = 0.0
  var targetWeight = 0.0
  /// Rows added (with multiplicity).
  public var rows = 0

  public init() {}

  public mutating func add(
    target y: Double, prediction p: Double, weight w: Double = 1, count: Int = 1
  ) {
    rows += count
    weight.add(w)
    absoluteError.add(w * abs(y - p))
    squaredError.add(w * (y - p) * (y - p))
    prediction.add(w * p)
    targetWeight += w
    let delta = y - targetMean
    targetMean += w / targetWeight * delta
    targetDeviation += w * delta * (y - targetMean)
  }

  public mutating func add(_ other: RegressionStatistics) {
    rows += other.rows
    weight.add(other.weight)
    absoluteError.add(other.absoluteError)
    squaredError.add(other.squaredError)
    prediction.add(other.prediction)
    let total = targetWeight + other.targetWeight
    guard total > 0 else { return }
    let delta = other.targetMean - targetMean
    targetDeviation +=
      other.targetDeviation + delta * delta * targetWeight * other.targetWeight / total
    targetMean += delta * other.targetWeight / total
    targetWeight = total
  }

  public var meanAbsoluteError: Double? {
    weight.value > 0 ? absoluteError.value / weight.value : nil
  }
  public var meanSquaredError: Double? {
    weight.value > 0 ? squaredError.value / weight.value : nil
  }
  public var meanPrediction: Double? { weight.value > 0 ? prediction.value / weight.value : nil }
  public var r2: Double? {
    // scikit-learn: "R^2 score is not well-defined with less than two samples" (NaN).
    guard weight.value > 0, rows >= 2 else { return nil }
    let numerator = squaredError.value
    if targetDeviation == 0 { return numerator == 0 ? 1 : 0 }
    return 1 - numerator / targetDeviation
  }
}
