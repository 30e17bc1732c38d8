import ArgumentParser
import BiasKit
import Foundation

/// Where the predictions are and which columns mean what.
struct AuditInputOptions: ParsableArguments {
  @Argument(
    help: ArgumentHelp(
      "The predictions file (CSV; .tsv is read tab-separated). Not with --db or --state-from.",
      valueName: "file"))
  var inputFile: String?

  @OptionGroup var database: DatabaseOptions

  /// The file, database or aggregation result the audit reads (for messages and reports).
  var file: String {
    if let inputFile { return inputFile }
    if let db = database.db { return db + (database.table.map { " table \($0)" } ?? " query") }
    return database.stateFrom ?? ""
  }

  @Option(help: "Field separator (one character; `tab` or \\t for tab). Default: by extension.")
  var delimiter: String?

  @Option(help: "Classification (binary labels) or regression (numeric targets).")
  var task: AuditColumns.Task = .classification

  @Option(name: .customLong("y-true"), help: "Column of true labels (or targets).")
  var yTrue: String = "y_true"

  @Option(name: .customLong("y-pred"), help: "Column of predicted labels (or values).")
  var yPred: String = "y_pred"

  @Option(
    name: .customLong("y-score"), help: "Column of scores (probability of the positive class).")
  var yScore: String?

  @Option(help: "Sensitive feature column(s), comma-separated: several form intersectional groups.")
  var sensitive: [String] = []

  @Option(
    help: "Control feature column(s) (fairlearn control_features): aggregates within each level.")
  var control: [String] = []

  @Option(name: .customLong("sample-weight"), help: "Column of sample weights.")
  var sampleWeight: String?

  @Option(
    name: .customLong("pos-label"),
    help: "The positive label's text, for labels other than 0/1 or true/false.")
  var posLabel: String?

  @Option(
    name: .customLong("missing-group"), help: "Make empty sensitive values a group with this name.")
  var missingGroup: String?

  var columns: AuditColumns {
    AuditColumns(
      task: task, yTrue: yTrue, yPred: yPred, yScore: yScore, sensitive: Self.split(sensitive),
      control: Self.split(control), sampleWeight: sampleWeight, positiveLabel: posLabel,
      missingGroup: missingGroup)
  }

  static func split(_ values: [String]) -> [String] {
    values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
      .filter { !$0.isEmpty }
  }

  func delimiterByte() throws -> UInt8? { try Self.delimiterByte(delimiter) }

  static func delimiterByte(_ delimiter: String?) throws -> UInt8? {
    guard let delimiter else { return nil }
    if delimiter == "tab" || delimiter == "\\t" || delimiter == "\t" { return UInt8(ascii: "\t") }
    guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != UInt8(ascii: "\"")
    else {
      throw BiasKitError(
        .invalidArgument, "--delimiter takes one character (or 'tab'), not '\(delimiter)'")
    }
    return byte
  }
}

extension AuditColumns.Task: ExpressibleByArgument {}
extension FairnessMeasure.Aggregation: ExpressibleByArgument {}

/// Which metrics, with which parameters.
struct MetricOptions: ParsableArguments {
  @Option(
    help:
      "Metrics to compute, comma-separated (default: the confusion-matrix set, plus the score metrics with --y-score)."
  )
  var metrics: [String] = []

  @Option(help: "Equal-width bins of expected_calibration_error.")
  var bins: Int = 10

  @Option(help: "α of generalized_entropy_index.")
  var alpha: Double = 2

  @Option(help: "How equalized odds combines TPR and FPR: worst_case or mean.")
  var agg: FairnessMeasure.Aggregation = .worstCase

