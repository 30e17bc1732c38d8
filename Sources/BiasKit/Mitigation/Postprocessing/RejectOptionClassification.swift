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
/// With instance weights `w` (AIF360: `dataset.instance_weights`, which its
/// `ClassificationMetric` and `BinaryLabelDatasetMetric` use everywhere), every count above is
/// a sum of weights: `TPR = Σ_{y=1, ŷ=1} w / Σ_{y=1} w`, `P(ŷ=1 | u) = Σ_{u, ŷ=1} w / Σ_u w`,
/// and so on; the prediction rule itself does not use them.
///
/// Corresponds to AIF360 0.6.1's `RejectOptionClassification` (`low_class_thresh`,
/// `high_class_thresh`, `num_class_thresh`, `num_ROC_margin`, `metric_name`, `metric_ub`,
/// `metric_lb`); the grid is NumPy's `linspace` bit for bit, and without weights the rates are
/// count ratios, so the chosen threshold, margin and predictions are the same. With weights
/// the sums are formed in another order than NumPy's pairwise `np.sum`, so they agree to
/// rounding (~1e-15 relative); the choice is the same unless two grid points' balanced
/// accuracies (or a metric value and a bound) are equal in exact arithmetic, where AIF360's
/// pick depends on its rounding. A rate with a zero denominator is NaN and never within the
/// bounds, as in AIF360.
///
/// - Complexity: O(n log n + thresholdCount · marginCount · log n) to fit n rows (counts, or
///   suffix sums of the weights, by binary search in sorted scores); O(n) to predict.
///
/// ## References
/// - Kamiran, Karim, Zhang. Decision Theory for Discrimination-Aware Classification. ICDM 2012.
public struct RejectOptionClassification: Sendable {
  /// The fairness metric kept within bounds (AIF360: `metric_name`).
  public enum Metric: String, Sendable, CaseIterable {
    /// `P(ŷ=1 | u) − P(ŷ=1 | p)`.
    case statisticalParityDifference = "Statistical parity difference"
    /// `½[(FPR_u − FPR_p) + (TPR_u − TPR_p)]`.
    case averageOddsDifference = "Average odds difference"
    /// `TPR_u − TPR_p`.
    case equalOpportunityDifference = "Equal opportunity difference"

    /// The metric's name in snake case (`statistical_parity_difference`, …), as
    /// `biaskit mitigate reject-option --metric` takes it.
    public var name: String {
      switch self {
      case .statisticalParityDifference: return "statistical_parity_difference"
      case .averageOddsDifference: return "average_odds_difference"
      case .equalOpportunityDifference: return "equal_opportunity_difference"
      }
    }

    /// The metric named `name`: its snake-case ``name`` or AIF360's `metric_name`.
    public init?(name: String) {
      guard let metric = Metric.allCases.first(where: { $0.name == name || $0.rawValue == name })
      else { return nil }
      self = metric
    }
  }

  /// Name of the privileged group (the other one is unprivileged).
  public var privilegedGroup: String
  /// The fairness metric kept within bounds (`metric_name`).
  public var metric: Metric
  /// Smallest classification threshold (`low_class_thresh`).
  public var lowThreshold: Double
  /// Largest classification threshold (`high_class_thresh`).
  public var highThreshold: Double
  /// Thresholds in the grid (`num_class_thresh`).
  public var thresholdCount: Int
  /// Margins per threshold (`num_ROC_margin`).
  public var marginCount: Int
  /// Lower bound on the metric (`metric_lb`).
  public var lowerBound: Double
  /// Upper bound on the metric (`metric_ub`).
  public var upperBound: Double

  /// Reject-option classification favouring the group other than `privilegedGroup`, with
  /// AIF360's defaults.
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
    /// The two groups, sorted.
    public var groupNames: [String]
    /// Index of the privileged group in ``groupNames``.
    public var privilegedCode: Int32
    /// AIF360: `classification_threshold`.
    public var threshold: Double
    /// AIF360: `ROC_margin`.
    public var margin: Double
    /// Balanced accuracy of the chosen grid point on the fit data.
    public var balancedAccuracy: Double
    /// The metric's value at the chosen grid point on the fit data.
    public var metricValue: Double
    /// Whether some grid point met the bounds (AIF360 warns "Unable to satisy fairness constraints").
    public var satisfiedBounds: Bool
    /// The metric kept within bounds.
    public var metric: Metric = .statisticalParityDifference

