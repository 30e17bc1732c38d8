/// Cross-prediction-powered inference: when no model's predictions exist, a learner is trained
/// on the gold-labelled rows themselves by K-fold cross-fitting, and PPI is run on its
/// predictions. Each labelled row is predicted by the model that did not see it; each
/// unlabelled row by the average of the K fold models:
///
///     ŷᵢ = f₋ₖ₍ᵢ₎(xᵢ),   ŷᵘⱼ = (1/K) Σₖ fₖ(xᵘⱼ),   θ̂ = PPI at λ = 1 on (y, ŷ, ŷᵘ)
///
/// so the predictions never see the labels they are corrected with, and the interval stays
/// valid. For the mean and the regressions the estimate, standard errors and intervals are
/// those of ``PredictionPoweredInference`` at λ = 1 on these predictions, as ppi_py's
/// `crossppi_mean_ci`, `crossppi_ols_ci` and `crossppi_logistic_ci` compute them. For a quantile
/// the imputed distribution function is the average of the K models' distribution functions and
/// its standard deviation that of the averaged predictions (`crossppi_quantile_ci`).
///
/// The folds are contiguous blocks of the labelled rows (scikit-learn `KFold(shuffle=False)`),
/// or blocks of a seeded random permutation with ``seed``. The default learner is the built-in
/// logistic regression for 0/1 labels and least squares otherwise (``OutcomeLearner``).
///
/// - Complexity: K learner fits on (K − 1)/K·n rows and K predictions of N rows, plus PPI.
///
/// ## References
/// - Zrnic, Candès. Cross-prediction-powered inference. PNAS 121(15), 2024.
public struct CrossPredictionPoweredInference: Sendable {
  /// The number of folds K (ppi_py's examples use 10).
  public var folds: Int
  /// The learner; `nil` chooses by the labels (``OutcomeLearner/automatic(for:)``).
  public var learner: OutcomeLearner?
  /// A seed to shuffle the rows before splitting them into folds; `nil` keeps their order.
  public var seed: UInt64?
  /// The intervals' α and alternative.
  public var interval: ZInterval
  /// Where quantiles are searched.
  public var quantileGrid: QuantileGrid

  public init(
    folds: Int = 10, learner: OutcomeLearner? = nil, seed: UInt64? = nil,
    interval: ZInterval = .ninetyPercent, quantileGrid: QuantileGrid = .ppiDefault
  ) {
    self.folds = folds
    self.learner = learner
    self.seed = seed
    self.interval = interval
    self.quantileGrid = quantileGrid
  }

  /// The cross-fitted predictions: one per labelled row (out of fold) and one column per fold
  /// model for the unlabelled rows (N × K).
  public func crossFittedPredictions(
    labels: [Double], features: Matrix, unlabelledFeatures: Matrix
  ) throws -> (labelled: [Double], unlabelled: Matrix) {
    let n = labels.count
    guard n > 0 else { throw BiasKitError.noLabelledRows() }
    try CrossFitting.validate(folds: folds, rows: n)
    guard features.rows == n else {
      throw BiasKitError.countMismatch(
        "feature rows", features.rows, expected: n, of: "labelled rows")
    }
    guard unlabelledFeatures.columns == features.columns else {
      throw BiasKitError.covariateWidthsDiffer(features.columns, unlabelledFeatures.columns)
    }
    try PredictionSample.checkFinite(labels, "label", set: "labelled")
    try PredictionSample.checkFinite(
      features.values, "feature", set: "labelled", width: features.columns)
    try PredictionSample.checkFinite(
      unlabelledFeatures.values, "feature", set: "unlabelled", width: unlabelledFeatures.columns)
    let learner = self.learner ?? .automatic(for: labels)
    let assignment = CrossFitting.foldAssignment(count: n, folds: folds, seed: seed)
    let bigN = unlabelledFeatures.rows
    var labelled = [Double](repeating: 0, count: n)
    var unlabelled = [Double](repeating: 0, count: bigN * folds)
    let names =
      features.columnNames.count == features.columns
      ? features.columnNames : (0..<features.columns).map { "x\($0)" }
    for k in 0..<folds {
      let train = (0..<n).filter { assignment[$0] != k }
      let held = (0..<n).filter { assignment[$0] == k }
      let out = try learner.fittedPredictions(
        features: features.rows(at: train), labels: train.map { labels[$0] },
        targets: [features.rows(at: held), unlabelledFeatures], names: names)
      for (position, i) in held.enumerated() { labelled[i] = out[0][position] }
      for j in 0..<bigN { unlabelled[j * folds + k] = out[1][j] }
    }
    return (labelled, Matrix(rows: bigN, columns: folds, values: unlabelled))
  }

