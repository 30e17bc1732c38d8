/// How a difference or ratio compares groups (fairlearn's `method`).
public enum AggregateMethod: String, Sendable, CaseIterable, Codable {
  /// Largest difference, or smallest ratio, between any two groups.
  case betweenGroups = "between_groups"
  /// Largest difference, or smallest ratio, between a group and the overall value.
  case toOverall = "to_overall"
}

/// fairlearn's aggregates of a metric over groups, with pandas' handling of undefined values:
/// undefined (NaN) group values are skipped, and an aggregate with no defined value is nil.
///
/// - `group_min`, `group_max`: the extremes of the defined values.
/// - `difference(between_groups)`: `max − min`; `difference(to_overall)`: `max |v_g − overall|`.
/// - `ratio(between_groups)`: `min / max`; `ratio(to_overall)`: `min_g r_g` where
///   `r_g = v_g / overall`, replaced by `1 / r_g` when above 1. Divisions follow IEEE
///   (`x / 0 = ∞`, so `1 / r = 0`; `0 / 0` is undefined and skipped); a non-finite result is nil.
///
/// Corresponds to `MetricFrame.group_min()`, `group_max()`, `difference(method=…)` and
/// `ratio(method=…)` in fairlearn 0.15.
///
/// - Complexity: O(groups).
public enum Aggregates {
  public static func groupMin(_ values: [Double?]) -> Double? { values.compactMap { $0 }.min() }
  public static func groupMax(_ values: [Double?]) -> Double? { values.compactMap { $0 }.max() }

  public static func difference(
    _ values: [Double?], overall: Double?, method: AggregateMethod
  ) -> Double? {
    switch method {
    case .betweenGroups:
      guard let low = groupMin(values), let high = groupMax(values) else { return nil }
      return high - low
    case .toOverall:
      guard let overall else { return nil }
      return values.compactMap { $0.map { abs($0 - overall) } }.max()
    }
  }

  public static func ratio(
    _ values: [Double?], overall: Double?, method: AggregateMethod
  ) -> Double? {
    switch method {
    case .betweenGroups:
      guard let low = groupMin(values), let high = groupMax(values) else { return nil }
      let r = low / high
      return r.isFinite ? r : nil
    case .toOverall:
      guard let overall else { return nil }
      let ratios = values.compactMap { v -> Double? in
        guard let v else { return nil }
        var r = v / overall
        if r.isNaN { return nil }
        if r > 1 { r = 1 / r }
        return r
      }
      guard let r = ratios.min(), r.isFinite else { return nil }
      return r
    }
  }
}
