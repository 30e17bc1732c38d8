import Foundation

/// Reads chosen columns of an Arrow IPC file (Feather v2: `.arrow`, `.feather`) into typed
/// columns, with the semantics ``CSVReader`` gives them.
///
/// The file format (Arrow `Columnar.rst`, "IPC File Format"): the magic `ARROW1`, the
/// encapsulated messages (a schema, dictionary batches, record batches: each a FlatBuffers
/// `Message` and a body of buffers), a FlatBuffers `Footer` locating every batch (parsed by hand,
/// ``FlatBuffer``), its length and the magic again. Buffers may be compressed one by one
/// (`BodyCompression`: LZ4_FRAME or ZSTD, each prefixed by its uncompressed length, -1 for
/// stored). Each (record batch, column) is decoded as one task on its own core, straight into
/// its rows of the output; the result does not depend on the number of cores.
///
/// Types: Int (8…64 bits, signed or not), FloatingPoint (half, single, double), Bool, Decimal
/// (32, 64, 128, 256 bits, as doubles), Utf8 / Binary (and large), FixedSizeBinary, Date, Time,
/// Timestamp, Duration (their stored integers), Null (all missing), and dictionary-encoded
/// columns of these (category codes straight from the dictionary). Nested types, views and
/// intervals are refused, naming the column. Validity bitmaps are nulls, read as missing values
/// exactly as empty CSV fields are.
///
/// Corresponds to `pyarrow.feather.read_table(path, columns=…)` followed by the CSV typing.
///
/// - Complexity: O(bytes of the requested buffers + rows × requested columns).
public struct ArrowReader: Sendable {
  public let path: String
  public let columnNames: [String]
  public let rowCount: Int
  /// The rows of each record batch.
  public let batchRowCounts: [Int]

  private let file: MappedFile
  private let schema: ArrowSchema
  private let batches: [Batch]
  private let dictionaryBatches: [(id: Int64, isDelta: Bool, batch: Batch)]

  /// The file extensions read as Arrow IPC.
  public static let fileExtensions = ["arrow", "feather", "ipc"]

  /// A record batch: its nodes and buffers, and where its body is.
  struct Batch: @unchecked Sendable {
    var length: Int
    var nodes: [(length: Int64, nullCount: Int64)]
    var buffers: [(offset: Int64, length: Int64)]
    var body: UnsafeRawBufferPointer
    var codec: CompressionCodec?
  }

  public init(path: String) throws {
    self.path = path
    file = try MappedFile(path: path)
    let bytes = UnsafeRawBufferPointer(file.bytes)
    let size = bytes.count
    let magic = Array("ARROW1".utf8)
    guard size >= 18 else {
      throw BiasKitError.notArrow(path, "it has \(size) bytes; an Arrow file has at least 18")
    }
    guard Array(bytes[0..<6]) == magic else {
      throw BiasKitError.notArrow(path, "it does not start with the magic 'ARROW1'")
    }
    guard Array(bytes[(size - 6)..<size]) == magic else {
      throw BiasKitError.notArrow(
        path, "it does not end with the magic 'ARROW1' (the file is truncated, or an IPC stream)")
    }
    let footerLength = Int(
      bytes.loadUnaligned(fromByteOffset: size - 10, as: Int32.self).littleEndian)
    guard footerLength > 0, footerLength <= size - 18 else {
      throw BiasKitError.notArrow(
        path, "its footer length \(footerLength) is beyond the file (\(size) bytes)")
    }
    let footerStart = size - 10 - footerLength
    let dataRange = 8..<footerStart
    do {
      let footer = try FlatBuffer(
        bytes: UnsafeRawBufferPointer(rebasing: bytes[footerStart..<(size - 10)])
      ).root()
      guard let schemaTable = try footer.table(1) else {
        throw FlatBufferFailure("the footer has no schema")
      }
      schema = try ArrowSchema(schemaTable)
      func blocks(_ index: Int) throws -> [(offset: Int64, metadata: Int32, body: Int64)] {
        guard let (start, count) = try footer.vector(index, elementSize: 24) else { return [] }
        return try (0..<count).map { k in
          let at = start + 24 * k
          return (
            try footer.buffer.load(at, as: Int64.self),
            try footer.buffer.load(at + 8, as: Int32.self),
            try footer.buffer.load(at + 16, as: Int64.self)
          )
        }
      }
      var batches: [Batch] = []
      for (k, block) in try blocks(3).enumerated() {
        let (type, header, body) = try ArrowReader.message(
          block, bytes: bytes, data: dataRange, what: "record batch \(k)")
        guard type == 3 else {
          throw FlatBufferFailure("record batch \(k) is a message of type \(type)")
        }
        batches.append(try ArrowReader.batch(header, body: body, what: "record batch \(k)"))
      }
      var dictionaries: [(Int64, Bool, Batch)] = []
      for (k, block) in try blocks(2).enumerated() {
        let (type, header, body) = try ArrowReader.message(
          block, bytes: bytes, data: dataRange, what: "dictionary \(k)")
        guard type == 2 else {
          throw FlatBufferFailure("dictionary \(k) is a message of type \(type)")
        }
        guard let data = try header.table(1) else {
          throw FlatBufferFailure("dictionary \(k) has no data")
        }
        dictionaries.append(
          (
            try header.scalar(0, default: Int64(0)), try header.bool(2),
            try ArrowReader.batch(data, body: body, what: "dictionary \(k)")
          ))
      }
      self.batches = batches
      dictionaryBatches = dictionaries.map { (id: $0.0, isDelta: $0.1, batch: $0.2) }
    } catch let failure as FlatBufferFailure {
      throw BiasKitError.malformedArrow(path, failure.reason)
    }
    columnNames = schema.fields.map(\.name)
    let maximumRows = max(1 << 24, size.multipliedReportingOverflow(by: 1 << 14).partialValue)
    var total = 0
    for (k, batch) in batches.enumerated() {
      guard batch.length >= 0, batch.length <= maximumRows - total else {
        throw BiasKitError.malformedArrow(
          path,
          "record batch \(k) declares \(batch.length) rows, more than a file of \(size) bytes can hold"
        )
      }
      total += batch.length
    }
    batchRowCounts = batches.map(\.length)
    rowCount = total
  }

