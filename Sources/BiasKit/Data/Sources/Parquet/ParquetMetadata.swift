/// The parts of Parquet's file metadata (the Thrift `FileMetaData` of `parquet.thrift`) that a
/// reader of flat tables needs, decoded from the footer.
///
/// Field numbers are those of `parquet.thrift` (apache/parquet-format); fields not listed here
/// (key-value metadata, column orders, encryption, indexes, bloom filters, size statistics)
/// are skipped, so files from newer writers read as long as the fields below mean what they
/// meant.
struct ParquetFileMetadata: Sendable {
  var version: Int32 = 0
  /// The schema, flattened depth-first; element 0 is the root.
  var schema: [ParquetSchemaElement] = []
  var rowCount: Int64 = 0
  var rowGroups: [ParquetRowGroup] = []
  var createdBy: String?

  /// Decodes `FileMetaData` from the footer's bytes.
  init(decoding bytes: UnsafeRawBufferPointer) throws {
    var reader = ThriftCompactReader(bytes)
    var seen: Set<Int16> = []
    try reader.readStruct { r, id, type in
      seen.insert(id)
      switch (id, type) {
      case (1, .i32): version = try r.readI32()
      case (2, .list):
        try r.readList { r, t in
          try ParquetFileMetadata.expect(t, .structure, "a schema element", r)
          schema.append(try ParquetSchemaElement(&r))
        }
      case (3, .i64): rowCount = try r.readI64()
      case (4, .list):
        try r.readList { r, t in
          try ParquetFileMetadata.expect(t, .structure, "a row group", r)
          rowGroups.append(try ParquetRowGroup(&r))
        }
      case (6, .binary): createdBy = try r.readString()
      default: return false
      }
      return true
    }
    for (id, name) in [(2, "schema"), (3, "num_rows"), (4, "row_groups")]
    where !seen.contains(Int16(id)) {
      throw ThriftFailure(offset: 0, reason: "the required field '\(name)' is missing")
    }
  }

  static func expect(
    _ type: ThriftCompactReader.FieldType, _ expected: ThriftCompactReader.FieldType,
    _ what: String, _ reader: ThriftCompactReader
  ) throws {
    guard type == expected else {
      throw ThriftFailure(
        offset: reader.position, reason: "\(what) has Thrift type \(type.rawValue)")
    }
  }
}

/// Parquet's physical types (`Type` in parquet.thrift).
enum ParquetPhysicalType: Int32, Sendable, CustomStringConvertible {
  case boolean = 0
  case int32 = 1
  case int64 = 2
  case int96 = 3
  case float = 4
  case double = 5
  case byteArray = 6
  case fixedLengthByteArray = 7

  var description: String {
    switch self {
    case .boolean: return "BOOLEAN"
    case .int32: return "INT32"
    case .int64: return "INT64"
    case .int96: return "INT96"
    case .float: return "FLOAT"
    case .double: return "DOUBLE"
    case .byteArray: return "BYTE_ARRAY"
    case .fixedLengthByteArray: return "FIXED_LEN_BYTE_ARRAY"
    }
  }
}

/// Parquet's value encodings (`Encoding`).
enum ParquetEncoding: Int32, Sendable, CustomStringConvertible {
  case plain = 0
  case plainDictionary = 2
  case rle = 3
  case bitPacked = 4
  case deltaBinaryPacked = 5
  case deltaLengthByteArray = 6
  case deltaByteArray = 7
  case rleDictionary = 8
  case byteStreamSplit = 9

  var description: String {
    switch self {
    case .plain: return "PLAIN"
    case .plainDictionary: return "PLAIN_DICTIONARY"
    case .rle: return "RLE"
    case .bitPacked: return "BIT_PACKED"
    case .deltaBinaryPacked: return "DELTA_BINARY_PACKED"
    case .deltaLengthByteArray: return "DELTA_LENGTH_BYTE_ARRAY"
    case .deltaByteArray: return "DELTA_BYTE_ARRAY"
    case .rleDictionary: return "RLE_DICTIONARY"
    case .byteStreamSplit: return "BYTE_STREAM_SPLIT"
    }
  }
}

