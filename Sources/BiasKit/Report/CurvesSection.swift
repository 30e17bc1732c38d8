/// ROC, precision-recall and calibration curves for all rows and the largest groups (pooled
/// over the control levels), from the cells' score counts and calibration sums.
extension ReportBuilder {
  func curves() -> HTMLReport.Section {
    var content: [Markup] = []
    // Per sensitive group, pooled over control levels.
    var perGroup = [GroupStatistics](repeating: GroupStatistics(), count: frame.groupCount)
    for cell in layout.cells { perGroup[cell.group].merge(frame.statistics(of: cell)) }
    let overall = GroupStatistics.merged(perGroup)
    let order = perGroup.indices.filter { perGroup[$0].rows > 0 }.sorted {
      perGroup[$0].rows > perGroup[$1].rows
    }
    let shown = Array(order.prefix(options.maximumCurveGroups))
    func series(_ curve: (GroupStatistics) -> [LineChart.Point]) -> [LineChart.Series] {
      var out = [
        LineChart.Series(
          name: "overall (n = \(ChartStyle.count(overall.rows)))", points: curve(overall))
      ]
      for g in shown {
        let points = curve(perGroup[g])
        let small = perGroup[g].rows < options.minimumGroupSize ? " ⚠ small" : ""
        out.append(
          LineChart.Series(
            name: "\(groupLabel(g)) (n\u{A0}=\u{A0}\(ChartStyle.count(perGroup[g].rows)))\(small)"
              + (points.isEmpty ? " — undefined" : ""), points: points))
      }
      return out
    }
    var figures: [Markup] = []
    if overall.regression != nil {
      return HTMLReport.Section(
        id: HTMLReport.SectionID.curves, title: "Score curves",
        content: .node(
          "p", ["class": "note missing-chart"],
          text:
            "ROC, precision-recall and calibration curves are for classification audits; this is a regression audit."
        ))
    }
    if overall.scores != nil {
      var roc = LineChart(
        id: "roc-chart", title: "ROC curve per group", xLabel: "false positive rate",
        yLabel: "true positive rate", series: series { $0.scores?.rocCurve() ?? [] })
      roc.diagonal = true
      figures.append(
        .node(
          "figure", [:],
          [
            .node("h3", [:], text: "ROC"), roc.svg(),
            .node("figcaption", [:], text: "Dotted diagonal: chance."),
          ]))
      let pr = LineChart(
        id: "pr-chart", title: "Precision-recall curve per group", xLabel: "recall",
        yLabel: "precision",
        series: series { $0.scores?.precisionRecallCurve() ?? [] })
      figures.append(.node("figure", [:], [.node("h3", [:], text: "Precision-recall"), pr.svg()]))
    } else {
      content.append(
        .node(
          "p", ["class": "note missing-chart"],
          text: text(
            "ROC and precision-recall curves are left out: they need a score column (\(.yScore, "COL")) and roc_auc or "
              + "average_precision among the metrics.")))
    }
    if overall.calibration != nil {
      var calibration = LineChart(
        id: "calibration-chart", title: "Calibration curve per group",
        xLabel: "mean score in bin", yLabel: "fraction positive",
        series: series { $0.calibration?.calibrationCurve() ?? [] })
      calibration.diagonal = true
      calibration.markers = true
      figures.append(
        .node(
          "figure", [:],
          [
            .node("h3", [:], text: "Calibration"), calibration.svg(),
            .node(
              "figcaption", [:],
              text: "\(frame.options.bins) equal-width bins; dotted diagonal: perfect calibration."),
          ]))
    } else {
      content.append(
        .node(
          "p", ["class": "note missing-chart"],
          text: text(
            "Calibration curves are left out: they need a score column (\(.yScore, "COL")) and brier_score, log_loss or "
              + "expected_calibration_error among the metrics.")))
    }
    if !figures.isEmpty {
      if order.count > shown.count {
        content.append(
          .node(
            "p", ["class": "note"],
            text:
              "Curves are drawn for all rows and the \(shown.count) largest of \(order.count) groups."
          ))
      }
      content.append(.node("div", ["class": "curves"], figures))
    }
    return HTMLReport.Section(
      id: HTMLReport.SectionID.curves, title: "Score curves", content: .fragment(content))
  }
}
