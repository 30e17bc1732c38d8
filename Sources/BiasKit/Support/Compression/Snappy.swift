/// Snappy, the block format Parquet's SNAPPY pages use, written by hand (decompression and
/// compression).
///
/// The format (google/snappy `format_description.txt`): a varint with the uncompressed length,
/// then elements, each a tag byte whose two low bits say what follows:
///
///     00  literal: length − 1 in the tag's upper six bits (60…63: in the next 1…4 bytes), then the bytes
///     01  copy, length 4…11 (3 bits), offset < 2048 (3 bits + 1 byte)
///     10  copy, length 1…64 (6 bits), offset in 2 little-endian bytes
///     11  copy, length 1…64 (6 bits), offset in 4 little-endian bytes
///
/// A copy repeats `length` bytes starting `offset` bytes back in the output (the ranges may
/// overlap, which repeats a pattern). Snappy is small and has no Debian `-dev` package on the
/// machines the build must work on, so it is written here rather than bound (libsnappy is C++).
///
/// The compressor is the reference's greedy scheme: 64 KiB fragments, a hash table of the last
/// position of each 4-byte sequence, literals between matches, copies of at most 64 bytes. Its
/// output is valid Snappy (any conforming decoder reads it); it is not byte-identical to
/// libsnappy's.
///
/// - Complexity: O(n) time for both directions; decompression allocates nothing (the caller
///   owns the output), compression allocates its output and a 32 KiB table.
enum Snappy {
  /// The uncompressed length recorded in the preamble of `source`, and the preamble's size.
  static func uncompressedLength(
    _ source: UnsafeRawBufferPointer
  ) throws -> (
    length: Int, headerSize: Int
  ) {
    var value = 0
    var shift = 0
    var i = 0
    while true {
      guard i < source.count else {
        throw DecompressionFailure("the Snappy preamble (uncompressed length) is cut off")
      }
      let byte = source[i]
      i += 1
      value |= Int(byte & 0x7F) << shift
      if byte & 0x80 == 0 { break }
      shift += 7
      if shift > 28 {
        throw DecompressionFailure("the Snappy preamble (uncompressed length) is too long")
      }
    }
    guard value <= Int(UInt32.max) else {
      throw DecompressionFailure("the Snappy preamble declares more than 4 GiB")
    }
    return (value, i)
  }

  /// Decompresses `source` into `destination`, which must be exactly as long as the preamble
  /// says.
  /// - Throws: ``DecompressionFailure`` for a truncated element, a copy reaching before the
  ///   start of the output, or output longer or shorter than declared.
  static func decompress(
    _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
  ) throws {
    let (length, headerSize) = try uncompressedLength(source)
    guard length == destination.count else {
      throw DecompressionFailure(
        "the Snappy data declares \(length) bytes; the page header says \(destination.count)")
    }
    if length == 0 { return }
    guard let src = source.baseAddress?.assumingMemoryBound(to: UInt8.self),
      let dst = destination.baseAddress?.assumingMemoryBound(to: UInt8.self)
    else { throw DecompressionFailure("the Snappy data is empty") }
    let end = source.count
    var i = headerSize
    var out = 0
    while i < end {
      let tag = src[i]
      i += 1
      switch tag & 3 {
      case 0:
        var n = Int(tag >> 2)
        if n >= 60 {
          let extra = n - 59
          guard i + extra <= end else { throw DecompressionFailure("a Snappy literal is cut off") }
          n = 0
          for k in 0..<extra { n |= Int(src[i + k]) << (8 * k) }
          i += extra
        }
        n += 1
        guard n <= end - i else { throw DecompressionFailure("a Snappy literal is cut off") }
        guard n <= length - out else {
          throw DecompressionFailure("the Snappy data is longer than its declared \(length) bytes")
        }
        (dst + out).update(from: src + i, count: n)
        i += n
        out += n
      default:
        let n: Int
        let offset: Int
        switch tag & 3 {
        case 1:
          guard i < end else { throw DecompressionFailure("a Snappy copy is cut off") }
          n = 4 + Int((tag >> 2) & 7)
          offset = Int(tag >> 5) << 8 | Int(src[i])
          i += 1
        case 2:
          guard i + 2 <= end else { throw DecompressionFailure("a Snappy copy is cut off") }
          n = 1 + Int(tag >> 2)
          offset = Int(src[i]) | Int(src[i + 1]) << 8
          i += 2
        default:
          guard i + 4 <= end else { throw DecompressionFailure("a Snappy copy is cut off") }
          n = 1 + Int(tag >> 2)
          offset =
            Int(src[i]) | Int(src[i + 1]) << 8 | Int(src[i + 2]) << 16 | Int(src[i + 3]) << 24
          i += 4
        }
        guard offset > 0, offset <= out else {
          throw DecompressionFailure(
            "a Snappy copy reaches \(offset) bytes back from byte \(out) of the output")
        }
        guard n <= length - out else {
          throw DecompressionFailure("the Snappy data is longer than its declared \(length) bytes")
        }
        copyMatch(dst + out, offset: offset, count: n)
        out += n
      }
    }
    guard out == length else {
      throw DecompressionFailure("the Snappy data ends after \(out) of its \(length) bytes")
    }
  }

