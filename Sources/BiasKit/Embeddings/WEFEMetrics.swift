import Foundation

/// A WEFE query: target sets and attribute sets of words, fitted to an embedding.
///
/// Corresponds to WEFE 1.0.1's `Query` run through `WordEmbeddingModel` with the default
/// preprocessing (no lower-casing, `strategy='first'`): each set keeps its words found in the
/// vocabulary, in order, and a set that loses more than `lostVocabularyThreshold` of its words
/// (WEFE: `lost_vocabulary_threshold`, default 0.2) makes the query fail. WEFE then returns
/// NaN; BiasKit throws an error listing the missing words.
public struct WEFEQuery: Sendable {
  /// Target sets (T1, T2, …) with the words found.
  public var targets: [WordSet]
  /// Attribute sets (A1, A2, …) with the words found.
  public var attributes: [WordSet]
  /// Words of each target set not in the vocabulary.
  public var missingTargets: [[String]]
  /// Words of each attribute set not in the vocabulary.
  public var missingAttributes: [[String]]

  /// Fits the sets to `embedding`.
  /// - Throws: ``BiasKitError`` when a set is empty after filtering or loses more than
  ///   `lostVocabularyThreshold` of its words.
  public init(
    targets: [WordSet], attributes: [WordSet], in embedding: WordEmbedding,
    lostVocabularyThreshold: Double = 0.2
  )
    throws
  {
    func fit(_ sets: [WordSet]) throws -> ([WordSet], [[String]]) {
      var fitted: [WordSet] = []
      var missing: [[String]] = []
      for set in sets {
        guard !set.words.isEmpty else {
          throw BiasKitError.emptyDefiningSets("word set '\(set.name)'")
        }
        let parts = embedding.partition(set.words)
        let lost = Double(parts.missing.count) / Double(set.words.count)
        if parts.found.isEmpty || lost > lostVocabularyThreshold {
          throw BiasKitError.tooFewWords(
            set.name, found: parts.found.count,
            needed: max(
              1, Int((Double(set.words.count) * (1 - lostVocabularyThreshold)).rounded(.up))),
            missing: parts.missing)
        }
        fitted.append(WordSet(name: set.name, words: parts.found))
        missing.append(parts.missing)
      }
      return (fitted, missing)
    }
    (self.targets, self.missingTargets) = try fit(targets)
    (self.attributes, self.missingAttributes) = try fit(attributes)
  }
}

/// The WEFE metrics RND, ECT, MAC and RNSB (WEFE 1.0.1 definitions).
///
///     RND(T1, T2, A)  = mean_{a∈A} [ d(a, mean T1) − d(a, mean T2) ]       d = ‖·‖₂ or cos
///     ECT(T1, T2, A)  = Spearman ρ( [cos(mean T1, a)]_a , [cos(mean T2, a)]_a )
///     MAC(T, A)       = mean_{t∈∪T} mean_j mean_{a∈A_j} (1 − cos(t, a))
///     RNSB(T, A1, A2) = KL( p / Σp ‖ uniform ),  p_t = P(class A2 | t) of a logistic
///                       regression trained on A1 (+1) vs A2 (−1)
///
/// Corresponds to WEFE's `RND`, `ECT`, `MAC` and `RNSB` `run_query`. Means are over raw
/// vectors (WEFE's default `normalize=False`); Spearman uses average ranks for ties (scipy).
/// RNSB's classifier matches scikit-learn's `LogisticRegression(solver='liblinear', C=1)`:
/// L2-penalised log-loss with the intercept as a penalised feature of value 1, here solved to
/// convergence by Newton's method (liblinear stops at tolerance 1e-4, so values agree to a
/// few digits). WEFE's default holds out a stratified 20 % of the attribute words
/// (`train_test_split`); BiasKit's holdout split is drawn from ``SeededGenerator`` and so
/// differs from scikit-learn's; `holdout: false` (fit on every attribute word) is the
/// portable variant.
///
/// - Complexity: RND, ECT, MAC O((|T| + |A|) · |A| · d); RNSB O(iterations · (n d² + d³)).
///
/// ## References
/// - Badilla, Bravo-Marquez, Pérez. WEFE: The Word Embeddings Fairness Evaluation Framework.
///   IJCAI 2020.
/// - Garg et al. 2018 (RND); Dev, Phillips 2019 (ECT); Manzini et al. 2019 (MAC);
///   Sweeney, Najafian 2019 (RNSB).
public enum WEFEMetrics {
  /// RND with Euclidean (`norm`) or cosine-similarity (`cos`) distance, per attribute word
  /// and averaged.
  public enum Distance: String, Sendable, CaseIterable { case norm, cos }

