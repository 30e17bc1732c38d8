import Foundation

/// An audit to run, as a value: where the rows are, which columns mean what, which metrics and
/// parameters, and whether to bootstrap. ``evaluated(progress:)`` reads the rows (or lets the
/// database count them), computes the ``AuditState`` and the ``AuditReport``.
///
/// This is everything `biaskit audit` and `biaskit check` do between parsing their flags and
/// rendering the result:
///
///     var request = AuditRequest(
///       source: .file("preds.csv"),
///       columns: AuditColumns(yTrue: "y", yPred: "p", yScore: "s", sensitive: ["sex", "race"]))
///     request.bootstrap = Bootstrap(samples: 1_000, seed: 1)
///     let result = try request.evaluated()
///     result.report.frame.fairness(.equalizedOddsDifference)
///
/// Metrics: ``metrics`` when given, else the default set of the task (the confusion-matrix
/// metrics, plus the score metrics with a score column; the regression metrics), plus every
/// metric a bound of ``bounds`` reads. A score column that no metric reads is not read.
///
/// Scores: a file audit counts each distinct score exactly unless ``maxDistinctScores`` is
/// given; a database audit counts them in a histogram of ``maxDistinctScores`` bins (100 000 by
/// default) when some group has more distinct scores than that, and states the AUC error bound
/// (``AuditState``). Default metrics then leave out the calibration metrics, which need exact
/// scores.
///
/// - Complexity: one pass over the rows (in the database for ``Source/database(_:_:)``), then
///   O(cells × metrics); the bootstrap adds O(samples × (atoms + cells × metrics)).
public struct AuditRequest: Sendable {
  /// Where the rows are.
  public enum Source: Sendable {
    /// A file of any registered format (``TableSources/open(_:format:options:)``).
    case file(String, options: TableReadOptions = TableReadOptions())
    /// A table already opened.
    case table(any TableSource)
    /// A table or query in a database: the audit runs there as one `GROUP BY`.
    case database(DatabaseLocation, SQLSource)
    /// The rows of ``AggregationQuery``'s result, saved as a table (e.g. by a Spark job).
    case aggregatedRows(String, options: TableReadOptions = TableReadOptions())
    /// A table or query that only ``AuditRequest/aggregationQuery(_:)`` can use (no database
    /// to connect to).
    case query(SQLSource)

    /// The one source among a file, a database table or query and an aggregation result, as a
    /// command line names them.
    ///
    /// - Parameter forQuery: the source of ``AuditRequest/aggregationQuery(_:)``: a table or
    ///   query, with or without a database.
    /// - Throws: ``BiasKitError`` unless exactly one source is named, a database has exactly one
    ///   of a table and a query, and a table or query has a database (or `forQuery`).
    public static func choosing(
      file: String?, database: DatabaseLocation?, table: String?, query: String?,
      aggregatedRows: String?, options: TableReadOptions = TableReadOptions(),
      forQuery: Bool = false
    ) throws -> Source {
      let sql: SQLSource? = table.map { .table($0) } ?? query.map { .query($0) }
      if forQuery {
        guard let sql else {
          throw BiasKitError(
            .invalidArgument,
            "\(.emitSQL) needs \(.table, "NAME") or \(.query, "'SELECT …'")")
        }
        if file != nil || aggregatedRows != nil {
          throw BiasKitError(
            .invalidArgument,
            "\(.emitSQL) prints a query; it reads no \(.input) or \(.stateFrom)")
        }
        return database.map { .database($0, sql) } ?? .query(sql)
      }
      let named = [file != nil, database != nil, aggregatedRows != nil].filter { $0 }.count
      guard named == 1 else {
        throw BiasKitError(
          .invalidArgument,
          named == 0
            ? "give the predictions: a \(.input), \(.database, "URL") (with \(.table) or \(.query)), or \(.stateFrom, "rows.csv")"
            : "give one of \(.input), \(.database) and \(.stateFrom)")
      }
      if let database {
        guard let sql, table == nil || query == nil else {
          throw BiasKitError(
            .invalidArgument,
            "\(.database) needs \(.table, "NAME") or \(.query, "'SELECT …'") (one of them)")
        }
        return .database(database, sql)
      }
      if sql != nil {
        throw BiasKitError(.invalidArgument, "\(.table) and \(.query) go with \(.database)")
      }
      if let file { return .file(file, options: options) }
      return .aggregatedRows(aggregatedRows ?? "", options: options)
    }

