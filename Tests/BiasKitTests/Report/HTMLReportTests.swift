import Foundation
import Testing

@testable import BiasKit

@Suite("Report: HTMLReport")
struct HTMLReportTests {
  static let provenance = HTMLReport.Provenance(
    commandLine: ["biaskit", "audit", "in put.csv", "--sensitive", "group"],
    inputFile: "in put.csv",
    generated: Date(timeIntervalSince1970: 1_700_000_000))

  @Test func hostileLabelsAreEscapedAndIsolated() throws {
    let report = try ReportTestData.audit(
      csv: ReportTestData.hostileCSV, sensitive: ["group"], scores: true)
    let html = try HTMLReport(report: report, provenance: Self.provenance).html()
    // No label becomes markup: the only "<script" in the page would be the label's.
    #expect(!html.contains("<script"))
    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(
      html.contains("A &amp; B &quot;quoted&quot; &#39;single&#39;")
        || html.contains("A &amp; B \"quoted\" 'single'"))
    // Right-to-left labels are kept as text, isolated in <bdi dir="auto"> in the HTML parts.
    #expect(html.contains("<bdi dir=\"auto\">عربي</bdi>"))
    #expect(html.contains("<bdi dir=\"auto\">עברית</bdi>"))
    // Self-contained: no script, no external resource.
    for banned in ["<script", "src=\"http", "href=\"http", "@import", "url(http", "@font-face"] {
      #expect(!html.contains(banned), "\(banned)")
    }
    #expect(html.contains("Content-Security-Policy"))
  }

  @Test func showsEveryPartOfTheIssueForTheExample() throws {
    let csv = try String(
      contentsOf: TestData.packageRoot.appendingPathComponent("Examples/adult-predictions.csv"),
      encoding: .utf8)
    let report = try ReportTestData.audit(csv: csv, sensitive: ["sex", "race"], scores: true)
    let page = try HTMLReport(report: report, provenance: Self.provenance)
    #expect(
      page.sections.map(\.id) == ["scorecard", "groups", "metrics", "heat-map", "curves", "notes"])
    let html = page.html()
    // One bar chart per metric except count, ten bars each; a heat map; ROC, PR, calibration.
    let metricCount = report.frame.metrics.count - 1
    #expect(html.occurrences(of: "class=\"chart bar-chart\"") == metricCount)
    #expect(html.occurrences(of: "<rect class=\"bar") == metricCount * 10)
    #expect(html.occurrences(of: "class=\"chart heat-map\"") == 1)
    for id in ["roc-chart", "pr-chart", "calibration-chart"] {
      #expect(html.contains("id=\"\(id)\""))
    }
    // Default scorecard: all six scalars, failing on Adult, with the groups behind them.
    #expect(html.occurrences(of: "scorecard-row fail") == 6)
    #expect(html.contains("Default bounds"))
    #expect(
      html.contains(
        "lowest <bdi dir=\"auto\">Female</bdi> | <bdi dir=\"auto\">Amer-Indian-Eskimo</bdi>"))
    // Footer: quoted command, file, rows, time, version.
    #expect(
      html.contains("<code class=\"command\">biaskit audit 'in put.csv' --sensitive group</code>"))
    #expect(html.contains("16,281"))
    #expect(html.contains("2023-11-14T22:13:20Z"))
    #expect(html.contains(BiasKit.version))
  }

  @Test func givenBoundsReplaceTheDefaultsAndNameTheirGroups() throws {
    let csv = try String(
      contentsOf: TestData.packageRoot.appendingPathComponent("Examples/adult-predictions.csv"),
      encoding: .utf8)
    let report = try ReportTestData.audit(csv: csv, sensitive: ["sex"], scores: false)
    let bounds = try FairnessBound.parse(
      maximums: ["demographic_parity_difference=0.5"],
      minimums: ["ratio_between_groups.accuracy=0.99"])
    let html = try HTMLReport(report: report, bounds: bounds, provenance: Self.provenance).html()
    #expect(html.occurrences(of: "scorecard-row pass") == 1)
    #expect(html.occurrences(of: "scorecard-row fail") == 1)
    #expect(!html.contains("Default bounds"))
    #expect(html.contains("<code>accuracy</code>: lowest <bdi dir=\"auto\">Male</bdi>"))
    // One sensitive feature: no heat map.
    #expect(!html.contains("class=\"chart heat-map\""))
    #expect(throws: BiasKitError.self) {
      try HTMLReport(
        report: report, bounds: [try FairnessBound(parsing: "nonsense=1", kind: .maximum)],
        provenance: Self.provenance)
    }
  }

  @Test func curvesAreLeftOutWithANoteWithoutScores() throws {
    let report = try ReportTestData.audit(
      csv: ReportTestData.hostileCSV, sensitive: ["group"], scores: false)
    let html = try HTMLReport(
      report: report, provenance: Self.provenance, options: ReportTestData.commandLineOptions
    ).html()
    #expect(!html.contains("id=\"roc-chart\""))
    #expect(!html.contains("id=\"calibration-chart\""))
    #expect(
      html.contains(
        "ROC and precision-recall curves are left out: they need a score column (--y-score COL)"))
    #expect(html.contains("Calibration curves are left out"))
  }

  @Test func smallGroupsAreFlaggedWithTheirCounts() throws {
    let report = try ReportTestData.audit(
      csv: ReportTestData.intersectionalCSV(), sensitive: ["region", "age_band"],
      scores: true)
    let small = report.frame.statistics.filter { $0.rows < 30 }.count
    #expect(small > 0)
    let page = try HTMLReport(report: report, provenance: Self.provenance)
    let html = page.html()
    let charts = report.frame.metrics.count - 1
    #expect(html.occurrences(of: "<rect class=\"bar flagged\"") == small * charts)
    #expect(html.occurrences(of: "<tr class=\"small\">") == small)
    #expect(html.occurrences(of: "<rect class=\"cell") == 64)
    #expect(html.contains("Curves are drawn for all rows and the 6 largest of 64 groups."))
    // Each level of an intersectional label is isolated on its own: the Arabic region does not
    // reorder the age band next to it (HTML: one <bdi> per level; SVG: FSI … PDI per level).
    #expect(
      html.contains("<bdi dir=\"auto\">المنطقة الشمالية</bdi> | <bdi dir=\"auto\">25–34</bdi>"))
    #expect(
      html.contains("<tspan>\u{2068}المنطقة الشمالية\u{2069} | \u{2068}25–34\u{2069}</tspan>"))
  }

  @Test func mitigationSectionsCanBeInserted() throws {
    let report = try ReportTestData.audit(
      csv: ReportTestData.hostileCSV, sensitive: ["group"], scores: false)
    var page = try HTMLReport(report: report, provenance: Self.provenance)
    let chart = BarChart(
      id: "before-after", title: "selection_rate before/after",
      bars: [.init(label: "a", value: 0.3)])
    page.insert(
      HTMLReport.Section(id: "mitigation", title: "Mitigation", content: chart.svg()),
      before: HTMLReport.SectionID.notes)
    #expect(page.sections.map(\.id).suffix(2) == ["mitigation", "notes"])
    #expect(page.html().contains("<a href=\"#mitigation\">Mitigation</a>"))
  }
}
