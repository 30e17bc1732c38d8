/// A problem in one column chunk: where it is (row group, page, row) and what it is.
struct ParquetFailure: Error {
  enum Kind {
    /// A structural problem with a page or the chunk.
    case malformed(String)
    /// A problem with a value, in the CSV reader's terms.
    case value(ValueFailure.Kind)
  }
  var rowGroup: Int
  /// The page's index in its chunk (0-based, the dictionary page included), if known.
  var page: Int?
  /// The row within the row group, for value problems.
  var row: Int?
  var kind: Kind
}

extension ParquetFailure.Kind: Error {}

/// Reads the pages of one column chunk of a flat column and types their values into a
/// ``ColumnarTarget``.
///
/// Pages (parquet-format `README.md`, "Data Pages"): a Thrift `PageHeader`, then
/// `compressed_page_size` bytes. A dictionary page (PLAIN values) may come first; data pages v1
/// compress definition levels (a 4-byte length and RLE, or the deprecated BIT_PACKED) together
/// with the values, data pages v2 keep the levels uncompressed before the compressed values and
/// give their byte length. Index pages are skipped. Every size read from the file is checked
/// against the chunk before it is used, and the values the pages hold must add up to the row
/// group's rows.
///
/// - Complexity: O(chunk bytes + rows).
struct ParquetColumnChunkReader {
  let file: UnsafeRawBufferPointer
  /// Where column data may lie: after the leading magic, before the footer.
  let dataRange: Range<Int>
  let column: ParquetSchema.Column
  let metadata: ParquetColumnMetadata
  let rowGroup: Int
  let rowCount: Int

  /// The byte range of the chunk, checked against the file.
  static func byteRange(
    of metadata: ParquetColumnMetadata, dataRange: Range<Int>
  ) throws -> Range<Int> {
    var start = metadata.dataPageOffset
    if let dictionary = metadata.dictionaryPageOffset, dictionary > 0, dictionary < start {
      start = dictionary
    }
    let size = metadata.totalCompressedSize
    guard start >= Int64(dataRange.lowerBound), start <= Int64(dataRange.upperBound) else {
      throw ParquetFailure.Kind.malformed(
        "the column chunk's offset \(start) lies outside the file's data (bytes \(dataRange.lowerBound)..<\(dataRange.upperBound))"
      )
    }
    guard size >= 0, size <= Int64(dataRange.upperBound) - start else {
      throw ParquetFailure.Kind.malformed(
        "the column chunk's \(size) bytes from offset \(start) run past the file's data (which ends at byte \(dataRange.upperBound))"
      )
    }
    return Int(start)..<Int(start + size)
  }

  static func codec(_ code: Int32) throws -> CompressionCodec {
    switch code {
    case 0: return .uncompressed
    case 1: return .snappy
    case 2: return .gzip
    case 5: return .lz4Hadoop
    case 6: return .zstd
    case 7: return .lz4Raw
    case 3: throw ParquetFailure.Kind.malformed("the LZO compression is not supported")
    case 4: throw ParquetFailure.Kind.malformed("the BROTLI compression is not supported")
    default: throw ParquetFailure.Kind.malformed("unknown compression codec \(code)")
    }
  }

  /// Reads every page of the chunk into `target` (rows 0 ..< rowCount of the row group).
  func read(into target: inout ColumnarTarget, scratch: ParquetScratch) throws {
    var page = 0
    do {
      try readPages(into: &target, scratch: scratch, page: &page)
    } catch let kind as ParquetFailure.Kind {
      throw ParquetFailure(rowGroup: rowGroup, page: page, row: nil, kind: kind)
    } catch let failure as ValueFailure {
      throw ParquetFailure(
        rowGroup: rowGroup, page: page, row: failure.row, kind: .value(failure.kind))
    } catch let failure as EncodingFailure {
      throw ParquetFailure(
        rowGroup: rowGroup, page: page, row: nil, kind: .malformed(failure.reason))
    } catch let failure as DecompressionFailure {
      throw ParquetFailure(
        rowGroup: rowGroup, page: page, row: nil, kind: .malformed(failure.reason))
    } catch let failure as ThriftFailure {
      throw ParquetFailure(
        rowGroup: rowGroup, page: page, row: nil,
        kind: .malformed("the page header is malformed: \(failure.reason)"))
    }
  }

