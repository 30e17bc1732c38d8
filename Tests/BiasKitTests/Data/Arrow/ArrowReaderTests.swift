import Foundation
import Testing

@testable import BiasKit

@Suite("ArrowReader")
struct ArrowReaderTests {
  static var files: [String] { ParquetFixtures.expected["arrow_files"] as? [String] ?? [] }

  @Test("uncompressed, LZ4_FRAME and ZSTD Feather v2 files read as pyarrow wrote them")
  func fixturesMatchPyarrow() throws {
    #expect(Self.files.count == 4)
    for file in Self.files {
      let reader = try ArrowReader(path: ParquetFixtures.path(file))
      #expect(reader.batchRowCounts == [50, 50, 20], "\(file)")
      for name in reader.columnNames {
        if let expected = ParquetFixtures.numbers(name) {
          let got = try #require(
            try reader.read([.init(name, .number(allowMissing: true))]).columns[0].numbers)
          #expect(
            zip(got, expected).allSatisfy {
              $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN)
            }
              && got.count == expected.count, "\(file): \(name)")
        }
        guard let texts = ParquetFixtures.texts(name) else { continue }
        let column = try #require(
          try reader.read([.category(name, missingGroup: "<missing>")]).columns[0].categories)
        #expect(
          column.codes.map { column.levels[Int($0)] } == texts.map { $0 ?? "<missing>" },
          "\(file): \(name)")
      }
    }
  }

  @Test func dictionaryColumnsGiveTheSameCategoriesAsParquet() throws {
    let arrow = try ArrowReader(path: ParquetFixtures.path("dictionary.feather"))
    let parquet = try ParquetReader(
      path: ParquetFixtures.path("types-dictionary-snappy-v1.parquet"))
    let request = ColumnRequest.category("s", missingGroup: "NA")
    #expect(try arrow.read([request]).columns == parquet.read([request]).columns)
  }

  private func failure(_ bytes: [UInt8]) throws -> String {
    let path = try writeTemporaryBytes(bytes, name: "input.arrow")
    do {
      let reader = try ArrowReader(path: path)
      _ = try reader.read(reader.columnNames.map { .init($0, .number(allowMissing: true)) })
      return "no error"
    } catch let error as BiasKitError {
      return error.message.replacingOccurrences(of: path, with: "F")
    }
  }

  @Test func badInputIsOneClearError() throws {
    let good = try [UInt8](Data(contentsOf: TestData.fixture("Parquet/types-zstd.arrow")))
    var wrong = good
    wrong[0] = UInt8(ascii: "X")
    #expect(
      try failure(wrong)
        == "F: not an Arrow IPC (Feather v2) file: it does not start with the magic 'ARROW1'")
    #expect(
      try failure(Array(good.dropLast(3))).contains("it does not end with the magic 'ARROW1'"))
    var beyond = good
    let n = good.count
    withUnsafeBytes(of: Int32(n).littleEndian) {
      beyond.replaceSubrange((n - 10)..<(n - 6), with: $0)
    }
    #expect(try failure(beyond).contains("its footer length \(n) is beyond the file"))
    // Every single-byte corruption of the footer is an error or a read, never a trap.
    let footerLength = Int(good[n - 10]) | Int(good[n - 9]) << 8
    for k in (n - 10 - footerLength)..<(n - 10) {
      var corrupt = good
      corrupt[k] ^= 0x5A
      _ = try failure(corrupt)
    }
  }
}
