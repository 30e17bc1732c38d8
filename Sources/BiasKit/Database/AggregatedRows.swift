import Foundation

/// One value of a database result.
public enum SQLValue: Sendable, Equatable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)

  var display: String {
    switch self {
    case .null: return "NULL"
    case .integer(let i): return String(i)
    case .real(let d): return "\(d)"
    case .text(let s): return "'\(s)'"
    }
  }
}

/// Reads the result of an ``AggregationQuery`` (from a database, or a CSV file written by
/// Spark) into an ``AuditState``, validating every value once: labels must be 0/1, true/false
/// (`t`/`f`) or the `--pos-label` and one other value; scores numbers; group values present
/// (or `--missing-group`).
///
/// Scores: when every (cell, bin) of the result holds one distinct score (`score_min` =
/// `score_max`, the same in all its rows), the counts are exact per distinct value, so an
/// unweighted result gives exactly the ``ScoreCounts`` of a file audit, and calibration sums,
/// when asked for, are rebuilt from them. Otherwise the state keeps the histogram
/// (``AuditState/binningScoresIfNeeded(_:)`` applies the same rule to a file audit).
///
/// - Complexity: O(r log r) for r result rows.
public struct AggregatedRows: Sendable {
  public let columns: AuditColumns
  public let needs: CountingPass.Needs
  public let calibrationBins: Int
  public let histogram: AuditState.ScoreHistogram
  /// Names the source in errors.
  public let source: String
  /// Whether the query grouped by each distinct score (``AggregationQuery/exactScores``).
  public var exactScores = false

  var levelIndex: [[String: Int32]]
  var levelNames: [[String]]
  var codes: [[Int32]]
  var labels: [UInt8] = []
  var predictions: [UInt8] = []
  var bins: [Int] = []
  var minima: [Double] = []
  var maxima: [Double] = []
  var counts: [Int] = []
  var weights: [Double] = []
  var labelSpellings: [Set<String>] = [[], []]
  /// Multiclass: the text of each row's true and predicted class, interned.
  var classIndex: [String: Int32] = [:]
  var classNames: [String] = []
  var trueClasses: [Int32] = []
  var predictedClasses: [Int32] = []

  var groupColumns: [String] { columns.control + columns.sensitive }
  /// Expected result width.
  public var width: Int {
    groupColumns.count + 2 + (columns.yScore != nil ? 3 : 0) + 1
      + (columns.sampleWeight != nil ? 1 : 0)
  }

  /// The result's column names, in order.
  public var columnNames: [String] {
    columns.control.indices.map { "control_\($0 + 1)" }
      + columns.sensitive.indices.map { "sensitive_\($0 + 1)" }
      + ["y_true", "y_pred"]
      + (columns.yScore != nil ? ["score_bin", "score_min", "score_max"] : []) + ["row_count"]
      + (columns.sampleWeight != nil ? ["weight_sum"] : [])
  }

  public init(
    columns: AuditColumns, needs: CountingPass.Needs, calibrationBins: Int = 10,
    histogram: AuditState.ScoreHistogram, source: String
  ) {
    self.columns = columns
    self.needs = needs
    self.calibrationBins = calibrationBins
    self.histogram = histogram
    self.source = source
    let features = columns.control.count + columns.sensitive.count
    levelIndex = Array(repeating: [:], count: features)
    levelNames = Array(repeating: [], count: features)
    codes = Array(repeating: [], count: features)
  }

