/// Parquet's delta encodings (parquet-format `Encodings.md`).
///
/// DELTA_BINARY_PACKED (INT32, INT64):
///
///     header := <block size in values> <miniblocks per block> <total value count> <first value>
///     block  := <min delta (zigzag)> <one bit-width byte per miniblock> <miniblocks, bit-packed>
///
/// each value is the previous one plus `min delta` plus its miniblock entry (wrapping, in the
/// column's width). DELTA_LENGTH_BYTE_ARRAY: the lengths DELTA_BINARY_PACKED, then the bytes end
/// to end. DELTA_BYTE_ARRAY: prefix lengths DELTA_BINARY_PACKED, then the suffixes as
/// DELTA_LENGTH_BYTE_ARRAY; each value is the first `prefix` bytes of the previous one and its
/// suffix.
///
/// - Complexity: O(count) time; O(count) scratch (and the rebuilt bytes for DELTA_BYTE_ARRAY).
enum ParquetDeltaEncoding {
  /// Decodes `count` DELTA_BINARY_PACKED values into `output`; returns the bytes consumed.
  static func decodeIntegers(
    _ data: UnsafeRawBufferPointer, count: Int, into output: UnsafeMutablePointer<Int64>
  ) throws -> Int {
    var position = 0
    let blockSize = try RLEHybrid.readVarint(data, &position)
    let miniblocks = try RLEHybrid.readVarint(data, &position)
    let total = try RLEHybrid.readVarint(data, &position)
    let zigzag = try RLEHybrid.readVarint(data, &position)
    var value = Int64(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1)))
    guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0,
      blockSize % miniblocks == 0, (blockSize / miniblocks) % 32 == 0
    else {
      throw EncodingFailure(
        "a DELTA_BINARY_PACKED header declares blocks of \(blockSize) values in \(miniblocks) miniblocks"
      )
    }
    guard total == UInt64(count) else {
      throw EncodingFailure(
        "a DELTA_BINARY_PACKED run declares \(total) values; the page has \(count)")
    }
    if count == 0 { return position }
    output[0] = value
    var produced = 1
    let perMiniblock = Int(blockSize / miniblocks)
    let miniblockCount = Int(miniblocks)
    while produced < count {
      let zigzagMin = try RLEHybrid.readVarint(data, &position)
      let minDelta = Int64(bitPattern: (zigzagMin >> 1) ^ (0 &- (zigzagMin & 1)))
      guard data.count - position >= miniblockCount else {
        throw EncodingFailure("a DELTA_BINARY_PACKED block's bit widths are cut off")
      }
      let widthsAt = position
      position += miniblockCount
      for m in 0..<miniblockCount where produced < count {
        let width = Int(data[widthsAt + m])
        guard width <= 64 else {
          throw EncodingFailure("a DELTA_BINARY_PACKED miniblock has bit width \(width)")
        }
        let bytes = perMiniblock * width / 8
        guard data.count - position >= bytes else {
          throw EncodingFailure("a DELTA_BINARY_PACKED miniblock is cut off")
        }
        let n = min(perMiniblock, count - produced)
        let target = output + produced
        target.withMemoryRebound(to: UInt64.self, capacity: n) { raw in
          BitUnpacking.unpack(
            UnsafeRawBufferPointer(rebasing: data[position..<(position + bytes)]), bitWidth: width,
            count: n, into: raw)
        }
        for i in 0..<n {
          value = value &+ minDelta &+ target[i]
          target[i] = value
        }
        produced += n
        position += bytes
      }
    }
    return position
  }

  /// INT32 or INT64 values: `count` values of `width` bytes in scratch.
  static func decodeFixed(
    _ data: UnsafeRawBufferPointer, count: Int, width: Int, scratch: ParquetScratch
  ) throws -> ColumnarBatch {
    let wide = scratch.deltas.typed(max(count, 1), as: Int64.self)
    _ = try decodeIntegers(data, count: count, into: wide)
    if width == 8 { return .fixed(UnsafeRawPointer(wide), count: count) }
    let narrow = scratch.values.typed(max(count, 1), as: Int32.self)
    for i in 0..<count { narrow[i] = Int32(truncatingIfNeeded: wide[i]) }
    return .fixed(UnsafeRawPointer(narrow), count: count)
  }

  /// Decodes `count` lengths into `lengths` and returns the bytes consumed, checking each.
  private static func decodeLengths(
    _ data: UnsafeRawBufferPointer, count: Int, into lengths: UnsafeMutablePointer<Int>,
    scratch: ParquetScratch, what: String
  ) throws -> Int {
    let raw = scratch.deltas.typed(max(count, 1), as: Int64.self)
    let used = try decodeIntegers(data, count: count, into: raw)
    for i in 0..<count {
      guard raw[i] >= 0, raw[i] <= Int64(Int32.max) else {
        throw EncodingFailure("a \(what) is \(raw[i])")
      }
      lengths[i] = Int(raw[i])
    }
    return used
  }

  /// DELTA_LENGTH_BYTE_ARRAY values.
  static func decodeLengthByteArrays(
    _ data: UnsafeRawBufferPointer, count: Int, scratch: ParquetScratch
  ) throws -> ColumnarBatch {
    let starts = scratch.starts.typed(max(count, 1), as: Int.self)
    let lengths = scratch.lengths.typed(max(count, 1), as: Int.self)
    var position = try decodeLengths(
      data, count: count, into: lengths, scratch: scratch, what: "DELTA_LENGTH_BYTE_ARRAY length")
    for i in 0..<count {
      guard lengths[i] <= data.count - position else {
        throw EncodingFailure(
          "a DELTA_LENGTH_BYTE_ARRAY value of \(lengths[i]) bytes runs past the end of the page")
      }
      starts[i] = position
      position += lengths[i]
    }
    return .bytes(
      ColumnarBytes(
        base: data.baseAddress ?? UnsafeRawPointer(bitPattern: 16)!, starts: starts,
        lengths: lengths, fixedWidth: 0, count: count))
  }

  /// DELTA_BYTE_ARRAY values (rebuilt in scratch).
  static func decodeByteArrays(
    _ data: UnsafeRawBufferPointer, count: Int, scratch: ParquetScratch
  ) throws -> ColumnarBatch {
    let prefixes = scratch.indices.typed(max(count, 1), as: Int.self)
    let used = try decodeLengths(
      data, count: count, into: prefixes, scratch: scratch, what: "DELTA_BYTE_ARRAY prefix length")
    let suffixData = UnsafeRawBufferPointer(rebasing: data[used...])
    guard
      case .bytes(let suffixes) = try decodeLengthByteArrays(
        suffixData, count: count, scratch: scratch)
    else { return .fixed(UnsafeRawPointer(bitPattern: 16)!, count: 0) }
    // Sizes first, so the rebuilt values go in one buffer.
    var total = 0
    var previous = 0
    for i in 0..<count {
      guard prefixes[i] <= previous else {
        throw EncodingFailure(
          "a DELTA_BYTE_ARRAY value reuses \(prefixes[i]) bytes of a previous value of \(previous)")
      }
      previous = prefixes[i] + suffixes.lengths![i]
      total += previous
      guard total <= 1 << 30 else {
        throw EncodingFailure("DELTA_BYTE_ARRAY values rebuild to more than 1 GiB in one page")
      }
    }
    let out = scratch.values.typed(max(total, 1), as: UInt8.self)
    // The suffix starts/lengths live in scratch.starts/lengths; rewrite them in place as the
    // rebuilt values' starts and lengths (each entry is read before it is overwritten).
    let starts = UnsafeMutablePointer(mutating: suffixes.starts!)
    let lengths = UnsafeMutablePointer(mutating: suffixes.lengths!)
    let source = suffixes.base.assumingMemoryBound(to: UInt8.self)
    var position = 0
    var previousStart = 0
    for i in 0..<count {
      let prefix = prefixes[i]
      let suffixStart = starts[i]
      let suffixLength = lengths[i]
      (out + position).update(from: out + previousStart, count: prefix)
      (out + position + prefix).update(from: source + suffixStart, count: suffixLength)
      starts[i] = position
      lengths[i] = prefix + suffixLength
      previousStart = position
      position += prefix + suffixLength
    }
    return .bytes(
      ColumnarBytes(
        base: UnsafeRawPointer(out), starts: starts, lengths: lengths, fixedWidth: 0, count: count))
  }
}
