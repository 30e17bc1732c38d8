import Foundation

/// PriDe: removes a multiple-choice answerer's prior preference for option IDs, estimated on a
/// few questions answered under every cyclic permutation of their options.
///
/// The model's probability of option ID dᵢ is taken to factor into a prior over IDs and a
/// debiased probability of the content oᵢ shown there:
///
///     P_obs(dᵢ | q, x) ∝ P_prior(dᵢ | q) · P_debiased(oᵢ | q, x)
///
/// For each estimation question, observed under the m cyclic permutations I (rows normalised
/// to sum 1):
///
///     P_prior(d | q) = softmax_d( (1/m) Σ_I log(P_obs(d | q, x^I) + ε) )
///     P_debiased(o | q) = (1/m) Σ_I P_obs(position of o in I | q, x^I)
///
/// The task's prior is the mean of the estimation questions' priors; every other question is
/// debiased with it,
///
///     ô = argmaxᵢ log(P_obs(dᵢ | q, x) + ε) − log(P̃_prior(dᵢ) + ε),
///
/// and the estimation questions take their permutation-debiased answer. ε = 1e-10 everywhere,
/// and the softmax's denominator gets + ε, as in the paper's code (`debias_utils.simple`,
/// `debias_pride.py`), so the numbers match it.
///
/// Choosing the estimation questions: a fraction K of all questions (the paper's default 5%,
/// `int(n · K)` of them), drawn uniformly from the questions that carry all m permutations with
/// `SeededGenerator(seed:)`, or every such question.
///
/// - Complexity: O(n · m + |estimation| · m²).
///
/// ## References
/// - Zheng, Zhou, Meng, Zhou, Huang. Large language models are not robust multiple choice
///   selectors. ICLR 2024.
public struct PriDe: Sendable {
  /// Which questions estimate the prior.
  public enum Estimation: Sendable, Equatable {
    /// `Int(n · fraction)` questions drawn from those with all cyclic permutations.
    case fraction(Double, seed: UInt64)
    /// Every question that carries all cyclic permutations.
    case allPermuted
  }

  public var estimation: Estimation

  public init(estimation: Estimation = .fraction(0.05, seed: 0)) {
    self.estimation = estimation
  }

  static let epsilon = 1e-10

  /// The estimated prior, applied.
  public struct Model: Sendable, Equatable {
    /// P̃_prior over the option IDs.
    public var prior: [Double]
    /// The estimation questions (0-based, ascending).
    public var estimationQuestions: [Int]
    /// Each question's answer before (argmax of the observed probabilities) and after.
    public var originalPredictions: [Int]
    public var debiasedPredictions: [Int]
    /// n × m debiased probabilities (normalised).
    public var debiasedProbabilities: [Double]
    public var before: SelectionBias
    public var after: SelectionBias
    /// Forward passes per question relative to plain answering (m for estimation
    /// questions, 1 for the others): the paper's "cost".
    public var cost: Double
  }

  /// Estimates the prior on `questions` and debiases them all.
  /// - Throws: ``BiasKitError`` when no question carries all permutations or the fraction
  ///   selects none (or more than there are).
  public func fitted(to questions: MultipleChoiceQuestions) throws -> Model {
    let m = questions.optionCount
    let n = questions.count
    let candidates = questions.permuted.keys.sorted()
    var chosen: [Int]
    switch estimation {
    case .allPermuted:
      chosen = candidates
    case .fraction(let k, let seed):
      guard k > 0, k <= 1 else {
        throw BiasKitError(
          .invalidArgument, "the PriDe estimation fraction must lie in (0, 1], got \(k)")
      }
      let size = Int(Double(n) * k)
      guard size >= 1 else {
        throw BiasKitError(
          .degenerateData,
          "a PriDe estimation fraction of \(k) of \(n) questions selects none; use a larger fraction"
        )
      }
      guard size <= candidates.count else {
        throw BiasKitError(
          .degenerateData,
          "PriDe needs \(size) questions answered under all \(m) cyclic permutations (\(k) of \(n)); the input has \(candidates.count)"
        )
      }
      var pool = candidates
      var rng = SeededGenerator(seed: seed)
      for i in 0..<size { pool.swapAt(i, i + rng.nextInt(below: pool.count - i)) }
      chosen = Array(pool[..<size]).sorted()
    }
    guard !chosen.isEmpty else {
      throw BiasKitError(
        .degenerateData,
        "PriDe needs questions answered under all \(m) cyclic permutations of their options; none has them"
      )
    }
    let eps = Self.epsilon
    var prior = [Double](repeating: 0, count: m)
    var permutationDebiased: [Int: [Double]] = [:]
    for q in chosen {
      let block = questions.permuted[q]!
      var logMean = [Double](repeating: 0, count: m)
      var debiased = [Double](repeating: 0, count: m)
      for p in 0..<m {
        var sum = 0.0
        for i in 0..<m { sum += block[p * m + i] }
        for i in 0..<m {
          let v = block[p * m + i] / (sum + eps)
          logMean[i] += log(v + eps)
          debiased[(i + p) % m] += v
        }
      }
      let questionPrior = Self.softmax(logMean.map { $0 / Double(m) })
      for i in 0..<m { prior[i] += questionPrior[i] }
      permutationDebiased[q] = debiased.map { $0 / Double(m) }
    }
    prior = prior.map { $0 / Double(chosen.count) }
    let logPrior = prior.map { log($0 + eps) }
    var original = [Int](repeating: 0, count: n)
    var after = [Int](repeating: 0, count: n)
    var probabilities = [Double](repeating: 0, count: n * m)
    for q in 0..<n {
      let row = Array(questions.probabilities[(q * m)..<((q + 1) * m)])
      original[q] = LMEvaluationHarnessLog.argmax(row)
      if let d = permutationDebiased[q] {
        after[q] = LMEvaluationHarnessLog.argmax(d)
        let s = d.reduce(0, +)
        for i in 0..<m { probabilities[q * m + i] = d[i] / s }
      } else {
        let scores = (0..<m).map { log(row[$0] + eps) - logPrior[$0] }
        after[q] = LMEvaluationHarnessLog.argmax(scores)
        let top = scores.max()!
        let e = scores.map { exp($0 - top) }
        let s = e.reduce(0, +)
        for i in 0..<m { probabilities[q * m + i] = e[i] / s }
      }
    }
    return Model(
      prior: prior, estimationQuestions: chosen, originalPredictions: original,
      debiasedPredictions: after, debiasedProbabilities: probabilities,
      before: SelectionBias(predictions: original, answers: questions.answers, optionCount: m),
      after: SelectionBias(predictions: after, answers: questions.answers, optionCount: m),
      cost: (Double(chosen.count * m) + Double(n - chosen.count)) / Double(n))
  }

