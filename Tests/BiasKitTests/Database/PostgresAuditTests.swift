import Foundation
import Testing

@testable import BiasKit

/// Tests against a real PostgreSQL server: enabled when `BIASKIT_TEST_POSTGRES_URL` names one
/// (`.ci/run` starts a cluster on the loopback and exports it, with `PGPASSWORD`). Without it,
/// only the tests that need no server run.
@Suite("Database: PostgreSQL", .serialized)
struct PostgresAuditTests {
  static let url = ProcessInfo.processInfo.environment["BIASKIT_TEST_POSTGRES_URL"]
  static var serverIsAvailable: Bool { url != nil }

  /// The example predictions in a table of the test server (loaded once per test with COPY).
  static func loadExample(table: String) throws -> DatabaseLocation {
    let location = try DatabaseLocation(url!)
    let loaded = try ImportedCSV.load(
      DatabaseTestData.example, into: location, table: table, replace: true)
    #expect(loaded.rowCount == 16_281)
    return location
  }

  @Test("an unreachable server: the error names host and port, within the timeout")
  func unreachableServer() throws {
    let start = Date()
    do {
      _ = try PostgresDatabase(uri: "postgres://nobody@127.0.0.1:1/none", connectTimeout: 2)
      Issue.record("connected to port 1")
    } catch let error as BiasKitError {
      #expect(error.message.contains("cannot connect to PostgreSQL at 127.0.0.1:1"), "\(error)")
    }
    #expect(Date().timeIntervalSince(start) < 10)
  }

  /// `.ci/run` gives its server a self-signed certificate and says so in
  /// `BIASKIT_TEST_POSTGRES_TLS`.
  static var tlsServerIsAvailable: Bool {
    serverIsAvailable && ProcessInfo.processInfo.environment["BIASKIT_TEST_POSTGRES_TLS"] != nil
  }

  @Test(
    "sslmode=require: the connection is encrypted and the audit runs over it",
    .enabled(if: tlsServerIsAvailable))
  func auditOverTLS() throws {
    _ = try Self.loadExample(table: "biaskit_test_tls")
    let url = Self.url! + (Self.url!.contains("?") ? "&" : "?") + "sslmode=require"
    let database = try PostgresDatabase(uri: url, connectTimeout: 5)
    #expect(database.usesTLS)
    let result = try CLI.run([
      "audit", "--db", url, "--table", "biaskit_test_tls", "--y-score", "y_score",
      "--sensitive", "sex", "--format", "json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("\"rows\": 16281"), "\(result.stdout.prefix(300))")
  }

