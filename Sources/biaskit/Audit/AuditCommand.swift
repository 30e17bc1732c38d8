import ArgumentParser
import BiasKit
import Foundation

/// `biaskit audit FILE --sensitive COL[,COL…]`: metrics overall and per group, differences,
/// ratios and fairness scalars, as fairlearn's MetricFrame.
struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Audit a classifier's (or regressor's) predictions across sensitive groups.",
    discussion: """
      Examples:
        biaskit audit Examples/adult-predictions.csv \\
          --y-true y_true --y-pred y_pred --y-score y_score --sensitive sex,race
        biaskit audit --db sqlite:preds.db --table predictions \\
          --y-score y_score --sensitive sex,race
        biaskit audit --db postgres://me@db.example:5432/ml --table predictions \\
          --sensitive sex --save-state shard1.json
        biaskit audit --emit-sql spark --table predictions \\
          --y-score y_score --sensitive sex
      """)

  @OptionGroup var input: AuditInputOptions
  @OptionGroup var metrics: MetricOptions
  @OptionGroup var bootstrap: BootstrapFlags
  @OptionGroup var output: OutputOptions
  @OptionGroup var htmlReport: HTMLReportOptions
  @OptionGroup var state: AuditStateOptions

  func run() throws {
    // Every destination is checked before the audit runs: none is an input, none is named
    // twice, each can be written (Guides/Reliability.md).
    try OutputPaths.check(
      inputs: input.readPaths,
      outputs: [("--output", output.output), ("--save-state", state.saveState)])
    if let dialect = state.emitSQL {
      let request = try input.request(metrics: metrics, bootstrap: bootstrap, forQuery: true)
      try output.write(try request.aggregationQuery(dialect).script)
      return
    }
    let request = try input.request(
      metrics: metrics, bootstrap: bootstrap,
      bounds: output.format == .html ? htmlReport.bounds : [])
    let progress = AuditProgress()
    let result = try request.evaluated(progress: progress.callback)
    progress.finish()
    if let path = state.saveState { try result.saveState(to: path) }
    try output.render(result, source: request.source.name, html: htmlReport)
  }
}
