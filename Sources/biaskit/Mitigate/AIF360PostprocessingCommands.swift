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
    return try input.load(sampleWeight: sampleWeight, weightFile: sampleWeightFile)
  }

  /// The `fitted` summary entries that say which weights were used.
  var summary: [(String, JSONValue)] {
    guard let sampleWeight else { return [] }
    return [
      ("sample_weight", .string(sampleWeight)),
      ("sample_weight_file", sampleWeightFile.map { .string($0) } ?? .null),
    ]
  }
}

extension MitigationSession {
  /// A session whose fitted summary says which sample weights were used.
  init(
    method: String, input: MitigationInputOptions, output: MitigationOutputOptions,
    weights: SampleWeightOptions
  ) throws {
    self.init(
      method: method, input: input, output: output, data: try weights.load(input),
      provenance: weights.summary)
  }
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
  var costConstraint: CalibratedEqualizedOdds.CostConstraint = .weighted
  @OptionGroup var weights: SampleWeightOptions

  func run() throws {
    let postprocessor = CalibratedEqualizedOdds(
      costConstraint: costConstraint, privilegedGroup: groups.privileged,
      threshold: groups.threshold)
    try MitigationSession(
      method: "calibrated-equalized-odds", input: input, output: output, weights: weights
    ).runPostprocessor(postprocessor)
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
    let postprocessor = EqualizedOddsPostprocessing(
      privilegedGroup: groups.privileged, threshold: groups.threshold)
    try MitigationSession(
      method: "equalized-odds-postprocessing", input: input, output: output, weights: weights
    ).runPostprocessor(postprocessor)
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
  var metric: RejectOptionClassification.Metric = .statisticalParityDifference
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

  func run() throws {
    let postprocessor = RejectOptionClassification(
      privilegedGroup: privileged, metric: metric, lowThreshold: lowThreshold,
      highThreshold: highThreshold, thresholdCount: thresholdCount, marginCount: marginCount,
      lowerBound: metricLowerBound, upperBound: metricUpperBound)
    try MitigationSession(
      method: "reject-option", input: input, output: output, weights: weights
    ).runPostprocessor(postprocessor)
  }
}
