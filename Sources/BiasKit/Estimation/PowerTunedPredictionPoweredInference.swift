/// PPI++: prediction-powered inference with the power-tuning parameter λ estimated from the
/// data, so that the estimate is never less precise (asymptotically) than the classical one and
/// uses the predictions as far as they help.
///
/// λ̂ minimises the estimated variance of θ̂_λ (its trace for the regressions, or one
/// ``coordinate``'s variance), computed from the gradient statistics at the λ = 1 estimate and
/// clipped to [0, 1] (``GradientStatistics/tunedLambda(coordinate:)``):
///
///     λ̂ = clip( tr(H⁻¹ C H⁻¹) / (2 (1 + n/N) tr(H⁻¹ V H⁻¹)), 0, 1 ),
///
/// and the estimate, its standard errors and intervals are those of
/// ``PredictionPoweredInference`` at λ̂.
///
/// Corresponds to ppi_py 0.2.3's `ppi_mean_ci`, `ppi_ols_ci`, `ppi_logistic_ci` and their
/// `_pointestimate` twins with `lam=None`. The point estimates equal ppi_py's
/// `ppi_*_pointestimate(lam=None)`. Two documented differences: ppi_py's `ppi_ols_ci` and
/// `ppi_logistic_ci` with `lam=None` re-estimate λ at the tuned estimate (not at the λ = 1
/// one) before building the interval, so their interval is centred ~1e-4 away from their own
/// point estimate; here the interval is ppi_py's at the λ of the point estimate
/// (`ppi_*_ci(lam=λ̂)`), centred on it. And ppi_py's recursive call drops a one-sided
/// `alternative`; here it is honoured. ppi_py has no power tuning for quantiles; here λ̂ is the
/// same formula with the quantile loss's gradients 1[y ≤ θ] − q at the λ = 1 estimate (the
/// Hessian, the density, cancels for one coordinate), as in Angelopoulos, Duchi and Zrnic.
///
/// - Complexity: that of ``PredictionPoweredInference`` twice (at λ = 1 and at λ̂).
///
/// ## References
/// - Angelopoulos, Duchi, Zrnic. PPI++: Efficient Prediction-Powered Inference.
///   arXiv:2311.01453, 2024.
public struct PowerTunedPredictionPoweredInference: Sendable {
  /// The intervals' α and alternative.
  public var interval: ZInterval
  /// Where quantiles are searched.
  public var quantileGrid: QuantileGrid
  /// The coefficient whose variance λ minimises (ppi_py `coord`, 0-based); `nil` minimises the
  /// sum of the variances. Regressions only.
  public var coordinate: Int?

  public init(
    interval: ZInterval = .ninetyPercent, quantileGrid: QuantileGrid = .ppiDefault,
    coordinate: Int? = nil
  ) {
    self.interval = interval
    self.quantileGrid = quantileGrid
    self.coordinate = coordinate
  }

  /// The PPI++ estimate of `estimand` from `sample`.
  /// - Throws: ``BiasKitError`` as ``PredictionPoweredInference/estimate(_:from:)``, and for a
  ///   ``coordinate`` out of range.
  public func estimate(_ estimand: Estimand, from sample: PredictionSample) throws -> Estimate {
    try sample.validate(for: estimand)
    if let coordinate, !(estimand.isRegression && (0..<sample.covariateCount).contains(coordinate))
    {
      throw BiasKitError.coordinateOutOfRange(coordinate, estimand, sample.covariateCount)
    }
    let weighted = WeightedSample(sample)
    let tuning = try Self.tunedLambda(
      estimand, weighted, grid: quantileGrid, coordinate: coordinate)
    var (parameters, notes) = try PredictionPoweredInference.parameters(
      estimand, weighted, lambda: tuning.lambda, interval: interval, grid: quantileGrid,
      warm: tuning.warm)
    notes = tuning.notes + notes
    return Estimate(
      method: .powerTuned, estimand: estimand, parameters: parameters, alpha: interval.alpha,
      alternative: interval.alternative, lambda: tuning.lambda,
      labelledCount: sample.labelledCount, unlabelledCount: sample.unlabelledCount, notes: notes)
  }

  /// λ̂ for `estimand`, computed at the λ = 1 estimate; for the logistic regression also that
  /// estimate (the start of the tuned fit).
  static func tunedLambda(
    _ estimand: Estimand, _ s: WeightedSample, grid: QuantileGrid, coordinate: Int?
  ) throws -> (lambda: Double, warm: WarmStart, notes: [String]) {
    let sample = s.sample
    let stats: GradientStatistics
    var warm = WarmStart()
    switch estimand {
    case .mean:
      let moments = MeanMoments(sample.unlabelledPredictions, weights: s.unlabelledWeights)
      warm.meanMoments = moments
      let theta = PredictionPoweredInference.mean(s, lambda: 1, moments: moments).value
      stats = .mean(
        at: theta, labels: sample.labels, predictions: sample.predictions, unlabelled: moments,
        weights: s.weights)
    case .quantile(let q):
      let distribution = try s.rectifiedDistribution(grid)
      warm.distribution = distribution
      let theta = distribution.point(q, lambda: 1)
      let indicator = { (v: Double) -> Double in v <= theta ? 1 : 0 }
      stats = .mean(
        at: q, labels: sample.labels.map(indicator), predictions: sample.predictions.map(indicator),
        unlabelled: MeanMoments(
          sample.unlabelledPredictions.map(indicator), weights: s.unlabelledWeights),
        weights: s.weights)
    case .linearRegression:
      let systems = try LinearSystems(s, unlabelled: true)
      warm.linearSystems = systems
      stats = try systems.statistics(at: systems.point(lambda: 1), s, usesUnlabelled: true)
    case .logisticRegression:
      let classical = try ClassicalEstimator.logisticFit(s).theta
      let loss = RectifiedLogisticLoss(
        sample: sample, weights: s.weights, unlabelledWeights: s.unlabelledWeights, lambda: 1)
      let theta = try loss.minimizer(from: classical).theta
      stats = try GradientStatistics.regression(
        .logistic, at: theta, sample: sample, weights: s.weights,
        unlabelledWeights: s.unlabelledWeights, usesUnlabelled: true)
      warm.logisticStart = theta
      warm.logisticCurvature = (stats.labelledCurvature, stats.unlabelledCurvature)
    }
    let (lambda, raw) = stats.tunedLambda(coordinate: estimand.isRegression ? coordinate : nil)
    var notes: [String] = []
    if raw.isNaN {
      notes.append("the predictions do not vary, so they carry no information: lambda = 0")
    } else if raw != lambda {
      notes.append("the power-tuning lambda \(raw) was clipped to \(lambda)")
    }
    return (lambda, warm, notes)
  }
}

extension BiasKitError {
  static func coordinateOutOfRange(
    _ coordinate: Int, _ estimand: Estimand, _ count: Int
  )
    -> BiasKitError
  {
    guard estimand.isRegression else {
      return BiasKitError(
        .invalidArgument,
        "a coordinate to tune lambda for applies to the regressions only, not to the \(estimand)")
    }
    return BiasKitError(
      .invalidArgument,
      "coordinate \(coordinate) is out of range: the regression has \(count) coefficients (0 to \(count - 1))"
    )
  }
}
