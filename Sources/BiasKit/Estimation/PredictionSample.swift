/// The data of prediction-powered inference: n gold-labelled rows with the model's predictions
/// on them, and N unlabelled rows with predictions only (the notation of ppi_py: `Y`, `Yhat`,
/// `Yhat_unlabeled`, `X`, `X_unlabeled`, `w`, `w_unlabeled`).
///
/// Covariates are needed by the regression estimands; weights are optional and are rescaled
/// to sum to the row count of their set (`w / Σw · n`, ppi_py's `construct_weight_vector`).
/// ``samplingProbabilities`` are the known probabilities with which each labelled row was
/// chosen for gold labelling, used by ``DesignBasedSupervisedLearning``.
///
/// Every estimator validates the sample once (``validate(for:unlabelled:)``) and then works
/// on trusted arrays.
public struct PredictionSample: Sendable {
  /// Gold labels Y of the labelled rows.
  public var labels: [Double]
  /// Predictions Ŷ on the labelled rows.
  public var predictions: [Double]
  /// Predictions Ŷ on the unlabelled rows.
  public var unlabelledPredictions: [Double]
  /// Covariates X of the labelled rows (n × d), for the regressions.
  public var covariates: Matrix?
  /// Covariates of the unlabelled rows (N × d).
  public var unlabelledCovariates: Matrix?
  /// Sample weights of the labelled rows.
  public var weights: [Double]?
  /// Sample weights of the unlabelled rows.
  public var unlabelledWeights: [Double]?
  /// P(row chosen for gold labelling) of each labelled row, in (0, 1] (DSL's π).
  public var samplingProbabilities: [Double]?

  public init(
    labels: [Double], predictions: [Double], unlabelledPredictions: [Double],
    covariates: Matrix? = nil, unlabelledCovariates: Matrix? = nil,
    weights: [Double]? = nil, unlabelledWeights: [Double]? = nil,
    samplingProbabilities: [Double]? = nil
  ) {
    self.labels = labels
    self.predictions = predictions
    self.unlabelledPredictions = unlabelledPredictions
    self.covariates = covariates
    self.unlabelledCovariates = unlabelledCovariates
    self.weights = weights
    self.unlabelledWeights = unlabelledWeights
    self.samplingProbabilities = samplingProbabilities
  }

  /// Number of labelled rows n.
  public var labelledCount: Int { labels.count }
  /// Number of unlabelled rows N.
  public var unlabelledCount: Int { unlabelledPredictions.count }
  /// Number of covariates d (0 without covariates).
  public var covariateCount: Int { covariates?.columns ?? 0 }

  /// The names of the coefficients: the covariates' column names, or `x0`, `x1`, ….
  public var covariateNames: [String] {
    guard let covariates else { return [] }
    if covariates.columnNames.count == covariates.columns { return covariates.columnNames }
    return (0..<covariates.columns).map { "x\($0)" }
  }

  /// The same sample restricted to some labelled and unlabelled rows (a group).
  public func rows(labelled: [Int], unlabelled: [Int]) -> PredictionSample {
    PredictionSample(
      labels: labelled.map { labels[$0] },
      predictions: labelled.map { predictions[$0] },
      unlabelledPredictions: unlabelled.map { unlabelledPredictions[$0] },
      covariates: covariates?.rows(at: labelled),
      unlabelledCovariates: unlabelledCovariates?.rows(at: unlabelled),
      weights: weights.map { w in labelled.map { w[$0] } },
      unlabelledWeights: unlabelledWeights.map { w in unlabelled.map { w[$0] } },
      samplingProbabilities: samplingProbabilities.map { p in labelled.map { p[$0] } })
  }

  /// The predictions and covariates swapped in as labels: the data of the naive estimate.
  var imputed: PredictionSample {
    PredictionSample(
      labels: unlabelledPredictions, predictions: unlabelledPredictions,
      unlabelledPredictions: [], covariates: unlabelledCovariates, weights: unlabelledWeights)
  }

