/// Decodes one flat field of one Arrow record batch: its buffers (decompressed when the batch
/// is compressed), the validity bitmap, and the values, as the non-null values a
/// ``ColumnarTarget`` types.
///
/// Arrow keeps a slot for every row, null or not; the values of the non-null rows are gathered
/// (only when there are nulls). Every buffer's length is checked against what the row count
/// needs, and offsets against the data they index, before anything is read.
///
/// - Complexity: O(rows) time and scratch.
struct ArrowColumnDecoder {
  let field: ArrowSchema.Field
  let batch: ArrowReader.Batch
  let node: Int
  let firstBuffer: Int
  private let slots = [ParquetScratch.Buffer(), ParquetScratch.Buffer(), ParquetScratch.Buffer()]
  private let validityBytes = ParquetScratch.Buffer()
  private let dense = ParquetScratch.Buffer()
  private let starts = ParquetScratch.Buffer()
  private let lengths = ParquetScratch.Buffer()

  init(field: ArrowSchema.Field, batch: ArrowReader.Batch, node: Int, firstBuffer: Int) {
    self.field = field
    self.batch = batch
    self.node = node
    self.firstBuffer = firstBuffer
  }

  /// Buffer `k` of the field (0 validity, 1 values or offsets, 2 data), decompressed.
  private func buffer(_ k: Int) throws -> UnsafeRawBufferPointer {
    let (offset, length) = batch.buffers[firstBuffer + k]
    let stored = UnsafeRawBufferPointer(
      rebasing: batch.body[Int(offset)..<Int(offset + length)])
    guard let codec = batch.codec, length > 0 else { return stored }
    guard stored.count >= 8 else {
      throw DecompressionFailure(
        "a compressed buffer of \(stored.count) bytes has no length prefix")
    }
    let size = Int64(littleEndian: stored.loadUnaligned(as: Int64.self))
    let data = UnsafeRawBufferPointer(rebasing: stored[8...])
    if size == -1 { return data }
    guard size >= 0, size <= Int64(codec.maximumExpansion(of: data.count)) else {
      throw DecompressionFailure(
        "a buffer declares \(size) bytes uncompressed from \(data.count) \(codec) bytes")
    }
    let out = UnsafeMutableRawBufferPointer(
      start: slots[k].reserve(max(1, Int(size))), count: Int(size))
    try codec.decompress(data, into: out)
    return UnsafeRawBufferPointer(out)
  }

  /// The rows' values: the non-null ones, and the validity (nil when none is null).
  mutating func values() throws -> (ColumnarBatch, UnsafePointer<UInt8>?, Int) {
    let rows = batch.length
    let (length, nullCount) = batch.nodes[node]
    guard length == Int64(rows) else {
      throw EncodingFailure("the field node has \(length) values; the batch has \(rows) rows")
    }
    var validity: UnsafeMutablePointer<UInt8>? = nil
    var present = rows
    if field.isNull {
      let v = validityBytes.typed(max(rows, 1), as: UInt8.self)
      v.update(repeating: 0, count: rows)
      return (.fixed(UnsafeRawPointer(v), count: 0), UnsafePointer(v), rows)
    }
    if nullCount != 0 {
      let bitmap = try buffer(0)
      guard bitmap.count >= (rows + 7) / 8 else {
        throw EncodingFailure(
          "the validity bitmap has \(bitmap.count) bytes; \(rows) rows need \((rows + 7) / 8)")
      }
      let v = validityBytes.typed(max(rows, 1), as: UInt8.self)
      BitUnpacking.unpack(bitmap, bitWidth: 1, count: rows, into: v)
      present = 0
      for i in 0..<rows { present &+= Int(v[i]) }
      if present < rows { validity = v }
    }
    let batchValues: ColumnarBatch
    if field.dictionaryID != nil {
      batchValues = try indices(rows: rows, validity: validity, present: present)
    } else if field.width > 0 {
      let data = try buffer(1)
      let w = field.width
      guard data.count / w >= rows else {
        throw EncodingFailure(
          "the values buffer has \(data.count) bytes; \(rows) rows need \(rows * w)")
      }
      guard let validity else {
        return (
          .fixed(data.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, count: rows), nil, rows
        )
      }
      let out = dense.reserve(max(1, present * w))
      var j = 0
      for i in 0..<rows where validity[i] != 0 {
        (out + j * w).copyMemory(from: data.baseAddress! + i * w, byteCount: w)
        j += 1
      }
      batchValues = .fixed(UnsafeRawPointer(out), count: present)
    } else if field.width == 0 {  // booleans: a bitmap
      let bits = try buffer(1)
      guard bits.count >= (rows + 7) / 8 else {
        throw EncodingFailure(
          "the boolean bitmap has \(bits.count) bytes; \(rows) rows need \((rows + 7) / 8)")
      }
      let out = dense.typed(max(1, rows), as: UInt8.self)
      BitUnpacking.unpack(bits, bitWidth: 1, count: rows, into: out)
      if let validity {
        var j = 0
        for i in 0..<rows where validity[i] != 0 {
          out[j] = out[i]
          j += 1
        }
      }
      batchValues = .fixed(UnsafeRawPointer(out), count: present)
    } else {
      batchValues = try byteStrings(rows: rows, validity: validity, present: present)
    }
    return (batchValues, UnsafePointer(validity), rows)
  }

