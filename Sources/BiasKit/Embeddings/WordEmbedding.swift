import Foundation

/// A table of word vectors: a vocabulary in file order and one `Float` row per word.
///
/// Rows are stored contiguously (row-major, `vectors[i * dimension + j]`), exactly as the
/// word2vec binary format stores them, so loading is a streamed read and one copy per row
/// (Guides/WordEmbeddingLoading.md). All the bias measures read these float32 values and
/// accumulate in `Double`; the references (responsibly 0.1.2, WEFE 1.0.1) accumulate in
/// float32, which puts them within about 1e-7 of BiasKit's numbers.
///
/// Loading corresponds to gensim's `KeyedVectors.load_word2vec_format(path, binary=…)`
/// (word2vec binary and text formats) and to GloVe's text format (no header line).
/// Conventions:
/// - Lookups are exact and case-sensitive: two words are the same word when their UTF-8
///   bytes are equal, as in gensim's Python `dict` (no Unicode normalization). With
///   `lowercase`, every word is lower-cased on load; when two words then coincide, the first in
///   file order (the more frequent) wins.
/// - When a word occurs twice in the file, the first row is kept for lookups.
/// - `limit` keeps the first `limit` words of the file (word2vec files are sorted by
///   frequency, so these are the most frequent).
///
/// - Complexity: loading is O(file size); ``index(of:)`` is O(length of the word) expected.
public struct WordEmbedding: Sendable {
  /// The words, in file order.
  public private(set) var words: [String]
  /// Length of every vector.
  public let dimension: Int
  /// The vectors, row-major: `vectors.count == words.count * dimension`.
  public var vectors: [Float]
  /// The first row of each distinct word (built once; `words` never changes after init).
  private var lookup: WordIndex

  /// An embedding over `words` with row-major `vectors`.
  /// - Throws: ``BiasKitError`` when `vectors.count != words.count * dimension` or
  ///   `dimension < 1`.
  public init(words: [String], dimension: Int, vectors: [Float]) throws {
    guard dimension >= 1 else { throw BiasKitError.embeddingDimension(dimension) }
    guard vectors.count == words.count * dimension else {
      throw BiasKitError(
        .invalidArgument,
        "an embedding of \(words.count) words of dimension \(dimension) needs \(words.count * dimension) values, got \(vectors.count)"
      )
    }
    self.init(words: words, dimension: dimension, vectors: vectors, lookup: WordIndex(words))
  }

  /// The loaders' init: the shapes are already checked and `lookup` indexes `words`.
  init(words: [String], dimension: Int, vectors: [Float], lookup: WordIndex) {
    self.words = words
    self.dimension = dimension
    self.vectors = vectors
    self.lookup = lookup
  }

  /// Number of words.
  public var count: Int { words.count }

  /// The row of `word`, or nil when it is not in the vocabulary.
  @inlinable public func index(of word: String) -> Int? { positionsLookup(word) }

  @usableFromInline func positionsLookup(_ word: String) -> Int? {
    lookup.firstRow(of: word, in: words)
  }

  /// Whether `word` is in the vocabulary.
  public func contains(_ word: String) -> Bool { positionsLookup(word) != nil }

  /// The vector of row `i`, widened to `Double`.
  public func vector(at i: Int) -> [Double] {
    let base = i * dimension
    return (0..<dimension).map { Double(vectors[base + $0]) }
  }

  /// The vector of `word` widened to `Double`, or nil when it is not in the vocabulary.
  public func vector(_ word: String) -> [Double]? { index(of: word).map { vector(at: $0) } }

  /// The vector of `word`, or a ``BiasKitError`` naming the word.
  func requireVector(_ word: String) throws -> [Double] {
    guard let v = vector(word) else { throw BiasKitError.wordsNotInVocabulary([word], context: "") }
    return v
  }

  /// Overwrites row `i` with `values` (rounded to float32).
  mutating func setVector(at i: Int, _ values: [Double]) {
    let base = i * dimension
    for j in 0..<dimension { vectors[base + j] = Float(values[j]) }
  }

  /// The words of `list` that are in the vocabulary (in order) and those that are not.
  public func partition(_ list: [String]) -> (found: [String], missing: [String]) {
    var found: [String] = []
    var missing: [String] = []
    for word in list { if contains(word) { found.append(word) } else { missing.append(word) } }
    return (found, missing)
  }

  /// A copy in which every row has Euclidean norm 1 (rows of norm 0 are left as zeros),
  /// like gensim's `init_sims(replace=True)`.
  public func normalized() -> WordEmbedding {
    var copy = self
    copy.vectors.withUnsafeMutableBufferPointer { buffer in
      for i in 0..<count {
        let row = UnsafeMutableBufferPointer(
          rebasing: buffer[(i * dimension)..<((i + 1) * dimension)])
        var sum = 0.0
        for x in row { sum += Double(x) * Double(x) }
        let norm = sum.squareRoot()
        guard norm > 0 else { continue }
        for j in row.indices { row[j] = Float(Double(row[j]) / norm) }
      }
    }
    return copy
  }
}

// MARK: - The word index