  func resolve(task: AuditColumns.Task, hasScores: Bool) throws -> [Metric] {
    let names = AuditInputOptions.split(metrics)
    if names.isEmpty {
      if task == .regression { return Metric.regressionMetrics }
      return Metric.confusionMetrics + (hasScores ? Metric.scoreMetrics : [])
    }
    var result: [Metric] = []
    for name in names {
      guard let metric = Metric(name: name) else {
        throw BiasKitError(
          .unknownName,
          "unknown metric '\(name)'; the metrics are \(Metric.allCases.map(\.rawValue).joined(separator: ", "))"
        )
      }
      if !result.contains(metric) { result.append(metric) }
    }
    return result
  }

  func options() throws -> AuditOptions {
    guard bins >= 1 else { throw BiasKitError(.invalidArgument, "--bins must be at least 1") }
    guard alpha.isFinite else {
      throw BiasKitError(.invalidArgument, "--alpha must be a finite number")
    }
    return AuditOptions(bins: bins, alpha: alpha)
  }
}

/// Bootstrap confidence intervals.
struct BootstrapOptions: ParsableArguments {
  @Option(help: "Bootstrap samples for confidence intervals (fairlearn n_boot).")
  var bootstrap: Int?

  @Option(help: "Quantiles of the intervals, comma-separated.")
  var ci: String = "0.025,0.5,0.975"

  @Option(help: "Seed of the bootstrap.")
  var seed: UInt64 = 0

  func resolve() throws -> Bootstrap? {
    guard let bootstrap else { return nil }
    guard bootstrap >= 1 else {
      throw BiasKitError(.invalidArgument, "--bootstrap needs at least 1 sample")
    }
    let quantiles = try ci.split(separator: ",").map { text -> Double in
      guard let q = Double(text.trimmingCharacters(in: .whitespaces)), (0...1).contains(q) else {
        throw BiasKitError(
          .invalidArgument, "--ci takes quantiles in [0, 1], comma-separated; '\(text)' is not one")
      }
      return q
    }
    return Bootstrap(samples: bootstrap, quantiles: quantiles, seed: seed)
  }
}

/// How and where to write the result.
struct OutputOptions: ParsableArguments {
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
    /// A self-contained HTML page with charts (BiasKit's HTMLReport).
    case html
  }

  @Option(help: "Output format: table, json, csv or html (a self-contained page with charts).")
  var format: Format = .table

  @Option(help: "Write to this file (atomically) instead of standard output.")
  var output: String?

  /// Writes `text` to the output file or standard output.
  func write(_ text: String) throws {
    if let output {
      try AtomicFileWriter.write(text, to: output)
    } else {
      FileHandle.standardOutput.write(Data(text.utf8))
    }
  }
}

/// Options of `--format html`: the scorecard's bounds (written as for `biaskit check`) and the
/// heat map's metric.
struct HTMLReportOptions: ParsableArguments {
  @Option(
    help:
      "With --format html: an upper bound NAME=VALUE for the scorecard (repeatable; as in biaskit check)."
  )
  var max: [String] = []

  @Option(help: "With --format html: a lower bound NAME=VALUE for the scorecard (repeatable).")
  var min: [String] = []

  @Option(
    name: .customLong("heat-map"),
    help: "With --format html: the metric of the heat map (default: selection_rate).")
  var heatMap: String?

  func bounds() throws -> [FairnessBound] { try FairnessBound.parse(maximums: max, minimums: min) }

  func options() throws -> HTMLReport.Options {
    var options = HTMLReport.Options()
    if let heatMap {
      guard let metric = Metric(name: heatMap) else {
        throw BiasKitError(
          .unknownName,
          "unknown metric '\(heatMap)' for --heat-map; the metrics are \(Metric.allCases.map(\.rawValue).joined(separator: ", "))"
        )
      }
      options.heatMapMetric = metric
    }
    return options
  }
}

