import Foundation

/// "she is to x as he is to y" analogies generated along a seed direction (Bolukbasi et al.).
///
///     candidates: ordered pairs (x, y), x ≠ y, among the first `vocabularyLimit` words with
///                 0 < ‖x − y‖ < delta (unit vectors; delta = 1 is an angle below π/3)
///     score(x, y) = cos(x − y, seed),   seed = normalize(positiveEnd − negativeEnd)
///
/// Pairs are taken by decreasing score; unless `allowRepeats`, a word is used at most once on
/// each side (responsibly's `multiple=False`). Corresponds to responsibly's
/// `generate_analogies(n_analogies, seed='ends', multiple=False, delta=1., restrict_vocab=30000)`
/// (`unrestricted=False`). Ties in score keep the lower row indices first; responsibly's
/// `argsort` order among exactly tied float32 scores is unspecified.
///
/// - Complexity: O(m² · d / 2) for m = min(vocabularyLimit, n) words: every pair's cosine is
///   computed (SIMD, in parallel), which is the cost of the reference method.
///
/// ## References
/// - Bolukbasi et al. 2016, §4 (generating analogies).
public struct AnalogyGenerator: Sendable {
  /// Number of analogies to return (responsibly: `n_analogies`).
  public var count: Int
  /// Maximal distance between the two words of a pair (responsibly: `delta`).
  public var delta: Double
  /// Only the first words of the vocabulary are used (responsibly: `restrict_vocab`).
  public var vocabularyLimit: Int
  /// Whether a word may appear in several analogies (responsibly: `multiple`).
  public var allowRepeats: Bool

  public init(
    count: Int = 10, delta: Double = 1, vocabularyLimit: Int = 30_000, allowRepeats: Bool = false
  ) {
    self.count = count
    self.delta = delta
    self.vocabularyLimit = vocabularyLimit
    self.allowRepeats = allowRepeats
  }

  /// One generated analogy.
  public struct Analogy: Sendable, Equatable {
    /// The word on the positive side ("she" side).
    public var positive: String
    /// The word on the negative side ("he" side).
    public var negative: String
    /// ‖x − y‖ of the unit vectors.
    public var distance: Double
    /// cos(x − y, seed).
    public var score: Double
  }

