import ArgumentParser
import BiasKit
import Foundation

/// The training and test files, the label, the sensitive feature and the feature columns.
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

  @Option(help: "Maximum iterations of the built-in logistic regression (L-BFGS).")
  var learnerMaxIter: Int = 1000

  @Option(help: "Inverse regularisation C of the built-in logistic regression.")
  var learnerC: Double = 1.0

  var learner: LogisticRegression {
    LogisticRegression(inverseRegularization: learnerC, maxIterations: learnerMaxIter)
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

  /// - Parameters:
  ///   - sampleWeight: a column of instance weights; never a feature. Read from the training
  ///     file (or from `weightFile`, one row per training row) into `train.weights`.
  ///   - controlColumns: control features of a reduction, read from the training file; never
  ///     features.
  func load(
    sampleWeight: String? = nil, weightFile: String? = nil, controlColumns: [String] = []
  )
    throws -> MitigationData
  {
    guard !sensitiveColumns.isEmpty else {
      throw BiasKitError(.invalidArgument, "--sensitive names no column")
    }
    let schema = self.schema(sampleWeight: sampleWeight, controlColumns: controlColumns)
    var trainSchema = schema
    if weightFile != nil { trainSchema.weight = nil }
    let trainData = try Dataset(reading: TableSources.open(train), schema: trainSchema)
    var weights = trainData.weights
    if let sampleWeight {
      if let weightFile {
        let source = try TableSources.open(weightFile)
        let read = try Dataset(
          reading: source, schema: DatasetSchema(weight: sampleWeight, task: .regression))
        guard read.rowCount == trainData.rowCount else {
          throw BiasKitError(
            .invalidArgument,
            "\(weightFile): \(read.rowCount) rows of sample weights for the \(trainData.rowCount) rows of \(train)"
          )
        }
        weights = read.weights
        try MitigationSet.requirePositiveWeight(
          read.weights ?? [], source: source, column: sampleWeight)
      } else {
        try MitigationSet.requirePositiveWeight(
          trainData.weights ?? [], source: TableSources.open(train), column: sampleWeight)
      }
    }
    var trainSet = MitigationSet(dataset: trainData)
    trainSet.weights = weights
    guard trainSet.groups.count >= 2 else {
      throw BiasKitError(
        .degenerateData,
        "\(train): the sensitive column '\(sensitive)' has one group ('\(trainSet.groups.names.first ?? "")'); mitigation needs at least two groups to compare"
      )
    }
    guard trainSet.labels.contains(0) && trainSet.labels.contains(1) else {
      throw BiasKitError(
        .degenerateData,
        "\(train): the label column '\(target)' has one class; mitigation needs both classes")
    }
    var testSet: MitigationSet?
    if let test {
      var testSchema = schema
      testSchema.weight = nil
      testSchema.control = []
      let testData = try Dataset(
        reading: TableSources.open(test), schema: testSchema, matching: trainData)
      testSet = try MitigationSet(dataset: testData, groupsLike: trainSet.groups)
    }
    return MitigationData(train: trainSet, test: testSet)
  }
}

/// One file's rows: features, labels, groups, optional scores.
struct MitigationSet {
  var dataset: Dataset
  var path: String { dataset.name }
  var features: Matrix { dataset.features }
  var featureNames: [String] { dataset.featureNames }
  var labels: [UInt8]
  /// The groups, in fairlearn's mitigation layout (``Groups/occurring()``).
  var groups: Groups
  var scores: [Double]? { dataset.scores }
  /// Instance weights (`--sample-weight`), or nil for unit weights.
  var weights: [Double]?
  /// The strata of the control features, when some were asked for.
  var controls: Groups? { dataset.control?.occurring() }

  /// A training set: its own groups.
  init(dataset: Dataset) {
    self.dataset = dataset
    self.labels = dataset.labels?.values ?? []
    self.groups = dataset.groups?.occurring() ?? Groups([String]())
    self.weights = dataset.weights
  }