/// Where the rows live when they are not in a file: a database (the audit runs there as one
/// GROUP BY) or the saved result of that GROUP BY (`--state-from`, e.g. from Spark).
struct DatabaseOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Audit in a database: sqlite:FILE or postgres://user@host:port/db (password from PGPASSWORD or ~/.pgpass).",
      valueName: "url"))
  var db: String?

  @Option(help: "The table to audit (with --db).")
  var table: String?

  @Option(help: "A SELECT whose rows to audit (with --db), instead of --table.")
  var query: String?

  @Option(
    name: .customLong("state-from"),
    help: ArgumentHelp(
      "Read the rows of the --emit-sql query's result (CSV) instead of the predictions.",
      valueName: "rows.csv"))
  var stateFrom: String?

  @Option(
    name: .customLong("max-distinct-scores"),
    help:
      "Bins of the score histogram: scores are counted exactly while no group has two in one bin, else in the histogram, with the AUC error bound stated (default: 100000 with --db and --emit-sql; files: exact)."
  )
  var maxDistinctScoresOption: Int?

  /// The limit of a database audit (100 000 unless given).
  var maxDistinctScores: Int { maxDistinctScoresOption ?? 100_000 }

  @Option(name: .customLong("score-range"), help: "The range of the score histogram, LOW,HIGH.")
  var scoreRange: String = "0,1"

  @Flag(
    name: .customLong("exact-scores"),
    help:
      "With --emit-sql and --state-from: the query groups by each distinct score too (exact roc_auc; one result row per distinct score)."
  )
  var exactScores = false

  @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for the database server.")
  var connectTimeout: Int = 10

  func range() throws -> (Double, Double) { try Self.range(scoreRange) }

  static func range(_ scoreRange: String) throws -> (Double, Double) {
    let parts = scoreRange.split(separator: ",").map {
      Double($0.trimmingCharacters(in: .whitespaces))
    }
    guard parts.count == 2, let low = parts[0], let high = parts[1], low.isFinite, high.isFinite,
      low < high
    else {
      throw BiasKitError(
        .invalidArgument, "--score-range takes LOW,HIGH with LOW < HIGH, not '\(scoreRange)'")
    }
    return (low, high)
  }

  func validate(file: String?) throws {
    let sources = [file != nil, db != nil, stateFrom != nil].filter { $0 }.count
    guard sources == 1 else {
      throw BiasKitError(
        .invalidArgument,
        sources == 0
          ? "give the predictions: a FILE, --db URL (with --table or --query), or --state-from rows.csv"
          : "give one of FILE, --db and --state-from")
    }
    if db != nil, (table == nil) == (query == nil) {
      throw BiasKitError(
        .invalidArgument, "--db needs --table NAME or --query 'SELECT …' (one of them)")
    }
    if db == nil, table != nil || query != nil {
      throw BiasKitError(.invalidArgument, "--table and --query go with --db")
    }
    guard maxDistinctScores >= 1 else {
      throw BiasKitError(.invalidArgument, "--max-distinct-scores must be at least 1")
    }
    guard connectTimeout >= 1 else {
      throw BiasKitError(.invalidArgument, "--connect-timeout must be at least 1 second")
    }
  }

  var source: SQLSource? {
    if let table { return .table(table) }
    if let query { return .query(query) }
    return nil
  }
}

/// Saving the audit's mergeable state, or printing the SQL that computes it elsewhere.
struct AuditStateOptions: ParsableArguments {
  @Option(
    name: .customLong("save-state"),
    help: ArgumentHelp(
      "Also write the audit's mergeable state (JSON) here, for `biaskit merge`.",
      valueName: "state.json"))
  var saveState: String?

  @Option(
    name: .customLong("emit-sql"),
    help: ArgumentHelp(
      "Print the GROUP BY that computes the audit's counts in spark, postgres or sqlite, and exit.",
      valueName: "dialect"))
  var emitSQL: SQLDialect?
}

extension SQLDialect: ExpressibleByArgument {}

/// Reads the input, runs the audit and, when asked, the bootstrap. Shared by `audit` and `check`.
struct AuditRun {
  var input: AuditInputOptions
  var metricOptions: MetricOptions
  var bootstrapOptions: BootstrapOptions