    /// The source as messages and reports name it: the path, or the database and table.
    public var name: String {
      switch self {
      case .file(let path, _), .aggregatedRows(let path, _): return path
      case .table(let source): return source.name
      case .database(let location, let sql):
        switch sql {
        case .table(let name): return "\(location) table \(name)"
        case .query: return "\(location) query"
        }
      case .query(let sql): return sql.description
      }
    }
  }

  /// A step of the audit, reported to ``evaluated(progress:)``'s callback.
  public enum Progress: Sendable {
    /// Reading the rows: the fraction read.
    case reading(Double)
    /// The bootstrap: samples done of the total.
    case resampling(done: Int, total: Int)
  }

  /// Where the rows are.
  public var source: Source
  /// Which columns mean what.
  public var columns: AuditColumns
  /// The metrics to compute; empty for the default set of the task.
  public var metrics: [Metric] = []
  /// Bounds the audit will be checked against: the metrics they read are computed too.
  public var bounds: [FairnessBound] = []
  /// The metrics' parameters.
  public var options = AuditOptions()
  /// How equalized odds combines its two rates.
  public var aggregation = FairnessMeasure.Aggregation.worstCase
  /// Bootstrap intervals for every value (rows from a file only).
  public var bootstrap: Bootstrap?
  /// The confidence level of Wilson intervals for every per-group rate (nil: none).
  public var wilsonConfidence: Double?
  /// Bins of the score histogram past which scores are binned (nil: exact for files, 100 000
  /// for databases and aggregated rows).
  public var maxDistinctScores: Int?
  /// The range of the score histogram.
  public var scoreRange = ScoreRange.unit
  /// Whether ``aggregationQuery(_:)`` (and the aggregated rows read back) group by each
  /// distinct score.
  public var exactScores = false
  /// Seconds to wait for a database server.
  public var connectTimeout = 10

  /// An audit of the rows of `source` with `columns`.
  public init(source: Source, columns: AuditColumns) {
    self.source = source
    self.columns = columns
  }

  /// The histogram bins of a database audit when ``maxDistinctScores`` is not given.
  public static let defaultDatabaseBins = 100_000

  /// The metrics computed from a score column that need exact scores.
  static let calibrationMetrics: [Metric] = [.brierScore, .logLoss, .expectedCalibrationError]

  /// The default metrics of an audit of `task`: the confusion-matrix set (plus the score
  /// metrics with scores) or the regression set.
  public static func defaultMetrics(task: AuditColumns.Task, hasScores: Bool) -> [Metric] {
    switch task {
    case .regression: return Metric.regressionMetrics
    case .multiclass:
      return Metric.multiclassMetrics + (hasScores ? Metric.multiclassScoreMetrics : [])
    case .classification: return Metric.confusionMetrics + (hasScores ? Metric.scoreMetrics : [])
    }
  }

  /// Whether `metric` reads a multiclass audit's probability matrix.
  static func readsClassProbabilities(_ metric: Metric) -> Bool {
    metric.requirement == .classScores || metric == .logLoss || metric == .brierScore
  }