  private func readPages(
    into target: inout ColumnarTarget, scratch: ParquetScratch, page: inout Int
  ) throws {
    guard metadata.type == column.physicalType?.rawValue else {
      throw ParquetFailure.Kind.malformed(
        "the column chunk has physical type \(metadata.type); the schema says \(column.typeDescription)"
      )
    }
    let codec = try Self.codec(metadata.codec)
    let range = try Self.byteRange(of: metadata, dataRange: dataRange)
    let chunk = UnsafeRawBufferPointer(rebasing: file[range])
    var position = 0
    var rowsRead = 0
    var sawDictionary = false
    while rowsRead < rowCount {
      guard position < chunk.count else {
        throw ParquetFailure.Kind.malformed(
          "the column chunk ends after \(rowsRead) of the row group's \(rowCount) values")
      }
      var reader = ThriftCompactReader(chunk, position: position)
      let header = try ParquetPageHeader(&reader)
      let bodyStart = reader.position
      let compressed = Int(header.compressedSize)
      guard header.compressedSize >= 0, compressed <= chunk.count - bodyStart else {
        throw ParquetFailure.Kind.malformed(
          "the page's compressed size \(header.compressedSize) runs past the end of the column chunk (\(chunk.count - bodyStart) bytes left)"
        )
      }
      guard header.uncompressedSize >= 0 else {
        throw ParquetFailure.Kind.malformed(
          "the page's uncompressed size is \(header.uncompressedSize)")
      }
      let body = UnsafeRawBufferPointer(rebasing: chunk[bodyStart..<(bodyStart + compressed)])
      position = bodyStart + compressed
      switch header.type {
      case ParquetPageHeader.dictionaryPage:
        guard !sawDictionary, rowsRead == 0 else {
          throw ParquetFailure.Kind.malformed("a second dictionary page, or one after data pages")
        }
        sawDictionary = true
        guard header.hasTypeHeader, header.valueCount >= 0 else {
          throw ParquetFailure.Kind.malformed("the dictionary page has no valid header")
        }
        guard
          header.encoding == ParquetEncoding.plain.rawValue
            || header.encoding == ParquetEncoding.plainDictionary.rawValue
        else {
          throw ParquetFailure.Kind.malformed(
            "the dictionary page's encoding \(Self.encodingName(header.encoding)) is not PLAIN")
        }
        let data = try decompress(
          body, codec: codec, size: Int(header.uncompressedSize), scratch: scratch)
        let values = try ParquetPlainEncoding.decode(
          data, count: Int(header.valueCount), type: column.physicalType!,
          typeLength: column.typeLength, fixedWidthValues: !(column.kind?.isBytes ?? true),
          scratch: scratch)
        try target.setDictionary(values)
      case ParquetPageHeader.dataPage, ParquetPageHeader.dataPageV2:
        guard header.hasTypeHeader, header.valueCount >= 0 else {
          throw ParquetFailure.Kind.malformed("the data page has no valid header")
        }
        let count = Int(header.valueCount)
        guard count <= rowCount - rowsRead else {
          throw ParquetFailure.Kind.malformed(
            "the page holds \(count) values; the row group has \(rowCount - rowsRead) rows left")
        }
        try readDataPage(
          header, body: body, codec: codec, count: count, rowStart: rowsRead, into: &target,
          scratch: scratch)
        rowsRead += count
      default:
        break  // index pages, and types from the future, are skipped
      }
      page += 1
    }
  }

  static func encodingName(_ code: Int32) -> String {
    ParquetEncoding(rawValue: code).map { "\($0)" } ?? "\(code)"
  }

  /// The page's bytes decompressed (in scratch, or in place when uncompressed).
  private func decompress(
    _ body: UnsafeRawBufferPointer, codec: CompressionCodec, size: Int, scratch: ParquetScratch
  ) throws -> UnsafeRawBufferPointer {
    if codec == .uncompressed {
      guard size == body.count else {
        throw ParquetFailure.Kind.malformed(
          "the uncompressed page's sizes disagree (\(body.count) bytes stored, \(size) declared)")
      }
      return body
    }
    guard size <= codec.maximumExpansion(of: body.count) else {
      throw ParquetFailure.Kind.malformed(
        "the page declares \(size) bytes uncompressed from \(body.count) \(codec) bytes, more than \(codec) can expand to"
      )
    }
    let out = UnsafeMutableRawBufferPointer(start: scratch.page.reserve(max(size, 1)), count: size)
    try codec.decompress(body, into: out)
    return UnsafeRawBufferPointer(out)
  }

