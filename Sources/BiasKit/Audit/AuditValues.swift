/// Every number of an audit, computed from per-cell statistics: each metric overall (per control
/// level) and per cell, its ``Aggregate`` tables, the ``FairnessMeasure`` scalars and the
/// between-group inequality indices (``BetweenGroupIndex``).
///
/// Values are looked up by name (`values.fairness(.demographicParityDifference)`,
/// `values.aggregate(.ratioBetweenGroups, .recall)`, `values.value(.accuracy, in: cell)`);
/// undefined values are nil (NaN in fairlearn, `null` in JSON). A ``Bootstrap`` interval is an
/// `AuditValues` of the same shape holding one quantile of every value.
///
/// Values are computed as fairlearn computes them: the overall row from the merged statistics of
/// a control level's cells, each aggregate over that level's cells (``Aggregate``), and the
/// fairness scalars and inequality indices over the cells that have rows.
///
/// - Complexity: O(cells × metrics) to compute; O(metrics) per lookup.
public struct AuditValues: Sendable, Equatable {
  /// The metrics, in the order of the audit.
  public let metrics: [Metric]
  /// Sensitive groups per control level.
  public let groupCount: Int
  /// Control levels (1 without control features).
  public let controlCount: Int
  /// Every value in section order (overall, by group, the aggregates in ``Aggregate`` order,
  /// fairness between groups, fairness to overall, inequality), nil where undefined (a value the
  /// arithmetic made NaN, such as a Brier score of infinite scores, stays NaN).
  private var storage: [Double?]

  /// The values of `metrics` over cells with `statistics` (``AuditLayout/cells`` order).
  ///
  /// - Parameters:
  ///   - groupCount: sensitive groups per control level (`statistics.count` is a multiple).
  ///   - aggregation: how equalized odds combines its two rates.
  package init(
    metrics: [Metric], statistics: [GroupStatistics], groupCount: Int, options: AuditOptions,
    aggregation: FairnessMeasure.Aggregation
  ) {
    let controls = max(1, statistics.count / max(1, groupCount))
    self.metrics = metrics
    self.groupCount = groupCount
    self.controlCount = controls
    let m = metrics.count
    var storage = [Double?](
      repeating: nil, count: Self.width(metrics: m, cells: statistics.count, controls: controls))
    // By group.
    let byGroupStart = controls * m
    var byGroup = [Double?](repeating: nil, count: statistics.count * m)
    for (cell, s) in statistics.enumerated() {
      for (k, metric) in metrics.enumerated() {
        let v = metric.value(from: s, options: options)
        byGroup[cell * m + k] = v
        storage[byGroupStart + cell * m + k] = v
      }
    }
    // Overall and the aggregates, per control level.
    let aggregateStart = byGroupStart + statistics.count * m
    var column = [Double?](repeating: nil, count: groupCount)
    for c in 0..<controls {
      let cells = (c * groupCount)..<((c + 1) * groupCount)
      let total = GroupStatistics.merged(statistics[cells])
      for (k, metric) in metrics.enumerated() {
        let overall = metric.value(from: total, options: options)
        storage[c * m + k] = overall
        for (j, cell) in cells.enumerated() { column[j] = byGroup[cell * m + k] }
        for (a, aggregate) in Aggregate.allCases.enumerated() {
          let value = aggregate.value(column, overall: overall)
          storage[aggregateStart + (a * controls + c) * m + k] = value
        }
      }
    }
    // Fairness scalars and between-group indices: within each control level, over its groups.
    let fairnessStart = aggregateStart + Aggregate.allCases.count * controls * m
    let f = FairnessMeasure.allCases.count
    let inequalityStart = fairnessStart + 2 * controls * f
    let isBinary = !statistics.contains { $0.regression != nil || $0.classes != nil }
    if isBinary {
      for c in 0..<controls {
        let present = statistics[(c * groupCount)..<((c + 1) * groupCount)].map(\.confusion)
          .filter { $0.rows > 0 }
        var all = ConfusionCounts()
        for counts in present { all.add(counts) }
        for (k, measure) in FairnessMeasure.allCases.enumerated() {
          for (position, method) in AggregateMethod.allCases.enumerated() {
            let value = measure.value(
              groups: present, overall: all, method: method, aggregation: aggregation)
            storage[fairnessStart + (position * controls + c) * f + k] = value
          }
        }
        for (k, index) in BetweenGroupIndex.allCases.enumerated() {
          let value = index.value(groups: present, alpha: options.alpha)
          storage[inequalityStart + c * BetweenGroupIndex.allCases.count + k] = value
        }
      }
    }
    self.storage = storage
  }

