import ArgumentParser
import BiasKit
import Foundation

/// `biaskit mitigate reweighing`: AIF360 Reweighing; with --test, the built-in learner fitted
/// with the new weights is evaluated.
struct ReweighingCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reweighing",
    abstract:
      "Reweigh (group, label) cells so that the label is independent of the group (AIF360 Reweighing)."
  )
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions

  func run() throws {
    let data = try input.load()
    let session = MitigationSession(
      method: "reweighing", input: input, output: output, data: data)
    try session.runPreprocessor(Reweighing()) { training in
      // One weight per training row.
      var csv = CSVWriter(header: ["row", "group", "label", "weight"])
      let labels = training.labels?.values ?? []
      let weights = training.weights ?? []
      let groups = data.trainGroups
      for i in weights.indices {
        csv.append([
          "\(i + 1)", groups.names[Int(groups.codes[i])], "\(labels[i])", "\(weights[i])",
        ])
      }
      return csv
    }
  }
}

/// `--output` of the pre-processors that transform the features (correlation remover,
/// disparate impact remover): the transformed training rows, their label and one column per
/// sensitive feature, as in the input.
func transformedTrainingCSV(
  _ training: Dataset, data: MitigationData, input: MitigationInputOptions
) -> CSVWriter {
  let sensitive = input.sensitiveColumns
  var csv = CSVWriter(header: data.train.featureNames + [input.target] + sensitive)
  let labels = training.labels?.values ?? []
  let groups = data.trainGroups
  let keys = groups.names.map { Groups.key(ofName: $0, features: sensitive.count) }
  let x = training.features
  for i in 0..<x.rows {
    csv.append(
      x.row(i).map { "\($0)" } + ["\(labels[i])"] + keys[Int(groups.codes[i])])
  }
  return csv
}

/// `biaskit mitigate correlation-remover`: fairlearn CorrelationRemover on the features, with
/// the sensitive groups as indicator columns.
struct CorrelationRemoverCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "correlation-remover",
    abstract:
      "Remove the linear correlation between the features and the sensitive groups (fairlearn CorrelationRemover)."
  )
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions
  @Option(help: "How much of the correlation to remove, in [0, 1].")
  var alpha: Double = 1

  func run() throws {
    let data = try input.load()
    let session = MitigationSession(
      method: "correlation-remover", input: input, output: output, data: data)
    try session.runPreprocessor(CorrelationRemover(alpha: alpha)) { [input] in
      transformedTrainingCSV($0, data: data, input: input)
    }
  }
}

/// `biaskit mitigate threshold-optimizer`: fairlearn ThresholdOptimizer on the score column or
/// the built-in learner's probabilities.
struct ThresholdOptimizerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "threshold-optimizer",
    abstract: "Group-specific randomised thresholds on scores (fairlearn ThresholdOptimizer).")
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions
  @Option(
    help:
      "demographic_parity, equalized_odds, true_positive_rate_parity, false_positive_rate_parity, true_negative_rate_parity or false_negative_rate_parity."
  )
  var constraint: ThresholdOptimizer.Constraint = .demographicParity
  @Option(
    help:
      "accuracy_score, balanced_accuracy_score, selection_rate, true_positive_rate or true_negative_rate."
  )
  var objective: ThresholdOptimizer.Objective = .accuracy
  @Option(help: "Grid intervals on [0, 1].")
  var gridSize: Int = 1000
  @Flag(help: "Also consider rules that predict 1 below a threshold.")
  var flip = false
  @Option(
    name: .customLong("tol"), parsing: .unconditional,
    help:
      "Relax the constraint: its rate may differ by at most this much across groups (>= 0; 0 = strict, as fairlearn's tol; not with equalized_odds)."
  )
  var tolerance: Double?

  func run() throws {
    let optimizer = ThresholdOptimizer(
      constraint: constraint, objective: objective, gridSize: gridSize, flip: flip,
      tolerance: tolerance)
    try optimizer.validate()
    let data = try input.load()
    try MitigationSession(method: "threshold-optimizer", input: input, output: output, data: data)
      .runPostprocessor(optimizer)
  }
}

/// `biaskit mitigate exponentiated-gradient`: fairlearn ExponentiatedGradient with the chosen
/// learner.
struct ExponentiatedGradientCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exponentiated-gradient",
    abstract:
      "Fairness-constrained training by reduction to weighted classification (fairlearn ExponentiatedGradient)."
  )
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions
  @OptionGroup var reductionConstraint: ReductionConstraintArguments
  @Option(help: "Allowed constraint violation of the result (fairlearn eps).")
  var eps: Double = 0.01
  @Option(help: "Maximum iterations.")
  var maxIter: Int = 50
  @Option(help: "Initial step size.")
  var eta0: Double = 2.0
  @Option(help: "Duality-gap threshold (default: chosen from the data, as fairlearn).")
  var nu: Double?
  @Option(
    help:
      "Control feature column(s), comma-separated: the parity must hold within each of their strata, not between them (fairlearn control_features). Not features."
  )
  var control: String?

  func run() throws {
    let constraint = try reductionConstraint.resolve()
    let data = try input.load(controlColumns: AuditInputOptions.split(control.map { [$0] } ?? []))
    try input.requireFeatures(data)
    try run(with: input.learner, constraint: constraint, data: data)
  }

  private func run<L: WeightedLearner>(
    with learner: L, constraint: ReductionConstraint, data: MitigationData
  ) throws {
    var reduction = ExponentiatedGradient(learner: learner, constraint: constraint)
    reduction.eps = eps
    reduction.maxIterations = maxIter
    reduction.eta0 = eta0
    reduction.nu = nu
    try MitigationSession(
      method: "exponentiated-gradient", input: input, output: output, data: data
    ).run(reduction)
  }
}

