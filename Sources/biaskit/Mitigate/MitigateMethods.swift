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
    let model = try Reweighing().fitted(labels: data.train.labels, groups: data.train.groups)
    let weights = try model.weights(labels: data.train.labels, groups: data.train.groups)
    var factors: [String: [String: Double]] = [:]
    for (a, name) in model.groupNames.enumerated() {
      factors[name] = ["0": model.factors[a][0], "1": model.factors[a][1]]
    }
    var warnings: [String] = []
    var result = MitigationResult(method: "reweighing", fitted: ["weights": factors], warnings: [])
    if data.train.features.columns > 0 {
      let lr = try data.fitLearner(input.learner, weights: weights, warnings: &warnings)
      result.train = outcomeJSON(
        lr.predictions(data.train.features).map(Double.init), data.train,
        violation: "demographic_parity")
      if let test = data.test {
        let p = lr.predictions(test.features).map(Double.init)
        result.test = outcomeJSON(p, test, violation: "demographic_parity")
        result.probabilities = p
        result.predictions = p.map { UInt8($0) }
        result.predictionSet = test
      }
    }
    result.warnings = warnings
    if let path = output.output {
      var text = "row,group,label,weight\n"
      for i in 0..<weights.count {
        text +=
          "\(i + 1),\(CSVText.escape(model.groupNames[Int(data.train.groups.codes[i])])),\(data.train.labels[i]),\(weights[i])\n"
      }
      try AtomicFileWriter.write(text, to: path)
      var rest = output
      rest.output = nil
      try result.emit(rest, data: data, learner: input.learner)
    } else {
      try result.emit(output, data: data, learner: input.learner)
    }
  }
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
    // Sensitive indicators (all groups but the first) appended after the features.
    func augmented(_ set: MitigationSet) -> Matrix {
      let k = set.groups.count - 1
      var m = Matrix(rows: 0, columns: set.features.columns + k)
      for i in 0..<set.features.rows {
        var row = Array(set.features.row(i))
        for g in 1...k { row.append(Int(set.groups.codes[i]) == g ? 1 : 0) }
        m.appendRow(row)
      }
      return m
    }
    let k = data.train.groups.count - 1
    let p = data.train.features.columns
    let x = augmented(data.train)
    let model = try CorrelationRemover(alpha: alpha).fitted(x, sensitiveColumns: Array(p..<(p + k)))
    let out = try model.transform(x)
    var result = MitigationResult(
      method: "correlation-remover",
      fitted: ["alpha": alpha, "beta_norm": model.beta.map { $0 * $0 }.reduce(0, +).squareRoot()],
      warnings: [])
    try emitTransformed(
      &result, train: out,
      test: p > 0 ? try data.test.map { try model.transform(augmented($0)) } : nil,
      data: data, input: input, output: output)
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
  var constraint: String = "demographic_parity"
  @Option(
    help:
      "accuracy_score, balanced_accuracy_score, selection_rate, true_positive_rate or true_negative_rate."
  )
  var objective: String = "accuracy_score"
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
    guard let c = ThresholdOptimizer.Constraint(rawValue: constraint) else {
      throw BiasKitError(
        .invalidArgument,
        "unknown --constraint '\(constraint)'; expected one of \(ThresholdOptimizer.Constraint.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
    guard let o = ThresholdOptimizer.Objective(rawValue: objective) else {
      throw BiasKitError(
        .invalidArgument,
        "unknown --objective '\(objective)'; expected one of \(ThresholdOptimizer.Objective.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
    let optimizer = ThresholdOptimizer(
      constraint: c, objective: o, gridSize: gridSize, flip: flip, tolerance: tolerance)
    try optimizer.validate()
    let data = try input.load()
    var warnings: [String] = []
    let scores = try data.scores(learner: input.learner, warnings: &warnings)
    let model =
      try optimizer
      .fitted(scores: scores.train, labels: data.train.labels, groups: data.train.groups)
    var rules: [String: Any] = [:]
    for (a, name) in model.groupNames.enumerated() {
      let r = model.rules[a]
      var rule: [String: Any] = [
        "p0": r.p0, "operation0": r.operation0.description, "p1": r.p1,
        "operation1": r.operation1.description,
      ]
      if let pi = r.pIgnore { rule["p_ignore"] = pi }
      if let pc = r.predictionConstant { rule["prediction_constant"] = pc }
      rules[name] = rule
    }
    let violation = c.rawValue
    var fitted: [String: Any] = [
      "constraint": constraint, "objective": objective, "grid_size": gridSize, "flip": flip,
      "interpolation": rules, "best_rate": model.bestRate,
    ]
    fitted["tol"] = tolerance.map { $0.isFinite ? $0 as Any : "inf" } ?? NSNull()
    if tolerance != nil {
      fitted["rates"] = Dictionary(uniqueKeysWithValues: zip(model.groupNames, model.groupRates))
      fitted["rate_range"] = model.rateRange
    }
    var result = MitigationResult(method: "threshold-optimizer", fitted: fitted, warnings: warnings)
    let pTrain = try model.positiveProbabilities(scores: scores.train, groups: data.train.groups)
    result.train = outcomeJSON(pTrain, data.train, violation: violation)
    var generator = SeededGenerator(seed: output.seed)
    if let test = data.test, let testScores = scores.test {
      let p = try model.positiveProbabilities(scores: testScores, groups: test.groups)
      result.test = outcomeJSON(p, test, violation: violation)
      result.probabilities = p
      result.predictions = try model.predictions(
        scores: testScores, groups: test.groups, using: &generator)
      result.predictionSet = test
    } else {
      result.probabilities = pTrain
      result.predictions = try model.predictions(
        scores: scores.train, groups: data.train.groups, using: &generator)
      result.predictionSet = data.train
    }
    try result.emit(output, data: data, learner: input.learner)
  }
}

/// `biaskit mitigate exponentiated-gradient`: fairlearn ExponentiatedGradient with the built-in
/// logistic regression.
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
    let reduction = try reductionConstraint.resolve()
    let constraint = reductionConstraint.constraint
    let controlColumns = AuditInputOptions.split(control.map { [$0] } ?? [])
    let data = try input.load(controlColumns: controlColumns)
    try data.requireFeatures()
    var eg = ExponentiatedGradient(learner: input.learner, constraint: reduction)
    eg.eps = eps
    eg.maxIterations = maxIter
    eg.eta0 = eta0
    eg.nu = nu
    let model = try eg.fitted(
      features: data.train.features, labels: data.train.labels, groups: data.train.groups,
      controls: data.train.controls)
    let violation = constraint
    let pTrain = model.classifier.positiveProbabilities(data.train.features)
    var warnings = model.warnings
    let trainOutcome = outcomeJSON(pTrain, data.train, violation: violation)
    // (With control features the parity holds within strata only; the overall gap may be larger.)
    if controlColumns.isEmpty, case .parity(let parity) = reduction,
      case .difference(let d) = parity.bound,
      constraint == "demographic_parity" || constraint == "equalized_odds",
      let v = trainOutcome["expected_violation"] as? Double, v > d + eps + 1e-9
    {
      warnings.append(
        "the constraint is not met on the training data: expected \(violation) violation \(v) > bound \(d) + eps \(eps)"
      )
    }
    var result = MitigationResult(
      method: "exponentiated-gradient",
      fitted: [
        "constraint": constraint, "weights": model.classifier.weights,
        "predictors": model.classifier.predictors.count,
        "best_gap": model.bestGap, "last_iter": model.lastIteration,
        "best_iter": model.bestIteration, "n_oracle_calls": model.oracleCalls, "nu": model.nu,
        "control_features": controlColumns,
      ],
      warnings: warnings)
    result.train = trainOutcome
    var generator = SeededGenerator(seed: output.seed)
    let target = data.test ?? data.train
    let p =
      target.path == data.train.path && data.test == nil
      ? pTrain : model.classifier.positiveProbabilities(target.features)
    if data.test != nil { result.test = outcomeJSON(p, target, violation: violation) }
    result.probabilities = p
    result.predictions = p.map { $0 >= Double.random(in: 0..<1, using: &generator) ? 1 : 0 }
    result.predictionSet = target
    if output.report != nil {
      result.tradeOff = tradeOff(
        model.classifier.predictors.map { $0.predictions(target.features) },
        weights: model.classifier.weights, chosen: p, set: target, violation: violation)
    }
    try result.emit(output, data: data, learner: input.learner)
  }
}