  /// Number of values of an audit of `metrics` metrics over `cells` cells in `controls` levels.
  static func width(metrics m: Int, cells: Int, controls: Int) -> Int {
    controls * m + cells * m + Aggregate.allCases.count * controls * m
      + 2 * controls * FairnessMeasure.allCases.count + controls * BetweenGroupIndex.allCases.count
  }

  private func value(at position: Int) -> Double? { storage[position] }

  private var cellCount: Int { groupCount * controlCount }
  private var byGroupStart: Int { controlCount * metrics.count }
  private var aggregateStart: Int { byGroupStart + cellCount * metrics.count }
  private var fairnessStart: Int {
    aggregateStart + Aggregate.allCases.count * controlCount * metrics.count
  }
  private var inequalityStart: Int {
    fairnessStart + 2 * controlCount * FairnessMeasure.allCases.count
  }

  // MARK: Lookup by name

  /// The overall value of `metric` (within control level `control`); nil when undefined or not
  /// audited.
  public func overall(_ metric: Metric, control: Int = 0) -> Double? {
    metrics.firstIndex(of: metric).flatMap { overall(at: $0, control: control) }
  }

  /// The value of `metric` in `cell`; nil when undefined or not audited.
  public func value(_ metric: Metric, in cell: AuditCell) -> Double? {
    metrics.firstIndex(of: metric).flatMap {
      value(at: $0, cellIndex: cell.control * groupCount + cell.group)
    }
  }

  /// The `aggregate` of `metric` over the groups of control level `control`.
  public func aggregate(_ aggregate: Aggregate, _ metric: Metric, control: Int = 0) -> Double? {
    metrics.firstIndex(of: metric).flatMap { self.aggregate(aggregate, at: $0, control: control) }
  }

  /// The fairness scalar `measure` comparing the groups with each other (`.betweenGroups`, the
  /// default) or with the overall value (`.toOverall`), within control level `control`.
  public func fairness(
    _ measure: FairnessMeasure, method: AggregateMethod = .betweenGroups, control: Int = 0
  ) -> Double? {
    guard let k = FairnessMeasure.allCases.firstIndex(of: measure),
      let position = AggregateMethod.allCases.firstIndex(of: method)
    else { return nil }
    return value(
      at: fairnessStart + (position * controlCount + control) * FairnessMeasure.allCases.count + k)
  }

  /// The between-group inequality index `index` within control level `control`.
  public func inequality(_ index: BetweenGroupIndex, control: Int = 0) -> Double? {
    guard let k = BetweenGroupIndex.allCases.firstIndex(of: index) else { return nil }
    return value(at: inequalityStart + control * BetweenGroupIndex.allCases.count + k)
  }

  // MARK: Lookup by position (renderers walk the metrics in order)

  /// The overall value of the `m`-th metric.
  package func overall(at m: Int, control: Int) -> Double? {
    value(at: control * metrics.count + m)
  }

  /// The value of the `m`-th metric in the cell at position `cellIndex` (``AuditLayout/cells``).
  package func value(at m: Int, cellIndex: Int) -> Double? {
    value(at: byGroupStart + cellIndex * metrics.count + m)
  }

  /// The `aggregate` of the `m`-th metric.
  package func aggregate(_ aggregate: Aggregate, at m: Int, control: Int) -> Double? {
    guard let a = Aggregate.allCases.firstIndex(of: aggregate) else { return nil }
    return value(at: aggregateStart + (a * controlCount + control) * metrics.count + m)
  }

  // MARK: Flat form (for the bootstrap)

  /// Every value in a fixed order (NaN for undefined), for taking quantiles position by
  /// position.
  package var flattened: [Double] { storage.map { $0 ?? .nan } }

  /// The same shape as `self`, filled from `flat` (as ``flattened`` orders it; NaN is
  /// undefined).
  package func reshaped(_ flat: [Double]) -> AuditValues {
    precondition(flat.count == storage.count, "a flat audit of another shape")
    var copy = self
    copy.storage = flat.map { $0.isNaN ? nil : $0 }
    return copy
  }
}
