/// The rows a mitigation is fitted on and evaluated on: a training set and an optional test
/// set, read and checked once.
///
/// The training rows need binary labels with both classes and sensitive groups with at least
/// two occurring combinations; the test rows are read in the training set's columns and group
/// table (a group value the training rows lack is an error naming it), and need labels too, so
/// that the outcomes on them can be computed. ``trainGroups`` and ``testGroups`` are the groups
/// in fairlearn's mitigation layout (``Groups/occurring()`` of the training rows), the test rows
/// coded in the training table, so a group without test rows still has its entry (rate 0).
///
///     let data = try MitigationData(
///       readingTrain: "train.csv", test: "test.csv",
///       schema: DatasetSchema(target: "y", sensitive: ["sex"], features: .allExcept(["race"])))
///     let run = try data.run(ThresholdOptimizer(), seed: 7)
///
/// - Complexity: one read of each file, O(rows × columns).
public struct MitigationData: Sendable {
  /// The training rows.
  public let train: Dataset
  /// The test rows, if any.
  public let test: Dataset?
  /// The training groups, occurring layout.
  public let trainGroups: Groups
  /// The test rows' groups in the training table.
  public let testGroups: Groups?

  /// A sample-weight column read from a file of its own, one row per training row in the same
  /// order (e.g. the weights `biaskit mitigate reweighing --output` writes). When the file also
  /// has `group` and `label` columns, each row's must equal the training row's.
  public struct WeightFile: Sendable, Equatable {
    /// The file.
    public var path: String
    /// Its weight column.
    public var column: String

    /// Weights in column `column` of the file at `path`.
    public init(path: String, column: String) {
      self.path = path
      self.column = column
    }
  }

  /// Checks rows already in memory.
  ///
  /// - Throws: ``BiasKitError`` when the training rows have no labels or groups, one class or
  ///   one group, or the test rows have no labels or groups, or a group the training rows lack.
  public init(train: Dataset, test: Dataset? = nil) throws {
    let (_, groups) = try train.mitigationTarget("MitigationData training rows")
    try self.init(train: train, trainGroups: groups, test: test)
  }

  private init(train: Dataset, trainGroups: Groups, test: Dataset?) throws {
    self.train = train
    self.test = test
    self.trainGroups = trainGroups
    if let test {
      guard test.labels != nil else {
        throw BiasKitError.missingInput("\(test.name) (test rows)", "labels")
      }
      let own = try test.requiredGroups("\(test.name) (test rows)").occurring()
      testGroups = try trainGroups.assigning(own.codes(matching: trainGroups.names))
    } else {
      testGroups = nil
    }
  }

  /// Reads the training file (and the test file) with `schema`: the label, the sensitive and
  /// control columns, the score and weight columns, the features. The test file is read with
  /// the training file's feature columns and groups, without weights or control columns.
  ///
  /// - Parameter weightFile: the sample weights from another file instead of the schema's
  ///   weight column of the training file.
  /// - Throws: ``BiasKitError`` naming the file (and line and column) of a bad value, a
  ///   weight file whose row count differs or whose group and label columns do not follow the
  ///   training rows, weights that are all 0, one group or one class in the training file.
  public init(
    readingTrain trainPath: String, test testPath: String? = nil, schema: DatasetSchema,
    weightFile: WeightFile? = nil
  ) throws {
    guard !schema.sensitive.isEmpty else {
      throw BiasKitError(.invalidArgument, "\(.sensitive) names no column")
    }
    var trainSchema = schema
    if weightFile != nil { trainSchema.weight = nil }
    let trainSource = try TableSources.open(trainPath)
    var train = try Dataset(reading: trainSource, schema: trainSchema)
    if let weightFile {
      let source = try TableSources.open(weightFile.path)
      let read = try Dataset(
        reading: source, schema: DatasetSchema(weight: weightFile.column, task: .regression))
      guard read.rowCount == train.rowCount else {
        throw BiasKitError.weightFileRows(
          weightFile.path, read.rowCount, train: trainPath, train.rowCount)
      }
      try Self.requirePositiveWeight(read.weights ?? [], source: source, column: weightFile.column)
      train = try train.replacing(weights: read.weights)
    } else if let column = schema.weight {
      try Self.requirePositiveWeight(train.weights ?? [], source: trainSource, column: column)
    }
    let groups = train.groups?.occurring() ?? Groups([String]())
    guard groups.count >= 2 else {
      throw BiasKitError.oneGroupInFile(
        trainPath, sensitive: schema.sensitive, group: groups.names.first ?? "")
    }
    let labels = train.labels?.values ?? []
    guard labels.contains(0) && labels.contains(1) else {
      throw BiasKitError.oneClassInFile(trainPath, target: schema.target ?? "")
    }
    var test: Dataset?
    if let testPath {
      var testSchema = schema
      testSchema.weight = nil
      testSchema.control = []
      test = try Dataset(reading: TableSources.open(testPath), schema: testSchema, matching: train)
    }
    try self.init(train: train, trainGroups: groups, test: test)
    if let weightFile { try checkAlignment(weightFile.path) }
  }

  /// Throws unless some weight is positive.
  private static func requirePositiveWeight(
    _ values: [Double], source: any TableSource, column: String
  ) throws {
    guard values.contains(where: { $0 > 0 }) else {
      let index = (source.columnNames.firstIndex(of: column) ?? 0) + 1
      throw BiasKitError(
        .degenerateData, "\(source.name): column \(index) ('\(column)'): every sample weight is 0")
    }
  }

  /// A weights file with `group` and `label` columns must list the training rows in order.
  private func checkAlignment(_ path: String) throws {
    let source = try TableSources.open(path)
    guard source.columnNames.contains("group"), source.columnNames.contains("label") else {
      return
    }
    let table = try source.read([.category("group"), .label("label")])
    guard let groups = table.columns[0].categories, let labels = table.columns[1].labels?.values
    else { return }
    let trainLabels = train.labels?.values ?? []
    for i in labels.indices where i < trainLabels.count {
      let name = groups.levels[Int(groups.codes[i])]
      let expected = trainGroups.names[Int(trainGroups.codes[i])]
      if name != expected || labels[i] != trainLabels[i] {
        throw BiasKitError(
          .invalidArgument,
          "\(source.location(row: i, column: "group").withoutColumn): group '\(name)', label \(labels[i]), but row \(i + 1) of \(train.name) has group '\(expected)', label \(trainLabels[i]); the weights do not follow the training rows"
        )
      }
    }
  }

  /// The rows the outcome of a mitigation is decided on for the predictions and audits: the
  /// test rows when there are some, else the training rows, with their groups in the training
  /// table.
  public var evaluated: (data: Dataset, groups: Groups) {
    if let test, let testGroups { return (test, testGroups) }
    return (train, trainGroups)
  }
}

extension BiasKitError {
  static func weightFileRows(
    _ path: String, _ rows: Int, train: String, _ trainRows: Int
  )
    -> BiasKitError
  {
    BiasKitError(
      .invalidArgument,
      "\(path): \(rows) rows of sample weights for the \(trainRows) rows of \(train)")
  }

  static func oneGroupInFile(_ path: String, sensitive: [String], group: String) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "\(path): the sensitive column '\(sensitive.joined(separator: ","))' has one group ('\(group)'); mitigation needs at least two groups to compare"
    )
  }

  static func oneClassInFile(_ path: String, target: String) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "\(path): the label column '\(target)' has one class; mitigation needs both classes")
  }
}