enum ReductionConstraintOptions {
  /// `--constraint` with its bounds; `bounded_group_loss` takes `--upper-bound`.
  static func constraint(
    _ constraint: String, differenceBound: Double?, ratioBound: Double?, slack: Double,
    upperBound: Double?
  ) throws -> ReductionConstraint {
    if constraint == "bounded_group_loss" {
      guard let upperBound else {
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
      return .boundedGroupLoss(BoundedGroupLoss(upperBound: upperBound))
    }
    if upperBound != nil {
      throw BiasKitError(
        .invalidArgument, "--upper-bound applies only to --constraint bounded_group_loss")
    }
    return .parity(
      try parity(constraint, differenceBound: differenceBound, ratioBound: ratioBound, slack: slack)
    )
  }

  static func parity(
    _ constraint: String, differenceBound: Double?, ratioBound: Double?, slack: Double
  ) throws -> UtilityParity {
    if differenceBound != nil && ratioBound != nil {
      throw BiasKitError(.invalidArgument, "give --difference-bound or --ratio-bound, not both")
    }
    let bound: UtilityParity.Bound =
      ratioBound.map { .ratio($0, slack: slack) } ?? .difference(differenceBound ?? 0.01)
    switch constraint {
    case "demographic_parity": return .demographicParity(bound)
    case "equalized_odds": return .equalizedOdds(bound)
    case "true_positive_rate_parity": return .truePositiveRateParity(bound)
    case "false_positive_rate_parity": return .falsePositiveRateParity(bound)
    case "error_rate_parity": return .errorRateParity(bound)
    default:
      throw BiasKitError(
        .invalidArgument,
        "unknown --constraint '\(constraint)'; expected demographic_parity, equalized_odds, true_positive_rate_parity, false_positive_rate_parity, error_rate_parity or bounded_group_loss"
      )
    }
  }
}

/// `biaskit mitigate grid-search`: fairlearn GridSearch with the built-in logistic regression.
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
    let reduction = try reductionConstraint.resolve()
    let constraint = reductionConstraint.constraint
    let data = try input.load()
    try data.requireFeatures()
    var gs = GridSearch(learner: input.learner, constraint: reduction)
    gs.gridSize = gridSize
    gs.gridLimit = gridLimit
    gs.constraintWeight = constraintWeight
    let model = try gs.fitted(
      features: data.train.features, labels: data.train.labels, groups: data.train.groups)
    let violation = constraint
    var result = MitigationResult(
      method: "grid-search",
      fitted: [
        "constraint": constraint, "best_idx": model.bestIndex,
        "lambda_best": model.lambdas[model.bestIndex],
        "predictors": model.predictors.count, "errors": model.errors,
      ],
      warnings: model.warnings)
    result.train = outcomeJSON(
      model.predictions(data.train.features).map(Double.init), data.train, violation: violation)
    let target = data.test ?? data.train
    let p = model.predictions(target.features).map(Double.init)
    if data.test != nil { result.test = outcomeJSON(p, target, violation: violation) }
    result.probabilities = p
    result.predictions = p.map { UInt8($0) }
    result.predictionSet = target
    if output.report != nil {
      var weights = [Double](repeating: 0, count: model.predictors.count)
      weights[model.bestIndex] = 1
      result.tradeOff = tradeOff(
        model.predictors.map { $0.predictions(target.features) }, weights: weights,
        chosen: p, set: target, violation: violation)
    }
    try result.emit(output, data: data, learner: input.learner)
  }
}