  @Test(.enabled(if: serverIsAvailable))
  func copyImportAndPushDownEqualTheFileAudit() throws {
    let location = try Self.loadExample(table: "biaskit_test_predictions")
    var audit = DatabaseAudit(
      location: location, source: .table("biaskit_test_predictions"),
      columns: DatabaseTestData.columns,
      needs: CountingPass.Needs(metrics: DatabaseTestData.metrics))
    let pushed = try audit.state()
    let file = try DatabaseTestData.state(of: DatabaseTestData.example)
    try DatabaseTestData.expectSameAudit(pushed, file)
    // Past --max-distinct-scores, the server's histogram is BiasKit's.
    audit.maxDistinctScores = 500
    let binned = try audit.state()
    #expect(
      binned.statistics.map(\.scores)
        == (try file.limitingDistinctScores(500)).statistics.map(\.scores))
  }

  @Test(.enabled(if: serverIsAvailable))
  func hostileNamesAreSafe() throws {
    let hostile = SQLiteAuditTests.hostile
    let location = try Self.loadExample(table: hostile)
    _ = try Self.loadExample(table: "predictions")
    let state = try DatabaseAudit(
      location: location, source: .table(hostile), columns: DatabaseTestData.columns,
      needs: CountingPass.Needs(metrics: DatabaseTestData.metrics)
    ).state()
    #expect(state.statistics.reduce(0) { $0 + $1.confusion.rows } == 16_281)
    let database = try PostgresDatabase(uri: Self.url!, connectTimeout: 5)
    #expect(try database.tables().contains("predictions"))
  }

  @Test(.enabled(if: serverIsAvailable))
  func badCredentials() throws {
    var components = URLComponents(string: Self.url!)!
    components.password = "not-the-password"
    do {
      _ = try PostgresDatabase(uri: components.string!, connectTimeout: 5)
      Issue.record("connected with a wrong password")
    } catch let error as BiasKitError {
      #expect(error.message.contains("authentication failed"), "\(error)")
    }
  }

  @Test(.enabled(if: serverIsAvailable))
  func missingTableColumnAndBadTypes() throws {
    let location = try Self.loadExample(table: "biaskit_test_types")
    let database = try PostgresDatabase(uri: Self.url!, connectTimeout: 5)
    try database.query(
      "CREATE TABLE IF NOT EXISTS biaskit_test_bad (y_true timestamp, y_pred int, y_score text, sex text)",
      parameters: []
    ) { _ in }
    let cases: [(SQLSource, [String], String)] = [
      (
        .table("biaskit_no_such_table"), ["sex"], "no table 'biaskit_no_such_table'; the tables are"
      ),
      (
        .table("biaskit_test_types"), ["gender"],
        "no column 'gender'; its columns are 'y_true' (bigint)"
      ),
      (
        .table("biaskit_test_bad"), ["sex"],
        "column 'y_true' has type timestamp without time zone, which is not a label"
      ),
      (
        .query(
          "SELECT y_true, y_pred, y_score::text AS y_score, sex, race FROM biaskit_test_types"),
        ["sex"],
        "column 'y_score' has type text; expected a number"
      ),
      (
        .query("SELECT y_true + 1 AS y_true, y_pred, y_score, sex, race FROM biaskit_test_types"),
        ["sex"],
        "holds 2, which is not a label"
      ),
    ]
    for (source, sensitive, message) in cases {
      var columns = DatabaseTestData.columns
      columns.sensitive = sensitive
      do {
        _ = try DatabaseAudit(
          location: location, source: source, columns: columns, needs: .init(metrics: [.rocAUC])
        ).state()
        Issue.record("no error for \(source)")
      } catch let error as BiasKitError {
        #expect(error.message.contains(message), "\(error)")
      }
    }
  }

  @Test(
    "a connection lost in the middle: a clear error and no output file",
    .enabled(if: serverIsAvailable))
  func lostConnection() throws {
    _ = try Self.loadExample(table: "biaskit_test_lost")
    let output = try TestData.temporaryFolder().appendingPathComponent("report.json")
    let result = SharedBox<CLI.Result?>(nil)
    let done = DispatchSemaphore(value: 0)
    let url = Self.url!
    Thread.detachNewThread {
      result.value = try? CLI.run([
        "audit", "--db", url, "--query",
        "SELECT p.* FROM biaskit_test_lost p, LATERAL (SELECT pg_sleep(4)) s",
        "--y-score", "y_score", "--sensitive", "sex", "--format", "json", "--output", output.path,
      ])
      done.signal()
    }
    // Wait (up to 20 s on a loaded machine) until the audit's query runs, then end its backend.
    let admin = try PostgresDatabase(uri: url, connectTimeout: 5)
    var terminated = false
    for _ in 0..<200 where !terminated {
      Thread.sleep(forTimeInterval: 0.1)
      try admin.query(
        """
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = 'biaskit' AND pid <> pg_backend_pid() AND state = 'active'
           AND query LIKE '%pg_sleep(4)%' AND query NOT LIKE '%LIMIT 0%'
        """,
        parameters: []
      ) { row in if row.first == .text("t") { terminated = true } }
    }
    #expect(terminated)
    done.wait()
    let run = try #require(result.value)
    #expect(run.status == 2)
    #expect(run.stderr.contains("lost the connection to PostgreSQL at"), "\(run.stderr)")
    #expect(run.stdout.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: output.path))
  }
}
