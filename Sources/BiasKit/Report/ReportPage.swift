import Foundation

/// The page skeleton: head (charset, viewport, Content-Security-Policy, style sheet), header
/// with the section index, the sections, and the footer saying how to reproduce the page.
extension HTMLReport {
  /// The whole page.
  public func document() -> Markup {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    let time = formatter.string(from: provenance.generated)
    let navigation = Markup.node(
      "nav", ["aria-label": "Sections"],
      [
        .node(
          "ul", [:],
          sections.map { .node("li", [:], [.node("a", ["href": "#\($0.id)"], text: $0.title)]) })
      ])
    let body: [Markup] = [
      .node(
        "header", [:],
        [
          .node("h1", [:], text: title),
          .node(
            "p", ["class": "subtitle"],
            [
              .text("BiasKit \(provenance.version) · generated \(time) · input "),
              .node("code", [:], [.node("bdi", ["dir": "auto"], text: provenance.inputFile)]),
            ]),
          navigation,
        ]),
      .node(
        "main", [:],
        sections.map { section in
          .node(
            "section", ["id": section.id], [.node("h2", [:], text: section.title), section.content])
        }),
      .node(
        "footer", [:],
        [
          .node("h2", [:], text: "Reproduce this report"),
          .node(
            "dl", [:],
            [
              .node("dt", [:], text: "Command"),
              .node(
                "dd", [:], [.node("code", ["class": "command"], text: provenance.shellCommand)]),
              .node("dt", [:], text: "Input file"),
              .node(
                "dd", [:],
                [.node("code", [:], [.node("bdi", ["dir": "auto"], text: provenance.inputFile)])]),
              .node("dt", [:], text: "Rows"),
              .node("dd", ["id": "row-count"], text: ChartStyle.count(rowCount)),
              .node("dt", [:], text: "Time (UTC)"),
              .node("dd", [:], [.node("time", ["datetime": time], text: time)]),
              .node("dt", [:], text: "BiasKit version"), .node("dd", [:], text: provenance.version),
            ]),
        ]),
    ]
    return .fragment([
      .trusted("<!DOCTYPE html>\n"),
      .node(
        "html", ["lang": "en"],
        [
          .node(
            "head", [:],
            [
              .node("meta", ["charset": "utf-8"]),
              .node(
                "meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"]),
              .node(
                "meta",
                [
                  "http-equiv": "Content-Security-Policy",
                  "content": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
                ]),
              .node("meta", ["name": "generator", "content": "BiasKit \(provenance.version)"]),
              .node("title", [:], text: title),
              .node("style", [:], [HTMLReport.styleSheet]),
            ]),
          .node("body", [:], body),
        ]),
    ])
  }
}
