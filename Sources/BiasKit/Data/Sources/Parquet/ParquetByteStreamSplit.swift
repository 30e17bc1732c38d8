/// Parquet's BYTE_STREAM_SPLIT encoding: the k-th byte of every value, for k = 0 …
/// width − 1, stored as one stream after another (parquet-format `Encodings.md`; FLOAT and
/// DOUBLE, and since format 2.11 INT32, INT64 and FIXED_LEN_BYTE_ARRAY). Decoding gathers the
/// streams back into little-endian values.
///
/// - Complexity: O(count · width) time and scratch.
enum ParquetByteStreamSplit {
  static func decode(
    _ data: UnsafeRawBufferPointer, count: Int, width: Int, isBytes: Bool, scratch: ParquetScratch
  ) throws -> ColumnarBatch {
    guard width > 0, count <= data.count / width else {
      throw EncodingFailure(
        "\(count) BYTE_STREAM_SPLIT values of \(width) bytes need more than the page's \(data.count) bytes"
      )
    }
    let out = scratch.values.typed(max(count * width, 1), as: UInt8.self)
    if let src = data.baseAddress?.assumingMemoryBound(to: UInt8.self) {
      for k in 0..<width {
        let stream = src + k * count
        for i in 0..<count { out[i * width + k] = stream[i] }
      }
    }
    if isBytes {
      return .bytes(
        ColumnarBytes(
          base: UnsafeRawPointer(out), starts: nil, lengths: nil, fixedWidth: width, count: count))
    }
    return .fixed(UnsafeRawPointer(out), count: count)
  }
}
