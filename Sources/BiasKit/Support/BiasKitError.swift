/// An error about the user's data or request, with a message a person can act on.
///
/// Every failure that user input can cause is a `BiasKitError`: the library never traps on
/// data. Each error has a ``Code`` (what kind of problem, for tests and programs) and a one-line
/// message that names the file, line and column where there is one. The command-line tool prints
/// ``description`` on standard error and exits with status 2.
///
/// New errors are added as static factory functions in an extension next to the code that
/// raises them, so that the wording lives in one place:
///
///     extension BiasKitError {
///       static func unknownColumn(_ name: String, in file: String, available: [String]) -> Self
///     }
public struct BiasKitError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The kind of problem.
  public enum Code: String, Sendable, Equatable {
    /// A file could not be opened, read or written.
    case io
    /// The input is not well-formed (CSV structure, embedding file, `.npy` header).
    case malformedInput
    /// A field could not be read as the type the column needs.
    case invalidValue
    /// A column, word or key named by the user does not exist.
    case unknownName
    /// The options asked for something contradictory or out of range.
    case invalidArgument
    /// The data cannot support the computation (one class, too few rows, an empty group).
    case degenerateData
    /// An iterative method did not converge or a constraint cannot be met.
    case notConverged
  }

  /// What kind of problem this is.
  public var code: Code
  /// The message: text, and references to the parameters of the call that the caller may name
  /// differently (a command-line tool names them by its flags).
  public var parts: [Message.Part]

  /// An error of `code`. Control characters in `message` (a line break or tab inside a quoted
  /// CSV field, bytes of a binary header quoted back) are written as escapes (`\n`, `\t`,
  /// `\u{1B}`), so that the message stays one line whatever input it quotes.
  public init(_ code: Code, _ message: Message) {
    self.code = code
    self.parts = message.parts.map {
      if case .text(let text) = $0 { return .text(BiasKitError.singleLine(text)) }
      return $0
    }
  }

  /// One line for a person, naming parameters as the library does (``Parameter/libraryName``).
  public var message: String { rendered { $0.libraryName } }

  /// The message with each parameter named by `name` and its value after it: `name(.yScore)`
  /// is what a caller calls the score column (the CLI: `--y-score`).
  public func rendered(naming name: (Parameter) -> String) -> String {
    var text = ""
    for part in parts {
      switch part {
      case .text(let piece): text += piece
      case .parameter(let parameter, let value):
        text += name(parameter)
        if let value { text += " " + value }
      }
    }
    return text
  }

  /// `text` with every control character (C0, DEL, C1 and the Unicode line and paragraph
  /// separators) escaped.
  static func singleLine(_ text: String) -> String {
    func isControl(_ v: UInt32) -> Bool {
      v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
    }
    guard text.unicodeScalars.contains(where: { isControl($0.value) }) else { return text }
    var result = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case _ where isControl(scalar.value):
        result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// The message, as ``message`` renders it.
  public var description: String { message }

  /// The text of an error message, written as a string literal whose interpolations may name a
  /// ``Parameter`` of the call:
  ///
  ///     BiasKitError(.invalidArgument, "the metric 'roc_auc' needs a score column (\(.yScore))")
  ///     BiasKitError(.invalidArgument, "brier_score is for classification (not \(.task, "regression"))")
  public struct Message: ExpressibleByStringInterpolation, Sendable, Equatable {
    /// A piece of a message.
    public enum Part: Sendable, Equatable {
      case text(String)
      /// A parameter, with the value it was given, if the message names one.
      case parameter(Parameter, value: String?)
    }

    /// The pieces, in order.
    public var parts: [Part]

    /// A message of plain text.
    public init(stringLiteral value: String) { parts = [.text(value)] }
    /// A message of these pieces.
    public init(parts: [Part]) { self.parts = parts }

    /// The two messages one after the other.
    public static func + (lhs: Message, rhs: Message) -> Message {
      Message(parts: lhs.parts + rhs.parts)
    }
    /// A message from a string literal with interpolations.
    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }

    /// Collects the pieces of an interpolated message literal.
    public struct StringInterpolation: StringInterpolationProtocol {
      var parts: [Part] = []
      /// An empty interpolation.
      public init(literalCapacity: Int, interpolationCount: Int) {}
      /// Appends literal text.
      public mutating func appendLiteral(_ literal: String) { text(literal) }
      /// Appends any value as its text (`String(describing:)`).
      public mutating func appendInterpolation<T>(_ value: T) { text(String(describing: value)) }
      /// Appends a reference to a parameter, named by whoever renders the message.
      public mutating func appendInterpolation(_ parameter: Parameter) {
        parts.append(.parameter(parameter, value: nil))
      }
      /// Appends a parameter with a value (`--task regression`).
      public mutating func appendInterpolation(_ parameter: Parameter, _ value: String) {
        parts.append(.parameter(parameter, value: value))
      }
      private mutating func text(_ piece: String) {
        if case .text(let last)? = parts.last {
          parts[parts.count - 1] = .text(last + piece)
        } else {
          parts.append(.text(piece))
        }
      }
    }
  }
}

