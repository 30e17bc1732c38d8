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
        path, "it has \(size) bytes; the smallest Parquet file has 12 (two magics and a footer length)")
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
    let footerLength = Int(bytes.loadUnaligned(fromByteOffset: size - 8, as: UInt32.self).littleEndian)
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
  public func location(row: Int, column: String) -> String {
    let (group, inner) = position(ofRow: row)
    return ColumnarLocation(file: path, part: group, row: inner, column: column).description
  }

  /// Reads the requested columns, in request order.
  public func read(_ requests: [ColumnRequest]) throws -> CSVReader.Table {
    try read(requests, progress: nil)
  }

  /// Reads the requested columns, calling `progress` with the fraction of the chunks decoded
  /// (from any thread).
  ///
  /// - Throws: ``BiasKitError`` for an unknown, nested or unsupported column, a column requested
  ///   as two kinds, a file without rows, and the first bad value or page (in row order).
  public func read(
    _ requests: [ColumnRequest], progress: (@Sendable (Double) -> Void)?
  ) throws -> CSVReader.Table {
    // Each distinct column is read once, as one kind.
    var slots: [Int] = []  // the schema column of each slot
    var slotOf: [Int: Int] = [:]
    var slotRequests: [ColumnRequest] = []
    var requestSlot: [Int] = []
    for request in requests {
      guard let index = columnNames.firstIndex(of: request.name) else {
        throw BiasKitError.unknownColumn(request.name, in: path, available: columnNames)
      }
      let column = schema.columns[index]
      if let refusal = column.refusal {
        throw BiasKitError.unreadableColumn(column.name, in: path, refusal)
      }
      if let slot = slotOf[index] {
        if slotRequests[slot].kind != request.kind {
          throw BiasKitError.columnReadTwoWays(
            column.name, in: path, slotRequests[slot].kind, request.kind)
        }
        requestSlot.append(slot)
      } else {
        slotOf[index] = slots.count
        requestSlot.append(slots.count)
        slots.append(index)
        slotRequests.append(request)
      }
    }
    if rowCount == 0 { throw BiasKitError.noDataRows(path) }

    var numbers: [[Double]] = slotRequests.map {
      if case .number = $0.kind { return uninitializedArray(count: rowCount) }
      return []
    }
    var labels: [[UInt8]] = slotRequests.map {
      if case .label = $0.kind { return uninitializedArray(count: rowCount) }
      return []
    }
    var codes: [[Int32]] = slotRequests.map {
      if case .category = $0.kind { return uninitializedArray(count: rowCount) }
      return []
    }
    // The arrays are not resized while these pointers are in use.
    let numberOut = numbers.indices.map { k in
      numbers[k].isEmpty ? nil : numbers[k].withUnsafeMutableBufferPointer { $0.baseAddress }
    }
    let labelOut = labels.indices.map { k in
      labels[k].isEmpty ? nil : labels[k].withUnsafeMutableBufferPointer { $0.baseAddress }
    }
    let codeOut = codes.indices.map { k in
      codes[k].isEmpty ? nil : codes[k].withUnsafeMutableBufferPointer { $0.baseAddress }
    }
    let outputs = Outputs(numbers: numberOut, labels: labelOut, codes: codeOut)

    // One task per (row group, slot), the largest chunks first so the cores finish together.
    let groupCount = metadata.rowGroups.count
    var tasks: [(group: Int, slot: Int, bytes: Int)] = []
    for g in 0..<groupCount where rowGroupRowCounts[g] > 0 {
      for (s, index) in slots.enumerated() {
        let size = metadata.rowGroups[g].columns[schema.columns[index].leaf].metadata?
          .totalCompressedSize ?? 0
        tasks.append((g, s, Int(clamping: size)))
      }
    }
    let totalBytes = max(1, tasks.reduce(0) { $0 &+ max(0, $1.bytes) })
    let done = ProgressCounter(total: totalBytes)
    var results = [TaskResult?](repeating: nil, count: tasks.count)
    let bytes = UnsafeRawBufferPointer(file.bytes)
    results.withUnsafeMutableBufferPointer { results in
      DispatchQueue.concurrentPerform(iterations: tasks.count) { t in
        let task = tasks[t]
        results[t] = decode(
          group: task.group, slot: task.slot, column: schema.columns[slots[task.slot]],
          request: slotRequests[task.slot], outputs: outputs, bytes: bytes)
        if let progress { progress(done.add(max(0, task.bytes))) }
      }
    }

    // The first failure in row order (then file column order), across tasks and label merges.
    var failure: (key: [Int], error: BiasKitError)? = nil
    func consider(_ key: [Int], _ error: @autoclosure () -> BiasKitError) {
      if failure == nil || key.lexicographicallyPrecedes(failure!.key) { failure = (key, error()) }
    }
    var parts = [[ColumnarTarget.Part]](
      repeating: [ColumnarTarget.Part](repeating: .init(), count: groupCount), count: slots.count)
    for (t, task) in tasks.enumerated() {
      guard let result = results[t] else { continue }
      parts[task.slot][task.group] = result.part
      if let f = result.failure {
        let name = schema.columns[slots[task.slot]].name
        consider(
          [f.rowGroup, f.row ?? 0, slots[task.slot]],
          ParquetReader.error(f, path: path, column: name))
      }
    }
    var labelNames: [Int: (String?, String?)] = [:]
    for (s, request) in slotRequests.enumerated() {
      guard case .label(let positive) = request.kind else { continue }
      switch ColumnarMerge.labelNames(parts[s], positive: positive) {
      case .success(let names): labelNames[s] = names
      case .failure(let f):
        consider(
          [f.part, f.row, slots[s]],
          BiasKitError.columnarValue(
            ColumnarLocation(
              file: path, part: f.part, row: f.row, column: schema.columns[slots[s]].name),
            f.kind))
      }
    }
    if let failure { throw failure.error }

    var columns: [Column] = []
    for (s, request) in slotRequests.enumerated() {
      switch request.kind {
      case .number:
        columns.append(.numbers(numbers[s]))
        numbers[s] = []
      case .label:
        let names = labelNames[s] ?? (nil, nil)
        columns.append(
          .labels(LabelColumn(values: labels[s], negativeName: names.0, positiveName: names.1)))
        labels[s] = []
      case .category:
        let levels = ColumnarMerge.categories(
          parts[s], codes: codeOut[s]!, starts: rowGroupStarts, counts: rowGroupRowCounts)
        columns.append(.categories(CategoricalColumn(codes: codes[s], levels: levels)))
        codes[s] = []
      }
    }
    return CSVReader.Table(
      rowCount: rowCount, names: requests.map(\.name), columns: requestSlot.map { columns[$0] })
  }

  /// Raw output pointers, one per slot (rows of the whole file).
  private struct Outputs: @unchecked Sendable {
    var numbers: [UnsafeMutablePointer<Double>?]
    var labels: [UnsafeMutablePointer<UInt8>?]
    var codes: [UnsafeMutablePointer<Int32>?]
  }

  private struct TaskResult {
    var part: ColumnarTarget.Part
    var failure: ParquetFailure?
  }

  /// Decodes the chunk of `column` in row group `group` into its rows of the outputs.
  private func decode(
    group: Int, slot: Int, column: ParquetSchema.Column, request: ColumnRequest,
    outputs: Outputs, bytes: UnsafeRawBufferPointer
  ) -> TaskResult {
    let start = rowGroupStarts[group]
    var target = ColumnarTarget(
      request: request, kind: column.kind!, numbers: outputs.numbers[slot].map { $0 + start },
      labels: outputs.labels[slot].map { $0 + start }, codes: outputs.codes[slot].map { $0 + start })
    let rows = rowGroupRowCounts[group]
    var failure: ParquetFailure? = nil
    let chunk = metadata.rowGroups[group].columns[column.leaf]
    if let metadata = chunk.metadata, chunk.filePath == nil, !chunk.encrypted {
      let reader = ParquetColumnChunkReader(
        file: bytes, dataRange: dataRange, column: column, metadata: metadata, rowGroup: group,
        rowCount: rows)
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
    } else {
      let reason =
        chunk.encrypted
        ? "the column chunk is encrypted, which is not supported"
        : chunk.filePath != nil
          ? "the column chunk is in another file ('\(chunk.filePath!)'), which is not supported"
          : "the column chunk has no metadata"
      failure = ParquetFailure(rowGroup: group, page: nil, row: nil, kind: .malformed(reason))
    }
    return TaskResult(part: target.finish(rowCount: failure == nil ? rows : 0), failure: failure)
  }

  static func error(_ failure: ParquetFailure, path: String, column: String) -> BiasKitError {
    switch failure.kind {
    case .malformed(let reason):
      return .malformedParquet(
        ColumnarLocation(file: path, part: failure.rowGroup, column: column, page: failure.page),
        reason)
    case .value(let kind):
      switch kind {
      case .dictionaryIndex, .noDictionary:
        return .columnarValue(
          ColumnarLocation(
            file: path, part: failure.rowGroup, row: failure.row, column: column,
            page: failure.page), kind)
      default:
        return .columnarValue(
          ColumnarLocation(file: path, part: failure.rowGroup, row: failure.row, column: column),
          kind)
      }
    }
  }
}
