import Foundation

/// A self-contained HTML page of an audit: scorecard, bar charts per metric, a heat map for
/// intersectional groups, ROC / precision-recall / calibration curves, and how to reproduce it.
///
/// The page is inline SVG and CSS only: no script, no font or image fetched from anywhere (its
/// Content-Security-Policy forbids both), readable offline and printable (`@media print`).
/// Every label goes through ``Markup``, which escapes it; group labels in the HTML parts are
/// wrapped in `<bdi dir="auto">`, so Arabic or Hebrew group names keep their direction without
/// reordering the text around them.
///
/// The page is a list of ``Section`` values, in order. Other stages add their own: mitigation
/// (before/after bars, the accuracy–disparity trade-off of the candidate predictors) builds a
/// ``Section`` with ``BarChart``/``LineChart`` and calls ``insert(_:before:)`` with
/// ``SectionID/notes`` (or appends it), then ``html()``:
///
///     var page = try HTMLReport(report: audit, bounds: bounds, provenance: provenance)
///     page.insert(HTMLReport.Section(id: "mitigation", title: "Mitigation", content: chart.svg()),
///                 before: HTMLReport.SectionID.notes)
///     try AtomicFileWriter.write(page.html(), to: path)
///
/// Scorecard: each bound (``FairnessBound``, as `biaskit check --max/--min`) is evaluated on the
/// audit; without bounds, the conventional ones are shown, marked "default": a difference
/// ≤ 0.1 and a ratio ≥ 0.8 (the four-fifths rule) for every fairness scalar. For each bound the
/// page names the groups that drive the value (the lowest and highest group of the underlying
/// metric between groups, the group farthest from overall for `*_to_overall`).
///
/// - Complexity: O(cells × metrics + distinct scores) to build; the page is O(cells × metrics) in size.
public struct HTMLReport: Sendable {
  /// One part of the page: a heading with an anchor, and its content.
  public struct Section: Sendable, Equatable {
    public var id: String
    public var title: String
    public var content: Markup
    public init(id: String, title: String, content: Markup) {
      self.id = id
      self.title = title
      self.content = content
    }
  }

  /// The ids of the sections the audit produces, in page order.
  public enum SectionID {
    public static let scorecard = "scorecard"
    public static let groups = "groups"
    public static let metrics = "metrics"
    public static let heatMap = "heat-map"
    public static let curves = "curves"
    public static let notes = "notes"
  }

  /// What produced the page: shown in its footer so that it can be reproduced.
  public struct Provenance: Sendable, Equatable {
    /// The command line, one argument per element (as `CommandLine.arguments`).
    public var commandLine: [String]
    public var inputFile: String
    public var generated: Date
    public var version: String

    public init(
      commandLine: [String], inputFile: String, generated: Date = Date(),
      version: String = BiasKit.version
    ) {
      self.commandLine = commandLine
      self.inputFile = inputFile
      self.generated = generated
      self.version = version
    }

