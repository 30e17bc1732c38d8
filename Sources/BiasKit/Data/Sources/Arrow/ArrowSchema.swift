/// The fields of an Arrow schema (`Schema.fbs`) as a flat-table reader sees them, with the
/// layout of their field nodes and buffers in a record batch.
///
/// A record batch lists one field node per field and its descendants, depth first, and the
/// buffers of each (Arrow `Columnar.rst`, "Buffer Layouts"): validity and values for
/// fixed-width types and booleans; validity, offsets and data for (large) binary and strings;
/// validity and indices for a dictionary-encoded field (its values come in dictionary batches);
/// nested types add their own buffers and their children's. Only top-level flat fields are read;
/// the others are walked over so that the fields after them are found.
struct ArrowSchema {
  struct Field {
    var name: String
    var nullable: Bool
    /// The `Type` union's code.
    var typeCode: UInt8
    /// How values are understood (for a dictionary field: its values), nil when refused.
    var kind: ColumnarValueKind?
    var refusal: String?
    /// The stored width of fixed-width values, 0 for booleans (bits), -1 for byte strings.
    var width: Int = 0
    /// Byte strings: 4- or 8-byte offsets; 0 for fixed-width byte strings.
    var offsetWidth: Int = 0
    /// Fixed-width byte strings (FixedSizeBinary, Decimal128/256): the width.
    var fixedByteWidth = 0
    /// Dictionary encoding: the dictionary id and the index type.
    var dictionaryID: Int64?
    var indexWidth: Int = 4
    var indexSigned = true
    /// Nodes and buffers of the field and its descendants (views: plus their variadic buffers).
    var nodeCount = 1
    var bufferCount = 0
    var viewFields = 0
    var isNull: Bool { typeCode == 1 }
  }

  var fields: [Field] = []

  init(_ schema: FlatTable) throws {
    let endianness: Int16 = try schema.scalar(0, default: 0)
    guard endianness == 0 else {
      throw FlatBufferFailure("the schema is big-endian, which is not supported")
    }
    fields = try schema.tables(1).map { try ArrowSchema.field($0, depth: 0) }
  }