  /// The cross-prediction estimate of `estimand`: the learner is trained on (`features`,
  /// `labels`) of the labelled rows and predicts the unlabelled rows from `unlabelledFeatures`;
  /// the regressions use `covariates` (often the same matrices).
  /// - Throws: ``BiasKitError`` for bad folds, sizes or values, a learner that cannot be
  ///   fitted, or any error of ``PredictionPoweredInference``.
  public func estimate(
    _ estimand: Estimand, labels: [Double], features: Matrix, unlabelledFeatures: Matrix,
    covariates: Matrix? = nil, unlabelledCovariates: Matrix? = nil
  ) throws -> Estimate {
    let predictions = try crossFittedPredictions(
      labels: labels, features: features, unlabelledFeatures: unlabelledFeatures)
    return try estimate(
      estimand, labels: labels, predictions: predictions.labelled,
      unlabelledPredictions: predictions.unlabelled, covariates: covariates,
      unlabelledCovariates: unlabelledCovariates)
  }

  /// The estimate from cross-fitted predictions made elsewhere: `predictions` out of fold for
  /// the labelled rows, `unlabelledPredictions` one column per fold model (ppi_py's
  /// `crossppi_*_ci(Y, Yhat, Yhat_unlabeled)` with `Yhat_unlabeled` of shape (N, K)).
  public func estimate(
    _ estimand: Estimand, labels: [Double], predictions: [Double], unlabelledPredictions: Matrix,
    covariates: Matrix? = nil, unlabelledCovariates: Matrix? = nil
  ) throws -> Estimate {
    let k = unlabelledPredictions.columns
    let bigN = unlabelledPredictions.rows
    var averaged = [Double](repeating: 0, count: bigN)
    for j in 0..<bigN {
      var s = 0.0
      for f in 0..<k { s += unlabelledPredictions.values[j * k + f] }
      averaged[j] = s / Double(k)
    }
    let sample = PredictionSample(
      labels: labels, predictions: predictions, unlabelledPredictions: averaged,
      covariates: covariates, unlabelledCovariates: unlabelledCovariates)
    try sample.validate(for: estimand)
    let weighted = WeightedSample(sample)
    let parameters: [ParameterEstimate]
    var notes: [String] = []
    if case .quantile(let q) = estimand {
      guard interval.alternative == .twoSided else { throw BiasKitError.oneSidedQuantile() }
      let grid = try quantileGrid.values([labels, predictions, unlabelledPredictions.values])
      // The imputed CDF: the K models' CDFs averaged; its deviation: that of the averaged
      // predictions' indicator.
      var imputed = [Double](repeating: 0, count: grid.count)
      for f in 0..<k {
        let column = (0..<bigN).map { unlabelledPredictions.values[$0 * k + f] }
        let counts = CumulativeWeights(column, weights: nil).sums(on: grid).first
        for g in grid.indices { imputed[g] += counts[g] / Double(bigN) / Double(k) }
      }
      let averagedCounts = CumulativeWeights(averaged, weights: nil).sums(on: grid).first
      let deviation = averagedCounts.map { c -> Double in
        let p = c / Double(bigN)
        return max(p - p * p, 0).squareRoot()
      }
      let distribution = RectifiedDistribution(
        grid: grid, labels: labels, predictions: predictions, weights: nil,
        unlabelledCount: bigN, imputed: imputed, imputedDeviation: deviation)
      let (value, range) = try distribution.quantile(q, lambda: 1, alpha: interval.alpha)
      parameters = [
        ParameterEstimate(
          name: PredictionPoweredInference.quantileName(q), value: value, standardError: nil,
          interval: range)
      ]
    } else {
      (parameters, notes) = try PredictionPoweredInference.parameters(
        estimand, weighted, lambda: 1, interval: interval, grid: quantileGrid)
    }
    return Estimate(
      method: .crossPrediction, estimand: estimand, parameters: parameters,
      alpha: interval.alpha, alternative: interval.alternative, lambda: 1,
      labelledCount: labels.count, unlabelledCount: bigN, notes: notes)
  }
}