/// `biaskit mitigate grid-search`: fairlearn GridSearch with the chosen learner.
struct GridSearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grid-search",
    abstract:
      "Fit one learner per grid point of Lagrange multipliers and keep the best trade-off (fairlearn GridSearch)."
  )
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions
  @OptionGroup var reductionConstraint: ReductionConstraintArguments
  @Option(help: "Number of grid points.")
  var gridSize: Int = 10
  @Option(help: "Largest multiplier on the grid.")
  var gridLimit: Double = 2
  @Option(help: "Weight of the constraint violation when selecting the best point, in [0, 1].")
  var constraintWeight: Double = 0.5

  func run() throws {
    let constraint = try reductionConstraint.resolve()
    let data = try input.load()
    try input.requireFeatures(data)
    try run(with: input.learner, constraint: constraint, data: data)
  }

  private func run<L: WeightedLearner>(
    with learner: L, constraint: ReductionConstraint, data: MitigationData
  ) throws {
    var search = GridSearch(learner: learner, constraint: constraint)
    search.gridSize = gridSize
    search.gridLimit = gridLimit
    search.constraintWeight = constraintWeight
    try MitigationSession(method: "grid-search", input: input, output: output, data: data)
      .run(search)
  }
}

/// `biaskit mitigate worst-group`: group-DRO training of the chosen learner.
struct WorstGroupCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "worst-group",
    abstract: "Train the logistic regression to minimise the largest group loss (group DRO).")
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions
  @Option(help: "Rounds of the group-weight update.")
  var rounds: Int = 30
  @Option(help: "Step size of the group-weight update.")
  var stepSize: Double = 1

  func run() throws {
    let data = try input.load()
    try input.requireFeatures(data)
    try run(with: input.learner, data: data)
  }

  private func run<L: WeightedLearner>(with learner: L, data: MitigationData) throws {
    var training = WorstGroupTraining(learner: learner)
    training.rounds = rounds
    training.stepSize = stepSize
    try MitigationSession(method: "worst-group", input: input, output: output, data: data)
      .run(training)
  }
}

/// `biaskit mitigate fairness-regularized`: logistic regression with a disparity penalty
/// (specific to logistic regression: see ``FairnessRegularizedLogisticRegression``).
struct FairnessRegularizedCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fairness-regularized",
    abstract:
      "Train the logistic regression with loss + λ · (demographic-parity gap of its probabilities)²."
  )
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions
  @Option(help: "Weight λ of the disparity penalty.")
  var lambda: Double = 1

  func run() throws {
    guard input.learnerChoice == .logisticRegression else {
      throw BiasKitError(
        .invalidArgument,
        "fairness-regularized trains a logistic regression (its penalty needs the model's parameters); --learner \(input.learnerChoice.rawValue) is not supported"
      )
    }
    let data = try input.load()
    try input.requireFeatures(data)
    let learner = input.logisticRegression
    try MitigationSession(
      method: "fairness-regularized", input: input, output: output, data: data
    ).run(FairnessRegularizedLogisticRegression(learner: learner, fairnessWeight: lambda))
  }
}

/// The constraint options shared by `exponentiated-gradient` and `grid-search`.
struct ReductionConstraintArguments: ParsableArguments {
  @Option(
    help:
      "demographic_parity, equalized_odds, true_positive_rate_parity, false_positive_rate_parity, error_rate_parity or bounded_group_loss (with --upper-bound)."
  )
  var constraint: ReductionConstraint.Kind = .demographicParity
  @Option(help: "Allowed difference between a group's rate and the overall rate (default 0.01).")
  var differenceBound: Double?
  @Option(
    help:
      "Allowed ratio between a group's rate and the overall rate, in (0, 1] (instead of --difference-bound)."
  )
  var ratioBound: Double?
  @Option(help: "Slack of --ratio-bound.")
  var ratioBoundSlack: Double = 0
  @Option(help: "Largest allowed group error rate, for --constraint bounded_group_loss.")
  var upperBound: Double?

  /// The constraint the flags name; `bounded_group_loss` takes `--upper-bound`, the parities a
  /// difference or a ratio bound.
  func resolve() throws -> ReductionConstraint {
    if constraint == .boundedGroupLoss {
      guard upperBound != nil else {
        throw BiasKitError(
          .invalidArgument,
          "--constraint bounded_group_loss needs --upper-bound (the largest allowed group error rate)"
        )
      }
      if differenceBound != nil || ratioBound != nil {
        throw BiasKitError(
          .invalidArgument,
          "--constraint bounded_group_loss takes --upper-bound, not --difference-bound or --ratio-bound"
        )
      }
    } else if upperBound != nil {
      throw BiasKitError(
        .invalidArgument, "--upper-bound applies only to --constraint bounded_group_loss")
    }
    if differenceBound != nil && ratioBound != nil {
      throw BiasKitError(.invalidArgument, "give --difference-bound or --ratio-bound, not both")
    }
    let bound: UtilityParity.Bound =
      ratioBound.map { .ratio($0, slack: ratioBoundSlack) } ?? .difference(differenceBound ?? 0.01)
    return try ReductionConstraint(constraint, bound: bound, upperBound: upperBound)
  }
}
