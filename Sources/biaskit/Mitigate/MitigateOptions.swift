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

  /// - Parameters:
  ///   - sampleWeight: a column of instance weights; never a feature. Read from the training
  ///     file (or from `weightFile`, one row per training row) into `train.weights`.
  ///   - controlColumns: control features of a reduction, read from the training file; never
  ///     features.
  func load(
    sampleWeight: String? = nil, weightFile: String? = nil, controlColumns: [String] = []
  ) throws -> MitigationData {
    var trainSet = try MitigationSet(
      path: train, options: self, featureNames: nil, groupNames: nil,
      sampleWeight: sampleWeight, readWeights: weightFile == nil, controlColumns: controlColumns)
    if let sampleWeight, let weightFile {
      let reader = try CSVReader(path: weightFile)
      let weights = try MitigationSet.sampleWeights(reader: reader, column: sampleWeight)
      guard weights.count == trainSet.labels.count else {
        throw BiasKitError(
          .invalidArgument,
          "\(weightFile): \(weights.count) rows of sample weights for the \(trainSet.labels.count) rows of \(train)"
        )
      }
      trainSet.weights = weights
    }
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
      testSet = try MitigationSet(
        path: test, options: self, featureNames: trainSet.featureNames,
        groupNames: trainSet.groups.names)
    }
    return MitigationData(train: trainSet, test: testSet)
  }
}

/// One file's rows: features, labels, groups, optional scores.
struct MitigationSet {
  var path: String
  var features: Matrix
  var featureNames: [String]
  var labels: [UInt8]
  var groups: SensitiveGroups
  var scores: [Double]?
  /// Instance weights (`--sample-weight`), or nil for unit weights.
  var weights: [Double]?
  /// The strata of the control features, when some were asked for.
  var controls: SensitiveGroups?

  /// Reads `column` as sample weights: finite, ≥ 0 and not all 0; errors name file, line, column.
  static func sampleWeights(reader: CSVReader, column: String) throws -> [Double] {
    let values = try reader.read([.number(column)]).columns[0].numbers!
    let index = try reader.columnIndex(of: column) + 1
    if let bad = values.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
      let at = SourceLocation(
        file: reader.path, line: reader.line(ofRow: bad), column: index, columnName: column)
      throw BiasKitError(
        .invalidValue, "\(at): the sample weight is \(values[bad]); expected a finite number ≥ 0")
    }
    guard values.contains(where: { $0 > 0 }) else {
      throw BiasKitError(
        .degenerateData, "\(reader.path): column \(index) ('\(column)'): every sample weight is 0")
    }
    return values
  }

  init(
    path: String, options: MitigationInputOptions, featureNames: [String]?, groupNames: [String]?,
    sampleWeight: String? = nil, readWeights: Bool = false, controlColumns: [String] = []
  ) throws {
    self.path = path
    let reader = try CSVReader(path: path)
    let dropped = Set(AuditInputOptions.split(options.drop.map { [$0] } ?? []))
    for name in dropped { _ = try reader.columnIndex(of: name) }
    var excluded = dropped
    excluded.insert(options.target)
    let sensitiveColumns = options.sensitiveColumns
    guard !sensitiveColumns.isEmpty else {
      throw BiasKitError(.invalidArgument, "--sensitive names no column")
    }
    excluded.formUnion(sensitiveColumns)
    excluded.formUnion(controlColumns)
    if let score = options.score { excluded.insert(score) }
    if let sampleWeight { excluded.insert(sampleWeight) }
    let names = featureNames ?? reader.header.filter { !excluded.contains($0) }
    var requests: [ColumnRequest] = [.label(options.target, positive: options.posLabel)]
    requests += sensitiveColumns.map { .category($0) }
    if let score = options.score { requests.append(.number(score)) }
    requests += controlColumns.map { .category($0) }
    let table = try reader.read(requests)
    labels = table.columns[0].labels!.values
    let column = SensitiveGroups.intersection(
      table.columns[1...sensitiveColumns.count].map { $0.categories! })
    if let groupNames {
      groups = try SensitiveGroups(codes: [], names: groupNames).encode(
        column.codes.map { column.levels[Int($0)] })
    } else {
      groups = SensitiveGroups(column: column)
    }
    scores = options.score == nil ? nil : table.columns[1 + sensitiveColumns.count].numbers
    if !controlColumns.isEmpty {
      let first = table.columns.count - controlColumns.count
      controls = SensitiveGroups(
        column: SensitiveGroups.intersection(table.columns[first...].map { $0.categories! }))
    }
    if let scores, let bad = scores.firstIndex(where: { !$0.isFinite }), let score = options.score {
      let at = SourceLocation(
        file: path, line: reader.line(ofRow: bad), column: try reader.columnIndex(of: score) + 1,
        columnName: score)
      throw BiasKitError(
        .invalidValue, "\(at): the score is \(scores[bad]); expected a finite number")
    }
    if let sampleWeight, readWeights {
      weights = try Self.sampleWeights(reader: reader, column: sampleWeight)
    }
    self.featureNames = names
    if names.isEmpty {
      features = Matrix(rows: labels.count, columns: 0)
    } else {
      features = try reader.readMatrix(columns: names)
      if let bad = features.values.firstIndex(where: { !$0.isFinite }) {
        let name = names[bad % names.count]
        let at = SourceLocation(
          file: path, line: reader.line(ofRow: bad / names.count),
          column: try reader.columnIndex(of: name) + 1, columnName: name)
        throw BiasKitError(
          .invalidValue, "\(at): the feature is \(features.values[bad]); expected a finite number")
      }
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
      var page = try HTMLReport(
        report: audit.after,
        provenance: HTMLReport.Provenance(
          commandLine: CommandLine.arguments, inputFile: audit.source))
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