    /// The command line quoted for a POSIX shell.
    public var shellCommand: String {
      commandLine.map { argument in
        let safe =
          !argument.isEmpty
          && argument.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-_./=,:@%+".unicodeScalars.contains($0)
          }
        return safe ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
      }.joined(separator: " ")
    }
  }

  /// Choices of what to show.
  public struct Options: Sendable, Equatable {
    /// Groups with fewer rows are flagged in every chart and table.
    public var minimumGroupSize = 30
    /// The metric of the heat map (default: selection rate when audited, else the first metric).
    public var heatMapMetric: Metric?
    /// Curves are drawn for the overall rows and this many of the largest groups (6 + overall:
    /// one colour each in the palette).
    public var maximumCurveGroups = 6
    public init() {}
  }

  public var title: String
  public var sections: [Section]
  public var provenance: Provenance
  /// Rows of the audited input (shown in the footer).
  public var rowCount: Int

  /// Builds the page of `report`, with the scorecard of `bounds` (or the default bounds).
  ///
  /// - Throws: ``BiasKitError`` when a bound names a value the audit does not have.
  /// `notes` are shown first in the notes section (e.g. that scores were counted in histogram bins).
  public init(
    report: AuditReport, bounds: [FairnessBound] = [], provenance: Provenance,
    options: Options = Options(),
    notes: [String] = []
  ) throws {
    let builder = Builder(report: report, options: options)
    let isRegression = report.frame.statistics.contains { $0.regression != nil }
    let defaultBounds = bounds.isEmpty && !isRegression
    let used = defaultBounds ? HTMLReport.defaultBounds : bounds
    let results = try used.map { try $0.evaluate(report) }
    self.title = "BiasKit audit: \((provenance.inputFile as NSString).lastPathComponent)"
    self.provenance = provenance
    self.rowCount = report.frame.rowCount
    self.sections = [
      builder.scorecard(results, isDefault: defaultBounds, isRegression: isRegression),
      builder.groups(), builder.metricCharts(),
    ]
    if let heat = builder.heatMap() { sections.append(heat) }
    sections.append(builder.curves())
    sections.append(builder.notes(extra: notes))
  }

  /// A difference ≤ 0.1 and a ratio ≥ 0.8 for every fairness scalar.
  public static let defaultBounds: [FairnessBound] = FairnessMeasure.allCases.map {
    $0.isRatio
      ? FairnessBound(name: $0.rawValue, kind: .minimum, limit: 0.8)
      : FairnessBound(name: $0.rawValue, kind: .maximum, limit: 0.1)
  }

  /// Inserts `section` before the section with id `id` (at the end when there is none).
  public mutating func insert(_ section: Section, before id: String) {
    let index = sections.firstIndex { $0.id == id } ?? sections.endIndex
    sections.insert(section, at: index)
  }

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

  /// The page as text.
  public func html() -> String { document().rendered() + "\n" }

  /// The style sheet: system fonts only, colour-blind-safe colours, print rules.
  static let styleSheet = Markup.trusted(
    """
    :root { --ink: #1a1a1a; --muted: #5a5a5a; --rule: #d0d0d0; --bar: #0072B2; --pass: #009E73; --fail: #D55E00; }
    * { box-sizing: border-box; }
    body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
      color: var(--ink); margin: 0 auto; max-width: 1000px; padding: 24px; background: #fff; }
    h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.25em; border-bottom: 2px solid var(--rule); padding-bottom: 4px; margin-top: 2em; }
    h3 { font-size: 1.05em; margin: 1.6em 0 0.4em; }
    .subtitle, .note { color: var(--muted); } .note { font-size: 0.92em; }
    nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 8px 0 0; }
    nav a { color: var(--bar); }
    code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
    code.command { display: block; white-space: pre-wrap; word-break: break-all; background: #f4f4f4; padding: 8px; }
    table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 0.92em; }
    th, td { border-bottom: 1px solid var(--rule); padding: 4px 8px; text-align: left; vertical-align: top; }
    td.number, th.number { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
    .table-wrap { overflow-x: auto; }
    .status { font-weight: 700; white-space: nowrap; padding: 1px 8px; border-radius: 3px; border: 2px solid; }
    .status.pass { color: #006b4f; border-color: var(--pass); }
    .status.fail { color: #fff; background: var(--fail); border-color: var(--fail);
      background-image: repeating-linear-gradient(45deg, transparent 0 4px, rgba(255,255,255,0.25) 4px 7px); }
    .summary { font-size: 1.1em; margin: 8px 0; }
    tr.small td { background: #fff4e0; }
    .flag-text { color: #8a4b00; font-weight: 600; }
    figure { margin: 12px 0 24px; } figcaption { color: var(--muted); font-size: 0.9em; }
    svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
    svg.chart text { fill: var(--ink); }
    svg.chart .tick, svg.chart .value { fill: var(--muted); font-size: 11px; }
    svg.chart .flag { fill: #8a4b00; font-weight: 600; }
    svg.chart .axis-label { font-weight: 600; }
    svg.chart .grid { stroke: #e6e6e6; stroke-width: 1; }
    svg.chart .frame { fill: none; stroke: #999; }
    svg.chart .bar { fill: var(--bar); }
    svg.chart .bar.flagged { fill: #56B4E9; stroke: #8a4b00; stroke-width: 1.5; }
    svg.chart .undefined { fill: var(--muted); font-style: italic; }
    svg.chart .whisker line { stroke: var(--ink); stroke-width: 1.5; }
    svg.chart .reference line { stroke: var(--ink); stroke-width: 1.5; stroke-dasharray: 5 3; }
    svg.chart .reference text { font-size: 11px; font-weight: 600; }
    svg.chart .series { stroke-width: 2; }
    svg.chart .legend-line { stroke-width: 2.5; }
    svg.chart .diagonal { stroke: #999; stroke-dasharray: 3 3; }
    svg.chart .cell { stroke: #fff; stroke-width: 1; }
    svg.chart .cell.undefined { stroke: #bbb; }
    svg.chart .cell-text { font-size: 11px; font-variant-numeric: tabular-nums; }
    svg.chart .cell-text.dark { fill: #fff; }
    .curves { display: flex; flex-wrap: wrap; gap: 16px; } .curves figure { flex: 1 1 400px; }
    footer { margin-top: 3em; font-size: 0.9em; } footer dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
    footer dt { font-weight: 600; } footer dd { margin: 0; }
    @media print {
      body { max-width: none; padding: 0; font-size: 11pt; }
      nav { display: none; }
      h2 { break-after: avoid; } figure, tr, .scorecard-row { break-inside: avoid; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      a { color: inherit; text-decoration: none; }
    }
    """)
}

