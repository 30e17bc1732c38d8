import Foundation

/// Writes typed columns as a Parquet file that pyarrow, pandas, DuckDB and Spark read.
///
/// Layout: one row group per ``rowGroupSize`` rows (1 Mi rows by default, as pyarrow); per
/// column chunk, data pages v1 of at most ``pageRowCount`` rows, compressed with
/// ``compression`` (SNAPPY by default). Numbers are DOUBLE and OPTIONAL (a NaN is written as a
/// null, as an empty CSV field would be read back), integers INT64, booleans BOOLEAN, all PLAIN;
/// strings are BYTE_ARRAY with the STRING logical type, dictionary-encoded (a PLAIN dictionary
/// page, then RLE_DICTIONARY pages of bit-packed / run-length indices). Every chunk carries
/// statistics (`min_value`, `max_value` in the type's order, `null_count`), and the footer
/// declares the type-defined column order so that readers trust them.
///
///     var writer = ParquetWriter()
///     writer.rowGroupSize = 500_000
///     try writer.write([.init("score", .doubles(scores)), .init("group", .categories(groups))],
///                      to: "out.parquet")
///
/// The file is written atomically (``AtomicFileWriter``): a failure leaves no output.
///
/// Corresponds to `pyarrow.parquet.write_table(table, path, compression="snappy")` for these
/// types (the byte layout differs; the values and types read back are equal).
///
/// - Complexity: O(rows × columns) time; memory for one column chunk at a time besides the
///   input.
public struct ParquetWriter: Sendable {
  /// The values of one column.
  public enum Values: Sendable, Equatable {
    /// DOUBLE, OPTIONAL: NaN is written as null.
    case doubles([Double])
    /// INT64, REQUIRED.
    case integers([Int64])
    /// BOOLEAN, REQUIRED.
    case booleans([Bool])
    /// BYTE_ARRAY (STRING), REQUIRED, dictionary-encoded: row `i` is `levels[codes[i]]`.
    case categories(CategoricalColumn)

    var count: Int {
      switch self {
      case .doubles(let v): return v.count
      case .integers(let v): return v.count
      case .booleans(let v): return v.count
      case .categories(let c): return c.codes.count
      }
    }
  }

  /// A named column.
  public struct OutputColumn: Sendable, Equatable {
    public var name: String
    public var values: Values

    public init(_ name: String, _ values: Values) {
      self.name = name
      self.values = values
    }

    /// A column read by a ``TableSource`` written back: numbers as doubles, labels as integers
    /// 0/1 when their classes are spelled `0`/`1` (else as their spellings), categories as
    /// strings.
    public init(_ name: String, from column: Column) {
      self.name = name
      switch column {
      case .numbers(let v): values = .doubles(v)
      case .categories(let c): values = .categories(c)
      case .labels(let l):
        if (l.negativeName ?? "0") == "0" && (l.positiveName ?? "1") == "1" {
          values = .integers(l.values.map { Int64($0) })
        } else {
          values = .categories(
            CategoricalColumn(
              codes: l.values.map { Int32($0) },
              levels: [l.negativeName ?? "0", l.positiveName ?? "1"]))
        }
      }
    }
  }

  /// The page compression.
  public enum Compression: Sendable, Equatable {
    case uncompressed
    case snappy
  }

  /// Rows per row group (pyarrow: `row_group_size`).
  public var rowGroupSize = 1 << 20
  /// Rows per data page.
  public var pageRowCount = 1 << 17
  public var compression = Compression.snappy

  public init() {}

  /// Writes `columns` (all of one length, at least one row) to `path`.
  ///
  /// - Throws: ``BiasKitError`` for columns of different lengths, no columns, duplicate names,
  ///   a category code outside its levels, or a file that cannot be written.
  public func write(_ columns: [OutputColumn], to path: String) throws {
    let bytes = try encoded(columns)
    try AtomicFileWriter.write(bytes, to: path)
  }

