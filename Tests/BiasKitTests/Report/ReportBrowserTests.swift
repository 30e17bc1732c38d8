import Foundation
import Testing

@testable import BiasKit

/// Renders reports in a real headless Chromium: a screenshot, the DOM as the browser parsed it,
/// and its console. Skipped (with the reason) where no `chromium`/`chromium-browser` is on PATH;
/// `.ci/run` installs Debian's `chromium` when it can.
@Suite(
  "Report: headless Chromium", .serialized,
  .enabled(
    if: HeadlessBrowser.isAvailable,
    "no chromium or chromium-browser on PATH: install Debian's chromium (apt-get install chromium) to run the browser tests"
  ))
struct ReportBrowserTests {
  /// Writes the report with the CLI, screenshots it and dumps its DOM; returns (dom, log, png).
  func render(_ arguments: [String], name: String) throws -> (dom: String, log: String, png: Data) {
    let artifacts = try HeadlessBrowser.artifactFolder()
    let html = artifacts.appendingPathComponent("\(name).html")
    let png = artifacts.appendingPathComponent("\(name).png")
    try? FileManager.default.removeItem(at: png)
    let result = try CLI.run(arguments + ["--format", "html", "--output", html.path])
    #expect(result.status == 0, "\(result.stderr)")
    let shot = try HeadlessBrowser.run([
      "--enable-logging=stderr", "--v=0", "--hide-scrollbars",
      "--screenshot=\(png.path)", "--window-size=1280,4000", html.absoluteString,
    ])
    let dump = try HeadlessBrowser.run([
      "--enable-logging=stderr", "--v=0", "--dump-dom", html.absoluteString,
    ])
    #expect(dump.status == 0, "\(dump.stderr)")
    let data = try Data(contentsOf: png)
    return (dump.stdout, shot.stderr + dump.stderr, data)
  }

  @Test func exampleReportRendersItsChartsWithoutConsoleErrors() throws {
    let page = try render(
      [
        "audit", "Examples/adult-predictions.csv", "--y-score", "y_score", "--sensitive",
        "sex,race",
        "--bootstrap", "50",
      ], name: "adult-report")
    // The screenshot exists, has the window's size and is not blank (a white 1280 × 4000 PNG is ~20 kB).
    let size = try #require(HeadlessBrowser.pngSize(page.png))
    #expect(size.width == 1280 && size.height == 4000)
    #expect(page.png.count > 100_000, "screenshot of \(page.png.count) bytes looks blank")
    // The DOM Chromium built: 16 metrics besides count, each a chart of 10 groups with whiskers.
    #expect(page.dom.occurrences(of: "class=\"chart bar-chart\"") == 16)
    #expect(page.dom.occurrences(of: "<rect class=\"bar\"") == 160)
    #expect(page.dom.occurrences(of: "class=\"whisker\"") == 160)
    #expect(page.dom.occurrences(of: "class=\"chart heat-map\"") == 1)
    #expect(page.dom.occurrences(of: "class=\"chart line-chart\"") == 3)
    #expect(page.dom.occurrences(of: "<svg") == 20)
    #expect(page.dom.contains("16,281"))
    let errors = HeadlessBrowser.consoleErrors(page.log)
    #expect(errors.isEmpty, "\(errors.joined(separator: "\n"))")
  }

  @Test func sixtyFourIntersectionalGroupsAndHostileLabelsRender() throws {
    let folder = try TestData.temporaryFolder()
    let input = folder.appendingPathComponent("intersectional.csv")
    try ReportTestData.intersectionalCSV().write(to: input, atomically: true, encoding: .utf8)
    let page = try render(
      ["audit", input.path, "--y-score", "y_score", "--sensitive", "region,age_band"],
      name: "intersectional-64")
    #expect(page.png.count > 100_000)
    #expect(page.dom.occurrences(of: "<rect class=\"cell") == 64)
    #expect(page.dom.occurrences(of: "class=\"chart bar-chart\"") == 16)
    let bars =
      page.dom.occurrences(of: "<rect class=\"bar\"")
      + page.dom.occurrences(of: "<rect class=\"bar flagged\"")
    #expect(bars == 16 * 64)
    #expect(HeadlessBrowser.consoleErrors(page.log).isEmpty)

    let hostile = folder.appendingPathComponent("hostile.csv")
    try ReportTestData.hostileCSV.write(to: hostile, atomically: true, encoding: .utf8)
    let escaped = try render(
      ["audit", hostile.path, "--y-score", "y_score", "--sensitive", "group"],
      name: "hostile-labels")
    // The browser parsed no script element: the label stayed text.
    #expect(!escaped.dom.contains("<script"))
    #expect(escaped.dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(escaped.dom.contains("<bdi dir=\"auto\">עברית</bdi>"))
    #expect(HeadlessBrowser.consoleErrors(escaped.log).isEmpty)
  }
}
