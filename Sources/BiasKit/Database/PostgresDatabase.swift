import CLibPQ
import Foundation

/// A connection to PostgreSQL (or any wire-compatible engine: Citus, …) through the system's
/// libpq.
///
/// libpq does what the issue asks of the connection natively: the password comes from
/// `PGPASSWORD` or `~/.pgpass` (never the command line: ``DatabaseLocation`` refuses a
/// password in the URI), TLS is used when the server offers it (`sslmode=prefer`, libpq's
/// default, unless the URI says otherwise), and `connect_timeout` bounds the wait for an
/// unreachable host. Queries are sent with `PQexecParams` (parameters bound as text, never
/// spliced); imports use `COPY … FROM STDIN`.
///
/// Corresponds to `PQconnectdbParams`, `PQexecParams`, `PQputCopyData`.
final class PostgresDatabase: DatabaseConnection {
  let connection: OpaquePointer
  let uri: String
  let server: String

  var name: String { "PostgreSQL at \(server)" }
  var dialect: SQLDialect { .postgres }

  init(uri: String, connectTimeout: Int) throws {
    let keys = ["dbname", "connect_timeout", "application_name", "client_encoding"]
    // A timeout in the URI wins over ours (later keywords override, and `dbname` is expanded
    // in place, so it comes last).
    var values = [uri, String(connectTimeout), "biaskit", "UTF8"]
    if uri.contains("connect_timeout=") { values[1] = "" }
    let order = [1, 2, 3, 0]
    let keyPointers = order.map { strdup(keys[$0]) } + [nil]
    let valuePointers = order.map { strdup(values[$0]) } + [nil]
    defer { (keyPointers + valuePointers).forEach { free($0) } }
    let conn = keyPointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { k in
      valuePointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { v in
        PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
      }
    }
    guard let conn else { throw BiasKitError(.io, "PostgreSQL: out of memory") }
    let host = PQhost(conn).map { String(cString: $0) } ?? "localhost"
    let port = PQport(conn).map { String(cString: $0) } ?? "5432"
    let user = PQuser(conn).map { String(cString: $0) } ?? ""
    server = host.hasPrefix("/") ? "\(host) (socket), port \(port)" : "\(host):\(port)"
    guard PQstatus(conn) == CONNECTION_OK else {
      let message = PostgresDatabase.clean(String(cString: PQerrorMessage(conn)))
      PQfinish(conn)
      if message.contains("password authentication failed")
        || message.contains("no password supplied")
        || message.contains("authentication failed")
      {
        throw BiasKitError(
          .io,
          "PostgreSQL at \(server): authentication failed for user '\(user)' (\(message)); the password comes from PGPASSWORD or ~/.pgpass"
        )
      }
      throw BiasKitError(.io, "cannot connect to PostgreSQL at \(server): \(message)")
    }
    // Server notices ("table does not exist, skipping") are not for the user.
    PQsetNoticeProcessor(conn, { _, _ in }, nil)
    connection = conn
    self.uri = uri
  }

  deinit { PQfinish(connection) }

  /// Whether the connection is encrypted (libpq `PQsslInUse`).
  var usesTLS: Bool { PQsslInUse(connection) == 1 }

