import ArgumentParser
import BiasKit
import Foundation

/// `biaskit merge s1.json s2.json …`: the audit of the union of shards audited anywhere
/// (`biaskit audit --save-state`), computed by the same engine as a file audit.
struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract:
      "Merge saved audit states (from `biaskit audit --save-state`) and report the audit of all their rows.",
    discussion: """
      Groups are the union of the shards' groups. Unweighted counts and \
      per-score counts merge exactly: the merged report equals the audit of the \
      concatenated rows.

      Example:
        biaskit audit part1.csv --y-score y_score --sensitive sex \\
          --save-state s1.json
        biaskit audit --db postgres://me@host/db --table part2 \\
          --y-score y_score --sensitive sex --save-state s2.json
        biaskit merge s1.json s2.json --format json
      """)

  @Argument(help: ArgumentHelp("Audit states (JSON) to merge.", valueName: "state.json"))
  var states: [String]

  @OptionGroup var metrics: MetricOptions
  @OptionGroup var output: OutputOptions
  @OptionGroup var htmlReport: HTMLReportOptions

  @Option(
    name: .customLong("save-state"),
    help: ArgumentHelp("Write the merged state here.", valueName: "state.json"))
  var saveState: String?

  @Option(
    name: .customLong("max-distinct-scores"),
    help:
      "Bin the merged scores into this many bins of --score-range when a group has two in one bin.")
  var maxDistinctScores: Int?

  @Option(name: .customLong("score-range"), help: "The range of the score histogram, LOW,HIGH.")
  var scoreRange: String = "0,1"

  func run() throws {
    guard !states.isEmpty else {
      throw BiasKitError(.invalidArgument, "name at least one audit state to merge")
    }
    var state = try AuditState.merged(states.map { try AuditState(contentsOf: $0) })
    if let maxDistinctScores {
      guard maxDistinctScores >= 1 else {
        throw BiasKitError(.invalidArgument, "--max-distinct-scores must be at least 1")
      }
      let (low, high) = try DatabaseOptions.range(scoreRange)
      state = try state.limitingDistinctScores(maxDistinctScores, lower: low, upper: high)
    }
    let hasScores = state.statistics.first?.scores != nil
    var chosen = try metrics.resolve(task: state.task, hasScores: hasScores)
    if metrics.metrics.isEmpty, state.statistics.first?.calibration == nil {
      // Default metrics: the calibration metrics need sums the state lacks (binned scores).
      chosen.removeAll { [.brierScore, .logLoss, .expectedCalibrationError].contains($0) }
    }
    let frame = try state.frame(
      metrics: chosen, options: try metrics.options(), aggregation: metrics.agg)
    let report = AuditReport(frame: frame)
    if let saveState { try state.save(to: saveState) }
    try output.render(
      report, source: states.joined(separator: " + "), scoreNote: state.scoreNote,
      json: { report.jsonText(noting: state) }, html: htmlReport)
  }
}