/// Builds the audit's sections.
struct HTMLReportBuilder {
  let report: AuditReport
  let options: HTMLReport.Options
  var frame: MetricFrame { report.frame }

  /// `groupKey` joined for display.
  func groupLabel(_ g: Int) -> String { frame.groupKey(g).joined(separator: " | ") }
  func controlLabel(_ c: Int) -> String { frame.controlKey(c).joined(separator: " | ") }
  func cellLabel(_ cell: Int) -> String {
    frame.controlFeatures.isEmpty
      ? groupLabel(cell % frame.groupCount)
      : controlLabel(cell / frame.groupCount) + " / " + groupLabel(cell % frame.groupCount)
  }
  func rows(_ cell: Int) -> Int { frame.statistics[cell].rows }
  func isSmall(_ cell: Int) -> Bool { rows(cell) < options.minimumGroupSize }

  /// A label for HTML: isolated, with its own direction.
  func bdi(_ text: String) -> Markup { .node("bdi", ["dir": "auto"], text: text) }

  /// A cell's label for HTML: each level in its own `<bdi dir="auto">`, so a right-to-left
  /// level neither reorders nor is reordered by its neighbours ("عربي | 18–24" stays in order).
  func cellMarkup(_ cell: Int) -> Markup {
    func levels(_ key: [String]) -> [Markup] {
      key.enumerated().flatMap { k, level in (k == 0 ? [] : [Markup.text(" | ")]) + [bdi(level)] }
    }
    let group = levels(frame.groupKey(cell % frame.groupCount))
    if frame.controlFeatures.isEmpty { return .fragment(group) }
    return .fragment(levels(frame.controlKey(cell / frame.groupCount)) + [.text(" / ")] + group)
  }

  static func idSafe(_ text: String) -> String {
    String(text.map { $0.isLetter || $0.isNumber ? $0 : "-" })
  }

  // MARK: Scorecard

