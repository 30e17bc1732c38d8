/// Metrics of a model overall and for every group of one or more sensitive features, with
/// fairlearn's aggregates and fairness scalars.
///
/// Corresponds to fairlearn 0.15's `MetricFrame(metrics=…, y_true=…, y_pred=…,
/// sensitive_features=…, control_features=…, sample_params={"sample_weight": …})`:
///
/// - ``overall(_:control:)``: each metric on all rows (with control features: on the rows of
///   each control level).
/// - ``value(_:in:)``: each metric in each cell (``AuditCell``). With several sensitive features
///   the groups are every combination of their levels (``Groups``); a combination without rows
///   has every metric undefined. With control features, a cell is a control level × group.
/// - ``aggregate(_:_:control:)``: the ``Aggregate`` tables per metric (and control level).
/// - ``fairness(_:method:control:)``: the ``FairnessMeasure`` scalars over the sensitive groups
///   (within each control level: fairlearn's functions take no control features, so BiasKit
///   applies them to each control level's rows).
///
/// The rows are reduced once to per-cell ``GroupStatistics`` (``CountingPass``); everything
/// else is computed from those, which is also how ``Bootstrap`` re-evaluates a resample and how
/// a merged ``AuditState`` becomes a frame.
///
///     let frame = try MetricFrame(metrics: [.accuracy, .selectionRate], data: data, sensitive: groups)
///     frame.overall(.accuracy)
///     frame.fairness(.demographicParityDifference)
///
/// - Complexity: O(n) for the counting pass (plus the radix sorts of the scores for `roc_auc`
///   and `average_precision`), then O(cells × metrics).
public struct MetricFrame: Sendable {
  /// The metrics, in order (the columns of every table).
  public let metrics: [Metric]
  /// The metrics' parameters (calibration bins, α of the entropy index).
  public let options: AuditOptions
  /// How equalized odds combines its two rates.
  public let aggregation: FairnessMeasure.Aggregation
  /// The cells: sensitive groups within control levels, and their names.
  public let layout: AuditLayout
  /// The sufficient statistics of each cell, in ``AuditLayout/cells`` order.
  public let statistics: [GroupStatistics]
  /// Every computed value.
  public let values: AuditValues
  /// The classes of a multiclass audit, in class order (empty otherwise).
  public let classes: [String]

