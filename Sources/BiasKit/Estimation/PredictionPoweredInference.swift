/// Prediction-powered inference at a fixed power-tuning parameter λ: the estimand's loss on the
/// predicted unlabelled rows, corrected ("rectified") by the loss difference between gold
/// labels and predictions on the labelled rows.
///
///     θ̂_λ = argmin_θ  λ·L̂ᵘ(θ; Ŷᵘ) + [L̂ˡ(θ; Y) − λ·L̂ˡ(θ; Ŷ)]
///
/// which for the mean is θ̂ = (1/N)Σ wᵢλŷᵢᵘ + (1/n)Σ wᵢ(yᵢ − λŷᵢ), with standard error
/// √(sd(wλŷᵘ)²/N + sd(w(y − λŷ))²/n) (ddof 0); for the regressions it is the rectified least
/// squares / logistic fit with the sandwich covariance of ``GradientStatistics``; for a
/// quantile, the grid point where the rectified distribution function crosses q, with the
/// interval of grid points not rejected at level α (``RectifiedDistribution``). The interval is
/// θ̂ ± z·se (``ZInterval``). λ = 1 is PPI (Angelopoulos et al. 2023), λ = 0 the classical
/// estimate from the labels alone; ``PowerTunedPredictionPoweredInference`` chooses λ.
///
/// Corresponds to ppi_py 0.2.3's `ppi_mean_ci`, `ppi_quantile_ci`, `ppi_ols_ci` and
/// `ppi_logistic_ci` with `lam` given (and their `_pointestimate` twins), with its
/// conventions: α = 0.1, weights rescaled to w/Σw·n, ddof 0 for the mean and quantile,
/// `np.cov` (ddof 1) for the regressions, no intercept added, the quantile grid
/// `linspace(min, max, 5000)` of all values. Two differences: a one-sided ``Alternative`` is
/// honoured everywhere (ppi_py drops it when it tunes λ), and the logistic fit is solved to
/// the exact minimiser (ppi_py's L-BFGS-B stops near it).
///
/// - Complexity: O(n + N) for the mean; O((n + N) log(n + N) + g) for a quantile on g grid
///   points; O((n + N)·d²) for the regressions.
///
/// ## References
/// - Angelopoulos, Bates, Fannjiang, Jordan, Zrnic. Prediction-powered inference. Science 382,
///   2023.
public struct PredictionPoweredInference: Sendable {
  /// The power-tuning parameter λ (ppi_py `lam`): 1 is PPI, 0 ignores the predictions.
  public var lambda: Double
  /// The intervals' α and alternative.
  public var interval: ZInterval
  /// Where quantiles are searched.
  public var quantileGrid: QuantileGrid

  public init(
    lambda: Double = 1, interval: ZInterval = .ninetyPercent,
    quantileGrid: QuantileGrid = .ppiDefault
  ) {
    self.lambda = lambda
    self.interval = interval
    self.quantileGrid = quantileGrid
  }

  /// The estimate of `estimand` from `sample`.
  /// - Throws: ``BiasKitError`` for a sample ``PredictionSample/validate(for:unlabelled:)``
  ///   rejects, a λ that is not finite (or outside [0, 1] for the logistic regression), a
  ///   collinear design, or a one-sided alternative for a quantile.
  public func estimate(_ estimand: Estimand, from sample: PredictionSample) throws -> Estimate {
    try sample.validate(for: estimand)
    try Self.checkLambda(lambda, for: estimand)
    let weighted = WeightedSample(sample)
    let (parameters, notes) = try Self.parameters(
      estimand, weighted, lambda: lambda, interval: interval, grid: quantileGrid)
    return Estimate(
      method: .predictionPowered, estimand: estimand, parameters: parameters,
      alpha: interval.alpha, alternative: interval.alternative, lambda: lambda,
      labelledCount: sample.labelledCount, unlabelledCount: sample.unlabelledCount, notes: notes)
  }

  static func checkLambda(_ lambda: Double, for estimand: Estimand) throws {
    guard lambda.isFinite else { throw BiasKitError.lambdaOutOfRange(lambda, estimand) }
    if case .logisticRegression = estimand, !(0...1).contains(lambda) {
      throw BiasKitError.lambdaOutOfRange(lambda, estimand)
    }
  }

