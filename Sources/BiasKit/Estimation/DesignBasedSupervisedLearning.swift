/// Design-based supervised learning (DSL): estimates from surrogate labels that stay valid
/// however biased the surrogate is, because the gold-labelled rows were drawn with known
/// probabilities πᵢ (which may differ between rows).
///
/// All m = n + N rows form one sample; Rᵢ = 1 for the gold-labelled ones. With an outcome model
/// ĝ (the surrogate itself, or a learner cross-fitted on the labelled rows), each row gets the
/// design-based pseudo-outcome
///
///     ỹᵢ = ĝᵢ + (Rᵢ / πᵢ)(yᵢ − ĝᵢ),
///
/// unbiased for yᵢ over the labelling design whatever ĝ is, and the estimand's moment equations
/// are solved with ỹ in place of y:
///
///     mean: θ̂ = (1/m) Σ ỹᵢ     OLS: Σ xᵢ(ỹᵢ − xᵢθ) = 0     logistic: Σ xᵢ(ỹᵢ − μᵢ(θ)) = 0
///
/// The covariance is the sandwich J⁻¹ M J⁻¹ / m with J = (1/m) Σ ∂mᵢ/∂θ and M = (1/m) Σ mᵢmᵢᵀ
/// at θ̂ (for the mean, (1/m²) Σ (ỹᵢ − θ̂)²), and intervals are θ̂ ± z·se.
///
/// With ĝ = the surrogate (``OutcomeModel/surrogate``) the estimate is deterministic; it is
/// checked against a NumPy implementation of the estimator written from the paper. The R
/// package `dsl` (GPL, not used here) computes the same moments; its point estimate comes from
/// `optim` on the squared moments with a 10⁻⁵ ridge on standardised covariates, so it agrees
/// to that optimiser's tolerance. The cross-fitted version (``OutcomeModel/crossFitted(folds:learner:seed:)``)
/// is checked by its coverage in simulation (`Guides/Estimation.md`). DSL takes no sample
/// weights (the design probabilities play that role).
///
/// - Complexity: O(m) for the mean, O(m·d²) for the regressions, plus the learner's K fits when
///   cross-fitted.
///
/// ## References
/// - Egami, Hinck, Stewart, Wei. Using Imperfect Surrogates for Downstream Inference:
///   Design-based Supervised Learning for Social Science Applications of Large Language Models.
///   NeurIPS 2023.
public struct DesignBasedSupervisedLearning: Sendable {
  /// Where ĝ, the outcome model inside the pseudo-outcome, comes from.
  public enum OutcomeModel: Sendable {
    /// ĝ = the surrogate predictions themselves (deterministic).
    case surrogate
    /// ĝ from a learner cross-fitted over all rows in `folds` folds: fold k's rows are
    /// predicted by a model trained on the labelled rows outside fold k (the DSL paper's
    /// cross-fitting). `learner` nil chooses by the labels; `seed` shuffles the rows.
    case crossFitted(folds: Int, learner: OutcomeLearner?, seed: UInt64)
  }

  /// The outcome model.
  public var outcomeModel: OutcomeModel
  /// The intervals' α and alternative.
  public var interval: ZInterval

  public init(outcomeModel: OutcomeModel = .surrogate, interval: ZInterval = .ninetyPercent) {
    self.outcomeModel = outcomeModel
    self.interval = interval
  }

  /// The DSL estimate of `estimand` from `sample`, whose ``PredictionSample/samplingProbabilities``
  /// give each labelled row's π. With a cross-fitted outcome model, `features` and
  /// `unlabelledFeatures` are the learner's inputs (by default the surrogate and the covariates).
  /// - Throws: ``BiasKitError`` for a sample that fails validation, sampling probabilities
  ///   outside (0, 1], weights, a quantile estimand, or a collinear design.
  public func estimate(
    _ estimand: Estimand, from sample: PredictionSample, features: Matrix? = nil,
    unlabelledFeatures: Matrix? = nil
  ) throws -> Estimate {
    if case .quantile = estimand { throw BiasKitError.dslQuantile() }
    guard sample.weights == nil && sample.unlabelledWeights == nil else {
      throw BiasKitError.dslWeights()
    }
    try sample.validate(for: estimand, unlabelled: false)
    try sample.validateSamplingProbabilities()
    if estimand.isRegression, sample.unlabelledCount > 0 {
      try sample.validate(for: estimand, unlabelled: true)
    } else if sample.unlabelledCount > 0 {
      try PredictionSample.checkFinite(
        sample.unlabelledPredictions, "prediction", set: "unlabelled")
    }
    let n = sample.labelledCount
    let bigN = sample.unlabelledCount
    let m = n + bigN
    // ĝ on every row: labelled rows first, then the unlabelled ones.
    var outcome = sample.predictions + sample.unlabelledPredictions
    var notes: [String] = []
    if case .crossFitted(let folds, let learner, let seed) = outcomeModel {
      outcome = try crossFittedOutcome(
        sample, folds: folds, learner: learner, seed: seed, features: features,
        unlabelledFeatures: unlabelledFeatures)
      notes.append("outcome model cross-fitted in \(folds) folds (seed \(seed))")
    }
    var pseudo = outcome
    for i in 0..<n {
      pseudo[i] = outcome[i] + (sample.labels[i] - outcome[i]) / sample.samplingProbabilities![i]
    }
    let parameters: [ParameterEstimate]
    switch estimand {
    case .mean:
      let (value, deviation) = meanAndDeviation(pseudo)
      parameters = [
        PredictionPoweredInference.parameter(
          "mean", value, deviation / Double(m).squareRoot(), interval)
      ]
    case .linearRegression, .logisticRegression:
      let x = Self.stacked(sample.covariates!, sample.unlabelledCovariates, bigN)
      let names = sample.covariateNames
      let d = x.columns
      let gram = DesignPasses.gram(x, coefficients: nil)
      let factor = try CholeskyFactor.factored(
        gram, dimension: d, names: names, rows: "labelled and unlabelled")
      let theta: [Double]
      let residuals: [Double]
      let bread: CholeskyFactor
      if case .linearRegression = estimand {
        theta = factor.solve(DesignPasses.transposedProduct(x, pseudo))
        let fitted = DesignPasses.products(x, theta)
        residuals = (0..<m).map { pseudo[$0] - fitted[$0] }
        bread = factor
      } else {
        let loss = RectifiedLogisticLoss(covariates: x, labels: pseudo, weights: nil, names: names)
        let fit = try loss.minimizer(from: nil)
        if !fit.converged { notes.append(BiasKitError.logisticNotConvergedNote) }
        theta = fit.theta
        let mu = DesignPasses.products(x, theta).map(sigmoid)
        residuals = (0..<m).map { pseudo[$0] - mu[$0] }
        let curvature = DesignPasses.gram(x, coefficients: mu.map { $0 * (1 - $0) })
        bread = try CholeskyFactor.factored(
          curvature, dimension: d, names: names, rows: "labelled and unlabelled")
      }
      let meat = DesignPasses.gram(x, coefficients: residuals.map { $0 * $0 })
      let inverse = bread.inverse()
      let covariance = DenseAlgebra.sandwich(inverse, meat, d)
      let errors = (0..<d).map { covariance[$0 * d + $0].squareRoot() }
      parameters = PredictionPoweredInference.regressionParameters(sample, theta, errors, interval)
    case .quantile:
      throw BiasKitError.dslQuantile()
    }
    return Estimate(
      method: .designBased, estimand: estimand, parameters: parameters, alpha: interval.alpha,
      alternative: interval.alternative, labelledCount: n, unlabelledCount: bigN, notes: notes)
  }