  /// The message of `block`: its header type, header table and body.
  private static func message(
    _ block: (offset: Int64, metadata: Int32, body: Int64), bytes: UnsafeRawBufferPointer,
    data: Range<Int>, what: String
  ) throws -> (UInt8, FlatTable, UnsafeRawBufferPointer) {
    let offset = block.offset
    let metadata = Int64(block.metadata)
    guard offset >= Int64(data.lowerBound), metadata >= 8, block.body >= 0,
      offset <= Int64(data.upperBound) - metadata,
      block.body <= Int64(data.upperBound) - offset - metadata
    else {
      throw FlatBufferFailure(
        "\(what) lies outside the file's data (offset \(offset), \(metadata) + \(block.body) bytes)"
      )
    }
    let start = Int(offset)
    var flatStart = start + 4
    var length = Int(bytes.loadUnaligned(fromByteOffset: start, as: Int32.self).littleEndian)
    if length == -1 {  // the continuation marker of the current format
      flatStart = start + 8
      length = Int(bytes.loadUnaligned(fromByteOffset: start + 4, as: Int32.self).littleEndian)
    }
    guard length > 0, flatStart + length <= start + Int(metadata) else {
      throw FlatBufferFailure("\(what)'s metadata length \(length) exceeds its block")
    }
    let message = try FlatBuffer(
      bytes: UnsafeRawBufferPointer(rebasing: bytes[flatStart..<(flatStart + length)])
    ).root()
    let type: UInt8 = try message.scalar(1, default: 0)
    guard let header = try message.table(2) else {
      throw FlatBufferFailure("\(what) has no header")
    }
    let bodyStart = start + Int(metadata)
    return (
      type, header,
      UnsafeRawBufferPointer(rebasing: bytes[bodyStart..<(bodyStart + Int(block.body))])
    )
  }

  private static func batch(
    _ table: FlatTable, body: UnsafeRawBufferPointer, what: String
  ) throws -> Batch {
    let length: Int64 = try table.scalar(0, default: 0)
    guard length >= 0, length <= Int64(Int32.max) * 16 else {
      throw FlatBufferFailure("\(what) declares \(length) rows")
    }
    var nodes: [(Int64, Int64)] = []
    if let (start, count) = try table.vector(1, elementSize: 16) {
      for k in 0..<count {
        nodes.append(
          (
            try table.buffer.load(start + 16 * k, as: Int64.self),
            try table.buffer.load(start + 16 * k + 8, as: Int64.self)
          ))
      }
    }
    var buffers: [(Int64, Int64)] = []
    if let (start, count) = try table.vector(2, elementSize: 16) {
      for k in 0..<count {
        let offset = try table.buffer.load(start + 16 * k, as: Int64.self)
        let size = try table.buffer.load(start + 16 * k + 8, as: Int64.self)
        guard offset >= 0, size >= 0, offset <= Int64(body.count) - size else {
          throw FlatBufferFailure(
            "\(what)'s buffer \(k) (offset \(offset), \(size) bytes) lies outside its \(body.count)-byte body"
          )
        }
        buffers.append((offset, size))
      }
    }
    var codec: CompressionCodec? = nil
    if let compression = try table.table(3) {
      let code: Int8 = try compression.scalar(0, default: 0)
      switch code {
      case 0: codec = .lz4Frame
      case 1: codec = .zstd
      default: throw FlatBufferFailure("\(what) uses unknown compression \(code)")
      }
    }
    return Batch(
      length: Int(length), nodes: nodes.map { (length: $0.0, nullCount: $0.1) },
      buffers: buffers.map { (offset: $0.0, length: $0.1) }, body: body, codec: codec)
  }

