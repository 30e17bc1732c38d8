import Foundation

/// A column of a table or query, as the database describes it.
struct DatabaseColumn: Sendable, Equatable {
  enum Kind: Sendable, Equatable { case boolean, integer, real, text, other, unknown }
  var name: String
  /// The engine's type name.
  var type: String
  var kind: Kind
}

/// What the audit needs of a database connection.
protocol DatabaseConnection: AnyObject {
  /// Names the database in messages (no password).
  var name: String { get }
  var dialect: SQLDialect { get }
  /// Runs `sql` with bound parameters, calling `row` for each result row. Throws (and the
  /// caller discards what it has read) when the query fails or the connection is lost.
  func query(
    _ sql: String, parameters: [(name: String, value: SQLValue)], row: ([SQLValue]) throws -> Void)
    throws
  /// The columns of `source`. Throws ``BiasKitError`` listing the tables when a table is missing.
  func describe(_ source: SQLSource) throws -> [DatabaseColumn]
  func tables() throws -> [String]
  /// Creates `table` from a CSV file's columns (inferred types) and loads its rows in one
  /// transaction.
  func importRows(_ file: ImportedCSV, table: String, replace: Bool) throws
}

/// Where a database is: `sqlite:PATH` or `postgres://user@host:port/db` (also
/// `postgresql://…`, any libpq connection URI without a password).
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
  case sqlite(path: String)
  case postgres(uri: String)

  /// Parses `--db`.
  /// - Throws: ``BiasKitError`` for another scheme, or a password written in the URI.
  public init(_ text: String) throws {
    if text.hasPrefix("sqlite:") {
      var path = String(text.dropFirst("sqlite:".count))
      if path.hasPrefix("//") { path.removeFirst(2) }
      guard !path.isEmpty else {
        throw BiasKitError(
          .invalidArgument, "\(.database) sqlite: needs a file, as sqlite:preds.db")
      }
      self = .sqlite(path: path)
    } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
      let rest = text.drop(while: { $0 != "/" }).dropFirst(2)
      let authority = rest.prefix(while: { $0 != "/" && $0 != "?" })
      if let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") {
        throw BiasKitError(
          .invalidArgument,
          "\(.database): do not put the password in the URL (it would show in the process list and shell history); set PGPASSWORD or use ~/.pgpass"
        )
      }
      if text.contains("password=") {
        throw BiasKitError(
          .invalidArgument,
          "\(.database): do not put the password in the URL; set PGPASSWORD or use ~/.pgpass")
      }
      self = .postgres(uri: text)
    } else {
      throw BiasKitError(
        .invalidArgument,
        "\(.database) takes sqlite:FILE or postgres://user@host:port/database, not '\(text)'")
    }
  }

  public var description: String {
    switch self {
    case .sqlite(let path): return "sqlite:\(path)"
    case .postgres(let uri): return uri
    }
  }

  public var dialect: SQLDialect {
    switch self {
    case .sqlite: return .sqlite
    case .postgres: return .postgres
    }
  }

  func connect(writable: Bool = false, connectTimeout: Int = 10) throws -> DatabaseConnection {
    switch self {
    case .sqlite(let path): return try SQLiteDatabase(path: path, writable: writable)
    case .postgres(let uri): return try PostgresDatabase(uri: uri, connectTimeout: connectTimeout)
    }
  }
}

/// Audits rows where they live: checks the table and columns, sends the ``AggregationQuery``
/// (the engine does the pass over the rows) and reads the small result into an ``AuditState``.
///
/// Nothing is returned unless the whole result arrived: a connection lost in the middle throws,
/// and the partial rows are dropped.
///
/// - Complexity: one pass in the engine; O(result rows) here.
public struct DatabaseAudit: Sendable {
  public var location: DatabaseLocation
  public var source: SQLSource
  public var columns: AuditColumns
  public var needs: CountingPass.Needs
  public var calibrationBins = 10
  public var maxDistinctScores = 100_000
  public var scoreLower = 0.0
  public var scoreUpper = 1.0
  /// Seconds to wait for the server to answer the connection.
  public var connectTimeout = 10

  public init(
    location: DatabaseLocation, source: SQLSource, columns: AuditColumns, needs: CountingPass.Needs
  ) {
    self.location = location
    self.source = source
    self.columns = columns
    self.needs = needs
  }

  public var query: AggregationQuery {
    AggregationQuery(
      dialect: location.dialect, source: source, columns: columns,
      maxDistinctScores: maxDistinctScores,
      scoreLower: scoreLower, scoreUpper: scoreUpper)
  }

  /// The audit state of the rows of `source`.
  public func state() throws -> AuditState {
    try AuditTable.checkOptions(columns)
    guard columns.task != .regression else {
      throw BiasKitError(
        .invalidArgument, "\(.database) audits classification; \(.task, "regression") needs a file")
    }
    guard columns.classScores == nil else {
      throw BiasKitError(
        .invalidArgument,
        "\(.database) counts a multiclass audit's labels; its probability metrics need the file (\(.metrics))"
      )
    }
    let connection = try location.connect(connectTimeout: connectTimeout)
    let available = try connection.describe(source)
    try check(available, in: connection.name)
    // One pass groups scores by histogram bin (with each group's smallest and largest score):
    // exact when no bin holds two distinct scores of a group. Otherwise, a table of at most
    // `maxDistinctScores` rows has at most that many distinct scores: a second pass groups by
    // each of them. A larger table keeps the histogram and its stated AUC bound.
    let state = try run(query, on: connection)
    if state.scoreHistogram != nil,
      state.statistics.reduce(0, { $0 + $1.confusion.rows }) <= maxDistinctScores
    {
      var exact = query
      exact.exactScores = true
      return try run(exact, on: connection)
    }
    return state
  }

