/// A bar chart per metric (and control level): each group's value, the overall value as a
/// dashed line, bootstrap whiskers when the audit was bootstrapped, small groups hatched.
extension ReportBuilder {
  func metricCharts() -> HTMLReport.Section {
    var content: [Markup] = []
    let ends = report.intervals?.ends
    if let bootstrap = report.intervals?.bootstrap, ends != nil {
      let qs = bootstrap.quantiles.sorted()
      content.append(
        .node(
          "p", ["class": "note"],
          text:
            "Whiskers: bootstrap quantiles \(qs.first ?? 0) to \(qs.last ?? 1) of \(bootstrap.samples) resamples (seed \(bootstrap.seed))."
        ))
    } else {
      content.append(
        .node(
          "p", ["class": "note"],
          text: text(
            "Each bar is a group; the dashed line is the overall value. Run with \(.bootstrap, "N") for confidence intervals."
          )))
    }
    for (m, metric) in frame.metrics.enumerated() where metric != .count {
      for c in 0..<layout.controlCount {
        let (shown, hidden) = self.shown(layout.cells(inControl: c))
        let bars = shown.map { cell -> BarChart.Bar in
          let index = layout.index(of: cell)
          let interval: (low: Double, high: Double)? = ends.flatMap { ends in
            guard let low = ends.low.value(at: m, cellIndex: index),
              let high = ends.high.value(at: m, cellIndex: index)
            else { return nil }
            return (low, high)
          }
          return BarChart.Bar(
            label: groupLabel(cell.group), value: frame.values.value(at: m, cellIndex: index),
            interval: interval, flagged: isSmall(cell), note: "n = \(ChartStyle.count(rows(cell)))")
        }
        let suffix =
          layout.hasControl
          ? " (\(frame.controlFeatures.joined(separator: " × ")) = \(controlLabel(c)))" : ""
        let title = "\(metric.rawValue) by group\(suffix)"
        var chart = BarChart(
          id: "bar-\(ReportBuilder.idSafe(metric.rawValue))-\(c)", title: title, bars: bars)
        let overall = frame.values.overall(at: m, control: c)
        if let overall { chart.reference = .init(label: "overall", value: overall) }
        let difference = frame.values.aggregate(.differenceBetweenGroups, at: m, control: c)
        let ratio = frame.values.aggregate(.ratioBetweenGroups, at: m, control: c)
        let caption: [Markup] = [
          .text("Overall \(ChartStyle.format(overall, digits: 4)); "),
          .text("difference between groups \(ChartStyle.format(difference, digits: 4)), "),
          .text("ratio \(ChartStyle.format(ratio, digits: 4))."),
        ]
        var figure: [Markup] = [
          .node(
            "h3", ["id": "metric-\(ReportBuilder.idSafe(metric.rawValue))-\(c)"],
            [.node("code", [:], text: metric.rawValue), .text(suffix)]),
          chart.svg(),
          .node("figcaption", [:], caption),
        ]
        if let summary = hiddenSummary(hidden) { figure.append(summary) }
        content.append(.node("figure", ["class": "metric"], figure))
      }
    }
    return HTMLReport.Section(
      id: HTMLReport.SectionID.metrics, title: "Metrics by group", content: .fragment(content))
  }
}
