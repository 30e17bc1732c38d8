import Foundation
import Testing

@testable import BiasKit

@Suite("Database: SQL and SQLite")
struct SQLiteAuditTests {
  static let hostile = "we\"ird `name`; DROP TABLE predictions; --"

  /// The example predictions in a fresh SQLite file.
  static func exampleDatabase(
    table: String = "predictions"
  ) throws -> (path: String, location: DatabaseLocation) {
    let path = try TestData.temporaryFolder().appendingPathComponent("preds.db").path
    let location = DatabaseLocation.sqlite(path: path)
    let loaded = try ImportedCSV.load(DatabaseTestData.example, into: location, table: table)
    #expect(loaded.rowCount == 16_281)
    #expect(loaded.types == [.integer, .integer, .real, .text, .text])
    return (path, location)
  }

  func audit(
    _ location: DatabaseLocation, _ source: SQLSource,
    columns: AuditColumns = DatabaseTestData.columns,
    maxDistinctScores: Int = 100_000
  ) throws -> AuditState {
    var audit = DatabaseAudit(
      location: location, source: source, columns: columns,
      needs: CountingPass.Needs(metrics: DatabaseTestData.metrics))
    audit.maxDistinctScores = maxDistinctScores
    return try audit.state()
  }

  @Test func identifiersAreQuotedPerDialect() {
    #expect(
      SQLDialect.postgres.quoted(Self.hostile) == "\"we\"\"ird `name`; DROP TABLE predictions; --\""
    )
    #expect(SQLDialect.sqlite.quoted("a\"b") == "\"a\"\"b\"")
    #expect(
      SQLDialect.spark.quoted(Self.hostile) == "`we\"ird ``name``; DROP TABLE predictions; --`")
    var columns = DatabaseTestData.columns
    columns.sensitive = [Self.hostile]
    for dialect in SQLDialect.allCases {
      let query = AggregationQuery(dialect: dialect, source: .table(Self.hostile), columns: columns)
      let sql = query.sql
      // The hostile text appears only inside quoted identifiers.
      var unquoted = sql
      unquoted = unquoted.replacingOccurrences(of: dialect.quoted(Self.hostile), with: "X")
      #expect(!unquoted.contains("DROP"), "\(dialect): \(sql)")
      // Numbers are bound, not spliced.
      #expect(!sql.contains("100000"))
      #expect(query.parameters.count == 3)
    }
  }

  @Test("the SQLite push-down equals the file audit, bit for bit on counts and scores")
  func sqliteEqualsFile() throws {
    let (_, location) = try Self.exampleDatabase()
    let file = try DatabaseTestData.state(of: DatabaseTestData.example)
    let pushed = try audit(location, .table("predictions"))
    try DatabaseTestData.expectSameAudit(pushed, file)
    let viaQuery = try audit(location, .query("SELECT * FROM predictions WHERE 1 = 1;"))
    #expect(viaQuery.statistics.map(\.confusion) == file.statistics.map(\.confusion))
  }

  @Test("past --max-distinct-scores the engine returns the same histogram BiasKit computes")
  func sqliteHistogramEqualsFileHistogram() throws {
    let (_, location) = try Self.exampleDatabase()
    let file = try DatabaseTestData.state(of: DatabaseTestData.example).limitingDistinctScores(500)
    let pushed = try audit(location, .table("predictions"), maxDistinctScores: 500)
    #expect(pushed.scoreHistogram == AuditState.ScoreHistogram(bins: 500))
    #expect(pushed.statistics.map(\.scores) == file.statistics.map(\.scores))
    #expect(pushed.statistics.map(\.confusion) == file.statistics.map(\.confusion))
  }

  @Test func hostileTableAndColumnNamesAreSafe() throws {
    let folder = try TestData.temporaryFolder()
    let (header, rows) = try DatabaseTestData.lines()
    let csv = try DatabaseTestData.write(
      header.replacingOccurrences(
        of: ",sex,", with: ",\"\(Self.hostile.replacingOccurrences(of: "\"", with: "\"\""))\","),
      Array(rows.prefix(3_000)), in: folder, name: "hostile.csv")
    let location = DatabaseLocation.sqlite(path: folder.appendingPathComponent("h.db").path)
    _ = try ImportedCSV.load(csv, into: location, table: "predictions")
    _ = try ImportedCSV.load(csv, into: location, table: Self.hostile)
    var columns = DatabaseTestData.columns
    columns.sensitive = [Self.hostile, "race"]
    let state = try audit(location, .table(Self.hostile), columns: columns)
    #expect(state.statistics.reduce(0) { $0 + $1.confusion.rows } == 3_000)
    // The table named in the hostile text is still there.
    let again = try audit(location, .table("predictions"), columns: columns)
    #expect(again.statistics.map(\.confusion) == state.statistics.map(\.confusion))
  }

  @Test func missingTableListsTables() throws {
    let (_, location) = try Self.exampleDatabase()
    do {
      _ = try audit(location, .table("predictionz"))
      Issue.record("no error")
    } catch let error as BiasKitError {
      #expect(error.code == .unknownName)
      #expect(
        error.message.contains("no table 'predictionz'") && error.message.contains("'predictions'"),
        "\(error)")
    }
  }

  @Test func missingColumnListsColumns() throws {
    let (_, location) = try Self.exampleDatabase()
    var columns = DatabaseTestData.columns
    columns.sensitive = ["gender"]
    do {
      _ = try audit(location, .table("predictions"), columns: columns)
      Issue.record("no error")
    } catch let error as BiasKitError {
      #expect(error.code == .unknownName)
      #expect(
        error.message.contains("no column 'gender'") && error.message.contains("'sex' (TEXT)"),
        "\(error)")
    }
  }

  @Test func valuesThatAreNotLabelsOrNumbersAreErrors() throws {
    let path = try TestData.temporaryFolder().appendingPathComponent("bad.db").path
    let db = try SQLiteDatabase(path: path, writable: true)
    try db.execute(
      """
      CREATE TABLE t (y_true, y_pred, y_score, sex);
      INSERT INTO t VALUES (1, 1, 0.9, 'a'), (0, 0, 0.2, 'b'), ('maybe', 1, 0.4, 'a');
      CREATE TABLE u (y_true, y_pred, y_score, sex);
      INSERT INTO u VALUES (1, 1, 0.9, 'a'), (0, 0, 'high', 'b');
      CREATE TABLE v (y_true, y_pred, y_score, sex);
      INSERT INTO v VALUES (1, 1, 0.9, 'a'), (0, 0, 0.1, NULL);
      """)
    let location = DatabaseLocation.sqlite(path: path)
    var columns = DatabaseTestData.columns
    columns.sensitive = ["sex"]
    let expectations: [(String, String)] = [
      ("t", "column 'y_true' holds 'maybe', which is not a label"),
      ("u", "column 'y_score' holds NULL or a value that is not a number"),
      ("v", "column 'sex' is NULL or empty"),
    ]
    for (table, message) in expectations {
      do {
        _ = try audit(location, .table(table), columns: columns)
        Issue.record("no error for table \(table)")
      } catch let error as BiasKitError {
        #expect(error.code == .invalidValue)
        #expect(error.message.contains(message), "\(error)")
      }
    }
  }

  @Test func missingDatabaseFileIsAnError() {
    #expect(throws: BiasKitError.self) {
      _ = try audit(.sqlite(path: "/nonexistent/preds.db"), .table("predictions"))
    }
  }

  @Test func locationsAndPasswords() throws {
    #expect(try DatabaseLocation("sqlite:preds.db") == .sqlite(path: "preds.db"))
    #expect(
      try DatabaseLocation("postgres://me@db:5432/ml") == .postgres(uri: "postgres://me@db:5432/ml")
    )
    for bad in [
      "postgres://me:secret@db/ml", "postgresql://db/ml?password=secret", "mysql://db", "sqlite:",
    ] {
      #expect(throws: BiasKitError.self) { try DatabaseLocation(bad) }
    }
  }

  @Test("--state-from: the query's result saved as CSV reads back into the same state")
  func stateFromCSV() throws {
    let (path, _) = try Self.exampleDatabase()
    var query = AggregationQuery(
      dialect: .sqlite, source: .table("predictions"), columns: DatabaseTestData.columns)
    query.exactScores = true
    let db = try SQLiteDatabase(path: path, writable: false)
    var lines = [
      AggregatedRows(
        columns: DatabaseTestData.columns, needs: .init(metrics: []), histogram: .init(bins: 1),
        source: ""
      )
      .columnNames.joined(separator: ",")
    ]
    try db.query(query.sql, parameters: query.parameters.map { ($0.name, $0.value.sqlValue) }) {
      row in
      lines.append(
        row.map { v -> String in
          switch v {
          case .null: return ""
          case .integer(let i): return String(i)
          case .real(let d): return "\(d)"
          case .text(let s): return s
          }
        }.joined(separator: ","))
    }
    let csv = try TestData.temporaryFolder().appendingPathComponent("rows.csv")
    try (lines.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
    var rows = AggregatedRows(
      columns: DatabaseTestData.columns,
      needs: CountingPass.Needs(metrics: DatabaseTestData.metrics),
      histogram: .init(bins: 100_000), source: csv.path)
    rows.exactScores = true
    try rows.add(csv: csv.path)
    try DatabaseTestData.expectSameAudit(
      try rows.state(), try DatabaseTestData.state(of: DatabaseTestData.example))
  }

  @Test("sample weights: sums pushed down agree with the file audit to 1e-12")
  func weightedPushDown() throws {
    let folder = try TestData.temporaryFolder()
    let (header, rows) = try DatabaseTestData.lines()
    let weighted = rows.enumerated().map { "\($0.element),\(Double($0.offset % 7 + 1) * 0.25)" }
    let csv = try DatabaseTestData.write(header + ",w", weighted, in: folder, name: "w.csv")
    let location = DatabaseLocation.sqlite(path: folder.appendingPathComponent("w.db").path)
    _ = try ImportedCSV.load(csv, into: location, table: "predictions")
    var columns = DatabaseTestData.columns
    columns.sampleWeight = "w"
    let pushed = try audit(location, .table("predictions"), columns: columns)
    let file = try DatabaseTestData.state(of: csv, columns: columns)
    #expect(pushed.statistics.map(\.confusion.rows) == file.statistics.map(\.confusion.rows))
    let a = try pushed.frame(metrics: DatabaseTestData.metrics).values.flattened
    let b = try file.frame(metrics: DatabaseTestData.metrics).values.flattened
    for (x, y) in zip(a, b) where !(x.isNaN && y.isNaN) {
      #expect(abs(x - y) <= 1e-12 * max(1, abs(x)), "\(x) vs \(y)")
    }
  }
}
