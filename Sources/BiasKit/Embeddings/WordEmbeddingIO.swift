import Foundation

/// The on-disk layouts of word embeddings that BiasKit reads and writes.
///
/// - Complexity: ``detect(_:)`` reads at most the first 600 bytes.
public enum EmbeddingFormat: String, Sendable, CaseIterable {
  /// word2vec binary: a header line `count dimension`, then for each word its UTF-8 bytes,
  /// one space, and `dimension` little-endian float32 values (an optional newline may
  /// follow each row). gensim: `load_word2vec_format(binary=True)`.
  case word2vecBinary = "word2vec-binary"
  /// word2vec text: the same header line, then one line per word: the word and its values
  /// separated by spaces. gensim: `load_word2vec_format(binary=False)`.
  case word2vecText = "word2vec-text"
  /// GloVe text: like word2vec text without the header line.
  case gloveText = "glove"

  /// Guesses the format from the first bytes: a header line of two integers followed by
  /// bytes that are not valid text means binary; a header line alone means word2vec text;
  /// anything else is GloVe text. The header line may end in CRLF (a file written on Windows)
  /// and follow a UTF-8 byte-order mark.
  public static func detect(_ bytes: UnsafeBufferPointer<UInt8>) -> EmbeddingFormat {
    guard let newline = bytes.prefix(200).firstIndex(of: 10) else { return .gloveText }
    // The header line without a byte-order mark or the CR of a CRLF line ending.
    var start = 0
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
    var stop = newline
    if stop > start, bytes[stop - 1] == 13 { stop -= 1 }
    let header = bytes[start..<max(start, stop)].split(separator: 32)
    let isHeader =
      header.count == 2 && header.allSatisfy { $0.allSatisfy { $0 >= 48 && $0 <= 57 } }
    guard isHeader else { return .gloveText }
    // Text rows contain only printable bytes and whitespace in their first few hundred bytes
    // after the word; float32 data almost surely contains a control byte.
    let sample = bytes[(newline + 1)..<min(bytes.count, newline + 1 + 400)]
    let binary = sample.contains { $0 < 32 && $0 != 10 && $0 != 13 && $0 != 9 }
    return binary ? .word2vecBinary : .word2vecText
  }
}

extension WordEmbedding {
  /// Options for reading an embedding file.
  public struct LoadOptions: Sendable {
    /// The file layout; nil detects it from the first bytes (``EmbeddingFormat/detect(_:)``).
    public var format: EmbeddingFormat?
    /// Keep only the first `limit` words of the file (nil keeps all).
    public var limit: Int?
    /// Lower-case every word on load (the first of colliding words wins).
    public var lowercase: Bool

    public init(format: EmbeddingFormat? = nil, limit: Int? = nil, lowercase: Bool = false) {
      self.format = format
      self.limit = limit
      self.lowercase = lowercase
    }
  }

