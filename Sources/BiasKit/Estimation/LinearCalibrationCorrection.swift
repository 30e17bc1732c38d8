/// Linear calibration correction (LCC): undoes the shrinkage of a model's predictions toward the
/// mean with a line fitted once on a labelled calibration set, so that a prediction map can be
/// reused across downstream studies without new gold labels ("one map, many trials").
///
/// On the calibration pairs (yᵢ, ŷᵢ) the predictions are regressed on the truth,
/// ŷ = a + b·y (least squares with intercept), and a new prediction is mapped back:
///
///     ỹ = (ŷ − a) / b,   mean: (mean(ŷ) − a) / b,   effect: (mean(ŷ_treated) − mean(ŷ_control)) / b
///
/// A treatment effect computed from shrunk predictions is attenuated by the factor b; dividing
/// by b removes that. The corrected values are point estimates (no interval: the calibration set
/// is assumed large and representative).
///
/// Corresponds to the `unshrink` package's `LccDebiaser` (scikit-learn `LinearRegression` of the
/// predictions on the targets), which the fixture script reimplements in NumPy.
///
/// - Complexity: O(n) to fit on n calibration pairs, O(m) to correct m predictions.
///
/// ## References
/// - Pettersson, Jerzak, Daoud. Debiasing Machine Learning Predictions for Causal Inference
///   Without Additional Ground Truth Data: "One Map, Many Trials" in Satellite-Driven Poverty
///   Analysis. AAAI 2026 (arXiv:2508.01341).
public struct LinearCalibrationCorrection: Sendable {
  public init() {}

  /// The fitted line ŷ = a + b·y.
  public struct Model: Sendable, Equatable {
    /// a.
    public var intercept: Double
    /// b, the shrinkage factor (below 1 when the predictions are shrunk).
    public var slope: Double

    /// (ŷ − a) / b for each prediction.
    public func corrected(_ predictions: [Double]) -> [Double] {
      predictions.map { ($0 - intercept) / slope }
    }

    /// The corrected (optionally weighted) mean of `predictions`.
    /// - Throws: ``BiasKitError`` for no predictions or bad weights.
    public func correctedMean(_ predictions: [Double], weights: [Double]? = nil) throws -> Double {
      try weightedAverage(corrected(predictions), weights: weights)
    }

    /// The corrected difference of means between treated and control predictions, with
    /// optional (inverse-propensity) weights for each arm.
    public func correctedEffect(
      treated: [Double], control: [Double], treatedWeights: [Double]? = nil,
      controlWeights: [Double]? = nil
    ) throws -> Double {
      try correctedMean(treated, weights: treatedWeights)
        - correctedMean(control, weights: controlWeights)
    }
  }

  /// Fits the line on calibration `labels` (the truth y) and `predictions` (ŷ).
  /// - Throws: ``BiasKitError`` when the sizes differ, a value is not finite, there are fewer
  ///   than two pairs, the labels are constant, or the slope is zero.
  public func fitted(labels: [Double], predictions: [Double]) throws -> Model {
    try checkCalibration(labels: labels, predictions: predictions)
    let (meanY, _) = meanAndDeviation(labels)
    let (meanP, _) = meanAndDeviation(predictions)
    var sxy = 0.0
    var sxx = 0.0
    for i in labels.indices {
      let dy = labels[i] - meanY
      sxy += dy * (predictions[i] - meanP)
      sxx += dy * dy
    }
    guard sxx > 0 else { throw BiasKitError.constantCalibrationLabels() }
    let slope = sxy / sxx
    guard slope != 0, slope.isFinite else { throw BiasKitError.zeroCalibrationSlope() }
    return Model(intercept: meanP - slope * meanY, slope: slope)
  }
}

/// Σ wᵢvᵢ / Σ wᵢ (numpy `average`), or the mean.
func weightedAverage(_ values: [Double], weights: [Double]?) throws -> Double {
  guard !values.isEmpty else { throw BiasKitError.noPredictions() }
  for (i, v) in values.enumerated() where !v.isFinite {
    throw BiasKitError.notFinite("prediction", v, row: i, set: "target")
  }
  guard let weights else { return meanAndDeviation(values).mean }
  try PredictionSample.checkCount(weights.count, values.count, "weights", "predictions")
  try PredictionSample.checkWeights(weights, set: "target")
  var numerator = CompensatedSum()
  var denominator = CompensatedSum()
  for i in values.indices {
    numerator.add(weights[i] * values[i])
    denominator.add(weights[i])
  }
  return numerator.value / denominator.value
}

func checkCalibration(labels: [Double], predictions: [Double]) throws {
  try PredictionSample.checkCount(
    predictions.count, labels.count, "predictions", "calibration labels")
  guard labels.count >= 2 else { throw BiasKitError.tooFewCalibrationRows(labels.count) }
  try PredictionSample.checkFinite(labels, "label", set: "calibration")
  try PredictionSample.checkFinite(predictions, "prediction", set: "calibration")
}

extension BiasKitError {
  static func tooFewCalibrationRows(_ n: Int) -> BiasKitError {
    BiasKitError(.degenerateData, "a calibration needs at least 2 labelled rows; got \(n)")
  }

  static func constantCalibrationLabels() -> BiasKitError {
    BiasKitError(
      .degenerateData, "the calibration labels are all equal: no line through them can be fitted")
  }

  static func zeroCalibrationSlope() -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "the predictions do not follow the labels on the calibration set (slope 0): they cannot be corrected"
    )
  }

  static func noPredictions() -> BiasKitError {
    BiasKitError(.degenerateData, "there are no predictions to correct")
  }
}
