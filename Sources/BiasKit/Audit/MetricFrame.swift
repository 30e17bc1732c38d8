/// Metrics of a model overall and for every group of one or more sensitive features, with
/// fairlearn's aggregates and fairness scalars.
///
/// Corresponds to fairlearn 0.15's `MetricFrame(metrics=…, y_true=…, y_pred=…,
/// sensitive_features=…, control_features=…, sample_params={"sample_weight": …})`:
///
/// - ``overall``: each metric on all rows (with control features: on the rows of each control
///   level).
/// - ``byGroup``: each metric on each group. With several sensitive features the groups are
///   every combination of their levels (``Groups``); a combination without rows has every
///   metric undefined. With control features, a group is a control level × sensitive group.
/// - ``groupMin``, ``groupMax``, ``difference(_:)``, ``ratio(_:)``: per metric (and per
///   control level), as ``Aggregates``.
/// - ``AuditValues/fairness``: the ``FairnessMeasure`` scalars over the sensitive groups (within
///   each control level: fairlearn's functions take no control features, so BiasKit applies
///   them to each control level's rows).
///
/// The rows are reduced once to per-cell ``GroupStatistics`` (``CountingPass``); everything
/// else is computed from those, which is also how ``Bootstrap`` re-evaluates a resample.
///
///     let frame = try MetricFrame(metrics: [.accuracy, .selectionRate], data: data, sensitive: groups)
///     frame.value(.accuracy, group: 0)
///
/// - Complexity: O(n) for the counting pass (plus the radix sorts of the scores for `roc_auc`
///   and `average_precision`), then O(cells × metrics).
public struct MetricFrame: Sendable {
  /// The metrics, in order (the columns of every table).
  public let metrics: [Metric]
  public let options: AuditOptions
  /// Names and sorted levels of the sensitive features.
  public let sensitiveFeatures: [String]
  public let sensitiveLevels: [[String]]
  /// Names and sorted levels of the control features (empty without).
  public let controlFeatures: [String]
  public let controlLevels: [[String]]
  /// How equalized odds combines its two rates.
  public var aggregation: FairnessMeasure.Aggregation
  /// The sufficient statistics of each cell (control level × sensitive group).
  public let statistics: [GroupStatistics]
  /// Every computed value.
  public let values: AuditValues

  /// Number of sensitive groups (combinations of levels).
  public var groupCount: Int { sensitiveLevels.reduce(1) { $0 * $1.count } }
  /// Number of control levels (1 without control features).
  public var controlCount: Int { controlLevels.reduce(1) { $0 * $1.count } }
  /// Total rows.
  public var rowCount: Int { statistics.reduce(0) { $0 + $1.confusion.rows } }

  /// Audits `data` grouped by `sensitive` (and `control`).
  ///
  /// - Throws: ``BiasKitError`` when a metric needs a column the data lacks (scores for
  ///   `roc_auc`, numeric outcomes for regression metrics) or the columns differ in length.
  public init(
    metrics: [Metric], data: AuditData, sensitive: Groups, control: Groups? = nil,
    options: AuditOptions = AuditOptions(), aggregation: FairnessMeasure.Aggregation = .worstCase
  ) throws {
    try MetricFrame.check(metrics: metrics, data: data)
    let sensitive = sensitive.product()
    let control = control?.product()
    guard sensitive.rowCount == data.rowCount, control.map({ $0.rowCount == data.rowCount }) ?? true
    else {
      throw BiasKitError(
        .invalidArgument, "the group columns and the outcome columns differ in length")
    }
    let cellCount = (control?.count ?? 1) * sensitive.count
    guard cellCount <= Groups.maximumGroups else {
      throw BiasKitError(
        .invalidArgument, "the control and sensitive features have too many combinations")
    }
    let cells = MetricFrame.cells(sensitive: sensitive, control: control)
    try data.validate(cells: cells, cellCount: cellCount)
    let statistics = CountingPass.statistics(
      of: data, cells: cells, cellCount: cellCount, needs: CountingPass.Needs(metrics: metrics),
      options: options)
    self.init(
      metrics: metrics, statistics: statistics, sensitiveFeatures: sensitive.features,
      sensitiveLevels: sensitive.levels, controlFeatures: control?.features ?? [],
      controlLevels: control?.levels ?? [], options: options, aggregation: aggregation)
  }

