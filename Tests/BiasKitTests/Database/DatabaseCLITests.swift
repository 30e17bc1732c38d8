import Foundation
import Testing

@testable import BiasKit

@Suite("Database: CLI")
struct DatabaseCLITests {
  let example = DatabaseTestData.example
  let columns = ["--y-score", "y_score", "--sensitive", "sex,race"]

  @Test("audit --save-state of two parts, then merge: the report of the whole file")
  func saveStateAndMerge() throws {
    let folder = try TestData.temporaryFolder()
    let (header, rows) = try DatabaseTestData.lines()
    let a = try DatabaseTestData.write(header, Array(rows[..<7_000]), in: folder, name: "a.csv")
    let b = try DatabaseTestData.write(header, Array(rows[7_000...]), in: folder, name: "b.csv")
    let metrics = [
      "--metrics", "selection_rate,accuracy,true_positive_rate,roc_auc,average_precision",
    ]
    for (path, state) in [(a, "a.json"), (b, "b.json")] {
      let run = try CLI.run(
        ["audit", path] + columns + metrics + [
          "--save-state", folder.appendingPathComponent(state).path,
        ])
      #expect(run.status == 0, "\(run.stderr)")
    }
    let merged = try CLI.run(
      [
        "merge", folder.appendingPathComponent("a.json").path,
        folder.appendingPathComponent("b.json").path, "--format", "json",
      ] + metrics)
    let whole = try CLI.run(["audit", example, "--format", "json"] + columns + metrics)
    #expect(merged.status == 0, "\(merged.stderr)")
    #expect(merged.stdout == whole.stdout)
  }

  @Test func emitSQLPrintsBoundQueries() throws {
    let spark = try CLI.run(["audit", "--emit-sql", "spark", "--table", "my table"] + columns)
    #expect(spark.status == 0, "\(spark.stderr)")
    #expect(spark.stdout.hasPrefix("-- parameters"))
    #expect(spark.stdout.contains("FROM `my table`"))
    let postgres = try CLI.run(["audit", "--emit-sql", "postgres", "--table", "t\"x"] + columns)
    #expect(
      postgres.stdout.contains(
        "PREPARE biaskit_audit (double precision, double precision, bigint) AS"))
    #expect(postgres.stdout.contains("FROM \"t\"\"x\""))
    let sqlite = try CLI.run(
      ["audit", "--emit-sql", "sqlite", "--query", "SELECT * FROM t WHERE day = '2024-01-01'"]
        + columns)
    #expect(sqlite.stdout.contains(".parameter set :score_bins 100000"))
  }

  @Test("import into SQLite, then audit there: the same report as the file")
  func importAndAuditSQLite() throws {
    let db = "sqlite:" + (try TestData.temporaryFolder()).appendingPathComponent("p.db").path
    let imported = try CLI.run(["import", example, "--db", db, "--table", "predictions"])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stdout.contains("imported 16281 rows"))
    let again = try CLI.run(["import", example, "--db", db, "--table", "predictions"])
    #expect(again.status == 2)
    #expect(again.stderr.contains("already exists; add --replace"))
    let metrics = ["--metrics", "count,accuracy,f1,roc_auc,average_precision"]
    let pushed = try CLI.run(
      ["audit", "--db", db, "--table", "predictions", "--format", "json"] + columns + metrics)
    let file = try CLI.run(["audit", example, "--format", "json"] + columns + metrics)
    #expect(pushed.status == 0, "\(pushed.stderr)")
    #expect(pushed.stdout == file.stdout)
    // Binned scores: the output states the bound.
    let binned = try CLI.run(
      ["audit", "--db", db, "--table", "predictions", "--max-distinct-scores", "50"] + columns)
    #expect(binned.status == 0, "\(binned.stderr)")
    #expect(binned.stdout.contains("roc_auc is within ±"))
  }

  @Test(
    "bad input: one line on standard error, status 2",
    arguments: [
      (
        [
          "audit", "--db", "postgres://me:secret@localhost/db", "--table", "t", "--sensitive",
          "sex",
        ], "do not put the password"
      ),
      (
        ["audit", "--db", "sqlite:x.db", "--sensitive", "sex"], "--db needs --table NAME or --query"
      ),
      (["audit", "--sensitive", "sex"], "give the predictions"),
      (
        [
          "audit", "Examples/adult-predictions.csv", "--db", "sqlite:x.db", "--table", "t",
          "--sensitive", "sex",
        ], "give one of"
      ),
      (
        ["audit", "--db", "mysql://h/db", "--table", "t", "--sensitive", "sex"],
        "--db takes sqlite:FILE or postgres://"
      ),
      (
        [
          "audit", "--db", "postgres://nobody@127.0.0.1:1/db", "--table", "t", "--sensitive", "sex",
        ],
        "cannot connect to PostgreSQL at 127.0.0.1:1"
      ),
      (
        ["audit", "--state-from", "Examples/adult-predictions.csv", "--sensitive", "sex"],
        "no column 'sensitive_1'"
      ),
      (
        ["audit", "--db", "sqlite:/nonexistent/x.db", "--table", "t", "--sensitive", "sex"],
        "no such database file"
      ),
      (["merge", "Examples/adult-predictions.csv"], "not a BiasKit audit state"),
      (
        ["audit", "--emit-sql", "spark", "--sensitive", "sex"],
        "--emit-sql needs --table NAME or --query"
      ),
    ])
  func badInput(arguments: [String], message: String) throws {
    let run = try CLI.run(arguments)
    #expect(run.status == 2)
    #expect(run.stderr.contains(message), "\(run.stderr)")
    #expect(run.stdout.isEmpty)
  }
}
