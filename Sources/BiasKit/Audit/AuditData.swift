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
  }

  public var outcomes: Outcomes
  /// Sample weights (`--sample-weight`), or nil for unit weights.
  public var weights: [Double]?

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
    }
  }

  public var isRegression: Bool {
    if case .regression = outcomes { return true }
    return false
  }

  public var hasScores: Bool {
    if case .classification(_, _, let scores) = outcomes { return scores != nil }
    return false
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
