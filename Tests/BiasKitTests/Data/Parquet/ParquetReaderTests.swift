import Foundation
import Testing

@testable import BiasKit

/// Fixture files and expected values (made by pyarrow 26 and fastparquet; see
/// Fixtures/Parquet/make_parquet_fixtures.py).
enum ParquetFixtures {
  static func path(_ name: String) -> String { TestData.fixture("Parquet/\(name)").path }

  static let expected: [String: Any] = {
    (try? TestData.json(TestData.fixture("Parquet/expected_types.json")) as? [String: Any]) ?? [:]
  }()

  static var columns: [String: [String: Any]] {
    expected["columns"] as? [String: [String: Any]] ?? [:]
  }

  /// Expected numbers (NaN for a null), parsed from their repr text.
  static func numbers(_ column: String) -> [Double]? {
    guard let values = columns[column]?["numbers"] as? [Any] else { return nil }
    return values.map { ($0 as? String).flatMap(Double.init) ?? .nan }
  }

  /// Expected CSV spellings (nil for a null or an empty string).
  static func texts(_ column: String) -> [String?]? {
    guard let values = columns[column]?["text"] as? [Any] else { return nil }
    return values.map { $0 as? String }
  }
}

/// Writes `bytes` to a temporary file.
func writeTemporaryBytes(_ bytes: [UInt8], name: String = "input.parquet") throws -> String {
  let url = try TestData.temporaryFolder().appendingPathComponent(name)
  try Data(bytes).write(to: url)
  return url.path
}

/// Hand-made Parquet files for the bad-input tests: one column `x`, one row group.
enum CraftedParquet {
  static func page(
    type: Int32 = ParquetPageHeader.dataPage, values: Int32, encoding: ParquetEncoding = .plain,
    body: [UInt8], compressedSize: Int32? = nil, uncompressedSize: Int32? = nil
  ) -> [UInt8] {
    var w = ThriftCompactWriter()
    w.i32(1, type)
    w.i32(2, uncompressedSize ?? Int32(body.count))
    w.i32(3, compressedSize ?? Int32(body.count))
    if type == ParquetPageHeader.dictionaryPage {
      w.structure(7) { h in
        h.i32(1, values)
        h.i32(2, ParquetEncoding.plain.rawValue)
      }
    } else {
      w.structure(5) { h in
        h.i32(1, values)
        h.i32(2, encoding.rawValue)
        h.i32(3, ParquetEncoding.rle.rawValue)
        h.i32(4, ParquetEncoding.rle.rawValue)
      }
    }
    return w.finish() + body
  }

  static func file(
    type: ParquetPhysicalType = .int64, optional: Bool = false, rows: Int64, chunk: [UInt8],
    codec: Int32 = 0, chunkOffset: Int64? = nil, chunkSize: Int64? = nil,
    dictionaryOffset: Bool = false, rowGroups: Int = 1
  ) -> [UInt8] {
    var w = ThriftCompactWriter()
    w.i32(1, 1)
    w.list(2, .structure, count: 2) { w in
      w.beginStruct()
      w.string(4, "schema")
      w.i32(5, 1)
      w.endStruct()
      w.beginStruct()
      w.i32(1, type.rawValue)
      w.i32(3, optional ? 1 : 0)
      w.string(4, "x")
      w.endStruct()
    }
    w.i64(3, rows * Int64(rowGroups))
    w.list(4, .structure, count: rowGroups) { w in
      for _ in 0..<rowGroups {
        w.beginStruct()
        w.list(1, .structure, count: 1) { w in
          w.beginStruct()
          w.i64(2, 4)
          w.structure(3) { m in
            m.i32(1, type.rawValue)
            m.i32List(2, [0, 3])
            m.stringList(3, ["x"])
            m.i32(4, codec)
            m.i64(5, rows)
            m.i64(6, Int64(chunk.count))
            m.i64(7, chunkSize ?? Int64(chunk.count))
            m.i64(9, chunkOffset ?? 4)
            if dictionaryOffset { m.i64(11, 4) }
          }
          w.endStruct()
        }
        w.i64(2, Int64(chunk.count))
        w.i64(3, rows)
        w.endStruct()
      }
    }
    let footer = w.finish()
    return Array("PAR1".utf8) + chunk + footer
      + withUnsafeBytes(of: UInt32(footer.count).littleEndian) { Array($0) } + Array("PAR1".utf8)
  }

