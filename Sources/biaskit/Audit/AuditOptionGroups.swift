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

  @Option(
    help: "Field separator (one character; `tab` or \\t for tab). Default: by extension.",
    transform: Flags.parsing(AuditInputOptions.delimiterByte))
  var delimiter: UInt8?

  @Option(help: "Classification (binary labels) or regression (numeric targets).")
  var task: AuditColumns.Task = .classification

  @Option(name: .customLong("y-true"), help: "Column of true labels (or targets).")
  var yTrue: String = "y_true"

  @Option(name: .customLong("y-pred"), help: "Column of predicted labels (or values).")
  var yPred: String = "y_pred"

  @Option(
    name: .customLong("y-score"),
    help:
      "Column of scores (probability of the positive class); with --task multiclass, one probability column per class, comma-separated, in the classes' sorted order."
  )
  var yScore: String?

  @Option(
    name: .customLong("y-score-prefix"),
    help:
      "With --task multiclass: the probability columns are those whose names start with this prefix, the rest of the name being the class (p_ for p_a, p_b, …)."
  )
  var yScorePrefix: String?

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

  @Option(
    help:
      "Make the predictions from --y-score: y_pred = score >= T (the --y-pred column is not read)."
  )
  var threshold: Double?

  @Option(
    name: .customLong("top-k"),
    help:
      "Predict 1 for the N highest scores of the file (Aequitas rank_abs; ties: earlier rows first)."
  )
  var topK: Int?

  @Option(
    name: .customLong("top-fraction"),
    help: "Predict 1 for the ceil(F * rows) highest scores (Aequitas rank_pct), 0 < F <= 1.")
  var topFraction: Double?

  /// The prediction rule of `--threshold`, `--top-k` or `--top-fraction` (at most one).
  func selection() throws -> ScoreSelection? {
    let chosen: [ScoreSelection] =
      [
        threshold.map { .threshold($0) }, topK.map { .topK($0) },
        topFraction.map { .topFraction($0) },
      ]
      .compactMap { $0 }
    guard chosen.count <= 1 else {
      throw BiasKitError(
        .invalidArgument, "give one of --threshold, --top-k and --top-fraction, not several")
    }
    return chosen.first
  }

  /// The columns, as the library names them.
  var columns: AuditColumns {
    var classScores: AuditColumns.ClassScoreColumns? = yScorePrefix.map { .prefix($0) }
    var score = yScore
    if task == .multiclass, let yScore {
      classScores = .columns(Self.split([yScore]))
      score = nil
    }
    return AuditColumns(
      task: task, yTrue: yTrue, yPred: yPred, yScore: score, sensitive: Self.split(sensitive),
      control: Self.split(control), sampleWeight: sampleWeight, positiveLabel: posLabel,
      missingGroup: missingGroup, classScores: classScores)
  }

  /// Comma-separated column lists (repeatable options) as one list.
  static func split(_ values: [String]) -> [String] {
    values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
      .filter { !$0.isEmpty }
  }

  /// The byte of `--delimiter`.
  static func delimiterByte(_ delimiter: String) throws -> UInt8 {
    if delimiter == "tab" || delimiter == "\\t" || delimiter == "\t" { return UInt8(ascii: "\t") }
    guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != UInt8(ascii: "\"")
    else {
      throw BiasKitError(
        .invalidArgument, "--delimiter takes one character (or 'tab'), not '\(delimiter)'")
    }
    return byte
  }

  /// The source the flags name: FILE, `--db` with `--table`/`--query`, or `--state-from`.
  func source(forQuery: Bool = false) throws -> AuditRequest.Source {
    try AuditRequest.Source.choosing(
      file: inputFile, database: database.db, table: database.table, query: database.query,
      aggregatedRows: database.stateFrom, options: TableReadOptions(delimiter: delimiter),
      forQuery: forQuery)
  }

  /// The files the audit reads (the predictions, the aggregated rows, a SQLite database), which
  /// no output may replace (``OutputPaths``).
  var readPaths: [String?] {
    var paths = [inputFile, database.stateFrom]
    if case .sqlite(let path) = database.db { paths.append(path) }
    return paths
  }

  /// What the audit reads, for the table header and the report (before the source is checked).
  var sourceName: String {
    if let inputFile { return inputFile }
    if let db = database.db {
      return db.description + (database.table.map { " table \($0)" } ?? " query")
    }
    return database.stateFrom ?? ""
  }

  /// The audit these flags ask for.
  func request(
    metrics: MetricOptions, bootstrap: BootstrapFlags, bounds: [FairnessBound] = [],
    forQuery: Bool = false
  ) throws -> AuditRequest {
    var chosen = columns
    chosen.selection = try selection()
    var request = AuditRequest(source: try source(forQuery: forQuery), columns: chosen)
    request.metrics = metrics.selected
    request.bounds = bounds
    request.options = metrics.options
    request.aggregation = metrics.agg
    request.wilsonConfidence = metrics.wilson ? metrics.confidence : nil
    request.bootstrap = bootstrap.bootstrapRequest
    request.maxDistinctScores = database.maxDistinctScores
    request.scoreRange = database.scoreRange
    request.exactScores = database.exactScores
    request.connectTimeout = database.connectTimeout
    return request
  }
}

extension AuditColumns.Task: ExpressibleByArgument {}
extension FairnessMeasure.Aggregation: ExpressibleByArgument {}
extension SQLDialect: ExpressibleByArgument {}

/// Which metrics, with which parameters.
struct MetricOptions: ParsableArguments {
  @Option(
    help:
      "Metrics to compute, comma-separated (default: the confusion-matrix set, plus the score metrics with --y-score).",
    transform: Flags.parsing(Metric.list(parsing:)))
  var metrics: [[Metric]] = []