  func scorecard(
    _ results: [FairnessBound.Result], isDefault: Bool, isRegression: Bool
  ) -> HTMLReport.Section {
    if results.isEmpty {
      let text =
        isRegression
        ? "Fairness scalars are defined for classification; this is a regression audit. Give bounds on "
          + "aggregates (e.g. --max difference_between_groups.mean_absolute_error=0.5) for a scorecard."
        : "No bounds."
      return HTMLReport.Section(
        id: HTMLReport.SectionID.scorecard, title: "Scorecard",
        content: .node("p", ["class": "note"], text: text))
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
              .node("td", [:], [.node("code", [:], [bdi(item.label)])]),
              .node("td", ["class": "number"], text: ChartStyle.format(item.value, digits: 4)),
              .node(
                "td", ["class": "number"],
                text:
                  "\(result.bound.kind.rawValue) \(ChartStyle.format(result.bound.limit, digits: 3))"
              ),
              .node("td", [:], [status]),
              .node("td", [:], drivers(result.bound, label: item.label)),
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
          text:
            "Default bounds (no --max/--min given): each difference ≤ 0.1 and each ratio ≥ 0.8 (the four-fifths rule). "
            + "Give your own with --max NAME=VALUE / --min NAME=VALUE, as for biaskit check."))
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

  /// The metrics underlying a fairness measure.
  static func underlying(_ measure: FairnessMeasure) -> [Metric] {
    switch measure {
    case .demographicParityDifference, .demographicParityRatio: return [.selectionRate]
    case .equalOpportunityDifference, .equalOpportunityRatio: return [.truePositiveRate]
    case .equalizedOddsDifference, .equalizedOddsRatio:
      return [.truePositiveRate, .falsePositiveRate]
    }
  }

  /// The groups behind a bound's value: lowest and highest group of the underlying metric(s),
  /// or the group farthest from overall.
  func drivers(_ bound: FairnessBound, label: String) -> [Markup] {
    var name = bound.name
    let toOverall =
      name.hasSuffix("_to_overall") && FairnessMeasure(rawValue: String(name.dropLast(11))) != nil
    if toOverall { name = String(name.dropLast(11)) }
    // Which control level the label names (labels end in " [level]" with control features).
    let control: Int = {
      guard !frame.controlFeatures.isEmpty else { return 0 }
      return (0..<frame.controlCount).first {
        label.hasSuffix("[\(frame.controlKey($0).joined(separator: "|"))]")
      } ?? 0
    }()
    var metrics: [Metric] = []
    if let measure = FairnessMeasure(rawValue: name) {
      metrics = HTMLReportBuilder.underlying(measure)
    } else if let metricName = bound.metricName, let metric = Metric(name: metricName) {
      if name.hasPrefix("by_group.") { return [.text("the group itself")] }
      if name.hasPrefix("overall.") { return [.text("all groups")] }
      metrics = [metric]
      if name.hasPrefix("difference_to_overall.") || name.hasPrefix("ratio_to_overall.") {
        return drivers(metrics: metrics, control: control, toOverall: true)
      }
    } else {
      return [.node("span", ["class": "note"], text: "between-group index over all groups")]
    }
    return drivers(metrics: metrics, control: control, toOverall: toOverall)
  }

