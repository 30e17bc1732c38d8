/// The fairness scalars of fairlearn 0.15, each one number for a whole audit.
///
/// - `demographic_parity_difference/ratio`: the difference or ratio (``AggregateMethod``) of
///   `selection_rate` across groups.
/// - `equalized_odds_difference/ratio`: of `true_positive_rate` and `false_positive_rate`, the
///   worse (larger difference, smaller ratio) with `agg = worst_case`, or their mean with
///   `agg = mean`.
/// - `equal_opportunity_difference/ratio`: of `true_positive_rate`.
///
/// They are computed over the sensitive groups, with the sample weights when given; with
/// control features, once per control level (fairlearn's functions take no control features,
/// so this is the function applied to each control level's rows). "Worst case" follows Python's `max`/`min`
/// over (TPR, FPR) in that order, which returns the first value when the other is undefined.
///
/// Corresponds to fairlearn's `demographic_parity_difference`, `demographic_parity_ratio`,
/// `equalized_odds_difference`, `equalized_odds_ratio`, `equal_opportunity_difference` and
/// `equal_opportunity_ratio` (`method=`, `agg=`).
///
/// - Complexity: O(groups).
public enum FairnessMeasure: String, CaseIterable, Sendable, Codable {
  /// Largest difference of selection rates (fairlearn `demographic_parity_difference`).
  case demographicParityDifference = "demographic_parity_difference"
  /// Smallest ratio of selection rates (fairlearn `demographic_parity_ratio`).
  case demographicParityRatio = "demographic_parity_ratio"
  /// Worse (or mean) of the TPR and FPR differences (fairlearn `equalized_odds_difference`).
  case equalizedOddsDifference = "equalized_odds_difference"
  /// Worse (or mean) of the TPR and FPR ratios (fairlearn `equalized_odds_ratio`).
  case equalizedOddsRatio = "equalized_odds_ratio"
  /// Largest difference of true positive rates (fairlearn `equal_opportunity_difference`).
  case equalOpportunityDifference = "equal_opportunity_difference"
  /// Smallest ratio of true positive rates (fairlearn `equal_opportunity_ratio`).
  case equalOpportunityRatio = "equal_opportunity_ratio"

  /// How equalized odds combines its two rates (fairlearn's `agg`).
  public enum Aggregation: String, Sendable, CaseIterable, Codable {
    /// The worse of the two: the larger difference, the smaller ratio.
    case worstCase = "worst_case"
    /// The mean of the two.
    case mean
  }

  /// Whether the measure is a ratio (1 is parity) rather than a difference (0 is parity).
  public var isRatio: Bool {
    switch self {
    case .demographicParityRatio, .equalizedOddsRatio, .equalOpportunityRatio: return true
    default: return false
    }
  }

  /// The metrics whose group values the measure compares: selection rate, true positive rate,
  /// or both rates of equalized odds.
  public var metrics: [Metric] {
    switch self {
    case .demographicParityDifference, .demographicParityRatio: return [.selectionRate]
    case .equalOpportunityDifference, .equalOpportunityRatio: return [.truePositiveRate]
    case .equalizedOddsDifference, .equalizedOddsRatio:
      return [.truePositiveRate, .falsePositiveRate]
    }
  }

  /// The measure's value from the per-group and overall confusion counts.
  public func value(
    groups: [ConfusionCounts], overall: ConfusionCounts, method: AggregateMethod = .betweenGroups,
    aggregation: Aggregation = .worstCase
  ) -> Double? {
    func aggregate(_ metric: Metric) -> Double? {
      var statistics = GroupStatistics()
      let values = groups.map { counts -> Double? in
        statistics.confusion = counts
        return metric.value(from: statistics)
      }
      statistics.confusion = overall
      let total = metric.value(from: statistics)
      return isRatio
        ? Aggregates.ratio(values, overall: total, method: method)
        : Aggregates.difference(values, overall: total, method: method)
    }
    switch self {
    case .demographicParityDifference, .demographicParityRatio: return aggregate(.selectionRate)
    case .equalOpportunityDifference, .equalOpportunityRatio: return aggregate(.truePositiveRate)
    case .equalizedOddsDifference, .equalizedOddsRatio:
      let rates = [aggregate(.truePositiveRate), aggregate(.falsePositiveRate)]
      switch aggregation {
      case .mean:
        let defined = rates.compactMap { $0 }
        return defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
      case .worstCase:
        // Python's builtin max/min: keep the first unless a later value compares greater/less.
        var result = rates[0]
        for r in rates.dropFirst() {
          guard let current = result else { continue }  // NaN first: comparisons fail, NaN stays.
          if let r, isRatio ? r < current : r > current { result = r }
        }
        return result
      }
    }
  }
}
