import Foundation
import Testing

@testable import BiasKit

@Suite("Parquet audit")
struct ParquetAuditTests {
  static let columns = [
    "--y-true", "y_true", "--y-pred", "y_pred", "--y-score", "y_score", "--sensitive", "sex,race",
  ]

  @Test(
    "biaskit audit of adult-predictions as Parquet equals the CSV audit bit for bit",
    arguments: ["none", "snappy", "gzip", "zstd"])
  func auditEqualsTheCSVAudit(compression: String) throws {
    let csv = "Examples/adult-predictions.csv"
    let parquet = "Tests/BiasKitTests/Fixtures/Parquet/adult-predictions-\(compression).parquet"
    let fromCSV = try CLI.run(["audit", csv, "--format", "json"] + Self.columns)
    let fromParquet = try CLI.run(["audit", parquet, "--format", "json"] + Self.columns)
    #expect(fromCSV.status == 0 && fromParquet.status == 0, "\(fromParquet.stderr)")
    #expect(!fromCSV.stdout.isEmpty)
    #expect(
      fromParquet.stdout.replacingOccurrences(of: parquet, with: csv) == fromCSV.stdout)
  }

  @Test func badParquetIsOneLineAndExitStatus2() throws {
    let path = try writeTemporaryBytes(Array("PAR1 not really PAR2".utf8), name: "bad.parquet")
    let output = try TestData.temporaryFolder().appendingPathComponent("out.json").path
    let result = try CLI.run(
      ["audit", path, "--output", output, "--format", "json"] + Self.columns)
    #expect(result.status == 2)
    #expect(result.stderr.split(separator: "\n").count == 1)
    #expect(result.stderr.contains("\(path): not a Parquet file"))
    #expect(!FileManager.default.fileExists(atPath: output))
  }

  @Test func formatsAreRegisteredByExtension() throws {
    #expect(TableFormat.of(path: "x/preds.parquet") == .parquet)
    #expect(TableFormat.of(path: "preds.FEATHER") == .arrow)
    let source = try TableSources.open(ParquetFixtures.path("labels.parquet"))
    #expect(source is ParquetReader)
    #expect(
      source.location(row: 5, column: "int01").description
        == "\(ParquetFixtures.path("labels.parquet")): row group 1, row 1, column 'int01'")
    #expect(try TableSources.open(ParquetFixtures.path("dictionary.feather")) is ArrowReader)
  }
}

@Suite("ConcatenatedTableSource")
struct ConcatenatedTableSourceTests {
  @Test func aGlobOfFilesIsOneTable() throws {
    let folder = try TestData.temporaryFolder()
    var writer = ParquetWriter()
    writer.rowGroupSize = 3
    let parts: [[String]] = [["b", "a", "b"], ["c", "a"], ["a", "d", "d", "b"]]
    for (k, groups) in parts.enumerated() {
      try writer.write(
        [
          .init("g", .categories(CategoricalColumn(groups))),
          .init("y", .integers(groups.map { $0 == "a" ? 1 : 0 })),
          .init("s", .doubles(groups.indices.map { Double(k * 10 + $0) })),
        ], to: folder.appendingPathComponent("part-\(k).parquet").path)
    }
    let pattern = folder.appendingPathComponent("part-*.parquet").path
    let source = try TableSources.open(pattern)
    #expect(source is ConcatenatedTableSource)
    let table = try source.read([.category("g"), .label("y"), .number("s")])
    #expect(table.rowCount == 9)
    #expect(table.columns[0].categories == CategoricalColumn(parts.flatMap { $0 }))
    #expect(table.columns[1].labels?.values == [0, 1, 0, 0, 1, 1, 0, 0, 0])
    #expect(table.columns[2].numbers == [0, 1, 2, 10, 11, 20, 21, 22, 23])
    #expect(
      source.location(row: 6, column: "g").description
        == "\(folder.appendingPathComponent("part-2.parquet").path): row group 0, row 1, column 'g'"
    )
    #expect(throws: BiasKitError.self) {
      try TableSources.open(folder.appendingPathComponent("nothing-*.parquet").path)
    }
  }
}
