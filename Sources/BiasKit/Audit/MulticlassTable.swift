/// The columns of a multiclass audit read from a table and validated: class labels and
/// predictions, the probability matrix, weights, and the sensitive and control groups.
///
/// Classes are the true labels' values, with those of the probability columns
/// (``AuditColumns/ClassScoreColumns``), sorted as NumPy's `np.unique` sorts them (numerically
/// when every class is a number, else by Unicode code points); with `.columns`, the i-th column
/// is the i-th class. Each check names the file, line and column of the offending value:
///
/// - fewer than two true classes;
/// - a predicted class that is neither a true class nor a probability column's;
/// - a true class without a probability column, or a column count that is not the class count;
/// - a probability outside [0, 1] or not finite, or a row whose probabilities do not sum to 1
///   within 1e-6 (scikit-learn's multiclass ROC AUC requires probabilities);
/// - an empty label, a negative or non-finite weight.
///
/// - Complexity: one read of the source, O(n · K).
public struct MulticlassTable: Sendable {
  /// The labels, predictions and probabilities.
  public let outcomes: MulticlassOutcomes
  /// Sample weights, finite and ≥ 0.
  public let weights: [Double]?
  /// The sensitive groups (product layout).
  public let sensitive: Groups
  /// The control levels (product layout).
  public let control: Groups?
  /// The probability columns, one per class in class order.
  public let scoreColumns: [String]