/// A logical type annotation (`LogicalType`, or the older `ConvertedType` mapped onto it).
enum ParquetLogicalType: Sendable, Equatable {
  case string
  case enumeration
  case json
  case decimal(scale: Int32, precision: Int32)
  case date
  case time
  case timestamp
  case integer(bitWidth: Int8, signed: Bool)
  case float16
  case uuid
  /// A group annotation (LIST, MAP): the column is nested.
  case nested
  /// Anything else (BSON, UNKNOWN, INTERVAL, VARIANT, geometry…): read by its physical type.
  case other

  /// The logical type of a `ConvertedType` code (for files from older writers).
  init?(convertedType code: Int32, scale: Int32?, precision: Int32?) {
    switch code {
    case 0: self = .string
    case 1, 2, 3: self = .nested
    case 4: self = .enumeration
    case 5: self = .decimal(scale: scale ?? 0, precision: precision ?? 0)
    case 6: self = .date
    case 7, 8: self = .time
    case 9, 10: self = .timestamp
    case 11: self = .integer(bitWidth: 8, signed: false)
    case 12: self = .integer(bitWidth: 16, signed: false)
    case 13: self = .integer(bitWidth: 32, signed: false)
    case 14: self = .integer(bitWidth: 64, signed: false)
    case 15: self = .integer(bitWidth: 8, signed: true)
    case 16: self = .integer(bitWidth: 16, signed: true)
    case 17: self = .integer(bitWidth: 32, signed: true)
    case 18: self = .integer(bitWidth: 64, signed: true)
    case 19: self = .json
    default: return nil
    }
  }
}

/// One node of the schema (`SchemaElement`).
struct ParquetSchemaElement: Sendable {
  var type: Int32?
  var typeLength: Int32?
  /// REQUIRED 0, OPTIONAL 1, REPEATED 2.
  var repetition: Int32?
  var name = ""
  var childCount: Int32?
  var convertedType: Int32?
  var scale: Int32?
  var precision: Int32?
  var logicalType: ParquetLogicalType?

  init() {}

  init(_ r: inout ThriftCompactReader) throws {
    try r.readStruct { r, id, type in
      switch (id, type) {
      case (1, .i32): self.type = try r.readI32()
      case (2, .i32): typeLength = try r.readI32()
      case (3, .i32): repetition = try r.readI32()
      case (4, .binary): name = try r.readString()
      case (5, .i32): childCount = try r.readI32()
      case (6, .i32): convertedType = try r.readI32()
      case (7, .i32): scale = try r.readI32()
      case (8, .i32): precision = try r.readI32()
      case (10, .structure): logicalType = try ParquetSchemaElement.logicalType(&r)
      default: return false
      }
      return true
    }
  }

  /// The annotation, from `logicalType` or else `converted_type`.
  var annotation: ParquetLogicalType? {
    if let logicalType { return logicalType }
    return convertedType.flatMap {
      ParquetLogicalType(convertedType: $0, scale: scale, precision: precision)
    }
  }

  /// Decodes the `LogicalType` union.
  private static func logicalType(_ r: inout ThriftCompactReader) throws -> ParquetLogicalType {
    var result = ParquetLogicalType.other
    try r.readStruct { r, id, type in
      guard type == .structure else { return false }
      switch id {
      case 1: result = .string
      case 2, 3: result = .nested
      case 4: result = .enumeration
      case 5:
        var scale: Int32 = 0
        var precision: Int32 = 0
        try r.readStruct { r, id, type in
          switch (id, type) {
          case (1, .i32): scale = try r.readI32()
          case (2, .i32): precision = try r.readI32()
          default: return false
          }
          return true
        }
        result = .decimal(scale: scale, precision: precision)
        return true
      case 6: result = .date
      case 7: result = .time
      case 8: result = .timestamp
      case 10:
        var bitWidth: Int8 = 64
        var signed = true
        try r.readStruct { r, id, type in
          switch (id, type) {
          case (1, .byte): bitWidth = Int8(bitPattern: try r.readByte())
          case (2, .booleanTrue), (2, .booleanFalse): signed = try r.boolean(type)
          default: return false
          }
          return true
        }
        result = .integer(bitWidth: bitWidth, signed: signed)
        return true
      case 12: result = .json
      case 14: result = .uuid
      case 15: result = .float16
      default: result = .other
      }
      return false  // the empty struct (or one with fields we do not need) is skipped
    }
    return result
  }
}

