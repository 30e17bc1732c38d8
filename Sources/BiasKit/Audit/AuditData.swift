/// The columns an audit reads, typed and validated: outcomes, optional scores and weights.
///
/// Built once at the edge (``AuditTable`` reads it from a file); the audit works on these
/// contiguous arrays only.
public struct AuditData: Sendable {
  /// What the model predicted.
  public enum Outcomes: Sendable {
    /// Binary labels and predictions (0/1), and optionally the model's scores.
    case classification(labels: [UInt8], predictions: [UInt8], scores: [Double]?)
    /// Numeric targets and predictions.
    case regression(targets: [Double], predictions: [Double])
    /// Class labels and predictions, and optionally a probability matrix.
    case multiclass(MulticlassOutcomes)
  }

  /// What the rows hold.
  public var outcomes: Outcomes
  /// Sample weights (`--sample-weight`), or nil for unit weights.
  public var weights: [Double]?

  /// Outcomes with optional weights.
  public init(outcomes: Outcomes, weights: [Double]? = nil) {
    self.outcomes = outcomes
    self.weights = weights
  }

  /// A classification audit's data.
  public static func classification(
    labels: [UInt8], predictions: [UInt8], scores: [Double]? = nil, weights: [Double]? = nil
  ) -> AuditData {
    AuditData(
      outcomes: .classification(labels: labels, predictions: predictions, scores: scores),
      weights: weights)
  }

  /// Number of rows.
  public var rowCount: Int {
    switch outcomes {
    case .classification(let labels, _, _): return labels.count
    case .regression(let targets, _): return targets.count
    case .multiclass(let outcomes): return outcomes.labels.count
    }
  }

  /// Whether the outcomes are numeric.
  public var isRegression: Bool {
    if case .regression = outcomes { return true }
    return false
  }

  /// Whether the outcomes are class labels of more than two classes' kind.
  public var isMulticlass: Bool {
    if case .multiclass = outcomes { return true }
    return false
  }

  /// Whether there are scores (binary) or a probability matrix (multiclass).
  public var hasScores: Bool {
    switch outcomes {
    case .classification(_, _, let scores): return scores != nil
    case .multiclass(let outcomes): return outcomes.probabilities != nil
    case .regression: return false
    }
  }

  /// Throws unless the arrays fit the counting pass: one value per row in every array, labels
  /// and predictions 0 or 1, finite scores, finite non-negative weights, and every row's cell
  /// in `0..<cellCount`. A wrong value through the public API must throw, never index another
  /// cell's table.
  ///
  /// - Complexity: O(n).
  public func validate(cells: [Int32], cellCount: Int) throws {
    let n = rowCount
    guard cells.count == n else { throw BiasKitError.lengthMismatch("audit cells", cells.count, n) }
    if let bad = cells.firstIndex(where: { $0 < 0 || Int($0) >= cellCount }) {
      throw BiasKitError(
        .invalidArgument,
        "the cell of row \(bad + 1) is \(cells[bad]); the audit has \(cellCount) cells")
    }
    switch outcomes {
    case .classification(let labels, let predictions, let scores):
      guard predictions.count == n else {
        throw BiasKitError.lengthMismatch("audit predictions", predictions.count, n)
      }
      try checkBinaryLabels(labels, "audit labels")
      try checkBinaryLabels(predictions, "audit predictions")
      if let scores {
        guard scores.count == n else {
          throw BiasKitError.lengthMismatch("audit scores", scores.count, n)
        }
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
          throw BiasKitError(
            .invalidValue, "the score of row \(bad + 1) is \(scores[bad]); expected a finite number"
          )
        }
      }
    case .regression(_, let predictions):
      guard predictions.count == n else {
        throw BiasKitError.lengthMismatch("audit predictions", predictions.count, n)
      }
    case .multiclass(let outcomes):
      try outcomes.validate()
    }
    if let weights {
      guard weights.count == n else {
        throw BiasKitError.lengthMismatch("audit sample weights", weights.count, n)
      }
      if let bad = weights.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
        throw BiasKitError(
          .invalidValue,
          "the sample weight of row \(bad + 1) is \(weights[bad]); expected a finite number ≥ 0")
      }
    }
  }
}

/// The outcomes of a multiclass audit: each row's true and predicted class (positions in
/// ``classes``), and optionally its probability for every class.
///
/// Built by ``MulticlassTable`` from a file; from arrays, ``validate()`` checks them.
public struct MulticlassOutcomes: Sendable {
  /// The classes, sorted as NumPy's `np.unique` sorts them (numbers numerically).
  public let classes: [String]
  /// The true class of each row, in `0..<classes.count`.
  public let labels: [Int32]
  /// The predicted class of each row, in `0..<classes.count`.
  public let predictions: [Int32]
  /// Row-major n × K probabilities (row `i`, class `k` at `i · K + k`), each in [0, 1], rows
  /// summing to 1.
  public let probabilities: [Double]?

  /// Outcomes of `classes` (checked by ``validate()``).
  public init(classes: [String], labels: [Int32], predictions: [Int32], probabilities: [Double]?) {
    self.classes = classes
    self.labels = labels
    self.predictions = predictions
    self.probabilities = probabilities
  }

  /// Number of classes K.
  public var classCount: Int { classes.count }

  /// The tolerance of a probability row's sum (1 ± 1e-6).
  public static let sumTolerance = 1e-6

  /// Throws unless there are two classes or more, every label and prediction is a class, and
  /// the probabilities are n × K values in [0, 1] whose rows sum to 1 within ``sumTolerance``.
  public func validate() throws {
    let n = labels.count
    let k = classes.count
    guard k >= 2 else {
      throw BiasKitError(.degenerateData, "a multiclass audit needs two classes or more")
    }
    guard predictions.count == n else {
      throw BiasKitError.lengthMismatch("audit predictions", predictions.count, n)
    }
    let classCount = Int32(k)
    if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classCount })
      ?? predictions.firstIndex(where: { $0 < 0 || $0 >= classCount })
    {
      throw BiasKitError(.invalidArgument, "the class of row \(bad + 1) is not one of the \(k)")
    }
    if let probabilities {
      guard probabilities.count == n * k else {
        throw BiasKitError.lengthMismatch("audit probabilities", probabilities.count, n * k)
      }
      for i in 0..<n {
        var sum = 0.0
        for c in 0..<k {
          let p = probabilities[i * k + c]
          guard p.isFinite, (0...1).contains(p) else {
            throw BiasKitError(
              .invalidValue,
              "the probability of class '\(classes[c])' in row \(i + 1) is \(p); expected a number in [0, 1]"
            )
          }
          sum += p
        }
        guard abs(sum - 1) <= MulticlassOutcomes.sumTolerance else {
          throw BiasKitError(
            .invalidValue,
            "the probabilities of row \(i + 1) sum to \(sum); expected 1 (within 1e-6)")
        }
      }
    }
  }
}