  static func clean(_ message: String) -> String {
    message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }.joined(separator: "; ")
  }

  /// The error of a failed result, classified.
  func failure(_ result: OpaquePointer?, doing what: String) -> BiasKitError {
    let message = PostgresDatabase.clean(
      result.flatMap { PQresultErrorMessage($0) }.map { String(cString: $0) }.flatMap {
        $0.isEmpty ? nil : $0
      }
        ?? String(cString: PQerrorMessage(connection)))
    if PQstatus(connection) != CONNECTION_OK || message.contains("terminating connection")
      || message.contains("server closed the connection")
    {
      return BiasKitError(
        .io, "lost the connection to \(name) during \(what): \(message); nothing was written")
    }
    return BiasKitError(.io, "\(name): \(what) failed: \(message)")
  }

  func sqlState(_ result: OpaquePointer?) -> String {
    guard let result, let field = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) else {
      return ""
    }
    return String(cString: field)
  }

  /// Runs `sql` with text parameters; returns the result (the caller clears it).
  func execute(
    _ sql: String, _ parameters: [SQLValue] = [], doing what: String
  ) throws -> OpaquePointer {
    let texts: [String?] = parameters.map {
      switch $0 {
      case .null: return nil
      case .integer(let i): return String(i)
      case .real(let d): return "\(d)"
      case .text(let s): return s
      }
    }
    let pointers = texts.map { $0.flatMap { strdup($0) } }
    defer { pointers.forEach { free($0) } }
    let result = pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { p in
      PQexecParams(connection, sql, Int32(texts.count), nil, p.baseAddress, nil, nil, 0)
    }
    let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
    guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK || status == PGRES_COPY_IN else {
      let error = failure(result, doing: what)
      let state = sqlState(result)
      PQclear(result)
      throw PostgresFailure(error: error, sqlState: state)
    }
    return result!
  }

  struct PostgresFailure: Error {
    var error: BiasKitError
    var sqlState: String
  }

  func query(
    _ sql: String, parameters: [(name: String, value: SQLValue)], row: ([SQLValue]) throws -> Void
  ) throws {
    let result: OpaquePointer
    do { result = try execute(sql, parameters.map(\.value), doing: "the query") } catch let f
      as PostgresFailure
    {
      throw f.error
    }
    defer { PQclear(result) }
    let width = PQnfields(result)
    let types = (0..<width).map { kind(PQftype(result, $0)) }
    var values = [SQLValue](repeating: .null, count: Int(width))
    for r in 0..<PQntuples(result) {
      for k in 0..<width {
        if PQgetisnull(result, r, k) == 1 {
          values[Int(k)] = .null
          continue
        }
        let text = String(cString: PQgetvalue(result, r, k))
        switch types[Int(k)] {
        case .integer: values[Int(k)] = Int64(text).map { .integer($0) } ?? .text(text)
        case .real: values[Int(k)] = Double(text).map { .real($0) } ?? .text(text)
        default: values[Int(k)] = .text(text)
        }
      }
      try row(values)
    }
  }

  /// Column kinds by type OID (pg_type.dat).
  func kind(_ oid: Oid) -> DatabaseColumn.Kind {
    switch oid {
    case 16: return .boolean
    case 20, 21, 23: return .integer
    case 700, 701, 1700: return .real
    case 25, 1042, 1043, 18, 19: return .text
    default: return .other
    }
  }

  func typeName(_ oid: Oid) -> String {
    if let result = try? execute(
      "SELECT format_type($1::oid, NULL)", [.integer(Int64(oid))], doing: "a type lookup")
    {
      defer { PQclear(result) }
      if PQntuples(result) == 1 { return String(cString: PQgetvalue(result, 0, 0)) }
    }
    return "oid \(oid)"
  }

  func tables() throws -> [String] {
    var names: [String] = []
    try query(
      """
      SELECT CASE WHEN table_schema = current_schema() THEN table_name ELSE table_schema || '.' || table_name END
        FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
      """, parameters: []
    ) { if case .text(let s) = $0[0] { names.append(s) } }
    return names
  }

  func describe(_ source: SQLSource) throws -> [DatabaseColumn] {
    let result: OpaquePointer
    do {
      result = try execute(
        "SELECT * FROM \(source.sql(.postgres)) LIMIT 0", doing: "describing \(source.description)")
    } catch let f as PostgresFailure {
      if f.sqlState == "42P01", case .table(let table) = source {
        throw BiasKitError.unknownTable(name, table, existing: try tables())
      }
      throw f.error
    }
    defer { PQclear(result) }
    return (0..<PQnfields(result)).map { k in
      let oid = PQftype(result, k)
      return DatabaseColumn(
        name: String(cString: PQfname(result, k)), type: typeName(oid), kind: kind(oid))
    }
  }

  func importRows(_ file: ImportedCSV, table: String, replace: Bool) throws {
    let q = SQLDialect.postgres.quoted
    func run(_ sql: String, _ what: String) throws {
      do { PQclear(try execute(sql, doing: what)) } catch let f as PostgresFailure {
        if f.sqlState == "42P07" {
          throw BiasKitError(
            .invalidArgument,
            "\(name): table '\(table)' already exists; add \(.replaceTable) to replace it")
        }
        throw f.error
      }
    }
    try run("BEGIN", "BEGIN")
    do {
      if replace { try run("DROP TABLE IF EXISTS \(q(table))", "dropping the table") }
      let definitions = zip(file.header, file.types).map { "\(q($0)) \($1.postgresName)" }
      try run(
        "CREATE TABLE \(q(table)) (\(definitions.joined(separator: ", ")))", "creating the table")
      // The file itself is the COPY stream (CSV, with its header); the delimiter is one byte
      // checked by the CSV reader, written as a hex escape so nothing of the file is spliced.
      let delimiter = String(format: "E'\\x%02x'", file.delimiter)
      try run(
        "COPY \(q(table)) (\(file.header.map(q).joined(separator: ", "))) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER \(delimiter))",
        "COPY")
      guard let handle = FileHandle(forReadingAtPath: file.path) else {
        throw BiasKitError(.io, "\(file.path): cannot read the file")
      }
      defer { try? handle.close() }
      while true {
        let chunk = handle.readData(ofLength: 1 << 20)
        if chunk.isEmpty { break }
        let sent = chunk.withUnsafeBytes {
          PQputCopyData(connection, $0.bindMemory(to: CChar.self).baseAddress, Int32(chunk.count))
        }
        guard sent == 1 else { throw failure(nil, doing: "COPY") }
      }
      guard PQputCopyEnd(connection, nil) == 1 else { throw failure(nil, doing: "COPY") }
      while let result = PQgetResult(connection) {
        defer { PQclear(result) }
        if PQresultStatus(result) != PGRES_COMMAND_OK { throw failure(result, doing: "COPY") }
      }
      try run("COMMIT", "COMMIT")
    } catch {
      if let result = PQexec(connection, "ROLLBACK") { PQclear(result) }
      throw error
    }
  }
}