  func report() throws -> AuditReport { try evaluate().report }

  /// The columns the audit reads (validated), with the metrics.
  func plan() throws -> (columns: AuditColumns, metrics: [Metric]) {
    var columns = input.columns
    if columns.sensitive.isEmpty {
      throw BiasKitError(
        .invalidArgument, "name the sensitive feature(s) with --sensitive COL[,COL…]")
    }
    let metrics = try metricOptions.resolve(task: columns.task, hasScores: columns.yScore != nil)
    if columns.yScore == nil, let metric = metrics.first(where: { $0.requirement == .scores }) {
      throw BiasKitError(
        .invalidArgument, "the metric '\(metric.rawValue)' needs a score column: add --y-score COL")
    }
    if columns.task == .classification, columns.yScore != nil,
      !metrics.contains(where: { $0.requirement == .scores })
    {
      columns.yScore = nil  // not needed: skip reading it
    }
    try DatabaseAudit.checkOptions(columns)
    return (columns, metrics)
  }

  /// The query of `--emit-sql`.
  func aggregationQuery(_ dialect: SQLDialect, exactScores: Bool = false) throws -> AggregationQuery
  {
    let (columns, _) = try plan()
    let database = input.database
    guard let source = database.source else {
      throw BiasKitError(.invalidArgument, "--emit-sql needs --table NAME or --query 'SELECT …'")
    }
    if input.inputFile != nil || database.stateFrom != nil {
      throw BiasKitError(
        .invalidArgument, "--emit-sql prints a query; it reads no FILE or --state-from")
    }
    guard columns.task == .classification else {
      throw BiasKitError(
        .invalidArgument, "--emit-sql is for classification; --task regression needs a file")
    }
    guard database.maxDistinctScores >= 1 else {
      throw BiasKitError(.invalidArgument, "--max-distinct-scores must be at least 1")
    }
    let (low, high) = try database.range()
    var query = AggregationQuery(
      dialect: dialect, source: source, columns: columns,
      maxDistinctScores: database.maxDistinctScores,
      scoreLower: low, scoreUpper: high)
    query.exactScores = exactScores || database.exactScores
    return query
  }

  /// The audit state of the input, from a file, a database or an aggregation result.
  func state(
    columns: AuditColumns, metrics: [Metric], options: AuditOptions
  ) throws -> (AuditState, AuditTable?) {
    let database = input.database
    try database.validate(file: input.inputFile)
    let (low, high) = try database.range()
    let needs = CountingPass.Needs(metrics: metrics)
    if let path = input.inputFile {
      let probabilities = metrics.contains {
        [.brierScore, .logLoss, .expectedCalibrationError].contains($0)
      }
      let reading = ProgressLine(label: "reading \(path)", total: 100)
      let table = try AuditTable(
        path: path, columns: columns, delimiter: try input.delimiterByte(),
        probabilityScores: probabilities,
        progress: reading.map { line in { @Sendable fraction in line.update(Int(fraction * 100)) } }
      )
      reading?.finish()
      let frame = try MetricFrame(
        metrics: metrics, data: table.data, sensitive: table.sensitive, control: table.control,
        options: options,
        aggregation: metricOptions.agg)
      var state = AuditState(frame: frame, task: columns.task)
      if let limit = database.maxDistinctScoresOption {
        state = try state.limitingDistinctScores(limit, lower: low, upper: high)
      }
      return (state, table)
    }
    if let url = database.db, let source = database.source {
      var audit = DatabaseAudit(
        location: try DatabaseLocation(url), source: source, columns: columns, needs: needs)
      audit.calibrationBins = options.bins
      audit.maxDistinctScores = database.maxDistinctScores
      audit.scoreLower = low
      audit.scoreUpper = high
      audit.connectTimeout = database.connectTimeout
      return (try audit.state(), nil)
    }
    let path = database.stateFrom!
    guard columns.task == .classification else {
      throw BiasKitError(
        .invalidArgument,
        "--state-from reads a classification audit's counts; --task regression needs a file")
    }
    var rows = AggregatedRows(
      columns: columns, needs: needs, calibrationBins: options.bins,
      histogram: AuditState.ScoreHistogram(
        lower: low, upper: high, bins: database.maxDistinctScores), source: path)
    rows.exactScores = database.exactScores
    try rows.add(csv: path, delimiter: try input.delimiterByte())
    return (try rows.state(), nil)
  }