  /// Generates analogies along normalize(positiveEnd − negativeEnd).
  public func generate(
    positiveEnd: String, negativeEnd: String, in embedding: WordEmbedding
  ) throws
    -> [Analogy]
  {
    let missing = [positiveEnd, negativeEnd].filter { !embedding.contains($0) }
    if !missing.isEmpty {
      throw BiasKitError.wordsNotInVocabulary(missing, context: "analogy ends")
    }
    guard count >= 1, delta > 0 else {
      throw BiasKitError(.invalidArgument, "analogies need a count ≥ 1 and a delta > 0")
    }
    let seed = VectorMath.normalized(
      VectorMath.subtract(
        VectorMath.normalized(embedding.vector(positiveEnd)!),
        VectorMath.normalized(embedding.vector(negativeEnd)!)))
    let m = min(vocabularyLimit, embedding.count)
    let d = embedding.dimension
    let padded = (d + 7) / 8 * 8
    // Unit rows in float32 (as numpy normalizes), padded to a multiple of 8 for SIMD.
    var rows = [Float](repeating: 0, count: m * padded)
    var projections = [Double](repeating: 0, count: m)
    for i in 0..<m {
      let v = VectorMath.normalized(embedding.vector(at: i))
      for j in 0..<d { rows[i * padded + j] = Float(v[j]) }
      projections[i] = VectorMath.dot(v, seed)
    }
    // ‖x − y‖ < delta  ⇔  x·y > 1 − delta²/2 for unit vectors.
    let minimumCosine = Float(1 - delta * delta / 2)
    let chunks = 128
    var found = [[(Int32, Int32, Float)]](repeating: [], count: chunks)
    rows.withUnsafeBufferPointer { rowBuffer in
      found.withUnsafeMutableBufferPointer { out in
        let lanes = padded / 8
        let base = UnsafeRawPointer(rowBuffer.baseAddress!).assumingMemoryBound(
          to: SIMD8<Float>.self)
        // Workers read the rows and write only their own chunk's list (WorkerShared's rules).
        let shared = WorkerShared((base, out))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
          let (base, out) = shared.value
          var local: [(Int32, Int32, Float)] = []
          // Rows are taken two at a time (2 × 4 register tile), interleaved across chunks so
          // that every chunk gets a similar share of the triangle.
          var i = 2 * chunk
          while i < m {
            let x0 = base + i * lanes
            let hasSecond = i + 1 < m
            let x1 = hasSecond ? x0 + lanes : x0
            // Pair (i, i + 1) itself.
            if hasSecond {
              var s = SIMD8<Float>()
              for k in 0..<lanes { s += x0[k] * x1[k] }
              let c = s.sum()
              if c > minimumCosine { local.append((Int32(i), Int32(i + 1), c)) }
            }
            var j = i + 2
            while j + 3 < m {
              let y0 = base + j * lanes
              let y1 = y0 + lanes
              let y2 = y1 + lanes
              let y3 = y2 + lanes
              var a0 = SIMD8<Float>()
              var a1 = SIMD8<Float>()
              var a2 = SIMD8<Float>()
              var a3 = SIMD8<Float>()
              var b0 = SIMD8<Float>()
              var b1 = SIMD8<Float>()
              var b2 = SIMD8<Float>()
              var b3 = SIMD8<Float>()
              for k in 0..<lanes {
                let p = x0[k]
                let q = x1[k]
                let v0 = y0[k]
                let v1 = y1[k]
                let v2 = y2[k]
                let v3 = y3[k]
                a0 += p * v0
                a1 += p * v1
                a2 += p * v2
                a3 += p * v3
                b0 += q * v0
                b1 += q * v1
                b2 += q * v2
                b3 += q * v3
              }
              let ca = SIMD4<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum())
              if any(ca .> minimumCosine) {
                for t in 0..<4 where ca[t] > minimumCosine {
                  local.append((Int32(i), Int32(j + t), ca[t]))
                }
              }
              if hasSecond {
                let cb = SIMD4<Float>(b0.sum(), b1.sum(), b2.sum(), b3.sum())
                if any(cb .> minimumCosine) {
                  for t in 0..<4 where cb[t] > minimumCosine {
                    local.append((Int32(i + 1), Int32(j + t), cb[t]))
                  }
                }
              }
              j += 4
            }
            while j < m {
              let y = base + j * lanes
              var s = SIMD8<Float>()
              var r = SIMD8<Float>()
              for k in 0..<lanes {
                s += x0[k] * y[k]
                r += x1[k] * y[k]
              }
              let c = s.sum()
              if c > minimumCosine { local.append((Int32(i), Int32(j), c)) }
              let d = r.sum()
              if hasSecond && d > minimumCosine { local.append((Int32(i + 1), Int32(j), d)) }
              j += 1
            }
            i += 2 * chunks
          }
          out[chunk] = local
        }
      }
    }
    // Score each candidate pair in the orientation with a positive score (the reverse
    // orientation has the opposite score and can never rank above it).
    var scored: [(x: Int, y: Int, score: Double, distance: Double)] = []
    for list in found {
      for (a, b, _) in list {
        let i = Int(a)
        let j = Int(b)
        var squared = 0.0
        for k in 0..<d {
          let diff = Double(rows[i * padded + k]) - Double(rows[j * padded + k])
          squared += diff * diff
        }
        let distance = squared.squareRoot()
        guard distance > 0, distance < delta else { continue }
        let score = (projections[i] - projections[j]) / distance
        if score >= 0 {
          scored.append((i, j, score, distance))
        } else {
          scored.append((j, i, -score, distance))
        }
      }
    }
    scored.sort { $0.score != $1.score ? $0.score > $1.score : ($0.x, $0.y) < ($1.x, $1.y) }
    var usedPositive = Set<Int>()
    var usedNegative = Set<Int>()
    var result: [Analogy] = []
    for pair in scored where result.count < count {
      if !allowRepeats && (usedPositive.contains(pair.x) || usedNegative.contains(pair.y)) {
        continue
      }
      usedPositive.insert(pair.x)
      usedNegative.insert(pair.y)
      result.append(
        Analogy(
          positive: embedding.words[pair.x], negative: embedding.words[pair.y],
          distance: pair.distance, score: pair.score))
    }
    return result
  }
}
