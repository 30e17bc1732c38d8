/// The expected outcome of a mitigated model on one set of rows, with the violation its
/// mitigation is judged by: what `biaskit mitigate` reports for the training and test rows.
///
///     expected_violation = outcome.value(of: violation)      (ExpectedOutcome.Violation)
///
/// With the rows' instance weights every mean is weighted and ``weighted`` says so.
///
/// - Complexity: O(n) to build.
public struct MitigationOutcome: Sendable {
  /// Number of rows.
  public let rows: Int
  /// Expected accuracy, selection rate and gaps.
  public let expected: ExpectedOutcome
  /// The gap quoted as the violation.
  public let violation: ExpectedOutcome.Violation
  /// Whether the means are weighted by instance weights.
  public let weighted: Bool

  /// The outcome of probabilities `p` of deciding 1 against 0/1 `labels` in `groups`.
  ///
  /// - Throws: ``BiasKitError`` when the lengths differ or a label is not 0 or 1.
  public init(
    probabilities p: [Double], labels: [UInt8], groups: Groups, weights: [Double]? = nil,
    violation: ExpectedOutcome.Violation
  ) throws {
    rows = p.count
    expected = try ExpectedOutcome(
      probabilities: p, labels: labels, groups: groups, weights: weights)
    self.violation = violation
    weighted = weights != nil
  }

  /// The expected gap of ``violation``.
  public var expectedViolation: Double { expected.value(of: violation) }

  /// `rows`, `expected_accuracy`, `expected_selection_rate`, `expected_violation`,
  /// `violation_kind`, `expected_demographic_parity_difference`,
  /// `expected_equalized_odds_difference`, `expected_selection_rate_by_group` and `weighted`.
  public var json: JSONValue {
    .object([
      ("rows", .integer(rows)), ("expected_accuracy", .number(expected.accuracy)),
      ("expected_selection_rate", .number(expected.selectionRate)),
      ("expected_violation", .number(expectedViolation)),
      ("violation_kind", .string(violation.rawValue)),
      ("expected_demographic_parity_difference", .number(expected.demographicParityDifference)),
      ("expected_equalized_odds_difference", .number(expected.equalizedOddsDifference)),
      (
        "expected_selection_rate_by_group",
        .byGroup(expected.groupNames, expected.selectionRateByGroup)
      ),
      ("weighted", .bool(weighted)),
    ])
  }
}

/// A mitigation fitted on the training rows of a ``MitigationData`` and evaluated: its
/// outcomes on the training and test rows, and its probabilities and decisions on the
/// evaluated rows (the test rows when there are some, else the training rows).
///
///     let run = try data.run(ExponentiatedGradient(constraint: .equalizedOdds()), seed: 7)
///     run.test?.expectedViolation                      // equalized-odds gap on the test rows
///     run.predictions                                  // seeded draws on the test rows
///
/// The one path every `biaskit mitigate METHOD` takes.
///
/// - Complexity: one fit, plus one evaluation of the model on the training rows and one on the
///   test rows.
public struct MitigationRun<Model: MitigatedModel>: Sendable {
  /// The fitted model.
  public let model: Model
  /// The outcome on the training rows (weighted by their instance weights, if any).
  public let train: MitigationOutcome
  /// The outcome on the test rows, if any.
  public let test: MitigationOutcome?
  /// The rows decided on: the test rows, else the training rows.
  public let evaluated: Dataset
  /// Their groups in the training table.
  public let evaluatedGroups: Groups
  /// `P(ŷ = 1)` of each evaluated row.
  public let probabilities: [Double]
  /// The model's decision for each evaluated row, drawn from `SeededGenerator(seed:)`.
  public let predictions: [UInt8]
}

extension MitigationData {
  /// Fits `mitigator` to the training rows and evaluates it; random decisions come from
  /// `SeededGenerator(seed: seed)`.
  ///
  /// - Throws: as the mitigator and its model do.
  public func run<M: Mitigator>(_ mitigator: M, seed: UInt64) throws -> MitigationRun<M.Model> {
    let model = try mitigator.fitted(to: train)
    let trainProbabilities = try model.positiveProbabilities(on: train)
    let trainOutcome = try MitigationOutcome(
      probabilities: trainProbabilities, labels: train.labels?.values ?? [],
      groups: trainGroups, weights: train.weights, violation: mitigator.violation)
    var testOutcome: MitigationOutcome?
    var probabilities = trainProbabilities
    if let test, let testGroups {
      probabilities = try model.positiveProbabilities(on: test)
      testOutcome = try MitigationOutcome(
        probabilities: probabilities, labels: test.labels?.values ?? [], groups: testGroups,
        weights: test.weights, violation: mitigator.violation)
    }
    let (rows, groups) = evaluated
    var generator = SeededGenerator(seed: seed)
    let predictions: [UInt8]
    if let rule = (model as? DecidesByRule)?.decisionRule {
      predictions = rule.decisions(probabilities, using: &generator)
    } else {
      predictions = try model.predictions(on: rows, using: &generator)
    }
    return MitigationRun(
      model: model, train: trainOutcome, test: testOutcome, evaluated: rows,
      evaluatedGroups: groups, probabilities: probabilities, predictions: predictions)
  }

