/// A line chart as inline SVG: several named series on shared axes (ROC, precision-recall or
/// calibration curves per group), with an optional diagonal reference line.
///
/// Each series has its own Okabe-Ito colour *and* dash pattern (``ChartStyle/series(_:)``) and
/// is named in the legend under the plot, so the curves stay distinguishable in grey-scale print
/// and under colour blindness. Points closer than about one pixel to the last drawn point are
/// dropped when drawing (a ROC curve of 10⁶ distinct scores stays a few hundred points), which
/// changes nothing visible.
///
/// - Complexity: O(points) to draw.
public struct LineChart: Sendable {
  public struct Point: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
      self.x = x
      self.y = y
    }
  }

  public struct Series: Sendable, Equatable {
    public var name: String
    public var points: [Point]
    public init(name: String, points: [Point]) {
      self.name = name
      self.points = points
    }
  }

  /// Unique within the page.
  public var id: String
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [Series]
  /// Draw the line y = x (chance for ROC, perfect calibration).
  public var diagonal = false
  /// Mark each point with a dot (for curves of a few points, such as calibration bins).
  public var markers = false
  public var xDomain: ClosedRange<Double> = 0...1
  public var yDomain: ClosedRange<Double> = 0...1
  public var plotSize = 300.0

  public init(id: String, title: String, xLabel: String, yLabel: String, series: [Series]) {
    self.id = id
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
  }

  /// The points actually drawn for `series` (at least 1 px apart, plus the last point).
  func drawnPoints(
    _ points: [Point], x: (Double) -> Double, y: (Double) -> Double
  ) -> [(Double, Double)] {
    var out: [(Double, Double)] = []
    for (k, p) in points.enumerated() where p.x.isFinite && p.y.isFinite {
      let q = (x(p.x), y(p.y))
      if let last = out.last, k != points.count - 1, abs(q.0 - last.0) < 1, abs(q.1 - last.1) < 1 {
        continue
      }
      out.append(q)
    }
    return out
  }

  public func svg() -> Markup {
    let left = 56.0, top = 30.0
    let right = left + plotSize, bottom = top + plotSize
    let legendTop = bottom + 46
    let legendLines = series.map { ChartStyle.wrap($0.name, width: 44, lines: 2) }
    let legendHeight = legendLines.reduce(0.0) { $0 + 16 * Double($1.count) + 4 }
    let width = right + 24
    let height = legendTop + legendHeight + 6
    func x(_ v: Double) -> Double {
      left + (v - xDomain.lowerBound) / (xDomain.upperBound - xDomain.lowerBound) * plotSize
    }
    func y(_ v: Double) -> Double {
      bottom - (v - yDomain.lowerBound) / (yDomain.upperBound - yDomain.lowerBound) * plotSize
    }
    let c = ChartStyle.coordinate
    var children: [Markup] = [.node("title", ["id": "\(id)-title"], text: title)]
    var axis: [Markup] = [
      ChartStyle.element(
        "rect",
        [
          ("x", c(left)), ("y", c(top)), ("width", c(plotSize)), ("height", c(plotSize)),
          ("class", "frame"),
        ])
    ]
    for t in ChartStyle.ticks(low: xDomain.lowerBound, high: xDomain.upperBound) {
      axis.append(
        ChartStyle.element(
          "line",
          [
            ("x1", c(x(t))), ("x2", c(x(t))), ("y1", c(top)), ("y2", c(bottom)),
            ("class", "grid"),
          ]))
      axis.append(
        ChartStyle.text(
          ChartStyle.format(t, digits: 1), x: x(t), y: bottom + 15, anchor: "middle",
          className: "tick"))
    }
    for t in ChartStyle.ticks(low: yDomain.lowerBound, high: yDomain.upperBound) {
      axis.append(
        ChartStyle.element(
          "line",
          [
            ("x1", c(left)), ("x2", c(right)), ("y1", c(y(t))), ("y2", c(y(t))),
            ("class", "grid"),
          ]))
      axis.append(
        ChartStyle.text(
          ChartStyle.format(t, digits: 1), x: left - 6, y: y(t) + 4, anchor: "end",
          className: "tick"))
    }
    axis.append(
      ChartStyle.text(
        xLabel, x: (left + right) / 2, y: bottom + 34, anchor: "middle", className: "axis-label"))
    axis.append(
      ChartStyle.text(
        yLabel, x: 0, y: 0, anchor: "middle", className: "axis-label",
        extra: [
          .init("transform", "translate(14 \(c((top + bottom) / 2))) rotate(-90)")
        ]))
    children.append(.node("g", ["class": "axis"], axis))
    if diagonal {
      children.append(
        ChartStyle.element(
          "line",
          [
            ("x1", c(x(xDomain.lowerBound))), ("y1", c(y(yDomain.lowerBound))),
            ("x2", c(x(xDomain.upperBound))),
            ("y2", c(y(yDomain.upperBound))), ("class", "diagonal"),
          ]))
    }
    var legendY = legendTop
    for (k, s) in series.enumerated() {
      let style = ChartStyle.series(k)
      let drawn = drawnPoints(s.points, x: x, y: y)
      var attributes: [(String, String)] = [
        ("class", "series"), ("fill", "none"), ("stroke", style.color),
        ("points", drawn.map { "\(c($0.0)),\(c($0.1))" }.joined(separator: " ")),
      ]
      if !style.dash.isEmpty { attributes.append(("stroke-dasharray", style.dash)) }
      var group: [Markup] = [
        .node("title", [:], text: s.name), ChartStyle.element("polyline", attributes),
      ]
      if markers {
        for p in drawn {
          group.append(
            ChartStyle.element(
              "circle", [("cx", c(p.0)), ("cy", c(p.1)), ("r", "3"), ("fill", style.color)]))
        }
      }
      children.append(.node("g", ["class": "curve"], group))
      // Legend entry.
      var legend: [(String, String)] = [
        ("x1", c(left)), ("x2", c(left + 34)), ("y1", c(legendY + 8)), ("y2", c(legendY + 8)),
        ("stroke", style.color),
        ("class", "legend-line"),
      ]
      if !style.dash.isEmpty { legend.append(("stroke-dasharray", style.dash)) }
      let lines = legendLines[k]
      children.append(
        .node(
          "g", ["class": "legend"],
          [
            ChartStyle.element("line", legend),
            .element(
              name: "text",
              attributes: [
                .init("x", c(left + 42)), .init("y", c(legendY + 12)), .init("class", "label"),
              ],
              children: lines.enumerated().map { i, line in
                .element(
                  name: "tspan",
                  attributes: i == 0 ? [] : [.init("x", c(left + 42)), .init("dy", "16")],
                  children: [.text(ChartStyle.isolated(line))])
              }),
          ]))
      legendY += 16 * Double(lines.count) + 4
    }
    return ChartStyle.element(
      "svg",
      [
        ("xmlns", "http://www.w3.org/2000/svg"), ("class", "chart line-chart"), ("id", id),
        ("viewBox", "0 0 \(c(width)) \(c(height))"), ("width", c(width)), ("height", c(height)),
        ("role", "img"), ("aria-labelledby", "\(id)-title"),
      ], children)
  }
}