  /// Reads an embedding file and parses it.
  ///
  /// A word2vec binary is streamed: its first 256 KiB give the header and first rows; a file of
  /// 4 MiB or more is then read in 1 MiB pieces by a second thread, three pieces ahead of the
  /// parser (a smaller one through one reused 256 KiB buffer). Each row's word is hashed for the
  /// index and its vector copied into place as soon as the row is complete, so the file is read
  /// once, the vectors are written once and no file-sized scratch buffer exists. Text formats
  /// are read whole and parsed. Guides/WordEmbeddingLoading.md has the measurements.
  ///
  /// - Throws: ``BiasKitError`` naming the file and the byte offset (binary) or line (text)
  ///   of a truncated or malformed row, or a row whose length differs from the header's.
  /// - Complexity: O(file size).
  public init(contentsOf path: String, options: LoadOptions = LoadOptions()) throws {
    if InputFile.isStream(path) {
      // A FIFO, /dev/stdin or a /proc file: no size to stream by; read it whole.
      let bytes = try InputFile.read(path, what: "the embedding file")
      self = try bytes.withUnsafeBufferPointer {
        try WordEmbedding(parsing: $0, path: path, options: options)
      }
      return
    }
    let file = try EmbeddingFileReader(path: path)
    var buffer = EmbeddingReadBuffer(capacity: Self.readChunk)
    defer { buffer.deallocate() }
    try buffer.fill(from: file)
    let format = options.format ?? EmbeddingFormat.detect(buffer.filled)
    guard format == .word2vecBinary else {
      // Text: the whole file in memory, then the line parser.
      while !buffer.atEnd {
        buffer.reserve(max(buffer.count * 2, file.size + 1))
        try buffer.fill(from: file)
      }
      var textOptions = options
      textOptions.format = format
      self = try WordEmbedding(parsing: buffer.filled, path: path, options: textOptions)
      return
    }
    let header = try Self.parseHeader(buffer.filled, path: path)
    var parser = try Word2VecBinaryParser(
      header: header, limit: options.limit, bytesAfterHeader: file.size - header.end, path: path)
    var position = try parser.consume(
      buffer.filled, from: header.end, fileOffset: 0, atEnd: buffer.atEnd)
    if !parser.isComplete && !buffer.atEnd && file.size >= 4 * Self.readAheadChunk {
      position = try Self.parseReadingAhead(&parser, &buffer, from: position, file: file)
    }
    while !parser.isComplete {
      // The next row is incomplete: keep its start, read on (growing for an oversized row).
      position = buffer.discard(upTo: position)
      if buffer.count == buffer.capacity { buffer.reserve(buffer.capacity * 2) }
      try buffer.fill(from: file)
      position = try parser.consume(
        buffer.filled, from: position, fileOffset: buffer.fileOffset, atEnd: buffer.atEnd)
    }
    if options.limit == nil {
      var tail = [UInt8](repeating: 0, count: 16)
      let read = try tail.withUnsafeMutableBytes {
        try file.readFully(into: $0.baseAddress!, count: 16, at: parser.endOffset)
      }
      try parser.checkNothingFollows(
        tail: tail[..<read], remaining: max(read, file.size - parser.endOffset))
    }
    self = try parser.finish(lowercase: options.lowercase)
  }

  /// Bytes per slot of the read-ahead ring.
  static let readAheadChunk = 1 << 20

  /// Parses the rest of a large binary file while a second thread reads it ahead
  /// (``ReadAheadRing``), so that the kernel's copy of the file overlaps the parsing. Returns
  /// with `parser` complete, or — when a row's start does not fit a slot's carry room (a word
  /// of more than 64 KiB) — with `buffer` holding the unparsed bytes for the sequential loop.
  private static func parseReadingAhead(
    _ parser: inout Word2VecBinaryParser, _ buffer: inout EmbeddingReadBuffer,
    from position: Int, file: EmbeddingFileReader
  ) throws -> Int {
    let ring = ReadAheadRing(
      chunk: readAheadChunk, room: max(1 << 16, 2 * (parser.rowBytes + 2) + 4096))
    guard buffer.count - position <= ring.room else { return position }
    ring.start(file, at: buffer.fileOffset + buffer.count)
    defer { ring.stop() }
    // The unparsed tail: first in `buffer`, then in the previous slot.
    var tail = UnsafeRawPointer(buffer.storage + position)
    var tailCount = buffer.count - position
    var tailOffset = buffer.fileOffset + position
    var previous: Int?
    for piece in 0... {
      let (slot, count, atEnd) = try ring.take(piece)
      let data = ring.data(slot)
      (data - tailCount).copyMemory(from: tail, byteCount: tailCount)
      if let previous { ring.give(previous) }
      previous = slot
      let bytes = UnsafeBufferPointer(
        start: (data - tailCount).assumingMemoryBound(to: UInt8.self), count: tailCount + count)
      let end = try parser.consume(bytes, from: 0, fileOffset: tailOffset, atEnd: atEnd)
      if parser.isComplete { return 0 }
      tail = UnsafeRawPointer(bytes.baseAddress! + end)
      tailCount = bytes.count - end
      tailOffset += end
      if tailCount > ring.room {
        buffer.replace(with: UnsafeRawBufferPointer(start: tail, count: tailCount), at: tailOffset)
        return 0
      }
    }
    preconditionFailure("unreachable")
  }

  /// Bytes read per `read(2)` call when streaming a binary file: small enough to stay in L2
  /// (1 MiB on this machine) while its rows are copied out; 64 KiB–4 MiB measured, 256 KiB best.
  static let readChunk = 1 << 18

