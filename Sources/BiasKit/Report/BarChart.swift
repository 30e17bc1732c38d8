/// A horizontal bar chart as inline SVG: one bar per group, with an optional reference line
/// (the overall value), interval whiskers (bootstrap quantiles) and flagged bars (small groups,
/// hatched and labelled, not only coloured).
///
/// Bars are horizontal so that long group labels stay on the left in up to two wrapped lines
/// (the full label is in each bar's `<title>` tooltip), and the chart grows downwards with the
/// number of groups: 64 intersectional groups give a 64-row chart, never overlapping labels.
/// Bars start at zero (or at the domain's edge when zero is outside it); an undefined value
/// draws no bar and says "undefined".
///
/// - Complexity: O(bars) elements.
public struct BarChart: Sendable {
  public struct Bar: Sendable, Equatable {
    public var label: String
    public var value: Double?
    /// Lower and upper ends of a confidence interval, when known.
    public var interval: (low: Double, high: Double)?
    /// Marked with hatching and `flagNote` (e.g. a group below the minimum count).
    public var flagged: Bool
    /// Text at the right of the row (e.g. "n = 1,234").
    public var note: String

    public init(
      label: String, value: Double?, interval: (low: Double, high: Double)? = nil,
      flagged: Bool = false,
      note: String = ""
    ) {
      self.label = label
      self.value = value
      self.interval = interval
      self.flagged = flagged
      self.note = note
    }

    public static func == (a: Bar, b: Bar) -> Bool {
      a.label == b.label && a.value == b.value && a.interval?.low == b.interval?.low
        && a.interval?.high == b.interval?.high && a.flagged == b.flagged && a.note == b.note
    }
  }

  /// A vertical line across the bars (e.g. the overall value).
  public struct Reference: Sendable, Equatable {
    public var label: String
    public var value: Double
    public init(label: String, value: Double) {
      self.label = label
      self.value = value
    }
  }

  /// Unique within the page: prefixes the ids of the chart's title and patterns.
  public var id: String
  public var title: String
  public var bars: [Bar]
  public var reference: Reference?
  /// The value axis; by default [0, 1] when every value lies there, else the data's range with zero.
  public var domain: ClosedRange<Double>?
  /// Text of flagged bars, after their note.
  public var flagNote = "small group"
  public var width = 880.0
  public var labelWidth = 250.0

  public init(
    id: String, title: String, bars: [Bar], reference: Reference? = nil,
    domain: ClosedRange<Double>? = nil
  ) {
    self.id = id
    self.title = title
    self.bars = bars
    self.reference = reference
    self.domain = domain
  }

  /// Characters per label line.
  var labelCharacters: Int { max(8, Int(labelWidth / 7)) }

  /// The value axis actually used.
  public var resolvedDomain: ClosedRange<Double> {
    if let domain { return domain }
    var values =
      bars.compactMap(\.value)
      + bars.compactMap { $0.interval.map { [$0.low, $0.high] } }.flatMap { $0 }
    if let reference { values.append(reference.value) }
    values = values.filter(\.isFinite)
    let low = min(0, values.min() ?? 0)
    let high = max(values.max() ?? 1, low + 1e-9)
    if low >= 0, high <= 1 { return 0...1 }
    let pad = (high - low) * 0.05
    return (low < 0 ? low - pad : low)...(high + pad)
  }

