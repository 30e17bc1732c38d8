import Foundation

/// Reads chosen columns of a Parquet file into typed columns.
///
/// The file is memory-mapped; the footer (`4-byte length`, `PAR1`) is decoded once
/// (``ParquetFileMetadata``); a read touches only the column chunks of the requested columns
/// (column projection), and decodes each (row group, column) pair as one task on its own core
/// (`DispatchQueue.concurrentPerform`), writing straight into its rows of the output, so the
/// result does not depend on the number of cores. Pages are decompressed (UNCOMPRESSED, SNAPPY,
/// GZIP, ZSTD, LZ4_RAW, LZ4) and decoded (PLAIN, RLE_DICTIONARY / PLAIN_DICTIONARY, RLE,
/// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; data pages
/// v1 and v2) into the typed columns of ``ColumnRequest`` with the semantics ``CSVReader`` gives
/// them (``ColumnarTarget``): nulls are missing values as empty CSV fields are,
/// dictionary-encoded strings become category codes straight from the dictionary.
///
///     let reader = try ParquetReader(path: "predictions.parquet")
///     let table = try reader.read([.label("y_true"), .label("y_pred"), .category("sex")])
///
/// Physical types BOOLEAN, INT32, INT64, FLOAT, DOUBLE, BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY, with
/// the logical types INT(bits, signed), DECIMAL (as doubles, correctly rounded), STRING / ENUM /
/// JSON, FLOAT16, DATE / TIME / TIMESTAMP (their stored integers). INT96 and nested columns
/// (groups, repeated fields) are refused, naming the column.
///
/// Bad input (a truncated file, a wrong magic, a footer length beyond the file, malformed Thrift,
/// a chunk offset outside the file, a page whose sizes lie, an RLE run overflowing its page, a
/// dictionary index out of range, a file with no row groups) is one ``BiasKitError`` naming the
/// file and, where there is one, the row group, column, page and row; never a trap.
///
/// Corresponds to `pyarrow.parquet.read_table(path, columns=…)` followed by the CSV typing.
///
/// - Complexity: O(bytes of the requested chunks + rows × requested columns) time; memory is
///   the output columns plus a few page buffers per core (the mapped chunks are released as they
///   are decoded).
public struct ParquetReader: Sendable {
  /// The path as the user gave it (used in messages).
  public let path: String
  /// The top-level column names, in file order.
  public let columnNames: [String]
  /// The number of rows (the sum of the row groups').
  public let rowCount: Int
  /// The rows of each row group.
  public let rowGroupRowCounts: [Int]

  let metadata: ParquetFileMetadata
  let schema: ParquetSchema
  private let file: MappedFile
  private let dataRange: Range<Int>
  private let rowGroupStarts: [Int]

  /// The file extensions read as Parquet.
  public static let fileExtensions = ["parquet", "parq", "pq"]

  /// Opens `path` and decodes its footer.
  ///
  /// - Throws: ``BiasKitError`` when the file is missing or unreadable, is not Parquet, or its
  ///   footer is malformed or describes data outside the file.
  public init(path: String) throws {
    self.path = path
    file = try MappedFile(path: path)
    let bytes = UnsafeRawBufferPointer(file.bytes)
    let size = bytes.count
    func magic(at offset: Int) -> String {
      String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
    }
    guard size >= 12 else {
      throw BiasKitError.notParquet(
        path,
        "it has \(size) bytes; the smallest Parquet file has 12 (two magics and a footer length)")
    }
    guard magic(at: 0) == "PAR1" else {
      throw BiasKitError.notParquet(path, "it does not start with the magic 'PAR1'")
    }
    if magic(at: size - 4) == "PARE" {
      throw BiasKitError.notParquet(path, "its footer is encrypted, which is not supported")
    }
    guard magic(at: size - 4) == "PAR1" else {
      throw BiasKitError.notParquet(
        path, "it does not end with the magic 'PAR1' (the file is truncated or not Parquet)")
    }
    let footerLength = Int(
      bytes.loadUnaligned(fromByteOffset: size - 8, as: UInt32.self).littleEndian)
    guard footerLength <= size - 12 else {
      throw BiasKitError.notParquet(
        path, "its footer length \(footerLength) is beyond the file (\(size) bytes)")
    }
    let footerStart = size - 8 - footerLength
    dataRange = 4..<footerStart
    do {
      metadata = try ParquetFileMetadata(
        decoding: UnsafeRawBufferPointer(rebasing: bytes[footerStart..<(size - 8)]))
      schema = try ParquetSchema(metadata.schema)
    } catch let failure as ThriftFailure {
      throw BiasKitError.malformedFooter(path, failure)
    }
    columnNames = schema.columns.map(\.name)
    if metadata.rowGroups.isEmpty { throw BiasKitError.noRowGroups(path) }
    // A row count no file of this size could hold (RLE runs of nulls are the densest data: a
    // few bytes per million rows) is refused before memory is reserved for it.
    let maximumRows = max(1 << 24, size.multipliedReportingOverflow(by: 1 << 14).partialValue)
    var starts: [Int] = []
    var counts: [Int] = []
    var total = 0
    for (r, group) in metadata.rowGroups.enumerated() {
      guard group.rowCount >= 0, group.rowCount <= Int64(maximumRows - total) else {
        throw BiasKitError.malformedParquet(
          ColumnarLocation(file: path, part: r),
          "the row group declares \(group.rowCount) rows, more than a file of \(size) bytes can hold"
        )
      }
      guard group.columns.count == schema.leafCount else {
        throw BiasKitError.malformedParquet(
          ColumnarLocation(file: path, part: r),
          "the row group has \(group.columns.count) column chunks; the schema has \(schema.leafCount) leaf columns"
        )
      }
      starts.append(total)
      counts.append(Int(group.rowCount))
      total += Int(group.rowCount)
    }
    rowGroupStarts = starts
    rowGroupRowCounts = counts
    rowCount = total
  }

