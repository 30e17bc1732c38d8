/// Direct and indirect bias of words with respect to a ``BiasDirection``.
///
///     DirectBias_c(N, g) = (1/|N|) Σ_{w∈N} |cos(w, g)|^c
///     β(w, v) = (w·v − cos(w⊥, v⊥)) / (w·v)      (w, v unit; w⊥ = w − (w·g) g)
///
/// Corresponds to responsibly's `calc_direct_bias(neutral_words, c)`, `calc_indirect_bias`,
/// `generate_closest_words_indirect_bias` and the most-biased lists behind
/// `plot_projection_scores`. Words missing from the vocabulary are dropped and reported;
/// |N| counts the words used. β is NaN when w·v = 0.
///
/// - Complexity: O(|N| · d) for direct bias; O(d) per indirect bias.
///
/// ## References
/// - Bolukbasi et al. 2016, §5.2 (direct bias) and §5.3 (indirect bias).
public enum DirectBias {
  /// Direct bias over the words of `neutralWords` found in the vocabulary.
  public struct Result: Sendable {
    /// `DirectBias_c`.
    public var value: Double
    /// The strictness `c`.
    public var strictness: Double
    /// Words used, with their projections cos(w, g), in input order.
    public var projections: [(word: String, projection: Double)]
    /// Words not in the vocabulary.
    public var missing: [String]
  }

  /// `DirectBias_c` of `neutralWords`.
  /// - Throws: ``BiasKitError`` listing the missing words when none is in the vocabulary.
  public static func compute(
    _ neutralWords: [String], direction: BiasDirection, in embedding: WordEmbedding,
    strictness c: Double = 1
  ) throws -> Result {
    let (found, missing) = embedding.partition(neutralWords)
    guard !found.isEmpty else {
      throw BiasKitError.tooFewWords("neutral words", found: 0, needed: 1, missing: missing)
    }
    let projections = found.map { ($0, direction.projection(of: embedding.vector($0)!)) }
    let total = projections.reduce(0.0) { $0 + pow(abs($1.1), c) }
    return Result(
      value: total / Double(found.count), strictness: c,
      projections: projections.map { (word: $0.0, projection: $0.1) }, missing: missing)
  }

  /// Indirect bias β(w, v) between two words.
  public static func indirect(
    _ w: String, _ v: String, direction: BiasDirection, in embedding: WordEmbedding
  ) throws
    -> Double
  {
    let missing = [w, v].filter { !embedding.contains($0) }
    if !missing.isEmpty {
      throw BiasKitError.wordsNotInVocabulary(missing, context: "indirect bias")
    }
    let a = VectorMath.normalized(embedding.vector(w)!)
    let b = VectorMath.normalized(embedding.vector(v)!)
    let inner = VectorMath.dot(a, b)
    let perpendicular = VectorMath.cosine(
      VectorMath.reject(a, from: direction.vector), VectorMath.reject(b, from: direction.vector))
    return inner == 0 ? .nan : (inner - perpendicular) / inner
  }

  /// One word near an end of a neutral axis (responsibly's
  /// `generate_closest_words_indirect_bias` rows).
  public struct AxisWord: Sendable, Equatable {
    public var end: String
    public var word: String
    public var projection: Double
    public var indirectBias: Double
  }

  /// The `count` words of `words` with the highest and the lowest projection on the axis
  /// normalize(positive − negative), each with its indirect bias to its end.
  public static func closestWordsIndirectBias(
    positive: String, negative: String, words: [String], count: Int = 5, direction: BiasDirection,
    in embedding: WordEmbedding
  ) throws -> [AxisWord] {
    let missing = [positive, negative].filter { !embedding.contains($0) }
    if !missing.isEmpty {
      throw BiasKitError.wordsNotInVocabulary(missing, context: "neutral axis ends")
    }
    let axis = VectorMath.normalized(
      VectorMath.subtract(embedding.vector(positive)!, embedding.vector(negative)!))
    let scored = embedding.partition(words).found.map { word in
      (word, VectorMath.dot(VectorMath.normalized(embedding.vector(word)!), axis))
    }.sorted { $0.1 > $1.1 }
    var rows: [AxisWord] = []
    for (word, p) in scored.prefix(count) {
      rows.append(
        AxisWord(
          end: positive, word: word, projection: p,
          indirectBias: try indirect(word, positive, direction: direction, in: embedding)))
    }
    for (word, p) in scored.suffix(count) where !rows.contains(where: { $0.word == word }) {
      rows.append(
        AxisWord(
          end: negative, word: word, projection: p,
          indirectBias: try indirect(word, negative, direction: direction, in: embedding)))
    }
    return rows
  }

  /// The `count` words with the largest projections towards each end, among `words` (or the
  /// whole vocabulary when nil), most extreme first.
  public static func mostBiased(
    count: Int, among words: [String]? = nil, direction: BiasDirection, in embedding: WordEmbedding
  ) -> (
    positive: [(word: String, projection: Double)], negative: [(word: String, projection: Double)]
  ) {
    let candidates: [(String, Int)] =
      words.map { $0.compactMap { w in embedding.index(of: w).map { (w, $0) } } }
      ?? embedding.words.enumerated().map { ($0.element, $0.offset) }
    let scored = candidates.map {
      (word: $0.0, projection: direction.projection(of: embedding.vector(at: $0.1)))
    }
    let sorted = scored.sorted { $0.projection > $1.projection }
    return (Array(sorted.prefix(count)), Array(sorted.suffix(count).reversed()))
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
