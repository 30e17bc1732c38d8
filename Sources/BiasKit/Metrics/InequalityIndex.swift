import Foundation

/// AIF360's individual-fairness inequality indices, from confusion counts.
///
/// Each row gets the benefit `b = ŷ − y + 1`: 0 for a false negative, 2 for a false positive,
/// 1 otherwise. With μ the mean benefit, the generalized entropy index is
///
///     GE(α) = 1 / (n α (α − 1)) Σ [(b/μ)^α − 1]      (α ∉ {0, 1})
///     GE(1) = 1/n Σ (b/μ) ln(b/μ)                     (Theil index; 0 ln 0 = 0)
///     GE(0) = −1/n Σ ln(b/μ)
///
/// and the coefficient of variation is `√(2 GE(2))` (standard deviation over mean). The between-group variants replace each
/// row's benefit by its group's mean benefit. Corresponds to AIF360's
/// `ClassificationMetric.generalized_entropy_index`, `theil_index`,
/// `coefficient_of_variation`, `between_group_generalized_entropy_index` and
/// `aif360.sklearn.metrics.generalized_entropy_error`; unweighted, as AIF360.
///
/// - Complexity: O(1) from counts; O(groups) between groups.
public enum InequalityIndex {
  /// GE(α) of one group; nil when μ = 0.
  public static func generalizedEntropy(_ c: ConfusionCounts, alpha: Double) -> Double? {
    let n = Double(c.rows)
    let benefits: [(value: Double, count: Double)] = [
      (0, Double(c.countFalseNegatives)),
      (1, Double(c.countTruePositives + c.countTrueNegatives)),
      (2, Double(c.countFalsePositives)),
    ]
    return generalizedEntropy(benefits, total: n, alpha: alpha)
  }

  /// GE(α) of a population with `count` rows of each benefit `value`.
  static func generalizedEntropy(
    _ benefits: [(value: Double, count: Double)], total n: Double, alpha: Double
  ) -> Double? {
    guard n > 0 else { return nil }
    var sum = 0.0
    for (value, count) in benefits { sum += value * count }
    let mu = sum / n
    guard mu > 0 else { return nil }
    var total = 0.0
    for (value, count) in benefits where count > 0 {
      let r = value / mu
      if alpha == 1 {
        if r > 0 { total += count * r * log(r) }
      } else if alpha == 0 {
        total += count * -log(r)
      } else {
        total += count * (pow(r, alpha) - 1)
      }
    }
    if alpha == 1 || alpha == 0 { return total / n }
    return total / n / (alpha * (alpha - 1))
  }

  /// GE(α) between groups: every row's benefit replaced by its group's mean benefit.
  public static func betweenGroups(_ groups: [ConfusionCounts], alpha: Double) -> Double? {
    var benefits: [(value: Double, count: Double)] = []
    var n = 0.0
    for c in groups where c.rows > 0 {
      let rows = Double(c.rows)
      let mean =
        (Double(c.countTruePositives + c.countTrueNegatives) + 2 * Double(c.countFalsePositives))
        / rows
      benefits.append((mean, rows))
      n += rows
    }
    return generalizedEntropy(benefits, total: n, alpha: alpha)
  }
}

/// AIF360's between-group inequality indices of an audit: the individual indices of
/// ``InequalityIndex`` with every row's benefit replaced by its group's mean benefit.
///
/// Corresponds to AIF360's `ClassificationMetric.between_group_generalized_entropy_index`
/// (α = ``AuditOptions/alpha``), `between_group_theil_index` (α = 1) and
/// `between_group_coefficient_of_variation` (`√(2 GE(2))`); unweighted, as AIF360.
///
/// - Complexity: O(groups).
public enum BetweenGroupIndex: String, CaseIterable, Sendable, Codable {
  /// GE(α) of the groups' mean benefits.
  case generalizedEntropyIndex = "between_group_generalized_entropy_index"
  /// GE(1) of the groups' mean benefits.
  case theilIndex = "between_group_theil_index"
  /// `√(2 GE(2))` of the groups' mean benefits.
  case coefficientOfVariation = "between_group_coefficient_of_variation"

  /// The index over groups with these confusion counts; nil when the mean benefit is 0.
  public func value(groups: [ConfusionCounts], alpha: Double) -> Double? {
    switch self {
    case .generalizedEntropyIndex: return InequalityIndex.betweenGroups(groups, alpha: alpha)
    case .theilIndex: return InequalityIndex.betweenGroups(groups, alpha: 1)
    case .coefficientOfVariation:
      return InequalityIndex.betweenGroups(groups, alpha: 2).map { (2 * $0).squareRoot() }
    }
  }
}