  /// Parses the bytes of an embedding file (`path` is used only in error messages).
  public init(
    parsing bytes: UnsafeBufferPointer<UInt8>, path: String, options: LoadOptions = LoadOptions()
  )
    throws
  {
    let format = options.format ?? EmbeddingFormat.detect(bytes)
    var parsed: (words: [String], dimension: Int, vectors: [Float])
    switch format {
    case .word2vecBinary:
      let header = try Self.parseHeader(bytes, path: path)
      var parser = try Word2VecBinaryParser(
        header: header, limit: options.limit, bytesAfterHeader: bytes.count - header.end,
        path: path)
      let end = try parser.consume(bytes, from: header.end, fileOffset: 0, atEnd: true)
      if options.limit == nil {
        try parser.checkNothingFollows(
          tail: ArraySlice(bytes[end..<min(bytes.count, end + 16)]), remaining: bytes.count - end)
      }
      self = try parser.finish(lowercase: options.lowercase)
      return
    case .word2vecText:
      parsed = try Self.parseText(bytes, path: path, limit: options.limit, header: true)
    case .gloveText:
      parsed = try Self.parseText(bytes, path: path, limit: options.limit, header: false)
    }
    if options.lowercase { parsed.words = parsed.words.map { $0.lowercased() } }
    try self.init(words: parsed.words, dimension: parsed.dimension, vectors: parsed.vectors)
  }

  // MARK: Binary

  fileprivate static func parseHeader(
    _ bytes: UnsafeBufferPointer<UInt8>, path: String
  ) throws
    -> (count: Int, dimension: Int, end: Int)
  {
    guard let newline = bytes.prefix(1000).firstIndex(of: 10) else {
      throw BiasKitError.malformedEmbedding(
        path, line: 1, "the header line 'count dimension' is missing")
    }
    let bom = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
    let text = String(decoding: bytes[(bom ? 3 : 0)..<max(bom ? 3 : 0, newline)], as: UTF8.self)
    let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
    guard fields.count == 2, let count = Int(fields[0]), let dimension = Int(fields[1]), count >= 0
    else {
      throw BiasKitError.malformedEmbedding(
        path, line: 1, "expected the header 'count dimension', found '\(text.prefix(60))'")
    }
    guard dimension >= 1 else { throw BiasKitError.embeddingDimension(dimension, path: path) }
    return (count, dimension, newline + 1)
  }

  fileprivate static func checkFinite(
    _ vectors: [Float], words: [String], dimension: Int, path: String
  ) throws {
    if vectors.withUnsafeBufferPointer({ allFinite($0) }) { return }
    for (k, x) in vectors.enumerated() where !x.isFinite {
      throw BiasKitError.malformedEmbedding(
        path, line: nil,
        "the vector of '\(words[k / dimension])' has a non-finite value at position \(k % dimension + 1)"
      )
    }
  }

  /// Whether every value is finite, in one SIMD pass: x·0 is NaN exactly when x is not finite.
  fileprivate static func allFinite(_ values: UnsafeBufferPointer<Float>) -> Bool {
    guard let base = values.baseAddress else { return true }
    var acc = SIMD16<Float>()
    let lanes = values.count / 16
    let raw = UnsafeRawPointer(base)
    for k in 0..<lanes {
      acc += raw.loadUnaligned(fromByteOffset: k * 64, as: SIMD16<Float>.self) * 0
    }
    var tail: Float = 0
    for k in (lanes * 16)..<values.count { tail += values[k] * 0 }
    return !(acc.sum() + tail).isNaN
  }

  // MARK: Text