  /// Reads and validates the multiclass audit columns of `source`.
  public init(
    source: any TableSource, columns: AuditColumns, progress: (@Sendable (Double) -> Void)? = nil
  ) throws {
    var scoreColumns: [String] = []
    var prefixClasses: [String] = []
    switch columns.classScores {
    case .columns(let names)?: scoreColumns = names
    case .prefix(let prefix)?:
      let matching = source.columnNames.filter { $0.hasPrefix(prefix) && $0.count > prefix.count }
      guard !matching.isEmpty else {
        throw BiasKitError(
          .unknownName,
          "\(source.name): no column starts with '\(prefix)' (\(.yScorePrefix)); the columns are \(source.columnNames.map { "'\($0)'" }.joined(separator: ", "))"
        )
      }
      let classes = matching.map { String($0.dropFirst(prefix.count)) }
      let order = Groups.sortedOrder(classes)
      scoreColumns = order.map { matching[$0] }
      prefixClasses = order.map { classes[$0] }
    case nil: break
    }
    let roles =
      [columns.yTrue, columns.yPred] + scoreColumns + [columns.sampleWeight].compactMap { $0 }
      + columns.sensitive + columns.control
    for name in roles { try source.requireColumn(name) }
    if let repeated = roles.first(where: { name in roles.filter { $0 == name }.count > 1 }) {
      throw BiasKitError(.invalidArgument, "the column '\(repeated)' is given two roles")
    }
    var requests: [ColumnRequest] = [
      .category(columns.yTrue, missingGroup: ""), .category(columns.yPred, missingGroup: ""),
    ]
    requests += scoreColumns.map { .number($0) }
    if let weight = columns.sampleWeight { requests.append(.number(weight)) }
    requests += (columns.sensitive + columns.control).map {
      .category($0, missingGroup: columns.missingGroup)
    }
    let table = try source.read(requests, progress: progress)
    let n = table.rowCount
    func location(_ row: Int, _ column: String) -> SourceLocation {
      source.location(row: row, column: column)
    }
    guard let truth = table.columns[0].categories, let predicted = table.columns[1].categories
    else { preconditionFailure("label columns are read as categories") }
    for (column, name) in [(truth, columns.yTrue), (predicted, columns.yPred)] {
      if let empty = column.levels.firstIndex(of: ""),
        let row = column.codes.firstIndex(of: Int32(empty))
      {
        throw BiasKitError.missingValue(location(row, name), expected: "a class label")
      }
    }
    // Classes: the true labels (and the probability columns' classes), sorted as np.unique.
    var used = [Bool](repeating: false, count: truth.levels.count)
    for code in truth.codes { used[Int(code)] = true }
    let trueClasses = truth.levels.indices.filter { used[$0] }.map { truth.levels[$0] }
    guard trueClasses.count >= 2 else {
      throw BiasKitError.singleClassLabels(
        source.name, column: columns.yTrue, value: trueClasses.first ?? "", rows: n)
    }
    var classes: [String]
    switch columns.classScores {
    case .columns(let names)?:
      classes = Groups.sortedOrder(trueClasses).map { trueClasses[$0] }
      guard names.count == classes.count else {
        throw BiasKitError(
          .invalidArgument,
          "\(names.count) probability columns for \(classes.count) classes (\(classes.joined(separator: ", "))): give one \(.yScore) column per class, in this order"
        )
      }
    case .prefix(let prefix)?:
      if let missing = trueClasses.first(where: { !prefixClasses.contains($0) }) {
        throw BiasKitError(
          .unknownName,
          "\(source.name): the class '\(missing)' of '\(columns.yTrue)' has no probability column '\(prefix)\(missing)'; the columns of \(.yScorePrefix, prefix) are \(scoreColumns.joined(separator: ", "))"
        )
      }
      classes = prefixClasses
    case nil:
      classes = Groups.sortedOrder(trueClasses).map { trueClasses[$0] }
    }
    var classIndex: [String: Int32] = [:]
    for (k, name) in classes.enumerated() { classIndex[name] = Int32(k) }
    func codes(_ column: CategoricalColumn, _ name: String) throws -> [Int32] {
      let map = try column.levels.enumerated().map { level, text -> Int32 in
        if let k = classIndex[text] { return k }
        // A value with no rows cannot happen; name the first row holding it.
        let row = column.codes.firstIndex(of: Int32(level)) ?? 0
        throw BiasKitError(
          .invalidValue,
          "\(location(row, name)): the class '\(text)' is neither a class of '\(columns.yTrue)' nor a probability column's; the classes are \(classes.joined(separator: ", "))"
        )
      }
      var out = [Int32](repeating: 0, count: n)
      for i in 0..<n { out[i] = map[Int(column.codes[i])] }
      return out
    }
    let labels = try codes(truth, columns.yTrue)
    let predictions = try codes(predicted, columns.yPred)
    var probabilities: [Double]? = nil
    if !scoreColumns.isEmpty {
      let k = classes.count
      var matrix = [Double](repeating: 0, count: n * k)
      for c in 0..<k {
        guard let values = table.columns[2 + c].numbers else {
          preconditionFailure("score columns are read as numbers")
        }
        for i in 0..<n {
          let p = values[i]
          guard p.isFinite, p >= 0, p <= 1 else {
            throw BiasKitError(
              .invalidValue,
              "\(location(i, scoreColumns[c])): the probability \(p) is outside [0, 1]")
          }
          matrix[i * k + c] = p
        }
      }
      for i in 0..<n {
        var sum = 0.0
        for c in 0..<k { sum += matrix[i * k + c] }
        guard abs(sum - 1) <= MulticlassOutcomes.sumTolerance else {
          throw BiasKitError(
            .invalidValue,
            "\(location(i, scoreColumns[0]).withoutColumn): the probabilities \(scoreColumns.joined(separator: " + ")) sum to \(sum); expected 1 (within 1e-6)"
          )
        }
      }
      probabilities = matrix
    }
    var next = 2 + scoreColumns.count
    var weights: [Double]? = nil
    if let weight = columns.sampleWeight {
      guard let values = table.columns[next].numbers else {
        preconditionFailure("weights are read as numbers")
      }
      if let bad = values.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
        throw BiasKitError.invalidWeight(location(bad, weight), values[bad])
      }
      weights = values
      next += 1
    }
    func groups(_ names: [String]) throws -> Groups? {
      guard !names.isEmpty else { return nil }
      let categorical = table.columns[next..<(next + names.count)].map {
        $0.categories ?? CategoricalColumn([String]())
      }
      next += names.count
      return try Groups(features: names, columns: categorical)
    }
    guard let sensitive = try groups(columns.sensitive) else {
      preconditionFailure("checkOptions requires a sensitive feature")
    }
    self.sensitive = sensitive
    self.control = try groups(columns.control)
    self.weights = weights
    self.scoreColumns = scoreColumns
    self.outcomes = MulticlassOutcomes(
      classes: classes, labels: labels, predictions: predictions, probabilities: probabilities)
  }
}