  /// A test set: its rows in the training set's group table (a group of the test set that the
  /// training set lacks is an error).
  init(dataset: Dataset, groupsLike train: Groups) throws {
    self.dataset = dataset
    self.labels = dataset.labels?.values ?? []
    let own = dataset.groups?.occurring() ?? Groups([String]())
    let codes = try own.codes(matching: train.names)
    self.groups = try train.assigning(codes)
    self.weights = nil
  }

  /// Throws unless some weight is positive.
  static func requirePositiveWeight(
    _ values: [Double], source: any TableSource, column: String
  ) throws {
    guard values.contains(where: { $0 > 0 }) else {
      let index = (source.columnNames.firstIndex(of: column) ?? 0) + 1
      throw BiasKitError(
        .degenerateData, "\(source.name): column \(index) ('\(column)'): every sample weight is 0")
    }
  }
}

struct MitigationData {
  var train: MitigationSet
  var test: MitigationSet?

  /// Scores for post-processing: the score column, or the built-in learner's probabilities.
  func scores(
    learner: LogisticRegression, warnings: inout [String]
  ) throws -> (train: [Double], test: [Double]?) {
    if let s = train.scores { return (s, test?.scores) }
    let model = try fitLearner(learner, warnings: &warnings)
    return (model.probabilities(train.features), test.map { model.probabilities($0.features) })
  }

  /// Throws unless the training file has feature columns left for the built-in learner.
  func requireFeatures() throws {
    guard train.features.columns > 0 else {
      throw BiasKitError(
        .invalidArgument,
        "\(train.path): no feature columns are left to fit the built-in learner (see --drop; the post-processors can use --score instead)"
      )
    }
  }