  private func byteStrings(
    rows: Int, validity: UnsafeMutablePointer<UInt8>?, present: Int
  ) throws -> ColumnarBatch {
    if field.offsetWidth == 0 {  // fixed-width byte strings
      let data = try buffer(1)
      let w = field.fixedByteWidth
      guard w > 0, data.count / w >= rows else {
        throw EncodingFailure(
          "the values buffer has \(data.count) bytes; \(rows) rows of \(w) need more")
      }
      let base = data.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!
      guard let validity else {
        return .bytes(
          ColumnarBytes(base: base, starts: nil, lengths: nil, fixedWidth: w, count: rows))
      }
      let s = starts.typed(max(1, present), as: Int.self)
      let l = lengths.typed(max(1, present), as: Int.self)
      var j = 0
      for i in 0..<rows where validity[i] != 0 {
        s[j] = i * w
        l[j] = w
        j += 1
      }
      return .bytes(ColumnarBytes(base: base, starts: s, lengths: l, fixedWidth: 0, count: present))
    }
    let offsets = try buffer(1)
    let data = try buffer(2)
    let ow = field.offsetWidth
    guard offsets.count / ow >= rows + 1 || rows == 0 else {
      throw EncodingFailure(
        "the offsets buffer has \(offsets.count) bytes; \(rows) rows need \((rows + 1) * ow)")
    }
    func offset(_ i: Int) -> Int64 {
      ow == 4
        ? Int64(Int32(littleEndian: offsets.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
        : Int64(littleEndian: offsets.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
    }
    let s = starts.typed(max(1, present), as: Int.self)
    let l = lengths.typed(max(1, present), as: Int.self)
    var j = 0
    let limit = Int64(data.count)
    for i in 0..<rows where validity == nil || validity![i] != 0 {
      let a = offset(i)
      let b = offset(i + 1)
      guard a >= 0, a <= b, b <= limit else {
        throw EncodingFailure(
          "the offsets of row \(i) (\(a)..<\(b)) lie outside the \(limit)-byte data")
      }
      s[j] = Int(a)
      l[j] = Int(b - a)
      j += 1
    }
    return .bytes(
      ColumnarBytes(
        base: data.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, starts: s, lengths: l,
        fixedWidth: 0, count: present))
  }

  private func indices(
    rows: Int, validity: UnsafeMutablePointer<UInt8>?, present: Int
  ) throws
    -> ColumnarBatch
  {
    let data = try buffer(1)
    let w = field.indexWidth
    guard data.count / w >= rows else {
      throw EncodingFailure(
        "the indices buffer has \(data.count) bytes; \(rows) rows need \(rows * w)")
    }
    let out = dense.typed(max(1, present), as: Int32.self)
    var j = 0
    for i in 0..<rows where validity == nil || validity![i] != 0 {
      let bits = ColumnarSpelling.bits(data.baseAddress!, i, width: w)
      let value =
        field.indexSigned ? ColumnarSpelling.signed(bits, width: w) : Int64(bitPattern: bits)
      // Out-of-range indices are reported by the target, with their row.
      out[j] = value < 0 || value > Int64(Int32.max) ? -1 : Int32(value)
      j += 1
    }
    return .indices(out, count: present)
  }

  /// Types the field's values into `target`.
  mutating func decode(into target: inout ColumnarTarget) throws {
    let (values, validity, rows) = try values()
    try target.write(values, validity: validity, rows: rows, rowStart: 0)
  }
}

/// The values of one dictionary (its batches, deltas appended), kept for the record batches that
/// index it.
struct ArrowDictionary {
  let field: ArrowSchema.Field
  private var fixed: [UInt8] = []
  private var arena: [UInt8] = []
  private var starts: [Int] = []
  private var lengths: [Int] = []
  private(set) var count = 0

  init(field: ArrowSchema.Field) { self.field = field }

  /// Appends a dictionary batch; returns a problem, if any.
  mutating func append(_ batch: ArrowReader.Batch) -> String? {
    var valueField = field
    valueField.dictionaryID = nil
    valueField.bufferCount = field.width > 0 || field.width == 0 || field.offsetWidth == 0 ? 2 : 3
    guard !batch.nodes.isEmpty, batch.buffers.count >= valueField.bufferCount else {
      return "the dictionary batch has no field node or too few buffers"
    }
    var decoder = ArrowColumnDecoder(field: valueField, batch: batch, node: 0, firstBuffer: 0)
    do {
      let (values, _, _) = try decoder.values()
      // Null entries are dropped by `values()`; a dictionary with nulls is refused instead of
      // renumbering it.
      guard values.count == batch.length else { return "the dictionary holds null values" }
      switch values {
      case .fixed(let base, let n):
        let w = max(1, field.width)
        fixed.append(contentsOf: UnsafeRawBufferPointer(start: base, count: n * w))
        count += n
      case .bytes(let v):
        for i in 0..<v.count {
          let bytes = v.value(i)
          starts.append(arena.count)
          lengths.append(bytes.count)
          arena.append(contentsOf: bytes)
        }
        count += v.count
      case .indices:
        return "a dictionary of a dictionary"
      }
      return nil
    } catch let failure as EncodingFailure {
      return failure.reason
    } catch let failure as DecompressionFailure {
      return failure.reason
    } catch {
      return "\(error)"
    }
  }

  /// Calls `body` with the dictionary as a batch.
  func withBatch(_ body: (ColumnarBatch) throws -> Void) throws {
    if field.width >= 0 && field.offsetWidth == 0 && !(field.kind?.isBytes ?? false) {
      try fixed.withUnsafeBytes { raw in
        try body(.fixed(raw.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, count: count))
      }
      return
    }
    try arena.withUnsafeBytes { raw in
      try starts.withUnsafeBufferPointer { s in
        try lengths.withUnsafeBufferPointer { l in
          try body(
            .bytes(
              ColumnarBytes(
                base: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!,
                starts: s.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                lengths: l.baseAddress ?? UnsafePointer(bitPattern: 8)!, fixedWidth: 0,
                count: count)))
        }
      }
    }
  }
}