  private static func parseText(
    _ bytes: UnsafeBufferPointer<UInt8>, path: String, limit: Int?, header: Bool
  )
    throws -> (words: [String], dimension: Int, vectors: [Float])
  {
    // A UTF-8 byte-order mark is not part of the first word (or of the header).
    var offset =
      bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    var line = 0
    var declaredCount: Int?
    var dimension: Int?
    if header {
      let h = try parseHeader(bytes, path: path)
      declaredCount = h.count
      dimension = h.dimension
      offset = h.end
      line = 1
    }
    let maxWords = min(limit ?? Int.max, declaredCount ?? Int.max)
    var words: [String] = []
    var vectors: [Float] = []
    if let declaredCount, let dimension {
      // The header may lie: every value takes at least two bytes of the file, so reserve no
      // more than the file can fill (and never let count × dimension overflow).
      let (declared, overflow) = max(0, min(maxWords, declaredCount)).multipliedReportingOverflow(
        by: dimension)
      vectors.reserveCapacity(min(overflow ? Int.max : declared, bytes.count / 2))
    }
    let end = bytes.count
    var field = [CChar](repeating: 0, count: 64)
    while offset < end && words.count < maxWords {
      line += 1
      var lineEnd = offset
      while lineEnd < end && bytes[lineEnd] != 10 { lineEnd += 1 }
      var stop = lineEnd
      if stop > offset && bytes[stop - 1] == 13 { stop -= 1 }
      defer { offset = lineEnd + 1 }
      // Split on spaces and tabs.
      var tokens: [Range<Int>] = []
      var i = offset
      while i < stop {
        while i < stop && (bytes[i] == 32 || bytes[i] == 9) { i += 1 }
        let s = i
        while i < stop && bytes[i] != 32 && bytes[i] != 9 { i += 1 }
        if i > s { tokens.append(s..<i) }
      }
      if tokens.isEmpty { continue }  // blank line
      let values = tokens.count - 1
      if dimension == nil {
        guard values >= 1 else {
          throw BiasKitError.malformedEmbedding(path, line: line, "a word with no values")
        }
        dimension = values
      }
      guard values == dimension! else {
        throw BiasKitError.embeddingRowLength(path, line: line, expected: dimension!, found: values)
      }
      words.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[tokens[0]]), as: UTF8.self))
      for (k, range) in tokens.dropFirst().enumerated() {
        guard range.count < 63 else {
          throw BiasKitError.malformedEmbedding(
            path, line: line,
            "value \(k + 1) is not a number: '\(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]).prefix(40), as: UTF8.self))'"
          )
        }
        for (m, b) in bytes[range].enumerated() { field[m] = CChar(bitPattern: b) }
        field[range.count] = 0
        var endPointer: UnsafeMutablePointer<CChar>?
        let value = field.withUnsafeMutableBufferPointer { f -> Float in
          let v = strtof(f.baseAddress!, &endPointer)
          return endPointer == f.baseAddress! + range.count ? v : .nan
        }
        guard value.isFinite else {
          throw BiasKitError.malformedEmbedding(
            path, line: line,
            "value \(k + 1) of '\(words.last!)' is not a finite number: '\(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))'"
          )
        }
        vectors.append(value)
      }
    }
    if let declaredCount, words.count < min(declaredCount, maxWords) {
      throw BiasKitError.truncatedEmbedding(
        path, line: line, "the header declares \(declaredCount) words, the file has \(words.count)")
    }
    if let declaredCount, limit == nil {
      // More rows than the header declares: gensim stops at the count; say so rather than
      // drop them silently.
      var next = offset
      var nextLine = line + 1
      while next < end {
        let b = bytes[next]
        if b == 10 { nextLine += 1 }
        if b != 10 && b != 13 && b != 32 && b != 9 {
          throw BiasKitError.rowsBeyondDeclaredCount(path, line: nextLine, declared: declaredCount)
        }
        next += 1
      }
    }
    guard let dimension else {
      throw BiasKitError.malformedEmbedding(path, line: nil, "the file holds no word vectors")
    }
    return (words, dimension, vectors)
  }

  // MARK: Writing

  /// The word2vec binary encoding of this embedding (gensim's
  /// `save_word2vec_format(binary=True)`: no newline after each row).
  public func word2vecBinaryData() -> Data {
    var data = Data()
    // No words: the dimension may be anything a header declared (2⁶¹), so nothing is sized by it.
    data.reserveCapacity(count == 0 ? 32 : count * (dimension * 4 + 16) + 32)
    data.append(contentsOf: Array("\(count) \(dimension)\n".utf8))
    vectors.withUnsafeBytes { raw in
      for (i, word) in words.enumerated() {
        data.append(contentsOf: Array(word.utf8))
        data.append(32)
        #if _endian(big)
          for j in 0..<dimension {
            withUnsafeBytes(of: vectors[i * dimension + j].bitPattern.littleEndian) {
              data.append(contentsOf: $0)
            }
          }
        #else
          data.append(contentsOf: raw[(i * dimension * 4)..<((i + 1) * dimension * 4)])
        #endif
      }
    }
    return data
  }

  /// The word2vec text encoding (header line, then `word v1 … vd` per line).
  public func word2vecTextData() -> Data {
    var text = "\(count) \(dimension)\n"
    for (i, word) in words.enumerated() {
      text += word
      for j in 0..<dimension { text += " \(vectors[i * dimension + j])" }
      text += "\n"
    }
    return Data(text.utf8)
  }

  /// Writes the embedding atomically (through ``AtomicFileWriter``) in `format`.
  public func write(to path: String, format: EmbeddingFormat = .word2vecBinary) throws {
    switch format {
    case .word2vecBinary: try AtomicFileWriter.write(word2vecBinaryData(), to: path)
    case .word2vecText: try AtomicFileWriter.write(word2vecTextData(), to: path)
    case .gloveText:
      var text = String(decoding: word2vecTextData(), as: UTF8.self)
      if let newline = text.firstIndex(of: "\n") { text.removeSubrange(...newline) }
      try AtomicFileWriter.write(text, to: path)
    }
  }
}

