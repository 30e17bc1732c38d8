/// Which columns of a file an audit reads, and how.
public struct AuditColumns: Sendable, Equatable {
  /// Classification (binary labels) or regression (numeric targets).
  public enum Task: String, Sendable, CaseIterable, Codable {
    case classification, regression
  }

  public var task: Task = .classification
  /// The true label (or target) column.
  public var yTrue: String
  /// The predicted label (or value) column.
  public var yPred: String
  /// The model's score (probability of the positive class), if any.
  public var yScore: String?
  /// The sensitive features (one or more: intersectional groups).
  public var sensitive: [String]
  /// The control features (fairlearn `control_features`).
  public var control: [String] = []
  /// The sample weight column.
  public var sampleWeight: String?
  /// The positive label's text, for labels other than 0/1 and true/false.
  public var positiveLabel: String?
  /// The group that empty sensitive values join; without it an empty value is an error.
  public var missingGroup: String?

  /// The dataset schema of these columns.
  public var schema: DatasetSchema {
    DatasetSchema(
      target: yTrue, prediction: yPred, score: yScore, weight: sampleWeight,
      sensitive: sensitive, control: control, features: .none,
      task: task == .regression ? .regression : .binary(positiveLabel: positiveLabel),
      missingGroup: missingGroup)
  }

  public init(
    task: Task = .classification, yTrue: String, yPred: String, yScore: String? = nil,
    sensitive: [String],
    control: [String] = [], sampleWeight: String? = nil, positiveLabel: String? = nil,
    missingGroup: String? = nil
  ) {
    self.task = task
    self.yTrue = yTrue
    self.yPred = yPred
    self.yScore = yScore
    self.sensitive = sensitive
    self.control = control
    self.sampleWeight = sampleWeight
    self.positiveLabel = positiveLabel
    self.missingGroup = missingGroup
  }
}

/// An audit's input read from a table and validated: the typed ``AuditData`` and the groups of
/// the sensitive and control features.
///
/// A thin view of a ``Dataset`` read with the audit's schema (``AuditColumns/schema``): every
/// check on user data happens there, once, with the file and line of the offending value; the
/// audit adds its own rule that the label column holds both classes.
public struct AuditTable: Sendable {
  public let path: String
  public let columns: AuditColumns
  public let data: AuditData
  public let sensitive: Groups
  public let control: Groups?
  /// The validated rows.
  public let dataset: Dataset

  public var rowCount: Int { data.rowCount }

  /// Reads and validates the audit columns of the file `path` (any format of ``TableFormat``,
  /// chosen by extension).
  ///
  /// - Parameter probabilityScores: whether the scores must lie in [0, 1] (Brier score, log
  ///   loss and calibration read them as probabilities; ROC AUC does not).
  public init(
    path: String, columns: AuditColumns, delimiter: UInt8? = nil, probabilityScores: Bool = false,
    progress: (@Sendable (Double) -> Void)? = nil
  ) throws {
    try AuditTable.checkOptions(columns)
    let source = try TableSources.open(path, options: TableReadOptions(delimiter: delimiter))
    try self.init(
      source: source, columns: columns, probabilityScores: probabilityScores, progress: progress)
  }

  /// Reads and validates the audit columns of `source`.
  public init(
    source: any TableSource, columns: AuditColumns, probabilityScores: Bool = false,
    progress: (@Sendable (Double) -> Void)? = nil
  ) throws {
    try AuditTable.checkOptions(columns)
    var schema = columns.schema
    schema.scoresAreProbabilities = probabilityScores
    let dataset = try Dataset(reading: source, schema: schema, progress: progress)
    switch columns.task {
    case .classification:
      guard let labels = dataset.labels, let predictions = dataset.predictedLabels else {
        preconditionFailure("a classification schema reads labels and predictions")
      }
      if let single = AuditTable.singleClass(labels.values) {
        let name = (single == 1 ? labels.positiveName : labels.negativeName) ?? "\(single)"
        throw BiasKitError.singleClassLabels(
          source.name, column: columns.yTrue, value: name, rows: dataset.rowCount)
      }
      data = .classification(
        labels: labels.values, predictions: predictions, scores: dataset.scores,
        weights: dataset.weights)
    case .regression:
      guard let targets = dataset.targets, let predictions = dataset.predictedValues else {
        preconditionFailure("a regression schema reads targets and predictions")
      }
      data = AuditData(
        outcomes: .regression(targets: targets, predictions: predictions),
        weights: dataset.weights)
    }
    guard let sensitive = dataset.groups else {
      preconditionFailure("checkOptions requires a sensitive feature")
    }
    self.sensitive = sensitive
    self.control = dataset.control
    self.dataset = dataset
    self.path = source.name
    self.columns = columns
  }

  static func singleClass(_ values: [UInt8]) -> UInt8? {
    guard let first = values.first else { return nil }
    return values.contains(where: { $0 != first }) ? nil : first
  }

  static func checkOptions(_ columns: AuditColumns) throws {
    if columns.sensitive.isEmpty {
      throw BiasKitError(
        .invalidArgument, "name at least one sensitive feature (\(.sensitive, "COL[,COL…]"))")
    }
    if let repeated = columns.sensitive.first(where: { columns.control.contains($0) }) {
      throw BiasKitError(
        .invalidArgument, "'\(repeated)' is both a sensitive and a control feature")
    }
    if Set(columns.sensitive).count != columns.sensitive.count
      || Set(columns.control).count != columns.control.count
    {
      throw BiasKitError(
        .invalidArgument, "a feature is listed twice in \(.sensitive) or \(.control)")
    }
    if columns.task == .regression {
      if columns.yScore != nil {
        throw BiasKitError(
          .invalidArgument,
          "\(.yScore) is for classification; it conflicts with \(.task, "regression")")
      }
      if columns.positiveLabel != nil {
        throw BiasKitError(
          .invalidArgument,
          "\(.positiveLabel) is for classification; it conflicts with \(.task, "regression")"
        )
      }
    }
  }
}

extension BiasKitError {
  static func singleClassLabels(
    _ path: String, column: String, value: String, rows: Int
  ) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "\(path): column '\(column)' has one class ('\(value)') in all \(rows) rows; an audit needs both classes"
    )
  }
}