    /// Labels of rows with `scores` in `groups`.
    public func predictions(scores: [Double], groups: Groups) throws -> [UInt8] {
      guard scores.count == groups.rowCount else {
        throw BiasKitError.postprocessingLengths(
          "RejectOptionClassification", "scores", scores.count, groups.rowCount)
      }
      let codes = try groups.codes(matching: groupNames)
      return RejectOptionClassification.label(
        scores: scores,
        isPrivileged: codes.map { $0 == privilegedCode }, threshold: threshold,
        margin: margin)
    }
  }

  static func label(
    scores: [Double], isPrivileged: [Bool], threshold t: Double, margin m: Double
  )
    -> [UInt8]
  {
    let upper = t + m
    let lower = t - m
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
    if step == 0 {
      out = (0..<count).map { Double($0) / Double(count - 1) * (stop - start) + start }
    }
    out[count - 1] = stop
    return out
  }

  /// Chooses the threshold and margin on `scores`, 0/1 true `labels` and two `groups`, with
  /// optional instance `weights` (nil: every row weighs 1, the counts of AIF360's default).
  ///
  /// - Throws: for sizes that differ, other than two groups, an unknown privileged group, grid
  ///   settings AIF360 rejects (thresholds outside [0, 1] or not increasing, counts < 1), or a
  ///   weight that is negative or not finite, or a group whose weights sum to 0.
  public func fitted(
    scores: [Double], labels: [UInt8], groups: Groups, weights: [Double]? = nil
  ) throws -> Model {
    let groups = groups.occurring()
    let name = "RejectOptionClassification"
    let n = scores.count
    guard labels.count == n else {
      throw BiasKitError.postprocessingLengths(name, "labels", labels.count, n)
    }
    guard groups.rowCount == n else {
      throw BiasKitError.postprocessingLengths(name, "groups", groups.rowCount, n)
    }
    try checkBinaryLabels(labels, name)
    guard lowThreshold >= 0, lowThreshold <= 1, highThreshold >= 0, highThreshold <= 1,
      lowThreshold < highThreshold, thresholdCount >= 1, marginCount >= 1
    else {
      throw BiasKitError(
        .invalidArgument,
        "\(name): thresholds must satisfy 0 ≤ low < high ≤ 1 and the grid counts must be at least 1"
      )
    }
    let split = try PrivilegedSplit(groups: groups, privileged: privilegedGroup, algorithm: name)
    try checkInstanceWeights(weights, split: split, algorithm: name)
    // In the privileged group ŷ = 1 exactly when s > t + m, in the unprivileged one when
    // s > t − m (m ≥ 0), so each grid point needs only counts of scores above a value, per
    // (group, label): binary searches in four sorted score lists. With weights, the weight
    // above a position is a suffix sum of the weights in score order.
    var sorted = [[Double]](repeating: [], count: 4)  // index 2·privileged + label
    var suffix = [[Double]](repeating: [], count: 4)  // suffix[k][j]: weight of sorted[k][j...]
    if let weights {
      var pairs = [[(score: Double, weight: Double)]](repeating: [], count: 4)
      for i in 0..<n {
        pairs[(split.isPrivileged[i] ? 2 : 0) + Int(labels[i] == 1 ? 1 : 0)].append(
          (scores[i], weights[i]))
      }
      for k in 0..<4 {
        pairs[k].sort { $0.score < $1.score }
        sorted[k] = pairs[k].map(\.score)
        var sums = [Double](repeating: 0, count: pairs[k].count + 1)
        for j in stride(from: pairs[k].count - 1, through: 0, by: -1) {
          sums[j] = sums[j + 1] + pairs[k][j].weight
        }
        suffix[k] = sums
      }
    } else {
      for i in 0..<n {
        sorted[(split.isPrivileged[i] ? 2 : 0) + Int(labels[i] == 1 ? 1 : 0)].append(scores[i])
      }
      for k in 0..<4 { sorted[k].sort() }
    }
    let weighted = weights != nil
    func above(_ k: Int, _ x: Double) -> Double {
      let a = sorted[k]
      var lo = 0
      var hi = a.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if a[mid] > x { hi = mid } else { lo = mid + 1 }
      }
      return weighted ? suffix[k][lo] : Double(a.count - lo)
    }
    func total(_ k: Int) -> Double { weighted ? suffix[k][0] : Double(sorted[k].count) }
    func counts(negatives: Int, positives: Int, x: Double) -> GroupCounts {
      var c = GroupCounts()
      c.negatives = total(negatives)
      c.positives = total(positives)
      c.rows = c.negatives + c.positives
      c.falsePositives = above(negatives, x)
      c.truePositives = above(positives, x)
      c.trueNegatives = c.negatives - c.falsePositives
      c.falseNegatives = c.positives - c.truePositives
      return c
    }
    var best: (index: Int, t: Double, m: Double, accuracy: Double, metric: Double)?
    var fallback: (t: Double, m: Double, accuracy: Double, metric: Double)?
    for t in Self.linspace(lowThreshold, highThreshold, thresholdCount) {
      for m in Self.linspace(0.0, t <= 0.5 ? t : 1.0 - t, marginCount) {
        let upper = t + m
        let lower = t - m
        let p = counts(negatives: 2, positives: 3, x: upper)
        let u = counts(negatives: 0, positives: 1, x: lower)
        var all = GroupCounts()
        all.positives = p.positives + u.positives
        all.negatives = p.negatives + u.negatives
        all.truePositives = p.truePositives + u.truePositives
        all.trueNegatives = p.trueNegatives + u.trueNegatives
        let accuracy = 0.5 * (all.truePositiveRate + all.trueNegativeRate)
        let value: Double
        switch metric {
        case .statisticalParityDifference: value = u.selectionRate - p.selectionRate
        case .averageOddsDifference:
          value =
            0.5
            * ((u.falsePositiveRate - p.falsePositiveRate)
              + (u.truePositiveRate - p.truePositiveRate))
        case .equalOpportunityDifference: value = u.truePositiveRate - p.truePositiveRate
        }
        if value >= lowerBound && value <= upperBound {
          if best == nil || accuracy > best!.accuracy { best = (0, t, m, accuracy, value) }
        }
        if fallback == nil || value < fallback!.metric { fallback = (t, m, accuracy, value) }
      }
    }
    if let b = best {
      return Model(
        groupNames: groups.names, privilegedCode: split.privilegedCode, threshold: b.t, margin: b.m,
        balancedAccuracy: b.accuracy, metricValue: b.metric, satisfiedBounds: true, metric: metric)
    }
    let f = fallback!
    return Model(
      groupNames: groups.names, privilegedCode: split.privilegedCode, threshold: f.t, margin: f.m,
      balancedAccuracy: f.accuracy, metricValue: f.metric, satisfiedBounds: false, metric: metric)
  }
}

