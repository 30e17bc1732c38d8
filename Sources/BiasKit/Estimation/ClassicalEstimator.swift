/// The classical estimate from the gold-labelled rows alone, ignoring the predictions: the
/// baseline every prediction-powered estimate is compared with.
///
/// | estimand | point estimate | standard error | ppi_py 0.2.3 |
/// |---|---|---|---|
/// | mean | (1/n)Σ wᵢyᵢ | sd(wy)/√n (ddof 0) | `classical_mean_ci` |
/// | quantile | the smallest y with F̂(y) ≥ q | — (order statistics) | `classical_quantile_ci` |
/// | OLS | (XᵀWX)⁻¹XᵀWy | HC0: √diag((XᵀWX)⁻¹ Σ wᵢ²eᵢ²xᵢxᵢᵀ (XᵀWX)⁻¹) | `classical_ols_ci` |
/// | logistic | argmin (1/n)Σ wᵢℓ(xᵢθ, yᵢ) | √diag(V⁻¹ cov(g) V⁻¹ / n), V = (1/n)Σ wᵢμᵢ(1 − μᵢ)xᵢxᵢᵀ | `classical_logistic_ci` |
///
/// The quantile interval is ppi_py's: the order statistics of ranks ⌊qn ± z√(q(1 − q)n)⌋
/// (0-based). ppi_py indexes the sorted labels with those ranks as they fall: a negative rank
/// wraps around to the largest label and a rank ≥ n raises `IndexError`; here both are clamped
/// to the sample. With weights (which ppi_py's classical quantile does not take) the interval
/// inverts the weighted CDF's z-test on the grid of the labels, as ``PredictionPoweredInference``
/// does at λ = 0. ppi_py's classical logistic regression takes no weights; here they weight
/// the loss and gradients as in `ppi_logistic_ci(lam=0)`. No quantile point estimate exists in
/// ppi_py; this one is the inverse of the empirical distribution function.
///
/// - Complexity: O(n) for the mean, O(n log n) for quantiles, O(n·d²) for the regressions.
public struct ClassicalEstimator: Sendable {
  /// The intervals' α and alternative.
  public var interval: ZInterval
  /// The grid of a weighted quantile's interval.
  public var quantileGrid: QuantileGrid

  public init(interval: ZInterval = .ninetyPercent, quantileGrid: QuantileGrid = .ppiDefault) {
    self.interval = interval
    self.quantileGrid = quantileGrid
  }

  /// The classical estimate of `estimand` from the labelled rows of `sample`.
  /// - Throws: ``BiasKitError`` for a sample that fails validation or a collinear design.
  public func estimate(_ estimand: Estimand, from sample: PredictionSample) throws -> Estimate {
    try sample.validate(for: estimand, unlabelled: false)
    let (parameters, notes) = try Self.parameters(
      estimand, WeightedSample(sample), interval: interval, grid: quantileGrid)
    return Estimate(
      method: .classical, estimand: estimand, parameters: parameters, alpha: interval.alpha,
      alternative: interval.alternative, labelledCount: sample.labelledCount, unlabelledCount: 0,
      notes: notes)
  }

  static func parameters(
    _ estimand: Estimand, _ s: WeightedSample, interval: ZInterval, grid: QuantileGrid
  ) throws -> ([ParameterEstimate], [String]) {
    let sample = s.sample
    let n = sample.labelledCount
    switch estimand {
    case .mean:
      let values = (0..<n).map { (s.weights?[$0] ?? 1) * sample.labels[$0] }
      let (mean, deviation) = meanAndDeviation(values)
      return (
        [
          PredictionPoweredInference.parameter(
            "mean", mean, deviation / Double(n).squareRoot(), interval)
        ],
        []
      )
    case .quantile(let q):
      guard interval.alternative == .twoSided else { throw BiasKitError.oneSidedQuantile() }
      return ([try quantile(q, s, interval: interval, grid: grid)], [])
    case .linearRegression:
      let x = sample.covariates!
      let d = x.columns
      let systems = try LinearSystems(s, unlabelled: false)
      let theta = systems.labelledFactor.solve(systems.labelsMoment)
      let fitted = DesignPasses.products(x, theta)
      let meat = DesignPasses.gram(
        x,
        coefficients: (0..<n).map { i in
          let w = s.weights?[i] ?? 1
          let e = sample.labels[i] - fitted[i]
          return w * w * e * e
        })
      let inverse = systems.labelledFactor.inverse()
      let covariance = DenseAlgebra.sandwich(inverse, meat, d)
      let errors = (0..<d).map { covariance[$0 * d + $0].squareRoot() }
      return (
        PredictionPoweredInference.regressionParameters(sample, theta, errors, interval), []
      )
    case .logisticRegression:
      let fit = try logisticFit(s)
      let stats = try GradientStatistics.regression(
        .logistic, at: fit.theta, sample: sample, weights: s.weights, unlabelledWeights: nil,
        usesUnlabelled: false)
      return (
        PredictionPoweredInference.regressionParameters(
          sample, fit.theta, stats.standardErrors(lambda: 0), interval),
        fit.converged ? [] : [BiasKitError.logisticNotConvergedNote]
      )
    }
  }

  /// The unpenalised logistic regression of the labels on the covariates, without intercept
  /// (scikit-learn `LogisticRegression(penalty=None, fit_intercept=False)`, solved exactly).
  static func logisticFit(_ s: WeightedSample) throws -> (theta: [Double], converged: Bool) {
    let sample = s.sample
    var loss = RectifiedLogisticLoss(
      covariates: sample.covariates!, labels: sample.labels, weights: s.weights,
      names: sample.covariateNames)
    loss.rowsName = s.labelledName
    return try loss.minimizer(from: nil)
  }

  static func quantile(
    _ q: Double, _ s: WeightedSample, interval: ZInterval, grid: QuantileGrid
  ) throws -> ParameterEstimate {
    let labels = s.sample.labels
    let n = labels.count
    let name = PredictionPoweredInference.quantileName(q)
    if let weights = s.weights {
      let ecdf = CumulativeWeights(labels, weights: weights)
      let total = ecdf.prefix[n]
      var k = 0
      while k < n - 1 && ecdf.prefix[k + 1] < q * total { k += 1 }
      let points = try grid.values([labels])
      let distribution = RectifiedDistribution(
        grid: points, labels: labels, predictions: labels, weights: weights, unlabelledCount: 1,
        imputed: [Double](repeating: 0, count: points.count),
        imputedDeviation: [Double](repeating: 0, count: points.count))
      let (_, range) = try distribution.quantile(q, lambda: 0, alpha: interval.alpha)
      return ParameterEstimate(
        name: name, value: ecdf.sorted[k], standardError: nil, interval: range)
    }
    let sorted = labels.sorted()
    let z = interval.criticalValue
    let center = q * Double(n)
    let spread = (q * (1 - q) * Double(n)).squareRoot()
    // int() truncates toward zero; ranks outside the sample are clamped.
    let lower = min(max(Int((center - z * spread).rounded(.towardZero)), 0), n - 1)
    let upper = min(max(Int((center + z * spread).rounded(.towardZero)), 0), n - 1)
    let rank = min(max(Int((q * Double(n)).rounded(.up)) - 1, 0), n - 1)
    return ParameterEstimate(
      name: name, value: sorted[rank], standardError: nil,
      interval: ConfidenceInterval(lower: sorted[lower], upper: sorted[upper]))
  }
}
