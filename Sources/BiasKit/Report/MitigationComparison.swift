/// The audit of a model before and after mitigation, for the report: bars of each group's
/// selection rate and of the fairness scalars before and after, and, for the reductions, the
/// accuracy-versus-disparity trade-off of their candidate predictors with the chosen randomized
/// classifier marked.
///
/// Built by `biaskit mitigate … --report PATH`; inserted into the audit page with
/// ``HTMLReport/insert(_:before:)``.
public struct MitigationComparison: Sendable {
  /// One predictor the reduction considered: its accuracy and disparity on the audited rows.
  public struct Candidate: Sendable, Equatable {
    /// Its accuracy on the audited rows.
    public var accuracy: Double
    /// Its constraint violation (disparity) on the audited rows.
    public var disparity: Double
    /// Its weight in the chosen randomized classifier (0 when not used).
    public var weight: Double
    /// A candidate with these figures.
    public init(accuracy: Double, disparity: Double, weight: Double) {
      self.accuracy = accuracy
      self.disparity = disparity
      self.weight = weight
    }
  }

  /// The mitigation's name, as shown.
  public var method: String
  /// The audit of the unmitigated model.
  public var before: AuditReport
  /// The audit of the mitigated model, on the same rows.
  public var after: AuditReport
  /// The predictors a reduction considered (empty for other mitigations).
  public var candidates: [Candidate]
  /// The expected (accuracy, disparity) of the chosen randomized classifier.
  public var chosen: (accuracy: Double, disparity: Double)?

  /// The comparison of `before` and `after`.
  public init(
    method: String, before: AuditReport, after: AuditReport, candidates: [Candidate] = [],
    chosen: (accuracy: Double, disparity: Double)? = nil
  ) {
    self.method = method
    self.before = before
    self.after = after
    self.candidates = candidates
    self.chosen = chosen
  }

  /// The section id used in the page.
  public static let sectionID = "mitigation"

  /// The report section.
  public func section() -> HTMLReport.Section {
    var children: [Markup] = [
      .node(
        "p",
        text:
          "Method: \(method). \"before\" is the model without mitigation, \"after\" the mitigated one, on the same \(after.frame.rowCount) rows."
      )
    ]
    // Selection rate of each group, before and after.
    if after.frame.metrics.contains(.selectionRate) {
      var bars: [BarChart.Bar] = []
      for g in 0..<after.frame.groupCount {
        let name = after.frame.groupKey(g).joined(separator: " | ")
        bars.append(
          BarChart.Bar(
            label: "\(name) · before", value: before.frame.value(.selectionRate, group: g)))
        bars.append(
          BarChart.Bar(label: "\(name) · after", value: after.frame.value(.selectionRate, group: g))
        )
      }
      let chart = BarChart(
        id: "mitigation-selection-rate", title: "selection_rate by group, before and after",
        bars: bars, domain: 0...1)
      children.append(.node("h3", text: "selection_rate by group"))
      children.append(chart.svg())
    }
    // Fairness scalars, before and after.
    var scalarBars: [BarChart.Bar] = []
    for measure in FairnessMeasure.allCases {
      scalarBars.append(
        BarChart.Bar(label: "\(measure.rawValue) · before", value: before.frame.fairness(measure)))
      scalarBars.append(
        BarChart.Bar(label: "\(measure.rawValue) · after", value: after.frame.fairness(measure)))
    }
    children.append(.node("h3", text: "Fairness scalars"))
    children.append(
      BarChart(
        id: "mitigation-fairness", title: "fairness scalars, before and after", bars: scalarBars,
        domain: 0...1
      ).svg())
    // Trade-off of the candidates.
    if !candidates.isEmpty {
      let all = candidates.map { LineChart.Point(x: $0.disparity, y: $0.accuracy) }
      let used = candidates.filter { $0.weight > 0 }.map {
        LineChart.Point(x: $0.disparity, y: $0.accuracy)
      }
      var series = [
        LineChart.Series(name: "candidate predictors", points: all.sorted { $0.x < $1.x })
      ]
      if !used.isEmpty {
        series.append(
          LineChart.Series(
            name: "used by the chosen classifier", points: used.sorted { $0.x < $1.x }))
      }
      if let chosen {
        series.append(
          LineChart.Series(
            name: "chosen (expected)",
            points: [LineChart.Point(x: chosen.disparity, y: chosen.accuracy)]))
      }
      var chart = LineChart(
        id: "mitigation-trade-off", title: "accuracy versus disparity of the candidate predictors",
        xLabel: "disparity", yLabel: "accuracy", series: series)
      chart.markers = true
      let xs = all.map(\.x) + [chosen?.disparity].compactMap { $0 }
      let ys = all.map(\.y) + [chosen?.accuracy].compactMap { $0 }
      let xHigh = max(0.01, (xs.max() ?? 1) * 1.1)
      let yLow = max(0, (ys.min() ?? 0) - 0.02)
      let yHigh = min(1, (ys.max() ?? 1) + 0.02)
      chart.xDomain = 0...xHigh
      chart.yDomain = yLow...max(yHigh, yLow + 0.01)
      children.append(.node("h3", text: "Trade-off"))
      children.append(chart.svg())
    }
    return HTMLReport.Section(
      id: MitigationComparison.sectionID, title: "Before and after mitigation",
      content: .fragment(children))
  }
}
