import Foundation
import Testing

@testable import BiasKit

/// The ranking page of `biaskit rank exposure --format html` in a real headless Chromium, as
/// the audit page is tested (``ReportBrowserTests``): a screenshot that is not blank, the DOM
/// as the browser parsed it, and no console error (the page has no script; its
/// Content-Security-Policy forbids loads).
@Suite(
  "Ranking: the HTML page in headless Chromium", .serialized,
  .enabled(
    if: HeadlessBrowser.isAvailable,
    "no chromium or chromium-browser on PATH: install Debian's chromium to run the browser tests"
  ))
struct RankingBrowserTests {
  @Test("the COMPAS ranking page renders its bars and curves without console errors")
  func compasPageRenders() throws {
    let artifacts = try HeadlessBrowser.artifactFolder()
    let html = artifacts.appendingPathComponent("compas-ranking.html")
    let png = artifacts.appendingPathComponent("compas-ranking.png")
    try? FileManager.default.removeItem(at: png)
    let result = try CLI.run(
      ["rank", "exposure", CompasRanking.path] + RankCommandTests.columns + [
        "--relevance", "relevance", "--protected", "African-American", "--p", "0.5", "--k",
        "10,20", "--format", "html", "--output", html.path,
      ])
    #expect(result.status == 0, "\(result.stderr)")
    let shot = try HeadlessBrowser.run([
      "--enable-logging=stderr", "--v=0", "--hide-scrollbars", "--screenshot=\(png.path)",
      "--window-size=1280,3000", html.absoluteString,
    ])
    let dump = try HeadlessBrowser.run([
      "--enable-logging=stderr", "--v=0", "--dump-dom", html.absoluteString,
    ])
    #expect(dump.status == 0, "\(dump.stderr)")
    let data = try Data(contentsOf: png)
    let size = try #require(HeadlessBrowser.pngSize(data))
    #expect(size.width == 1280 && size.height == 3000)
    #expect(data.count > 60_000, "screenshot of \(data.count) bytes looks blank")
    // Exposure bars + one chart per cut-off; the exposure curves and the FA*IR prefix test.
    #expect(dump.stdout.occurrences(of: "class=\"chart bar-chart\"") == 3)
    #expect(dump.stdout.occurrences(of: "class=\"chart line-chart\"") == 2)
    #expect(dump.stdout.contains("6,172"))
    let errors = HeadlessBrowser.consoleErrors(shot.stderr + dump.stderr)
    #expect(errors.isEmpty, "\(errors.joined(separator: "\n"))")
  }
}
