import Foundation

/// Hard debiasing: neutralize words that should carry no bias, then equalize sets of words
/// that should differ only along the bias subspace.
///
/// With B an orthonormal basis of the bias subspace (one vector g for gender) and
/// `P_B(v) = Σ_b (v·b) b`, on unit vectors:
///
///     neutralize:  v ← normalize(v − P_B(v))                  for every neutral word
///     equalize:    μ = mean(E),  ν = μ − P_B(μ)
///                  w ← ν + √(1 − ‖ν‖²) · normalize(P_B(w) − P_B(μ))   for every w in E
///
/// Every vector is first normalized (responsibly's `init_sims(replace=True)`) and the result
/// is normalized again. Afterwards each neutral word has projection 0 on the subspace (up to
/// float32 rounding, ~1e-8) and the words of each equality pair have opposite projections
/// and identical orthogonal parts.
///
/// Corresponds to responsibly's `GenderBiasWE.debias(method='hard')` (neutral words: the
/// vocabulary minus every case form of `specific_full ∪ definitional ∪ equalize`; equality
/// sets: the lower/UPPER/Title forms of `equalize_pairs ∪ definitional_pairs` found in the
/// vocabulary) and, with a k-dimensional subspace and equality sets of any size, to Manzini
/// et al.'s multiclass hard debiasing. The arithmetic is done in `Double` per vector and
/// stored back as float32.
///
/// - Complexity: O(n · d · k) for n words, dimension d, subspace dimension k; rows are
///   processed in parallel.
///
/// ## References
/// - Bolukbasi et al. 2016, §6 (Hard de-biasing).
/// - Manzini, Lim, Tsvetkov, Black. Black is to Criminal as Caucasian is to Police:
///   Detecting and Removing Multiclass Bias in Word Embeddings. NAACL 2019.
public enum HardDebias {
  /// What a hard debias did.
  public struct Result: Sendable {
    /// The debiased (unit-length) embedding.
    public var embedding: WordEmbedding
    /// How many words were neutralized.
    public var neutralizedCount: Int
    /// The equality sets that were equalized (words in the vocabulary).
    public var equalizedSets: [[String]]
  }

  /// Hard-debiases `embedding` in the subspace spanned by the orthonormal `basis`.
  ///
  /// - Parameters:
  ///   - isNeutral: whether the word at a row is neutralized.
  ///   - equalitySets: sets to equalize; words missing from the vocabulary are skipped and a
  ///     set with fewer than two words left is ignored.
  public static func apply(
    to embedding: WordEmbedding, basis: [[Double]], isNeutral: (Int) -> Bool, equalitySets: [[String]]
  ) throws -> Result {
    let d = embedding.dimension
    for b in basis where b.count != d {
      throw BiasKitError.dimensionMismatch(expected: d, found: b.count, context: "the bias subspace")
    }
    var out = embedding
    let n = embedding.count
    var neutral = [Bool](repeating: false, count: n)
    for i in 0..<n { neutral[i] = isNeutral(i) }
    let flatBasis = basis.flatMap { $0 }
    let k = basis.count
    out.vectors.withUnsafeMutableBufferPointer { buffer in
      let base = buffer.baseAddress!
      let chunks = max(1, min(64, n / 512))
      DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        var row = [Double](repeating: 0, count: d)
        let lo = chunk * n / chunks
        let hi = (chunk + 1) * n / chunks
        for i in lo..<hi {
          let p = base + i * d
          var sum = 0.0
          for j in 0..<d {
            row[j] = Double(p[j])
            sum += row[j] * row[j]
          }
          // init_sims: unit length in float32, then read back.
          let norm = sum.squareRoot()
          if norm > 0 { for j in 0..<d { row[j] = Double(Float(row[j] / norm)) } }
          if neutral[i] {
            for b in 0..<k {
              var dot = 0.0
              for j in 0..<d { dot += row[j] * flatBasis[b * d + j] }
              for j in 0..<d { row[j] -= dot * flatBasis[b * d + j] }
            }
            var s = 0.0
            for j in 0..<d { s += row[j] * row[j] }
            let m = s.squareRoot()
            if m > 0 { for j in 0..<d { row[j] /= m } }
          }
          for j in 0..<d { p[j] = Float(row[j]) }
        }
      }
    }
    var equalized: [[String]] = []
    for set in equalitySets {
      let rows = set.compactMap { out.index(of: $0) }
      guard rows.count >= 2 else { continue }
      equalized.append(rows.map { out.words[$0] })
      let vectors = rows.map { VectorMath.normalized(out.vector(at: $0)) }
      let mu = VectorMath.mean(vectors)
      let muProjected = project(mu, basis)
      let nu = VectorMath.subtract(mu, muProjected)
      let scale = max(0, 1 - VectorMath.dot(nu, nu)).squareRoot()
      for (row, v) in zip(rows, vectors) {
        let part = VectorMath.normalized(VectorMath.subtract(project(v, basis), muProjected))
        out.setVector(at: row, VectorMath.add(nu, VectorMath.scaled(part, scale)))
      }
    }
    for row in Set(equalized.flatMap { $0 }.compactMap { out.index(of: $0) }) {
      out.setVector(at: row, VectorMath.normalized(out.vector(at: row)))
    }
    return Result(embedding: out, neutralizedCount: neutral.lazy.filter { $0 }.count, equalizedSets: equalized)
  }

  /// `P_B(v)` for an orthonormal basis.
  static func project(_ v: [Double], _ basis: [[Double]]) -> [Double] {
    var out = [Double](repeating: 0, count: v.count)
    for b in basis {
      let dot = VectorMath.dot(v, b)
      for j in out.indices { out[j] += dot * b[j] }
    }
    return out
  }

  /// responsibly's `GenderBiasWE.debias(method='hard')` with the Bolukbasi word lists: every
  /// word except the case forms of the gender-specific words is neutralized, and the equalize
  /// candidates (``GenderWordLists/equalizeCandidates(in:)``) are equalized.
  public static func gender(
    _ embedding: WordEmbedding, direction: BiasDirection, lists: GenderWordLists
  ) throws -> Result {
    let specific = lists.specificWordForms
    let words = embedding.words
    return try apply(
      to: embedding, basis: [direction.vector], isNeutral: { !specific.contains(words[$0]) },
      equalitySets: lists.equalizeCandidates(in: embedding).map { [$0.0, $0.1] })
  }
}