/// An open-addressing hash table from a word's UTF-8 bytes to the first row holding that word.
///
/// Each slot packs the upper 32 bits of the word's 64-bit hash with `row + 1` (0 marks an
/// empty slot); probing is linear, the table is at most half full. Rows are inserted in file
/// order and never removed, so a repeated word sits later on its probe chain than its first
/// occurrence and a lookup, which stops at the first slot whose word equals the query, returns
/// the first row: duplicates need no comparison while loading. Hashing bytes rather than
/// `String`s lets the binary loader index each word straight from the file's bytes, which is
/// several times cheaper than `[String: Int]` (SipHash over normalized `String`s).
///
/// - Complexity: insertion O(length of the word) expected; lookup the same plus one byte
///   comparison per candidate whose 32-bit hash tag matches.
struct WordIndex: Sendable {
  private var slots: [UInt64]
  private var mask: Int

  /// An empty table with room for `count` words.
  private init(capacity count: Int) {
    var size = 16
    while size < 2 * count { size <<= 1 }
    slots = [UInt64](repeating: 0, count: size)
    mask = size - 1
  }

  /// The index of `words`, first occurrence winning.
  init(_ words: [String]) { self.init(hashes: words.map { Self.hash($0) }) }

  /// The index of the words whose ``hash(_:)``es are `hashes`, in row order.
  init(hashes: [UInt64]) {
    self.init(capacity: hashes.count)
    let mask = self.mask
    slots.withUnsafeMutableBufferPointer { table in
      for (row, hash) in hashes.enumerated() {
        var k = Int(truncatingIfNeeded: hash) & mask
        while table[k] != 0 { k = (k + 1) & mask }
        table[k] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(row + 1)
      }
    }
  }

  /// The first row whose word (in `words`) has exactly the UTF-8 bytes of `word`.
  func firstRow(of word: String, in words: [String]) -> Int? {
    var query = word
    return query.withUTF8 { q -> Int? in
      let hash = Self.hash(q)
      let tag = hash & 0xFFFF_FFFF_0000_0000
      return slots.withUnsafeBufferPointer { table -> Int? in
        var k = Int(truncatingIfNeeded: hash) & mask
        while table[k] != 0 {
          if table[k] & 0xFFFF_FFFF_0000_0000 == tag {
            let row = Int(table[k] & 0xFFFF_FFFF) - 1
            var candidate = words[row]
            let equal = candidate.withUTF8 { c in
              c.count == q.count
                && (c.isEmpty || memcmp(c.baseAddress!, q.baseAddress!, c.count) == 0)
            }
            if equal { return row }
          }
          k = (k + 1) & mask
        }
        return nil
      }
    }
  }

  /// The hash of a `String`'s UTF-8 bytes.
  static func hash(_ word: String) -> UInt64 {
    var w = word
    return w.withUTF8 { hash($0) }
  }

  /// A 64-bit hash of `bytes`: 8-byte words folded by multiply–xorshift, seeded per process
  /// (like Swift's `Hasher`) so that a crafted file cannot force long probe chains at will.
  @inline(__always) static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    let n = bytes.count
    var h = seed ^ UInt64(truncatingIfNeeded: n)
    guard let base = bytes.baseAddress else { return finish(h) }
    let raw = UnsafeRawPointer(base)
    var i = 0
    while i + 8 <= n {
      h =
        (h ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
        &* 0x9E37_79B9_7F4A_7C15
      h ^= h >> 29
      i += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while i < n {
      tail |= UInt64(base[i]) << shift
      shift += 8
      i += 1
    }
    return finish((h ^ tail) &* 0x9E37_79B9_7F4A_7C15)
  }

  @inline(__always) private static func finish(_ x: UInt64) -> UInt64 {
    var h = x ^ (x >> 32)
    h = h &* 0xD6E8_FEB8_6659_FD93
    return h ^ (h >> 32)
  }

  private static let seed: UInt64 = {
    var hasher = Hasher()
    hasher.combine(0x5EED as UInt64)
    return UInt64(truncatingIfNeeded: hasher.finalize())
  }()
}

// MARK: - Vector arithmetic shared by the embedding measures

/// Small dense-vector helpers in `Double` (vectors of a few hundred entries).
enum VectorMath {
  @inline(__always) static func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
  }

  @inline(__always) static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

  /// `a / ‖a‖`; a zero vector is returned unchanged.
  static func normalized(_ a: [Double]) -> [Double] {
    let n = norm(a)
    return n > 0 ? a.map { $0 / n } : a
  }

  /// Cosine similarity; 0 when either vector is zero.
  static func cosine(_ a: [Double], _ b: [Double]) -> Double {
    let d = norm(a) * norm(b)
    return d > 0 ? dot(a, b) / d : 0
  }

  static func subtract(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 - $1 } }
  static func add(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 + $1 } }
  static func scaled(_ a: [Double], _ c: Double) -> [Double] { a.map { $0 * c } }

  /// The mean of equal-length vectors.
  static func mean(_ rows: [[Double]]) -> [Double] {
    guard let first = rows.first else { return [] }
    var m = [Double](repeating: 0, count: first.count)
    for r in rows { for j in m.indices { m[j] += r[j] } }
    let c = Double(rows.count)
    return m.map { $0 / c }
  }

  /// `v` minus its projection on the unit vector `direction`.
  static func reject(_ v: [Double], from direction: [Double]) -> [Double] {
    let p = dot(v, direction)
    return zip(v, direction).map { $0 - p * $1 }
  }
}