  /// The columns to read and the metrics to compute, validated.
  ///
  /// - Throws: ``BiasKitError`` without a sensitive feature, for a metric that needs a score
  ///   column when there is none, or for inconsistent columns (``AuditTable``).
  public func plan() throws -> (columns: AuditColumns, metrics: [Metric]) {
    var columns = self.columns
    if columns.sensitive.isEmpty {
      throw BiasKitError(
        .invalidArgument, "name the sensitive feature(s) with \(.sensitive, "COL[,COL…]")")
    }
    var metrics: [Metric] = []
    let multiclass = columns.task == .multiclass
    let hasScores = multiclass ? columns.classScores != nil : columns.yScore != nil
    let requested =
      self.metrics.isEmpty
      ? AuditRequest.defaultMetrics(task: columns.task, hasScores: hasScores)
      : self.metrics
    for metric in requested + bounds.compactMap(\.target.metric) where !metrics.contains(metric) {
      metrics.append(metric)
    }
    if multiclass {
      try AuditTable.checkOptions(columns)
      if let metric = metrics.first(where: { !$0.isMulticlass }) {
        throw BiasKitError.binaryMetricInMulticlass(metric)
      }
      let probabilities = metrics.contains(where: AuditRequest.readsClassProbabilities)
      if columns.classScores == nil,
        let metric = metrics.first(where: AuditRequest.readsClassProbabilities)
      {
        throw BiasKitError(
          .invalidArgument,
          "the metric '\(metric.rawValue)' needs the class probabilities: add \(.yScore, "p_a,p_b,…") or \(.yScorePrefix, "p_")"
        )
      }
      if !probabilities { columns.classScores = nil }  // not needed: skip reading them
      return (columns, metrics)
    }
    if columns.yScore == nil, let metric = metrics.first(where: { $0.requirement == .scores }) {
      throw BiasKitError(
        .invalidArgument,
        "the metric '\(metric.rawValue)' needs a score column: add \(.yScore, "COL")")
    }
    if columns.task == .classification, columns.yScore != nil, columns.selection == nil,
      !metrics.contains(where: { $0.requirement == .scores })
    {
      columns.yScore = nil  // not needed: skip reading it
    }
    try AuditTable.checkOptions(columns)
    return (columns, metrics)
  }

  /// Throws unless the parameters are in range.
  func checkParameters() throws {
    guard options.bins >= 1 else {
      throw BiasKitError(.invalidArgument, "\(.bins) must be at least 1")
    }
    try CalibrationStatistics.checkBins(options.bins)
    guard options.alpha.isFinite else {
      throw BiasKitError(.invalidArgument, "\(.alpha) must be a finite number")
    }
    if let wilsonConfidence { try WilsonInterval.check(confidence: wilsonConfidence) }
    guard options.topK >= 1 else {
      throw BiasKitError(.invalidArgument, "\(.topKAccuracy) must be at least 1")
    }
    if let maxDistinctScores, maxDistinctScores < 1 {
      throw BiasKitError(.invalidArgument, "\(.maxDistinctScores) must be at least 1")
    }
    guard connectTimeout >= 1 else {
      throw BiasKitError(.invalidArgument, "\(.connectTimeout) must be at least 1 second")
    }
  }

  /// The `GROUP BY` that computes the audit's counts in `dialect`, for the table or query of
  /// ``source``.
  ///
  /// - Throws: ``BiasKitError`` when the source is not a table or query, or the task is not a
  ///   classification.
  public func aggregationQuery(_ dialect: SQLDialect) throws -> AggregationQuery {
    let (columns, _) = try plan()
    let sql: SQLSource
    switch source {
    case .database(_, let s), .query(let s): sql = s
    case .file, .table, .aggregatedRows:
      throw BiasKitError(
        .invalidArgument, "\(.emitSQL) prints a query; it reads no \(.input) or \(.stateFrom)")
    }
    guard columns.task != .regression else {
      throw BiasKitError(
        .invalidArgument,
        "\(.emitSQL) is for classification; \(.task, "regression") needs a file")
    }
    if let selection = columns.selection { throw BiasKitError.selectionNeedsRows(selection) }
    guard columns.classScores == nil else {
      throw BiasKitError(
        .invalidArgument,
        "\(.emitSQL) counts a multiclass audit's labels; its probability metrics need the file (\(.metrics))"
      )
    }
    try checkParameters()
    var query = AggregationQuery(
      dialect: dialect, source: sql, columns: columns,
      maxDistinctScores: maxDistinctScores ?? AuditRequest.defaultDatabaseBins,
      scoreLower: scoreRange.lower, scoreUpper: scoreRange.upper)
    query.exactScores = exactScores
    return query
  }