  private func readDataPage(
    _ header: ParquetPageHeader, body: UnsafeRawBufferPointer, codec: CompressionCodec,
    count: Int, rowStart: Int, into target: inout ColumnarTarget, scratch: ParquetScratch
  ) throws {
    let maxLevel = column.maximumDefinitionLevel
    var values: UnsafeRawBufferPointer
    var levels: UnsafeMutablePointer<UInt8>? = nil
    if header.type == ParquetPageHeader.dataPageV2 {
      let repetitionBytes = Int(header.repetitionLevelsByteLength)
      let definitionBytes = Int(header.definitionLevelsByteLength)
      guard repetitionBytes >= 0, definitionBytes >= 0,
        repetitionBytes + definitionBytes <= body.count,
        repetitionBytes + definitionBytes <= Int(header.uncompressedSize)
      else {
        throw ParquetFailure.Kind.malformed(
          "the page's level lengths (\(header.repetitionLevelsByteLength) + \(header.definitionLevelsByteLength) bytes) exceed the page"
        )
      }
      guard Int(header.rowCount) == count else {
        throw ParquetFailure.Kind.malformed(
          "the page holds \(count) values in \(header.rowCount) rows; a flat column has one value per row"
        )
      }
      if maxLevel > 0 {
        let out = scratch.levels.typed(max(count, 1), as: UInt8.self)
        _ = try RLEHybrid.decode(
          UnsafeRawBufferPointer(
            rebasing: body[repetitionBytes..<(repetitionBytes + definitionBytes)]),
          bitWidth: 1, count: count, into: out)
        levels = out
      }
      let stored = UnsafeRawBufferPointer(rebasing: body[(repetitionBytes + definitionBytes)...])
      let size = Int(header.uncompressedSize) - repetitionBytes - definitionBytes
      values =
        header.isCompressed
        ? try decompress(stored, codec: codec, size: size, scratch: scratch)
        : try decompress(stored, codec: .uncompressed, size: size, scratch: scratch)
    } else {
      let page = try decompress(
        body, codec: codec, size: Int(header.uncompressedSize), scratch: scratch)
      var offset = 0
      if maxLevel > 0 {
        let out = scratch.levels.typed(max(count, 1), as: UInt8.self)
        switch header.definitionLevelEncoding {
        case ParquetEncoding.rle.rawValue:
          guard page.count >= 4 else {
            throw ParquetFailure.Kind.malformed(
              "the page ends inside its definition levels' length")
          }
          let length = Int(page.loadUnaligned(as: UInt32.self).littleEndian)
          guard length <= page.count - 4 else {
            throw ParquetFailure.Kind.malformed(
              "the definition levels' \(length) bytes run past the end of the page")
          }
          _ = try RLEHybrid.decode(
            UnsafeRawBufferPointer(rebasing: page[4..<(4 + length)]), bitWidth: 1, count: count,
            into: out)
          offset = 4 + length
        case ParquetEncoding.bitPacked.rawValue:
          // Deprecated BIT_PACKED levels: most significant bit first.
          let bytes = (count + 7) / 8
          guard bytes <= page.count else {
            throw ParquetFailure.Kind.malformed("the BIT_PACKED definition levels are cut off")
          }
          for i in 0..<count { out[i] = (page[i >> 3] >> (7 - UInt8(i & 7))) & 1 }
          offset = bytes
        default:
          throw ParquetFailure.Kind.malformed(
            "definition levels encoded as \(Self.encodingName(header.definitionLevelEncoding))")
        }
        levels = out
      }
      values = UnsafeRawBufferPointer(rebasing: page[offset...])
    }
    var present = count
    if let levels {
      present = 0
      for i in 0..<count {
        guard levels[i] <= 1 else {
          throw ParquetFailure.Kind.malformed(
            "a definition level is \(levels[i]); the column's maximum is 1")
        }
        present &+= Int(levels[i])
      }
      if header.type == ParquetPageHeader.dataPageV2, present != count - Int(header.nullCount) {
        throw ParquetFailure.Kind.malformed(
          "the page declares \(header.nullCount) nulls; its definition levels hold \(count - present)"
        )
      }
    }
    let batch = try decodeValues(
      values, encoding: header.encoding, count: present, scratch: scratch)
    try target.write(
      batch, validity: present < count ? UnsafePointer(levels) : nil, rows: count,
      rowStart: rowStart)
  }