  func evaluate() throws -> (report: AuditReport, state: AuditState) {
    let (columns, planned) = try plan()
    var metrics = planned
    let options = try metricOptions.options()
    let bootstrap = try bootstrapOptions.resolve()
    let (state, table) = try state(columns: columns, metrics: metrics, options: options)
    if metricOptions.metrics.isEmpty, state.scoreHistogram != nil,
      state.statistics.first?.calibration == nil
    {
      // Default metrics of a database audit past --max-distinct-scores: the calibration metrics
      // need exact scores, so they are left out (asked for by name, they are an error).
      metrics.removeAll { [.brierScore, .logLoss, .expectedCalibrationError].contains($0) }
    }
    let frame = try state.frame(metrics: metrics, options: options, aggregation: metricOptions.agg)
    var report = AuditReport(frame: frame)
    if let bootstrap {
      guard let table, state.scoreHistogram == nil else {
        throw BiasKitError(
          .invalidArgument,
          table == nil
            ? "--bootstrap resamples rows; it needs the predictions FILE (not --db or --state-from)"
            : "--bootstrap needs exact scores; raise --max-distinct-scores")
      }
      let progress = ProgressLine(label: "bootstrap", total: bootstrap.samples)
      report.intervals = try bootstrap.intervals(
        for: frame, data: table.data,
        cells: MetricFrame.cells(sensitive: table.sensitive, control: table.control),
        progress: progress.map { p in { @Sendable done in p.update(done) } })
      progress?.finish()
      report.bootstrap = bootstrap
    }
    return (report, state)
  }
}

/// A progress line on standard error, shown only when it is a terminal and the work takes
/// more than a couple of seconds.
final class ProgressLine: @unchecked Sendable {
  private let label: String
  private let total: Int
  private let start = Date()
  private var lastDraw = Date.distantPast
  private var drawn = false
  private let lock = NSLock()

  init?(label: String, total: Int) {
    guard isatty(STDERR_FILENO) == 1 else { return nil }
    self.label = label
    self.total = total
  }

  func update(_ done: Int) {
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    guard now.timeIntervalSince(start) > 2, now.timeIntervalSince(lastDraw) > 0.2 else { return }
    lastDraw = now
    drawn = true
    FileHandle.standardError.write(Data("\r\(label): \(done)/\(total)".utf8))
  }

  func finish() {
    if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}

extension AuditState {
  /// Writes the state as JSON (atomically).
  func save(to path: String) throws {
    try AtomicFileWriter.write(String(decoding: try encoded(), as: UTF8.self) + "\n", to: path)
  }

  /// What the output says when scores were binned: the histogram and the AUC error bound.
  var scoreNote: String? {
    guard let histogram = scoreHistogram else { return nil }
    let bound = aucErrorBound.map { String(format: "%.3g", $0) } ?? "0"
    return
      "scores were counted in \(histogram.bins) bins of [\(histogram.lower), \(histogram.upper)) "
      + "(more distinct values than --max-distinct-scores); roc_auc is within ±\(bound) of the exact value "
      + "and average_precision is approximate"
  }
}

extension AuditReport {
  /// The report as JSON text, with the score histogram and its AUC error bound when scores were
  /// binned.
  func jsonText(noting state: AuditState) -> String {
    var json = self.json()
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
    return json.serialized() + "\n"
  }
}
