/// A k-dimensional bias subspace from defining sets of several classes (Manzini et al. 2019).
///
/// Each defining set lists one word per class (e.g. `["black", "caucasian", "asian"]`). The
/// unit vectors of a set are centred on the set's mean, all centred rows are stacked, and
/// the subspace is spanned by their first k principal components:
///
///     rows = { w − mean(D) : w ∈ D, D a defining set }      (w unit)
///     B = first k principal components of rows               (orthonormal)
///
/// With one pair per set and k = 1 this is Bolukbasi's PCA gender direction. Multiclass bias
/// is then measured with MAC (``WEFEMetrics/mac(targets:attributes:in:)``) and removed with
/// ``HardDebias/apply(to:basis:isNeutral:equalitySets:)`` using the defining sets as equality
/// sets.
///
/// Corresponds to Manzini et al.'s `identify_bias_subspace` (their reference code
/// `DebiasMulticlassWordEmbedding`); words of a set missing from the vocabulary are dropped,
/// and a set left with fewer than two words is skipped.
///
/// - Complexity: O(m² d) for m stacked rows.
///
/// ## References
/// - Manzini, Lim, Tsvetkov, Black. Black is to Criminal as Caucasian is to Police: Detecting
///   and Removing Multiclass Bias in Word Embeddings. NAACL 2019.
public struct BiasSubspace: Sendable {
  /// Orthonormal basis vectors, largest variance first.
  public var basis: [[Double]]
  /// Explained-variance ratio of each basis vector among all components.
  public var explainedVarianceRatio: [Double]
  /// The defining sets as used (words in the vocabulary, sets of ≥ 2 words).
  public var definingSets: [[String]]

  /// Identifies a `components`-dimensional subspace from `definingSets`.
  /// - Throws: ``BiasKitError`` when no set has two words in the vocabulary (listing the
  ///   missing words), or `components < 1`.
  public init(definingSets: [[String]], components: Int, in embedding: WordEmbedding) throws {
    guard components >= 1 else {
      throw BiasKitError(
        .invalidArgument, "a bias subspace needs at least 1 component, got \(components)")
    }
    guard !definingSets.isEmpty, definingSets.contains(where: { !$0.isEmpty }) else {
      throw BiasKitError.emptyDefiningSets("the bias subspace")
    }
    let unit = UnitRows(embedding)
    var rows: [[Double]] = []
    var used: [[String]] = []
    for set in definingSets {
      let found = embedding.partition(set).found
      guard found.count >= 2 else { continue }
      let vectors = found.map { unit.row($0) }
      let mean = VectorMath.mean(vectors)
      rows += vectors.map { VectorMath.subtract($0, mean) }
      used.append(found)
    }
    guard !used.isEmpty else {
      let missing = definingSets.flatMap { $0 }.filter { !embedding.contains($0) }
      throw BiasKitError.tooFewWords("defining sets", found: 0, needed: 2, missing: missing)
    }
    let pca = PrincipalComponents(rows: rows, count: components)
    guard !pca.components.isEmpty else {
      throw BiasKitError(.degenerateData, "the defining sets have no variance")
    }
    self.basis = pca.components
    self.explainedVarianceRatio = pca.explainedVarianceRatio
    self.definingSets = used
  }

  /// ‖P_B(w)‖ / ‖w‖: the share of a word's (unit) vector inside the subspace.
  public func projectionNorm(of word: String, in embedding: WordEmbedding) -> Double? {
    guard let v = embedding.vector(word) else { return nil }
    let u = VectorMath.normalized(v)
    return VectorMath.norm(HardDebias.project(u, basis))
  }
}
