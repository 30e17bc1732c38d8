/// A reader of the Thrift compact protocol, the encoding of Parquet's footer and page headers.
///
/// The protocol (Apache Thrift `thrift-compact-protocol.md`): a struct is a sequence of fields,
/// each a header byte `delta << 4 | type` (a zero delta is followed by the field id as a zigzag
/// varint), then the value, ended by a zero byte. Integers are zigzag varints, `binary` is a
/// varint length and the bytes, a list is a header `size << 4 | elementType` (size 15: a varint
/// follows) and its elements, a boolean field keeps its value in the type nibble (1 true, 2
/// false).
///
/// Every read is checked against the end of the buffer, every length and element count against
/// the bytes left, and nesting is limited, so a corrupt or hostile footer is a
/// ``ThriftFailure`` (with the byte offset), never a trap, a runaway allocation or a stack
/// overflow. Fields a caller does not ask for are skipped, which is what makes the reader
/// accept files from newer writers.
///
/// - Complexity: O(bytes read).
struct ThriftCompactReader {
  /// The compact protocol's type codes.
  enum FieldType: UInt8 {
    case booleanTrue = 1
    case booleanFalse = 2
    case byte = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case structure = 12
    case uuid = 13
  }

  let bytes: UnsafeRawBufferPointer
  /// The offset of the next byte to read.
  var position: Int
  private var depth = 0
  /// Structs and containers nest at most this deep (Parquet's deepest is 4).
  static let maximumDepth = 32

  init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
    self.bytes = bytes
    self.position = position
  }

  private func failure(_ reason: String, at offset: Int? = nil) -> ThriftFailure {
    ThriftFailure(offset: offset ?? position, reason: reason)
  }

  @inline(__always)
  mutating func readByte() throws -> UInt8 {
    guard position < bytes.count else { throw failure("the data ends inside a value") }
    let b = bytes[position]
    position += 1
    return b
  }

  /// An unsigned LEB128 varint of at most 64 bits.
  mutating func readVarint() throws -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    let start = position
    while true {
      let b = try readByte()
      value |= UInt64(b & 0x7F) << shift
      if b & 0x80 == 0 { return value }
      shift += 7
      if shift >= 64 { throw failure("a varint is longer than 10 bytes", at: start) }
    }
  }

  mutating func readI64() throws -> Int64 {
    let v = try readVarint()
    return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
  }

  mutating func readI32() throws -> Int32 {
    let start = position
    let v = try readI64()
    guard let value = Int32(exactly: v) else {
      throw failure("an i32 field holds \(v), outside the 32-bit range", at: start)
    }
    return value
  }

  /// A `binary` (or `string`) value: the bytes in place.
  mutating func readBinary() throws -> UnsafeRawBufferPointer {
    let start = position
    let length = try readVarint()
    guard length <= UInt64(bytes.count - position) else {
      throw failure(
        "a field of \(length) bytes runs past the end of the data (\(bytes.count - position) left)",
        at: start)
    }
    let n = Int(length)
    defer { position += n }
    return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
  }

  mutating func readString() throws -> String {
    String(decoding: try readBinary(), as: UTF8.self)
  }

  /// The boolean of a struct field of type `type`.
  func boolean(_ type: FieldType) throws -> Bool {
    switch type {
    case .booleanTrue: return true
    case .booleanFalse: return false
    default: throw failure("a boolean field has type \(type.rawValue)")
    }
  }

  private mutating func fieldType(_ code: UInt8, at offset: Int) throws -> FieldType {
    guard let type = FieldType(rawValue: code) else {
      throw failure("unknown Thrift field type \(code)", at: offset)
    }
    return type
  }

  /// Reads a struct: `field` is called with each field's id and type and must either read the
  /// value (returning true) or return false to have it skipped.
  mutating func readStruct(
    _ field: (inout ThriftCompactReader, Int16, FieldType) throws -> Bool
  ) throws {
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maximumDepth else { throw failure("structures nest too deeply") }
    var last: Int16 = 0
    while true {
      let start = position
      let header = try readByte()
      if header == 0 { return }
      let type = try fieldType(header & 0x0F, at: start)
      let delta = Int16(header >> 4)
      let id: Int16
      if delta == 0 {
        let raw = try readI64()
        guard let value = Int16(exactly: raw) else {
          throw failure("a field id \(raw) is outside the 16-bit range", at: start)
        }
        id = value
      } else {
        id = last &+ delta
      }
      last = id
      if try !field(&self, id, type) { try skip(type) }
    }
  }

  /// Reads a list's header, checking its size against the bytes left (every element takes at
  /// least one byte), and calls `element` once per element.
  mutating func readList(
    _ element: (inout ThriftCompactReader, FieldType) throws -> Void
  ) throws {
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maximumDepth else { throw failure("structures nest too deeply") }
    let start = position
    let header = try readByte()
    var count = UInt64(header >> 4)
    if count == 15 { count = try readVarint() }
    // An empty list's element type is not looked at (fastparquet writes 0 there).
    if count == 0 { return }
    let type = try fieldType(header & 0x0F, at: start)
    guard count <= UInt64(bytes.count - position) else {
      throw failure(
        "a list of \(count) elements runs past the end of the data (\(bytes.count - position) bytes left)",
        at: start)
    }
    for _ in 0..<Int(count) { try element(&self, type) }
  }

  /// Reads a list of i32 (or enum) values.
  mutating func readI32List() throws -> [Int32] {
    var values: [Int32] = []
    try readList { reader, type in
      guard type == .i32 else { throw reader.failure("a list of i32 holds type \(type.rawValue)") }
      values.append(try reader.readI32())
    }
    return values
  }

  /// Reads a list of strings.
  mutating func readStringList() throws -> [String] {
    var values: [String] = []
    try readList { reader, type in
      guard type == .binary else {
        throw reader.failure("a list of strings holds type \(type.rawValue)")
      }
      values.append(try reader.readString())
    }
    return values
  }

  /// Skips a value of `type`.
  mutating func skip(_ type: FieldType) throws {
    switch type {
    case .booleanTrue, .booleanFalse: return
    case .byte: _ = try readByte()
    case .i16, .i32, .i64: _ = try readVarint()
    case .double:
      guard bytes.count - position >= 8 else { throw failure("the data ends inside a double") }
      position += 8
    case .uuid:
      guard bytes.count - position >= 16 else { throw failure("the data ends inside a UUID") }
      position += 16
    case .binary: _ = try readBinary()
    case .structure: try readStruct { _, _, _ in false }
    case .list, .set:
      try readList { reader, elementType in
        // Booleans inside containers take one byte each.
        if elementType == .booleanTrue || elementType == .booleanFalse {
          _ = try reader.readByte()
        } else {
          try reader.skip(elementType)
        }
      }
    case .map:
      depth += 1
      defer { depth -= 1 }
      guard depth <= Self.maximumDepth else { throw failure("structures nest too deeply") }
      let start = position
      let count = try readVarint()
      if count == 0 { return }
      guard count <= UInt64(bytes.count - position) else {
        throw failure("a map of \(count) entries runs past the end of the data", at: start)
      }
      let kinds = try readByte()
      let keyType = try fieldType(kinds >> 4, at: position - 1)
      let valueType = try fieldType(kinds & 0x0F, at: position - 1)
      for _ in 0..<Int(count) {
        for t in [keyType, valueType] {
          if t == .booleanTrue || t == .booleanFalse { _ = try readByte() } else { try skip(t) }
        }
      }
    }
  }
}

/// Malformed Thrift data, at a byte offset of the buffer being read.
struct ThriftFailure: Error, Sendable {
  var offset: Int
  var reason: String
}