// MARK: - Streaming the word2vec binary format

/// Parses word2vec binary rows as their bytes arrive, straight into the final arrays: each
/// row's word becomes a `String` and is hashed from the file's bytes for the ``WordIndex``,
/// and its vector is copied (rows are unaligned in the file) to slot `row · dimension`.
/// Shared by the streaming file loader and ``WordEmbedding/init(parsing:path:options:)``.
private struct Word2VecBinaryParser {
  let path: String
  let declaredCount: Int
  let count: Int
  let dimension: Int
  let rowBytes: Int
  /// Rows the vector buffer holds: every row takes at least `rowBytes + 2` bytes of the file,
  /// so a lying header cannot make us allocate more than the file can fill.
  let capacityRows: Int
  private(set) var row = 0
  /// The file offset just past the last row, once complete.
  private(set) var endOffset = 0
  private var words: [String] = []
  /// The ``WordIndex/hash(_:)`` of each word, computed while its bytes are in cache; the index
  /// is built from these at the end, when its table is not competing with the streamed bytes.
  private var hashes: [UInt64] = []
  private var vectors: [Float]
  private var finiteSoFar = true
  /// Whether the last row's vector began like the rest of a word (text, then a space).
  private var previousVectorLooksLikeText = false

  init(
    header: (count: Int, dimension: Int, end: Int), limit: Int?, bytesAfterHeader: Int,
    path: String
  ) throws {
    self.path = path
    declaredCount = header.count
    endOffset = header.end  // a header of 0 words: the rows end where the header does
    count = max(0, min(header.count, limit ?? header.count))
    dimension = header.dimension
    let (bytes, overflow) = header.dimension.multipliedReportingOverflow(by: 4)
    guard !overflow else {
      throw BiasKitError.truncatedEmbedding(
        path, byteOffset: header.end,
        "vectors of \(header.dimension) float32 values cannot fit in the file")
    }
    rowBytes = bytes
    capacityRows = min(count, max(0, bytesAfterHeader) / (rowBytes + 2))
    words.reserveCapacity(capacityRows)
    hashes.reserveCapacity(capacityRows)
    vectors = uninitializedArray(count: capacityRows * dimension)
  }

  var isComplete: Bool { row == count }