  /// A frame from per-cell statistics computed elsewhere (a saved or merged audit state, or a
  /// bootstrap resample). `statistics[c * groupCount + g]` is control level `c`, group `g`.
  public init(
    metrics: [Metric], statistics: [GroupStatistics], sensitiveFeatures: [String],
    sensitiveLevels: [[String]],
    controlFeatures: [String] = [], controlLevels: [[String]] = [],
    options: AuditOptions = AuditOptions(),
    aggregation: FairnessMeasure.Aggregation = .worstCase
  ) {
    self.metrics = metrics
    self.options = options
    self.sensitiveFeatures = sensitiveFeatures
    self.sensitiveLevels = sensitiveLevels
    self.controlFeatures = controlFeatures
    self.controlLevels = controlLevels
    self.aggregation = aggregation
    self.statistics = statistics
    let groups = sensitiveLevels.reduce(1) { $0 * $1.count }
    self.values = AuditValues(
      metrics: metrics, statistics: statistics, groupCount: groups, options: options,
      aggregation: aggregation)
  }

  static func check(metrics: [Metric], data: AuditData) throws {
    for metric in metrics {
      switch metric.requirement {
      case .scores where !data.hasScores:
        throw BiasKitError(
          .invalidArgument, "the metric '\(metric.rawValue)' needs a score column (\(.yScore))")
      case .regression where !data.isRegression:
        throw BiasKitError(
          .invalidArgument,
          "the metric '\(metric.rawValue)' is for regression (\(.task, "regression"))")
      case .predictions where data.isRegression && metric != .count:
        throw BiasKitError(
          .invalidArgument,
          "the metric '\(metric.rawValue)' is for classification, not \(.task, "regression")")
      default: break
      }
    }
  }

  /// The levels of sensitive group `group`, one per sensitive feature.
  public func groupKey(_ group: Int) -> [String] { Groups.key(group, levels: sensitiveLevels) }
  /// The levels of control level `control`, one per control feature.
  public func controlKey(_ control: Int) -> [String] {
    Groups.key(control, levels: controlLevels)
  }

  /// The value of `metric` for sensitive group `group` (within control level `control`).
  public func value(_ metric: Metric, group: Int, control: Int = 0) -> Double? {
    guard let m = metrics.firstIndex(of: metric) else { return nil }
    return values.byGroup[control * groupCount + group][m]
  }

  /// The overall value of `metric` (within control level `control`).
  public func overall(_ metric: Metric, control: Int = 0) -> Double? {
    guard let m = metrics.firstIndex(of: metric) else { return nil }
    return values.overall[control][m]
  }
}

/// Every number of an audit, computed from per-cell statistics: overall, by group, the
/// aggregates per metric and control level, and the fairness scalars.
///
/// Undefined values are nil (NaN in fairlearn, `null` in JSON). ``flattened`` lists every value
/// in a fixed order so that ``Bootstrap`` can take quantiles position by position.
public struct AuditValues: Sendable, Equatable {
  public let metrics: [Metric]
  /// `[control level][metric]`.
  public var overall: [[Double?]]
  /// `[cell][metric]`, cell = control level × group count + group.
  public var byGroup: [[Double?]]
  /// `[control level][metric]` each.
  public var groupMin: [[Double?]]
  public var groupMax: [[Double?]]
  public var differenceBetweenGroups: [[Double?]]
  public var differenceToOverall: [[Double?]]
  public var ratioBetweenGroups: [[Double?]]
  public var ratioToOverall: [[Double?]]
  /// `[control level][measure]`: the fairness scalars (between groups), in
  /// ``FairnessMeasure/allCases`` order, over the groups of each control level.
  public var fairness: [[Double?]]
  /// `[control level][measure]`: the fairness scalars with `method = to_overall`.
  public var fairnessToOverall: [[Double?]]
  /// `[control level][index]`: AIF360's between-group generalized entropy, Theil index and
  /// coefficient of variation.
  public var betweenGroupInequality: [[Double?]]

  /// Names of ``betweenGroupInequality``.
  public static let betweenGroupInequalityNames = [
    "between_group_generalized_entropy_index", "between_group_theil_index",
    "between_group_coefficient_of_variation",
  ]

