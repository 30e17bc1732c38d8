/// A writer of the Thrift compact protocol (the inverse of ``ThriftCompactReader``), for the
/// footer and page headers ``ParquetWriter`` produces.
///
/// Fields are written in increasing id order within each struct (`beginStruct` / `endStruct`
/// keep the last id of every open struct), each as a header byte with the id delta when it is
/// 1…15, else a zero delta and the id as a zigzag varint.
///
/// - Complexity: O(bytes written).
struct ThriftCompactWriter {
  private(set) var bytes: [UInt8] = []
  private var lastIDs: [Int16] = [0]

  mutating func varint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  mutating func zigzag(_ value: Int64) {
    varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
  }

  mutating func fieldHeader(_ id: Int16, _ type: ThriftCompactReader.FieldType) {
    let delta = id - lastIDs[lastIDs.count - 1]
    if delta > 0 && delta <= 15 {
      bytes.append(UInt8(delta) << 4 | type.rawValue)
    } else {
      bytes.append(type.rawValue)
      zigzag(Int64(id))
    }
    lastIDs[lastIDs.count - 1] = id
  }

  mutating func i32(_ id: Int16, _ value: Int32) {
    fieldHeader(id, .i32)
    zigzag(Int64(value))
  }

  mutating func i64(_ id: Int16, _ value: Int64) {
    fieldHeader(id, .i64)
    zigzag(value)
  }

  mutating func bool(_ id: Int16, _ value: Bool) {
    fieldHeader(id, value ? .booleanTrue : .booleanFalse)
  }

  mutating func binary(_ id: Int16, _ value: [UInt8]) {
    fieldHeader(id, .binary)
    varint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  mutating func string(_ id: Int16, _ value: String) { binary(id, Array(value.utf8)) }

  /// A struct field: `body` writes its fields.
  mutating func structure(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
    fieldHeader(id, .structure)
    beginStruct()
    body(&self)
    endStruct()
  }

  mutating func beginStruct() { lastIDs.append(0) }

  mutating func endStruct() {
    bytes.append(0)
    lastIDs.removeLast()
  }

  /// A list field of `count` elements of `type`; `body` writes the elements (structs with
  /// `beginStruct`/`endStruct`, values with the bare `varint`/`zigzag`).
  mutating func list(
    _ id: Int16, _ type: ThriftCompactReader.FieldType, count: Int,
    _ body: (inout ThriftCompactWriter) -> Void
  ) {
    fieldHeader(id, .list)
    if count < 15 {
      bytes.append(UInt8(count) << 4 | type.rawValue)
    } else {
      bytes.append(0xF0 | type.rawValue)
      varint(UInt64(count))
    }
    body(&self)
  }

  /// A list of i32 (or enum) values.
  mutating func i32List(_ id: Int16, _ values: [Int32]) {
    list(id, .i32, count: values.count) { w in for v in values { w.zigzag(Int64(v)) } }
  }

  /// A list of strings.
  mutating func stringList(_ id: Int16, _ values: [String]) {
    list(id, .binary, count: values.count) { w in
      for v in values {
        w.varint(UInt64(v.utf8.count))
        w.bytes.append(contentsOf: v.utf8)
      }
    }
  }

  /// Appends bytes already encoded (a complete struct written by another writer).
  mutating func appendRaw(_ encoded: [UInt8]) { bytes.append(contentsOf: encoded) }

  /// Ends the outermost struct (the message).
  mutating func finish() -> [UInt8] {
    bytes.append(0)
    return bytes
  }
}
