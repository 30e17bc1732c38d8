/// Everything the audit metrics need to know about one group: its confusion counts, and when
/// asked for, its score counts, calibration sums and regression sums.
///
/// This is the mergeable sufficient statistic of the audit: the statistics of a union of
/// groups (the overall row, a control level, a shard of a file) are the ``merge(_:)`` of the
/// parts, and every metric is a function of it (``Metric/value(from:options:)``).
///
/// - Complexity: O(1) to merge the counts; O(d) for d distinct scores.
public struct GroupStatistics: Sendable, Equatable, Codable {
  public var confusion = ConfusionCounts()
  /// Distinct-score counts, for `roc_auc` and `average_precision`.
  public var scores: ScoreCounts?
  /// Brier, log loss and calibration sums.
  public var calibration: CalibrationStatistics?
  /// Sums for the regression metrics.
  public var regression: RegressionStatistics?
  /// The multiclass confusion matrix (and probability sums), for a multiclass audit. Its rows
  /// are also counted in ``confusion`` as true negatives, so that row counts and totals work.
  public var classes: MulticlassCounts?

  /// Empty statistics.
  public init() {}

  /// Adds another group's statistics.
  public mutating func merge(_ other: GroupStatistics) {
    confusion.add(other.confusion)
    if let theirs = other.scores { scores = scores.map { $0.merged(with: theirs) } ?? theirs }
    if let theirs = other.calibration {
      if calibration == nil { calibration = theirs } else { calibration!.add(theirs) }
    }
    if let theirs = other.regression {
      if regression == nil { regression = theirs } else { regression!.add(theirs) }
    }
    if let theirs = other.classes {
      if classes == nil { classes = theirs } else { classes!.add(theirs) }
    }
  }

  /// The statistics of several groups together.
  public static func merged<S: Sequence>(_ parts: S) -> GroupStatistics
  where S.Element == GroupStatistics {
    var total = GroupStatistics()
    var scores: [ScoreCounts] = []
    for var part in parts {
      if let s = part.scores { scores.append(s) }
      part.scores = nil
      total.merge(part)
    }
    if !scores.isEmpty { total.scores = ScoreCounts.merged(scores) }
    return total
  }

  /// Rows in the group.
  public var rows: Int { confusion.rows }
}
