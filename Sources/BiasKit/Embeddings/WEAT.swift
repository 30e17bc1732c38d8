import Foundation

/// The Word Embedding Association Test: how much more target words X associate with
/// attribute words A (than B) than target words Y do.
///
///     s(w, A, B) = mean_{a∈A} cos(w, a) − mean_{b∈B} cos(w, b)
///     S(X, Y, A, B) = Σ_{x∈X} s(x, A, B) − Σ_{y∈Y} s(y, A, B)
///     d = (mean_{x∈X} s(x) − mean_{y∈Y} s(y)) / std_{w∈X∪Y} s(w)       (std with `ddof`)
///     p = Pr[S(X', Y') > S(X, Y)] over equal-size splits (X', Y') of X ∪ Y
///
/// Corresponds to responsibly's `calc_single_weat` / `calc_all_weat` (statistic `s`, effect
/// size `d`, one-sided `p`) and to WEFE's `WEAT.run_query` (`weat`, `effect_size`).
/// Conventions:
/// - The standard deviation pools the 2n associations with `ddof` 0 by default, as responsibly
///   and WEFE do; `ddof = 1` reproduces the sample standard deviation of Caliskan et al.'s table.
/// - When that deviation is 0 the effect size is NaN (reported as null).
/// - The p-value counts splits *strictly* above the observed statistic (mlxtend's
///   `permutation_test`), so the observed split never counts; see ``WEATPermutations``.
/// - Cosines are computed in `Double` from the float32 vectors.
///
/// - Complexity: O((|X| + |Y|) · (|A| + |B|) · dimension) for the associations, plus the
///   p-value's cost (``WEATPermutations``).
///
/// ## References
/// - Caliskan, Bryson, Narayanan. Semantics derived automatically from language corpora
///   contain human-like biases. Science 356, 2017.
public struct WEAT: Sendable {
  /// How the p-value is computed.
  public var permutations: WEATPermutations
  /// Delta degrees of freedom of the effect size's standard deviation (responsibly: 0).
  public var ddof: Int
  /// How word sets are fitted to the vocabulary.
  public var filtering: WordSetFiltering

  public init(
    permutations: WEATPermutations = .automatic(seed: 42), ddof: Int = 0,
    filtering: WordSetFiltering = .responsibly()
  ) {
    self.permutations = permutations
    self.ddof = ddof
    self.filtering = filtering
  }

  /// The outcome of one test.
  public struct Result: Sendable {
    /// The four sets as used (targets X, Y, attributes A, B), with dropped words.
    public var sets: [FilteredWordSet]
    /// `S(X, Y, A, B)` (a difference of sums).
    public var statistic: Double
    /// `d`, NaN when the pooled standard deviation is 0.
    public var effectSize: Double
    /// One-sided p-value.
    public var pValue: Double
    /// How the p-value was obtained (`exact`, or `sampled` with its count and seed).
    public var pValueMethod: String
    /// `s(x, A, B)` for each used word of X, in the order of `sets[0].used`.
    public var firstTargetAssociations: [Double]
    /// `s(y, A, B)` for each used word of Y.
    public var secondTargetAssociations: [Double]
  }

  /// Runs the test on `embedding`.
  ///
  /// - Throws: ``BiasKitError`` listing the missing words when a set has no word (or, for a
  ///   target, fewer than one) left in the vocabulary.
  public func run(_ test: WEATWordSets, on embedding: WordEmbedding) throws -> Result {
    let sets = try test.filtered(for: embedding, by: filtering)
    for (k, set) in sets.enumerated() where set.used.isEmpty {
      let original = [
        test.firstTarget, test.secondTarget, test.firstAttribute, test.secondAttribute,
      ][k]
      throw BiasKitError.tooFewWords(
        original.name, found: 0, needed: 1, missing: set.notInVocabulary + set.droppedToEqualSize)
    }
    let unit = UnitRows(embedding)
    let a = sets[2].used.map { unit.row($0) }
    let b = sets[3].used.map { unit.row($0) }
    let sx = sets[0].used.map { WEAT.association(unit.row($0), a, b) }
    let sy = sets[1].used.map { WEAT.association(unit.row($0), a, b) }
    return try result(sets: sets, sx: sx, sy: sy)
  }

  /// The statistic, effect size and p-value from precomputed associations.
  func result(sets: [FilteredWordSet], sx: [Double], sy: [Double]) throws -> Result {
    let statistic = sx.reduce(0, +) - sy.reduce(0, +)
    let pooled = sx + sy
    let mean = pooled.reduce(0, +) / Double(pooled.count)
    let squares = pooled.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    let denominator = Double(pooled.count - ddof)
    let std = denominator > 0 ? (squares / denominator).squareRoot() : .nan
    let meanDifference = sx.reduce(0, +) / Double(sx.count) - sy.reduce(0, +) / Double(sy.count)
    let effect = std > 0 ? meanDifference / std : .nan
    let p = try permutations.pValue(first: sx, second: sy, statistic: statistic)
    return Result(
      sets: sets, statistic: statistic, effectSize: effect, pValue: p.value, pValueMethod: p.method,
      firstTargetAssociations: sx, secondTargetAssociations: sy)
  }

  /// `s(w, A, B)` for unit vectors.
  static func association(_ w: [Double], _ a: [[Double]], _ b: [[Double]]) -> Double {
    var sa = 0.0
    for v in a { sa += VectorMath.dot(w, v) }
    var sb = 0.0
    for v in b { sb += VectorMath.dot(w, v) }
    return sa / Double(a.count) - sb / Double(b.count)
  }
}

/// Rows of an embedding as unit `Double` vectors, normalised on demand.
struct UnitRows {
  let embedding: WordEmbedding
  init(_ embedding: WordEmbedding) { self.embedding = embedding }
  func row(_ word: String) -> [Double] { VectorMath.normalized(embedding.vector(word) ?? []) }
  func row(at i: Int) -> [Double] { VectorMath.normalized(embedding.vector(at: i)) }
}