  @Option(help: "Equal-width bins of expected_calibration_error.")
  var bins: Int = 10

  @Option(help: "α of generalized_entropy_index.")
  var alpha: Double = 2

  @Option(help: "How equalized odds combines TPR and FPR: worst_case or mean.")
  var agg: FairnessMeasure.Aggregation = .worstCase

  @Option(
    name: .customLong("top-k-accuracy"),
    help: "k of top_k_accuracy (--task multiclass with class probabilities).")
  var topKAccuracy: Int = 2

  @Flag(
    help:
      "Add Wilson score intervals of every per-group rate (selection rate, TPR, FPR, …) to the JSON, from the row counts."
  )
  var wilson = false

  @Option(help: "Confidence level of the Wilson intervals.")
  var confidence: Double = 0.95

  /// The metrics' parameters.
  var options: AuditOptions { AuditOptions(bins: bins, alpha: alpha, topK: topKAccuracy) }

  /// The metrics named, in order, each once (empty: the defaults).
  var selected: [Metric] {
    var result: [Metric] = []
    for metric in metrics.joined() where !result.contains(metric) { result.append(metric) }
    return result
  }
}

/// Bootstrap confidence intervals.
struct BootstrapFlags: ParsableArguments {
  @Option(help: "Bootstrap samples for confidence intervals (fairlearn n_boot).")
  var bootstrap: Int?

  @Option(
    help: ArgumentHelp("Quantiles of the intervals, comma-separated.", valueName: "quantiles"),
    transform: Flags.parsing(Bootstrap.quantiles(parsing:)))
  var ci: [Double] = [0.025, 0.5, 0.975]

  @Option(help: "Seed of the bootstrap.")
  var seed: UInt64 = 0

  /// The bootstrap asked for, if any.
  var bootstrapRequest: Bootstrap? {
    bootstrap.map { Bootstrap(samples: $0, quantiles: ci, seed: seed) }
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
    help: ArgumentHelp(
      "With --format html: an upper bound NAME=VALUE for the scorecard (repeatable; as in biaskit check).",
      valueName: "max"),
    transform: Flags.parsing { try FairnessBound(parsing: $0, kind: .maximum) })
  var max: [FairnessBound] = []

  @Option(
    help: ArgumentHelp(
      "With --format html: a lower bound NAME=VALUE for the scorecard (repeatable).",
      valueName: "min"),
    transform: Flags.parsing { try FairnessBound(parsing: $0, kind: .minimum) })
  var min: [FairnessBound] = []

  @Option(
    name: .customLong("heat-map"),
    help: ArgumentHelp(
      "With --format html: the metric of the heat map (default: selection_rate).",
      valueName: "heat-map"),
    transform: Flags.parsing { name in
      guard let metric = Metric(name: name) else {
        throw BiasKitError(
          .unknownName,
          "unknown metric '\(name)' for \(.heatMap); the metrics are \(Metric.allCases.map(\.rawValue).joined(separator: ", "))"
        )
      }
      return metric
    })
  var heatMap: Metric?

  /// The scorecard's bounds: the upper ones, then the lower ones.
  var bounds: [FairnessBound] { max + min }

  /// The report's options, naming parameters by their flags.
  var options: HTMLReport.Options {
    var options = HTMLReport.Options()
    options.heatMapMetric = heatMap
    options.naming = Flags.naming
    return options
  }
}

/// Where the rows live when they are not in a file: a database (the audit runs there as one
/// GROUP BY) or the saved result of that GROUP BY (`--state-from`, e.g. from Spark).
struct DatabaseOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Audit in a database: sqlite:FILE or postgres://user@host:port/db (password from PGPASSWORD or ~/.pgpass).",
      valueName: "url"),
    transform: Flags.parsing(DatabaseLocation.init))
  var db: DatabaseLocation?

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
  var maxDistinctScores: Int?

  @Option(
    name: .customLong("score-range"),
    help: ArgumentHelp("The range of the score histogram, LOW,HIGH.", valueName: "score-range"),
    transform: Flags.parsing(ScoreRange.init(parsing:)))
  var scoreRange: ScoreRange = .unit

  @Flag(
    name: .customLong("exact-scores"),
    help:
      "With --emit-sql and --state-from: the query groups by each distinct score too (exact roc_auc; one result row per distinct score)."
  )
  var exactScores = false

  @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for the database server.")
  var connectTimeout: Int = 10
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

/// The progress of an audit on standard error: a line per step, shown only when standard error
/// is a terminal and the step takes more than a couple of seconds.
final class AuditProgress: @unchecked Sendable {
  private var lines: [String: ProgressLine] = [:]
  private let lock = NSLock()

  /// The callback to give ``AuditRequest/evaluated(progress:)``.
  var callback: @Sendable (AuditRequest.Progress) -> Void {
    { [self] step in
      switch step {
      case .reading(let fraction): line("reading", total: 100)?.update(Int(fraction * 100))
      case .resampling(let done, let total): line("bootstrap", total: total)?.update(done)
      }
    }
  }

  private func line(_ label: String, total: Int) -> ProgressLine? {
    lock.lock()
    defer { lock.unlock() }
    if let line = lines[label] { return line }
    let line = ProgressLine(label: label, total: total)
    lines[label] = line
    return line
  }

  /// Clears the lines drawn.
  func finish() {
    lock.lock()
    defer { lock.unlock() }
    for line in lines.values { line.finish() }
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

extension AuditResult {
  /// Writes the state as JSON (atomically).
  func saveState(to path: String) throws {
    try AtomicFileWriter.write(
      String(decoding: try state.encoded(), as: UTF8.self) + "\n", to: path)
  }
}