  /// Copies `count` bytes from `offset` bytes before `target` to `target` (the ranges may
  /// overlap: a short offset repeats a pattern).
  @inline(__always)
  static func copyMatch(_ target: UnsafeMutablePointer<UInt8>, offset: Int, count: Int) {
    let from = target - offset
    if offset >= count {
      target.update(from: from, count: count)
    } else {
      for k in 0..<count { target[k] = from[k] }
    }
  }

  // MARK: Compression

  /// The largest output ``compress(_:)`` can produce for `count` input bytes.
  static func maximumCompressedLength(_ count: Int) -> Int { 32 + count + count / 6 }

  /// `source` compressed to Snappy.
  static func compress(_ source: UnsafeRawBufferPointer) -> [UInt8] {
    let count = source.count
    return [UInt8](unsafeUninitializedCapacity: maximumCompressedLength(count)) {
      buffer, initialized in
      let dst = buffer.baseAddress!
      var out = 0
      var n = count
      repeat {
        dst[out] = UInt8(truncatingIfNeeded: n) | (n >= 0x80 ? 0x80 : 0)
        out += 1
        n >>= 7
      } while n > 0
      guard let src = source.baseAddress?.assumingMemoryBound(to: UInt8.self), count > 0 else {
        initialized = out
        return
      }
      var table = [UInt16](repeating: 0, count: 1 << 14)
      table.withUnsafeMutableBufferPointer { table in
        var start = 0
        while start < count {
          let fragment = min(count - start, 1 << 16)
          if start > 0 { table.update(repeating: 0) }
          out = compressFragment(src + start, fragment, dst, out, table.baseAddress!)
          start += fragment
        }
      }
      initialized = out
    }
  }

  @inline(__always)
  private static func load32(_ p: UnsafePointer<UInt8>) -> UInt32 {
    UnsafeRawPointer(p).loadUnaligned(as: UInt32.self)
  }

  @inline(__always)
  private static func hash(_ v: UInt32) -> Int { Int((v &* 0x1E35_A7BD) >> 18) }

  private static func emitLiteral(
    _ src: UnsafePointer<UInt8>, _ n: Int, _ dst: UnsafeMutablePointer<UInt8>, _ out: Int
  ) -> Int {
    var out = out
    let m = n - 1
    if m < 60 {
      dst[out] = UInt8(m << 2)
      out += 1
    } else {
      var bytes = 0
      var v = m
      while v > 0 {
        bytes += 1
        v >>= 8
      }
      dst[out] = UInt8((59 + bytes) << 2)
      out += 1
      for k in 0..<bytes { dst[out + k] = UInt8(truncatingIfNeeded: m >> (8 * k)) }
      out += bytes
    }
    (dst + out).update(from: src, count: n)
    return out + n
  }

  private static func emitCopy(
    offset: Int, length: Int, _ dst: UnsafeMutablePointer<UInt8>, _ out: Int
  ) -> Int {
    var out = out
    var length = length
    // Copies longer than 64 go in pieces of 64 (keeping at least 4 for the last one).
    while length >= 68 {
      dst[out] = UInt8(63 << 2 | 2)
      dst[out + 1] = UInt8(truncatingIfNeeded: offset)
      dst[out + 2] = UInt8(truncatingIfNeeded: offset >> 8)
      out += 3
      length -= 64
    }
    if length > 64 {
      dst[out] = UInt8(59 << 2 | 2)
      dst[out + 1] = UInt8(truncatingIfNeeded: offset)
      dst[out + 2] = UInt8(truncatingIfNeeded: offset >> 8)
      out += 3
      length -= 60
    }
    if length < 12, offset < 2048 {
      dst[out] = UInt8((offset >> 8) << 5 | (length - 4) << 2 | 1)
      dst[out + 1] = UInt8(truncatingIfNeeded: offset)
      return out + 2
    }
    dst[out] = UInt8((length - 1) << 2 | 2)
    dst[out + 1] = UInt8(truncatingIfNeeded: offset)
    dst[out + 2] = UInt8(truncatingIfNeeded: offset >> 8)
    return out + 3
  }

  /// Compresses one fragment of at most 64 KiB (offsets fit in two bytes).
  private static func compressFragment(
    _ src: UnsafePointer<UInt8>, _ n: Int, _ dst: UnsafeMutablePointer<UInt8>, _ start: Int,
    _ table: UnsafeMutablePointer<UInt16>
  ) -> Int {
    var out = start
    var literalStart = 0
    if n >= 16 {
      let limit = n - 4  // the last position a 4-byte load may start at
      var i = 1
      var skip = 32
      while i <= limit {
        let v = load32(src + i)
        let h = hash(v)
        let candidate = Int(table[h])
        table[h] = UInt16(i)
        if candidate < i, load32(src + candidate) == v {
          out = i > literalStart ? emitLiteral(src + literalStart, i - literalStart, dst, out) : out
          var length = 4
          while i + length < n, src[candidate + length] == src[i + length] { length += 1 }
          out = emitCopy(offset: i - candidate, length: length, dst, out)
          i += length
          literalStart = i
          skip = 32
          if i <= limit, i >= 1 { table[hash(load32(src + i - 1))] = UInt16(i - 1) }
        } else {
          i += skip >> 5
          skip += 1
        }
      }
    }
    if literalStart < n { out = emitLiteral(src + literalStart, n - literalStart, dst, out) }
    return out
  }
}

/// A compressed buffer that cannot be decompressed (the reader adds where it was).
struct DecompressionFailure: Error, Sendable {
  var reason: String
  init(_ reason: String) { self.reason = reason }
}