  /// Decisions of the unmitigated model on `rows`: `1[score ≥ 0.5]` when the rows have scores,
  /// else `learner` fitted to the training features and labels (no weights), predicting.
  ///
  /// - Throws: as the learner does.
  public func baselinePredictions<Learner: WeightedLearner>(
    on rows: Dataset, learner: Learner
  ) throws -> [UInt8] {
    if let scores = rows.scores { return scores.map { $0 >= 0.5 ? 1 : 0 } }
    let model = try learner.fitted(features: train.features, labels: train.labels?.values ?? [])
    return model.predictions(rows.features)
  }
}

/// A model that mixes, or chose among, candidate predictors (a reduction's): their hard
/// predictions and weights, for the accuracy-versus-disparity trade-off of a report.
///
/// - Complexity: one prediction of every candidate.
public protocol CandidatePredictors {
  /// Each candidate's hard predictions on the rows and its weight in the model.
  ///
  /// - Throws: when the rows do not fit the model (see ``MitigatedModel``).
  func candidates(on data: Dataset) throws -> [(predictions: [UInt8], weight: Double)]
}

extension ExponentiatedGradient.Model: CandidatePredictors {
  /// The predictors of the randomised classifier and their weights `Q_t`.
  public func candidates(on data: Dataset) throws -> [(predictions: [UInt8], weight: Double)] {
    try data.checkApplicable(
      featureCount: featureCount, groupNames: groupNames, "ExponentiatedGradient")
    return classifier.candidatePredictions(data.features)
  }
}

extension GridSearch.Model: CandidatePredictors {
  /// Every grid point's predictor, the selected one with weight 1.
  public func candidates(on data: Dataset) throws -> [(predictions: [UInt8], weight: Double)] {
    try data.checkApplicable(featureCount: featureCount, groupNames: groupNames, "GridSearch")
    return candidatePredictions(data.features)
  }
}

extension MitigationRun {
  /// Accuracy and disparity (the mitigation's ``MitigationOutcome/violation``) of each candidate
  /// predictor on the evaluated rows, and those of the chosen model's probabilities, when the
  /// model has candidates (``CandidatePredictors``); nil otherwise.
  ///
  /// - Complexity: one evaluation of every candidate on the evaluated rows.
  public func tradeOff() throws -> (
    candidates: [MitigationComparison.Candidate], chosen: (accuracy: Double, disparity: Double)
  )? {
    guard let model = model as? CandidatePredictors else { return nil }
    let labels = evaluated.labels?.values ?? []
    let violation = train.violation
    func point(_ p: [Double]) throws -> (accuracy: Double, disparity: Double) {
      let o = try ExpectedOutcome(probabilities: p, labels: labels, groups: evaluatedGroups)
      return (o.accuracy, o.value(of: violation))
    }
    let candidates = try model.candidates(on: evaluated).map { predictions, weight in
      let (accuracy, disparity) = try point(predictions.map(Double.init))
      return MitigationComparison.Candidate(
        accuracy: accuracy, disparity: disparity, weight: weight)
    }
    return (candidates, try point(probabilities))
  }

  /// The audit of the evaluated rows' decisions before mitigation (``baseline``) and after (the
  /// run's ``predictions``).
  ///
  /// - Throws: when the audit cannot be computed.
  public func audit(baseline: [UInt8]) throws -> MitigationAudit {
    try MitigationAudit(
      labels: evaluated.labels?.values ?? [], groups: evaluatedGroups, before: baseline,
      after: predictions, source: evaluated.name)
  }
}

/// The audit of `biaskit audit` (confusion metrics, differences, fairness scalars) of the same
/// rows' decisions before mitigation and after, with the same groups: what `--then-audit` and
/// the mitigation report show side by side.
///
/// - Complexity: two audits, O(n) each.
public struct MitigationAudit: Sendable {
  /// The metrics audited.
  public static let metrics: [Metric] = Metric.confusionMetrics
  /// The audit of the unmitigated decisions.
  public let before: AuditReport
  /// The audit of the mitigated decisions.
  public let after: AuditReport
  /// The name of the rows' source (the test file, else the training file).
  public let source: String

  /// Audits decisions `before` and `after` of rows with 0/1 `labels` in `groups`.
  ///
  /// - Throws: when the lengths differ or a label is not 0 or 1.
  public init(
    labels: [UInt8], groups: Groups, before: [UInt8], after: [UInt8], source: String
  ) throws {
    func report(_ predictions: [UInt8]) throws -> AuditReport {
      AuditReport(
        frame: try MetricFrame(
          metrics: MitigationAudit.metrics,
          data: .classification(labels: labels, predictions: predictions), sensitive: groups))
    }
    self.before = try report(before)
    self.after = try report(after)
    self.source = source
  }

  /// `{"before": …, "after": …}`, each the audit's JSON (``AuditReport/json()``).
  public var json: JSONValue { .object([("before", before.json()), ("after", after.json())]) }
}
