/// How a difference or ratio compares groups (fairlearn's `method`).
public enum AggregateMethod: String, Sendable, CaseIterable, Codable {
  /// Largest difference, or smallest ratio, between any two groups.
  case betweenGroups = "between_groups"
  /// Largest difference, or smallest ratio, between a group and the overall value.
  case toOverall = "to_overall"
}

/// A summary of one metric over the groups of an audit: the aggregate tables of fairlearn's
/// `MetricFrame`, in the one order every output lists them (JSON, CSV, bootstrap intervals).
///
/// - `group_min`, `group_max`: the extremes of the defined values.
/// - `difference_between_groups`: `max − min`; `difference_to_overall`: `max_g |v_g − overall|`.
/// - `ratio_between_groups`: `min / max`; `ratio_to_overall`: `min_g r_g` where
///   `r_g = v_g / overall`, replaced by `1 / r_g` when above 1.
///
/// Undefined (NaN) group values are skipped, as pandas skips them, and an aggregate with no
/// defined value is nil. Divisions follow IEEE (`x / 0 = ∞`, so `1 / r = 0`; `0 / 0` is
/// undefined and skipped); a non-finite ratio is nil.
///
/// Corresponds to fairlearn 0.15's `MetricFrame.difference(method="between_groups")`,
/// `difference(method="to_overall")`, `ratio(…)`, `group_min()` and `group_max()`.
///
/// - Complexity: O(groups) per value.
public enum Aggregate: String, CaseIterable, Sendable, Codable {
  /// `max − min` over the groups (fairlearn `difference(method="between_groups")`).
  case differenceBetweenGroups = "difference_between_groups"
  /// `max_g |v_g − overall|` (fairlearn `difference(method="to_overall")`).
  case differenceToOverall = "difference_to_overall"
  /// `min / max` over the groups (fairlearn `ratio(method="between_groups")`).
  case ratioBetweenGroups = "ratio_between_groups"
  /// `min_g min(v_g / overall, overall / v_g)` (fairlearn `ratio(method="to_overall")`).
  case ratioToOverall = "ratio_to_overall"
  /// The smallest group value (fairlearn `group_min()`).
  case groupMin = "group_min"
  /// The largest group value (fairlearn `group_max()`).
  case groupMax = "group_max"

  /// The aggregate of the group values `values` (nil where undefined) given the overall value.
  public func value(_ values: [Double?], overall: Double?) -> Double? {
    switch self {
    case .groupMin: return Aggregates.groupMin(values)
    case .groupMax: return Aggregates.groupMax(values)
    case .differenceBetweenGroups:
      return Aggregates.difference(values, overall: overall, method: .betweenGroups)
    case .differenceToOverall:
      return Aggregates.difference(values, overall: overall, method: .toOverall)
    case .ratioBetweenGroups:
      return Aggregates.ratio(values, overall: overall, method: .betweenGroups)
    case .ratioToOverall: return Aggregates.ratio(values, overall: overall, method: .toOverall)
    }
  }

  /// The aggregate of a difference or ratio `kind` with `method`.
  public static func of(isRatio: Bool, method: AggregateMethod) -> Aggregate {
    switch (isRatio, method) {
    case (false, .betweenGroups): return .differenceBetweenGroups
    case (false, .toOverall): return .differenceToOverall
    case (true, .betweenGroups): return .ratioBetweenGroups
    case (true, .toOverall): return .ratioToOverall
    }
  }

  /// Whether the aggregate compares each group with the overall value.
  public var isToOverall: Bool { self == .differenceToOverall || self == .ratioToOverall }
}

/// The arithmetic of ``Aggregate`` on an array of group values (nil where undefined).
///
/// - Complexity: O(groups).
public enum Aggregates {
  /// The smallest defined value; nil when none is defined.
  public static func groupMin(_ values: [Double?]) -> Double? { values.compactMap { $0 }.min() }
  /// The largest defined value; nil when none is defined.
  public static func groupMax(_ values: [Double?]) -> Double? { values.compactMap { $0 }.max() }

  /// `max − min` (between groups) or `max_g |v_g − overall|` (to overall).
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

  /// `min / max` (between groups) or `min_g min(v_g / overall, overall / v_g)` (to overall);
  /// nil when not finite.
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
