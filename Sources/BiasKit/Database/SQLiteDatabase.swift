import CSQLite
import Foundation

/// A connection to an SQLite file through the system's libsqlite3: prepared statements with
/// bound parameters, nothing else.
///
/// Corresponds to `sqlite3_open_v2` / `sqlite3_prepare_v2` / `sqlite3_bind_*` / `sqlite3_step`.
/// Opened read-only for audits (a missing file is an error, not a new empty database).
///
/// - Complexity: as SQLite's; values are converted to ``SQLValue`` row by row.
final class SQLiteDatabase: DatabaseConnection {
  let handle: OpaquePointer
  let path: String

  var name: String { "sqlite:\(path)" }
  var dialect: SQLDialect { .sqlite }

  init(path: String, writable: Bool) throws {
    if !writable, !FileManager.default.fileExists(atPath: path) {
      throw BiasKitError(.io, "sqlite:\(path): no such database file")
    }
    var db: OpaquePointer?
    let flags = writable ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY
    let status = sqlite3_open_v2(path, &db, flags, nil)
    guard status == SQLITE_OK, let db else {
      let message =
        db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
      sqlite3_close(db)
      throw BiasKitError(.io, "sqlite:\(path): cannot open the database (\(message))")
    }
    handle = db
    self.path = path
    sqlite3_busy_timeout(db, 5_000)
  }

  deinit { sqlite3_close_v2(handle) }

  var lastError: String { String(cString: sqlite3_errmsg(handle)) }

  /// A prepared statement; finalized when the closure returns.
  func withStatement<T>(_ sql: String, _ body: (OpaquePointer) throws -> T) throws -> T {
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
      throw BiasKitError(.invalidArgument, "\(name): \(lastError)")
    }
    defer { sqlite3_finalize(statement) }
    return try body(statement)
  }

  static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  func bind(_ statement: OpaquePointer, _ index: Int32, _ value: SQLValue) {
    switch value {
    case .null: sqlite3_bind_null(statement, index)
    case .integer(let i): sqlite3_bind_int64(statement, index, i)
    case .real(let d): sqlite3_bind_double(statement, index, d)
    case .text(let s): sqlite3_bind_text(statement, index, s, -1, SQLiteDatabase.transient)
    }
  }

  func query(
    _ sql: String, parameters: [(name: String, value: SQLValue)], row: ([SQLValue]) throws -> Void
  ) throws {
    try withStatement(sql) { statement in
      for (name, value) in parameters {
        let index = sqlite3_bind_parameter_index(statement, ":" + name)
        if index > 0 { bind(statement, index, value) }
      }
      let width = sqlite3_column_count(statement)
      var values = [SQLValue](repeating: .null, count: Int(width))
      while true {
        let status = sqlite3_step(statement)
        if status == SQLITE_DONE { break }
        guard status == SQLITE_ROW else {
          throw BiasKitError(.io, "\(name): the query failed (\(lastError))")
        }
        for k in 0..<width {
          switch sqlite3_column_type(statement, k) {
          case SQLITE_INTEGER: values[Int(k)] = .integer(sqlite3_column_int64(statement, k))
          case SQLITE_FLOAT: values[Int(k)] = .real(sqlite3_column_double(statement, k))
          case SQLITE_NULL: values[Int(k)] = .null
          default:
            if let text = sqlite3_column_text(statement, k) {
              values[Int(k)] = .text(String(cString: text))
            } else {
              values[Int(k)] = .null
            }
          }
        }
        try row(values)
      }
    }
  }

  func execute(_ sql: String) throws {
    var message: UnsafeMutablePointer<CChar>?
    guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
      let text = message.map { String(cString: $0) } ?? lastError
      sqlite3_free(message)
      throw BiasKitError(.io, "\(name): \(text)")
    }
  }

  func tables() throws -> [String] {
    var names: [String] = []
    try query(
      "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name", parameters: []
    ) {
      if case .text(let s) = $0[0] { names.append(s) }
    }
    return names
  }

  func describe(_ source: SQLSource) throws -> [DatabaseColumn] {
    var statement: OpaquePointer?
    let sql = "SELECT * FROM \(source.sql(.sqlite)) LIMIT 0"
    guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
      let message = lastError
      if message.hasPrefix("no such table"), case .table(let table) = source {
        throw BiasKitError.unknownTable(name, table, existing: try tables())
      }
      throw BiasKitError(.invalidArgument, "\(name): \(message)")
    }
    defer { sqlite3_finalize(statement) }
    return (0..<sqlite3_column_count(statement)).map { k in
      let type = sqlite3_column_decltype(statement, k).map { String(cString: $0) } ?? ""
      return DatabaseColumn(
        name: String(cString: sqlite3_column_name(statement, k)), type: type, kind: .unknown)
    }
  }

  func importRows(_ file: ImportedCSV, table: String, replace: Bool) throws {
    let q = SQLDialect.sqlite.quoted
    try execute("BEGIN IMMEDIATE")
    do {
      if replace { try execute("DROP TABLE IF EXISTS \(q(table))") }
      let definitions = zip(file.header, file.types).map { "\(q($0)) \($1.sqliteName)" }
      try execute("CREATE TABLE \(q(table)) (\(definitions.joined(separator: ", ")))")
      let placeholders = Array(repeating: "?", count: file.header.count).joined(separator: ", ")
      try withStatement("INSERT INTO \(q(table)) VALUES (\(placeholders))") { statement in
        for row in 0..<file.rowCount {
          for k in file.header.indices {
            bind(statement, Int32(k + 1), file.value(row: row, column: k))
          }
          guard sqlite3_step(statement) == SQLITE_DONE else {
            throw BiasKitError(.io, "\(name): cannot insert row \(row + 1) (\(lastError))")
          }
          sqlite3_reset(statement)
        }
      }
      try execute("COMMIT")
    } catch {
      try? execute("ROLLBACK")
      if let e = error as? BiasKitError, e.message.contains("already exists") {
        throw BiasKitError(
          .invalidArgument,
          "\(name): table '\(table)' already exists; add \(.replaceTable) to replace it")
      }
      throw error
    }
  }
}