  /// Adds one result row (`where` names it in errors, e.g. "row 12").
  public mutating func add(_ row: [SQLValue], where location: @autoclosure () -> String) throws {
    guard row.count == width else {
      throw BiasKitError(
        .malformedInput,
        "\(source), \(location()): \(row.count) columns; expected \(width) (\(columnNames.joined(separator: ", ")))"
      )
    }
    var k = 0
    for f in groupColumns.indices {
      var level: String
      switch row[k] {
      case .null: level = ""
      case .integer(let i): level = String(i)
      case .real(let d): level = "\(d)"
      case .text(let s): level = s
      }
      if level.isEmpty {
        guard let missing = columns.missingGroup else {
          throw BiasKitError.missingGroupValue(source, groupColumns[f], location())
        }
        level = missing
      }
      if let code = levelIndex[f][level] {
        codes[f].append(code)
      } else {
        let code = Int32(levelNames[f].count)
        levelIndex[f][level] = code
        levelNames[f].append(level)
        codes[f].append(code)
      }
      k += 1
    }
    if columns.task == .multiclass {
      trueClasses.append(try classCode(row[k], column: columns.yTrue, location))
      predictedClasses.append(try classCode(row[k + 1], column: columns.yPred, location))
      labels.append(0)
      predictions.append(0)
    } else {
      labels.append(try label(row[k], column: columns.yTrue, location))
      predictions.append(try label(row[k + 1], column: columns.yPred, location))
    }
    k += 2
    if let scoreColumn = columns.yScore {
      let low = try number(row[k + 1], column: scoreColumn, location)
      let high = try number(row[k + 2], column: scoreColumn, location)
      guard low.isFinite else {
        throw BiasKitError.notANumber(source, scoreColumn, row[k + 1], location())
      }
      guard high.isFinite else {
        throw BiasKitError.notANumber(source, scoreColumn, row[k + 2], location())
      }
      let bin = try number(row[k], column: "score_bin", location)
      guard bin >= 0, bin < Double(histogram.bins), bin == bin.rounded() else {
        throw BiasKitError(
          .malformedInput,
          "\(source), \(location()): score_bin \(row[k].display) is not a bin of \(histogram.bins); read the result with the \(.maxDistinctScores) and \(.scoreRange) it was made with"
        )
      }
      bins.append(Int(bin))
      minima.append(low == 0 ? 0 : low)
      maxima.append(high == 0 ? 0 : high)
      k += 3
    }
    let count = try number(row[k], column: "row_count", location)
    guard count >= 0, count == count.rounded(), count < 9e15 else {
      throw BiasKitError.notANumber(source, "row_count", row[k], location())
    }
    counts.append(Int(count))
    k += 1
    if let weightColumn = columns.sampleWeight {
      let weight = try number(row[k], column: weightColumn, location)
      guard weight.isFinite, weight >= 0 else {
        throw BiasKitError(
          .invalidValue,
          "\(source), \(location()): the sample weights of '\(weightColumn)' sum to \(weight); expected finite numbers ≥ 0"
        )
      }
      weights.append(weight)
    }
  }

  mutating func label(_ value: SQLValue, column: String, _ location: () -> String) throws -> UInt8 {
    let text: String
    switch value {
    case .null:
      throw BiasKitError.notALabel(
        source, column, value, location(), positive: columns.positiveLabel)
    case .integer(let i): text = String(i)
    case .real(let d): text = d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : "\(d)"
    case .text(let s): text = s
    }
    if let positive = columns.positiveLabel {
      let slot = column == columns.yTrue ? 0 : 1
      labelSpellings[slot].insert(text)
      if labelSpellings[slot].count > 2 {
        throw BiasKitError(
          .invalidValue,
          "\(source): column '\(column)' has more than two values (\(labelSpellings[slot].sorted().joined(separator: ", "))); a binary audit needs two"
        )
      }
      return text == positive ? 1 : 0
    }
    switch text.lowercased() {
    case "1", "1.0", "+1", "true", "t": return 1
    case "0", "0.0", "false", "f", "-1", "-1.0": return 0
    default: throw BiasKitError.notALabel(source, column, value, location(), positive: nil)
    }
  }

  /// The interned class of a multiclass label or prediction.
  mutating func classCode(
    _ value: SQLValue, column: String, _ location: () -> String
  ) throws -> Int32 {
    let text: String
    switch value {
    case .null:
      throw BiasKitError(
        .invalidValue, "\(source), \(location()): column '\(column)' is NULL; expected a class")
    case .integer(let i): text = String(i)
    case .real(let d): text = d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : "\(d)"
    case .text(let s): text = s
    }
    if let code = classIndex[text] { return code }
    let code = Int32(classNames.count)
    classIndex[text] = code
    classNames.append(text)
    return code
  }

  func number(_ value: SQLValue, column: String, _ location: () -> String) throws -> Double {
    switch value {
    case .integer(let i): return Double(i)
    case .real(let d): return d
    case .text(let s):
      if let d = Double(s.trimmingCharacters(in: .whitespaces)) { return d }
      throw BiasKitError.notANumber(source, column, value, location())
    case .null: throw BiasKitError.notANumber(source, column, value, location())
    }
  }