/// Accuracy and disparity of each candidate predictor of a reduction on `set`, for the report.
func tradeOff(
  _ predictions: [[UInt8]], weights: [Double], chosen: [Double], set: MitigationSet,
  violation: String
) -> (candidates: [MitigationComparison.Candidate], chosen: (accuracy: Double, disparity: Double)) {
  func point(_ p: [Double]) -> (Double, Double) {
    let o = ExpectedOutcome(probabilities: p, labels: set.labels, groups: set.groups)
    return (
      o.accuracy,
      violation == "equalized_odds" ? o.equalizedOddsDifference : o.demographicParityDifference
    )
  }
  let candidates = zip(predictions, weights).map {
    predictions, weight -> MitigationComparison.Candidate in
    let (accuracy, disparity) = point(predictions.map(Double.init))
    return MitigationComparison.Candidate(accuracy: accuracy, disparity: disparity, weight: weight)
  }
  let (accuracy, disparity) = point(chosen)
  return (candidates, (accuracy, disparity))
}

/// `biaskit mitigate worst-group` and `fairness-regularized`: fairness-aware training of the
/// built-in logistic regression.
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
    try data.requireFeatures()
    var method = WorstGroupLogisticRegression(learner: input.learner)
    method.rounds = rounds
    method.stepSize = stepSize
    let fit = try method.fitted(
      features: data.train.features, labels: data.train.labels, groups: data.train.groups)
    var losses: [String: Double] = [:]
    var weights: [String: Double] = [:]
    for (a, name) in data.train.groups.names.enumerated() {
      losses[name] = fit.groupLosses[a]
      weights[name] = fit.groupWeights[a]
    }
    try emitLearner(
      fit.model, method: "worst-group",
      fitted: ["group_losses": losses, "group_weights": weights, "round": fit.round],
      warnings: fit.warnings, data: data, output: output, learner: input.learner)
  }
}

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
    let data = try input.load()
    try data.requireFeatures()
    let model = try FairnessRegularizedLogisticRegression(
      learner: input.learner, fairnessWeight: lambda
    )
    .fitted(features: data.train.features, labels: data.train.labels, groups: data.train.groups)
    try emitLearner(
      model, method: "fairness-regularized", fitted: ["lambda": lambda], warnings: model.warnings,
      data: data, output: output, learner: input.learner)
  }
}

