import Foundation

/// Multiple-choice questions answered by a model: its probabilities over the option IDs
/// (A, B, C, …), optionally also under every cyclic permutation of the options.
///
/// `probabilities[q]` are the probabilities of question q's option IDs in the original order.
/// `permuted[q]`, when present, holds m rows for the m cyclic permutations: in row p the
/// option shown at position i is the original option (i + p) mod m (row 0 is the original
/// order), as Zheng et al.'s code (`debias_utils.simple`) lays them out.
///
/// - Complexity: O(n · m) memory (plus m² for each permuted question).
public struct MultipleChoiceQuestions: Sendable, Equatable {
  public var optionCount: Int
  /// The correct option of each question (0-based).
  public var answers: [Int]
  /// n × m, row-major.
  public var probabilities: [Double]
  /// The m × m rows of the questions answered under every cyclic permutation.
  public var permuted: [Int: [Double]]
  /// Question identifiers (for the output), empty when none were given.
  public var identifiers: [String]

  public var count: Int { answers.count }

  /// How probabilities that do not sum to 1 are treated.
  public enum Normalization: Sendable, Equatable {
    /// Each row must sum to 1 within `tolerance` (default 1e-6); otherwise an error.
    case require(tolerance: Double)
    /// Rows are divided by their sum (probabilities of the option-ID tokens taken from a
    /// larger vocabulary).
    case renormalize
  }

  /// Validates and stores the questions.
  /// - Throws: ``BiasKitError`` naming the question for an answer outside the options, a
  ///   probability outside [0, 1], a row not summing to 1 (with `.require`), or shapes that
  ///   do not fit.
  public init(
    optionCount m: Int, answers: [Int], probabilities: [Double], permuted: [Int: [Double]] = [:],
    identifiers: [String] = [], normalization: Normalization = .require(tolerance: 1e-6)
  ) throws {
    guard m >= 2 else {
      throw BiasKitError(.invalidArgument, "a multiple-choice question needs at least 2 options")
    }
    guard probabilities.count == answers.count * m else {
      throw BiasKitError(
        .invalidArgument,
        "\(answers.count) questions of \(m) options need \(answers.count * m) probabilities, got \(probabilities.count)"
      )
    }
    guard identifiers.isEmpty || identifiers.count == answers.count else {
      throw BiasKitError(.invalidArgument, "give one identifier per question or none")
    }
    func name(_ q: Int) -> String {
      identifiers.isEmpty ? "question \(q + 1)" : "question '\(identifiers[q])'"
    }
    for (q, a) in answers.enumerated() where a < 0 || a >= m {
      throw BiasKitError.answerOutsideOptions(name(q), answer: a, optionCount: m)
    }
    var rows = probabilities
    var perms = permuted
    func check(_ values: inout [Double], _ start: Int, _ q: Int) throws {
      var sum = 0.0
      for j in 0..<m {
        let v = values[start + j]
        guard v.isFinite, v >= 0, v <= 1 else {
          throw BiasKitError(
            .invalidValue, "\(name(q)): the probability \(v) of option \(j) is not in [0, 1]")
        }
        sum += v
      }
      switch normalization {
      case .require(let tolerance):
        guard abs(sum - 1) <= tolerance else {
          throw BiasKitError.probabilitiesDoNotSumToOne(name(q), sum: sum, tolerance: tolerance)
        }
      case .renormalize:
        guard sum > 0 else {
          throw BiasKitError(.invalidValue, "\(name(q)): every option's probability is 0")
        }
        for j in 0..<m { values[start + j] /= sum }
      }
    }
    for q in 0..<answers.count { try check(&rows, q * m, q) }
    for (q, block) in permuted {
      guard q >= 0, q < answers.count else {
        throw BiasKitError(
          .invalidArgument, "permuted probabilities for question \(q + 1), which does not exist")
      }
      guard block.count == m * m else {
        throw BiasKitError(
          .invalidValue,
          "\(name(q)): the cyclic permutations need \(m) rows of \(m) probabilities, got \(block.count) values"
        )
      }
      var b = block
      for p in 0..<m { try check(&b, p * m, q) }
      perms[q] = b
    }
    optionCount = m
    self.answers = answers
    self.probabilities = rows
    self.permuted = perms
    self.identifiers = identifiers
  }
}

/// Selection bias of a multiple-choice answerer: the recall of each option ID and their
/// standard deviation.
///
///     recall_i = #{questions answered i whose answer is i} / #{questions whose answer is i}
///     RStd = sqrt( (1/m) Σ_i (recall_i − mean recall)² )
///
/// Corresponds to Zheng et al.'s evaluation (`sklearn.metrics.classification_report` recalls,
/// `np.std`, population deviation): an option ID that is never the answer has recall 0, as
/// scikit-learn's `zero_division` default gives. Values are fractions (the paper prints × 100).
///
/// - Complexity: O(n + m).
///
/// ## References
/// - Zheng, Zhou, Meng, Zhou, Huang. Large language models are not robust multiple choice
///   selectors. ICLR 2024 (arXiv 2309.03882: "On large language models' selection bias in
///   multi-choice questions").
public struct SelectionBias: Sendable, Equatable {
  public var accuracy: Double
  public var recalls: [Double]
  /// Population standard deviation of ``recalls`` (the paper's RStd / 100).
  public var recallStandardDeviation: Double
  /// How often each option ID was chosen.
  public var chosen: [Int]

  public init(predictions: [Int], answers: [Int], optionCount m: Int) {
    var hits = [Int](repeating: 0, count: m)
    var support = [Int](repeating: 0, count: m)
    var chosen = [Int](repeating: 0, count: m)
    var correct = 0
    for (p, a) in zip(predictions, answers) {
      support[a] += 1
      if p >= 0 && p < m { chosen[p] += 1 }
      if p == a {
        hits[a] += 1
        correct += 1
      }
    }
    recalls = (0..<m).map { support[$0] > 0 ? Double(hits[$0]) / Double(support[$0]) : 0 }
    let mean = recalls.reduce(0, +) / Double(m)
    recallStandardDeviation = (recalls.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(m))
      .squareRoot()
    accuracy = answers.isEmpty ? .nan : Double(correct) / Double(answers.count)
    self.chosen = chosen
  }
}

extension BiasKitError {
  static func answerOutsideOptions(_ question: String, answer: Int, optionCount: Int) -> Self {
    BiasKitError(
      .invalidValue,
      "\(question): the answer \(answer) is outside the \(optionCount) options (0–\(optionCount - 1))"
    )
  }

  static func probabilitiesDoNotSumToOne(_ question: String, sum: Double, tolerance: Double) -> Self
  {
    BiasKitError(
      .invalidValue,
      "\(question): the option probabilities sum to \(sum), not 1 (tolerance \(tolerance)); renormalize them (--renormalize) if they are a vocabulary's probabilities of the option IDs"
    )
  }
}