  /// Runs the audit.
  ///
  /// - Parameter progress: called from any thread while the rows are read and resampled.
  /// - Throws: ``BiasKitError`` for bad input (with the file, line and column), bad parameters,
  ///   or a bootstrap of rows the audit does not have (a database or aggregated rows).
  public func evaluated(
    progress: (@Sendable (Progress) -> Void)? = nil
  ) throws -> AuditResult {
    let (columns, planned) = try plan()
    try checkParameters()
    if let bootstrap {
      // The smallest audit of these metrics: the full check follows once the cells are known.
      try bootstrap.validate(
        width: AuditValues.width(metrics: planned.count, cells: 1, controls: 1))
    }
    var metrics = planned
    let (state, table, rowFrame) = try state(columns: columns, metrics: metrics, progress: progress)
    if self.metrics.isEmpty, columns.task == .classification, state.scoreHistogram != nil,
      state.statistics.first?.calibration == nil
    {
      // Default metrics past the histogram: the calibration metrics need exact scores, so they
      // are left out (asked for by name, they are an error).
      metrics.removeAll { AuditRequest.calibrationMetrics.contains($0) }
    }
    // The frame of the rows read here is the state's frame already (computing it again would
    // merge every group's score counts a second time).
    let frame =
      try (metrics == planned ? rowFrame : nil)
      ?? state.frame(metrics: metrics, options: options, aggregation: aggregation)
    var intervals: Bootstrap.Intervals?
    if let bootstrap {
      guard let table, state.scoreHistogram == nil else {
        throw BiasKitError(
          .invalidArgument,
          table == nil
            ? "\(.bootstrap) resamples rows; it needs the predictions \(.input) (not \(.database) or \(.stateFrom))"
            : "\(.bootstrap) needs exact scores; raise \(.maxDistinctScores)")
      }
      let total = bootstrap.samples
      intervals = try bootstrap.intervals(
        for: frame, data: table.data, sensitive: table.sensitive, control: table.control,
        progress: progress.map { report in
          { @Sendable done in report(.resampling(done: done, total: total)) }
        })
    }
    let classAudit = frame.isMulticlass ? ClassAudit(frame: frame) : nil
    var report = AuditReport(frame: frame, intervals: intervals, classAudit: classAudit)
    report.wilsonConfidence = wilsonConfidence
    return AuditResult(report: report, state: state, table: table)
  }

  /// The audit state of the rows, and the rows and their frame when they were read here (the
  /// frame only when the state holds its statistics unchanged).
  func state(
    columns: AuditColumns, metrics: [Metric], progress: (@Sendable (Progress) -> Void)?
  ) throws -> (AuditState, AuditTable?, MetricFrame?) {
    let needs = CountingPass.Needs(metrics: metrics)
    let histogram = AuditState.ScoreHistogram(
      lower: scoreRange.lower, upper: scoreRange.upper,
      bins: maxDistinctScores ?? AuditRequest.defaultDatabaseBins)
    func fromRows(_ source: any TableSource) throws -> (AuditState, AuditTable?, MetricFrame?) {
      let table = try AuditTable(
        source: source, columns: columns,
        probabilityScores: metrics.contains { AuditRequest.calibrationMetrics.contains($0) },
        progress: progress.map { report in { @Sendable fraction in report(.reading(fraction)) } })
      let frame = try MetricFrame(
        metrics: metrics, data: table.data, sensitive: table.sensitive, control: table.control,
        options: options, aggregation: aggregation)
      var state = AuditState(frame: frame, task: columns.task)
      guard let limit = maxDistinctScores else { return (state, table, frame) }
      state = try state.limitingDistinctScores(
        limit, lower: scoreRange.lower, upper: scoreRange.upper)
      return (state, table, nil)
    }
    switch source {
    case .database, .aggregatedRows:
      if let selection = columns.selection { throw BiasKitError.selectionNeedsRows(selection) }
    case .file, .table, .query: break
    }
    switch source {
    case .file(let path, let options):
      return try fromRows(try TableSources.open(path, options: options))
    case .table(let source):
      return try fromRows(source)
    case .database(let location, let sql):
      var audit = DatabaseAudit(location: location, source: sql, columns: columns, needs: needs)
      audit.calibrationBins = options.bins
      audit.maxDistinctScores = histogram.bins
      audit.scoreLower = histogram.lower
      audit.scoreUpper = histogram.upper
      audit.connectTimeout = connectTimeout
      return (try audit.state(), nil, nil)
    case .aggregatedRows(let path, let options):
      guard columns.task != .regression, columns.classScores == nil else {
        throw BiasKitError(
          .invalidArgument,
          "\(.stateFrom) reads a classification audit's counts; \(.task, "regression") and class probabilities need a file"
        )
      }
      var rows = AggregatedRows(
        columns: columns, needs: needs, calibrationBins: self.options.bins, histogram: histogram,
        source: path)
      rows.exactScores = exactScores
      try rows.add(table: try TableSources.open(path, options: options))
      return (try rows.state(), nil, nil)
    case .query:
      throw BiasKitError(
        .invalidArgument,
        "\(.table) and \(.query) go with \(.database) (or \(.emitSQL) to print the query)")
    }
  }
}