  /// RND of attribute words `attribute` between target sets `first` and `second`.
  public static func rnd(
    first: [String], second: [String], attribute: [String], in embedding: WordEmbedding,
    distance: Distance = .norm,
    normalize: Bool = false
  ) -> (value: Double, perWord: [(String, Double)]) {
    let rows = { (w: String) -> [Double] in
      let v = embedding.vector(w)!
      return normalize ? VectorMath.normalized(v) : v
    }
    let m1 = VectorMath.mean(first.map(rows))
    let m2 = VectorMath.mean(second.map(rows))
    func d(_ a: [Double], _ b: [Double]) -> Double {
      distance == .norm ? VectorMath.norm(VectorMath.subtract(a, b)) : VectorMath.cosine(a, b)
    }
    let perWord = attribute.map { w -> (String, Double) in
      let a = rows(w)
      return (w, d(a, m1) - d(a, m2))
    }
    return (perWord.reduce(0) { $0 + $1.1 } / Double(perWord.count), perWord)
  }

  /// ECT: Spearman correlation of the two target means' cosine similarities to each attribute word.
  public static func ect(
    first: [String], second: [String], attribute: [String], in embedding: WordEmbedding
  ) -> Double {
    let m1 = VectorMath.mean(first.map { embedding.vector($0)! })
    let m2 = VectorMath.mean(second.map { embedding.vector($0)! })
    let s1 = attribute.map { VectorMath.cosine(m1, embedding.vector($0)!) }
    let s2 = attribute.map { VectorMath.cosine(m2, embedding.vector($0)!) }
    return spearman(s1, s2)
  }

  /// MAC over every target word of every set and every attribute set.
  public static func mac(
    targets: [[String]], attributes: [[String]], in embedding: WordEmbedding
  )
    -> Double
  {
    var total = 0.0
    var count = 0
    let attributeVectors = attributes.map { $0.map { embedding.vector($0)! } }
    for set in targets {
      for t in set {
        let v = embedding.vector(t)!
        for a in attributeVectors {
          total += a.reduce(0) { $0 + 1 - VectorMath.cosine(v, $1) } / Double(a.count)
          count += 1
        }
      }
    }
    return total / Double(count)
  }

  /// Spearman's ρ with average ranks for ties (scipy's `spearmanr`).
  public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
    FactualAssociation.pearson(averageRanks(x), averageRanks(y)).r
  }

  static func averageRanks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
      let rank = Double(i + j) / 2 + 1
      for k in i...j { ranks[order[k]] = rank }
      i = j + 1
    }
    return ranks
  }

  /// RNSB and each target word's probability of the second (negative) attribute class.
  ///
  /// - Parameters:
  ///   - holdout: fit on a stratified 80 % of the attribute words (WEFE's default) instead of all.
  ///   - seed: seeds the holdout split.
  public static func rnsb(
    targets: [[String]], positive: [String], negative: [String], in embedding: WordEmbedding,
    holdout: Bool = false,
    seed: UInt64 = 42, regularization C: Double = 1
  ) throws -> (value: Double, probabilities: [(String, Double)]) {
    var rows: [[Double]] = []
    var labels: [Double] = []
    var positiveRows = positive.map { embedding.vector($0)! }
    var negativeRows = negative.map { embedding.vector($0)! }
    if holdout {
      var g = SeededGenerator(seed: seed)
      func keep(_ list: [[Double]]) -> [[Double]] {
        var shuffled = list
        shuffled.shuffle(using: &g)
        let test = Int((Double(list.count) * 0.2).rounded(.up))
        return Array(shuffled.dropFirst(min(test, max(0, list.count - 1))))
      }
      positiveRows = keep(positiveRows)
      negativeRows = keep(negativeRows)
    }
    rows = positiveRows + negativeRows
    labels =
      [Double](repeating: 1, count: positiveRows.count)
      + [Double](repeating: -1, count: negativeRows.count)
    guard !positiveRows.isEmpty, !negativeRows.isEmpty else {
      throw BiasKitError(.degenerateData, "RNSB needs words in both attribute sets")
    }
    let w = try L2LogisticRegression.fit(rows: rows, labels: labels, C: C)
    var probabilities: [(String, Double)] = []
    for set in targets {
      for t in set {
        let x = embedding.vector(t)!
        // P(y = −1 | x) = 1 / (1 + exp(w·x̃)).
        let z = VectorMath.dot(Array(w.dropLast()), x) + w.last!
        probabilities.append((t, 1 / (1 + exp(z))))
      }
    }
    let total = probabilities.reduce(0) { $0 + $1.1 }
    let n = Double(probabilities.count)
    var kl = 0.0
    for (_, p) in probabilities {
      let q = p / total
      if q > 0 { kl += q * log(q * n) }
    }
    return (kl, probabilities)
  }
}

