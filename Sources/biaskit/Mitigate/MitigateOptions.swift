import ArgumentParser
import BiasKit
import Foundation

/// The learner a mitigation fits (`--learner`). Adding one is a case here and its line in
/// ``MitigationInputOptions/learner``.
enum LearnerChoice: String, ExpressibleByArgument, CaseIterable {
  case logisticRegression = "logistic-regression"
  case gradientBoosting = "gradient-boosting"
}

/// `--loss`: `log-loss`, `focal:GAMMA`, `dual-focal:GAMMA`, `class-balanced[:BETA]`,
/// `ldam[:MAX_MARGIN]`, `asymmetric[:GAMMA_POS:GAMMA_NEG:MARGIN]` (the cases of
/// ``ClassificationLoss`` with their parameters after colons, defaults as the library's).
extension ClassificationLoss: ExpressibleByArgument {
  public init?(argument: String) {
    let parts = argument.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    let numbers = parts.dropFirst().map { Double($0) }
    guard numbers.allSatisfy({ $0 != nil }) else { return nil }
    let p = numbers.compactMap { $0 }
    switch (parts[0], p.count) {
    case ("log-loss", 0): self = .logLoss
    case ("focal", 1): self = .focal(gamma: p[0])
    case ("dual-focal", 1): self = .dualFocal(gamma: p[0])
    case ("class-balanced", 0): self = .classBalanced(beta: 0.9999)
    case ("class-balanced", 1): self = .classBalanced(beta: p[0])
    case ("ldam", 0): self = .ldam()
    case ("ldam", 1): self = .ldam(maxMargin: p[0])
    case ("asymmetric", 0): self = .asymmetric()
    case ("asymmetric", 3):
      self = .asymmetric(gammaPositive: p[0], gammaNegative: p[1], margin: p[2])
    default: return nil
    }
  }
  public static var allValueStrings: [String] {
    [
      "log-loss", "focal:GAMMA", "dual-focal:GAMMA", "class-balanced[:BETA]", "ldam[:MAX_MARGIN]",
      "asymmetric[:GAMMA_POS:GAMMA_NEG:MARGIN]",
    ]
  }
  public var defaultValueDescription: String { "log-loss" }
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

  @Option(
    help:
      "Maximum iterations: L-BFGS iterations of logistic-regression (default 1000), trees of gradient-boosting (default 100)."
  )
  var learnerMaxIter: Int?

  @Option(help: "Inverse regularisation C of the built-in logistic regression.")
  var learnerC: Double = 1.0

  @Option(
    help:
      "The per-row loss the learner minimises: log-loss, focal:GAMMA, dual-focal:GAMMA, class-balanced[:BETA], ldam[:MAX_MARGIN], asymmetric[:GAMMA_POS:GAMMA_NEG:MARGIN]."
  )
  var loss: ClassificationLoss = .logLoss

  @Option(help: "Gradient boosting: shrinkage of each tree (learning_rate).")
  var learningRate: Double = 0.1

  @Option(help: "Gradient boosting: leaves per tree at most (max_leaf_nodes).")
  var maxLeafNodes: Int = 31

  @Option(help: "Gradient boosting: rows per leaf at least (min_samples_leaf).")
  var minSamplesLeaf: Int = 20

  @Option(help: "Gradient boosting: L2 penalty on the leaf values (l2_regularization).")
  var l2Regularization: Double = 0

  @Option(help: "Gradient boosting: bins per feature, 2…255 (max_bins).")
  var maxBins: Int = 255

  /// The built-in logistic regression of `--learner-c`, `--learner-max-iter` and `--loss`.
  var logisticRegression: LogisticRegression {
    LogisticRegression(
      inverseRegularization: learnerC, maxIterations: learnerMaxIter ?? 1000, loss: loss)
  }

  /// The learner of `--learner`, configured by its flags.
  var learner: any WeightedLearner {
    switch learnerChoice {
    case .logisticRegression:
      return logisticRegression
    case .gradientBoosting:
      return GradientBoostingClassifier(
        learningRate: learningRate, maxIterations: learnerMaxIter ?? 100,
        maxLeafNodes: maxLeafNodes, minSamplesLeaf: minSamplesLeaf,
        l2Regularization: l2Regularization, maxBins: maxBins, loss: loss)
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
