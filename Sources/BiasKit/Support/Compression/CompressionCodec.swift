/// The block compressions of Parquet pages and Arrow IPC buffers, and one entry point that
/// decompresses any of them into a buffer of known size.
///
/// Both formats record the uncompressed size next to the compressed bytes, so every codec here
/// decompresses into memory the caller sized (and checks that the data fills it exactly: a
/// page whose sizes lie is an error, never a short or overlong read).
enum CompressionCodec: Sendable, Equatable, CustomStringConvertible {
  case uncompressed
  /// Snappy (by hand, ``Snappy``).
  case snappy
  /// gzip or zlib streams (system zlib, ``Gzip``).
  case gzip
  /// Zstandard (system libzstd loaded at run time, ``Zstd``).
  case zstd
  /// One LZ4 block (Parquet LZ4_RAW).
  case lz4Raw
  /// Parquet's deprecated LZ4: Hadoop framing, or a raw block.
  case lz4Hadoop
  /// LZ4 frames (Arrow IPC LZ4_FRAME).
  case lz4Frame

  var description: String {
    switch self {
    case .uncompressed: return "UNCOMPRESSED"
    case .snappy: return "SNAPPY"
    case .gzip: return "GZIP"
    case .zstd: return "ZSTD"
    case .lz4Raw: return "LZ4_RAW"
    case .lz4Hadoop: return "LZ4"
    case .lz4Frame: return "LZ4_FRAME"
    }
  }

  /// Decompresses `source` into `destination`, which the data must fill exactly.
  func decompress(
    _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
  ) throws {
    switch self {
    case .uncompressed:
      guard source.count == destination.count else {
        throw DecompressionFailure(
          "the data is \(source.count) bytes; \(destination.count) were declared")
      }
      if let base = source.baseAddress, !source.isEmpty {
        destination.baseAddress!.copyMemory(from: base, byteCount: source.count)
      }
    case .snappy: try Snappy.decompress(source, into: destination)
    case .gzip: try Gzip.decompress(source, into: destination)
    case .zstd: try Zstd.decompress(source, into: destination)
    case .lz4Raw: _ = try LZ4.decompressBlock(source, into: destination)
    case .lz4Hadoop: try LZ4.decompressHadoop(source, into: destination)
    case .lz4Frame: try LZ4.decompressFrame(source, into: destination)
    }
  }

  /// The most bytes `count` compressed bytes can expand to, used to refuse a declared size no
  /// real data could have before memory is reserved for it (ZSTD and GZIP are generous: their
  /// true limits are higher than any page a writer makes).
  func maximumExpansion(of count: Int) -> Int {
    switch self {
    case .uncompressed: return count
    case .snappy: return count.multipliedReportingOverflow(by: 32).partialValue + 64
    case .lz4Raw, .lz4Hadoop, .lz4Frame:
      return count.multipliedReportingOverflow(by: 256).partialValue + 64
    case .gzip: return count.multipliedReportingOverflow(by: 1032).partialValue + 1024
    case .zstd: return count.multipliedReportingOverflow(by: 1 << 15).partialValue + (1 << 17)
    }
  }
}
