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

/// An audit's input read from a delimited file and validated: the typed ``AuditData`` and the
/// group indices of the sensitive and control features.
///
/// Every check on user data happens here, once, with the file and line of the offending value:
/// scores that are NaN or infinite (or outside [0, 1] when a metric reads them as
/// probabilities), negative or non-finite weights, a label column with a single class, and
/// options that contradict each other.
public struct AuditTable: Sendable {
  public let path: String
  public let columns: AuditColumns
  public let data: AuditData
  public let sensitive: GroupIndex
  public let control: GroupIndex?

  public var rowCount: Int { data.rowCount }

  /// Reads and validates the audit columns of `path`.
  ///
  /// - Parameter probabilityScores: whether the scores must lie in [0, 1] (Brier score, log
  ///   loss and calibration read them as probabilities; ROC AUC does not).
  public init(
    path: String, columns: AuditColumns, delimiter: UInt8? = nil, probabilityScores: Bool = false,
    progress: (@Sendable (Double) -> Void)? = nil
  ) throws {
    try AuditTable.checkOptions(columns)
    let reader = try CSVReader(path: path, delimiter: delimiter)
    var requests: [ColumnRequest] = []
    switch columns.task {
    case .classification:
      requests.append(.label(columns.yTrue, positive: columns.positiveLabel))
      requests.append(.label(columns.yPred, positive: columns.positiveLabel))
    case .regression:
      requests.append(.number(columns.yTrue))
      requests.append(.number(columns.yPred))
    }
    if let score = columns.yScore { requests.append(.number(score)) }
    if let weight = columns.sampleWeight { requests.append(.number(weight)) }
    for name in columns.sensitive + columns.control {
      requests.append(.category(name, missingGroup: columns.missingGroup))
    }
    let table = try reader.read(requests, progress: progress)
    var next = 2
    func location(_ row: Int, _ name: String) -> SourceLocation {
      let index = reader.header.firstIndex(of: name) ?? 0
      return SourceLocation(
        file: path, line: reader.line(ofRow: row), column: index + 1, columnName: name)
    }

    var scores: [Double]? = nil
    if columns.yScore != nil {
      let values = table.columns[next].numbers!
      next += 1
      for (i, v) in values.enumerated()
      where !v.isFinite || (probabilityScores && !(0...1).contains(v)) {
        let name = columns.yScore!
        if !v.isFinite { throw BiasKitError.nonFiniteScore(location(i, name), v) }
        throw BiasKitError.scoreNotProbability(location(i, name), v)
      }
      scores = values
    }
    var weights: [Double]? = nil
    if let name = columns.sampleWeight {
      let values = table.columns[next].numbers!
      next += 1
      for (i, v) in values.enumerated() where !v.isFinite || v < 0 {
        throw BiasKitError.invalidWeight(location(i, name), v)
      }
      weights = values
    }
    switch columns.task {
    case .classification:
      let labels = table.columns[0].labels!
      if let single = AuditTable.singleClass(labels.values) {
        let name = (single == 1 ? labels.positiveName : labels.negativeName) ?? "\(single)"
        throw BiasKitError.singleClassLabels(
          path, column: columns.yTrue, value: name, rows: table.rowCount)
      }
      data = .classification(
        labels: labels.values, predictions: table.columns[1].labels!.values, scores: scores,
        weights: weights)
    case .regression:
      for (k, name) in [columns.yTrue, columns.yPred].enumerated() {
        if let i = table.columns[k].numbers!.firstIndex(where: { !$0.isFinite }) {
          throw BiasKitError.nonFiniteValue(location(i, name), table.columns[k].numbers![i])
        }
      }
      data = AuditData(
        outcomes: .regression(
          targets: table.columns[0].numbers!, predictions: table.columns[1].numbers!),
        weights: weights)
    }
    let sensitiveColumns = (0..<columns.sensitive.count).map {
      table.columns[next + $0].categories!
    }
    next += columns.sensitive.count
    sensitive = try GroupIndex(names: columns.sensitive, columns: sensitiveColumns)
    if columns.control.isEmpty {
      control = nil
    } else {
      let controlColumns = (0..<columns.control.count).map { table.columns[next + $0].categories! }
      control = try GroupIndex(names: columns.control, columns: controlColumns)
    }
    self.path = path
    self.columns = columns
  }

  static func singleClass(_ values: [UInt8]) -> UInt8? {
    guard let first = values.first else { return nil }
    return values.contains(where: { $0 != first }) ? nil : first
  }

  static func checkOptions(_ columns: AuditColumns) throws {
    if columns.sensitive.isEmpty {
      throw BiasKitError(
        .invalidArgument, "name at least one sensitive feature (--sensitive COL[,COL…])")
    }
    if let repeated = columns.sensitive.first(where: { columns.control.contains($0) }) {
      throw BiasKitError(
        .invalidArgument, "'\(repeated)' is both a sensitive and a control feature")
    }
    if Set(columns.sensitive).count != columns.sensitive.count
      || Set(columns.control).count != columns.control.count
    {
      throw BiasKitError(.invalidArgument, "a feature is listed twice in --sensitive or --control")
    }
    if columns.task == .regression {
      if columns.yScore != nil {
        throw BiasKitError(
          .invalidArgument, "--y-score is for classification; it conflicts with --task regression")
      }
      if columns.positiveLabel != nil {
        throw BiasKitError(
          .invalidArgument, "--pos-label is for classification; it conflicts with --task regression"
        )
      }
    }
  }
}

extension BiasKitError {
  static func nonFiniteScore(_ location: SourceLocation, _ value: Double) -> BiasKitError {
    BiasKitError(.invalidValue, "\(location): the score is \(value); expected a finite number")
  }
  static func nonFiniteValue(_ location: SourceLocation, _ value: Double) -> BiasKitError {
    BiasKitError(.invalidValue, "\(location): the value is \(value); expected a finite number")
  }
  static func scoreNotProbability(_ location: SourceLocation, _ value: Double) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "\(location): the score \(value) is outside [0, 1]; brier_score, log_loss and expected_calibration_error need probabilities"
    )
  }
  static func invalidWeight(_ location: SourceLocation, _ value: Double) -> BiasKitError {
    BiasKitError(
      .invalidValue, "\(location): the sample weight is \(value); expected a finite number ≥ 0")
  }
  static func singleClassLabels(
    _ path: String, column: String, value: String, rows: Int
  ) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "\(path): column '\(column)' has one class ('\(value)') in all \(rows) rows; an audit needs both classes"
    )
  }
}
