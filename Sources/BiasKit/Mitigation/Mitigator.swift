/// A bias mitigation, configured as a value: fitted to a training ``Dataset`` it gives a
/// ``MitigatedModel`` that decides on other rows.
///
///     var reduction = ExponentiatedGradient(learner: LogisticRegression(),
///                                           constraint: .demographicParity())
///     reduction.eps = 0.02
///     let model = try reduction.fitted(to: train)
///     let p = try model.positiveProbabilities(on: test)        // expected P(ŷ = 1)
///     var rng = SeededGenerator(seed: 7)
///     let decisions = try model.predictions(on: test, using: &rng)
///
/// What each mitigation reads from the dataset:
///
/// | mitigation | reads | corresponds to |
/// |---|---|---|
/// | ``ExponentiatedGradient``, ``GridSearch`` | features, labels, groups (and control groups) | fairlearn reductions |
/// | ``WorstGroupTraining``, ``FairnessRegularizedLogisticRegression`` | features, labels, groups | fairness-aware training |
/// | ``ThresholdOptimizer``, ``RejectOptionClassification``, ``EqualizedOddsPostprocessing``, ``CalibratedEqualizedOdds`` | scores, labels, groups (and weights: AIF360's `instance_weights`) | fairlearn `prefit=True`, AIF360 post-processing |
/// | ``PostprocessedLearner`` | features (the learner's scores), then as its post-processor | fairlearn `prefit=False` |
/// | ``PreprocessedLearner`` (``Reweighing``, ``CorrelationRemover``, ``DisparateImpactRemover``) | as its pre-processor, then features, labels, weights | AIF360 / fairlearn pre-processing |
///
/// Conventions shared by every conformance (checked by one contract test suite):
/// - the training data must have binary labels and sensitive groups, both classes and at least
///   two groups (``Groups/occurring()``: only the combinations that have rows, as fairlearn's
///   mitigation techniques see several sensitive columns); otherwise fitting throws;
/// - a model applied to rows whose group it was not fitted on, or whose feature count differs
///   from the training data's, throws ``BiasKitError`` (never traps);
/// - random decisions come only from the generator passed in, so a seed reproduces them.
///
/// Beyond the sketch of issue 12, a mitigator also names the disparity it constrains
/// (``violation``), so reports of its expected outcome need no table of constraint names, and a
/// model gives its fitted state (``MitigatedModel/summary``) and its warnings.
///
/// - Complexity: that of the conforming algorithm.
public protocol Mitigator: Sendable {
  /// The fitted mitigation.
  associatedtype Model: MitigatedModel

  /// Fits the mitigation to the training rows `data`.
  ///
  /// - Throws: ``BiasKitError`` when `data` lacks what the mitigation reads (labels, groups,
  ///   scores), has one class or one group, or the configuration is invalid.
  func fitted(to data: Dataset) throws -> Model

  /// The expected disparity that reports of this mitigation's outcome quote as its violation
  /// (``MitigationOutcome/expectedViolation``): the rate its constraint equalises, or the
  /// demographic-parity gap for mitigations without a parity constraint.
  var violation: ExpectedOutcome.Violation { get }
}

extension Mitigator {
  /// The demographic-parity gap.
  public var violation: ExpectedOutcome.Violation { .demographicParity }
}

/// A fitted mitigation: the probability that it decides 1 for each row, and decisions drawn from
/// an injected generator.
///
/// - Complexity: that of the conforming model, O(n) or O(n · model) for n rows.
public protocol MitigatedModel: Sendable {
  /// `P(ŷ = 1)` for each row of `data`: 0 or 1 for a deterministic rule, the mixing probability
  /// of a randomised one (fairlearn's `_pmf_predict(X)[:, 1]`).
  ///
  /// - Throws: ``BiasKitError`` when `data` lacks what the model reads, has a group the model was
  ///   not fitted on, or another number of feature columns.
  func positiveProbabilities(on data: Dataset) throws -> [Double]

  /// One 0/1 decision per row of `data`; randomised rules draw from `generator` only.
  ///
  /// - Throws: as ``positiveProbabilities(on:)``.
  func predictions<G: RandomNumberGenerator>(
    on data: Dataset, using generator: inout G
  ) throws -> [UInt8]

  /// The fitted state as JSON (thresholds, weights, iterations, …), for reports.
  var summary: JSONValue { get }

  /// Problems of the fit worth telling the user (a learner that did not converge, a constraint
  /// not met on the training data, …).
  var warnings: [String] { get }
}

