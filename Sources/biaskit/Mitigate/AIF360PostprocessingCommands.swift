import ArgumentParser
import BiasKit
import Foundation

/// Options shared by the AIF360 post-processors: the privileged group and the threshold that
/// turns scores into labels.
struct PrivilegedGroupOptions: ParsableArguments {
  @Option(
    help:
      "The privileged value of --sensitive (the other value is unprivileged; exactly two groups).")
  var privileged: String
  @Option(
    help:
      "Scores at or above (calibrated-equalized-odds) or above (equalized-odds-postprocessing) this are label 1."
  )
  var threshold: Double = 0.5
}

/// Instance weights for fitting the AIF360 post-processors (AIF360: `instance_weights`).
struct SampleWeightOptions: ParsableArguments {
  @Option(
    name: .customLong("sample-weight"),
    help:
      "Column of instance weights (finite, ≥ 0) used to fit, as AIF360's instance_weights; never a feature. Read from --train unless --sample-weight-file is given."
  )
  var sampleWeight: String?
  @Option(
    name: .customLong("sample-weight-file"),
    help:
      "Read the --sample-weight column from this CSV instead, one row per --train row in the same order (e.g. the --output of `biaskit mitigate reweighing`)."
  )
  var sampleWeightFile: String?

  func load(_ input: MitigationInputOptions) throws -> MitigationData {
    if sampleWeightFile != nil && sampleWeight == nil {
      throw BiasKitError(
        .invalidArgument,
        "--sample-weight-file needs --sample-weight, the name of its weight column")
    }
    let data = try input.load(sampleWeight: sampleWeight, weightFile: sampleWeightFile)
    if let sampleWeightFile { try checkAlignment(sampleWeightFile, data.train) }
    return data
  }

  /// A weights file with `group` and `label` columns (as `biaskit mitigate reweighing --output`
  /// writes) must list the training rows in order: each row's group and label must match.
  func checkAlignment(_ path: String, _ train: MitigationSet) throws {
    let reader = try TableSources.open(path)
    guard reader.columnNames.contains("group"), reader.columnNames.contains("label") else { return }
    let table = try reader.read([.category("group"), .label("label")])
    let groups = table.columns[0].categories!
    let labels = table.columns[1].labels!.values
    for i in labels.indices {
      let name = groups.levels[Int(groups.codes[i])]
      let expected = train.groups.names[Int(train.groups.codes[i])]
      if name != expected || labels[i] != train.labels[i] {
        throw BiasKitError(
          .invalidArgument,
          "\(reader.location(row: i, column: "group").withoutColumn): group '\(name)', label \(labels[i]), but row \(i + 1) of \(train.path) has group '\(expected)', label \(train.labels[i]); the weights do not follow the training rows"
        )
      }
    }
  }

  /// The `fitted` summary entries that say which weights were used.
  var summary: [String: Any] {
    guard let sampleWeight else { return [:] }
    return ["sample_weight": sampleWeight, "sample_weight_file": sampleWeightFile ?? NSNull()]
  }
}

/// Splits the result of a post-processor over train and test, as ThresholdOptimizerCommand does.
private func postprocessingResult(
  method: String, fitted: [String: Any], warnings: [String], data: MitigationData,
  probabilities: (MitigationSet, [Double]) throws -> [Double],
  predictions: (MitigationSet, [Double]) throws -> [UInt8],
  scores: (train: [Double], test: [Double]?)
) throws -> MitigationResult {
  var result = MitigationResult(method: method, fitted: fitted, warnings: warnings)
  let pTrain = try probabilities(data.train, scores.train)
  result.train = outcomeJSON(pTrain, data.train, violation: "equalized_odds")
  if let test = data.test, let testScores = scores.test {
    let p = try probabilities(test, testScores)
    result.test = outcomeJSON(p, test, violation: "equalized_odds")
    result.probabilities = p
    result.predictions = try predictions(test, testScores)
    result.predictionSet = test
  } else {
    result.probabilities = pTrain
    result.predictions = try predictions(data.train, scores.train)
    result.predictionSet = data.train
  }
  return result
}