  /// The bytes of the Parquet file holding `columns`.
  func encoded(_ columns: [OutputColumn]) throws -> [UInt8] {
    guard let first = columns.first else {
      throw BiasKitError(.invalidArgument, "a Parquet file needs at least one column")
    }
    let rows = first.values.count
    var names: Set<String> = []
    for column in columns {
      guard column.values.count == rows else {
        throw BiasKitError(
          .invalidArgument,
          "the column '\(column.name)' has \(column.values.count) rows; '\(first.name)' has \(rows)"
        )
      }
      guard names.insert(column.name).inserted else {
        throw BiasKitError(.invalidArgument, "the column '\(column.name)' is named twice")
      }
      if case .categories(let c) = column.values,
        let bad = c.codes.first(where: { $0 < 0 || Int($0) >= c.levels.count })
      {
        throw BiasKitError(
          .invalidArgument,
          "the column '\(column.name)' has code \(bad) for \(c.levels.count) levels")
      }
    }
    guard rowGroupSize > 0, pageRowCount > 0 else {
      throw BiasKitError(.invalidArgument, "row groups and pages must hold at least one row")
    }
    var file: [UInt8] = Array("PAR1".utf8)
    var groups: [[UInt8]] = []  // each row group's Thrift RowGroup struct body
    var start = 0
    var ordinal: Int16 = 0
    repeat {
      let end = min(rows, start + rowGroupSize)
      var chunks: [ChunkMetadata] = []
      for column in columns {
        chunks.append(writeChunk(column, rows: start..<end, into: &file))
      }
      groups.append(rowGroupStruct(chunks, rows: end - start, ordinal: ordinal))
      ordinal &+= 1
      start = end
    } while start < rows
    let footer = fileMetadata(columns, rows: rows, rowGroups: groups)
    file.append(contentsOf: footer)
    withUnsafeBytes(of: UInt32(footer.count).littleEndian) { file.append(contentsOf: $0) }
    file.append(contentsOf: Array("PAR1".utf8))
    return file
  }

  // MARK: Column chunks

  private struct ChunkMetadata {
    var name: String
    var type: ParquetPhysicalType
    var encodings: [ParquetEncoding]
    var valueCount: Int
    var uncompressedSize: Int
    var compressedSize: Int
    var dataPageOffset: Int
    var dictionaryPageOffset: Int?
    var statistics: ParquetStatistics
  }

  private var codec: Int32 { compression == .snappy ? 1 : 0 }

  /// Appends one page (header and compressed body) to `file`; returns (uncompressed,
  /// compressed) bytes including the header.
  private func appendPage(
    _ body: [UInt8], into file: inout [UInt8],
    header: (inout ThriftCompactWriter, _ uncompressed: Int32, _ compressed: Int32) -> Void
  ) -> (Int, Int) {
    let stored = compression == .snappy ? body.withUnsafeBytes { Snappy.compress($0) } : body
    var w = ThriftCompactWriter()
    header(&w, Int32(body.count), Int32(stored.count))
    let headerBytes = w.finish()
    file.append(contentsOf: headerBytes)
    file.append(contentsOf: stored)
    return (headerBytes.count + body.count, headerBytes.count + stored.count)
  }

  private func dataPageHeader(
    _ w: inout ThriftCompactWriter, uncompressed: Int32, compressed: Int32, values: Int,
    encoding: ParquetEncoding
  ) {
    w.i32(1, ParquetPageHeader.dataPage)
    w.i32(2, uncompressed)
    w.i32(3, compressed)
    w.structure(5) { h in
      h.i32(1, Int32(values))
      h.i32(2, encoding.rawValue)
      h.i32(3, ParquetEncoding.rle.rawValue)
      h.i32(4, ParquetEncoding.rle.rawValue)
    }
  }