  /// Parses the complete rows of `bytes` from `position` on and returns where the first
  /// unparsed row starts. `fileOffset` is the offset of `bytes[0]` in the file (for errors);
  /// `atEnd` says no bytes follow, so that an incomplete row is a truncated file.
  mutating func consume(
    _ bytes: UnsafeBufferPointer<UInt8>, from position: Int, fileOffset: Int, atEnd: Bool
  ) throws -> Int {
    guard row < count else { return position }
    guard let base = bytes.baseAddress, !bytes.isEmpty else {
      guard atEnd else { return position }
      throw BiasKitError.truncatedEmbedding(
        path, byteOffset: fileOffset + position,
        "expected word \(row + 1) of \(declaredCount) followed by a space")
    }
    let end = bytes.count
    var position = position
    var out: [Float] = []
    swap(&out, &vectors)  // a local buffer, so the loop below may also update self
    defer { swap(&out, &vectors) }
    // x·0 is NaN exactly when x is not finite: summed over the copied values as they pass.
    var wide = SIMD16<Float>()
    var narrow: Float = 0
    defer { finiteSoFar = finiteSoFar && !(wide.sum() + narrow).isNaN }
    try out.withUnsafeMutableBytes { destination in
      while row < count {
        var p = position
        // gensim skips newlines before a word (some writers end each row with '\n').
        while p < end && base[p] == 10 { p += 1 }
        let start = p
        var bits: UInt8 = 0
        var low: UInt8 = 0xFF
        while p < end && base[p] != 32 {
          bits |= base[p]
          low = min(low, base[p])
          p += 1
        }
        guard p < end else {
          guard atEnd else { return }
          throw BiasKitError.truncatedEmbedding(
            path, byteOffset: fileOffset + start,
            "expected word \(row + 1) of \(declaredCount) followed by a space")
        }
        guard p > start else {
          throw BiasKitError.malformedEmbedding(
            path, byteOffset: fileOffset + start, "word \(row + 1) is empty")
        }
        let wordBytes = UnsafeBufferPointer(start: base + start, count: p - start)
        let vectorStart = p + 1
        guard end - vectorStart >= rowBytes else {
          guard atEnd else { return }
          throw BiasKitError.truncatedEmbedding(
            path, byteOffset: fileOffset + vectorStart,
            "the vector of '\(String(decoding: wordBytes, as: UTF8.self))' (word \(row + 1)) needs \(rowBytes) bytes, the file has \(end - vectorStart) left"
          )
        }
        guard row < capacityRows else {
          throw BiasKitError(.io, "\(path): the file grew while it was being read")
        }
        if previousVectorLooksLikeText, bits >= 0x80 || low < 0x20, !Self.isText(wordBytes) {
          // The word before this one contained a space: the rest of that word (text, then a
          // space) was taken as the start of its vector, and what was left of that vector
          // begins this "word", which is not text. (A word that is not UTF-8 after a genuine
          // vector stays a word, decoded with replacement characters, as before.)
          throw BiasKitError.malformedEmbedding(
            path, byteOffset: fileOffset + start,
            "word \(row + 1) is not UTF-8 text: most likely a word contains a space (word2vec binary words end at the first space, so the vectors are misread from there on)"
          )
        }
        let word = String(decoding: wordBytes, as: UTF8.self)
        // ASCII bytes are the String's bytes; otherwise hash what decoding produced.
        hashes.append(bits < 0x80 ? WordIndex.hash(wordBytes) : WordIndex.hash(word))
        words.append(word)
        Self.copyRow(
          from: UnsafeRawPointer(base + vectorStart), to: destination.baseAddress! + row * rowBytes,
          byteCount: rowBytes, wide: &wide, narrow: &narrow)
        previousVectorLooksLikeText = Self.beginsWithText(
          UnsafeBufferPointer(start: base + vectorStart, count: rowBytes))
        position = vectorStart + rowBytes
        row += 1
      }
    }
    if row == count { endOffset = fileOffset + position }
    return position
  }

  /// Whether a vector's bytes begin as the rest of a word would: non-space text bytes, then a
  /// space, within the first 64 bytes.
  static func beginsWithText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    for (k, b) in bytes.prefix(64).enumerated() {
      if b == 0x20 { return k > 0 }
      if b < 0x21 || b == 0x7F { return false }
    }
    return false
  }

  /// Whether a binary word is text: valid UTF-8 without control characters (a tab or a line
  /// break inside a word, or bytes that do not decode, are what is left of a misread vector).
  static func isText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    if bytes.contains(where: { $0 < 0x20 }) { return false }
    return String(validating: bytes, as: UTF8.self) != nil
  }

  /// Throws unless only line breaks follow the last row ending at ``endOffset`` (`tail` holds
  /// up to 16 of the following bytes, `remaining` counts all of them). A word containing a
  /// space (binary words end at the first space) shifts every later vector and leaves bytes
  /// over, as does a header count smaller than the rows; both were read silently before.
  func checkNothingFollows(tail: ArraySlice<UInt8>, remaining: Int) throws {
    guard remaining > 0 else { return }
    if remaining <= tail.count && tail.allSatisfy({ $0 == 10 || $0 == 13 }) { return }
    throw BiasKitError(
      .malformedInput,
      "\(path): malformed embedding file at byte offset \(endOffset): \(remaining) byte\(remaining == 1 ? "" : "s") follow the last of the \(declaredCount) words the header declares: either a word contains a space (word2vec binary words end at the first space, so every later vector is misread) or the header's count is smaller than the file's rows (\(.limit, "N") reads only the first N)"
    )
  }

  /// Copies one row (unaligned at both ends) 64 bytes at a time, adding `x·0` of every value
  /// to `wide` or `narrow`, so the finiteness check costs no second pass.
  @inline(__always) private static func copyRow(
    from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, byteCount: Int,
    wide: inout SIMD16<Float>, narrow: inout Float
  ) {
    var k = 0
    while k + 64 <= byteCount {
      let v = source.loadUnaligned(fromByteOffset: k, as: SIMD16<Float>.self)
      destination.storeBytes(of: v, toByteOffset: k, as: SIMD16<Float>.self)
      wide += v * 0
      k += 64
    }
    while k < byteCount {
      let x = source.loadUnaligned(fromByteOffset: k, as: Float.self)
      destination.storeBytes(of: x, toByteOffset: k, as: Float.self)
      narrow += x * 0
      k += 4
    }
  }

  /// The embedding, once ``isComplete``.
  mutating func finish(lowercase: Bool) throws -> WordEmbedding {
    precondition(isComplete && vectors.count == count * dimension)
    #if _endian(big)
      vectors = vectors.map { Float(bitPattern: $0.bitPattern.byteSwapped) }
      finiteSoFar = false
    #endif
    if !finiteSoFar {
      try WordEmbedding.checkFinite(vectors, words: words, dimension: dimension, path: path)
    }
    let lookup: WordIndex
    if lowercase {
      words = words.map { $0.lowercased() }
      lookup = WordIndex(words)
    } else {
      lookup = WordIndex(hashes: hashes)
    }
    return WordEmbedding(words: words, dimension: dimension, vectors: vectors, lookup: lookup)
  }
}