  /// The paper code's softmax: exp(x − max) / (Σ + ε).
  static func softmax(_ x: [Double]) -> [Double] {
    let top = x.max() ?? 0
    let e = x.map { exp($0 - top) }
    let s = e.reduce(0, +) + epsilon
    return e.map { $0 / s }
  }
}

extension MultipleChoiceQuestions {
  /// Reads questions from JSON Lines: `answer` (an index, or a letter A, B, …), `probs` (the m
  /// option-ID probabilities, or m rows of them for the cyclic permutations, row p showing
  /// option (i + p) mod m at position i), and optionally `id`.
  public init(
    reading file: JSONLines, normalization: Normalization = .require(tolerance: 1e-6)
  )
    throws
  {
    struct Row {
      var id: String?
      var answer: Int
      var rows: [[Double]]
      var line: Int
    }
    var optionCount: Int? = nil
    let rows = try file.map { record -> Row in
      let answerValue = try record.required("answer")
      var answer: Int
      if let a = answerValue.integer {
        answer = a
      } else if let s = answerValue.string, s.count == 1, let c = s.unicodeScalars.first,
        ("A"..."Z").contains(c)
      {
        answer = Int(c.value) - 65
      } else {
        throw record.problem(
          "'answer' must be an option index (0, 1, …) or a letter (A, B, …), not \(answerValue.text())",
          at: answerValue)
      }
      let probs = try record.required("probs")
      guard probs.kind == .array, probs.count >= 2 else {
        throw record.problem("'probs' must be a list of the option IDs' probabilities", at: probs)
      }
      var rows: [[Double]] = []
      if probs.elements[0].kind == .array {
        for r in probs.elements {
          rows.append(
            try r.elements.map { v in
              guard let x = v.number else {
                throw record.problem("a probability must be a number, not \(v.text())", at: v)
              }
              return x
            })
        }
        let m = rows[0].count
        guard rows.count == m, rows.allSatisfy({ $0.count == m }) else {
          throw record.problem(
            "'probs' with permutations must be \(m) rows of \(m) probabilities (one per cyclic permutation)",
            at: probs)
        }
      } else {
        rows.append(
          try probs.elements.map { v in
            guard let x = v.number else {
              throw record.problem("a probability must be a number, not \(v.text())", at: v)
            }
            return x
          })
      }
      guard answer >= 0, answer < rows[0].count else {
        throw record.problem(
          "the answer \(answer) is outside the \(rows[0].count) options (0–\(rows[0].count - 1))",
          at: answerValue)
      }
      return Row(
        id: record.root["id"]?.string, answer: answer, rows: rows, line: record.line.lowerBound)
    }
    for r in rows {
      if let m = optionCount, m != r.rows[0].count {
        throw BiasKitError(
          .invalidValue,
          "\(file.location(ofByte: r.line)): this question has \(r.rows[0].count) options; the first has \(m)"
        )
      }
      optionCount = r.rows[0].count
    }
    guard let m = optionCount else {
      throw BiasKitError(.degenerateData, "\(file.path): the file has no questions")
    }
    var permuted: [Int: [Double]] = [:]
    for (q, r) in rows.enumerated() where r.rows.count > 1 { permuted[q] = r.rows.flatMap { $0 } }
    let ids = rows.allSatisfy({ $0.id != nil }) ? rows.map { $0.id! } : []
    do {
      try self.init(
        optionCount: m, answers: rows.map(\.answer), probabilities: rows.flatMap { $0.rows[0] },
        permuted: permuted, identifiers: ids, normalization: normalization)
    } catch let error as BiasKitError {
      throw BiasKitError(error.code, "\(file.path): \(error.message)")
    }
  }
}