  func run(_ query: AggregationQuery, on connection: DatabaseConnection) throws -> AuditState {
    var rows = AggregatedRows(
      columns: columns, needs: needs, calibrationBins: calibrationBins,
      histogram: AuditState.ScoreHistogram(
        lower: scoreLower, upper: scoreUpper, bins: maxDistinctScores),
      source: connection.name)
    rows.exactScores = query.exactScores
    var count = 0
    try connection.query(
      query.sql, parameters: query.parameters.map { ($0.name, $0.value.sqlValue) }
    ) { row in
      count += 1
      try rows.add(row, where: "result row \(count)")
    }
    return try rows.state()
  }

  /// Checks that the columns an audit names are consistent (as a file audit does).
  public static func checkOptions(_ columns: AuditColumns) throws {
    try AuditTable.checkOptions(columns)
  }

  /// Checks that every column exists and has a usable type.
  func check(_ available: [DatabaseColumn], in database: String) throws {
    let names = available.map(\.name)
    let wanted =
      [columns.yTrue, columns.yPred] + [columns.yScore, columns.sampleWeight].compactMap { $0 }
      + columns.sensitive + columns.control
    for name in wanted where !names.contains(name) {
      throw BiasKitError.unknownColumn(database, name, source: source, existing: available)
    }
    func column(_ name: String) -> DatabaseColumn { available.first { $0.name == name }! }
    for name in [columns.yTrue, columns.yPred] {
      let c = column(name)
      if c.kind == .other {
        throw BiasKitError(
          .invalidValue,
          "\(database): column '\(name)' has type \(c.type), which is not a label; expected boolean, integer or text (0/1, true/false or \(.positiveLabel))"
        )
      }
    }
    for name in [columns.yScore, columns.sampleWeight].compactMap({ $0 }) {
      let c = column(name)
      if c.kind != .integer, c.kind != .real, c.kind != .unknown {
        throw BiasKitError(
          .invalidValue, "\(database): column '\(name)' has type \(c.type); expected a number")
      }
    }
  }
}

extension AggregationQuery.Value {
  var sqlValue: SQLValue {
    switch self {
    case .integer(let i): return .integer(i)
    case .real(let d): return .real(d)
    }
  }
}

/// A CSV file read for `biaskit import`: every column as text, with a type inferred from all
/// its values (INTEGER when every non-empty value is a 64-bit integer, REAL when every one is a
/// number, else TEXT; empty values are NULL).
public struct ImportedCSV: Sendable {
  public enum ColumnType: String, Sendable {
    case integer, real, text
    var sqliteName: String { rawValue.uppercased() }
    var postgresName: String {
      switch self {
      case .integer: return "BIGINT"
      case .real: return "DOUBLE PRECISION"
      case .text: return "TEXT"
      }
    }
  }

  public let path: String
  public let delimiter: UInt8
  public let header: [String]
  public let types: [ColumnType]
  public let rowCount: Int
  let columns: [CategoricalColumn]

  public init(path: String, delimiter: UInt8? = nil) throws {
    let reader = try CSVReader(path: path, delimiter: delimiter)
    if let repeated = reader.header.first(where: { name in
      reader.header.filter { $0 == name }.count > 1
    }) {
      throw BiasKitError(
        .malformedInput, "\(path): the column '\(repeated)' appears twice in the header")
    }
    let table = try reader.read(reader.header.map { .category($0, missingGroup: "") })
    self.path = path
    self.delimiter = reader.delimiter
    header = reader.header
    rowCount = table.rowCount
    columns = table.columns.map { $0.categories! }
    types = columns.map { column in
      let present = column.levels.filter { !$0.isEmpty }
      if present.allSatisfy({ Int64($0) != nil }) { return .integer }
      if present.allSatisfy({ Double($0) != nil }) { return .real }
      return .text
    }
  }

  func value(row: Int, column k: Int) -> SQLValue {
    let text = columns[k].levels[Int(columns[k].codes[row])]
    if text.isEmpty { return .null }
    switch types[k] {
    case .integer: return .integer(Int64(text)!)
    case .real: return .real(Double(text)!)
    case .text: return .text(text)
    }
  }

  /// Loads the file into `table` of `location`.
  public static func load(
    _ path: String, delimiter: UInt8? = nil, into location: DatabaseLocation, table: String,
    replace: Bool = false
  ) throws -> ImportedCSV {
    let file = try ImportedCSV(path: path, delimiter: delimiter)
    let connection = try location.connect(writable: true)
    try connection.importRows(file, table: table, replace: replace)
    return file
  }
}

extension BiasKitError {
  static func unknownTable(_ database: String, _ table: String, existing: [String]) -> BiasKitError
  {
    let list = existing.isEmpty ? "(none)" : existing.map { "'\($0)'" }.joined(separator: ", ")
    return BiasKitError(.unknownName, "\(database): no table '\(table)'; the tables are \(list)")
  }
  static func unknownColumn(
    _ database: String, _ column: String, source: SQLSource, existing: [DatabaseColumn]
  ) -> BiasKitError {
    let list = existing.map { $0.type.isEmpty ? "'\($0.name)'" : "'\($0.name)' (\($0.type))" }
      .joined(separator: ", ")
    return BiasKitError(
      .unknownName,
      "\(database): \(source.description) has no column '\(column)'; its columns are \(list)")
  }
}
