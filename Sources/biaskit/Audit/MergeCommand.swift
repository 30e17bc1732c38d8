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
      concatenated rows. States saved with different contents (score counts, \
      calibration sums and their bins, task, features) are refused, naming the \
      difference.

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

  @Option(
    name: .customLong("score-range"),
    help: ArgumentHelp("The range of the score histogram, LOW,HIGH.", valueName: "score-range"),
    transform: Flags.parsing(ScoreRange.init(parsing:)))
  var scoreRange: ScoreRange = .unit

  func run() throws {
    try OutputPaths.check(
      inputs: states, outputs: [("--output", output.output), ("--save-state", saveState)])
    var merge = AuditMerge(states: try states.map { try AuditState(contentsOf: $0) })
    merge.metrics = metrics.selected
    merge.options = metrics.options
    merge.aggregation = metrics.agg
    merge.maxDistinctScores = maxDistinctScores
    merge.scoreRange = scoreRange
    var result = try merge.evaluated()
    if metrics.wilson {
      try WilsonInterval.check(confidence: metrics.confidence)
      var report = result.report
      report.wilsonConfidence = metrics.confidence
      result = AuditResult(report: report, state: result.state, table: result.table)
    }
    if let saveState { try result.saveState(to: saveState) }
    try output.render(result, source: states.joined(separator: " + "), html: htmlReport)
  }
}