  /// Checks what `estimand` needs, once: sizes agree, values are finite, weights are
  /// non-negative with a positive sum, covariates are present and of one width, there are more
  /// labelled rows than covariates, and for the logistic regression the labels are 0 or 1 and
  /// the predictions lie in [0, 1]. With `unlabelled`, the unlabelled rows must be there too.
  ///
  /// - Throws: ``BiasKitError`` naming the set, row (1-based) and value at fault.
  public func validate(for estimand: Estimand, unlabelled: Bool = true) throws {
    try validate(for: estimand, unlabelled: unlabelled, labelledName: "labelled")
  }

  /// ``validate(for:unlabelled:)`` calling the labelled rows `labelledName` in messages (the
  /// naive estimate validates the unlabelled rows in their place).
  func validate(for estimand: Estimand, unlabelled: Bool, labelledName: String) throws {
    let n = labels.count
    guard n > 0 else { throw BiasKitError.noLabelledRows() }
    try Self.checkCount(predictions.count, n, "predictions", "\(labelledName) rows")
    try Self.checkFinite(labels, "label", set: labelledName)
    try Self.checkFinite(predictions, "prediction", set: labelledName)
    if let weights {
      try Self.checkCount(weights.count, n, "weights", "\(labelledName) rows")
      try Self.checkWeights(weights, set: labelledName)
    }
    if unlabelled {
      guard !unlabelledPredictions.isEmpty else { throw BiasKitError.noUnlabelledRows() }
      try Self.checkFinite(unlabelledPredictions, "prediction", set: "unlabelled")
      if let unlabelledWeights {
        try Self.checkCount(
          unlabelledWeights.count, unlabelledPredictions.count, "weights", "unlabelled rows")
        try Self.checkWeights(unlabelledWeights, set: "unlabelled")
      }
    }
    switch estimand {
    case .quantile(let q):
      guard q > 0, q < 1 else { throw BiasKitError.quantileOutOfRange(q) }
    case .mean:
      break
    case .linearRegression, .logisticRegression:
      guard let covariates else { throw BiasKitError.covariatesRequired(estimand) }
      try Self.checkCount(covariates.rows, n, "covariate rows", "labelled rows")
      guard covariates.columns > 0 else { throw BiasKitError.covariatesRequired(estimand) }
      guard n >= covariates.columns + 1 else {
        throw BiasKitError.tooFewLabelledRows(n, covariates: covariates.columns)
      }
      try Self.checkFinite(
        covariates.values, "covariate", set: "labelled", width: covariates.columns)
      if unlabelled {
        guard let other = unlabelledCovariates else {
          throw BiasKitError.covariatesRequired(estimand, set: "unlabelled")
        }
        try Self.checkCount(
          other.rows, unlabelledPredictions.count, "covariate rows", "unlabelled rows")
        guard other.columns == covariates.columns else {
          throw BiasKitError.covariateWidthsDiffer(covariates.columns, other.columns)
        }
        try Self.checkFinite(other.values, "covariate", set: "unlabelled", width: other.columns)
      }
      if case .logisticRegression = estimand {
        for (i, y) in labels.enumerated() where y != 0 && y != 1 {
          throw BiasKitError.labelNotBinary(y, row: i)
        }
        for (i, p) in predictions.enumerated() where !(0...1).contains(p) {
          throw BiasKitError.predictionOutsideUnitInterval(p, row: i, set: "labelled")
        }
        if unlabelled {
          for (i, p) in unlabelledPredictions.enumerated() where !(0...1).contains(p) {
            throw BiasKitError.predictionOutsideUnitInterval(p, row: i, set: "unlabelled")
          }
        }
      }
    }
  }

  /// Checks ``samplingProbabilities``: one per labelled row, each in (0, 1].
  func validateSamplingProbabilities() throws {
    guard let samplingProbabilities else { throw BiasKitError.samplingProbabilitiesRequired() }
    try Self.checkCount(
      samplingProbabilities.count, labels.count, "sampling probabilities", "labelled rows")
    for (i, p) in samplingProbabilities.enumerated() where !(p > 0 && p <= 1) {
      throw BiasKitError.samplingProbabilityOutOfRange(p, row: i)
    }
  }