extension MitigatedModel {
  /// No warnings.
  public var warnings: [String] { [] }
}

/// A post-processor of scores: reads ``Dataset/scores`` (higher means more likely positive),
/// labels and groups. Give it a dataset with scores (fairlearn `prefit=True`), or wrap it in a
/// ``PostprocessedLearner`` to post-process the scores of a learner fitted first
/// (`prefit=False`).
///
/// - Complexity: that of the conforming post-processor.
public protocol ScorePostprocessor: Mitigator {}

/// How the shared run path turns already computed positive probabilities into decisions
/// without asking the model again (a model that does not conform is asked).
enum DecisionRule {
  /// Deterministic: every probability is 0 or 1.
  case deterministic
  /// `1[p ≥ U]`, `U ~ Uniform[0, 1)`, one draw per row in row order.
  case bernoulli
}

/// A model whose decisions follow a ``DecisionRule`` from its positive probabilities.
protocol DecidesByRule {
  var decisionRule: DecisionRule { get }
}

extension DecisionRule {
  /// The decisions for probabilities `p`.
  func decisions<G: RandomNumberGenerator>(_ p: [Double], using generator: inout G) -> [UInt8] {
    switch self {
    case .deterministic: return p.map { $0 >= 0.5 ? 1 : 0 }
    case .bernoulli: return bernoulliDecisions(p, using: &generator)
    }
  }
}

/// `1[p ≥ U]` with `U ~ Uniform[0, 1)` drawn from `generator`, one per row in order (fairlearn's
/// `predict(X, random_state=…)` with BiasKit's generator).
func bernoulliDecisions<G: RandomNumberGenerator>(
  _ probabilities: [Double], using generator: inout G
) -> [UInt8] {
  probabilities.map { $0 >= Double.random(in: 0..<1, using: &generator) ? 1 : 0 }
}

// MARK: - What a mitigation reads from a dataset

extension Dataset {
  /// The labels and the groups (occurring layout) a mitigation fits to, checked: labels and
  /// groups present, both classes, at least two groups.
  func mitigationTarget(_ algorithm: String) throws -> (labels: [UInt8], groups: Groups) {
    guard let labels = labels?.values else { throw BiasKitError.missingInput(algorithm, "labels") }
    guard let groups = groups?.occurring() else {
      throw BiasKitError.missingInput(algorithm, "sensitive groups")
    }
    guard groups.count >= 2 else { throw BiasKitError.oneSensitiveGroup(groups.names.first ?? "") }
    guard labels.contains(0) && labels.contains(1) else {
      throw BiasKitError.oneClassLabel(labels.first == 1 ? 1 : 0)
    }
    return (labels, groups)
  }

  /// The scores, required.
  func requiredScores(_ algorithm: String) throws -> [Double] {
    guard let scores else { throw BiasKitError.missingInput(algorithm, "scores") }
    return scores
  }

  /// The sensitive groups, required (any layout: models map them to their own groups by name).
  func requiredGroups(_ algorithm: String) throws -> Groups {
    guard let groups else { throw BiasKitError.missingInput(algorithm, "sensitive groups") }
    return groups
  }

  /// Checks the rows a model decides on: as many feature columns as it was fitted on, and, when
  /// the rows have groups, only groups it was fitted on.
  func checkApplicable(featureCount: Int, groupNames: [String], _ algorithm: String) throws {
    guard features.columns == featureCount else {
      throw BiasKitError.featureCountMismatch(algorithm, features.columns, featureCount)
    }
    if let groups { _ = try groups.occurring().codes(matching: groupNames) }
  }
}

extension BiasKitError {
  /// A mitigation's input lacks a role it reads.
  static func missingInput(_ algorithm: String, _ what: String) -> BiasKitError {
    BiasKitError(.invalidArgument, "\(algorithm): the data has no \(what)")
  }

  /// A model is applied to rows with another number of feature columns.
  static func featureCountMismatch(
    _ algorithm: String, _ got: Int, _ expected: Int
  )
    -> BiasKitError
  {
    BiasKitError(
      .invalidArgument,
      "\(algorithm): the data has \(got) feature columns; the model was fitted on \(expected)")
  }
}

// MARK: - JSON helpers of the summaries

extension JSONValue {
  /// An object of numbers keyed by group name.
  static func byGroup(_ names: [String], _ values: [Double]) -> JSONValue {
    .object(zip(names, values).map { ($0, .number($1)) })
  }

  /// The members of an object (none for another value).
  var members: [(String, JSONValue)] {
    if case .object(let members) = self { return members }
    return []
  }
}
