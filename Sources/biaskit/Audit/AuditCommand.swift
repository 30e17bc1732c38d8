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
  @OptionGroup var bootstrap: BootstrapOptions
  @OptionGroup var output: OutputOptions
  @OptionGroup var htmlReport: HTMLReportOptions
  @OptionGroup var state: AuditStateOptions

  func run() throws {
    let run = AuditRun(input: input, metricOptions: metrics, bootstrapOptions: bootstrap)
    if let dialect = state.emitSQL {
      try output.write(try run.aggregationQuery(dialect).script)
      return
    }
    let (report, auditState) = try run.evaluate()
    if let path = state.saveState { try auditState.save(to: path) }
    try output.render(
      report, source: input.file, scoreNote: auditState.scoreNote,
      json: { report.jsonText(noting: auditState) },
      html: htmlReport)
  }
}