  /// ĝ cross-fitted over all rows: rows of fold k are predicted by the learner trained on the
  /// labelled rows outside fold k.
  func crossFittedOutcome(
    _ sample: PredictionSample, folds: Int, learner: OutcomeLearner?, seed: UInt64,
    features: Matrix?, unlabelledFeatures: Matrix?
  ) throws -> [Double] {
    let n = sample.labelledCount
    let bigN = sample.unlabelledCount
    let m = n + bigN
    guard folds >= 2, folds <= n else { throw BiasKitError.foldsOutOfRange(folds, rows: n) }
    let labelledFeatures =
      features ?? Self.surrogateAndCovariates(sample.predictions, sample.covariates)
    let otherFeatures =
      unlabelledFeatures
      ?? Self.surrogateAndCovariates(sample.unlabelledPredictions, sample.unlabelledCovariates)
    guard labelledFeatures.rows == n, otherFeatures.rows == bigN else {
      throw BiasKitError.countMismatch(
        "feature rows", labelledFeatures.rows + otherFeatures.rows, expected: m, of: "rows")
    }
    guard labelledFeatures.columns == otherFeatures.columns else {
      throw BiasKitError.covariateWidthsDiffer(labelledFeatures.columns, otherFeatures.columns)
    }
    let all = Self.stacked(labelledFeatures, otherFeatures, bigN)
    try PredictionSample.checkFinite(
      all.values, "feature", set: "labelled and unlabelled", width: all.columns)
    let learner = learner ?? .automatic(for: sample.labels)
    let assignment = CrossFitting.foldAssignment(count: m, folds: folds, seed: seed)
    var outcome = [Double](repeating: 0, count: m)
    let names =
      all.columnNames.count == all.columns ? all.columnNames : (0..<all.columns).map { "f\($0)" }
    for k in 0..<folds {
      let train = (0..<n).filter { assignment[$0] != k }
      let held = (0..<m).filter { assignment[$0] == k }
      if held.isEmpty { continue }
      guard !train.isEmpty else { throw BiasKitError.foldsOutOfRange(folds, rows: n) }
      let out = try learner.fittedPredictions(
        features: all.rows(at: train), labels: train.map { sample.labels[$0] },
        targets: [all.rows(at: held)], names: names)
      for (position, i) in held.enumerated() { outcome[i] = out[0][position] }
    }
    return outcome
  }

  static func surrogateAndCovariates(_ surrogate: [Double], _ covariates: Matrix?) -> Matrix {
    guard let covariates else {
      return Matrix(columnVectors: [surrogate], columnNames: ["surrogate"])
    }
    var columns = [surrogate]
    for j in 0..<covariates.columns { columns.append(covariates.column(j)) }
    return Matrix(columnVectors: columns)
  }

  /// The labelled rows' matrix above the unlabelled rows'.
  static func stacked(_ top: Matrix, _ bottom: Matrix?, _ bottomRows: Int) -> Matrix {
    guard let bottom, bottomRows > 0 else { return top }
    return Matrix(
      rows: top.rows + bottom.rows, columns: top.columns, values: top.values + bottom.values,
      columnNames: top.columnNames)
  }
}

extension BiasKitError {
  static func dslQuantile() -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "design-based supervised learning estimates means and regression coefficients, not quantiles")
  }

  static func dslWeights() -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "design-based supervised learning takes no sample weights: the sampling probabilities weight the gold rows"
    )
  }
}