  private func writeChunk(
    _ column: OutputColumn, rows: Range<Int>, into file: inout [UInt8]
  )
    -> ChunkMetadata
  {
    let chunkStart = file.count
    var uncompressed = 0
    var compressed = 0
    var dictionaryOffset: Int? = nil
    var firstDataPage: Int? = nil
    var statistics = ParquetStatistics(nullCount: 0)
    var encodings: [ParquetEncoding] = [.plain, .rle]
    let type: ParquetPhysicalType
    switch column.values {
    case .doubles(let values):
      type = .double
      var minimum = Double.infinity
      var maximum = -Double.infinity
      var nulls = 0
      for i in rows {
        let v = values[i]
        if v.isNaN {
          nulls += 1
        } else {
          minimum = Swift.min(minimum, v)
          maximum = Swift.max(maximum, v)
        }
      }
      statistics.nullCount = Int64(nulls)
      if nulls < rows.count {
        // Zeros: -0.0 as the minimum and +0.0 as the maximum (parquet-format's rule).
        if minimum == 0 { minimum = -0.0 }
        if maximum == 0 { maximum = 0.0 }
        statistics.minimum = ParquetWriter.littleEndian(minimum.bitPattern)
        statistics.maximum = ParquetWriter.littleEndian(maximum.bitPattern)
      }
      for page in pages(rows) {
        var levels = [UInt8](repeating: 1, count: page.count)
        var body: [UInt8] = []
        body.reserveCapacity(page.count * 8 + 16)
        var present = 0
        for (k, i) in page.enumerated() {
          if values[i].isNaN {
            levels[k] = 0
          } else {
            present += 1
          }
        }
        let encodedLevels = RLEHybridEncoder.encode(levels.map { UInt32($0) }, bitWidth: 1)
        withUnsafeBytes(of: UInt32(encodedLevels.count).littleEndian) {
          body.append(contentsOf: $0)
        }
        body.append(contentsOf: encodedLevels)
        if present == page.count {
          values[page].withUnsafeBytes { body.append(contentsOf: $0) }
        } else {
          for i in page where !values[i].isNaN {
            withUnsafeBytes(of: values[i].bitPattern.littleEndian) { body.append(contentsOf: $0) }
          }
        }
        let (u, c) = appendPage(body, into: &file) { w, uncompressed, compressed in
          dataPageHeader(
            &w, uncompressed: uncompressed, compressed: compressed, values: page.count,
            encoding: .plain)
        }
        uncompressed += u
        compressed += c
      }
    case .integers(let values):
      type = .int64
      if let minimum = values[rows].min(), let maximum = values[rows].max() {
        statistics.minimum = ParquetWriter.littleEndian(UInt64(bitPattern: minimum))
        statistics.maximum = ParquetWriter.littleEndian(UInt64(bitPattern: maximum))
      }
      for page in pages(rows) {
        let body = values[page].withUnsafeBytes { Array($0) }
        let (u, c) = appendPage(body, into: &file) { w, uncompressed, compressed in
          dataPageHeader(
            &w, uncompressed: uncompressed, compressed: compressed, values: page.count,
            encoding: .plain)
        }
        uncompressed += u
        compressed += c
      }
    case .booleans(let values):
      type = .boolean
      if !rows.isEmpty {
        let anyTrue = values[rows].contains(true)
        let anyFalse = values[rows].contains(false)
        statistics.minimum = [anyFalse ? 0 : 1]
        statistics.maximum = [anyTrue ? 1 : 0]
      }
      for page in pages(rows) {
        var body = [UInt8](repeating: 0, count: (page.count + 7) / 8)
        for (k, i) in page.enumerated() where values[i] { body[k >> 3] |= 1 << UInt8(k & 7) }
        let (u, c) = appendPage(body, into: &file) { w, uncompressed, compressed in
          dataPageHeader(
            &w, uncompressed: uncompressed, compressed: compressed, values: page.count,
            encoding: .plain)
        }
        uncompressed += u
        compressed += c
      }
    case .categories(let column):
      type = .byteArray
      encodings = [.plain, .rle, .rleDictionary]
      // The dictionary holds the levels this row group uses, in order of first use.
      var entry = [Int32](repeating: -1, count: column.levels.count)
      var used: [Int32] = []
      for i in rows where entry[Int(column.codes[i])] < 0 {
        entry[Int(column.codes[i])] = Int32(used.count)
        used.append(column.codes[i])
      }
      let levelBytes = used.map { Array(column.levels[Int($0)].utf8) }
      if let minimum = levelBytes.min(by: { $0.lexicographicallyPrecedes($1) }),
        let maximum = levelBytes.max(by: { $0.lexicographicallyPrecedes($1) })
      {
        statistics.minimum = minimum
        statistics.maximum = maximum
      }
      var dictionary: [UInt8] = []
      for bytes in levelBytes {
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { dictionary.append(contentsOf: $0) }
        dictionary.append(contentsOf: bytes)
      }
      dictionaryOffset = file.count
      let (du, dc) = appendPage(dictionary, into: &file) { w, uncompressed, compressed in
        w.i32(1, ParquetPageHeader.dictionaryPage)
        w.i32(2, uncompressed)
        w.i32(3, compressed)
        w.structure(7) { h in
          h.i32(1, Int32(levelBytes.count))
          h.i32(2, ParquetEncoding.plain.rawValue)
          h.bool(3, false)
        }
      }
      uncompressed += du
      compressed += dc
      let width = max(1, RLEHybrid.bitWidth(of: max(0, used.count - 1)))
      firstDataPage = file.count
      for page in pages(rows) {
        let indices = page.map { UInt32(entry[Int(column.codes[$0])]) }
        var body: [UInt8] = [UInt8(width)]
        body.append(contentsOf: RLEHybridEncoder.encode(indices, bitWidth: width))
        let (u, c) = appendPage(body, into: &file) { w, uncompressed, compressed in
          dataPageHeader(
            &w, uncompressed: uncompressed, compressed: compressed, values: page.count,
            encoding: .rleDictionary)
        }
        uncompressed += u
        compressed += c
      }
    }
    return ChunkMetadata(
      name: column.name, type: type, encodings: encodings, valueCount: rows.count,
      uncompressedSize: uncompressed, compressedSize: compressed,
      dataPageOffset: firstDataPage ?? chunkStart,
      dictionaryPageOffset: dictionaryOffset, statistics: statistics)
  }