  public func svg() -> Markup {
    let labels = bars.map { ChartStyle.wrap($0.label, width: labelCharacters, lines: 2) }
    let twoLines = labels.contains { $0.count > 1 }
    let rowHeight = twoLines ? 32.0 : 22.0
    let top = 34.0, axisHeight = 30.0
    let noteWidth = 230.0
    let plotLeft = labelWidth + 10, plotRight = width - noteWidth
    let height = top + rowHeight * Double(bars.count) + axisHeight
    let domain = resolvedDomain
    func x(_ v: Double) -> Double {
      let t =
        (min(max(v, domain.lowerBound), domain.upperBound) - domain.lowerBound)
        / (domain.upperBound - domain.lowerBound)
      return plotLeft + t * (plotRight - plotLeft)
    }
    let zero = x(min(max(0, domain.lowerBound), domain.upperBound))
    let hatchID = "\(id)-hatch"
    var children: [Markup] = [
      .node("title", ["id": "\(id)-title"], text: title),
      .node("defs", [:], [ChartStyle.hatch(id: hatchID)]),
    ]
    // Grid and axis.
    var grid: [Markup] = []
    for tick in ChartStyle.ticks(low: domain.lowerBound, high: domain.upperBound) {
      let tx = ChartStyle.coordinate(x(tick))
      grid.append(
        ChartStyle.element(
          "line",
          [
            ("x1", tx), ("x2", tx), ("y1", ChartStyle.coordinate(top - 4)),
            ("y2", ChartStyle.coordinate(height - axisHeight)), ("class", "grid"),
          ]))
      grid.append(
        ChartStyle.text(
          ChartStyle.format(tick, digits: 2), x: x(tick), y: height - axisHeight + 16,
          anchor: "middle", className: "tick"))
    }
    children.append(.node("g", ["class": "axis"], grid))
    // Rows.
    for (k, bar) in bars.enumerated() {
      let rowTop = top + rowHeight * Double(k)
      let middle = rowTop + rowHeight / 2
      var row: [Markup] = []
      let lines = labels[k]
      let firstBaseline = middle + 4 - (Double(lines.count - 1) * 7)
      row.append(
        .element(
          name: "text",
          attributes: [
            .init("x", ChartStyle.coordinate(labelWidth)),
            .init("y", ChartStyle.coordinate(firstBaseline)),
            .init("text-anchor", "end"), .init("class", "label"),
          ],
          children: lines.enumerated().map { i, line in
            .element(
              name: "tspan",
              attributes: i == 0
                ? [] : [.init("x", ChartStyle.coordinate(labelWidth)), .init("dy", "14")],
              children: [.text(ChartStyle.isolated(line))])
          } + [.node("title", [:], text: bar.label)]))
      var tooltip = "\(bar.label): \(ChartStyle.format(bar.value))"
      if let interval = bar.interval {
        tooltip += " [\(ChartStyle.format(interval.low)), \(ChartStyle.format(interval.high))]"
      }
      if !bar.note.isEmpty { tooltip += " (\(bar.note))" }
      if bar.flagged { tooltip += " — \(flagNote)" }
      let barHeight = min(16, rowHeight - 6)
      let barTop = ChartStyle.coordinate(middle - barHeight / 2)
      if let value = bar.value, value.isFinite {
        let end = x(value)
        let left = min(zero, end), barWidth = max(abs(end - zero), 1)
        row.append(
          ChartStyle.element(
            "rect",
            [
              ("class", bar.flagged ? "bar flagged" : "bar"), ("x", ChartStyle.coordinate(left)),
              ("y", barTop),
              ("width", ChartStyle.coordinate(barWidth)),
              ("height", ChartStyle.coordinate(barHeight)),
            ], [.node("title", [:], text: tooltip)]))
        if bar.flagged {
          row.append(
            ChartStyle.element(
              "rect",
              [
                ("class", "bar-hatch"), ("x", ChartStyle.coordinate(left)), ("y", barTop),
                ("width", ChartStyle.coordinate(barWidth)),
                ("height", ChartStyle.coordinate(barHeight)),
                ("fill", "url(#\(hatchID))"),
              ]))
        }
      } else {
        row.append(ChartStyle.text("undefined", x: zero + 4, y: middle + 4, className: "undefined"))
      }
      if let interval = bar.interval, interval.low.isFinite, interval.high.isFinite {
        let x1 = ChartStyle.coordinate(x(interval.low)),
          x2 = ChartStyle.coordinate(x(interval.high))
        let y = ChartStyle.coordinate(middle)
        let capTop = ChartStyle.coordinate(middle - 5),
          capBottom = ChartStyle.coordinate(middle + 5)
        row.append(
          .node(
            "g", ["class": "whisker"],
            [
              ChartStyle.element("line", [("x1", x1), ("x2", x2), ("y1", y), ("y2", y)]),
              ChartStyle.element(
                "line", [("x1", x1), ("x2", x1), ("y1", capTop), ("y2", capBottom)]),
              ChartStyle.element(
                "line", [("x1", x2), ("x2", x2), ("y1", capTop), ("y2", capBottom)]),
            ]))
      }
      var note = ChartStyle.format(bar.value)
      if !bar.note.isEmpty { note += " · " + bar.note }
      var noteParts: [Markup] = [.text(note)]
      if bar.flagged { noteParts.append(.node("tspan", ["class": "flag"], text: " ⚠ " + flagNote)) }
      row.append(
        .element(
          name: "text",
          attributes: [
            .init("x", ChartStyle.coordinate(plotRight + 8)),
            .init("y", ChartStyle.coordinate(middle + 4)),
            .init("class", "value"),
          ], children: noteParts))
      children.append(.node("g", ["class": "row"], row))
    }
    if let reference, reference.value.isFinite {
      let rx = ChartStyle.coordinate(x(reference.value))
      children.append(
        .node(
          "g", ["class": "reference"],
          [
            ChartStyle.element(
              "line",
              [
                ("x1", rx), ("x2", rx), ("y1", ChartStyle.coordinate(top - 8)),
                ("y2", ChartStyle.coordinate(height - axisHeight)),
              ]),
            ChartStyle.text(
              "\(reference.label) \(ChartStyle.format(reference.value))", x: x(reference.value),
              y: top - 12,
              anchor: "middle"),
          ]))
    }
    return ChartStyle.element(
      "svg",
      [
        ("xmlns", "http://www.w3.org/2000/svg"), ("class", "chart bar-chart"), ("id", id),
        ("viewBox", "0 0 \(ChartStyle.coordinate(width)) \(ChartStyle.coordinate(height))"),
        ("width", ChartStyle.coordinate(width)), ("height", ChartStyle.coordinate(height)),
        ("role", "img"), ("aria-labelledby", "\(id)-title"),
      ], children)
  }
}
