import ArgumentParser
import BiasKit
import Foundation

/// Where the predictions are and which columns mean what.
struct AuditInputOptions: ParsableArguments {
  @Argument(help: "The predictions file (CSV; .tsv is read tab-separated).")
  var file: String

  @Option(help: "Field separator (one character; `tab` or \\t for tab). Default: by extension.")
  var delimiter: String?

  @Option(help: "Classification (binary labels) or regression (numeric targets).")
  var task: AuditColumns.Task = .classification

  @Option(name: .customLong("y-true"), help: "Column of true labels (or targets).")
  var yTrue: String = "y_true"

  @Option(name: .customLong("y-pred"), help: "Column of predicted labels (or values).")
  var yPred: String = "y_pred"

  @Option(name: .customLong("y-score"), help: "Column of scores (probability of the positive class).")
  var yScore: String?

  @Option(help: "Sensitive feature column(s), comma-separated: several form intersectional groups.")
  var sensitive: [String] = []

  @Option(help: "Control feature column(s) (fairlearn control_features): aggregates within each level.")
  var control: [String] = []

  @Option(name: .customLong("sample-weight"), help: "Column of sample weights.")
  var sampleWeight: String?

  @Option(name: .customLong("pos-label"), help: "The positive label's text, for labels other than 0/1 or true/false.")
  var posLabel: String?

  @Option(name: .customLong("missing-group"), help: "Make empty sensitive values a group with this name.")
  var missingGroup: String?

  var columns: AuditColumns {
    AuditColumns(
      task: task, yTrue: yTrue, yPred: yPred, yScore: yScore, sensitive: Self.split(sensitive),
      control: Self.split(control), sampleWeight: sampleWeight, positiveLabel: posLabel, missingGroup: missingGroup)
  }

  static func split(_ values: [String]) -> [String] {
    values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
  }

  func delimiterByte() throws -> UInt8? {
    guard let delimiter else { return nil }
    if delimiter == "tab" || delimiter == "\\t" || delimiter == "\t" { return UInt8(ascii: "\t") }
    guard delimiter.utf8.count == 1, let byte = delimiter.utf8.first, byte != UInt8(ascii: "\"") else {
      throw BiasKitError(.invalidArgument, "--delimiter takes one character (or 'tab'), not '\(delimiter)'")
    }
    return byte
  }
}

extension AuditColumns.Task: ExpressibleByArgument {}
extension FairnessMeasure.Aggregation: ExpressibleByArgument {}

/// Which metrics, with which parameters.
struct MetricOptions: ParsableArguments {
  @Option(help: "Metrics to compute, comma-separated (default: the confusion-matrix set, plus the score metrics with --y-score).")
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
        throw BiasKitError(.unknownName,
          "unknown metric '\(name)'; the metrics are \(Metric.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      if !result.contains(metric) { result.append(metric) }
    }
    return result
  }

  func options() throws -> AuditOptions {
    guard bins >= 1 else { throw BiasKitError(.invalidArgument, "--bins must be at least 1") }
    guard alpha.isFinite else { throw BiasKitError(.invalidArgument, "--alpha must be a finite number") }
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
    guard bootstrap >= 1 else { throw BiasKitError(.invalidArgument, "--bootstrap needs at least 1 sample") }
    let quantiles = try ci.split(separator: ",").map { text -> Double in
      guard let q = Double(text.trimmingCharacters(in: .whitespaces)), (0...1).contains(q) else {
        throw BiasKitError(.invalidArgument, "--ci takes quantiles in [0, 1], comma-separated; '\(text)' is not one")
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

/// Bounds shown in the scorecard of `--format html` (written as for `biaskit check`).
struct ScorecardBoundOptions: ParsableArguments {
  @Option(help: "With --format html: an upper bound NAME=VALUE for the scorecard (repeatable; as in biaskit check).")
  var max: [String] = []

  @Option(help: "With --format html: a lower bound NAME=VALUE for the scorecard (repeatable).")
  var min: [String] = []

  func resolve() throws -> [FairnessBound] { try FairnessBound.parse(maximums: max, minimums: min) }
}

/// Reads the input, runs the audit and, when asked, the bootstrap. Shared by `audit` and `check`.
struct AuditRun {
  var input: AuditInputOptions
  var metricOptions: MetricOptions
  var bootstrapOptions: BootstrapOptions

  func report() throws -> AuditReport {
    var columns = input.columns
    if columns.sensitive.isEmpty {
      throw BiasKitError(.invalidArgument, "name the sensitive feature(s) with --sensitive COL[,COL…]")
    }
    let metrics = try metricOptions.resolve(task: columns.task, hasScores: columns.yScore != nil)
    if columns.yScore == nil, let metric = metrics.first(where: { $0.requirement == .scores }) {
      throw BiasKitError(.invalidArgument, "the metric '\(metric.rawValue)' needs a score column: add --y-score COL")
    }
    if columns.task == .classification, columns.yScore != nil, !metrics.contains(where: { $0.requirement == .scores }) {
      columns.yScore = nil  // not needed: skip reading it
    }
    let options = try metricOptions.options()
    let bootstrap = try bootstrapOptions.resolve()
    let probabilities = metrics.contains { [.brierScore, .logLoss, .expectedCalibrationError].contains($0) }
    let reading = ProgressLine(label: "reading \(input.file)", total: 100)
    let table = try AuditTable(
      path: input.file, columns: columns, delimiter: try input.delimiterByte(), probabilityScores: probabilities,
      progress: reading.map { line in { line.update(Int($0 * 100)) } })
    reading?.finish()
    let frame = try MetricFrame(
      metrics: metrics, data: table.data, sensitive: table.sensitive, control: table.control, options: options,
      aggregation: metricOptions.agg)
    var report = AuditReport(frame: frame)
    if let bootstrap {
      let progress = ProgressLine(label: "bootstrap", total: bootstrap.samples)
      report.intervals = try bootstrap.intervals(
        for: frame, data: table.data, cells: MetricFrame.cells(sensitive: table.sensitive, control: table.control),
        progress: progress.map { p in { p.update($0) } })
      progress?.finish()
      report.bootstrap = bootstrap
    }
    return report
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