  /// The page's `count` non-null values.
  private func decodeValues(
    _ data: UnsafeRawBufferPointer, encoding: Int32, count: Int, scratch: ParquetScratch
  ) throws -> ColumnarBatch {
    let physical = column.physicalType!
    let isBytes = column.kind?.isBytes ?? true
    func invalid() -> ParquetFailure.Kind {
      .malformed("the encoding \(Self.encodingName(encoding)) is not valid for \(physical) values")
    }
    switch ParquetEncoding(rawValue: encoding) {
    case .plain:
      return try ParquetPlainEncoding.decode(
        data, count: count, type: physical, typeLength: column.typeLength,
        fixedWidthValues: !isBytes, scratch: scratch)
    case .plainDictionary, .rleDictionary:
      if count == 0 { return .indices(scratch.indices.typed(1, as: Int32.self), count: 0) }
      guard data.count >= 1 else {
        throw ParquetFailure.Kind.malformed("the dictionary-encoded page has no bit width")
      }
      let width = Int(data[0])
      guard width <= 32 else {
        throw ParquetFailure.Kind.malformed("the dictionary indices' bit width is \(width)")
      }
      let out = scratch.indices.typed(count, as: Int32.self)
      _ = try RLEHybrid.decode(
        UnsafeRawBufferPointer(rebasing: data[1...]), bitWidth: width, count: count, into: out)
      return .indices(out, count: count)
    case .rle:
      guard physical == .boolean else { throw invalid() }
      guard data.count >= 4 else {
        throw ParquetFailure.Kind.malformed("the RLE booleans' length is cut off")
      }
      let length = Int(data.loadUnaligned(as: UInt32.self).littleEndian)
      guard length <= data.count - 4 else {
        throw ParquetFailure.Kind.malformed(
          "the RLE booleans' \(length) bytes run past the end of the page")
      }
      let out = scratch.values.typed(max(count, 1), as: UInt8.self)
      _ = try RLEHybrid.decode(
        UnsafeRawBufferPointer(rebasing: data[4..<(4 + length)]), bitWidth: 1, count: count,
        into: out)
      return .fixed(UnsafeRawPointer(out), count: count)
    case .deltaBinaryPacked:
      guard physical == .int32 || physical == .int64 else { throw invalid() }
      return try ParquetDeltaEncoding.decodeFixed(
        data, count: count, width: physical == .int32 ? 4 : 8, scratch: scratch)
    case .deltaLengthByteArray:
      guard physical == .byteArray else { throw invalid() }
      return try ParquetDeltaEncoding.decodeLengthByteArrays(data, count: count, scratch: scratch)
    case .deltaByteArray:
      guard physical == .byteArray || physical == .fixedLengthByteArray else { throw invalid() }
      let batch = try ParquetDeltaEncoding.decodeByteArrays(data, count: count, scratch: scratch)
      if physical == .fixedLengthByteArray, case .bytes(let values) = batch {
        for i in 0..<count where values.lengths![i] != column.typeLength {
          throw ParquetFailure.Kind.malformed(
            "a DELTA_BYTE_ARRAY value has \(values.lengths![i]) bytes; the column's are \(column.typeLength)"
          )
        }
        if !isBytes {
          // FLOAT16 stored as FIXED_LEN_BYTE_ARRAY(2): the rebuilt values are end to end.
          return .fixed(values.base, count: count)
        }
      }
      return batch
    case .byteStreamSplit:
      let width: Int
      switch physical {
      case .int32, .float: width = 4
      case .int64, .double: width = 8
      case .fixedLengthByteArray: width = column.typeLength
      default: throw invalid()
      }
      return try ParquetByteStreamSplit.decode(
        data, count: count, width: width, isBytes: isBytes, scratch: scratch)
    case .bitPacked, .none:
      throw invalid()
    }
  }
}
