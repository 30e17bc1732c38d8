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
      """)

  @OptionGroup var input: AuditInputOptions
  @OptionGroup var metrics: MetricOptions
  @OptionGroup var bootstrap: BootstrapOptions
  @OptionGroup var output: OutputOptions
  @OptionGroup var scorecard: ScorecardBoundOptions

  func run() throws {
    let report = try AuditRun(input: input, metricOptions: metrics, bootstrapOptions: bootstrap).report()
    switch output.format {
    case .json: try output.write(report.json().serialized() + "\n")
    case .csv: try output.write(report.csv())
    case .table:
      var renderer = AuditTableRenderer(report: report, source: input.file)
      if output.output != nil { renderer.color = false }
      try output.write(renderer.render())
    case .html:
      let provenance = HTMLReport.Provenance(commandLine: CommandLine.arguments, inputFile: input.file)
      let page = try HTMLReport(report: report, bounds: try scorecard.resolve(), provenance: provenance)
      try output.write(page.html())
    }
  }
}
