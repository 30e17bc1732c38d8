/// The binary confusion matrix of one group, weighted and unweighted.
///
/// `truePositives` etc. are sums of sample weights (1 per row without weights); `rows` and the
/// `count…` fields are plain row counts, used by `count` and the unweighted inequality indices.
/// Every confusion-matrix metric is a function of these sums, so an audit is one counting pass
/// and a bootstrap sample is one re-count.
///
/// - Complexity: O(1) to update and to merge.
public struct ConfusionCounts: Sendable, Equatable, Codable {
  /// Weighted sums of the four cells.
  public var truePositives = 0.0
  public var falsePositives = 0.0
  public var trueNegatives = 0.0
  public var falseNegatives = 0.0
  /// Unweighted row counts of the four cells.
  public var countTruePositives = 0
  public var countFalsePositives = 0
  public var countTrueNegatives = 0
  public var countFalseNegatives = 0

  public init() {}

  /// Rows in the group.
  public var rows: Int {
    countTruePositives + countFalsePositives + countTrueNegatives + countFalseNegatives
  }
  /// Weighted rows: the sum of the sample weights.
  public var total: Double { truePositives + falsePositives + trueNegatives + falseNegatives }
  /// Weighted positives (label 1).
  public var positives: Double { truePositives + falseNegatives }
  /// Weighted negatives (label 0).
  public var negatives: Double { trueNegatives + falsePositives }
  /// Weighted predicted positives.
  public var predictedPositives: Double { truePositives + falsePositives }

  /// Adds one row (or `count` copies of it, `weight` being their total weight).
  public mutating func add(label: UInt8, prediction: UInt8, weight: Double = 1, count: Int = 1) {
    switch (label, prediction) {
    case (1, 1): truePositives += weight; countTruePositives += count
    case (0, 1): falsePositives += weight; countFalsePositives += count
    case (1, 0): falseNegatives += weight; countFalseNegatives += count
    default: trueNegatives += weight; countTrueNegatives += count
    }
  }

  /// Adds the counts of another group (associative and commutative for unweighted data).
  public mutating func add(_ other: ConfusionCounts) {
    truePositives += other.truePositives
    falsePositives += other.falsePositives
    trueNegatives += other.trueNegatives
    falseNegatives += other.falseNegatives
    countTruePositives += other.countTruePositives
    countFalsePositives += other.countFalsePositives
    countTrueNegatives += other.countTrueNegatives
    countFalseNegatives += other.countFalseNegatives
  }

  /// Counts with unit weights from the four cell counts.
  public init(tp: Int, fp: Int, tn: Int, fn: Int) {
    countTruePositives = tp
    countFalsePositives = fp
    countTrueNegatives = tn
    countFalseNegatives = fn
    truePositives = Double(tp)
    falsePositives = Double(fp)
    trueNegatives = Double(tn)
    falseNegatives = Double(fn)
  }
}