  func drivers(metrics: [Metric], control: Int, toOverall: Bool) -> [Markup] {
    let cells = (control * frame.groupCount)..<((control + 1) * frame.groupCount)
    let overall = GroupStatistics.merged(frame.statistics[cells])
    var parts: [Markup] = []
    var widest: (spread: Double, markup: [Markup])?
    for metric in metrics {
      let values = cells.compactMap { cell -> (cell: Int, value: Double)? in
        guard rows(cell) > 0,
          let v = metric.value(from: frame.statistics[cell], options: frame.options)
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
      if toOverall, let total = metric.value(from: overall, options: frame.options) {
        let far = values.max { abs($0.value - total) < abs($1.value - total) }!
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
      if widest == nil || spread > widest!.spread { widest = (spread, markup) }
    }
    if let widest { parts = widest.markup }
    return parts.isEmpty ? [.text("—")] : parts
  }

  // MARK: Groups

  func groups() -> HTMLReport.Section {
    let total = frame.rowCount
    var tableRows: [Markup] = []
    var small: [Int] = []
    for cell in frame.statistics.indices {
      let n = rows(cell)
      if n < options.minimumGroupSize { small.append(cell) }
      tableRows.append(
        .node(
          "tr", n < options.minimumGroupSize ? ["class": "small"] : [:],
          [
            .node("td", [:], [cellMarkup(cell)]),
            .node("td", ["class": "number"], text: ChartStyle.count(n)),
            .node(
              "td", ["class": "number"],
              text: total > 0 ? String(format: "%.1f%%", 100 * Double(n) / Double(total)) : "—"),
            .node(
              "td", [:],
              n < options.minimumGroupSize
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
        text: small.isEmpty
          ? "No group has fewer than \(options.minimumGroupSize) rows."
          : "\(small.count) group\(small.count == 1 ? " has" : "s have") fewer than \(options.minimumGroupSize) rows: "
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
    return HTMLReport.Section(
      id: HTMLReport.SectionID.groups, title: "Groups", content: .fragment(content))
  }

  // MARK: Bar charts

  /// Positions of the lowest and highest bootstrap quantiles.
  var intervalEnds: (low: AuditValues, high: AuditValues)? {
    guard let intervals = report.intervals, let bootstrap = report.bootstrap,
      bootstrap.quantiles.count >= 2,
      intervals.count == bootstrap.quantiles.count
    else { return nil }
    let order = bootstrap.quantiles.indices.sorted {
      bootstrap.quantiles[$0] < bootstrap.quantiles[$1]
    }
    return (intervals[order.first!], intervals[order.last!])
  }

  func metricCharts() -> HTMLReport.Section {
    var content: [Markup] = []
    let ends = intervalEnds
    if let bootstrap = report.bootstrap, ends != nil {
      let qs = bootstrap.quantiles.sorted()
      content.append(
        .node(
          "p", ["class": "note"],
          text:
            "Whiskers: bootstrap quantiles \(qs.first!) to \(qs.last!) of \(bootstrap.samples) resamples (seed \(bootstrap.seed))."
        ))
    } else {
      content.append(
        .node(
          "p", ["class": "note"],
          text:
            "Each bar is a group; the dashed line is the overall value. Run with --bootstrap N for confidence intervals."
        ))
    }
    for (m, metric) in frame.metrics.enumerated() where metric != .count {
      for c in 0..<frame.controlCount {
        let cells = (c * frame.groupCount)..<((c + 1) * frame.groupCount)
        let bars = cells.map { cell -> BarChart.Bar in
          let interval: (low: Double, high: Double)? = ends.flatMap { ends in
            guard let low = ends.low.byGroup[cell][m], let high = ends.high.byGroup[cell][m] else {
              return nil
            }
            return (low, high)
          }
          return BarChart.Bar(
            label: groupLabel(cell % frame.groupCount), value: frame.values.byGroup[cell][m],
            interval: interval, flagged: isSmall(cell), note: "n = \(ChartStyle.count(rows(cell)))")
        }
        let suffix =
          frame.controlFeatures.isEmpty
          ? "" : " (\(frame.controlFeatures.joined(separator: " × ")) = \(controlLabel(c)))"
        let title = "\(metric.rawValue) by group\(suffix)"
        var chart = BarChart(
          id: "bar-\(HTMLReportBuilder.idSafe(metric.rawValue))-\(c)", title: title, bars: bars)
        if let overall = frame.values.overall[c][m] {
          chart.reference = .init(label: "overall", value: overall)
        }
        var caption: [Markup] = [
          .text("Overall \(ChartStyle.format(frame.values.overall[c][m], digits: 4)); ")
        ]
        caption.append(
          .text(
            "difference between groups \(ChartStyle.format(frame.values.differenceBetweenGroups[c][m], digits: 4)), "
          ))
        caption.append(
          .text("ratio \(ChartStyle.format(frame.values.ratioBetweenGroups[c][m], digits: 4))."))
        content.append(
          .node(
            "figure", ["class": "metric"],
            [
              .node(
                "h3", ["id": "metric-\(HTMLReportBuilder.idSafe(metric.rawValue))-\(c)"],
                [.node("code", [:], text: metric.rawValue), .text(suffix)]),
              chart.svg(),
              .node("figcaption", [:], caption),
            ]))
      }
    }
    return HTMLReport.Section(
      id: HTMLReport.SectionID.metrics, title: "Metrics by group", content: .fragment(content))
  }

  // MARK: Heat map

  func heatMap() -> HTMLReport.Section? {
    guard frame.sensitiveFeatures.count >= 2 else { return nil }
    let candidates = frame.metrics.filter { $0 != .count }
    // A chosen metric need not be among the audited ones: it is computed from the cells' statistics.
    guard
      let metric = options.heatMapMetric
        ?? (candidates.contains(.selectionRate) ? .selectionRate : candidates.first)
    else { return nil }
    let rowLevels = frame.sensitiveLevels[0], columnLevels = frame.sensitiveLevels[1]
    var merged = [[GroupStatistics]](
      repeating: [GroupStatistics](repeating: GroupStatistics(), count: columnLevels.count),
      count: rowLevels.count)
    // Group code g = ((a · L₁) + b) · (product of the other features' levels) + rest.
    let inner = frame.sensitiveLevels.dropFirst(2).reduce(1) { $0 * $1.count }
    for cell in frame.statistics.indices {
      let g = cell % frame.groupCount
      let b = (g / inner) % columnLevels.count
      let a = g / inner / columnLevels.count
      merged[a][b].merge(frame.statistics[cell])
    }
    let values = merged.map { row in
      row.map {
        $0.confusion.rows > 0 || $0.regression != nil
          ? metric.value(from: $0, options: frame.options) : nil
      }
    }
    let counts = merged.map { row in row.map(\.rows) }
    let map = HeatMap(
      id: "heat-map-chart",
      title: "\(metric.rawValue) by \(frame.sensitiveFeatures[0]) × \(frame.sensitiveFeatures[1])",
      rowTitle: frame.sensitiveFeatures[0], columnTitle: frame.sensitiveFeatures[1],
      rowLabels: rowLevels,
      columnLabels: columnLevels, values: values, counts: counts)
    var notes = "Each cell is \(metric.rawValue) of the rows with that pair of levels"
    if frame.sensitiveFeatures.count > 2 {
      notes += " (pooled over \(frame.sensitiveFeatures.dropFirst(2).joined(separator: ", ")))"
    }
    if !frame.controlFeatures.isEmpty { notes += " (pooled over the control levels)" }
    notes += "; the number is printed in the cell, hover for the row count."
    return HTMLReport.Section(
      id: HTMLReport.SectionID.heatMap, title: "Heat map",
      content: .fragment([
        .node("figure", [:], [map.svg(), .node("figcaption", [:], text: notes)])
      ]))
  }

  // MARK: Curves

  func curves() -> HTMLReport.Section {
    var content: [Markup] = []
    // Per sensitive group, pooled over control levels.
    var perGroup = [GroupStatistics](repeating: GroupStatistics(), count: frame.groupCount)
    for cell in frame.statistics.indices {
      perGroup[cell % frame.groupCount].merge(frame.statistics[cell])
    }
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
          text:
            "ROC and precision-recall curves are left out: they need a score column (--y-score COL) and roc_auc or "
            + "average_precision among the metrics."))
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
          text:
            "Calibration curves are left out: they need a score column (--y-score COL) and brier_score, log_loss or "
            + "expected_calibration_error among the metrics."))
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

  // MARK: Notes

  func notes(extra: [String] = []) -> HTMLReport.Section {
    let notes = extra + report.notes
    let limit = 50 + extra.count
    var items: [Markup] = notes.prefix(limit).map { .node("li", [:], [bdi($0)]) }
    if notes.count > limit {
      items.append(.node("li", [:], text: "… and \(notes.count - limit) more (see --format json)."))
    }
    let content: Markup =
      notes.isEmpty
      ? .node("p", ["class": "note"], text: "Every value is defined.")
      : .node("ul", ["class": "notes"], items)
    return HTMLReport.Section(
      id: HTMLReport.SectionID.notes, title: "Notes on undefined values", content: content)
  }
}

extension HTMLReport {
  typealias Builder = HTMLReportBuilder
}
