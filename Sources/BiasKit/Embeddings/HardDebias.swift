import Foundation

/// Reductions over float32 rows accumulated in double, with independent SIMD lanes (the
/// compiler does not reorder floating-point sums by itself).
enum SIMDKernels {
  /// Σ a_j b_j for float32 `a` and `b`.
  @inline(__always) static func dot(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int
  )
    -> Double
  {
    var acc0 = SIMD8<Double>()
    var acc1 = SIMD8<Double>()
    var j = 0
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    while j + 16 <= n {
      let x0 = SIMD8<Double>(ra.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self))
      let y0 = SIMD8<Double>(rb.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self))
      let x1 = SIMD8<Double>(ra.loadUnaligned(fromByteOffset: j * 4 + 32, as: SIMD8<Float>.self))
      let y1 = SIMD8<Double>(rb.loadUnaligned(fromByteOffset: j * 4 + 32, as: SIMD8<Float>.self))
      acc0 += x0 * y0
      acc1 += x1 * y1
      j += 16
    }
    var sum = (acc0 + acc1).sum()
    while j < n {
      sum += Double(a[j]) * Double(b[j])
      j += 1
    }
    return sum
  }

  /// Σ a_j b_j for float32 `a` and double `b`.
  @inline(__always) static func dot(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Double>, _ n: Int
  )
    -> Double
  {
    var acc0 = SIMD8<Double>()
    var acc1 = SIMD8<Double>()
    var j = 0
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    while j + 16 <= n {
      let x0 = SIMD8<Double>(ra.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self))
      let y0 = rb.loadUnaligned(fromByteOffset: j * 8, as: SIMD8<Double>.self)
      let x1 = SIMD8<Double>(ra.loadUnaligned(fromByteOffset: j * 4 + 32, as: SIMD8<Float>.self))
      let y1 = rb.loadUnaligned(fromByteOffset: j * 8 + 64, as: SIMD8<Double>.self)
      acc0 += x0 * y0
      acc1 += x1 * y1
      j += 16
    }
    var sum = (acc0 + acc1).sum()
    while j < n {
      sum += Double(a[j]) * b[j]
      j += 1
    }
    return sum
  }
}

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
    to embedding: WordEmbedding, basis: [[Double]], isNeutral: (Int) -> Bool,
    equalitySets: [[String]]
  ) throws -> Result {
    let d = embedding.dimension
    for b in basis where b.count != d {
      throw BiasKitError.dimensionMismatch(
        expected: d, found: b.count, context: "the bias subspace")
    }
    let n = embedding.count
    var neutral = [Bool](repeating: false, count: n)
    for i in 0..<n { neutral[i] = isNeutral(i) }
    let flatBasis = basis.flatMap { $0 }
    let k = basis.count
    // One pass per row: ‖v‖² and v·b by SIMD reductions, then the unit (neutralized) row is
    // written straight into new storage. For unit u = v/‖v‖ and c_b = u·b, the neutralized
    // row u − Σ c_b b has norm √(1 − Σ c_b²) because B is orthonormal.
    let vectors = [Float](unsafeUninitializedCapacity: n * d) { storage, initialized in
      let target = storage.baseAddress!
      embedding.vectors.withUnsafeBufferPointer { source in
        flatBasis.withUnsafeBufferPointer { basisBuffer in
          let chunks = max(1, min(64, n / 256))
          let neutralRows = neutral
          // Workers read the source rows and the basis and write only their own rows of the
          // new storage (WorkerShared's rules).
          let shared = WorkerShared((source.baseAddress!, basisBuffer.baseAddress!, target))
          DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let (src, b, target) = shared.value
            var c = [Double](repeating: 0, count: max(k, 1))
            for i in (chunk * n / chunks)..<((chunk + 1) * n / chunks) {
              let v = src + i * d
              let out = target + i * d
              let squared = SIMDKernels.dot(v, v, d)
              let norm = squared.squareRoot()
              guard norm > 0 else {
                for j in 0..<d { out[j] = 0 }
                continue
              }
              let inverse = 1 / norm
              if neutralRows[i] && k > 0 {
                var remaining = 1.0
                for m in 0..<k {
                  c[m] = SIMDKernels.dot(v, b + m * d, d) * inverse
                  remaining -= c[m] * c[m]
                }
                let scale = remaining > 0 ? 1 / remaining.squareRoot() : 0
                if k == 1 {
                  let c0 = c[0]
                  for j in 0..<d { out[j] = Float((Double(v[j]) * inverse - c0 * b[j]) * scale) }
                } else {
                  for j in 0..<d {
                    var x = Double(v[j]) * inverse
                    for m in 0..<k { x -= c[m] * b[m * d + j] }
                    out[j] = Float(x * scale)
                  }
                }
              } else {
                for j in 0..<d { out[j] = Float(Double(v[j]) * inverse) }
              }
            }
          }
        }
      }
      initialized = n * d
    }
    var out = embedding
    out.vectors = vectors
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
    return Result(
      embedding: out, neutralizedCount: neutral.lazy.filter { $0 }.count, equalizedSets: equalized)
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
    var neutral = [Bool](repeating: true, count: embedding.count)
    for form in lists.specificWordForms {
      if let i = embedding.index(of: form) { neutral[i] = false }
    }
    return try apply(
      to: embedding, basis: [direction.vector], isNeutral: { neutral[$0] },
      equalitySets: lists.equalizeCandidates(in: embedding).map { [$0.0, $0.1] })
  }
}
