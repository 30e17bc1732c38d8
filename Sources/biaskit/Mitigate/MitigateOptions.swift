import ArgumentParser
import BiasKit
import Foundation

/// The learner a mitigation fits (`--learner`). Adding one is a case here and its line in
/// ``MitigationInputOptions/learner``.
enum LearnerChoice: String, ExpressibleByArgument, CaseIterable {
  case logisticRegression = "logistic-regression"
}

extension ThresholdOptimizer.Constraint: ExpressibleByArgument {}
extension ThresholdOptimizer.Objective: ExpressibleByArgument {}
extension ReductionConstraint.Kind: ExpressibleByArgument {}
extension CalibratedEqualizedOdds.CostConstraint: ExpressibleByArgument {}

extension RejectOptionClassification.Metric: ExpressibleByArgument {
  /// The snake-case name or AIF360's `metric_name`.
  public init?(argument: String) { self.init(name: argument) }
  public static var allValueStrings: [String] { allCases.map(\.name) }
  public var defaultValueDescription: String { name }
}

/// The training and test files, the label, the sensitive feature, the feature columns and the
/// learner.
struct MitigationInputOptions: ParsableArguments {
  @Option(help: "Training CSV file.")
  var train: String

  @Option(help: "Test CSV file (same columns); metrics are reported on it too.")
  var test: String?

  @Option(help: "The binary label column (0/1, -1/1 or true/false; see --pos-label).")
  var target: String

  @Option(
    help:
      "The label value that counts as positive (default 1 or true; --pos-label 0 makes 0 the favourable outcome)."
  )
  var posLabel: String?

  @Option(
    help:
      "The sensitive feature column, or several comma-separated: their value combinations are the groups (intersectional, named as fairlearn names them: values joined with ',')."
  )
  var sensitive: String

  /// The sensitive columns named by `--sensitive`.
  var sensitiveColumns: [String] {
    AuditInputOptions.split([sensitive])
  }

  @Option(
    help: "Columns that are not features, comma-separated (besides target, sensitive and score).")
  var drop: String?

  @Option(
    help:
      "A model score column: post-processors use it instead of fitting the built-in logistic regression."
  )
  var score: String?

  @Option(
    name: .customLong("learner"),
    help: "The learner the mitigations fit (and whose scores post-processors use without --score).")
  var learnerChoice: LearnerChoice = .logisticRegression

  @Option(help: "Maximum iterations of the built-in logistic regression (L-BFGS).")
  var learnerMaxIter: Int = 1000

  @Option(help: "Inverse regularisation C of the built-in logistic regression.")
  var learnerC: Double = 1.0

  /// The learner of `--learner`, configured by its flags.
  var learner: any WeightedLearner {
    switch learnerChoice {
    case .logisticRegression:
      return LogisticRegression(inverseRegularization: learnerC, maxIterations: learnerMaxIter)
    }
  }

  /// The schema of the training file: the label, the sensitive and control columns, the score
  /// and weight columns, and every other column but `--drop` as a feature.
  func schema(sampleWeight: String?, controlColumns: [String]) -> DatasetSchema {
    DatasetSchema(
      target: target, score: score, weight: sampleWeight, sensitive: sensitiveColumns,
      control: controlColumns,
      features: .allExcept(AuditInputOptions.split(drop.map { [$0] } ?? [])),
      task: .binary(positiveLabel: posLabel))
  }

  /// Reads the training (and test) file.
  ///
  /// - Parameters:
  ///   - sampleWeight: a column of instance weights; never a feature. Read from the training
  ///     file (or from `weightFile`, one row per training row) into `train.weights`.
  ///   - controlColumns: control features of a reduction, read from the training file; never
  ///     features.
  func load(
    sampleWeight: String? = nil, weightFile: String? = nil, controlColumns: [String] = []
  ) throws -> MitigationData {
    var schema = self.schema(sampleWeight: sampleWeight, controlColumns: controlColumns)
    var file: MitigationData.WeightFile?
    if let weightFile, let sampleWeight {
      file = MitigationData.WeightFile(path: weightFile, column: sampleWeight)
      schema.weight = nil
    }
    return try MitigationData(readingTrain: train, test: test, schema: schema, weightFile: file)
  }

  /// Throws unless the training file has feature columns left for the learner.
  func requireFeatures(_ data: MitigationData) throws {
    guard data.train.features.columns > 0 else {
      throw BiasKitError(
        .invalidArgument,
        "\(data.train.name): no feature columns are left to fit the built-in learner (see --drop; the post-processors can use --score instead)"
      )
    }
  }
}

/// Output: the summary format, the CSV of predictions or data, the seed of random draws.
struct MitigationOutputOptions: ParsableArguments {
  enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

  @Option(help: "Summary format on standard output: table or json.")
  var format: Format = .table

  @Option(help: "Write the mitigated predictions (or transformed data) to this CSV file.")
  var output: String?

  @Option(help: "Seed of the randomised predictions.")
  var seed: UInt64 = 0

  @Option(
    help: "Write an HTML report of the audit before and after mitigation (implies --then-audit).")
  var report: String?

  @Flag(
    name: .customLong("then-audit"),
    help:
      "Audit the test predictions before (the unmitigated model) and after mitigation, side by side."
  )
  var thenAudit = false
}