/// L2-penalised logistic regression with a penalised intercept, as liblinear's primal
/// problem (`-s 0`, bias 1):
///
///     min_w  ½‖w‖² + C Σ_i log(1 + exp(−y_i w·x̃_i)),   x̃ = (x, 1),  y ∈ {−1, +1}
///
/// solved by Newton's method with a Cholesky solve of `I + C X̃ᵀ D X̃` and backtracking.
/// The problem is strictly convex, so the optimum is unique.
///
/// - Complexity: O(iterations · (n d² + d³)).
enum L2LogisticRegression {
  /// The weights, intercept last.
  static func fit(rows: [[Double]], labels: [Double], C: Double) throws -> [Double] {
    let n = rows.count
    let d = (rows.first?.count ?? 0) + 1
    let x = rows.map { $0 + [1] }
    var w = [Double](repeating: 0, count: d)
    func objective(_ w: [Double]) -> Double {
      var f = 0.5 * VectorMath.dot(w, w)
      for i in 0..<n {
        let m = -labels[i] * VectorMath.dot(w, x[i])
        f += C * (m > 0 ? m + log1p(exp(-m)) : log1p(exp(m)))
      }
      return f
    }
    var f = objective(w)
    for _ in 0..<100 {
      var gradient = w
      var hessian = [Double](repeating: 0, count: d * d)
      for j in 0..<d { hessian[j * d + j] = 1 }
      for i in 0..<n {
        let z = labels[i] * VectorMath.dot(w, x[i])
        let sigma = 1 / (1 + exp(-z))
        let g = C * (sigma - 1) * labels[i]
        let h = C * sigma * (1 - sigma)
        let xi = x[i]
        for j in 0..<d {
          gradient[j] += g * xi[j]
          let hx = h * xi[j]
          if hx != 0 { for k in j..<d { hessian[j * d + k] += hx * xi[k] } }
        }
      }
      let gradientNorm = VectorMath.norm(gradient)
      if gradientNorm < 1e-10 { break }
      let step = try choleskySolve(hessian, gradient, d)
      var t = 1.0
      var next = w
      var fNext = f
      repeat {
        next = zip(w, step).map { $0 - t * $1 }
        fNext = objective(next)
        t /= 2
      } while fNext > f - 1e-4 * 2 * t * VectorMath.dot(gradient, step) && t > 1e-10
      let improvement = f - fNext
      w = next
      f = fNext
      if improvement < 1e-15 * max(1, abs(f)) { break }
    }
    return w
  }

  /// Solves H s = g for a symmetric positive-definite H given by its upper triangle.
  static func choleskySolve(_ h: [Double], _ g: [Double], _ d: Int) throws -> [Double] {
    var l = [Double](repeating: 0, count: d * d)
    for j in 0..<d {
      var s = h[j * d + j]
      for k in 0..<j { s -= l[j * d + k] * l[j * d + k] }
      guard s > 0 else {
        throw BiasKitError(
          .notConverged, "logistic regression: the Hessian is not positive definite")
      }
      let ljj = s.squareRoot()
      l[j * d + j] = ljj
      for i in (j + 1)..<max(d, j + 1) {
        var t = h[j * d + i]
        for k in 0..<j { t -= l[i * d + k] * l[j * d + k] }
        l[i * d + j] = t / ljj
      }
    }
    var y = g
    for i in 0..<d {
      for k in 0..<i { y[i] -= l[i * d + k] * y[k] }
      y[i] /= l[i * d + i]
    }
    for i in stride(from: d - 1, through: 0, by: -1) {
      for k in (i + 1)..<max(d, i + 1) { y[i] -= l[k * d + i] * y[k] }
      y[i] /= l[i * d + i]
    }
    return y
  }
}