  /// Reads the requested columns, calling `progress` with the fraction decoded.
  public func read(
    _ requests: [ColumnRequest], progress: (@Sendable (Double) -> Void)?
  ) throws -> Table {
    if batches.isEmpty { throw BiasKitError.noDataRows(path) }
    // The dictionaries of the requested dictionary-encoded columns, decoded once.
    var dictionaries: [Int64: ArrowDictionary] = [:]
    for request in requests {
      guard let field = schema.fields.first(where: { $0.name == request.name }),
        field.refusal == nil, let id = field.dictionaryID, dictionaries[id] == nil
      else { continue }
      var dictionary = ArrowDictionary(field: field)
      for entry in dictionaryBatches where entry.id == id {
        if !entry.isDelta { dictionary = ArrowDictionary(field: field) }
        if let problem = dictionary.append(entry.batch) {
          throw BiasKitError.malformedArrow(
            path, "the dictionary of column '\(field.name)': \(problem)")
        }
      }
      dictionaries[id] = dictionary
    }
    let columns = schema.fields.map {
      ColumnarTableRead.FileColumn(name: $0.name, kind: $0.kind, refusal: $0.refusal)
    }
    // Each top-level field's first node and buffer in every batch.
    var nodeStart: [Int] = []
    var bufferStart: [Int] = []
    var node = 0
    var buffer = 0
    for field in schema.fields {
      nodeStart.append(node)
      bufferStart.append(buffer)
      node += field.nodeCount
      buffer += field.bufferCount
    }
    let hasViews = schema.fields.contains { $0.viewFields > 0 }
    return try ColumnarTableRead.read(
      path: path, partName: "record batch", columns: columns, partRowCounts: batchRowCounts,
      requests: requests, progress: progress,
      cost: { b, index in batchRowCounts[b] * max(1, schema.fields[index].width) },
      decode: { b, index, target in
        let field = schema.fields[index]
        let batch = batches[b]
        if hasViews {
          return ParquetFailure(
            rowGroup: b, page: nil, row: nil,
            kind: .malformed("the file has string or binary view columns, which are not supported"))
        }
        guard nodeStart[index] < batch.nodes.count,
          bufferStart[index] + field.bufferCount <= batch.buffers.count
        else {
          return ParquetFailure(
            rowGroup: b, page: nil, row: nil,
            kind: .malformed(
              "the record batch has fewer field nodes or buffers than its schema needs"))
        }
        var column = ArrowColumnDecoder(
          field: field, batch: batch, node: nodeStart[index], firstBuffer: bufferStart[index])
        do {
          if let id = field.dictionaryID {
            try dictionaries[id]?.withBatch { try target.setDictionary($0) }
          }
          try column.decode(into: &target)
          return nil
        } catch let failure as ValueFailure {
          return ParquetFailure(
            rowGroup: b, page: nil, row: failure.row, kind: .value(failure.kind))
        } catch let failure as DecompressionFailure {
          return ParquetFailure(rowGroup: b, page: nil, row: nil, kind: .malformed(failure.reason))
        } catch let failure as EncodingFailure {
          return ParquetFailure(rowGroup: b, page: nil, row: nil, kind: .malformed(failure.reason))
        } catch {
          return ParquetFailure(rowGroup: b, page: nil, row: nil, kind: .malformed("\(error)"))
        }
      })
  }
}

extension TableFormat {
  /// Arrow IPC files, Feather v2 (`.arrow`, `.feather`, `.ipc`).
  public static let arrow = TableFormat(rawValue: "arrow")
}

extension ArrowReader: FileTableSource {
  public static var format: TableFormat { .arrow }
  /// The path, as the user gave it.
  public var name: String { path }

  /// Opens `path` (options are for delimited text; Arrow has none).
  public init(path: String, options: TableReadOptions) throws { try self.init(path: path) }

  /// Where data row `row` (0-based, of the whole file) of `column` is.
  public func location(row: Int, column: String) -> SourceLocation {
    SourceLocation(file: path, position: .row(row), columnName: column)
  }
}

extension BiasKitError {
  static func notArrow(_ path: String, _ reason: String) -> BiasKitError {
    BiasKitError(.malformedInput, "\(path): not an Arrow IPC (Feather v2) file: \(reason)")
  }
  static func malformedArrow(_ path: String, _ reason: String) -> BiasKitError {
    BiasKitError(.malformedInput, "\(path): the Arrow metadata is malformed: \(reason)")
  }
}
