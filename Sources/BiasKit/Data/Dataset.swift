/// Which column of a table plays which role.
///
/// A schema is the whole of what a user says about a file: the label and prediction columns,
/// the score, weight, sensitive and control columns, and which columns are features. The CLI
/// builds one from its flags; ``Dataset/init(reading:schema:matching:)`` reads and validates it.
public struct DatasetSchema: Sendable, Equatable {
  /// What the label and prediction columns hold.
  public enum Task: Sendable, Equatable {
    /// Binary labels: `0`/`1`, `-1`/`1` or `true`/`false`, or `positiveLabel` and one other
    /// value.
    case binary(positiveLabel: String?)
    /// Numeric targets and predictions.
    case regression
  }

  /// Which columns are features.
  public enum FeatureSelection: Sendable, Equatable {
    /// No features (an audit).
    case none
    /// These columns, in this order.
    case columns([String])
    /// Every column but these and the columns of the other roles, in file order.
    case allExcept([String])
  }

  /// The label (or target) column.
  public var target: String?
  /// The prediction column.
  public var prediction: String?
  /// The model's score column (probability of the positive class, or any score).
  public var score: String?
  /// The sample weight column.
  public var weight: String?
  /// The sensitive feature columns (several: intersectional groups).
  public var sensitive: [String]
  /// The control feature columns (fairlearn `control_features`).
  public var control: [String]
  /// The feature columns.
  public var features: FeatureSelection
  /// What the label and prediction columns hold.
  public var task: Task
  /// The group that empty sensitive and control values join; without it an empty value is an
  /// error.
  public var missingGroup: String?
  /// Whether the error about an empty sensitive or control field suggests ``missingGroup``
  /// (set it to false when the caller offers no way to name one).
  public var suggestsMissingGroup = true
  /// Whether scores must lie in [0, 1] (they are read as probabilities).
  public var scoresAreProbabilities: Bool

  /// A schema; every role is optional.
  public init(
    target: String? = nil, prediction: String? = nil, score: String? = nil,
    weight: String? = nil, sensitive: [String] = [], control: [String] = [],
    features: FeatureSelection = .none, task: Task = .binary(positiveLabel: nil),
    missingGroup: String? = nil, scoresAreProbabilities: Bool = false
  ) {
    self.target = target
    self.prediction = prediction
    self.score = score
    self.weight = weight
    self.sensitive = sensitive
    self.control = control
    self.features = features
    self.task = task
    self.missingGroup = missingGroup
    self.scoresAreProbabilities = scoresAreProbabilities
  }

  /// The columns of every role but the features.
  var roleColumns: [String] {
    [target, prediction, score, weight].compactMap { $0 } + sensitive + control
  }
}

/// The typed, validated rows every capability reads: outcomes, scores, weights, features and
/// groups.
///
/// Every check on user data happens once, here, with the location of the offending value:
/// scores and features that are NaN or infinite (and scores outside [0, 1] when they are read
/// as probabilities), negative or non-finite weights, labels that are not binary, group values
/// a test set does not share with its training set. Downstream code trusts these invariants:
///
/// - every array has ``rowCount`` elements; ``labels`` and ``predictedLabels`` are 0 or 1;
/// - ``scores``, ``targets``, ``predictedValues`` and ``features`` are finite;
/// - ``weights`` are finite and ≥ 0, with a finite, non-zero sum;
/// - ``groups`` and ``control`` are in the product layout (``Groups``).
///
///     let source = try TableSources.open("train.csv")
///     let train = try Dataset(reading: source, schema: DatasetSchema(
///       target: "y", sensitive: ["sex"], features: .allExcept(["race"])))
///
/// Corresponds to what a user of scikit-learn and fairlearn passes as `X`, `y_true`, `y_pred`,
/// `sample_weight`, `sensitive_features` and `control_features`.
///
/// - Complexity: one read of the source, O(rows × columns).
public struct Dataset: Sendable {
  /// The source's name (the path), for messages.
  public let name: String
  /// Number of rows.
  public let rowCount: Int
  /// Binary labels (0/1) of the target column, with the classes' text.
  public let labels: LabelColumn?
  /// Numeric targets (regression).
  public let targets: [Double]?
  /// Binary predictions (0/1).
  public let predictedLabels: [UInt8]?
  /// Numeric predictions (regression).
  public let predictedValues: [Double]?
  /// Scores, finite.
  public let scores: [Double]?
  /// Sample weights, finite and ≥ 0.
  public let weights: [Double]?
  /// The features, finite; their names are `features.columnNames`.
  public let features: Matrix
  /// The sensitive groups (product layout).
  public let groups: Groups?
  /// The control groups (product layout).
  public let control: Groups?
  /// The schema the rows were read with (or that describes them).
  public let schema: DatasetSchema
  private let source: (any TableSource)?