/// A merge of saved audit states (`biaskit merge`): the audit of the union of their rows.
///
///     let result = try AuditMerge(states: [a, b]).evaluated()
///
/// The states must agree in task, features, metrics' sums and score histogram
/// (``AuditState/merged(_:)``). Metrics default as for an audit, from what the states carry.
///
/// - Complexity: as ``AuditState/merged(_:)``, then O(cells × metrics).
public struct AuditMerge: Sendable {
  /// The states to merge.
  public var states: [AuditState]
  /// The metrics to compute; empty for the default set of the states' task.
  public var metrics: [Metric] = []
  /// The metrics' parameters.
  public var options = AuditOptions()
  /// How equalized odds combines its two rates.
  public var aggregation = FairnessMeasure.Aggregation.worstCase
  /// Bin the merged scores into this many bins of ``scoreRange`` when a group has two in one.
  public var maxDistinctScores: Int?
  /// The range of the score histogram.
  public var scoreRange = ScoreRange.unit

  /// A merge of `states`.
  public init(states: [AuditState]) { self.states = states }

  /// The merged state and its report.
  ///
  /// - Throws: ``BiasKitError`` for no state, states that cannot be merged, or metrics the
  ///   merged state lacks the sums of.
  public func evaluated() throws -> AuditResult {
    guard !states.isEmpty else {
      throw BiasKitError(.invalidArgument, "name at least one audit state to merge")
    }
    var state = try AuditState.merged(states)
    if let maxDistinctScores {
      guard maxDistinctScores >= 1 else {
        throw BiasKitError(.invalidArgument, "\(.maxDistinctScores) must be at least 1")
      }
      state = try state.limitingDistinctScores(
        maxDistinctScores, lower: scoreRange.lower, upper: scoreRange.upper)
    }
    var chosen = metrics
    if chosen.isEmpty {
      let first = state.statistics.first
      chosen = AuditRequest.defaultMetrics(
        task: state.task,
        hasScores: first?.scores != nil || first?.classes?.probabilities != nil)
      if state.task == .classification, state.statistics.first?.calibration == nil {
        // The calibration metrics need sums the state lacks (binned scores).
        chosen.removeAll { AuditRequest.calibrationMetrics.contains($0) }
      }
    }
    guard options.bins >= 1 else {
      throw BiasKitError(.invalidArgument, "\(.bins) must be at least 1")
    }
    guard options.alpha.isFinite else {
      throw BiasKitError(.invalidArgument, "\(.alpha) must be a finite number")
    }
    let frame = try state.frame(metrics: chosen, options: options, aggregation: aggregation)
    let classAudit = frame.isMulticlass ? ClassAudit(frame: frame) : nil
    return AuditResult(
      report: AuditReport(frame: frame, classAudit: classAudit), state: state, table: nil)
  }
}