/// An open embedding file, closed on deinit. Immutable, and `pread` keeps no file position, so
/// the read-ahead thread and the parser may both use it.
private final class EmbeddingFileReader: Sendable {
  let descriptor: Int32
  /// The size `fstat` reported when the file was opened.
  let size: Int
  let path: String

  init(path: String) throws {
    self.path = path
    descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw Self.failure(path, errno) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      let code = errno
      close(descriptor)
      throw Self.failure(path, code)
    }
    size = Int(status.st_size)
  }

  deinit { close(descriptor) }

  /// Reads up to `count` bytes at `offset` (0 at end of file).
  func readBytes(
    into destination: UnsafeMutableRawPointer, count: Int, at offset: Int
  ) throws
    -> Int
  {
    while true {
      let n = pread(descriptor, destination, count, off_t(offset))
      if n >= 0 { return n }
      if errno != EINTR { throw Self.failure(path, errno) }
    }
  }

  /// Reads `count` bytes at `offset`, fewer only at the end of the file.
  func readFully(
    into destination: UnsafeMutableRawPointer, count: Int, at offset: Int
  ) throws
    -> Int
  {
    var done = 0
    while done < count {
      let n = try readBytes(into: destination + done, count: count - done, at: offset + done)
      if n == 0 { break }
      done += n
    }
    return done
  }

  static func failure(_ path: String, _ code: Int32) -> BiasKitError {
    BiasKitError(.io, "\(path): cannot read the embedding file: \(String(cString: strerror(code)))")
  }
}

/// A byte buffer over a file: bytes `0..<count` hold the file's bytes from `fileOffset` on.
private struct EmbeddingReadBuffer {
  private(set) var storage: UnsafeMutableRawPointer
  private(set) var capacity: Int
  private(set) var count = 0
  private(set) var fileOffset = 0
  /// Whether the last read hit the end of the file.
  private(set) var atEnd = false

  init(capacity: Int) {
    self.capacity = capacity
    storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
  }

  var filled: UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: storage.assumingMemoryBound(to: UInt8.self), count: count)
  }

  /// Reads on (from file offset `fileOffset + count`) until the buffer is full or the file
  /// ends.
  mutating func fill(from file: EmbeddingFileReader) throws {
    guard count < capacity && !atEnd else { return }
    let n = try file.readFully(
      into: storage + count, count: capacity - count, at: fileOffset + count)
    count += n
    if count < capacity { atEnd = true }
  }

  /// Holds `bytes`, the file's bytes from `offset` on (the end of the file not yet seen).
  mutating func replace(with bytes: UnsafeRawBufferPointer, at offset: Int) {
    count = 0
    reserve(bytes.count + 1)
    if let base = bytes.baseAddress { storage.copyMemory(from: base, byteCount: bytes.count) }
    count = bytes.count
    fileOffset = offset
    atEnd = false
  }

  /// Drops the bytes before `position` (moving the rest to the front); returns the new
  /// position of what was at `position`, 0.
  mutating func discard(upTo position: Int) -> Int {
    if position > 0 {
      memmove(storage, storage + position, count - position)
      count -= position
      fileOffset += position
    }
    return 0
  }

  /// Grows the buffer to at least `newCapacity` bytes, keeping its contents.
  mutating func reserve(_ newCapacity: Int) {
    guard newCapacity > capacity else { return }
    let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 64)
    grown.copyMemory(from: storage, byteCount: count)
    storage.deallocate()
    storage = grown
    capacity = newCapacity
  }

  func deallocate() { storage.deallocate() }
}