  /// Reads the columns of `schema` from `source` and validates them.
  ///
  /// - Parameter train: a training set whose feature columns and groups a test set must share:
  ///   its feature names are read (not the schema's selection), and its groups are encoded in
  ///   the training set's group table (a value the training set lacks is an error).
  /// - Throws: ``BiasKitError`` naming the file, line (or row) and column of the first bad value,
  ///   an unknown column, or a column given two roles.
  public init(
    reading source: any TableSource, schema: DatasetSchema, matching train: Dataset? = nil,
    progress: (@Sendable (Double) -> Void)? = nil
  ) throws {
    for name in schema.roleColumns { try source.requireColumn(name) }
    let featureNames: [String]
    switch (train, schema.features) {
    case (let train?, _): featureNames = train.features.columnNames
    case (nil, .none): featureNames = []
    case (nil, .columns(let names)): featureNames = names
    case (nil, .allExcept(let dropped)):
      for name in dropped { try source.requireColumn(name) }
      let excluded = Set(dropped + schema.roleColumns)
      featureNames = source.columnNames.filter { !excluded.contains($0) }
    }
    for name in featureNames { try source.requireColumn(name) }

    var requests: [ColumnRequest] = []
    func request(_ name: String?, _ kind: ColumnRequest.Kind) -> Int? {
      guard let name else { return nil }
      requests.append(ColumnRequest(name, kind))
      return requests.count - 1
    }
    let outcomeKind: ColumnRequest.Kind
    switch schema.task {
    case .binary(let positive): outcomeKind = .label(positive: positive)
    case .regression: outcomeKind = .number(allowMissing: false)
    }
    let targetSlot = request(schema.target, outcomeKind)
    let predictionSlot = request(schema.prediction, outcomeKind)
    let scoreSlot = request(schema.score, .number(allowMissing: false))
    let weightSlot = request(schema.weight, .number(allowMissing: false))
    let sensitiveSlots = schema.sensitive.compactMap {
      request($0, .category(missingGroup: schema.missingGroup))
    }
    let controlSlots = schema.control.compactMap {
      request($0, .category(missingGroup: schema.missingGroup))
    }
    if !schema.suggestsMissingGroup {
      for k in requests.indices { requests[k].suggestsMissingGroup = false }
    }
    let featureSlots = featureNames.compactMap { request($0, .number(allowMissing: false)) }
    let table = try source.read(requests, progress: progress)
    func location(_ row: Int, _ column: String) -> SourceLocation {
      source.location(row: row, column: column)
    }
    func numbers(_ slot: Int?) -> [Double]? { slot.flatMap { table.columns[$0].numbers } }

    let scores = numbers(scoreSlot)
    if let values = scores, let column = schema.score {
      try Dataset.checkScores(values, probabilities: schema.scoresAreProbabilities) {
        location($0, column)
      }
    }
    let weights = numbers(weightSlot)
    if let values = weights, let column = schema.weight {
      if let bad = values.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
        throw BiasKitError.invalidWeight(location(bad, column), values[bad])
      }
      try checkWeightSum(values, source: "\(source.name), column '\(column)'")
    }
    var labels: LabelColumn? = nil
    var predictedLabels: [UInt8]? = nil
    var targets: [Double]? = nil
    var predictedValues: [Double]? = nil
    switch schema.task {
    case .binary:
      labels = targetSlot.flatMap { table.columns[$0].labels }
      predictedLabels = predictionSlot.flatMap { table.columns[$0].labels?.values }
    case .regression:
      for (slot, column) in [(targetSlot, schema.target), (predictionSlot, schema.prediction)] {
        if let values = numbers(slot), let column,
          let bad = values.firstIndex(where: { !$0.isFinite })
        {
          throw BiasKitError.nonFiniteValue(location(bad, column), values[bad])
        }
      }
      targets = numbers(targetSlot)
      predictedValues = numbers(predictionSlot)
    }
    var features = Matrix(
      columnVectors: featureSlots.map { table.columns[$0].numbers ?? [] },
      columnNames: featureNames)
    if featureNames.isEmpty {
      features = Matrix(rows: table.rowCount, columns: 0)
    } else if let bad = features.values.firstIndex(where: { !$0.isFinite }) {
      let column = featureNames[bad % featureNames.count]
      throw BiasKitError.nonFiniteFeature(
        location(bad / featureNames.count, column), features.values[bad])
    }
    func groups(_ slots: [Int], _ names: [String], like known: Groups?) throws -> Groups? {
      guard !slots.isEmpty else { return nil }
      let columns = slots.map { table.columns[$0].categories ?? CategoricalColumn([String]()) }
      if let known { return try known.encoding(columns) }
      return try Groups(features: names, columns: columns)
    }
    self.name = source.name
    self.rowCount = table.rowCount
    self.labels = labels
    self.targets = targets
    self.predictedLabels = predictedLabels
    self.predictedValues = predictedValues
    self.scores = scores
    self.weights = weights
    self.features = features
    self.groups = try groups(sensitiveSlots, schema.sensitive, like: train?.groups)
    self.control = try groups(controlSlots, schema.control, like: train?.control)
    self.schema = schema
    self.source = source
  }

  /// A dataset from arrays, validated as a read one is (an array of the wrong length, a label
  /// other than 0 or 1, a non-finite score or feature, a negative weight throw).
  ///
  /// - Parameter rowCount: the number of rows when no array gives it.
  public init(
    name: String = "data", rowCount: Int? = nil, labels: [UInt8]? = nil,
    predictions: [UInt8]? = nil, targets: [Double]? = nil, predictedValues: [Double]? = nil,
    scores: [Double]? = nil, weights: [Double]? = nil, features: Matrix? = nil,
    groups: Groups? = nil, control: Groups? = nil
  ) throws {
    let counts: [(String, Int)] = [
      ("labels", labels?.count), ("predictions", predictions?.count),
      ("targets", targets?.count), ("predicted values", predictedValues?.count),
      ("scores", scores?.count), ("weights", weights?.count), ("features", features?.rows),
      ("groups", groups?.rowCount), ("control groups", control?.rowCount),
    ].compactMap { name, count in count.map { (name, $0) } }
    let n = rowCount ?? counts.first?.1 ?? 0
    for (what, count) in counts where count != n {
      throw BiasKitError.lengthMismatch("Dataset \(what)", count, n)
    }
    for (what, values) in [("labels", labels), ("predictions", predictions)] {
      if let values { try checkBinaryLabels(values, "Dataset \(what)") }
    }
    for (what, values) in [
      ("score", scores), ("target", targets), ("predicted value", predictedValues),
      ("feature", features?.values),
    ] {
      if let values, let bad = values.firstIndex(where: { !$0.isFinite }) {
        throw BiasKitError(
          .invalidValue, "\(name): a \(what) is \(values[bad]); expected a finite number")
      }
    }
    if let weights, let bad = weights.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
      throw BiasKitError(
        .invalidValue,
        "\(name): the sample weight of row \(bad + 1) is \(weights[bad]); expected a finite number ≥ 0"
      )
    }
    if let weights { try checkWeightSum(weights, source: name) }
    self.name = name
    self.rowCount = n
    self.labels = labels.map { LabelColumn(values: $0) }
    self.targets = targets
    self.predictedLabels = predictions
    self.predictedValues = predictedValues
    self.scores = scores
    self.weights = weights
    self.features = features ?? Matrix(rows: n, columns: 0)
    self.groups = groups
    self.control = control
    self.schema = DatasetSchema(
      task: targets != nil || predictedValues != nil ? .regression : .binary(positiveLabel: nil))
    self.source = nil
  }

  /// Where row `row` (0-based) of `column` is in the source (row numbers without one).
  public func location(row: Int, column: String) -> SourceLocation {
    source?.location(row: row, column: column)
      ?? SourceLocation(file: name, position: .row(row), columnName: column)
  }

  /// The feature names.
  public var featureNames: [String] { features.columnNames }

  /// Checks scores: finite, and in [0, 1] when they are probabilities.
  static func checkScores(
    _ values: [Double], probabilities: Bool, location: (Int) -> SourceLocation
  ) throws {
    for (i, v) in values.enumerated() where !v.isFinite || (probabilities && !(0...1).contains(v)) {
      if !v.isFinite { throw BiasKitError.nonFiniteScore(location(i), v) }
      throw BiasKitError.scoreNotProbability(location(i), v)
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
  static func nonFiniteFeature(_ location: SourceLocation, _ value: Double) -> BiasKitError {
    BiasKitError(.invalidValue, "\(location): the feature is \(value); expected a finite number")
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
}