  /// The audit state of the rows added.
  public func state() throws -> AuditState {
    let rows = counts.reduce(0, +)
    // Multiclass: the true classes sorted as np.unique; predictions must be among them.
    var classOrder: [Int32] = []
    var classes: [String] = []
    if columns.task == .multiclass {
      var isTrue = [Bool](repeating: false, count: classNames.count)
      for i in trueClasses.indices where counts[i] > 0 { isTrue[Int(trueClasses[i])] = true }
      let present = classNames.indices.filter { isTrue[$0] }
      guard present.count >= 2 else {
        throw BiasKitError.singleClassLabels(
          source, column: columns.yTrue, value: present.first.map { classNames[$0] } ?? "",
          rows: rows)
      }
      let sorted = Groups.sortedOrder(present.map { classNames[$0] }).map { present[$0] }
      classes = sorted.map { classNames[$0] }
      classOrder = [Int32](repeating: -1, count: classNames.count)
      for (rank, original) in sorted.enumerated() { classOrder[original] = Int32(rank) }
      for i in predictedClasses.indices
      where counts[i] > 0 && classOrder[Int(predictedClasses[i])] < 0 {
        throw BiasKitError(
          .invalidValue,
          "\(source): column '\(columns.yPred)' holds the class '\(classNames[Int(predictedClasses[i])])', which is not a class of '\(columns.yTrue)'; the classes are \(classes.joined(separator: ", "))"
        )
      }
    }
    if columns.task == .classification, rows > 0 {
      var classes = Set<UInt8>()
      for i in labels.indices where counts[i] > 0 { classes.insert(labels[i]) }
      if classes.count == 1, let only = classes.first {
        throw BiasKitError.singleClassLabels(
          source, column: columns.yTrue, value: "\(only)", rows: rows)
      }
    }
    guard rows > 0 else { throw BiasKitError(.degenerateData, "\(source): no rows to audit") }
    // Sorted levels, and each row's cell.
    var sortedLevels: [[String]] = []
    var remaps: [[Int32]] = []
    for f in levelNames.indices {
      let order = Groups.sortedOrder(levelNames[f])
      var remap = [Int32](repeating: 0, count: order.count)
      for (rank, original) in order.enumerated() { remap[original] = Int32(rank) }
      sortedLevels.append(order.map { levelNames[f][$0] })
      remaps.append(remap)
    }
    let cellCount = sortedLevels.reduce(1) { $0 * $1.count }
    guard cellCount <= Groups.maximumGroups else {
      throw BiasKitError(
        .invalidArgument, "the control and sensitive features have too many combinations")
    }
    var cells = [Int](repeating: 0, count: labels.count)
    for i in cells.indices {
      var cell = 0
      for f in sortedLevels.indices {
        cell = cell * sortedLevels[f].count + Int(remaps[f][Int(codes[f][i])])
      }
      cells[i] = cell
    }
    let weighted = columns.sampleWeight != nil
    var statistics = [GroupStatistics](repeating: GroupStatistics(), count: cellCount)
    if columns.task == .multiclass {
      let k = classes.count
      var tables = [MulticlassCounts](repeating: MulticlassCounts(classCount: k), count: cellCount)
      for i in labels.indices where counts[i] > 0 {
        let slot =
          Int(classOrder[Int(trueClasses[i])]) * k + Int(classOrder[Int(predictedClasses[i])])
        tables[cells[i]].counts[slot] += counts[i]
        tables[cells[i]].confusion[slot] += weighted ? weights[i] : Double(counts[i])
      }
      for c in 0..<cellCount {
        statistics[c].confusion = ConfusionCounts(tp: 0, fp: 0, tn: tables[c].rows, fn: 0)
        statistics[c].confusion.trueNegatives = tables[c].total
        statistics[c].classes = tables[c]
      }
    } else {
      for i in labels.indices {
        statistics[cells[i]].confusion.add(
          label: labels[i], prediction: predictions[i],
          weight: weighted ? weights[i] : Double(counts[i]), count: counts[i])
      }
    }
    // Exact when every group holds one distinct score and (for a histogram query, the rule of
    // AuditState.binningScoresIfNeeded) no (cell, label, bin) holds two.
    var isBinned = false
    var scores = minima
    if columns.yScore != nil {
      var value: [Int: Double] = [:]
      for i in labels.indices {
        let key = (cells[i] &* histogram.bins &+ bins[i]) &* 2 &+ Int(labels[i])
        if minima[i] != maxima[i] || (!exactScores && value[key].map { $0 != minima[i] } ?? false) {
          isBinned = true
          break
        }
        value[key] = minima[i]
      }
      if isBinned { scores = bins.map(Double.init) }
    }
    if columns.yScore != nil, needs.scoreCounts || needs.calibration {
      var members = [[Int]](repeating: [], count: cellCount)
      for i in labels.indices { members[cells[i]].append(i) }
      for c in 0..<cellCount {
        let rows = members[c].sorted { scores[$0] < scores[$1] }
        if needs.scoreCounts {
          var counts = ScoreCounts()
          for i in rows {
            let w = weighted ? weights[i] : Double(self.counts[i])
            if counts.values.last != scores[i] {
              counts.values.append(scores[i])
              counts.positives.append(0)
              counts.negatives.append(0)
            }
            if labels[i] == 1 {
              counts.positives[counts.positives.count - 1] += w
            } else {
              counts.negatives[counts.negatives.count - 1] += w
            }
          }
          statistics[c].scores = counts
        }
        if needs.calibration, !isBinned {
          var calibration = CalibrationStatistics(bins: calibrationBins)
          for i in rows {
            let score = scores[i]
            guard (0...1).contains(score) else {
              throw BiasKitError(
                .invalidValue,
                "\(source): the score \(score) is outside [0, 1]; brier_score, log_loss and expected_calibration_error need probabilities"
              )
            }
            calibration.add(
              label: labels[i], score: score, weight: weighted ? weights[i] : Double(counts[i]))
          }
          statistics[c].calibration = calibration
        }
      }
    }
    let controls = columns.control.count
    return AuditState(
      task: columns.task, sensitiveFeatures: columns.sensitive,
      sensitiveLevels: Array(sortedLevels[controls...]),
      controlFeatures: columns.control, controlLevels: Array(sortedLevels[..<controls]),
      scoreHistogram: isBinned ? histogram : nil, statistics: statistics,
      classes: columns.task == .multiclass ? classes : nil)
  }
}