  /// The estimate's coordinates at a given λ: the one implementation PPI, PPI++ and the
  /// grouped estimates share.
  static func parameters(
    _ estimand: Estimand, _ s: WeightedSample, lambda: Double, interval: ZInterval,
    grid: QuantileGrid, warm: WarmStart = WarmStart()
  ) throws -> ([ParameterEstimate], [String]) {
    switch estimand {
    case .mean:
      let (value, se) = mean(
        s, lambda: lambda,
        moments: warm.meanMoments
          ?? MeanMoments(s.sample.unlabelledPredictions, weights: s.unlabelledWeights))
      return ([parameter("mean", value, se, interval)], [])
    case .quantile(let q):
      guard interval.alternative == .twoSided else { throw BiasKitError.oneSidedQuantile() }
      let distribution = try warm.distribution ?? s.rectifiedDistribution(grid)
      let (value, range) = try distribution.quantile(q, lambda: lambda, alpha: interval.alpha)
      return (
        [
          ParameterEstimate(
            name: quantileName(q), value: value, standardError: nil, interval: range)
        ],
        []
      )
    case .linearRegression:
      let systems = try warm.linearSystems ?? LinearSystems(s, unlabelled: lambda != 0)
      let theta = systems.point(lambda: lambda)
      let stats = try systems.statistics(at: theta, s, usesUnlabelled: lambda != 0)
      return (
        regressionParameters(s.sample, theta, stats.standardErrors(lambda: lambda), interval), []
      )
    case .logisticRegression:
      let start = try warm.logisticStart ?? ClassicalEstimator.logisticFit(s).theta
      let loss = RectifiedLogisticLoss(
        sample: s.sample, weights: s.weights, unlabelledWeights: s.unlabelledWeights, lambda: lambda
      )
      let hessian = warm.logisticCurvature.map {
        loss.combinedHessian(labelled: $0.labelled, unlabelled: $0.unlabelled)
      }
      let fit = try loss.minimizer(from: start, hessian: hessian)
      let stats = try GradientStatistics.regression(
        .logistic, at: fit.theta, sample: s.sample, weights: s.weights,
        unlabelledWeights: s.unlabelledWeights, usesUnlabelled: lambda != 0)
      return (
        regressionParameters(s.sample, fit.theta, stats.standardErrors(lambda: lambda), interval),
        fit.converged ? [] : [BiasKitError.logisticNotConvergedNote]
      )
    }
  }

  /// The mean at λ and its standard error (ppi_py `ppi_mean_pointestimate` / `ppi_mean_ci`):
  /// mean(wλŷᵘ) + mean(w(y − λŷ)) and √(sd(wλŷᵘ)²/N + sd(w(y − λŷ))²/n), ddof 0.
  static func mean(
    _ s: WeightedSample, lambda: Double, moments: MeanMoments
  ) -> (
    value: Double, standardError: Double
  ) {
    let sample = s.sample
    let n = sample.labelledCount
    var rectifier = [Double](repeating: 0, count: n)
    for i in 0..<n {
      rectifier[i] = (s.weights?[i] ?? 1) * (sample.labels[i] - lambda * sample.predictions[i])
    }
    let imputedMean = lambda * moments.meanA
    let imputedDeviation = abs(lambda) * (moments.saa / Double(moments.count)).squareRoot()
    let (rectifierMean, rectifierDeviation) = meanAndDeviation(rectifier)
    let imputedError = imputedDeviation / Double(moments.count).squareRoot()
    let rectifierError = rectifierDeviation / Double(n).squareRoot()
    return (
      imputedMean + rectifierMean,
      (imputedError * imputedError + rectifierError * rectifierError).squareRoot()
    )
  }

  static func parameter(
    _ name: String, _ value: Double, _ se: Double, _ interval: ZInterval
  ) -> ParameterEstimate {
    ParameterEstimate(
      name: name, value: value, standardError: se,
      interval: interval.interval(value, standardError: se))
  }

  static func regressionParameters(
    _ sample: PredictionSample, _ theta: [Double], _ errors: [Double], _ interval: ZInterval
  ) -> [ParameterEstimate] {
    zip(sample.covariateNames, zip(theta, errors)).map { name, pair in
      parameter(name, pair.0, pair.1, interval)
    }
  }

  static func quantileName(_ q: Double) -> String { "q\(q)" }
}

extension ZInterval {
  /// α = 0.1, two-sided: ppi_py's default (90% coverage).
  public static let ninetyPercent = ZInterval(checkedAlpha: 0.1, alternative: .twoSided)

  init(checkedAlpha alpha: Double, alternative: Alternative) {
    self.alpha = alpha
    self.alternative = alternative
  }
}

/// What one PPI computation can hand to the next on the same sample (PPI++ computes these at
/// λ = 1 and reuses them at λ̂): the unlabelled moments of the mean, the normal equations of the
/// least squares, the logistic fit at λ = 1 with its curvature there, and a quantile's rectified
/// distribution on its grid.
struct WarmStart {
  var meanMoments: MeanMoments? = nil
  var linearSystems: LinearSystems? = nil
  var logisticStart: [Double]? = nil
  var logisticCurvature: (labelled: [Double], unlabelled: [Double]?)? = nil
  var distribution: RectifiedDistribution? = nil
}

/// A validated sample with its weights rescaled to w/Σw·n once.
struct WeightedSample {
  let sample: PredictionSample
  let weights: [Double]?
  let unlabelledWeights: [Double]?
  /// What the labelled rows are called in messages ("unlabelled" for the naive estimate).
  var labelledName = "labelled"

  init(_ sample: PredictionSample) {
    self.sample = sample
    weights = rescaledWeights(sample.weights)
    unlabelledWeights = rescaledWeights(sample.unlabelledWeights)
  }