// MARK: - Mitigator

extension RejectOptionClassification: ScorePostprocessor {
  /// Chooses the threshold and margin on the dataset's scores, labels, groups and weights.
  ///
  /// - Throws: as ``fitted(scores:labels:groups:weights:)``, and when the data has no scores,
  ///   labels or groups, one class or one group.
  public func fitted(to data: Dataset) throws -> Model {
    let name = "RejectOptionClassification"
    let (labels, groups) = try data.mitigationTarget(name)
    return try fitted(
      scores: data.requiredScores(name), labels: labels, groups: groups, weights: data.weights)
  }

  /// The demographic-parity gap for statistical parity, else the equalized-odds gap.
  public var violation: ExpectedOutcome.Violation {
    metric == .statisticalParityDifference ? .demographicParity : .equalizedOdds
  }
}

extension RejectOptionClassification.Model: MitigatedModel, DecidesByRule {
  /// The deterministic labels (``predictions(scores:groups:)``) as 0 or 1.
  public func positiveProbabilities(on data: Dataset) throws -> [Double] {
    try labels(on: data).map(Double.init)
  }

  /// ``predictions(scores:groups:)`` of the dataset's scores and groups; draws nothing.
  public func predictions<G: RandomNumberGenerator>(
    on data: Dataset, using generator: inout G
  ) throws -> [UInt8] {
    try labels(on: data)
  }

  private func labels(on data: Dataset) throws -> [UInt8] {
    let name = "RejectOptionClassification"
    return try predictions(scores: data.requiredScores(name), groups: data.requiredGroups(name))
  }

  var decisionRule: DecisionRule { .deterministic }

  /// `privileged`, `metric`, `classification_threshold`, `roc_margin`, `balanced_accuracy` and
  /// `metric_value` (AIF360's names).
  public var summary: JSONValue {
    .object([
      ("privileged", .string(groupNames[Int(privilegedCode)])), ("metric", .string(metric.name)),
      ("classification_threshold", .number(threshold)), ("roc_margin", .number(margin)),
      ("balanced_accuracy", .number(balancedAccuracy)), ("metric_value", .number(metricValue)),
    ])
  }

  /// A warning when no grid point met the bounds (AIF360: "Unable to satisy fairness
  /// constraints").
  public var warnings: [String] {
    satisfiedBounds
      ? []
      : ["reject-option: no grid point meets the metric bounds; took the smallest metric value"]
  }
}
