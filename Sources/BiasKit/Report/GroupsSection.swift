import Foundation

/// The groups: each cell's rows and share, small groups flagged; past
/// ``HTMLReport/Options/maximumGroupsShown``, the smallest groups summarised in one line.
extension ReportBuilder {
  func groups() -> HTMLReport.Section {
    let total = frame.rowCount
    let (shown, hidden) = self.shown(layout.cells)
    let small = layout.cells.filter { rows($0) < options.minimumGroupSize }.count
    var tableRows: [Markup] = []
    for cell in shown {
      let n = rows(cell)
      let isSmall = n < options.minimumGroupSize
      tableRows.append(
        .node(
          "tr", isSmall ? ["class": "small"] : [:],
          [
            .node("td", [:], [cellMarkup(cell)]),
            .node("td", ["class": "number"], text: ChartStyle.count(n)),
            .node(
              "td", ["class": "number"],
              text: total > 0 ? String(format: "%.1f%%", 100 * Double(n) / Double(total)) : "—"),
            .node(
              "td", [:],
              isSmall
                ? [
                  .node(
                    "span", ["class": "flag-text"], text: n == 0 ? "⚠ no rows" : "⚠ small group")
                ] : []),
          ]))
    }
    let features = frame.sensitiveFeatures.joined(separator: " × ")
    var content: [Markup] = [
      .node(
        "p", [:],
        [
          .node("data", ["value": String(total)], text: ChartStyle.count(total)),
          .text(" rows in \(frame.statistics.count) groups of "),
          .node("code", [:], [bdi(features)]),
          .text(
            frame.controlFeatures.isEmpty
              ? "." : " within each level of \(frame.controlFeatures.joined(separator: " × "))."),
        ])
    ]
    content.append(
      .node(
        "p", ["class": "note"],
        text: small == 0
          ? "No group has fewer than \(options.minimumGroupSize) rows."
          : "\(small) group\(small == 1 ? " has" : "s have") fewer than \(options.minimumGroupSize) rows: "
            + "their values are flagged (⚠, hatched bars) and are noisy."))
    content.append(
      .node(
        "div", ["class": "table-wrap"],
        [
          .node(
            "table", ["class": "groups"],
            [
              .node(
                "thead", [:],
                [
                  .node(
                    "tr", [:],
                    [
                      .node("th", [:], text: "Group"),
                      .node("th", ["class": "number"], text: "Rows"),
                      .node("th", ["class": "number"], text: "Share"), .node("th", [:], text: ""),
                    ])
                ]),
              .node("tbody", [:], tableRows),
            ])
        ]))
    if let summary = hiddenSummary(hidden) { content.append(summary) }
    return HTMLReport.Section(
      id: HTMLReport.SectionID.groups, title: "Groups", content: .fragment(content))
  }
}