/// A ring of buffers that a second thread fills with a file's consecutive pieces (`pread`),
/// ahead of the thread that parses them.
///
/// Slot `k` is `room` bytes of carry space followed by `chunk` bytes of file, so the parser can
/// put the unparsed end of the previous piece right before the new bytes. Piece `p` goes to
/// slot `p % slotCount`; the reader waits until the parser has given the slot back. With three
/// slots the reader runs at most two pieces ahead.
private final class ReadAheadRing: @unchecked Sendable {
  let chunk: Int
  let room: Int
  let slotCount = 3
  private let storage: UnsafeMutableRawPointer
  /// Per slot: bytes read, whether the file ended there, the error of a failed read. The two
  /// threads touch different slots at once, but a Swift array is one value: every access holds
  /// `lock` (the semaphores order the slots; the lock keeps the arrays themselves race-free).
  private var counts: [Int]
  private var ends: [Bool]
  private var failures: [BiasKitError?]
  private let filled: [DispatchSemaphore]
  private let emptied: [DispatchSemaphore]
  private let finished = DispatchSemaphore(value: 0)
  private let lock = NSLock()
  private var stopped = false

  init(chunk: Int, room: Int) {
    self.chunk = chunk
    self.room = room
    storage = UnsafeMutableRawPointer.allocate(
      byteCount: slotCount * (room + chunk), alignment: 64)
    counts = Array(repeating: 0, count: slotCount)
    ends = Array(repeating: false, count: slotCount)
    failures = Array(repeating: nil, count: slotCount)
    // Created at 0 and signalled, so that no semaphore is ever below its initial value.
    filled = (0..<slotCount).map { _ in DispatchSemaphore(value: 0) }
    emptied = (0..<slotCount).map { _ in DispatchSemaphore(value: 0) }
    for semaphore in emptied { semaphore.signal() }
  }

  deinit { storage.deallocate() }

  /// The first byte of file data in `slot` (`room` bytes of carry space precede it).
  func data(_ slot: Int) -> UnsafeMutableRawPointer { storage + slot * (room + chunk) + room }

  /// Starts the reader on the file's bytes from `offset` on, on a thread of its own (not a
  /// Dispatch worker: a loader called from a busy pool must not wait for a free worker).
  func start(_ file: EmbeddingFileReader, at offset: Int) {
    Thread { [self] in
      defer { finished.signal() }
      var offset = offset
      for piece in 0... {
        let slot = piece % slotCount
        emptied[slot].wait()
        if isStopped { return }
        var count = 0
        var end = true
        var failure: BiasKitError?
        do {
          count = try file.readFully(into: data(slot), count: chunk, at: offset)
          end = count < chunk
        } catch {
          failure = error as? BiasKitError ?? BiasKitError(.io, "\(file.path): \(error)")
        }
        lock.lock()
        counts[slot] = count
        ends[slot] = end
        failures[slot] = failure
        lock.unlock()
        offset += count
        filled[slot].signal()
        if end { return }
      }
    }.start()
  }

  /// Waits for piece `piece`: its slot, byte count and whether the file ends with it.
  func take(_ piece: Int) throws -> (slot: Int, count: Int, atEnd: Bool) {
    let slot = piece % slotCount
    filled[slot].wait()
    lock.lock()
    let (count, end, failure) = (counts[slot], ends[slot], failures[slot])
    lock.unlock()
    if let failure { throw failure }
    return (slot, count, end)
  }

  /// Hands `slot` back to the reader.
  func give(_ slot: Int) { emptied[slot].signal() }

  private var isStopped: Bool {
    lock.lock()
    defer { lock.unlock() }
    return stopped
  }

  /// Stops the reader and waits for it to leave (it may be blocked on a slot).
  func stop() {
    lock.lock()
    stopped = true
    lock.unlock()
    for semaphore in emptied { semaphore.signal() }
    finished.wait()
  }
}
