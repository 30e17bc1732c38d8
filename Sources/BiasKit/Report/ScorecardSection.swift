/// The scorecard: every bound with its values, pass or fail, and the groups that drive each
/// value.
extension ReportBuilder {
  func scorecard(
    _ results: [FairnessBound.Result], isDefault: Bool, isRegression: Bool
  ) -> HTMLReport.Section {
    if results.isEmpty {
      let message: String =
        isRegression
        ? text(
          "Fairness scalars are defined for classification; this is a regression audit. Give bounds on "
            + "aggregates (e.g. \(.maximum, "difference_between_groups.mean_absolute_error=0.5")) for a scorecard."
        )
        : "No bounds."
      return HTMLReport.Section(
        id: HTMLReport.SectionID.scorecard, title: "Scorecard",
        content: .node("p", ["class": "note"], text: message))
    }
    let failed = results.filter { !$0.passed }.count
    var rows: [Markup] = []
    for result in results {
      for item in result.values {
        let status: Markup =
          item.holds
          ? .node("span", ["class": "status pass"], text: "✔ PASS")
          : .node("span", ["class": "status fail"], text: "✘ FAIL")
        rows.append(
          .node(
            "tr", ["class": item.holds ? "scorecard-row pass" : "scorecard-row fail"],
            [
              .node("td", [:], [.node("code", [:], [bdi(item.value.label)])]),
              .node(
                "td", ["class": "number"], text: ChartStyle.format(item.value.value, digits: 4)),
              .node(
                "td", ["class": "number"],
                text:
                  "\(result.bound.kind.rawValue) \(ChartStyle.format(result.bound.limit, digits: 3))"
              ),
              .node("td", [:], [status]),
              .node("td", [:], drivers(result.bound.target, value: item.value)),
            ]))
      }
    }
    let summary =
      failed == 0
      ? "All \(results.count) bounds hold."
      : "\(failed) of \(results.count) bounds broken."
    var content: [Markup] = [
      .node(
        "p", ["class": "summary"],
        [
          .node(
            "span", ["class": failed == 0 ? "status pass" : "status fail"],
            text: failed == 0 ? "✔ PASS" : "✘ FAIL"),
          .text(" " + summary),
        ])
    ]
    if isDefault {
      content.append(
        .node(
          "p", ["class": "note"],
          text: text(
            "Default bounds (no \(.maximum)/\(.minimum) given): each difference ≤ 0.1 and each ratio ≥ 0.8 (the four-fifths rule). "
              + "Give your own with \(.maximum, "NAME=VALUE") / \(.minimum, "NAME=VALUE"), as for biaskit check."
          )))
    }
    content.append(
      .node(
        "div", ["class": "table-wrap"],
        [
          .node(
            "table", ["class": "scorecard"],
            [
              .node(
                "thead", [:],
                [
                  .node(
                    "tr", [:],
                    [
                      .node("th", [:], text: "Measure"),
                      .node("th", ["class": "number"], text: "Value"),
                      .node("th", ["class": "number"], text: "Bound"),
                      .node("th", [:], text: "Status"),
                      .node("th", [:], text: "Groups driving it"),
                    ])
                ]),
              .node("tbody", [:], rows),
            ])
        ]))
    return HTMLReport.Section(
      id: HTMLReport.SectionID.scorecard, title: "Scorecard", content: .fragment(content))
  }

  /// The groups behind a bound's value: lowest and highest group of the underlying metric(s),
  /// or the group farthest from overall.
  func drivers(_ target: FairnessBound.Target, value: FairnessBound.Value) -> [Markup] {
    switch target {
    case .fairness(let measure, let method):
      if let classAudit = report.classAudit {
        guard
          let c = classAudit.worstClass(measure, method: method, control: value.control)
        else { return [.text("—")] }
        return classDrivers(classAudit, class: c, measure: measure, method: method, value: value)
      }
      return drivers(
        metrics: measure.metrics, control: value.control, toOverall: method == .toOverall)
    case .classFairness(let measure, let method, let label):
      guard let classAudit = report.classAudit, let c = classAudit.index(of: label) else {
        return [.text("—")]
      }
      return classDrivers(classAudit, class: c, measure: measure, method: method, value: value)
    case .inequality:
      return [.node("span", ["class": "note"], text: "between-group index over all groups")]
    case .byGroup: return [.text("the group itself")]
    case .overall: return [.text("all groups")]
    case .aggregate(let aggregate, let metric):
      return drivers(metrics: [metric], control: value.control, toOverall: aggregate.isToOverall)
    }
  }

  /// The drivers of a class's one-vs-rest measure, after the class's name.
  func classDrivers(
    _ classAudit: ClassAudit, class c: Int, measure: FairnessMeasure, method: AggregateMethod,
    value: FairnessBound.Value
  ) -> [Markup] {
    let builder = ReportBuilder(
      report: AuditReport(frame: classAudit.oneVsRest[c]), options: options)
    return [.text("class "), bdi(classAudit.classes[c]), .text(": ")]
      + builder.drivers(
        metrics: measure.metrics, control: value.control, toOverall: method == .toOverall)
  }

  func drivers(metrics: [Metric], control: Int, toOverall: Bool) -> [Markup] {
    let cells = layout.cells(inControl: control)
    let overall = GroupStatistics.merged(cells.map { frame.statistics(of: $0) })
    var widest: (spread: Double, markup: [Markup])?
    for metric in metrics {
      let values = cells.compactMap { cell -> (cell: AuditCell, value: Double)? in
        guard rows(cell) > 0,
          let v = metric.value(from: frame.statistics(of: cell), options: frame.options)
        else { return nil }
        return (cell, v)
      }
      guard let low = values.min(by: { $0.value < $1.value }),
        let high = values.max(by: { $0.value < $1.value })
      else {
        continue
      }
      var markup: [Markup] = [.node("code", [:], text: metric.rawValue), .text(": ")]
      let spread: Double
      if toOverall, let total = metric.value(from: overall, options: frame.options),
        let far = values.max(by: { abs($0.value - total) < abs($1.value - total) })
      {
        spread = abs(far.value - total)
        markup += [
          .text("farthest from overall (\(ChartStyle.format(total))): "), cellMarkup(far.cell),
          .text(" \(ChartStyle.format(far.value))"),
        ]
      } else {
        spread = high.value - low.value
        markup += [
          .text("lowest "), cellMarkup(low.cell),
          .text(" \(ChartStyle.format(low.value)); highest "),
          cellMarkup(high.cell), .text(" \(ChartStyle.format(high.value))"),
        ]
      }
      if isSmall(low.cell) || isSmall(high.cell) {
        markup.append(.node("span", ["class": "flag-text"], text: " ⚠ small group involved"))
      }
      if let current = widest, spread <= current.spread { continue }
      widest = (spread, markup)
    }
    return widest?.markup ?? [.text("—")]
  }
}
