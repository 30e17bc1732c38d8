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
  /// anything else is GloVe text.
  public static func detect(_ bytes: UnsafeBufferPointer<UInt8>) -> EmbeddingFormat {
    guard let newline = bytes.prefix(200).firstIndex(of: 10) else { return .gloveText }
    let header = bytes[0..<newline].split(separator: 32)
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

  /// Reads an embedding file in one go and parses it.
  ///
  /// - Throws: ``BiasKitError`` naming the file and the byte offset (binary) or line (text)
  ///   of a truncated or malformed row, or a row whose length differs from the header's.
  /// - Complexity: O(file size).
  public init(contentsOf path: String, options: LoadOptions = LoadOptions()) throws {
    // Read the whole file with one read(2) straight into a Float buffer. A word2vec binary is
    // then compacted in place (each row moved down to its aligned slot), so the 32 MB of
    // vectors are touched twice and never copied into a second allocation.
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
      throw BiasKitError(
        .io, "\(path): cannot read the embedding file: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw BiasKitError(
        .io, "\(path): cannot read the embedding file: \(String(cString: strerror(errno)))")
    }
    let size = Int(status.st_size)
    var failure: Int32 = 0
    var buffer = [Float](unsafeUninitializedCapacity: size / 4 + 1) { storage, initialized in
      let raw = UnsafeMutableRawPointer(storage.baseAddress!)
      var done = 0
      while done < size {
        let n = read(descriptor, raw + done, size - done)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 {
          failure = n < 0 ? errno : EIO
          break
        }
        done += n
      }
      initialized = size / 4 + 1
    }
    if failure != 0 {
      throw BiasKitError(
        .io, "\(path): cannot read the embedding file: \(String(cString: strerror(failure)))")
    }
    let format =
      options.format
      ?? buffer.withUnsafeBytes { raw in
        EmbeddingFormat.detect(
          UnsafeBufferPointer(
            start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: size))
      }
    if format == .word2vecBinary {
      var parsed = try Self.compactBinary(
        &buffer, byteCount: size, path: path, limit: options.limit)
      if options.lowercase { parsed.words = parsed.words.map { $0.lowercased() } }
      try self.init(words: parsed.words, dimension: parsed.dimension, vectors: buffer)
      return
    }
    var textOptions = options
    textOptions.format = format
    self = try buffer.withUnsafeBytes { raw in
      try WordEmbedding(
        parsing: UnsafeBufferPointer(
          start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: size), path: path,
        options: textOptions)
    }
  }

  /// Parses a word2vec binary held in `buffer`'s bytes and moves every row to its aligned
  /// slot `i * dimension` in place (rows only move towards the start, and word i + 1 always
  /// lies beyond row i's new end), then trims `buffer` to the vectors.
  private static func compactBinary(
    _ buffer: inout [Float], byteCount: Int, path: String, limit: Int?
  ) throws
    -> (words: [String], dimension: Int)
  {
    let parsed = try buffer.withUnsafeMutableBytes {
      raw -> (words: [String], dimension: Int, keep: Int) in
      let bytes = UnsafeBufferPointer(
        start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: byteCount)
      let header = try parseHeader(bytes, path: path)
      let dimension = header.dimension
      let count = min(header.count, limit ?? header.count)
      let rowBytes = dimension * 4
      var words: [String] = []
      words.reserveCapacity(count)
      var offset = header.end
      let end = byteCount
      let base = raw.baseAddress!
      for i in 0..<count {
        while offset < end && bytes[offset] == 10 { offset += 1 }
        let start = offset
        while offset < end && bytes[offset] != 32 { offset += 1 }
        guard offset < end else {
          throw BiasKitError.truncatedEmbedding(
            path, byteOffset: start, "expected word \(i + 1) of \(header.count) followed by a space"
          )
        }
        guard offset > start else {
          throw BiasKitError.malformedEmbedding(path, byteOffset: start, "word \(i + 1) is empty")
        }
        words.append(
          String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self))
        offset += 1
        guard end - offset >= rowBytes else {
          throw BiasKitError.truncatedEmbedding(
            path, byteOffset: offset,
            "the vector of '\(words[i])' (word \(i + 1)) needs \(rowBytes) bytes, the file has \(end - offset) left"
          )
        }
        memmove(base + i * rowBytes, base + offset, rowBytes)
        offset += rowBytes
      }
      return (words, dimension, count * dimension)
    }
    buffer.removeSubrange(parsed.keep...)
    #if _endian(big)
      buffer = buffer.map { Float(bitPattern: $0.bitPattern.byteSwapped) }
    #endif
    try checkFinite(buffer, words: parsed.words, dimension: parsed.dimension, path: path)
    return (parsed.words, parsed.dimension)
  }

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
      parsed = try Self.parseBinary(bytes, path: path, limit: options.limit)
    case .word2vecText:
      parsed = try Self.parseText(bytes, path: path, limit: options.limit, header: true)
    case .gloveText:
      parsed = try Self.parseText(bytes, path: path, limit: options.limit, header: false)
    }
    if options.lowercase { parsed.words = parsed.words.map { $0.lowercased() } }
    try self.init(words: parsed.words, dimension: parsed.dimension, vectors: parsed.vectors)
  }

  // MARK: Binary

  private static func parseHeader(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws -> (
    count: Int, dimension: Int, end: Int
  ) {
    guard let newline = bytes.prefix(1000).firstIndex(of: 10) else {
      throw BiasKitError.malformedEmbedding(
        path, line: 1, "the header line 'count dimension' is missing")
    }
    let text = String(decoding: bytes[0..<newline], as: UTF8.self)
    let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
    guard fields.count == 2, let count = Int(fields[0]), let dimension = Int(fields[1]), count >= 0
    else {
      throw BiasKitError.malformedEmbedding(
        path, line: 1, "expected the header 'count dimension', found '\(text.prefix(60))'")
    }
    guard dimension >= 1 else { throw BiasKitError.embeddingDimension(dimension, path: path) }
    return (count, dimension, newline + 1)
  }

  private static func parseBinary(_ bytes: UnsafeBufferPointer<UInt8>, path: String, limit: Int?)
    throws
    -> (words: [String], dimension: Int, vectors: [Float])
  {
    let header = try parseHeader(bytes, path: path)
    let dimension = header.dimension
    let count = min(header.count, limit ?? header.count)
    let rowBytes = dimension * 4
    var words: [String] = []
    words.reserveCapacity(count)
    var vectors = [Float](repeating: 0, count: count * dimension)
    var offset = header.end
    let end = bytes.count
    try vectors.withUnsafeMutableBytes { out in
      for i in 0..<count {
        // gensim skips newlines before a word (some writers end each row with '\n').
        while offset < end && bytes[offset] == 10 { offset += 1 }
        let start = offset
        while offset < end && bytes[offset] != 32 { offset += 1 }
        guard offset < end else {
          throw BiasKitError.truncatedEmbedding(
            path, byteOffset: start, "expected word \(i + 1) of \(header.count) followed by a space"
          )
        }
        guard offset > start else {
          throw BiasKitError.malformedEmbedding(path, byteOffset: start, "word \(i + 1) is empty")
        }
        words.append(
          String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self))
        offset += 1
        guard end - offset >= rowBytes else {
          throw BiasKitError.truncatedEmbedding(
            path, byteOffset: offset,
            "the vector of '\(words[i])' (word \(i + 1)) needs \(rowBytes) bytes, the file has \(end - offset) left"
          )
        }
        out.baseAddress!.advanced(by: i * rowBytes)
          .copyMemory(
            from: UnsafeRawPointer(bytes.baseAddress!.advanced(by: offset)), byteCount: rowBytes)
        offset += rowBytes
      }
    }
    #if _endian(big)
      vectors = vectors.map { Float(bitPattern: $0.bitPattern.byteSwapped) }
    #endif
    try checkFinite(vectors, words: words, dimension: dimension, path: path)
    return (words, dimension, vectors)
  }

  private static func checkFinite(_ vectors: [Float], words: [String], dimension: Int, path: String)
    throws
  {
    // Fast SIMD pass: x·0 is NaN exactly when x is not finite.
    let allFinite = vectors.withUnsafeBufferPointer { buffer -> Bool in
      var acc = SIMD16<Float>()
      let lanes = buffer.count / 16
      let wide = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: SIMD16<Float>.self)
      for k in 0..<lanes { acc += wide[k] * 0 }
      var tail: Float = 0
      for k in (lanes * 16)..<buffer.count { tail += buffer[k] * 0 }
      return !(acc.sum() + tail).isNaN
    }
    if allFinite { return }
    for (k, x) in vectors.enumerated() where !x.isFinite {
      throw BiasKitError.malformedEmbedding(
        path, line: nil,
        "the vector of '\(words[k / dimension])' has a non-finite value at position \(k % dimension + 1)"
      )
    }
  }

  // MARK: Text

  private static func parseText(
    _ bytes: UnsafeBufferPointer<UInt8>, path: String, limit: Int?, header: Bool
  )
    throws -> (words: [String], dimension: Int, vectors: [Float])
  {
    var offset = 0
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
      vectors.reserveCapacity(min(maxWords, declaredCount) * dimension)
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
    data.reserveCapacity(count * (dimension * 4 + 16) + 32)
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
