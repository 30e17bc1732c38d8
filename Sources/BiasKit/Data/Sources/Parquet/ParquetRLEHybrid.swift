/// Parquet's RLE / bit-packing hybrid, the encoding of definition levels, dictionary indices and
/// RLE booleans.
///
///     encoded  := run*
///     run      := varint header; header & 1 == 0: an RLE run of header >> 1 copies of one value
///                 stored in ⌈bitWidth / 8⌉ little-endian bytes;
///                 header & 1 == 1: (header >> 1) groups of 8 values, bit-packed LSB first
///
/// (parquet-format `Encodings.md`). The decoder fills exactly the number of values the page
/// declares: an RLE run longer than the values left is an error (the data lies about the page);
/// the padding of the last bit-packed group is ignored, as the format intends.
///
/// - Complexity: O(values + bytes).
enum RLEHybrid {
  /// Decodes `count` values of `bitWidth` (0…32) bits from `data` into `output`; returns the
  /// bytes consumed.
  static func decode(
    _ data: UnsafeRawBufferPointer, bitWidth: Int, count: Int,
    into output: UnsafeMutablePointer<Int32>
  ) throws -> Int {
    try decodeValues(data, bitWidth: bitWidth, count: count, into: output)
  }

  /// Decodes `count` levels or booleans of `bitWidth` (0…8) bits.
  static func decode(
    _ data: UnsafeRawBufferPointer, bitWidth: Int, count: Int,
    into output: UnsafeMutablePointer<UInt8>
  ) throws -> Int {
    try decodeValues(data, bitWidth: bitWidth, count: count, into: output)
  }

  // Generic code is specialized only within its file (the debug build compiles files one by
  // one), so the entry points above are concrete.
  @inline(__always)
  private static func decodeValues<T: FixedWidthInteger>(
    _ data: UnsafeRawBufferPointer, bitWidth: Int, count: Int,
    into output: UnsafeMutablePointer<T>
  ) throws -> Int {
    precondition(bitWidth >= 0 && bitWidth <= 32 && bitWidth <= T.bitWidth)
    var position = 0
    var produced = 0
    let valueBytes = (bitWidth + 7) / 8
    while produced < count {
      let header = try readVarint(data, &position)
      if header & 1 == 0 {
        let run = header >> 1
        guard run <= UInt64(count - produced) else {
          throw EncodingFailure(
            "an RLE run of \(run) values overflows the page (\(count - produced) values left)")
        }
        guard data.count - position >= valueBytes else {
          throw EncodingFailure("the RLE data is cut off inside a run's value")
        }
        var value: UInt64 = 0
        for k in 0..<valueBytes { value |= UInt64(data[position + k]) << (8 * UInt64(k)) }
        position += valueBytes
        guard bitWidth == 32 || value >> UInt64(bitWidth) == 0 else {
          throw EncodingFailure("an RLE run's value \(value) does not fit in \(bitWidth) bits")
        }
        let n = Int(run)
        (output + produced).update(repeating: T(truncatingIfNeeded: value), count: n)
        produced += n
        if n == 0 && position >= data.count { break }
      } else {
        let groups = header >> 1
        let available =
          bitWidth == 0 ? UInt64.max : UInt64(data.count - position) / UInt64(bitWidth)
        guard groups <= available else {
          throw EncodingFailure(
            "a bit-packed run of \(groups) groups of 8 values runs past the end of the data")
        }
        let total = groups >= UInt64(count) ? Int.max : Int(groups) * 8
        let n = min(total, count - produced)
        let bytes = Int(groups) * bitWidth
        BitUnpacking.unpackValues(
          UnsafeRawBufferPointer(rebasing: data[position..<(position + bytes)]),
          bitWidth: bitWidth, count: n, into: output + produced)
        position += bytes
        produced += n
        if total == 0 && position >= data.count { break }
      }
    }
    guard produced == count else {
      throw EncodingFailure("the RLE data ends after \(produced) of its \(count) values")
    }
    return position
  }