/// A parameter of a BiasKit call that an error message may refer to. The library names it by
/// its Swift name (``libraryName``); the command-line tool by its flag.
public enum Parameter: String, Sendable, CaseIterable {
  /// The task (``AuditColumns/task``, ``DatasetSchema/task``).
  case task
  /// The column of true labels or targets.
  case yTrue
  /// The column of predictions.
  case yPred
  /// The column of scores.
  case yScore
  /// The sensitive feature columns.
  case sensitive
  /// The control feature columns.
  case control
  /// The sample weight column.
  case sampleWeight
  /// The positive label's text.
  case positiveLabel
  /// The group that empty sensitive values join.
  case missingGroup
  /// The bins of the calibration metrics.
  case bins
  /// The bootstrap sample count.
  case bootstrap
  /// The bootstrap interval quantiles.
  case quantiles
  /// A database location.
  case database
  /// Distinct scores counted exactly before a database audit bins them.
  case maxDistinctScores
  /// The range of the score histogram.
  case scoreRange
  /// Upper bounds of a fairness check.
  case maximum
  /// Lower bounds of a fairness check.
  case minimum
  /// Replacing an existing database table.
  case replaceTable
  /// The sampled permutations of a permutation test.
  case permutations
  /// A machine-readable output format.
  case jsonFormat
  // The audit's parameters (AuditRequest, HTMLReport).
  /// The predictions file an audit reads.
  case input
  /// The database table an audit reads.
  case table
  /// The SQL query whose rows an audit reads.
  case query
  /// The saved result of an audit's GROUP BY, read instead of the rows.
  case stateFrom
  /// Printing the audit's GROUP BY instead of running it.
  case emitSQL
  /// Grouping by each distinct score in the audit's GROUP BY.
  case exactScores
  /// The metrics of an audit.
  case metrics
  /// α of the generalized entropy index.
  case alpha
  /// The metric of the report's heat map.
  case heatMap
  /// The output format.
  case format
  /// Seconds to wait for a database server.
  case connectTimeout
  /// The prefix of a multiclass audit's probability columns.
  case yScorePrefix
  /// k of the top-k accuracy.
  case topKAccuracy
  /// The score threshold of the predictions.
  case threshold
  /// A sweep of score thresholds.
  case thresholds
  /// Per-group score thresholds.
  case groupThreshold
  /// Selection of the k highest scores.
  case topK
  /// Selection of the highest scores' fraction.
  case topFraction
  /// The reference group of the significance tests.
  case referenceGroup
  /// The multiple-testing correction.
  case correction
  /// The smallest group size that counts.
  case minGroupSize
  /// Leaving small groups out of the aggregates.
  case excludeSmallGroups
  /// The Dirichlet concentration of smoothed rates.
  case smoothing
  /// The confidence level of intervals.
  case confidence
  /// Files of other models to compare.
  case compare
  /// A saved audit to compare with.
  case baseline
  /// Largest allowed increases over a baseline.
  case maxIncrease
  /// Largest allowed decreases from a baseline.
  case maxDecrease
  /// The number of leading rows (words) to read from a file.
  case limit
  /// Which classes a resampler resamples, and to how many rows.
  case samplingStrategy
  /// Neighbours of a k-nearest-neighbour method.
  case neighborCount