  static func checkCount(_ count: Int, _ expected: Int, _ what: String, _ of: String) throws {
    guard count == expected else {
      throw BiasKitError.countMismatch(what, count, expected: expected, of: of)
    }
  }

  static func checkFinite(_ values: [Double], _ what: String, set: String, width: Int = 1) throws {
    for (i, v) in values.enumerated() where !v.isFinite {
      throw BiasKitError.notFinite(what, v, row: i / width, set: set)
    }
  }

  static func checkWeights(_ weights: [Double], set: String) throws {
    var total = 0.0
    for (i, w) in weights.enumerated() {
      guard w.isFinite, w >= 0 else { throw BiasKitError.badWeight(w, row: i, set: set) }
      total += w
    }
    guard total > 0 else { throw BiasKitError.zeroWeights(set: set) }
  }
}

/// Weights rescaled to sum to their count, `w / Σw · n` (ppi_py's `construct_weight_vector`);
/// `nil` stays `nil` (all ones).
func rescaledWeights(_ weights: [Double]?) -> [Double]? {
  guard let weights else { return nil }
  var total = 0.0
  for w in weights { total += w }
  let n = Double(weights.count)
  return weights.map { $0 / total * n }
}

extension BiasKitError {
  static func noLabelledRows() -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "there are no labelled rows: every estimator needs gold labels on some rows")
  }

  static func noUnlabelledRows() -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "there are no unlabelled rows: prediction-powered inference needs predictions on rows without gold labels (use the classical estimator)"
    )
  }

  static func countMismatch(
    _ what: String, _ count: Int, expected: Int, of: String
  )
    -> BiasKitError
  {
    BiasKitError(.invalidArgument, "\(count) \(what) for \(expected) \(of)")
  }

  static func notFinite(_ what: String, _ value: Double, row: Int, set: String) -> BiasKitError {
    BiasKitError(
      .invalidValue, "\(set) row \(row + 1): the \(what) \(value) is not a finite number")
  }

  static func badWeight(_ value: Double, row: Int, set: String) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "\(set) row \(row + 1): the weight \(value) is not a finite non-negative number")
  }

  static func zeroWeights(set: String) -> BiasKitError {
    BiasKitError(.degenerateData, "the weights of the \(set) rows are all zero")
  }

  static func quantileOutOfRange(_ q: Double) -> BiasKitError {
    BiasKitError(.invalidArgument, "the quantile level must be in (0, 1); got \(q)")
  }

  static func covariatesRequired(_ estimand: Estimand, set: String = "labelled") -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "the \(estimand) estimand needs covariates on the \(set) rows (at least one column)")
  }

  static func covariateWidthsDiffer(_ labelled: Int, _ unlabelled: Int) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "the labelled rows have \(labelled) covariates and the unlabelled rows \(unlabelled)")
  }

  static func tooFewLabelledRows(
    _ n: Int, covariates d: Int, rows: String = "labelled"
  )
    -> BiasKitError
  {
    BiasKitError(
      .degenerateData,
      "\(n) \(rows) rows for \(d) covariates: a regression needs at least covariates + 1 = \(d + 1) \(rows) rows"
    )
  }

  static func labelNotBinary(_ value: Double, row: Int) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "labelled row \(row + 1): the label \(value) is not 0 or 1 (the logistic estimand needs 0/1 labels)"
    )
  }

  static func predictionOutsideUnitInterval(
    _ value: Double, row: Int, set: String
  )
    -> BiasKitError
  {
    BiasKitError(
      .invalidValue,
      "\(set) row \(row + 1): the prediction \(value) is outside [0, 1] (the logistic estimand needs probabilities or 0/1 predictions)"
    )
  }

  static func samplingProbabilitiesRequired() -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "design-based supervised learning needs the sampling probability of every labelled row")
  }

  static func samplingProbabilityOutOfRange(_ value: Double, row: Int) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "labelled row \(row + 1): the sampling probability \(value) is not in (0, 1]")
  }
}