  /// The rectified distribution function on the grid of all labels and predictions.
  func rectifiedDistribution(_ grid: QuantileGrid) throws -> RectifiedDistribution {
    let points = try grid.values([sample.labels, sample.predictions, sample.unlabelledPredictions])
    return RectifiedDistribution(
      grid: points, labels: sample.labels, predictions: sample.predictions, weights: weights,
      unlabelledPredictions: sample.unlabelledPredictions, unlabelledWeights: unlabelledWeights)
  }
}

/// The normal equations of the rectified least squares: XᵀWX and XᵀWy for the labels and the
/// predictions of the labelled rows, and X_uᵀW_uX_u and X_uᵀW_uŷᵘ for the unlabelled rows.
///
///     θ̂_λ = λ·(X_uᵀW_uX_u)⁻¹X_uᵀW_uŷᵘ + (XᵀWX)⁻¹XᵀW(y − λŷ)
///
/// (ppi_py: `_wls(X_unlabeled, lam * Yhat_unlabeled) + _wls(X, Y - lam * Yhat)`), so the
/// estimate at any λ costs O(d²) once the sums are made.
struct LinearSystems {
  let labelledGram: [Double]
  let labelledFactor: CholeskyFactor
  let labelsMoment: [Double]
  let predictionsMoment: [Double]
  let unlabelledGram: [Double]?
  let unlabelledFactor: CholeskyFactor?
  let unlabelledMoment: [Double]?

  init(_ s: WeightedSample, unlabelled: Bool) throws {
    let sample = s.sample
    let x = sample.covariates!
    let d = x.columns
    labelledGram = DesignPasses.gram(x, coefficients: s.weights)
    labelledFactor = try CholeskyFactor.factored(
      labelledGram, dimension: d, names: sample.covariateNames, rows: s.labelledName)
    let w = s.weights
    labelsMoment = DesignPasses.transposedProduct(
      x, sample.labels.enumerated().map { (w?[$0] ?? 1) * $1 })
    predictionsMoment = DesignPasses.transposedProduct(
      x, sample.predictions.enumerated().map { (w?[$0] ?? 1) * $1 })
    if unlabelled {
      let xu = sample.unlabelledCovariates!
      let gram = DesignPasses.gram(xu, coefficients: s.unlabelledWeights)
      unlabelledGram = gram
      unlabelledFactor = try CholeskyFactor.factored(
        gram, dimension: d, names: sample.covariateNames, rows: "unlabelled")
      let wu = s.unlabelledWeights
      unlabelledMoment = DesignPasses.transposedProduct(
        xu, sample.unlabelledPredictions.enumerated().map { (wu?[$0] ?? 1) * $1 })
    } else {
      unlabelledGram = nil
      unlabelledFactor = nil
      unlabelledMoment = nil
    }
  }

  /// θ̂_λ.
  func point(lambda: Double) -> [Double] {
    let d = labelsMoment.count
    let rectifier = labelledFactor.solve(
      (0..<d).map { labelsMoment[$0] - lambda * predictionsMoment[$0] })
    guard lambda != 0, let unlabelledFactor, let unlabelledMoment else { return rectifier }
    let imputed = unlabelledFactor.solve(unlabelledMoment.map { lambda * $0 })
    return (0..<d).map { imputed[$0] + rectifier[$0] }
  }

  /// The gradient statistics at `theta`, reusing the Gram matrices as the Hessian's parts.
  func statistics(
    at theta: [Double], _ s: WeightedSample, usesUnlabelled: Bool
  ) throws
    -> GradientStatistics
  {
    try GradientStatistics.regression(
      .linear, at: theta, sample: s.sample, weights: s.weights,
      unlabelledWeights: s.unlabelledWeights, usesUnlabelled: usesUnlabelled,
      labelledGram: labelledGram, unlabelledGram: unlabelledGram)
  }
}

/// The mean and standard deviation (ddof 0, two passes) of `values`.
func meanAndDeviation(_ values: [Double]) -> (mean: Double, deviation: Double) {
  var sum = CompensatedSum()
  for v in values { sum.add(v) }
  let mean = sum.value / Double(values.count)
  var squares = CompensatedSum()
  for v in values {
    let e = v - mean
    squares.add(e * e)
  }
  return (mean, (squares.value / Double(values.count)).squareRoot())
}

extension BiasKitError {
  static func lambdaOutOfRange(_ lambda: Double, _ estimand: Estimand) -> BiasKitError {
    if case .logisticRegression = estimand {
      return BiasKitError(
        .invalidArgument,
        "the power-tuning lambda must be in [0, 1] for the logistic estimand (its rectified loss is not convex otherwise); got \(lambda)"
      )
    }
    return BiasKitError(
      .invalidArgument, "the power-tuning lambda must be a finite number; got \(lambda)")
  }

  static func oneSidedQuantile() -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "quantile intervals are two-sided (found by inverting a two-sided test); drop the one-sided alternative"
    )
  }

  static let logisticNotConvergedNote =
    "the logistic fit did not converge (the labels may be separable by the covariates); the estimate is the last iterate"
}