  static func int64s(_ values: [Int64]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
  }
}

@Suite("ParquetReader")
struct ParquetReaderTests {
  static var files: [String] { ParquetFixtures.expected["files"] as? [String] ?? [] }

  @Test("every type × encoding × compression × page version reads as pyarrow wrote it")
  func fixturesMatchPyarrow() throws {
    let files = Self.files.filter { !$0.contains("fastparquet") }
    #expect(files.count == 40)
    for file in files {
      let reader = try ParquetReader(path: ParquetFixtures.path(file))
      #expect(reader.rowGroupRowCounts == [50, 50, 20], "\(file)")
      for name in reader.columnNames {
        if let expected = ParquetFixtures.numbers(name) {
          let table = try reader.read([.init(name, .number(allowMissing: true))])
          let got = try #require(table.columns[0].numbers)
          let same = zip(got, expected).allSatisfy {
            $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN)
          }
          #expect(same && got.count == expected.count, "\(file): \(name) as numbers")
        }
        guard name != "f16", let texts = ParquetFixtures.texts(name) else { continue }
        let table = try reader.read([.category(name, missingGroup: "<missing>")])
        let column = try #require(table.columns[0].categories)
        let got = column.codes.map { column.levels[Int($0)] }
        #expect(got == texts.map { $0 ?? "<missing>" }, "\(file): \(name) as categories")
      }
    }
  }

  @Test func fastparquetFilesMatch() throws {
    let files = Self.files.filter { $0.contains("fastparquet") }
    #expect(files.count == 2)
    for file in files {
      let reader = try ParquetReader(path: ParquetFixtures.path(file))
      #expect(reader.rowGroupRowCounts.count > 1)
      for name in reader.columnNames {
        if let expected = ParquetFixtures.numbers(name) {
          let got = try #require(
            try reader.read([.init(name, .number(allowMissing: true))]).columns[0].numbers)
          #expect(
            zip(got, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) },
            "\(file): \(name)")
        } else if let texts = ParquetFixtures.texts(name) {
          let column = try #require(
            try reader.read([.category(name, missingGroup: "?")]).columns[0].categories)
          #expect(column.codes.map { column.levels[Int($0)] } == texts.map { $0 ?? "?" })
        }
      }
    }
  }

  @Test(
    "Examples/adult-predictions.csv as Parquet reads into the same columns as the CSV",
    arguments: ["none", "snappy", "gzip", "zstd"])
  func adultPredictionsEqualTheCSV(compression: String) throws {
    let requests: [ColumnRequest] = [
      .label("y_true"), .label("y_pred"), .number("y_score"), .category("sex"), .category("race"),
    ]
    let csv = try CSVReader(
      path: TestData.packageRoot.appendingPathComponent("Examples/adult-predictions.csv").path
    ).read(requests)
    let parquet = try ParquetReader(
      path: ParquetFixtures.path("adult-predictions-\(compression).parquet")
    ).read(requests)
    #expect(parquet.rowCount == csv.rowCount)
    for (a, b) in zip(parquet.columns, csv.columns) {
      if let x = a.numbers, let y = b.numbers {
        #expect(x.map(\.bitPattern) == y.map(\.bitPattern))
      } else {
        #expect(a == b)
      }
    }
  }

  @Test func projectsColumnsInRequestOrderAndReadsRepeatsOnce() throws {
    let reader = try ParquetReader(path: ParquetFixtures.path("types-dictionary-snappy-v1.parquet"))
    let table = try reader.read([
      .category("s_required"), .number("i64_required"), .category("s_required"),
    ])
    #expect(table.names == ["s_required", "i64_required", "s_required"])
    #expect(table.rowCount == 120)
    let s = try #require(table.columns[0].categories)
    #expect(s.levels == ["a", "b", "c"])
    #expect(table.columns[2] == table.columns[0])
    #expect(table.columns[1].numbers?.prefix(2) == [-50000, 950003])
    #expect(throws: BiasKitError.self) {
      try reader.read([.category("s_required"), .number("s_required")])
    }
  }

  @Test func categoriesAreInFirstAppearanceOrderWithTheMissingGroupInPlace() throws {
    let reader = try ParquetReader(path: ParquetFixtures.path("types-dictionary-none-v2.parquet"))
    let column = try #require(
      try reader.read([.category("s", missingGroup: "NA")]).columns[0].categories)
    let texts = try #require(ParquetFixtures.texts("s")).map { $0 ?? "NA" }
    var order: [String] = []
    for t in texts where !order.contains(t) { order.append(t) }
    #expect(column.levels == order)
    // The same as the CSV reader gives the same values.
    // (A second column keeps the rows with an empty field from being blank lines.)
    let csv = texts.map { $0 == "NA" ? "0," : "0,\"\($0)\"" }.joined(separator: "\n")
    let csvPath = try writeTemporary("i,s\n" + csv + "\n")
    let fromCSV = try CSVReader(path: csvPath).read([.category("s", missingGroup: "NA")])
    #expect(fromCSV.columns[0].categories == column)
  }

  @Test(
    "labels follow the CSV reader's rules", arguments: ["labels.parquet", "labels-plain.parquet"])
  func labels(file: String) throws {
    let reader = try ParquetReader(path: ParquetFixtures.path(file))
    let expected: [UInt8] = [0, 1, 1, 0, 1, 0, 0, 1]
    for (name, negative, positive) in [
      ("int01", "0", "1"), ("pm1", "-1", "1"), ("flag", "False", "True"),
      ("tf", "False", "TRUE"), ("score01", "0.0", "1.0"),
    ] {
      let column = try #require(try reader.read([.label(name)]).columns[0].labels)
      // tf: False, TRUE, true, false, True, 0, 1, true
      #expect(column.values == (name == "tf" ? [0, 1, 1, 0, 1, 0, 1, 1] : expected), "\(name)")
      #expect(column.negativeName == negative && column.positiveName == positive, "\(name)")
    }
    let yes = try #require(try reader.read([.label("yesno", positive: "yes")]).columns[0].labels)
    #expect(yes.values == expected && yes.negativeName == "no" && yes.positiveName == "yes")
    let flag = try #require(try reader.read([.label("flag", positive: "true")]).columns[0].labels)
    #expect(flag.values == expected)

    func message(_ request: ColumnRequest) -> String {
      do {
        _ = try reader.read([request])
        return ""
      } catch { return (error as? BiasKitError)?.message ?? "\(error)" }
    }
    let path = ParquetFixtures.path(file)
    #expect(
      message(.label("third", positive: "a"))
        == "\(path): row group 1, row 1, column 'third': 'c' is a third class; a binary label column may hold two (already seen: 'a', 'b')"
    )
    #expect(
      message(.label("zero_minus")).hasPrefix(
        "\(path): row group 1, row 1, column 'zero_minus': '-1' is a third class"))
    #expect(
      message(.label("with_null"))
        == "\(path): row group 1, row 1, column 'with_null': the value is null or empty; expected a label"
    )
    #expect(
      message(.label("bad")).hasPrefix(
        "\(path): row group 0, row 3, column 'bad': 'maybe' is not a binary label"))
    #expect(message(.label("yesno")).contains("'no' is not a binary label"))
  }

  @Test func nullsAreMissingValuesAsEmptyCSVFieldsAre() throws {
    let path = ParquetFixtures.path("types-plain-snappy-v1.parquet")
    let reader = try ParquetReader(path: path)
    // i32 is null in rows 3, 8, … (every fifth from row 3).
    #expect(throws: BiasKitError.self) { try reader.read([.number("i32")]) }
    do {
      _ = try reader.read([.number("i32")])
    } catch let error as BiasKitError {
      #expect(
        error.message
          == "\(path): row group 0, row 3, column 'i32': the value is null or empty; expected a number"
      )
    }
    do {
      _ = try reader.read([.category("s")])
    } catch let error as BiasKitError {
      #expect(error.message.hasSuffix("(use --missing-group NAME to make empty values a group)"))
    }
    let numbers = try #require(
      try reader.read([.init("i32", .number(allowMissing: true))]).columns[0].numbers)
    #expect(numbers[3].isNaN && numbers[8].isNaN && !numbers[4].isNaN)
  }

  @Test func nestedColumnsAreRefusedByName() throws {
    let path = ParquetFixtures.path("nested.parquet")
    let reader = try ParquetReader(path: path)
    #expect(reader.columnNames == ["id", "tags", "point"])
    #expect(try reader.read([.number("id")]).columns[0].numbers == [1, 2, 3])
    for name in ["tags", "point"] {
      do {
        _ = try reader.read([.number(name)])
        Issue.record("\(name) was read")
      } catch let error as BiasKitError {
        #expect(
          error.message.hasPrefix("\(path): the column '\(name)' cannot be read: it is a nested"))
      }
    }
    do {
      _ = try reader.read([.number("nope")])
    } catch let error as BiasKitError {
      #expect(
        error.message == "\(path): no column named 'nope'; the columns are 'id', 'tags', 'point'")
    }
  }

  // MARK: Bad input

  private func failure(
    _ bytes: [UInt8], _ requests: [ColumnRequest] = [.number("x")]
  ) throws
    -> String
  {
    let path = try writeTemporaryBytes(bytes)
    do {
      _ = try ParquetReader(path: path).read(requests)
      return "no error"
    } catch let error as BiasKitError {
      return error.message.replacingOccurrences(of: path, with: "F")
    }
  }

  @Test func wrongMagicTruncatedFooterAndFooterBeyondTheFile() throws {
    let good = try [UInt8](Data(contentsOf: TestData.fixture("Parquet/labels.parquet")))
    var wrong = good
    wrong[3] = UInt8(ascii: "2")
    #expect(try failure(wrong) == "F: not a Parquet file: it does not start with the magic 'PAR1'")
    #expect(
      try failure(Array(good.dropLast(5)))
        == "F: not a Parquet file: it does not end with the magic 'PAR1' (the file is truncated or not Parquet)"
    )
    var beyond = good
    let n = good.count
    withUnsafeBytes(of: UInt32(n).littleEndian) {
      beyond.replaceSubrange((n - 8)..<(n - 4), with: $0)
    }
    #expect(
      try failure(beyond)
        == "F: not a Parquet file: its footer length \(n) is beyond the file (\(n) bytes)")
    #expect(try failure(Array("PAR1PAR1".utf8)).hasPrefix("F: not a Parquet file: it has 8 bytes"))
    // A footer cut short (its first 10 bytes, with a length that says so).
    let length = Int(good[n - 8]) | Int(good[n - 7]) << 8 | Int(good[n - 6]) << 16
    let start = n - 8 - length
    let cut =
      Array(good[0..<(start + 10)]) + withUnsafeBytes(of: UInt32(10).littleEndian) { Array($0) }
      + Array("PAR1".utf8)
    #expect(
      try failure(cut).hasPrefix("F: the Parquet footer (file metadata) is malformed at byte"))
  }

  @Test func malformedThriftInTheFooter() throws {
    func file(footer: [UInt8]) -> [UInt8] {
      Array("PAR1".utf8) + footer
        + withUnsafeBytes(of: UInt32(footer.count).littleEndian) {
          Array($0)
        } + Array("PAR1".utf8)
    }
    #expect(
      try failure(file(footer: [0x1E, 0x00]))
        == "F: the Parquet footer (file metadata) is malformed at byte 0 of the footer: unknown Thrift field type 14"
    )
    #expect(
      try failure(file(footer: [0x48, 0x64, 0x41, 0x42]))
        == "F: the Parquet footer (file metadata) is malformed at byte 1 of the footer: a field of 100 bytes runs past the end of the data (2 left)"
    )
    #expect(try failure(file(footer: [0x15])).contains("the data ends inside a value"))
    // Deeply nested structs are refused, not a stack overflow.
    #expect(
      try failure(file(footer: [UInt8](repeating: 0x1C, count: 500))).contains("nest too deeply"))
  }

  @Test func zeroRowGroups() throws {
    var w = ThriftCompactWriter()
    w.i32(1, 1)
    w.list(2, .structure, count: 2) { w in
      w.beginStruct()
      w.string(4, "schema")
      w.i32(5, 1)
      w.endStruct()
      w.beginStruct()
      w.i32(1, 2)
      w.string(4, "x")
      w.endStruct()
    }
    w.i64(3, 0)
    w.list(4, .structure, count: 0) { _ in }
    let footer = w.finish()
    let bytes =
      Array("PAR1".utf8) + footer
      + withUnsafeBytes(of: UInt32(footer.count).littleEndian) {
        Array($0)
      } + Array("PAR1".utf8)
    #expect(try failure(bytes) == "F: the file has no row groups (no data rows)")
  }

  @Test func chunkOffsetOutsideTheFile() throws {
    let chunk = CraftedParquet.page(values: 2, body: CraftedParquet.int64s([1, 2]))
    #expect(
      try failure(CraftedParquet.file(rows: 2, chunk: chunk, chunkOffset: 1 << 40)).hasPrefix(
        "F: row group 0, column 'x', page 0: the column chunk's offset 1099511627776 lies outside the file's data"
      ))
    #expect(
      try failure(CraftedParquet.file(rows: 2, chunk: chunk, chunkSize: 1 << 30)).contains(
        "run past the file's data"))
    let good = CraftedParquet.file(rows: 2, chunk: chunk)
    #expect(
      try ParquetReader(path: writeTemporaryBytes(good)).read([.number("x")]).columns[0].numbers
        == [1, 2])
  }

  @Test func pagesWhoseSizesLie() throws {
    let body = CraftedParquet.int64s([1, 2])
    let lying = CraftedParquet.page(values: 2, body: body, compressedSize: 10_000)
    #expect(
      try failure(CraftedParquet.file(rows: 2, chunk: lying)).hasPrefix(
        "F: row group 0, column 'x', page 0: the page's compressed size 10000 runs past the end of the column chunk"
      ))
    // SNAPPY data shorter than the page header says.
    let snappy = body.withUnsafeBytes { Snappy.compress($0) }
    let short = CraftedParquet.page(
      values: 2, body: snappy, compressedSize: Int32(snappy.count), uncompressedSize: 24)
    let snappyMessage = try failure(CraftedParquet.file(rows: 2, chunk: short, codec: 1))
    #expect(
      snappyMessage.contains("page 0: the Snappy data declares 16 bytes; the page header says 24"))
    // More values than the row group has rows; fewer than it needs.
    let many = CraftedParquet.page(values: 3, body: CraftedParquet.int64s([1, 2, 3]))
    #expect(
      try failure(CraftedParquet.file(rows: 2, chunk: many)).contains(
        "the page holds 3 values; the row group has 2 rows left"))
    #expect(
      try failure(CraftedParquet.file(rows: 5, chunk: many)).contains(
        "page 1: the column chunk ends after 3 of the row group's 5 values"))
    // PLAIN values shorter than declared.
    let cut = CraftedParquet.page(values: 3, body: CraftedParquet.int64s([1, 2]))
    #expect(
      try failure(CraftedParquet.file(rows: 3, chunk: cut)).contains(
        "3 PLAIN INT64 values need 24 bytes"))
  }

  @Test func rleRunOverflowingThePageAndDictionaryIndexOutOfRange() throws {
    let dictionary = CraftedParquet.page(
      type: ParquetPageHeader.dictionaryPage, values: 2, body: CraftedParquet.int64s([10, 20]))
    // bit width 1, an RLE run of 100 copies of 0 (header 200 as a varint).
    let overflow = CraftedParquet.page(
      values: 4, encoding: .rleDictionary, body: [1, 0xC8, 0x01, 0])
    let overflowMessage = try failure(
      CraftedParquet.file(rows: 4, chunk: dictionary + overflow, dictionaryOffset: true))
    #expect(
      overflowMessage
        == "F: row group 0, column 'x', page 1: an RLE run of 100 values overflows the page (4 values left)"
    )
    // bit width 3, one bit-packed group: indices 0, 1, 5, …
    let outOfRange = CraftedParquet.page(
      values: 3, encoding: .rleDictionary, body: [3, 0x03, 0b0100_1000, 0b0000_0001, 0])
    #expect(
      try failure(
        CraftedParquet.file(rows: 3, chunk: dictionary + outOfRange, dictionaryOffset: true))
        == "F: row group 0, row 2, column 'x', page 1: dictionary index 5 is out of range (the dictionary has 2 entries)"
    )
    let valid = CraftedParquet.page(
      values: 3, encoding: .rleDictionary, body: [3, 0x03, 0b0100_1000, 0b0000_0000, 0])
    let read = try ParquetReader(
      path: writeTemporaryBytes(
        CraftedParquet.file(rows: 3, chunk: dictionary + valid, dictionaryOffset: true))
    ).read([.number("x")])
    #expect(read.columns[0].numbers == [10, 20, 20])
    let noDictionary = CraftedParquet.file(rows: 3, chunk: valid)
    #expect(try failure(noDictionary).contains("no dictionary precedes them"))
  }
}
