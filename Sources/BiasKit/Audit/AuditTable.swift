/// Which columns of a file an audit reads, and how.
public struct AuditColumns: Sendable, Equatable {
  /// What the label and prediction columns hold.
  public enum Task: String, Sendable, CaseIterable, Codable {
    /// Binary labels (0/1, true/false, or a positive label and one other).
    case classification
    /// Numeric targets and predictions.
    case regression
    /// Class labels, any strings or integers, of two classes or more.
    case multiclass
  }

  /// The probability columns of a multiclass audit.
  public enum ClassScoreColumns: Sendable, Equatable {
    /// One column per class, in the classes' sorted order.
    case columns([String])
    /// Every column whose name starts with the prefix; the rest of the name is the class.
    case prefix(String)
  }

  /// What the label and prediction columns hold.
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
  /// The probability matrix of a multiclass audit, if any.
  public var classScores: ClassScoreColumns?
  /// Predictions made from ``yScore`` (a threshold or a rank selection) instead of read from
  /// ``yPred``, which is then not read.
  public var selection: ScoreSelection?

  /// The dataset schema of these columns (binary or regression; a multiclass audit reads its
  /// columns with ``MulticlassTable``).
  public var schema: DatasetSchema {
    DatasetSchema(
      target: yTrue, prediction: selection == nil ? yPred : nil, score: yScore,
      weight: sampleWeight,
      sensitive: sensitive, control: control, features: .none,
      task: task == .regression ? .regression : .binary(positiveLabel: positiveLabel),
      missingGroup: missingGroup)
  }

  /// The columns of an audit.
  public init(
    task: Task = .classification, yTrue: String, yPred: String, yScore: String? = nil,
    sensitive: [String],
    control: [String] = [], sampleWeight: String? = nil, positiveLabel: String? = nil,
    missingGroup: String? = nil, classScores: ClassScoreColumns? = nil
  ) {
    self.classScores = classScores
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
  /// The source's name (the path).
  public let path: String
  /// The columns read.
  public let columns: AuditColumns
  /// The outcomes, scores and weights.
  public let data: AuditData
  /// The sensitive groups of the rows.
  public let sensitive: Groups
  /// The control levels of the rows, if any.
  public let control: Groups?
  /// The validated rows (binary and regression audits; nil for a multiclass one).
  public let dataset: Dataset?

  /// Number of rows.
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
    if columns.task == .multiclass {
      let table = try MulticlassTable(source: source, columns: columns, progress: progress)
      data = AuditData(outcomes: .multiclass(table.outcomes), weights: table.weights)
      sensitive = table.sensitive
      control = table.control
      dataset = nil
      path = source.name
      self.columns = columns
      return
    }
    var schema = columns.schema
    schema.scoresAreProbabilities = probabilityScores
    let dataset = try Dataset(reading: source, schema: schema, progress: progress)
    switch columns.task {
    case .classification:
      guard let labels = dataset.labels else {
        preconditionFailure("a classification schema reads labels")
      }
      let predictions: [UInt8]
      if let selection = columns.selection, let scores = dataset.scores {
        predictions = try selection.predictions(scores: scores)
      } else if let read = dataset.predictedLabels {
        predictions = read
      } else {
        preconditionFailure("a classification schema reads predictions or scores")
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
    case .multiclass:
      preconditionFailure("a multiclass audit is read above")
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
    if let selection = columns.selection {
      guard columns.task == .classification else {
        throw BiasKitError(
          .invalidArgument,
          "\(.threshold), \(.topK) and \(.topFraction) make binary predictions; they conflict with \(.task, columns.task.rawValue)"
        )
      }
      guard columns.yScore != nil else {
        throw BiasKitError(
          .invalidArgument,
          "\(selection.flag) makes the predictions from the scores: name them with \(.yScore, "COL")"
        )
      }
      if case .threshold = selection {} else { try selection.validate(rows: Int.max) }
    }
    if columns.task != .multiclass, columns.classScores != nil {
      throw BiasKitError(
        .invalidArgument,
        "a probability matrix (\(.yScorePrefix) or several \(.yScore) columns) is for \(.task, "multiclass")"
      )
    }
    if columns.task == .multiclass {
      if columns.yScore != nil {
        throw BiasKitError(
          .invalidArgument,
          "a multiclass audit reads one probability column per class: \(.yScore, "p_a,p_b,…") or \(.yScorePrefix, "p_")"
        )
      }
      if columns.positiveLabel != nil {
        throw BiasKitError(
          .invalidArgument,
          "\(.positiveLabel) is for binary labels; it conflicts with \(.task, "multiclass")")
      }
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
