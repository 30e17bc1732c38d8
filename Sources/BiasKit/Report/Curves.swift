/// The curves the report draws, from the audit's per-group sufficient statistics (no second
/// pass over the rows).
extension ScoreCounts {
  /// The ROC curve, as scikit-learn's `roc_curve(drop_intermediate=False)`: from (0, 0), one
  /// point (FPR, TPR) per distinct score taken as threshold, highest first, ending at (1, 1).
  /// Empty when the group lacks positives or negatives (the curve is undefined).
  ///
  /// - Complexity: O(d) for d distinct scores.
  public func rocCurve() -> [LineChart.Point] {
    let p = positives.reduce(0, +), n = negatives.reduce(0, +)
    guard p > 0, n > 0 else { return [] }
    var points = [LineChart.Point(x: 0, y: 0)]
    var tp = 0.0, fp = 0.0
    for k in values.indices.reversed() {
      tp += positives[k]
      fp += negatives[k]
      points.append(LineChart.Point(x: fp / n, y: tp / p))
    }
    return points
  }

  /// The precision-recall curve, as scikit-learn's `precision_recall_curve`: one point
  /// (recall, precision) per distinct score taken as threshold, highest first, after the point
  /// (0, 1) that scikit-learn appends. Empty without positives.
  ///
  /// - Complexity: O(d) for d distinct scores.
  public func precisionRecallCurve() -> [LineChart.Point] {
    let p = positives.reduce(0, +)
    guard p > 0 else { return [] }
    var points = [LineChart.Point(x: 0, y: 1)]
    var tp = 0.0, fp = 0.0
    for k in values.indices.reversed() {
      tp += positives[k]
      fp += negatives[k]
      points.append(LineChart.Point(x: tp / p, y: tp + fp > 0 ? tp / (tp + fp) : 1))
    }
    return points
  }
}

extension CalibrationStatistics {
  /// The reliability diagram: for each non-empty equal-width bin, (mean score, fraction of
  /// positives), weighted; as scikit-learn's `calibration_curve(strategy="uniform")` with the
  /// audit's bins (scikit-learn returns (prob_true, prob_pred); x here is prob_pred).
  ///
  /// - Complexity: O(bins).
  public func calibrationCurve() -> [LineChart.Point] {
    binWeight.indices.compactMap { b in
      binWeight[b] > 0
        ? LineChart.Point(x: binScores[b] / binWeight[b], y: binLabels[b] / binWeight[b]) : nil
    }
  }
}
