/// Reject-option classification: near the decision threshold, where the classifier is least
/// sure, gives the favourable label to the unprivileged group and the unfavourable one to the
/// privileged group.
///
///     ŷ = 1[s > t]                      outside the critical region
///     ŷ = 1[a is unprivileged]          if t − m < s ≤ t + m
///
/// The threshold `t` and margin `m` are chosen on a grid: `t` over `linspace(low, high,
/// thresholdCount)`, and for each `t`, `m` over `linspace(0, min(t, 1 − t), marginCount)`
/// (`t` if `t ≤ 0.5`, else `1 − t`). Among grid points whose fairness metric lies in
/// `[lowerBound, upperBound]`, the first (in grid order) with the highest balanced accuracy
/// `½(TPR + TNR)` wins; if none does, the first with the smallest metric value.
///
/// Metrics (unprivileged minus privileged, as AIF360): statistical parity difference
/// `P(ŷ=1 | u) − P(ŷ=1 | p)`; average odds difference `½[(FPR_u − FPR_p) + (TPR_u − TPR_p)]`;
/// equal opportunity difference `TPR_u − TPR_p`.
///
/// Corresponds to AIF360 0.6.1's `RejectOptionClassification` (`low_class_thresh`,
/// `high_class_thresh`, `num_class_thresh`, `num_ROC_margin`, `metric_name`, `metric_ub`,
/// `metric_lb`); the grid is NumPy's `linspace` bit for bit, and the rates are count ratios,
/// so the chosen threshold, margin and predictions are the same. A rate with a zero
/// denominator is NaN and never within the bounds, as in AIF360.
///
/// - Complexity: O(thresholdCount · marginCount · n) to fit n rows; O(n) to predict.
///
/// ## References
/// - Kamiran, Karim, Zhang. Decision Theory for Discrimination-Aware Classification. ICDM 2012.
public struct RejectOptionClassification: Sendable {
  /// The fairness metric kept within bounds (AIF360: `metric_name`).
  public enum Metric: String, Sendable, CaseIterable {
    case statisticalParityDifference = "Statistical parity difference"
    case averageOddsDifference = "Average odds difference"
    case equalOpportunityDifference = "Equal opportunity difference"
  }

  /// Name of the privileged group (the other one is unprivileged).
  public var privilegedGroup: String
  public var metric: Metric
  /// Smallest and largest classification threshold (`low_class_thresh`, `high_class_thresh`).
  public var lowThreshold: Double
  public var highThreshold: Double
  /// Thresholds in the grid (`num_class_thresh`).
  public var thresholdCount: Int
  /// Margins per threshold (`num_ROC_margin`).
  public var marginCount: Int
  /// Bounds on the metric (`metric_lb`, `metric_ub`).
  public var lowerBound: Double
  public var upperBound: Double

  public init(
    privilegedGroup: String, metric: Metric = .statisticalParityDifference,
    lowThreshold: Double = 0.01, highThreshold: Double = 0.99, thresholdCount: Int = 100,
    marginCount: Int = 50, lowerBound: Double = -0.05, upperBound: Double = 0.05
  ) {
    self.privilegedGroup = privilegedGroup
    self.metric = metric
    self.lowThreshold = lowThreshold
    self.highThreshold = highThreshold
    self.thresholdCount = thresholdCount
    self.marginCount = marginCount
    self.lowerBound = lowerBound
    self.upperBound = upperBound
  }

  /// The chosen threshold and margin.
  public struct Model: Sendable, Equatable {
    public var groupNames: [String]
    public var privilegedCode: Int32
    /// AIF360: `classification_threshold`.
    public var threshold: Double
    /// AIF360: `ROC_margin`.
    public var margin: Double
    /// Balanced accuracy and metric of the chosen grid point on the fit data.
    public var balancedAccuracy: Double
    public var metricValue: Double
    /// Whether some grid point met the bounds (AIF360 warns "Unable to satisy fairness constraints").
    public var satisfiedBounds: Bool

    /// Labels of rows with `scores` in `groups`.
    public func predictions(scores: [Double], groups: SensitiveGroups) throws -> [UInt8] {
      guard scores.count == groups.rowCount else {
        throw BiasKitError.postprocessingLengths("RejectOptionClassification", "scores", scores.count, groups.rowCount)
      }
      guard groups.names == groupNames else {
        throw BiasKitError(.invalidArgument,
          "RejectOptionClassification: the groups (\(groups.names.joined(separator: ", "))) differ from the fitted ones (\(groupNames.joined(separator: ", ")))")
      }
      return RejectOptionClassification.label(scores: scores,
        isPrivileged: groups.codes.map { $0 == privilegedCode }, threshold: threshold, margin: margin)
    }
  }