/// What an audit produced: the report, the mergeable state, and the rows when they were read.
public struct AuditResult: Sendable {
  /// The values and intervals, ready to render.
  public let report: AuditReport
  /// The mergeable state (for `--save-state`).
  public let state: AuditState
  /// The rows read, when the audit read them (a file or an opened table).
  public let table: AuditTable?

  /// The result of an audit.
  public init(report: AuditReport, state: AuditState, table: AuditTable?) {
    self.report = report
    self.state = state
    self.table = table
  }

  /// The report as JSON text (``AuditReport/json()``), with `score_histogram` (its range,
  /// bins and AUC error bound) when scores were binned.
  public func jsonText() -> String {
    var json = report.json()
    if case .object(var pairs) = json, let histogram = state.scoreHistogram {
      pairs.append(
        (
          "score_histogram",
          .object([
            ("lower", .number(histogram.lower)), ("upper", .number(histogram.upper)),
            ("bins", .integer(histogram.bins)),
            ("roc_auc_error_bound", .number(state.aucErrorBound)),
          ])
        ))
      json = .object(pairs)
    }
    if case .object(var pairs) = json, let table, let selection = table.columns.selection,
      case .classification(_, let predictions, _) = table.data.outcomes
    {
      let value: JSONValue =
        if case .topK(let k) = selection { .integer(k) } else { .number(selection.parameter) }
      pairs.append(
        (
          "predictions_from_scores",
          .object([
            ("rule", .string(selection.name)), ("value", value),
            ("selected", .integer(predictions.reduce(0) { $0 + Int($1) })),
          ])
        ))
      json = .object(pairs)
    }
    return json.serialized() + "\n"
  }

  /// What the output says when scores were binned: the histogram and the AUC error bound.
  public var scoreNote: BiasKitError.Message? {
    guard let histogram = state.scoreHistogram else { return nil }
    let bound = state.aucErrorBound.map { String(format: "%.3g", $0) } ?? "0"
    return
      "scores were counted in \(histogram.bins) bins of [\(histogram.lower), \(histogram.upper)) "
      + "(more distinct values than \(.maxDistinctScores)); roc_auc is within ±\(bound) of the exact value "
      + "and average_precision is approximate"
  }
}

/// The range `[lower, upper)` of a score histogram.
public struct ScoreRange: Sendable, Equatable {
  /// The low end (included).
  public let lower: Double
  /// The high end (excluded).
  public let upper: Double

  /// The range `[0, 1)` of probabilities.
  public static let unit = ScoreRange(uncheckedLower: 0, upper: 1)

  private init(uncheckedLower lower: Double, upper: Double) {
    self.lower = lower
    self.upper = upper
  }

  /// `[lower, upper)`.
  ///
  /// - Throws: ``BiasKitError`` unless both are finite and `lower < upper`.
  public init(lower: Double, upper: Double) throws {
    guard lower.isFinite, upper.isFinite, lower < upper else {
      throw BiasKitError(
        .invalidArgument, "\(.scoreRange) takes LOW,HIGH with LOW < HIGH, not '\(lower),\(upper)'")
    }
    self.init(uncheckedLower: lower, upper: upper)
  }

  /// Parses `LOW,HIGH`.
  ///
  /// - Throws: ``BiasKitError`` unless the text is two finite numbers with LOW < HIGH.
  public init(parsing text: String) throws {
    let parts = text.split(separator: ",").map {
      Double($0.trimmingCharacters(in: .whitespaces))
    }
    guard parts.count == 2, let low = parts[0], let high = parts[1], low.isFinite, high.isFinite,
      low < high
    else {
      throw BiasKitError(
        .invalidArgument, "\(.scoreRange) takes LOW,HIGH with LOW < HIGH, not '\(text)'")
    }
    self.init(uncheckedLower: low, upper: high)
  }
}

extension BiasKitError {
  /// A threshold or rank selection asked of a source whose rows are not read here.
  static func selectionNeedsRows(_ selection: ScoreSelection) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "\(selection.flag) makes the predictions from each row's score; it needs a file (\(.input)), not \(.database), \(.emitSQL) or \(.stateFrom)"
    )
  }
}
