import ArgumentParser
import BiasKit
import Foundation

/// `biaskit import FILE.csv --db URL --table NAME`: loads a CSV file into SQLite (prepared
/// INSERTs in one transaction) or PostgreSQL (`COPY … FROM STDIN`), with column types inferred
/// from the values.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Load a CSV file into a SQLite or PostgreSQL table (column types inferred).",
    discussion: """
      A column is INTEGER (BIGINT) when every non-empty value is an integer, \
      REAL (DOUBLE PRECISION) when every one is a number, else TEXT; empty \
      values are NULL. The table is created and filled in one transaction: on \
      any error nothing is left behind.

      Example:
        biaskit import Examples/adult-predictions.csv \\
          --db sqlite:preds.db --table predictions
      """)

  @Argument(help: "The CSV file (.tsv is read tab-separated).")
  var file: String

  @Option(help: ArgumentHelp("sqlite:FILE or postgres://user@host:port/db.", valueName: "url"))
  var db: String

  @Option(help: "The table to create.")
  var table: String

  @Flag(help: "Replace the table if it exists.")
  var replace = false

  @Option(
    help: "Field separator (one character; `tab` or \\t for tab). Default: by extension.",
    transform: Flags.parsing(AuditInputOptions.delimiterByte))
  var delimiter: UInt8?

  func run() throws {
    let loaded = try ImportedCSV.load(
      file, delimiter: delimiter,
      into: try DatabaseLocation(db), table: table, replace: replace)
    let columns = zip(loaded.header, loaded.types).map { "\($0) \($1.rawValue)" }.joined(
      separator: ", ")
    print("imported \(loaded.rowCount) rows into table '\(table)' (\(columns))")
  }
}
