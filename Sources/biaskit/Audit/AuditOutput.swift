import ArgumentParser
import BiasKit
import Foundation

extension OutputOptions {
  /// Writes an audit in the chosen format: shared by `audit` and `merge`.
  ///
  /// - Parameters:
  ///   - source: what was audited, for the table header and the report's provenance.
  ///   - scoreNote: the audit state's note on binned scores, if any.
  func render(
    _ report: AuditReport, source: String, scoreNote: String?, json: () -> String,
    html: HTMLReportOptions
  ) throws {
    switch format {
    case .json: try write(json())
    case .csv:
      try write(report.csv())
      scoreNote.map { FileHandle.standardError.write(Data("biaskit: \($0)\n".utf8)) }
    case .table:
      var renderer = AuditTableRenderer(report: report, source: source)
      if output != nil { renderer.color = false }
      try write(renderer.render() + (scoreNote.map { "\nNote: \($0)\n" } ?? ""))
    case .html:
      let provenance = HTMLReport.Provenance(commandLine: CommandLine.arguments, inputFile: source)
      let page = try HTMLReport(
        report: report, bounds: try html.bounds(), provenance: provenance,
        options: try html.options(),
        notes: scoreNote.map { ["Note: " + $0] } ?? [])
      try write(page.html())
    }
  }
}