  /// How the library's documentation names the parameter.
  public var libraryName: String {
    switch self {
    case .task: return "task"
    case .yTrue: return "yTrue"
    case .yPred: return "yPred"
    case .yScore: return "yScore"
    case .sensitive: return "sensitive"
    case .control: return "control"
    case .sampleWeight: return "sampleWeight"
    case .positiveLabel: return "positiveLabel"
    case .missingGroup: return "missingGroup"
    case .bins: return "bins"
    case .bootstrap: return "bootstrap samples"
    case .quantiles: return "quantiles"
    case .database: return "database location"
    case .maxDistinctScores: return "maxDistinctScores"
    case .scoreRange: return "scoreLower/scoreUpper"
    case .maximum: return "maximum bounds"
    case .minimum: return "minimum bounds"
    case .replaceTable: return "replace"
    case .permutations: return "permutations"
    case .jsonFormat: return "the JSON report"
    case .input: return "the file source"
    case .table: return "the table source"
    case .query: return "the query source"
    case .stateFrom: return "the aggregated-rows source"
    case .emitSQL: return "aggregationQuery"
    case .exactScores: return "exactScores"
    case .metrics: return "metrics"
    case .alpha: return "alpha"
    case .heatMap: return "heatMapMetric"
    case .format: return "the output format"
    case .connectTimeout: return "connectTimeout"
    case .yScorePrefix: return "classScores: .prefix"
    case .topKAccuracy: return "topK"
    case .threshold: return "threshold"
    case .thresholds: return "thresholds"
    case .groupThreshold: return "groupThresholds"
    case .topK: return "topK selection"
    case .topFraction: return "topFraction selection"
    case .referenceGroup: return "referenceGroup"
    case .correction: return "correction"
    case .minGroupSize: return "minimumGroupSize"
    case .excludeSmallGroups: return "excludesSmallGroups"
    case .smoothing: return "smoothing"
    case .confidence: return "confidence"
    case .compare: return "models"
    case .baseline: return "baseline"
    case .maxIncrease: return "maximum increases"
    case .maxDecrease: return "maximum decreases"
    case .limit: return "limit"
    case .samplingStrategy: return "strategy"
    case .neighborCount: return "neighborCount"
    }
  }
}

/// Where in an input a problem is: a line and field of a text file, or a row (of a row group)
/// of a binary one, used to point error messages at the offending value.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
  /// A place in the file.
  public enum Position: Sendable, Equatable {
    /// 1-based line of a text file (the header is line 1).
    case line(Int)
    /// 0-based data row of a table without lines.
    case row(Int)
    /// 0-based row group and 0-based row within it (Parquet).
    case rowGroup(Int, row: Int)
    /// 0-based record (an Arrow batch row, a JSON Lines record).
    case record(Int)
  }

  /// The file name as the user gave it.
  public var file: String
  /// Where in the file.
  public var position: Position
  /// 1-based column (field) number, if the problem is about one field.
  public var column: Int?
  /// The column's name from the header, if known.
  public var columnName: String?

  /// A line and field of a text file.
  public init(file: String, line: Int, column: Int? = nil, columnName: String? = nil) {
    self.init(file: file, position: .line(line), column: column, columnName: columnName)
  }

  /// A place in a file of any kind.
  public init(file: String, position: Position, column: Int? = nil, columnName: String? = nil) {
    self.file = file
    self.position = position
    self.column = column
    self.columnName = columnName
  }

  /// The same place without the column: `file:line`, or `file: row group 2, row 17`.
  public var withoutColumn: SourceLocation { SourceLocation(file: file, position: position) }

  /// The position alone: `line 5`, `row 17`, `row group 2, row 17`, `record 3`.
  public var positionDescription: String {
    switch position {
    case .line(let line): return "line \(line)"
    case .row(let row): return "row \(row)"
    case .rowGroup(let group, let row): return "row group \(group), row \(row)"
    case .record(let record): return "record \(record)"
    }
  }

  /// The 1-based line, for text files.
  public var line: Int? {
    if case .line(let line) = position { return line }
    return nil
  }

  /// `file:line:column (column 'name')` for text; `file: row group 2, row 17, column 'name'`
  /// otherwise (rows counted from 0, as the formats count them).
  public var description: String {
    switch position {
    case .line(let line):
      var text = "\(file):\(line)"
      if let column {
        text += ":\(column)"
        if let columnName { text += " (column '\(columnName)')" }
      }
      return text
    case .row(let row): return "\(file): row \(row)" + columnText
    case .rowGroup(let group, let row):
      return "\(file): row group \(group), row \(row)" + columnText
    case .record(let record): return "\(file): record \(record)" + columnText
    }
  }

  private var columnText: String {
    if let columnName { return ", column '\(columnName)'" }
    if let column { return ", column \(column)" }
    return ""
  }
}