  /// The page row ranges of `rows`.
  private func pages(_ rows: Range<Int>) -> [Range<Int>] {
    stride(from: rows.lowerBound, to: rows.upperBound, by: pageRowCount).map {
      $0..<min(rows.upperBound, $0 + pageRowCount)
    }
  }

  static func littleEndian(_ v: UInt64) -> [UInt8] {
    withUnsafeBytes(of: v.littleEndian) { Array($0) }
  }

  // MARK: Metadata

  private func rowGroupStruct(_ chunks: [ChunkMetadata], rows: Int, ordinal: Int16) -> [UInt8] {
    var w = ThriftCompactWriter()
    w.list(1, .structure, count: chunks.count) { w in
      for chunk in chunks {
        w.beginStruct()
        w.i64(2, Int64(chunk.dictionaryPageOffset ?? chunk.dataPageOffset))
        w.structure(3) { m in
          m.i32(1, chunk.type.rawValue)
          m.i32List(2, chunk.encodings.map(\.rawValue))
          m.stringList(3, [chunk.name])
          m.i32(4, codec)
          m.i64(5, Int64(chunk.valueCount))
          m.i64(6, Int64(chunk.uncompressedSize))
          m.i64(7, Int64(chunk.compressedSize))
          m.i64(9, Int64(chunk.dataPageOffset))
          if let d = chunk.dictionaryPageOffset { m.i64(11, Int64(d)) }
          m.structure(12) { s in
            if let n = chunk.statistics.nullCount { s.i64(3, n) }
            if let v = chunk.statistics.maximum { s.binary(5, v) }
            if let v = chunk.statistics.minimum { s.binary(6, v) }
          }
        }
        w.endStruct()
      }
    }
    let total = chunks.reduce(0) { $0 + $1.uncompressedSize }
    let compressed = chunks.reduce(0) { $0 + $1.compressedSize }
    w.i64(2, Int64(total))
    w.i64(3, Int64(rows))
    if let first = chunks.first {
      w.i64(5, Int64(first.dictionaryPageOffset ?? first.dataPageOffset))
    }
    w.i64(6, Int64(compressed))
    w.fieldHeader(7, .i16)
    w.zigzag(Int64(ordinal))
    return w.finish()
  }

