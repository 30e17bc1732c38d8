import Foundation

/// A table of word vectors: a vocabulary in file order and one `Float` row per word.
///
/// Rows are stored contiguously (row-major, `vectors[i * dimension + j]`), exactly as the
/// word2vec binary format stores them, so loading is one read and one copy per row. All the
/// bias measures read these float32 values and accumulate in `Double`; the references
/// (responsibly 0.1.2, WEFE 1.0.1) accumulate in float32, which puts them within about 1e-7
/// of BiasKit's numbers.
///
/// Loading corresponds to gensim's `KeyedVectors.load_word2vec_format(path, binary=…)`
/// (word2vec binary and text formats) and to GloVe's text format (no header line).
/// Conventions:
/// - Lookups are exact and case-sensitive. With `lowercase`, every word is lower-cased on
///   load; when two words then coincide, the first in file order (the more frequent) wins.
/// - When a word occurs twice in the file, the first row is kept for lookups.
/// - `limit` keeps the first `limit` words of the file (word2vec files are sorted by
///   frequency, so these are the most frequent).
///
/// - Complexity: loading is O(file size); ``index(of:)`` is O(1) expected.
public struct WordEmbedding: Sendable {
  /// The words, in file order.
  public private(set) var words: [String]
  /// Length of every vector.
  public let dimension: Int
  /// The vectors, row-major: `vectors.count == words.count * dimension`.
  public var vectors: [Float]
  private var positions: [String: Int]

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
    self.words = words
    self.dimension = dimension
    self.vectors = vectors
    self.positions = Dictionary(
      zip(words, 0..<words.count), uniquingKeysWith: { first, _ in first })
  }

  /// Number of words.
  public var count: Int { words.count }

  /// The row of `word`, or nil when it is not in the vocabulary.
  @inlinable public func index(of word: String) -> Int? { positionsLookup(word) }

  @usableFromInline func positionsLookup(_ word: String) -> Int? { positions[word] }

  /// Whether `word` is in the vocabulary.
  public func contains(_ word: String) -> Bool { positions[word] != nil }

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