  /// Audits `data` grouped by `sensitive` (and `control`).
  ///
  /// - Throws: ``BiasKitError`` when a metric needs a column the data lacks (scores for
  ///   `roc_auc`, numeric outcomes for regression metrics), the columns differ in length, a
  ///   label is not 0 or 1, or the features make more than ``Groups/maximumGroups`` cells.
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
    let layout = AuditLayout(sensitive: sensitive, control: control)
    guard layout.cellCount <= Groups.maximumGroups else {
      throw BiasKitError(
        .invalidArgument, "the control and sensitive features have too many combinations")
    }
    let needs = CountingPass.Needs(metrics: metrics)
    if needs.calibration {
      try CalibrationStatistics.checkBins(options.bins)
      try CalibrationStatistics.checkMemory(bins: options.bins, cells: layout.cellCount)
    }
    let cells = AuditLayout.rowCells(sensitive: sensitive, control: control)
    try data.validate(cells: cells, cellCount: layout.cellCount)
    let statistics = CountingPass.statistics(
      of: data, cells: cells, cellCount: layout.cellCount, needs: needs, options: options)
    var classes: [String] = []
    if case .multiclass(let outcomes) = data.outcomes { classes = outcomes.classes }
    self.init(
      metrics: metrics, statistics: statistics, layout: layout, options: options,
      aggregation: aggregation, classes: classes)
  }

  /// A frame from per-cell statistics computed elsewhere (a saved or merged audit state, or a
  /// bootstrap resample), in `layout`'s cell order.
  ///
  /// - Precondition: `statistics.count == layout.cellCount`.
  public init(
    metrics: [Metric], statistics: [GroupStatistics], layout: AuditLayout,
    options: AuditOptions = AuditOptions(), aggregation: FairnessMeasure.Aggregation = .worstCase,
    classes: [String] = []
  ) {
    precondition(statistics.count == layout.cellCount, "one statistics value per cell")
    self.metrics = metrics
    self.classes = classes
    self.options = options
    self.layout = layout
    self.aggregation = aggregation
    self.statistics = statistics
    self.values = AuditValues(
      metrics: metrics, statistics: statistics, groupCount: layout.groupCount, options: options,
      aggregation: aggregation)
  }

  /// The same statistics with another equalized-odds aggregation (every value recomputed).
  public func aggregated(_ aggregation: FairnessMeasure.Aggregation) -> MetricFrame {
    MetricFrame(
      metrics: metrics, statistics: statistics, layout: layout, options: options,
      aggregation: aggregation, classes: classes)
  }

  static func check(metrics: [Metric], data: AuditData) throws {
    if data.isMulticlass {
      for metric in metrics where !metric.isMulticlass {
        throw BiasKitError.binaryMetricInMulticlass(metric)
      }
      if !data.hasScores,
        let metric = metrics.first(where: {
          $0.requirement == .classScores || $0 == .logLoss || $0 == .brierScore
        })
      {
        throw BiasKitError(
          .invalidArgument,
          "the metric '\(metric.rawValue)' needs the class probabilities (\(.yScore, "p_a,p_b,…") or \(.yScorePrefix, "p_"))"
        )
      }
      if data.weights != nil,
        metrics.contains(where: { [.rocAUCOneVsOne, .rocAUCOneVsOneWeighted].contains($0) })
      {
        throw BiasKitError(
          .invalidArgument,
          "roc_auc_ovo takes no sample weights (scikit-learn: 'sample_weight is not supported for multiclass one-vs-one ROC AUC')"
        )
      }
      return
    }
    for metric in metrics {
      if metric.requirement == .classLabels || metric.requirement == .classScores {
        throw BiasKitError(
          .invalidArgument,
          "the metric '\(metric.rawValue)' is for multiclass labels (\(.task, "multiclass"))")
      }
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

  // MARK: Layout

  /// Names of the sensitive features.
  public var sensitiveFeatures: [String] { layout.sensitiveFeatures }
  /// Sorted levels of each sensitive feature.
  public var sensitiveLevels: [[String]] { layout.sensitiveLevels }
  /// Names of the control features (empty without).
  public var controlFeatures: [String] { layout.controlFeatures }
  /// Sorted levels of each control feature (empty without).
  public var controlLevels: [[String]] { layout.controlLevels }
  /// Number of sensitive groups (combinations of levels).
  public var groupCount: Int { layout.groupCount }
  /// Number of control levels (1 without control features).
  public var controlCount: Int { layout.controlCount }
  /// Every cell, control level by control level.
  public var cells: [AuditCell] { layout.cells }
  /// Total rows.
  public var rowCount: Int { statistics.reduce(0) { $0 + $1.confusion.rows } }
  /// Whether the frame audits a regression (numeric outcomes).
  public var isRegression: Bool { statistics.contains { $0.regression != nil } }
  /// Whether the frame audits multiclass labels.
  public var isMulticlass: Bool { !classes.isEmpty || statistics.contains { $0.classes != nil } }
  /// Whether the frame audits binary labels (the fairness scalars are defined).
  public var isBinary: Bool { !isRegression && !isMulticlass }

  /// The levels of sensitive group `group`, one per sensitive feature.
  public func groupKey(_ group: Int) -> [String] { layout.groupKey(group) }
  /// The levels of control level `control`, one per control feature.
  public func controlKey(_ control: Int) -> [String] { layout.controlKey(control) }

  /// The statistics of `cell`.
  public func statistics(of cell: AuditCell) -> GroupStatistics {
    statistics[layout.index(of: cell)]
  }

  // MARK: Values

  /// The value of `metric` in `cell`; nil when undefined or not audited.
  public func value(_ metric: Metric, in cell: AuditCell) -> Double? {
    values.value(metric, in: cell)
  }

  /// The value of `metric` for sensitive group `group` (within control level `control`).
  public func value(_ metric: Metric, group: Int, control: Int = 0) -> Double? {
    values.value(metric, in: AuditCell(control: control, group: group))
  }

  /// The overall value of `metric` (within control level `control`).
  public func overall(_ metric: Metric, control: Int = 0) -> Double? {
    values.overall(metric, control: control)
  }

  /// The `aggregate` of `metric` over the groups (of control level `control`).
  public func aggregate(_ aggregate: Aggregate, _ metric: Metric, control: Int = 0) -> Double? {
    values.aggregate(aggregate, metric, control: control)
  }

  /// The fairness scalar `measure` (between groups, or to overall with `.toOverall`).
  public func fairness(
    _ measure: FairnessMeasure, method: AggregateMethod = .betweenGroups, control: Int = 0
  ) -> Double? {
    values.fairness(measure, method: method, control: control)
  }

  /// The between-group inequality index `index` (of control level `control`).
  public func inequality(_ index: BetweenGroupIndex, control: Int = 0) -> Double? {
    values.inequality(index, control: control)
  }
}

extension BiasKitError {
  static func binaryMetricInMulticlass(_ metric: Metric) -> BiasKitError {
    let suggestion: String
    switch metric {
    case .precision, .recall, .f1:
      suggestion =
        "; use \(metric.rawValue)_macro, \(metric.rawValue)_weighted or \(metric.rawValue)_micro (each class's one-vs-rest value is reported too)"
    case .rocAUC: suggestion = "; use roc_auc_ovr or roc_auc_ovo"
    default: suggestion = " (each class's one-vs-rest rates are reported)"
    }
    return BiasKitError(
      .invalidArgument,
      "the metric '\(metric.rawValue)' is for binary labels, not \(.task, "multiclass")\(suggestion)"
    )
  }
}