/// `biaskit mitigate calibrated-equalized-odds`: AIF360 CalibratedEqOddsPostprocessing.
struct CalibratedEqualizedOddsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calibrated-equalized-odds",
    abstract:
      "Mix one group's scores with its base rate to equalise a generalised error cost (AIF360 CalibratedEqOddsPostprocessing)."
  )
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions
  @OptionGroup var groups: PrivilegedGroupOptions
  @Option(help: "fnr, fpr or weighted.")
  var costConstraint: String = "weighted"
  @OptionGroup var weights: SampleWeightOptions

  func run() throws {
    guard let cost = CalibratedEqualizedOdds.CostConstraint(rawValue: costConstraint) else {
      throw BiasKitError(
        .invalidArgument,
        "unknown --cost-constraint '\(costConstraint)'; expected one of \(CalibratedEqualizedOdds.CostConstraint.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
    let data = try weights.load(input)
    var warnings: [String] = []
    let scores = try data.scores(learner: input.learner, warnings: &warnings)
    let model = try CalibratedEqualizedOdds(
      costConstraint: cost, privilegedGroup: groups.privileged
    )
    .fitted(
      scores: scores.train, labels: data.train.labels, groups: data.train.groups,
      weights: data.train.weights)
    var generator = SeededGenerator(seed: output.seed)
    let t = groups.threshold
    let result = try postprocessingResult(
      method: "calibrated-equalized-odds",
      fitted: [
        "cost_constraint": costConstraint, "privileged": groups.privileged, "threshold": t,
        "priv_mix_rate": model.privilegedMixRate, "unpriv_mix_rate": model.unprivilegedMixRate,
        "base_rate_priv": model.privilegedBaseRate, "base_rate_unpriv": model.unprivilegedBaseRate,
      ]
      .merging(weights.summary) { a, _ in a },
      warnings: warnings, data: data,
      probabilities: { set, s in
        try model.positiveProbabilities(scores: s, groups: set.groups, threshold: t)
      },
      predictions: { set, s in
        try model.predictions(scores: s, groups: set.groups, threshold: t, using: &generator)
      },
      scores: scores)
    try result.emit(output, data: data, learner: input.learner)
  }
}

/// `biaskit mitigate equalized-odds-postprocessing`: AIF360 EqOddsPostprocessing on the labels
/// `1[score > threshold]`.
struct EqualizedOddsPostprocessingCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "equalized-odds-postprocessing",
    abstract:
      "Flip predicted labels with group-specific probabilities from a linear program (AIF360 EqOddsPostprocessing)."
  )
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions
  @OptionGroup var groups: PrivilegedGroupOptions
  @OptionGroup var weights: SampleWeightOptions

  func run() throws {
    let data = try weights.load(input)
    var warnings: [String] = []
    let scores = try data.scores(learner: input.learner, warnings: &warnings)
    let t = groups.threshold
    func labels(_ s: [Double]) -> [UInt8] { s.map { $0 > t ? 1 : 0 } }
    let model = try EqualizedOddsPostprocessing(privilegedGroup: groups.privileged)
      .fitted(
        predictions: labels(scores.train), labels: data.train.labels, groups: data.train.groups,
        weights: data.train.weights)
    var generator = SeededGenerator(seed: output.seed)
    let x = model.mixingProbabilities
    let result = try postprocessingResult(
      method: "equalized-odds-postprocessing",
      fitted: [
        "privileged": groups.privileged, "threshold": t, "sp2p": x[0], "sn2p": x[1], "op2p": x[2],
        "on2p": x[3],
        "objective": model.objective,
      ].merging(weights.summary) { a, _ in a },
      warnings: warnings, data: data,
      probabilities: { set, s in
        try model.positiveProbabilities(predictions: labels(s), groups: set.groups)
      },
      predictions: { set, s in
        try model.predictions(predictions: labels(s), groups: set.groups, using: &generator)
      },
      scores: scores)
    try result.emit(output, data: data, learner: input.learner)
  }
}

/// `biaskit mitigate reject-option`: AIF360 RejectOptionClassification.
struct RejectOptionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reject-option",
    abstract:
      "Favour the unprivileged group near the decision threshold; threshold and margin chosen on a grid (AIF360 RejectOptionClassification)."
  )
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions
  @Option(
    help:
      "The privileged value of --sensitive (the other value is unprivileged; exactly two groups).")
  var privileged: String
  @Option(
    help: "statistical_parity_difference, average_odds_difference or equal_opportunity_difference.")
  var metric: String = "statistical_parity_difference"
  @Option(help: "Smallest classification threshold.")
  var lowThreshold: Double = 0.01
  @Option(help: "Largest classification threshold.")
  var highThreshold: Double = 0.99
  @Option(help: "Thresholds in the grid.")
  var thresholdCount: Int = 100
  @Option(help: "Margins per threshold.")
  var marginCount: Int = 50
  @Option(help: "Lower bound on the metric.")
  var metricLowerBound: Double = -0.05
  @Option(help: "Upper bound on the metric.")
  var metricUpperBound: Double = 0.05
  @OptionGroup var weights: SampleWeightOptions

  static let metrics: [String: RejectOptionClassification.Metric] = [
    "statistical_parity_difference": .statisticalParityDifference,
    "average_odds_difference": .averageOddsDifference,
    "equal_opportunity_difference": .equalOpportunityDifference,
  ]

  func run() throws {
    guard let m = Self.metrics[metric] ?? RejectOptionClassification.Metric(rawValue: metric) else {
      throw BiasKitError(
        .invalidArgument,
        "unknown --metric '\(metric)'; expected one of \(Self.metrics.keys.sorted().joined(separator: ", "))"
      )
    }
    let data = try weights.load(input)
    var warnings: [String] = []
    let scores = try data.scores(learner: input.learner, warnings: &warnings)
    let model = try RejectOptionClassification(
      privilegedGroup: privileged, metric: m, lowThreshold: lowThreshold,
      highThreshold: highThreshold,
      thresholdCount: thresholdCount, marginCount: marginCount, lowerBound: metricLowerBound,
      upperBound: metricUpperBound
    )
    .fitted(
      scores: scores.train, labels: data.train.labels, groups: data.train.groups,
      weights: data.train.weights)
    if !model.satisfiedBounds {
      warnings.append(
        "reject-option: no grid point meets the metric bounds; took the smallest metric value")
    }
    let violation = m == .statisticalParityDifference ? "demographic_parity" : "equalized_odds"
    var result = MitigationResult(
      method: "reject-option",
      fitted: [
        "privileged": privileged, "metric": metric, "classification_threshold": model.threshold,
        "roc_margin": model.margin, "balanced_accuracy": model.balancedAccuracy,
        "metric_value": model.metricValue,
      ]
      .merging(weights.summary) { a, _ in a },
      warnings: warnings)
    let train = try model.predictions(scores: scores.train, groups: data.train.groups)
    result.train = outcomeJSON(train.map(Double.init), data.train, violation: violation)
    if let test = data.test, let testScores = scores.test {
      let p = try model.predictions(scores: testScores, groups: test.groups)
      result.test = outcomeJSON(p.map(Double.init), test, violation: violation)
      result.probabilities = p.map(Double.init)
      result.predictions = p
      result.predictionSet = test
    } else {
      result.probabilities = train.map(Double.init)
      result.predictions = train
      result.predictionSet = data.train
    }
    try result.emit(output, data: data, learner: input.learner)
  }
}