  /// An unsigned varint (at most 10 bytes).
  @inline(__always)
  static func readVarint(_ data: UnsafeRawBufferPointer, _ position: inout Int) throws -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard position < data.count else { throw EncodingFailure("the data ends inside a varint") }
      let b = data[position]
      position += 1
      value |= UInt64(b & 0x7F) << shift
      if b & 0x80 == 0 { return value }
      shift += 7
      if shift >= 64 { throw EncodingFailure("a varint is longer than 10 bytes") }
    }
  }

  /// The bit width of levels up to `maximum` (0 for 0, 1 for 1, 2 for 2…3, …).
  static func bitWidth(of maximum: Int) -> Int {
    maximum <= 0 ? 0 : (Int.bitWidth - maximum.leadingZeroBitCount)
  }
}

/// Unpacking of little-endian, LSB-first bit-packed values.
enum BitUnpacking {
  /// Unpacks `count` values of `bitWidth` (0…64) bits from `data`, which must hold at least
  /// ⌈count · bitWidth / 8⌉ bytes.
  static func unpack(
    _ data: UnsafeRawBufferPointer, bitWidth: Int, count: Int,
    into output: UnsafeMutablePointer<UInt8>
  ) {
    unpackValues(data, bitWidth: bitWidth, count: count, into: output)
  }

  static func unpack(
    _ data: UnsafeRawBufferPointer, bitWidth: Int, count: Int,
    into output: UnsafeMutablePointer<UInt64>
  ) {
    unpackValues(data, bitWidth: bitWidth, count: count, into: output)
  }

  @inline(__always)
  static func unpackValues<T: FixedWidthInteger>(
    _ data: UnsafeRawBufferPointer, bitWidth: Int, count: Int, into output: UnsafeMutablePointer<T>
  ) {
    if count == 0 { return }
    if bitWidth == 0 {
      output.update(repeating: 0, count: count)
      return
    }
    precondition(data.count * 8 >= count * bitWidth)
    let base = data.baseAddress!
    let w = UInt64(bitWidth)
    let mask: UInt64 = bitWidth == 64 ? ~0 : (1 << w) - 1
    // Values whose 8-byte window (plus one byte for wide values) lies inside the data.
    let safeBytes = data.count - 9
    var k = 0
    if bitWidth == 1 {
      // Definition levels and booleans: a byte at a time.
      let full = count / 8
      for byteIndex in 0..<full {
        let b = base.load(fromByteOffset: byteIndex, as: UInt8.self)
        let o = output + byteIndex * 8
        o[0] = T(b & 1)
        o[1] = T((b >> 1) & 1)
        o[2] = T((b >> 2) & 1)
        o[3] = T((b >> 3) & 1)
        o[4] = T((b >> 4) & 1)
        o[5] = T((b >> 5) & 1)
        o[6] = T((b >> 6) & 1)
        o[7] = T(b >> 7)
      }
      k = full * 8
    } else {
      while k < count {
        let bit = k * bitWidth
        let byte = bit >> 3
        if byte > safeBytes { break }
        let shift = UInt64(bit & 7)
        var word = base.loadUnaligned(fromByteOffset: byte, as: UInt64.self).littleEndian >> shift
        if shift + w > 64 {
          word |= UInt64(base.load(fromByteOffset: byte + 8, as: UInt8.self)) << (64 - shift)
        }
        output[k] = T(truncatingIfNeeded: word & mask)
        k += 1
      }
    }
    // The tail: byte by byte.
    while k < count {
      var value: UInt64 = 0
      var bit = k * bitWidth
      var got = 0
      while got < bitWidth {
        let byte = UInt64(base.load(fromByteOffset: bit >> 3, as: UInt8.self))
        let shift = bit & 7
        let take = min(8 - shift, bitWidth - got)
        value |= ((byte >> UInt64(shift)) & ((1 << UInt64(take)) - 1)) << UInt64(got)
        got += take
        bit += take
      }
      output[k] = T(truncatingIfNeeded: value)
      k += 1
    }
  }
}

/// Encoded values that do not decode (the reader adds the file, row group, column and page).
struct EncodingFailure: Error, Sendable {
  var reason: String
  init(_ reason: String) { self.reason = reason }
}
