/// The naive estimate: the classical estimator applied to the predictions of the unlabelled
/// rows as if they were gold labels. It is biased by the predictions' errors, and its interval
/// is narrow around the wrong value; it is reported to show how far off the predictions alone
/// are (``Estimate/isBiased``).
///
/// Corresponds to ppi_py's "imputed" baseline in its examples, `classical_*_ci(Yhat_unlabeled)`.
///
/// - Complexity: that of ``ClassicalEstimator`` on N rows.
public struct NaiveEstimator: Sendable {
  /// The intervals' α and alternative.
  public var interval: ZInterval
  /// The grid of a weighted quantile's interval.
  public var quantileGrid: QuantileGrid

  public init(interval: ZInterval = .ninetyPercent, quantileGrid: QuantileGrid = .ppiDefault) {
    self.interval = interval
    self.quantileGrid = quantileGrid
  }

  /// The naive estimate of `estimand` from the unlabelled rows' predictions of `sample`.
  /// - Throws: ``BiasKitError`` when there are no unlabelled rows or they fail validation.
  public func estimate(_ estimand: Estimand, from sample: PredictionSample) throws -> Estimate {
    guard !sample.unlabelledPredictions.isEmpty else { throw BiasKitError.noUnlabelledRows() }
    var imputed = sample.imputed
    if case .logisticRegression = estimand {
      // The predictions may be probabilities: check them as such, then validate the rest.
      for (i, p) in imputed.labels.enumerated() where !(0...1).contains(p) {
        throw BiasKitError.predictionOutsideUnitInterval(p, row: i, set: "unlabelled")
      }
      var check = imputed
      check.labels = check.labels.map { $0 >= 0.5 ? 1 : 0 }
      check.predictions = check.labels
      try check.validate(for: estimand, unlabelled: false, labelledName: "unlabelled")
      imputed.predictions = imputed.labels
    } else {
      try imputed.validate(for: estimand, unlabelled: false, labelledName: "unlabelled")
    }
    var weighted = WeightedSample(imputed)
    weighted.labelledName = "unlabelled"
    let (parameters, notes) = try ClassicalEstimator.parameters(
      estimand, weighted, interval: interval, grid: quantileGrid)
    return Estimate(
      method: .naive, estimand: estimand, parameters: parameters, alpha: interval.alpha,
      alternative: interval.alternative, labelledCount: 0,
      unlabelledCount: sample.unlabelledCount,
      notes: notes + ["biased: the predictions are treated as if they were gold labels"])
  }
}