  static func label(scores: [Double], isPrivileged: [Bool], threshold t: Double, margin m: Double) -> [UInt8] {
    let upper = t + m, lower = t - m
    return scores.indices.map { i in
      let s = scores[i]
      if s <= upper && s > lower { return isPrivileged[i] ? 0 : 1 }
      return s > t ? 1 : 0
    }
  }

  /// NumPy's `linspace(start, stop, count)` (endpoint included), bit for bit.
  static func linspace(_ start: Double, _ stop: Double, _ count: Int) -> [Double] {
    guard count > 1 else { return count == 1 ? [start] : [] }
    let step = (stop - start) / Double(count - 1)
    var out = (0..<count).map { Double($0) * step + start }
    if step == 0 { out = (0..<count).map { Double($0) / Double(count - 1) * (stop - start) + start } }
    out[count - 1] = stop
    return out
  }

  /// Chooses the threshold and margin on `scores`, 0/1 true `labels` and two `groups`.
  ///
  /// - Throws: for sizes that differ, other than two groups, an unknown privileged group, or
  ///   grid settings AIF360 rejects (thresholds outside [0, 1] or not increasing, counts < 1).
  public func fitted(scores: [Double], labels: [UInt8], groups: SensitiveGroups) throws -> Model {
    let name = "RejectOptionClassification"
    let n = scores.count
    guard labels.count == n else { throw BiasKitError.postprocessingLengths(name, "labels", labels.count, n) }
    guard groups.rowCount == n else { throw BiasKitError.postprocessingLengths(name, "groups", groups.rowCount, n) }
    guard lowThreshold >= 0, lowThreshold <= 1, highThreshold >= 0, highThreshold <= 1,
      lowThreshold < highThreshold, thresholdCount >= 1, marginCount >= 1
    else {
      throw BiasKitError(.invalidArgument,
        "\(name): thresholds must satisfy 0 ≤ low < high ≤ 1 and the grid counts must be at least 1")
    }
    let split = try PrivilegedSplit(groups: groups, privileged: privilegedGroup, algorithm: name)
    let privileged = split.isPrivileged
    var best: (index: Int, t: Double, m: Double, accuracy: Double, metric: Double)?
    var fallback: (t: Double, m: Double, accuracy: Double, metric: Double)?
    for t in Self.linspace(lowThreshold, highThreshold, thresholdCount) {
      for m in Self.linspace(0.0, t <= 0.5 ? t : 1.0 - t, marginCount) {
        let upper = t + m, lower = t - m
        var all = GroupCounts(), p = GroupCounts(), u = GroupCounts()
        for i in 0..<n {
          let s = scores[i]
          let yhat: Double = (s <= upper && s > lower) ? (privileged[i] ? 0 : 1) : (s > t ? 1 : 0)
          all.add(label: labels[i], prediction: yhat)
          if privileged[i] { p.add(label: labels[i], prediction: yhat) } else { u.add(label: labels[i], prediction: yhat) }
        }
        let accuracy = 0.5 * (all.truePositiveRate + all.trueNegativeRate)
        let value: Double
        switch metric {
        case .statisticalParityDifference: value = u.selectionRate - p.selectionRate
        case .averageOddsDifference:
          value = 0.5 * ((u.falsePositiveRate - p.falsePositiveRate) + (u.truePositiveRate - p.truePositiveRate))
        case .equalOpportunityDifference: value = u.truePositiveRate - p.truePositiveRate
        }
        if value >= lowerBound && value <= upperBound {
          if best == nil || accuracy > best!.accuracy { best = (0, t, m, accuracy, value) }
        }
        if fallback == nil || value < fallback!.metric { fallback = (t, m, accuracy, value) }
      }
    }
    if let b = best {
      return Model(groupNames: groups.names, privilegedCode: split.privilegedCode, threshold: b.t, margin: b.m,
        balancedAccuracy: b.accuracy, metricValue: b.metric, satisfiedBounds: true)
    }
    let f = fallback!
    return Model(groupNames: groups.names, privilegedCode: split.privilegedCode, threshold: f.t, margin: f.m,
      balancedAccuracy: f.accuracy, metricValue: f.metric, satisfiedBounds: false)
  }
}
