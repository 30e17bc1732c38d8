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
      Example:
        biaskit audit Examples/adult-predictions.csv --y-true y_true --y-pred y_pred \\
          --y-score y_score --sensitive sex,race
        biaskit audit --db sqlite:preds.db --table predictions --y-score y_score --sensitive sex,race
        biaskit audit --db postgres://me@db.example:5432/ml --table predictions --sensitive sex \\
          --save-state shard1.json
        biaskit audit --emit-sql spark --table predictions --y-score y_score --sensitive sex
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
    switch output.format {
    case .json: try output.write(report.jsonText(noting: auditState))
    case .csv:
      try output.write(report.csv())
      auditState.scoreNote.map { FileHandle.standardError.write(Data("biaskit: \($0)\n".utf8)) }
    case .table:
      var renderer = AuditTableRenderer(report: report, source: input.file)
      if output.output != nil { renderer.color = false }
      try output.write(renderer.render() + (auditState.scoreNote.map { "\nNote: \($0)\n" } ?? ""))
    case .html:
      let provenance = HTMLReport.Provenance(commandLine: CommandLine.arguments, inputFile: input.file)
      let page = try HTMLReport(
        report: report, bounds: try htmlReport.bounds(), provenance: provenance, options: try htmlReport.options(),
        notes: auditState.scoreNote.map { ["Note: " + $0] } ?? [])
      try output.write(page.html())
    }
  }
}
