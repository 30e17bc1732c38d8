import ArgumentParser
import BiasKit
import Foundation

extension OutputOptions {
  /// Writes an audit in the chosen format: shared by `audit` and `merge`.
  ///
  /// - Parameter source: what was audited, for the table header and the report's provenance.
  func render(_ result: AuditResult, source: String, html: HTMLReportOptions) throws {
    let scoreNote = result.scoreNote.map { $0.rendered(naming: Flags.name(of:)) }
    switch format {
    case .json: try write(result.jsonText())
    case .csv:
      try write(result.report.csv())
      scoreNote.map { FileHandle.standardError.write(Data("biaskit: \($0)\n".utf8)) }
    case .table:
      var renderer = AuditTableRenderer(report: result.report, source: source)
      renderer.selection = result.table?.columns.selection
      if output != nil { renderer.color = false }
      try write(renderer.render() + (scoreNote.map { "\nNote: \($0)\n" } ?? ""))
    case .html:
      let provenance = HTMLReport.Provenance(commandLine: CommandLine.arguments, inputFile: source)
      let page = try HTMLReport(
        report: result.report, bounds: html.bounds, provenance: provenance,
        options: html.options, notes: scoreNote.map { ["Note: " + $0] } ?? [])
      try write(page.html())
    }
  }
}