  static func field(_ table: FlatTable, depth: Int) throws -> Field {
    guard depth < 64 else { throw FlatBufferFailure("fields nest too deeply") }
    let typeCode: UInt8 = try table.scalar(2, default: 0)
    var field = Field(
      name: try table.string(0) ?? "", nullable: try table.bool(1), typeCode: typeCode)
    let type = try table.table(3)
    let children = try table.tables(5).map { try ArrowSchema.field($0, depth: depth + 1) }
    field.nodeCount = 1 + children.reduce(0) { $0 + $1.nodeCount }
    let childBuffers = children.reduce(0) { $0 + $1.bufferCount }
    field.viewFields = children.reduce(0) { $0 + $1.viewFields }
    func integer() throws -> (Int, Bool) {
      let bits: Int32 = try type?.scalar(0, default: 0) ?? 0
      return (Int(bits) / 8, try type?.bool(1) ?? false)
    }
    switch typeCode {
    case 1:  // Null
      field.bufferCount = 0
      field.kind = .text
    case 2:  // Int
      let (bytes, signed) = try integer()
      guard [1, 2, 4, 8].contains(bytes) else {
        throw FlatBufferFailure("an Int field '\(field.name)' has \(bytes * 8) bits")
      }
      field.kind = .integer(byteWidth: bytes, signed: signed, scale: 0)
      field.width = bytes
      field.bufferCount = 2
    case 3:  // FloatingPoint
      let precision: Int16 = try type?.scalar(0, default: 0) ?? 0
      switch precision {
      case 0: (field.kind, field.width) = (.float16, 2)
      case 1: (field.kind, field.width) = (.float32, 4)
      case 2: (field.kind, field.width) = (.float64, 8)
      default: throw FlatBufferFailure("a FloatingPoint field has precision \(precision)")
      }
      field.bufferCount = 2
    case 4, 5, 19, 20:  // Binary, Utf8, LargeBinary, LargeUtf8
      field.kind = .text
      field.width = -1
      field.offsetWidth = typeCode >= 19 ? 8 : 4
      field.bufferCount = 3
    case 6:  // Bool
      field.kind = .boolean
      field.width = 0
      field.bufferCount = 2
    case 7:  // Decimal
      let scale: Int32 = try type?.scalar(1, default: 0) ?? 0
      let bits: Int32 = try type?.scalar(2, default: 128) ?? 128
      guard scale >= 0, scale <= 76 else {
        throw FlatBufferFailure("a Decimal field has scale \(scale)")
      }
      switch bits {
      case 32, 64:
        field.kind = .integer(byteWidth: Int(bits) / 8, signed: true, scale: Int(scale))
        field.width = Int(bits) / 8
      case 128, 256:
        field.kind = .decimalBytes(scale: Int(scale), bigEndian: false)
        field.width = -1
        field.offsetWidth = 0
        field.fixedByteWidth = Int(bits) / 8
      default: throw FlatBufferFailure("a Decimal field has \(bits) bits")
      }
      field.bufferCount = 2
    case 8:  // Date: DAY int32, MILLISECOND int64
      let unit: Int16 = try type?.scalar(0, default: 1) ?? 1
      field.width = unit == 0 ? 4 : 8
      field.kind = .integer(byteWidth: field.width, signed: true, scale: 0)
      field.bufferCount = 2
    case 9:  // Time
      let bits: Int32 = try type?.scalar(1, default: 32) ?? 32
      guard bits == 32 || bits == 64 else {
        throw FlatBufferFailure("a Time field has \(bits) bits")
      }
      field.width = Int(bits) / 8
      field.kind = .integer(byteWidth: field.width, signed: true, scale: 0)
      field.bufferCount = 2
    case 10, 18:  // Timestamp, Duration
      field.width = 8
      field.kind = .integer(byteWidth: 8, signed: true, scale: 0)
      field.bufferCount = 2
    case 11:  // Interval
      field.refusal = "its type Interval is not supported"
      field.bufferCount = 2
    case 15:  // FixedSizeBinary
      let width: Int32 = try type?.scalar(0, default: 0) ?? 0
      guard width > 0 else { throw FlatBufferFailure("a FixedSizeBinary field has width \(width)") }
      field.kind = .text
      field.width = -1
      field.offsetWidth = 0
      field.fixedByteWidth = Int(width)
      field.bufferCount = 2
    case 23, 24:  // BinaryView, Utf8View
      field.refusal = "its type (a string or binary view) is not supported"
      field.bufferCount = 2
      field.viewFields += 1
    case 12, 17, 21:  // List, Map, LargeList
      field.bufferCount = 2 + childBuffers
    case 25, 26:  // ListView, LargeListView
      field.bufferCount = 3 + childBuffers
    case 16, 13:  // FixedSizeList, Struct
      field.bufferCount = 1 + childBuffers
    case 14:  // Union: sparse (type ids), dense (type ids, offsets)
      let mode: Int16 = try type?.scalar(0, default: 0) ?? 0
      field.bufferCount = (mode == 0 ? 1 : 2) + childBuffers
    case 22:  // RunEndEncoded
      field.bufferCount = childBuffers
    default:
      throw FlatBufferFailure("the field '\(field.name)' has unknown type \(typeCode)")
    }
    if [12, 13, 14, 16, 17, 21, 22, 25, 26].contains(typeCode) {
      field.kind = nil
      field.refusal = "it is a nested column; only flat columns can be read"
    }
    if let dictionary = try table.table(4) {
      field.dictionaryID = try dictionary.scalar(0, default: 0)
      if let index = try dictionary.table(1) {
        let bits: Int32 = try index.scalar(0, default: 32)
        guard [8, 16, 32, 64].contains(bits) else {
          throw FlatBufferFailure("a dictionary index type has \(bits) bits")
        }
        field.indexWidth = Int(bits) / 8
        field.indexSigned = try index.bool(1)
      } else {
        field.indexWidth = 4
        field.indexSigned = true
      }
      // The record batch holds validity and indices; children belong to the dictionary.
      field.bufferCount = 2
      field.nodeCount = 1
      if field.kind == nil && field.refusal == nil {
        field.refusal = "its dictionary type is not supported"
      }
    }
    return field
  }
}