  /// Where data row `row` (0-based, of the whole file) is: its row group and row within it.
  public func position(ofRow row: Int) -> (rowGroup: Int, row: Int) {
    var r = 0
    while r + 1 < rowGroupStarts.count, rowGroupStarts[r + 1] <= row { r += 1 }
    return (r, row - (rowGroupStarts.isEmpty ? 0 : rowGroupStarts[r]))
  }

  /// The location of data row `row` of `column`, for messages about values found after reading.
  public func location(row: Int, column: String) -> SourceLocation {
    let (group, inner) = position(ofRow: row)
    return SourceLocation(file: path, position: .rowGroup(group, row: inner), columnName: column)
  }

  /// Reads the requested columns, calling `progress` with the fraction of the chunks decoded
  /// (from any thread).
  ///
  /// - Throws: ``BiasKitError`` for an unknown, nested or unsupported column, a column requested
  ///   as two kinds, a file without rows, and the first bad value or page (in row order).
  public func read(
    _ requests: [ColumnRequest], progress: (@Sendable (Double) -> Void)?
  ) throws -> Table {
    let bytes = UnsafeRawBufferPointer(file.bytes)
    let columns = schema.columns.map {
      ColumnarTableRead.FileColumn(name: $0.name, kind: $0.kind, refusal: $0.refusal)
    }
    return try ColumnarTableRead.read(
      path: path, partName: "row group", columns: columns, partRowCounts: rowGroupRowCounts,
      requests: requests, progress: progress,
      cost: { group, index in
        Int(
          clamping: metadata.rowGroups[group].columns[schema.columns[index].leaf].metadata?
            .totalCompressedSize ?? 0)
      },
      decode: { group, index, target in
        decode(group: group, column: schema.columns[index], into: &target, bytes: bytes)
      })
  }

  /// Decodes the chunk of `column` in row group `group` into `target`.
  private func decode(
    group: Int, column: ParquetSchema.Column, into target: inout ColumnarTarget,
    bytes: UnsafeRawBufferPointer
  ) -> ParquetFailure? {
    let rows = rowGroupRowCounts[group]
    let chunk = metadata.rowGroups[group].columns[column.leaf]
    guard let metadata = chunk.metadata, chunk.filePath == nil, !chunk.encrypted else {
      let reason =
        chunk.encrypted
        ? "the column chunk is encrypted, which is not supported"
        : chunk.filePath != nil
          ? "the column chunk is in another file ('\(chunk.filePath!)'), which is not supported"
          : "the column chunk has no metadata"
      return ParquetFailure(rowGroup: group, page: nil, row: nil, kind: .malformed(reason))
    }
    let reader = ParquetColumnChunkReader(
      file: bytes, dataRange: dataRange, column: column, metadata: metadata, rowGroup: group,
      rowCount: rows)
    var failure: ParquetFailure? = nil
    do {
      try reader.read(into: &target, scratch: ParquetScratch())
    } catch let f as ParquetFailure {
      failure = f
    } catch {
      failure = ParquetFailure(rowGroup: group, page: nil, row: nil, kind: .malformed("\(error)"))
    }
    if let range = try? ParquetColumnChunkReader.byteRange(of: metadata, dataRange: dataRange) {
      file.release(range)
    }
    return failure
  }
}

extension TableFormat {
  /// Apache Parquet (`.parquet`, `.parq`, `.pq`).
  public static let parquet = TableFormat(rawValue: "parquet")
}

extension ParquetReader: FileTableSource {
  public static var format: TableFormat { .parquet }
  /// The path, as the user gave it.
  public var name: String { path }

  /// Opens `path` (options are for delimited text; Parquet has none).
  public init(path: String, options: TableReadOptions) throws { try self.init(path: path) }
}