/// A row group (`RowGroup`).
struct ParquetRowGroup: Sendable {
  var columns: [ParquetColumnChunk] = []
  var rowCount: Int64 = -1

  init() {}

  init(_ r: inout ThriftCompactReader) throws {
    try r.readStruct { r, id, type in
      switch (id, type) {
      case (1, .list):
        try r.readList { r, t in
          try ParquetFileMetadata.expect(t, .structure, "a column chunk", r)
          columns.append(try ParquetColumnChunk(&r))
        }
      case (3, .i64): rowCount = try r.readI64()
      default: return false
      }
      return true
    }
  }
}

/// A column chunk (`ColumnChunk` with its `ColumnMetaData`).
struct ParquetColumnChunk: Sendable {
  var filePath: String?
  var metadata: ParquetColumnMetadata?
  /// Whether the chunk's metadata is encrypted (which this reader does not decrypt).
  var encrypted = false

  init() {}

  init(_ r: inout ThriftCompactReader) throws {
    try r.readStruct { r, id, type in
      switch (id, type) {
      case (1, .binary): filePath = try r.readString()
      case (3, .structure): metadata = try ParquetColumnMetadata(&r)
      case (8, _), (9, _):
        encrypted = true
        return false
      default: return false
      }
      return true
    }
  }
}

/// `ColumnMetaData`.
struct ParquetColumnMetadata: Sendable {
  var type: Int32 = -1
  var encodings: [Int32] = []
  var path: [String] = []
  var codec: Int32 = 0
  var valueCount: Int64 = -1
  var totalUncompressedSize: Int64 = 0
  var totalCompressedSize: Int64 = -1
  var dataPageOffset: Int64 = -1
  var dictionaryPageOffset: Int64?
  var statistics: ParquetStatistics?

  init() {}

  init(_ r: inout ThriftCompactReader) throws {
    try r.readStruct { r, id, type in
      switch (id, type) {
      case (1, .i32): self.type = try r.readI32()
      case (2, .list): encodings = try r.readI32List()
      case (3, .list): path = try r.readStringList()
      case (4, .i32): codec = try r.readI32()
      case (5, .i64): valueCount = try r.readI64()
      case (6, .i64): totalUncompressedSize = try r.readI64()
      case (7, .i64): totalCompressedSize = try r.readI64()
      case (9, .i64): dataPageOffset = try r.readI64()
      case (11, .i64): dictionaryPageOffset = try r.readI64()
      case (12, .structure): statistics = try ParquetStatistics(&r)
      default: return false
      }
      return true
    }
  }
}

/// `Statistics` (the fields a writer fills: min/max as plain-encoded values, the null count).
struct ParquetStatistics: Sendable, Equatable {
  var nullCount: Int64?
  var minimum: [UInt8]?
  var maximum: [UInt8]?

  init(nullCount: Int64? = nil, minimum: [UInt8]? = nil, maximum: [UInt8]? = nil) {
    self.nullCount = nullCount
    self.minimum = minimum
    self.maximum = maximum
  }

  init(_ r: inout ThriftCompactReader) throws {
    try r.readStruct { r, id, type in
      switch (id, type) {
      case (3, .i64): nullCount = try r.readI64()
      case (5, .binary): maximum = Array(try r.readBinary())
      case (6, .binary): minimum = Array(try r.readBinary())
      default: return false
      }
      return true
    }
  }
}
