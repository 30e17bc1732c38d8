/// The one-vs-rest view of a multiclass audit: for each class, the binary audit of "is this
/// class" (labels and predictions), with its rates per group and its fairness scalars, and
/// each fairness scalar's worst value over the classes.
///
/// Corresponds to fairlearn's `MetricFrame` and fairness functions applied to
/// `y_true == c`, `y_pred == c` for each class `c` (the per-class ROC AUC uses the class's
/// probability column, as scikit-learn's one-vs-rest AUC). The worst value of a difference is
/// its largest over the classes, of a ratio its smallest; undefined class values are skipped.
///
///     let classes = ClassAudit(frame: frame)
///     classes.fairness(.demographicParityDifference)          // worst over the classes
///     classes.fairness(.equalizedOddsRatio, class: 2)
///
/// - Complexity: O(K · cells · (metrics + K)) to build, plus the score merges for the AUC.
public struct ClassAudit: Sendable {
  /// The classes, in class order.
  public let classes: [String]
  /// `oneVsRest[c]`: the binary audit of class `c` against the rest.
  public let oneVsRest: [MetricFrame]

  /// The one-vs-rest audits of the classes of a multiclass `frame`.
  ///
  /// - Parameter metrics: the binary metrics of each class (by default the rates of
  ///   ``Metric/oneVsRestMetrics``, and `roc_auc` when the frame has class probabilities).
  public init(frame: MetricFrame, metrics: [Metric]? = nil) {
    let k = frame.classes.count
    let hasScores = frame.statistics.first?.classes?.probabilities != nil
    let chosen = metrics ?? (Metric.oneVsRestMetrics + (hasScores ? [.rocAUC] : []))
    classes = frame.classes
    oneVsRest = (0..<k).map { c in
      let others = (0..<k).filter { $0 != c }
      let statistics = frame.statistics.map { cell -> GroupStatistics in
        var binary = GroupStatistics()
        guard let counts = cell.classes else { return binary }
        binary.confusion = counts.oneVsRest(c)
        if let probabilities = counts.probabilities, chosen.contains(.rocAUC) {
          binary.scores = probabilities.counts(column: c, positive: c, negatives: others)
        }
        return binary
      }
      return MetricFrame(
        metrics: chosen, statistics: statistics, layout: frame.layout, options: frame.options,
        aggregation: frame.aggregation)
    }
  }

  /// The position of class `name`, if it is one.
  public func index(of name: String) -> Int? { classes.firstIndex(of: name) }

  /// `measure` for class `c` (between groups or to overall), within control level `control`.
  public func fairness(
    _ measure: FairnessMeasure, class c: Int, method: AggregateMethod = .betweenGroups,
    control: Int = 0
  ) -> Double? {
    oneVsRest[c].fairness(measure, method: method, control: control)
  }

  /// The worst value of `measure` over the classes: the largest difference or the smallest
  /// ratio (undefined class values skipped; nil when none is defined).
  public func fairness(
    _ measure: FairnessMeasure, method: AggregateMethod = .betweenGroups, control: Int = 0
  ) -> Double? {
    let values = oneVsRest.indices.compactMap {
      fairness(measure, class: $0, method: method, control: control)
    }
    return measure.isRatio ? values.min() : values.max()
  }

  /// The class whose `measure` is the worst, if any is defined.
  public func worstClass(
    _ measure: FairnessMeasure, method: AggregateMethod = .betweenGroups, control: Int = 0
  ) -> Int? {
    let values = oneVsRest.indices.compactMap { c in
      fairness(measure, class: c, method: method, control: control).map { (c, $0) }
    }
    return
      (measure.isRatio
      ? values.min(by: { $0.1 < $1.1 }) : values.max(by: { $0.1 < $1.1 }))?.0
  }
}