extension AggregatedRows {
  /// Reads an aggregation result saved as CSV (`--state-from rows.csv`), with the column names
  /// of ``columnNames`` in any order (other columns are ignored).
  public mutating func add(csv path: String, delimiter: UInt8? = nil) throws {
    try add(table: TableSources.open(path, options: TableReadOptions(delimiter: delimiter)))
  }

  /// Reads an aggregation result from a table of any format (the rows of the `--emit-sql`
  /// query as a Spark job wrote them, for example).
  public mutating func add(table reader: any TableSource) throws {
    let path = reader.name
    let names = columnNames
    let missing = names.filter { !reader.columnNames.contains($0) }
    if !missing.isEmpty {
      throw BiasKitError(
        .unknownName,
        "\(path): no column \(missing.map { "'\($0)'" }.joined(separator: ", ")) (the columns are \(reader.columnNames.joined(separator: ", "))); expected the result of the audit's query (\(.emitSQL)) with the same \(.sensitive), \(.control), \(.yScore) and \(.sampleWeight)"
      )
    }
    let table = try reader.read(names.map { .category($0, missingGroup: "") })
    let columns = table.columns.map { $0.categories! }
    for i in 0..<table.rowCount {
      let row: [SQLValue] = columns.map { column in
        let text = column.levels[Int(column.codes[i])]
        return text.isEmpty ? .null : .text(text)
      }
      try add(row, where: reader.location(row: i, column: names[0]).positionDescription)
    }
  }
}

extension BiasKitError {
  static func notALabel(
    _ source: String, _ column: String, _ value: SQLValue, _ location: String, positive: String?
  ) -> BiasKitError {
    let hint: BiasKitError.Message =
      positive == nil ? " (or name the positive label with \(.positiveLabel))" : ""
    return BiasKitError(
      .invalidValue,
      "\(source), \(location): column '\(column)' holds \(value.display), which is not a label; expected 0/1 or true/false"
        + hint)
  }
  static func notANumber(
    _ source: String, _ column: String, _ value: SQLValue, _ location: String
  ) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "\(source), \(location): column '\(column)' holds \(value == .null ? "NULL or a value that is not a number" : value.display); expected a finite number"
    )
  }
  static func missingGroupValue(
    _ source: String, _ column: String, _ location: String
  ) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "\(source), \(location): column '\(column)' is NULL or empty; give \(.missingGroup, "NAME") to make it a group"
    )
  }
}