  func fitLearner(
    _ learner: LogisticRegression, weights: [Double]? = nil, warnings: inout [String]
  ) throws -> LogisticRegression.Model {
    try requireFeatures()
    let model = try learner.fitted(
      features: train.features, labels: train.labels.map(Double.init), weights: weights)
    warnings.append(contentsOf: model.warnings)
    return model
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

/// Expected metrics of one split, as JSON.
///
/// `violation` names the constraint: `expected_violation` is the gap of the rate it constrains
/// (max − min over groups of the expected rate: selection rate for demographic parity, TPR for
/// TPR/FNR parity, FPR for FPR/TNR parity, error rate for error-rate parity, the larger of the
/// TPR and FPR gaps for equalized odds); other constraints report the demographic-parity gap.
/// With the set's instance weights (`--sample-weight`, training file) every mean is weighted
/// and `weighted` says so.
func outcomeJSON(_ p: [Double], _ set: MitigationSet, violation: String) -> [String: Any] {
  let o = ExpectedOutcome(
    probabilities: p, labels: set.labels, groups: set.groups, weights: set.weights)
  var byGroup: [String: Double] = [:]
  for (k, name) in set.groups.names.enumerated() { byGroup[name] = o.selectionRateByGroup[k] }
  let (kind, value): (String, Double)
  switch violation {
  case "equalized_odds": (kind, value) = (violation, o.equalizedOddsDifference)
  case "true_positive_rate_parity", "false_negative_rate_parity":
    (kind, value) = (violation, o.truePositiveRateDifference)
  case "false_positive_rate_parity", "true_negative_rate_parity":
    (kind, value) = (violation, o.falsePositiveRateDifference)
  case "error_rate_parity": (kind, value) = (violation, o.errorRateDifference)
  default: (kind, value) = ("demographic_parity", o.demographicParityDifference)
  }
  return [
    "rows": p.count,
    "expected_accuracy": o.accuracy,
    "expected_selection_rate": o.selectionRate,
    "expected_violation": value,
    "violation_kind": kind,
    "expected_demographic_parity_difference": o.demographicParityDifference,
    "expected_equalized_odds_difference": o.equalizedOddsDifference,
    "expected_selection_rate_by_group": byGroup,
    "weighted": set.weights != nil,
  ]
}

/// Writes the summary and the predictions; warnings go to standard error too.
struct MitigationResult {
  var method: String
  var fitted: [String: Any]
  var train: [String: Any]?
  var test: [String: Any]?
  var warnings: [String]
  /// Test (or train) expected predictions and seeded draws, for the CSV and a later audit.
  var probabilities: [Double]?
  var predictions: [UInt8]?
  var predictionSet: MitigationSet?
  /// The candidate predictors of a reduction, for the report's trade-off chart.
  var tradeOff:
    (candidates: [MitigationComparison.Candidate], chosen: (accuracy: Double, disparity: Double))?

  func emit(
    _ options: MitigationOutputOptions, data: MitigationData? = nil,
    learner: LogisticRegression? = nil
  ) throws {
    for w in warnings { FileHandle.standardError.write(Data("biaskit: warning: \(w)\n".utf8)) }
    var audit: MitigationAudit? = nil
    if options.thenAudit || options.report != nil {
      guard let data, let predictions, let set = predictionSet else {
        throw BiasKitError(
          .invalidArgument,
          "--then-audit needs predictions; '\(method)' makes none without a feature column to fit the learner on"
        )
      }
      audit = try MitigationAudit(
        data: data, learner: learner ?? LogisticRegression(), after: predictions, set: set)
    }
    if let path = options.output, let probabilities, let predictions, let set = predictionSet {
      var text = "row,group,label,probability,prediction\n"
      for i in 0..<probabilities.count {
        text +=
          "\(i + 1),\(csvField(set.groups.names[Int(set.groups.codes[i])])),\(set.labels[i]),\(probabilities[i]),\(predictions[i])\n"
      }
      try AtomicFileWriter.write(text, to: path)
    }
    if let path = options.report, let audit {
      var reportOptions = HTMLReport.Options()
      reportOptions.naming = Flags.naming
      var page = try HTMLReport(
        report: audit.after,
        provenance: HTMLReport.Provenance(
          commandLine: CommandLine.arguments, inputFile: audit.source),
        options: reportOptions)
      page.title = "BiasKit mitigation: \(method)"
      let comparison = MitigationComparison(
        method: method, before: audit.before, after: audit.after,
        candidates: tradeOff?.candidates ?? [],
        chosen: tradeOff?.chosen)
      page.insert(comparison.section(), before: HTMLReport.SectionID.scorecard)
      try AtomicFileWriter.write(page.html(), to: path)
    }
    var summary: [String: Any] = ["method": method, "fitted": fitted, "warnings": warnings]
    if let train { summary["train"] = train }
    if let test { summary["test"] = test }
    if let audit {
      summary["audit"] = [
        "before": try JSONSerialization.jsonObject(
          with: Data(audit.before.json().serialized(indent: 0).utf8)),
        "after": try JSONSerialization.jsonObject(
          with: Data(audit.after.json().serialized(indent: 0).utf8)),
      ]
    }
    switch options.format {
    case .json:
      let data = try JSONSerialization.data(
        withJSONObject: summary, options: [.sortedKeys, .prettyPrinted])
      FileHandle.standardOutput.write(data + Data("\n".utf8))
    case .table:
      var lines = ["biaskit mitigate \(method)"]
      for (name, split) in [("train", train), ("test", test)] {
        guard let split else { continue }
        func f(_ key: String) -> String {
          (split[key] as? Double).map { String(format: "%.4f", $0) } ?? "-"
        }
        lines.append(
          "  \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) expected accuracy \(f("expected_accuracy"))  selection rate \(f("expected_selection_rate"))  \(split["violation_kind"] ?? "") violation \(f("expected_violation"))"
        )
      }
      for w in warnings { lines.append("  warning: \(w)") }
      if let audit { lines.append(audit.comparisonTable()) }
      FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
  }
}

private func csvField(_ s: String) -> String {
  s.contains(",") || s.contains("\"")
    ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}
