@testable import BiasKit

/// The columns of `Fixtures/Parquet/written-by-biaskit.parquet` (see check_biaskit_written.py).
enum ParquetWriterFixture {
  static let rows = 1500

  static var columns: [ParquetWriter.OutputColumn] {
    let n = rows
    let scores: [Double] = (0..<n).map { (i: Int) -> Double in
      if i % 11 == 0 { return .nan }
      let k = Double(i * 37 % 1000)
      return k / 7.0 - 50.0
    }
    let counts = (0..<n).map { Int64($0) * 3_000_000_000_000 - 1_000_000_000_000_000 }
    let flags = (0..<n).map { $0 % 3 == 0 }
    let names = ["Female", "Male", "Non-binary", "Ünïcødé ✓"]
    let groups = CategoricalColumn((0..<n).map { names[($0 / 7) % 4] })
    let labels = LabelColumn(values: (0..<n).map { UInt8($0 % 5 == 0 ? 1 : 0) })
    let answers = LabelColumn(
      values: (0..<n).map { UInt8($0 % 2) }, negativeName: "no", positiveName: "yes")
    return [
      .init("score", .doubles(scores)), .init("count", .integers(counts)),
      .init("flag", .booleans(flags)), .init("group", .categories(groups)),
      .init("label", from: .labels(labels)), .init("answer", from: .labels(answers)),
    ]
  }

  static var writer: ParquetWriter {
    var writer = ParquetWriter()
    writer.rowGroupSize = 700
    writer.pageRowCount = 256
    return writer
  }
}