  init(
    metrics: [Metric], statistics: [GroupStatistics], groupCount: Int, options: AuditOptions,
    aggregation: FairnessMeasure.Aggregation
  ) {
    self.metrics = metrics
    let controls = max(1, statistics.count / max(1, groupCount))
    let byGroup: [[Double?]] = statistics.map { s in
      metrics.map { $0.value(from: s, options: options) }
    }
    self.byGroup = byGroup
    overall = []
    groupMin = []
    groupMax = []
    differenceBetweenGroups = []
    differenceToOverall = []
    ratioBetweenGroups = []
    ratioToOverall = []
    for c in 0..<controls {
      let cells = (c * groupCount)..<((c + 1) * groupCount)
      let total = GroupStatistics.merged(statistics[cells])
      let overallRow = metrics.map { $0.value(from: total, options: options) }
      overall.append(overallRow)
      var mins: [Double?] = [], maxs: [Double?] = [], dBetween: [Double?] = [],
        dOverall: [Double?] = []
      var rBetween: [Double?] = [], rOverall: [Double?] = []
      for m in metrics.indices {
        let column = cells.map { byGroup[$0][m] }
        mins.append(Aggregates.groupMin(column))
        maxs.append(Aggregates.groupMax(column))
        dBetween.append(
          Aggregates.difference(column, overall: overallRow[m], method: .betweenGroups))
        dOverall.append(Aggregates.difference(column, overall: overallRow[m], method: .toOverall))
        rBetween.append(Aggregates.ratio(column, overall: overallRow[m], method: .betweenGroups))
        rOverall.append(Aggregates.ratio(column, overall: overallRow[m], method: .toOverall))
      }
      groupMin.append(mins)
      groupMax.append(maxs)
      differenceBetweenGroups.append(dBetween)
      differenceToOverall.append(dOverall)
      ratioBetweenGroups.append(rBetween)
      ratioToOverall.append(rOverall)
    }
    // Fairness scalars and between-group indices: within each control level, over its groups.
    let isRegression = statistics.contains { $0.regression != nil }
    fairness = []
    fairnessToOverall = []
    betweenGroupInequality = []
    for c in 0..<controls {
      let cells = statistics[(c * groupCount)..<((c + 1) * groupCount)]
      let present = cells.map(\.confusion).filter { $0.rows > 0 }
      var all = ConfusionCounts()
      for counts in present { all.add(counts) }
      if isRegression {
        fairness.append(FairnessMeasure.allCases.map { _ in nil })
        fairnessToOverall.append(FairnessMeasure.allCases.map { _ in nil })
        betweenGroupInequality.append([nil, nil, nil])
        continue
      }
      fairness.append(
        FairnessMeasure.allCases.map {
          $0.value(groups: present, overall: all, method: .betweenGroups, aggregation: aggregation)
        })
      fairnessToOverall.append(
        FairnessMeasure.allCases.map {
          $0.value(groups: present, overall: all, method: .toOverall, aggregation: aggregation)
        })
      betweenGroupInequality.append([
        InequalityIndex.betweenGroups(present, alpha: options.alpha),
        InequalityIndex.betweenGroups(present, alpha: 1),
        InequalityIndex.betweenGroups(present, alpha: 2).map { (2 * $0).squareRoot() },
      ])
    }
  }

  /// The aggregate tables in the order ``flattened`` lists them (after overall and by group).
  public static let aggregatesInFlatOrder:
    [(name: String, path: KeyPath<AuditValues, [[Double?]]>)] = [
      ("group_min", \.groupMin), ("group_max", \.groupMax),
      ("difference_between_groups", \.differenceBetweenGroups),
      ("difference_to_overall", \.differenceToOverall),
      ("ratio_between_groups", \.ratioBetweenGroups), ("ratio_to_overall", \.ratioToOverall),
    ]

  /// Every value in a fixed order (NaN for undefined).
  public var flattened: [Double] {
    var out: [Double] = []
    let tables =
      [overall, byGroup] + AuditValues.aggregatesInFlatOrder.map { self[keyPath: $0.path] }
      + [fairness, fairnessToOverall, betweenGroupInequality]
    for table in tables {
      for row in table { for v in row { out.append(v ?? .nan) } }
    }
    return out
  }

  /// The same shape as `self`, filled from `flat` (as produced by ``flattened``).
  public func reshaped(_ flat: [Double]) -> AuditValues {
    var copy = self
    var k = 0
    func take(_ table: [[Double?]]) -> [[Double?]] {
      table.map { row in
        row.map { _ in
          defer { k += 1 }
          return flat[k].isNaN ? nil : flat[k]
        }
      }
    }
    copy.overall = take(overall)
    copy.byGroup = take(byGroup)
    copy.groupMin = take(groupMin)
    copy.groupMax = take(groupMax)
    copy.differenceBetweenGroups = take(differenceBetweenGroups)
    copy.differenceToOverall = take(differenceToOverall)
    copy.ratioBetweenGroups = take(ratioBetweenGroups)
    copy.ratioToOverall = take(ratioToOverall)
    copy.fairness = take(fairness)
    copy.fairnessToOverall = take(fairnessToOverall)
    copy.betweenGroupInequality = take(betweenGroupInequality)
    return copy
  }
}
