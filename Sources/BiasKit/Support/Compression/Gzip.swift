import CZlib

/// GZIP (and zlib) decompression through the system zlib.
///
/// Parquet's GZIP pages are RFC 1952 gzip members; some writers put a bare zlib (RFC 1950)
/// stream under that name, and `inflateInit2` with window bits `15 + 32` detects either. zlib is
/// bound, not rewritten: inflate (Huffman tables, a 32 KiB window) is a few hundred careful lines
/// that zlib has had right for thirty years, and its headers are on every machine the build runs
/// on (Debian `zlib1g-dev`, `pkg-config zlib`), so the thin `CZlib` system-library target costs
/// nothing. Concatenated members are read one after the other.
///
/// - Complexity: O(output) time; zlib's ~40 KiB of state per call.
enum Gzip {
  /// Decompresses `source` into `destination`, which must be filled exactly.
  static func decompress(
    _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
  ) throws {
    guard let input = source.baseAddress, source.count > 0 else {
      if destination.isEmpty { return }
      throw DecompressionFailure("the GZIP data is empty")
    }
    var stream = z_stream()
    guard
      inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { throw DecompressionFailure("zlib could not start inflating") }
    defer { inflateEnd(&stream) }
    // A scratch byte lets zlib report data beyond the declared size instead of stopping short.
    var spare: UInt8 = 0
    var consumed = 0
    var produced = 0
    while true {
      stream.next_in = UnsafeMutablePointer(
        mutating: input.assumingMemoryBound(to: UInt8.self) + consumed)
      stream.avail_in = UInt32(min(source.count - consumed, Int(UInt32.max)))
      let status: Int32 = withUnsafeMutablePointer(to: &spare) { sparePointer in
        if produced < destination.count {
          stream.next_out =
            destination.baseAddress!.assumingMemoryBound(to: UInt8.self) + produced
          stream.avail_out = UInt32(min(destination.count - produced, Int(UInt32.max)))
        } else {
          stream.next_out = sparePointer
          stream.avail_out = 1
        }
        let before = stream.avail_out
        let inBefore = stream.avail_in
        let status = inflate(&stream, Z_NO_FLUSH)
        let wrote = Int(before - stream.avail_out)
        produced += wrote
        consumed += Int(inBefore - stream.avail_in)
        return status
      }
      if produced > destination.count {
        throw DecompressionFailure(
          "the GZIP data is longer than its declared \(destination.count) bytes")
      }
      switch status {
      case Z_STREAM_END:
        // Another member may follow.
        if consumed < source.count, produced < destination.count {
          guard inflateReset(&stream) == Z_OK else {
            throw DecompressionFailure("zlib could not read the next GZIP member")
          }
          continue
        }
        guard produced == destination.count else {
          throw DecompressionFailure(
            "the GZIP data ends after \(produced) of its \(destination.count) bytes")
        }
        return
      case Z_OK:
        continue
      case Z_BUF_ERROR:
        throw DecompressionFailure(
          "the GZIP data is cut off after \(produced) of \(destination.count) bytes")
      default:
        let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
        throw DecompressionFailure("the GZIP data is corrupt (\(reason))")
      }
    }
  }
}
