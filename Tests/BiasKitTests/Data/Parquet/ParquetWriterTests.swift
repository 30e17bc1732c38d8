import Foundation
import Testing

@testable import BiasKit

@Suite("ParquetWriter")
struct ParquetWriterTests {
  @Test("the writer still makes the bytes pyarrow read back (check_biaskit_written.py)")
  func bytesAreThoseCheckedWithPyarrow() throws {
    let committed = try [UInt8](
      Data(contentsOf: TestData.fixture("Parquet/written-by-biaskit.parquet")))
    let written = try ParquetWriterFixture.writer.encoded(ParquetWriterFixture.columns)
    #expect(written == committed, "regenerate the fixture and rerun check_biaskit_written.py")
  }

  @Test("pyarrow read every value and type back equal")
  func pyarrowReadsEqualValuesAndTypes() throws {
    let seen = try #require(
      try TestData.json(TestData.fixture("Parquet/written-by-biaskit.pyarrow.json"))
        as? [String: Any])
    let schema = try #require(seen["schema"] as? [[String: Any]])
    #expect(
      schema.map { $0["name"] as? String } == [
        "score", "count", "flag", "group", "label", "answer",
      ])
    #expect(
      schema.map { $0["type"] as? String } == [
        "double", "int64", "bool", "string", "int64", "string",
      ])
    #expect(schema.map { $0["nullable"] as? Bool } == [true, false, false, false, false, false])
    let values = try #require(seen["values"] as? [String: [Any]])
    for column in ParquetWriterFixture.columns {
      let got = try #require(values[column.name])
      switch column.values {
      case .doubles(let v):
        #expect(
          zip(v, got).allSatisfy { a, b in
            a.isNaN ? b is NSNull : (b as? String).flatMap(Double.init) == a
          }, "\(column.name)")
      case .integers(let v):
        #expect(got.map { ($0 as? NSNumber)?.int64Value } == v.map { $0 }, "\(column.name)")
      case .booleans(let v):
        #expect(got.map { ($0 as? NSNumber)?.boolValue } == v.map { $0 }, "\(column.name)")
      case .categories(let c):
        #expect(got.map { $0 as? String } == c.codes.map { c.levels[Int($0)] }, "\(column.name)")
      }
    }
    let groups = try #require(seen["row_groups"] as? [[String: Any]])
    #expect(groups.map { $0["rows"] as? Int } == [700, 700, 100])
    for group in groups {
      for column in try #require(group["columns"] as? [[String: Any]]) {
        #expect(column["codec"] as? String == "SNAPPY")
      }
    }
    // The statistics pyarrow read are those of the values.
    let first = try #require(groups[0]["columns"] as? [[String: Any]])
    guard case .doubles(let scores) = ParquetWriterFixture.columns[0].values else { return }
    let head = scores[0..<700].filter { !$0.isNaN }
    #expect(first[0]["min"] as? String == "\(head.min()!)")
    #expect(first[0]["max"] as? String == "\(head.max()!)")
    #expect(first[0]["null_count"] as? Int == 700 - head.count)
    #expect(first[3]["min"] as? String == "Female" && first[3]["max"] as? String == "Ünïcødé ✓")
  }

  @Test func roundTripsThroughTheReader() throws {
    let path = try TestData.temporaryFolder().appendingPathComponent("out.parquet").path
    var writer = ParquetWriter()
    writer.rowGroupSize = 1000
    writer.pageRowCount = 300
    let columns = ParquetWriterFixture.columns
    try writer.write(columns, to: path)
    let reader = try ParquetReader(path: path)
    #expect(reader.rowGroupRowCounts == [1000, 500])
    let table = try reader.read([
      .init("score", .number(allowMissing: true)), .number("count"), .label("flag"),
      .category("group"), .label("label"), .label("answer", positive: "yes"),
    ])
    guard case .doubles(let scores) = columns[0].values,
      case .integers(let counts) = columns[1].values,
      case .booleans(let flags) = columns[2].values,
      case .categories(let groups) = columns[3].values
    else { return }
    let readScores = try #require(table.columns[0].numbers)
    #expect(zip(readScores, scores).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
    #expect(table.columns[1].numbers == counts.map(Double.init))
    #expect(table.columns[2].labels?.values == flags.map { $0 ? 1 : 0 })
    #expect(table.columns[3].categories == groups)
    #expect(table.columns[4].labels?.values == (0..<1500).map { UInt8($0 % 5 == 0 ? 1 : 0) })
    #expect(table.columns[5].labels?.values == (0..<1500).map { UInt8($0 % 2) })
  }

  @Test func refusesInconsistentColumns() throws {
    let writer = ParquetWriter()
    #expect(throws: BiasKitError.self) { try writer.encoded([]) }
    #expect(throws: BiasKitError.self) {
      try writer.encoded([.init("a", .doubles([1, 2])), .init("b", .integers([1]))])
    }
    #expect(throws: BiasKitError.self) {
      try writer.encoded([.init("a", .doubles([1])), .init("a", .doubles([2]))])
    }
    #expect(throws: BiasKitError.self) {
      try writer.encoded([.init("a", .categories(CategoricalColumn(codes: [3], levels: ["x"])))])
    }
  }

  @Test func rleHybridEncoderRoundTrips() throws {
    var generator = SeededGenerator(seed: 7)
    for width in [1, 2, 3, 7, 8, 13, 20, 32] {
      let maximum = width == 32 ? UInt32.max : (UInt32(1) << UInt32(width)) - 1
      var values: [UInt32] = []
      while values.count < 5000 {
        let v = UInt32.random(in: 0...maximum, using: &generator)
        let run = Int.random(in: 1...(Bool.random(using: &generator) ? 40 : 3), using: &generator)
        values += [UInt32](repeating: v, count: run)
      }
      let encoded = RLEHybridEncoder.encode(values, bitWidth: width)
      var decoded = [Int32](repeating: 0, count: values.count)
      _ = try encoded.withUnsafeBytes { raw in
        try decoded.withUnsafeMutableBufferPointer { out in
          try RLEHybrid.decode(raw, bitWidth: width, count: values.count, into: out.baseAddress!)
        }
      }
      #expect(decoded.map { UInt32(bitPattern: $0) } == values, "width \(width)")
    }
  }
}
