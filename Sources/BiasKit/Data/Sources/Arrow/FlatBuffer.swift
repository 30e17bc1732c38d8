/// A bounds-checked reader of FlatBuffers tables, the encoding of Arrow IPC's footer and
/// messages (google/flatbuffers `internals.md`).
///
/// A buffer starts with a `uoffset` (u32) to its root table. A table starts with an `soffset`
/// (i32) back to its vtable: `u16` vtable size, `u16` table size, then one `u16` offset per field
/// (0: absent, the schema's default applies). Scalars sit in the table at their offset;
/// tables, vectors and strings are `uoffset`s from the field's position to the object; a vector
/// is a `u32` count and its elements, a string a vector of bytes.
///
/// Every offset is checked against the buffer before it is followed, and vector counts against
/// the bytes they would cover, so a corrupt file is a ``FlatBufferFailure``, never a trap.
///
/// - Complexity: O(1) per access.
struct FlatBuffer {
  let bytes: UnsafeRawBufferPointer

  func check(_ offset: Int, _ size: Int) throws {
    guard offset >= 0, size >= 0, offset <= bytes.count - size else {
      throw FlatBufferFailure(
        "an offset (\(offset), \(size) bytes) points outside the \(bytes.count)-byte metadata")
    }
  }

  func load<T: FixedWidthInteger>(_ offset: Int, as: T.Type) throws -> T {
    try check(offset, MemoryLayout<T>.size)
    return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
  }

  /// The root table.
  func root() throws -> FlatTable {
    try FlatTable(self, at: Int(try load(0, as: UInt32.self)))
  }
}

/// One table of a ``FlatBuffer``.
struct FlatTable {
  let buffer: FlatBuffer
  let position: Int
  private let vtable: Int
  private let vtableSize: Int

  init(_ buffer: FlatBuffer, at position: Int) throws {
    self.buffer = buffer
    self.position = position
    let back = Int(try buffer.load(position, as: Int32.self))
    vtable = position - back
    vtableSize = Int(try buffer.load(vtable, as: UInt16.self))
    guard vtableSize >= 4, vtableSize % 2 == 0 else {
      throw FlatBufferFailure("a table's vtable has size \(vtableSize)")
    }
    try buffer.check(vtable, vtableSize)
  }

  /// The position of field `index`, or nil when absent.
  func field(_ index: Int) throws -> Int? {
    let entry = 4 + 2 * index
    guard entry + 2 <= vtableSize else { return nil }
    let offset = Int(try buffer.load(vtable + entry, as: UInt16.self))
    return offset == 0 ? nil : position + offset
  }

  func scalar<T: FixedWidthInteger>(_ index: Int, default value: T) throws -> T {
    guard let at = try field(index) else { return value }
    return try buffer.load(at, as: T.self)
  }

  func bool(_ index: Int, default value: Bool = false) throws -> Bool {
    try scalar(index, default: UInt8(value ? 1 : 0)) != 0
  }

  /// The target of the `uoffset` in field `index`.
  private func target(_ index: Int) throws -> Int? {
    guard let at = try field(index) else { return nil }
    return at + Int(try buffer.load(at, as: UInt32.self))
  }

  func table(_ index: Int) throws -> FlatTable? {
    guard let at = try target(index) else { return nil }
    return try FlatTable(buffer, at: at)
  }

  /// A vector of `elementSize`-byte elements: the position of the first and the count.
  func vector(_ index: Int, elementSize: Int) throws -> (start: Int, count: Int)? {
    guard let at = try target(index) else { return nil }
    let count = Int(try buffer.load(at, as: UInt32.self))
    guard count <= (buffer.bytes.count - at - 4) / max(1, elementSize) else {
      throw FlatBufferFailure("a vector of \(count) elements runs past the end of the metadata")
    }
    return (at + 4, count)
  }

  func string(_ index: Int) throws -> String? {
    guard let (start, count) = try vector(index, elementSize: 1) else { return nil }
    return String(decoding: buffer.bytes[start..<(start + count)], as: UTF8.self)
  }

  /// A vector of tables.
  func tables(_ index: Int) throws -> [FlatTable] {
    guard let (start, count) = try vector(index, elementSize: 4) else { return [] }
    return try (0..<count).map { k in
      let at = start + 4 * k
      return try FlatTable(buffer, at: at + Int(try buffer.load(at, as: UInt32.self)))
    }
  }
}

/// Malformed FlatBuffers metadata.
struct FlatBufferFailure: Error, Sendable {
  var reason: String
  init(_ reason: String) { self.reason = reason }
}
