/// LZ4 decompression, written by hand: the block format (Parquet's LZ4_RAW pages), the frame
/// format (Arrow IPC's LZ4_FRAME buffers) and the Hadoop framing of Parquet's deprecated LZ4
/// codec.
///
/// A block is a sequence of sequences, each a token byte (literal length in the high nibble,
/// match length − 4 in the low nibble, 15 meaning "more bytes follow, each adding up to 255"),
/// the literals, then a 2-byte little-endian offset and the match; the last sequence has
/// literals only. A frame (lz4 `lz4_Frame_format.md`) is the magic `0x184D2204`, a descriptor
/// (flags, block size, optional content size and dictionary id, a header checksum), then blocks
/// each prefixed by a 4-byte size whose high bit marks a stored (uncompressed) block, ended by a
/// zero size and an optional content checksum. Blocks of a frame may refer back into earlier
/// blocks; decompressing the whole frame into one buffer serves both the independent and the
/// linked modes.
///
/// Written here rather than loaded from `liblz4.so.1` because decompression is a screenful of
/// code and the machines have no `liblz4-dev` headers; checksums (xxHash32) are not verified,
/// since every length is checked and Arrow's own readers do not require them.
///
/// - Complexity: O(output) time, no allocation (the caller owns the output).
enum LZ4 {
  /// Decompresses one LZ4 block into `destination[0..<capacity]`, returning the bytes written.
  /// - Parameter exact: the output must fill `destination` exactly.
  static func decompressBlock(
    _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer,
    outputStart: Int = 0, exact: Bool = true
  ) throws -> Int {
    let end = source.count
    let capacity = destination.count
    guard let dst = destination.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
      if end == 0 || (end == 1 && source[0] == 0) { return 0 }
      throw DecompressionFailure("the LZ4 block is longer than the declared output")
    }
    guard let src = source.baseAddress?.assumingMemoryBound(to: UInt8.self), end > 0 else {
      if exact && capacity > outputStart {
        throw DecompressionFailure("the LZ4 block is empty")
      }
      return outputStart
    }
    var i = 0
    var out = outputStart
    while true {
      guard i < end else { throw DecompressionFailure("an LZ4 sequence is cut off") }
      let token = src[i]
      i += 1
      var literals = Int(token >> 4)
      if literals == 15 {
        while true {
          guard i < end else { throw DecompressionFailure("an LZ4 literal length is cut off") }
          let b = src[i]
          i += 1
          literals += Int(b)
          if b != 255 { break }
        }
      }
      guard literals <= end - i else { throw DecompressionFailure("LZ4 literals are cut off") }
      guard literals <= capacity - out else {
        throw DecompressionFailure("the LZ4 data is longer than its declared \(capacity) bytes")
      }
      (dst + out).update(from: src + i, count: literals)
      i += literals
      out += literals
      if i == end { break }  // the last sequence has no match
      guard i + 2 <= end else { throw DecompressionFailure("an LZ4 match offset is cut off") }
      let offset = Int(src[i]) | Int(src[i + 1]) << 8
      i += 2
      var length = Int(token & 15)
      if length == 15 {
        while true {
          guard i < end else { throw DecompressionFailure("an LZ4 match length is cut off") }
          let b = src[i]
          i += 1
          length += Int(b)
          if b != 255 { break }
        }
      }
      length += 4
      guard offset > 0, offset <= out else {
        throw DecompressionFailure("an LZ4 match reaches \(offset) bytes back from byte \(out)")
      }
      guard length <= capacity - out else {
        throw DecompressionFailure("the LZ4 data is longer than its declared \(capacity) bytes")
      }
      Snappy.copyMatch(dst + out, offset: offset, count: length)
      out += length
    }
    if exact && out != capacity {
      throw DecompressionFailure("the LZ4 data ends after \(out) of its \(capacity) bytes")
    }
    return out
  }

  /// Decompresses an LZ4 frame (possibly several concatenated) whose content is exactly
  /// `destination.count` bytes.
  static func decompressFrame(
    _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
  ) throws {
    var i = 0
    var out = 0
    let end = source.count
    func byte(_ k: Int) throws -> UInt8 {
      guard k < end else { throw DecompressionFailure("the LZ4 frame is cut off") }
      return source[k]
    }
    func load32(_ k: Int) throws -> UInt32 {
      guard k + 4 <= end else { throw DecompressionFailure("the LZ4 frame is cut off") }
      return source.loadUnaligned(fromByteOffset: k, as: UInt32.self).littleEndian
    }
    repeat {
      let magic = try load32(i)
      if magic & 0xFFFF_FFF0 == 0x184D_2A50 {  // a skippable frame
        let size = Int(try load32(i + 4))
        guard size <= end - i - 8 else { throw DecompressionFailure("the LZ4 frame is cut off") }
        i += 8 + size
        continue
      }
      guard magic == 0x184D_2204 else {
        throw DecompressionFailure(
          "not an LZ4 frame (magic 0x\(String(magic, radix: 16)), expected 0x184d2204)")
      }
      let flags = try byte(i + 4)
      guard flags >> 6 == 1 else {
        throw DecompressionFailure("unknown LZ4 frame version \(flags >> 6)")
      }
      let blockChecksum = flags & 0x10 != 0
      let hasContentSize = flags & 0x08 != 0
      let contentChecksum = flags & 0x04 != 0
      let hasDictionary = flags & 0x01 != 0
      if hasDictionary {
        throw DecompressionFailure("the LZ4 frame needs a dictionary, which Arrow never uses")
      }
      var header = i + 6  // magic, FLG, BD
      if hasContentSize {
        guard header + 8 <= end else { throw DecompressionFailure("the LZ4 frame is cut off") }
        let size = source.loadUnaligned(fromByteOffset: header, as: UInt64.self).littleEndian
        guard size <= UInt64(destination.count - out) else {
          throw DecompressionFailure(
            "the LZ4 frame declares \(size) bytes; \(destination.count - out) were expected")
        }
        header += 8
      }
      i = header + 1  // the header checksum
      while true {
        let word = try load32(i)
        i += 4
        if word == 0 { break }
        let stored = word & 0x8000_0000 != 0
        let size = Int(word & 0x7FFF_FFFF)
        guard size <= end - i else { throw DecompressionFailure("an LZ4 frame block is cut off") }
        let block = UnsafeRawBufferPointer(rebasing: source[i..<(i + size)])
        if stored {
          guard size <= destination.count - out else {
            throw DecompressionFailure("the LZ4 frame is longer than its declared size")
          }
          if size > 0 {
            (destination.baseAddress! + out).copyMemory(from: block.baseAddress!, byteCount: size)
          }
          out += size
        } else {
          out = try decompressBlock(
            block, into: destination, outputStart: out, exact: false)
        }
        i += size + (blockChecksum ? 4 : 0)
      }
      if contentChecksum { i += 4 }
      guard i <= end else { throw DecompressionFailure("the LZ4 frame is cut off") }
    } while i < end
    guard out == destination.count else {
      throw DecompressionFailure(
        "the LZ4 frame holds \(out) bytes; \(destination.count) were expected")
    }
  }

  /// Decompresses Parquet's deprecated LZ4 codec: Hadoop's framing (blocks each prefixed by
  /// big-endian uncompressed and compressed sizes) when it parses, else one raw block (what some
  /// writers produced under that name).
  static func decompressHadoop(
    _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
  ) throws {
    func bigEndian32(_ k: Int) -> Int {
      Int(source[k]) << 24 | Int(source[k + 1]) << 16 | Int(source[k + 2]) << 8 | Int(source[k + 3])
    }
    var i = 0
    var out = 0
    var framed = true
    while i < source.count {
      guard source.count - i >= 8 else {
        framed = false
        break
      }
      let expected = bigEndian32(i)
      let size = bigEndian32(i + 4)
      guard size <= source.count - i - 8, expected <= destination.count - out else {
        framed = false
        break
      }
      let block = UnsafeRawBufferPointer(rebasing: source[(i + 8)..<(i + 8 + size)])
      let target = UnsafeMutableRawBufferPointer(
        rebasing: destination[0..<(out + expected)])
      guard let written = try? decompressBlock(block, into: target, outputStart: out),
        written == out + expected
      else {
        framed = false
        break
      }
      out += expected
      i += 8 + size
    }
    if framed && out == destination.count { return }
    _ = try decompressBlock(source, into: destination)
  }
}