/// Summary and predictions of a single fitted logistic regression.
func emitLearner(
  _ model: LogisticRegression.Model, method: String, fitted: [String: Any], warnings: [String],
  data: MitigationData, output: MitigationOutputOptions, learner: LogisticRegression
) throws {
  var state = fitted
  state["intercept"] = model.intercept
  state["coefficients"] = model.coefficients
  state["iterations"] = model.iterations
  var result = MitigationResult(method: method, fitted: state, warnings: warnings)
  result.train = outcomeJSON(
    model.predictions(data.train.features).map(Double.init), data.train,
    violation: "demographic_parity")
  let target = data.test ?? data.train
  let p = model.predictions(target.features).map(Double.init)
  if data.test != nil { result.test = outcomeJSON(p, target, violation: "demographic_parity") }
  result.probabilities = model.probabilities(target.features)
  result.predictions = p.map { UInt8($0) }
  result.predictionSet = target
  try result.emit(output, data: data, learner: learner)
}

/// The constraint options shared by `exponentiated-gradient` and `grid-search`.
struct ReductionConstraintArguments: ParsableArguments {
  @Option(
    help:
      "demographic_parity, equalized_odds, true_positive_rate_parity, false_positive_rate_parity, error_rate_parity or bounded_group_loss (with --upper-bound)."
  )
  var constraint: String = "demographic_parity"
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

  func resolve() throws -> ReductionConstraint {
    try ReductionConstraintOptions.constraint(
      constraint, differenceBound: differenceBound, ratioBound: ratioBound, slack: ratioBoundSlack,
      upperBound: upperBound)
  }
}

/// Output of the pre-processors that transform the features (correlation remover, disparate
/// impact remover): the built-in learner fitted on the transformed training features, its
/// outcomes on train and test (so `--then-audit` compares it with the learner on the raw
/// features), and the transformed training rows as CSV with `--output`.
func emitTransformed(
  _ result: inout MitigationResult, train: Matrix, test: Matrix?, data: MitigationData,
  input: MitigationInputOptions, output: MitigationOutputOptions
) throws {
  var warnings: [String] = []
  if let testSet = data.test, let test {
    let lr = try input.learner.fitted(features: train, labels: data.train.labels.map(Double.init))
    warnings.append(contentsOf: lr.warnings)
    result.train = outcomeJSON(
      lr.predictions(train).map(Double.init), data.train, violation: "demographic_parity")
    let p = lr.predictions(test).map(Double.init)
    result.test = outcomeJSON(p, testSet, violation: "demographic_parity")
    result.probabilities = p
    result.predictions = p.map { UInt8($0) }
    result.predictionSet = testSet
  }
  result.warnings = warnings
  if let path = output.output {
    var text =
      data.train.featureNames.map(CSVText.escape).joined(separator: ",")
      + ",\(CSVText.escape(input.target)),"
      + input.sensitiveColumns.map(CSVText.escape).joined(separator: ",") + "\n"
    // One column per sensitive feature, as in the input.
    let groupFields = data.train.groups.names.map {
      Groups.key(ofName: $0, features: input.sensitiveColumns.count).map(CSVText.escape).joined(
        separator: ",")
    }
    for i in 0..<train.rows {
      text += train.row(i).map { "\($0)" }.joined(separator: ",")
      text += ",\(data.train.labels[i]),\(groupFields[Int(data.train.groups.codes[i])])\n"
    }
    try AtomicFileWriter.write(text, to: path)
  }
  var rest = output
  rest.output = nil
  try result.emit(rest, data: data, learner: input.learner)
}