  private func fileMetadata(_ columns: [OutputColumn], rows: Int, rowGroups: [[UInt8]]) -> [UInt8] {
    var w = ThriftCompactWriter()
    w.i32(1, 2)
    w.list(2, .structure, count: columns.count + 1) { w in
      w.beginStruct()
      w.string(4, "schema")
      w.i32(5, Int32(columns.count))
      w.endStruct()
      for column in columns {
        w.beginStruct()
        switch column.values {
        case .doubles:
          w.i32(1, ParquetPhysicalType.double.rawValue)
          w.i32(3, 1)  // OPTIONAL
          w.string(4, column.name)
        case .integers:
          w.i32(1, ParquetPhysicalType.int64.rawValue)
          w.i32(3, 0)
          w.string(4, column.name)
        case .booleans:
          w.i32(1, ParquetPhysicalType.boolean.rawValue)
          w.i32(3, 0)
          w.string(4, column.name)
        case .categories:
          w.i32(1, ParquetPhysicalType.byteArray.rawValue)
          w.i32(3, 0)
          w.string(4, column.name)
          w.i32(6, 0)  // converted type UTF8
          w.structure(10) { l in l.structure(1) { _ in } }  // logical type STRING
        }
        w.endStruct()
      }
    }
    w.i64(3, Int64(rows))
    w.list(4, .structure, count: rowGroups.count) { w in
      for group in rowGroups {
        // Each group was written as a complete struct (fields and stop byte).
        w.appendRaw(group)
      }
    }
    w.string(6, "BiasKit (Parquet writer 1)")
    // Type-defined order for every column, so min_value/max_value are trusted.
    w.list(7, .structure, count: columns.count) { w in
      for _ in columns {
        w.beginStruct()
        w.structure(1) { _ in }
        w.endStruct()
      }
    }
    return w.finish()
  }
}

/// The RLE / bit-packing hybrid encoder (the inverse of ``RLEHybrid``): runs of at least eight
/// equal values become RLE runs, the rest bit-packed groups of eight (at most 63 groups per
/// run, as parquet-mr writes them).
enum RLEHybridEncoder {
  static func encode(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
    var out: [UInt8] = []
    let n = values.count
    let valueBytes = (bitWidth + 7) / 8
    func varint(_ v: Int) {
      var v = v
      while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
      }
      out.append(UInt8(v))
    }
    var literals: [UInt32] = []
    func flushLiterals() {
      guard !literals.isEmpty else { return }
      var k = 0
      while k < literals.count {
        let groups = min(63, (literals.count - k + 7) / 8)
        varint(groups << 1 | 1)
        var buffer: UInt64 = 0
        var bits = 0
        for j in 0..<(groups * 8) {
          let v = k + j < literals.count ? UInt64(literals[k + j]) : 0
          buffer |= v << UInt64(bits)
          bits += bitWidth
          while bits >= 8 {
            out.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            bits -= 8
          }
        }
        k += groups * 8
      }
      literals.removeAll(keepingCapacity: true)
    }
    var i = 0
    while i < n {
      var run = 1
      while i + run < n, values[i + run] == values[i] { run += 1 }
      if run >= 8 && literals.count % 8 == 0 {
        flushLiterals()
        varint(run << 1)
        for k in 0..<valueBytes {
          out.append(UInt8(truncatingIfNeeded: values[i] >> (8 * UInt32(k))))
        }
        i += run
      } else {
        // Fill literals up to the next multiple of eight (or take the run into them).
        let take = literals.count % 8 == 0 ? min(run, 8) : min(run, 8 - literals.count % 8)
        for _ in 0..<take { literals.append(values[i]) }
        i += take
      }
    }
    flushLiterals()
    return out
  }
}
