/// Parquet's PLAIN encoding (parquet-format `Encodings.md`): fixed-width values little-endian end
/// to end; BOOLEAN bit-packed LSB first; BYTE_ARRAY as a 4-byte little-endian length and the
/// bytes; FIXED_LEN_BYTE_ARRAY as the bytes. Also the encoding of dictionary pages.
///
/// Fixed-width values are handed on in place (no copy); byte arrays get one pass that records
/// each value's start and length after checking it lies inside the page.
///
/// - Complexity: O(count) time; O(count) scratch for booleans and byte arrays.
enum ParquetPlainEncoding {
  /// The first `count` PLAIN values of `data`, of physical `type` (`typeLength` for
  /// FIXED_LEN_BYTE_ARRAY, whose values are byte strings unless `fixedWidthValues`: FLOAT16).
  static func decode(
    _ data: UnsafeRawBufferPointer, count: Int, type: ParquetPhysicalType, typeLength: Int,
    fixedWidthValues: Bool = false, scratch: ParquetScratch
  ) throws -> ColumnarBatch {
    let base = data.baseAddress ?? UnsafeRawPointer(bitPattern: 16)!
    switch type {
    case .boolean:
      guard data.count >= (count + 7) / 8 else {
        throw EncodingFailure(
          "\(count) PLAIN booleans need \((count + 7) / 8) bytes; the page has \(data.count)")
      }
      let out = scratch.values.typed(max(count, 1), as: UInt8.self)
      BitUnpacking.unpack(data, bitWidth: 1, count: count, into: out)
      return .fixed(UnsafeRawPointer(out), count: count)
    case .int32, .float, .int64, .double:
      let width = type == .int32 || type == .float ? 4 : 8
      guard count <= data.count / width else {
        throw EncodingFailure(
          "\(count) PLAIN \(type) values need \(count * width) bytes; the page has \(data.count)")
      }
      return .fixed(base, count: count)
    case .int96:
      throw EncodingFailure("INT96 values (legacy timestamps) are not supported")
    case .fixedLengthByteArray:
      guard typeLength > 0 else {
        throw EncodingFailure("a FIXED_LEN_BYTE_ARRAY column of length \(typeLength)")
      }
      guard count <= data.count / typeLength else {
        throw EncodingFailure(
          "\(count) PLAIN values of \(typeLength) bytes run past the end of the page (\(data.count) bytes)"
        )
      }
      if fixedWidthValues { return .fixed(base, count: count) }
      return .bytes(
        ColumnarBytes(base: base, starts: nil, lengths: nil, fixedWidth: typeLength, count: count))
    case .byteArray:
      let starts = scratch.starts.typed(max(count, 1), as: Int.self)
      let lengths = scratch.lengths.typed(max(count, 1), as: Int.self)
      var position = 0
      let end = data.count
      for i in 0..<count {
        guard end - position >= 4 else {
          throw EncodingFailure(
            "the page ends after \(i) of its \(count) PLAIN byte arrays (a length is cut off)")
        }
        let length = Int(base.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian)
        position += 4
        guard length <= end - position else {
          throw EncodingFailure(
            "a PLAIN byte array of \(length) bytes runs past the end of the page (\(end - position) bytes left)"
          )
        }
        starts[i] = position
        lengths[i] = length
        position += length
      }
      return .bytes(
        ColumnarBytes(base: base, starts: starts, lengths: lengths, fixedWidth: 0, count: count))
    }
  }
}
