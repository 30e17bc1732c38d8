/// A unit bias direction g in an embedding (the "gender direction" of Bolukbasi et al.),
/// with its two ends: positive projections lean towards ``positiveEnd``.
///
/// ``Method/pca`` (the default, as responsibly's `GenderBiasWE(identify_direction='pca')`):
/// for each defining pair (a, b) of unit vectors, with c = (a + b)/2, the rows a − c and b − c
/// are stacked (2 rows per pair, in order); g is the first principal component of those rows
/// (scikit-learn `PCA`, mean-centred), oriented so that cos(positiveEnd − negativeEnd, g) ≥ 0.
/// ``Method/single``: g = normalize(normalize(p) − normalize(n)) for the two ends.
/// ``Method/sum``: g = normalize(normalize(Σ firsts) − normalize(Σ seconds)) over the pairs
/// (raw vectors summed, as responsibly does).
///
/// Projections are cosines: `projection(w) = cos(w, g)`.
///
/// - Complexity: PCA O(m² d) for m = 2·pairs rows of dimension d.
///
/// ## References
/// - Bolukbasi, Chang, Zou, Saligrama, Kalai. Man is to Computer Programmer as Woman is to
///   Homemaker? Debiasing Word Embeddings. NeurIPS 2016.
public struct BiasDirection: Sendable {
  /// How the direction is identified from the defining pairs.
  public enum Method: String, Sendable, CaseIterable {
    case pca, single, sum
  }

  /// The unit direction.
  public var vector: [Double]
  /// Explained-variance ratio of the leading principal components (PCA only; empty otherwise).
  public var explainedVarianceRatio: [Double]
  /// The word at the positive end ("she").
  public var positiveEnd: String
  /// The word at the negative end ("he").
  public var negativeEnd: String

  public init(
    vector: [Double], explainedVarianceRatio: [Double] = [], positiveEnd: String,
    negativeEnd: String
  ) {
    self.vector = VectorMath.normalized(vector)
    self.explainedVarianceRatio = explainedVarianceRatio
    self.positiveEnd = positiveEnd
    self.negativeEnd = negativeEnd
  }

  /// Identifies the direction from `pairs` (first word of each pair at the positive side).
  ///
  /// - Throws: ``BiasKitError`` when no pair is fully in the vocabulary (listing the missing
  ///   words), or when the ends are missing or equal.
  public init(
    _ method: Method = .pca, pairs: [(String, String)], in embedding: WordEmbedding,
    positiveEnd: String = "she", negativeEnd: String = "he"
  ) throws {
    guard positiveEnd != negativeEnd else {
      throw BiasKitError(
        .invalidArgument, "the two ends of a bias direction must differ, both are '\(positiveEnd)'")
    }
    let missingEnds = [positiveEnd, negativeEnd].filter { !embedding.contains($0) }
    if !missingEnds.isEmpty {
      throw BiasKitError.wordsNotInVocabulary(missingEnds, context: "direction ends")
    }
    let usable = pairs.filter { embedding.contains($0.0) && embedding.contains($0.1) }
    if method != .single && usable.isEmpty {
      if pairs.isEmpty { throw BiasKitError.emptyDefiningSets("the bias direction") }
      let missing = pairs.flatMap { [$0.0, $0.1] }.filter { !embedding.contains($0) }
      throw BiasKitError.tooFewWords("definitional pairs", found: 0, needed: 1, missing: missing)
    }
    let unit = UnitRows(embedding)
    var ratios: [Double] = []
    var g: [Double]
    switch method {
    case .single:
      g = VectorMath.subtract(unit.row(positiveEnd), unit.row(negativeEnd))
    case .sum:
      let d = embedding.dimension
      var first = [Double](repeating: 0, count: d)
      var second = first
      for (a, b) in usable {
        first = VectorMath.add(first, embedding.vector(a)!)
        second = VectorMath.add(second, embedding.vector(b)!)
      }
      g = VectorMath.subtract(VectorMath.normalized(first), VectorMath.normalized(second))
    case .pca:
      var rows: [[Double]] = []
      for (a, b) in usable {
        let va = unit.row(a)
        let vb = unit.row(b)
        let c = VectorMath.scaled(VectorMath.add(va, vb), 0.5)
        rows.append(VectorMath.subtract(va, c))
        rows.append(VectorMath.subtract(vb, c))
      }
      let pca = PrincipalComponents(rows: rows, count: 10)
      guard let first = pca.components.first else {
        throw BiasKitError(
          .degenerateData,
          "the definitional pairs have no variance: every pair is two equal vectors")
      }
      g = first
      ratios = pca.explainedVarianceRatio
      let ends = VectorMath.subtract(embedding.vector(positiveEnd)!, embedding.vector(negativeEnd)!)
      if VectorMath.cosine(ends, g) < 0 { g = g.map { -$0 } }
    }
    self.init(
      vector: g, explainedVarianceRatio: ratios, positiveEnd: positiveEnd, negativeEnd: negativeEnd)
  }

  /// `cos(w, g)` for a vector.
  public func projection(of w: [Double]) -> Double { VectorMath.cosine(w, vector) }

  /// `cos(word, g)`, or nil when the word is not in the vocabulary.
  public func projection(of word: String, in embedding: WordEmbedding) -> Double? {
    embedding.vector(word).map { projection(of: $0) }
  }
}
