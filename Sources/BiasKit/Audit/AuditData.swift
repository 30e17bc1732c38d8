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
}
