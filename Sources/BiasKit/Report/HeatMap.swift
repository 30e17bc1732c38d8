/// A heat map as inline SVG: one metric over the levels of two sensitive features (rows ×
/// columns), each cell coloured on a sequential viridis-like ramp *and* printing its value, so
/// colour is never the only carrier of the number. Undefined cells (no rows, or a metric left
/// undefined) are hatched and print "—".
///
/// Row labels are wrapped on the left; column labels are written at −45° and shortened with
/// "…" beyond ``columnLabelCharacters`` (the full text is in the cell tooltips), so a 8 × 8
/// grid of long labels does not overlap.
///
/// - Complexity: O(rows × columns) elements.
public struct HeatMap: Sendable {
  public var id: String
  public var title: String
  public var rowTitle: String
  public var columnTitle: String
  public var rowLabels: [String]
  public var columnLabels: [String]
  /// `values[row][column]`.
  public var values: [[Double?]]
  /// Optional row counts per cell, shown in the tooltips.
  public var counts: [[Int]]?
  /// The colour scale; by default [0, 1] when every value lies there, else the values' range.
  public var domain: ClosedRange<Double>?
  public var columnLabelCharacters = 22
  public var cellWidth = 64.0
  public var cellHeight = 30.0

  public init(
    id: String, title: String, rowTitle: String, columnTitle: String, rowLabels: [String],
    columnLabels: [String], values: [[Double?]], counts: [[Int]]? = nil
  ) {
    precondition(
      values.count == rowLabels.count && values.allSatisfy { $0.count == columnLabels.count },
      "heat map values must be rows × columns")
    self.id = id
    self.title = title
    self.rowTitle = rowTitle
    self.columnTitle = columnTitle
    self.rowLabels = rowLabels
    self.columnLabels = columnLabels
    self.values = values
    self.counts = counts
  }

  public var resolvedDomain: ClosedRange<Double> {
    if let domain { return domain }
    let defined = values.flatMap { $0 }.compactMap { $0 }.filter(\.isFinite)
    guard let low = defined.min(), let high = defined.max() else { return 0...1 }
    if low >= 0, high <= 1 { return 0...1 }
    return low...(high > low ? high : low + 1)
  }

  public func svg() -> Markup {
    let c = ChartStyle.coordinate
    let rowLines = rowLabels.map { ChartStyle.wrap($0, width: 26, lines: 2) }
    let labelWidth = 190.0
    let longest = columnLabels.map { min($0.count, columnLabelCharacters) }.max() ?? 0
    let headerHeight = 26 + Double(longest) * 6.2 * 0.72 + 14
    let left = labelWidth + 10, top = headerHeight
    let gridWidth = cellWidth * Double(columnLabels.count)
    let gridHeight = cellHeight * Double(rowLabels.count)
    let legendTop = top + gridHeight + 24
    let width = max(left + gridWidth + 40 + Double(longest) * 4.5, 420)
    let height = legendTop + 44
    let domain = resolvedDomain
    let hatchID = "\(id)-hatch"
    var children: [Markup] = [
      .node("title", ["id": "\(id)-title"], text: title),
      .node("defs", [:], [ChartStyle.hatch(id: hatchID, color: "#555555")]),
      ChartStyle.text(columnTitle + " →", x: left, y: 14, className: "axis-label"),
      ChartStyle.text(
        rowTitle + " ↓", x: labelWidth, y: top - 6, anchor: "end", className: "axis-label"),
    ]
    for (j, label) in columnLabels.enumerated() {
      let shown =
        label.count > columnLabelCharacters
        ? String(label.prefix(columnLabelCharacters - 1)) + "…" : label
      let cx = left + cellWidth * (Double(j) + 0.5)
      children.append(
        .element(
          name: "text",
          attributes: [
            .init("x", "0"), .init("y", "0"), .init("class", "label column-label"),
            .init("transform", "translate(\(c(cx)) \(c(top - 6))) rotate(-45)"),
          ], children: [.text(ChartStyle.isolated(shown)), .node("title", [:], text: label)]))
    }
    for (i, lines) in rowLines.enumerated() {
      let middle = top + cellHeight * (Double(i) + 0.5)
      children.append(
        .element(
          name: "text",
          attributes: [
            .init("x", c(labelWidth)), .init("y", c(middle + 4 - Double(lines.count - 1) * 7)),
            .init("text-anchor", "end"),
            .init("class", "label"),
          ],
          children: lines.enumerated().map { k, line in
            .element(
              name: "tspan",
              attributes: k == 0 ? [] : [.init("x", c(labelWidth)), .init("dy", "14")],
              children: [.text(ChartStyle.isolated(line))])
          } + [.node("title", [:], text: rowLabels[i])]))
      for j in columnLabels.indices {
        let x = left + cellWidth * Double(j), y = top + cellHeight * Double(i)
        let value = values[i][j]
        var tooltip = "\(rowLabels[i]) × \(columnLabels[j]): \(ChartStyle.format(value))"
        if let counts { tooltip += " (n = \(ChartStyle.count(counts[i][j])))" }
        let rect: [(String, String)] = [
          ("x", c(x)), ("y", c(y)), ("width", c(cellWidth)), ("height", c(cellHeight)),
        ]
        if let value, value.isFinite {
          let t = (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
          let colour = ChartStyle.sequential(t)
          children.append(
            ChartStyle.element(
              "rect", [("class", "cell")] + rect + [("fill", colour.fill)],
              [.node("title", [:], text: tooltip)]))
          children.append(
            ChartStyle.text(
              ChartStyle.format(value, digits: 2), x: x + cellWidth / 2, y: y + cellHeight / 2 + 4,
              anchor: "middle", className: colour.darkBackground ? "cell-text dark" : "cell-text"))
        } else {
          children.append(
            ChartStyle.element(
              "rect", [("class", "cell undefined")] + rect + [("fill", "url(#\(hatchID))")],
              [.node("title", [:], text: tooltip)]))
          children.append(
            ChartStyle.text(
              "—", x: x + cellWidth / 2, y: y + cellHeight / 2 + 4, anchor: "middle",
              className: "cell-text"))
        }
      }
    }
    // Colour legend: the ramp with its two ends.
    let legendWidth = 200.0
    var stops: [Markup] = []
    for k in 0...10 {
      let t = Double(k) / 10
      stops.append(
        ChartStyle.element(
          "stop", [("offset", "\(k * 10)%"), ("stop-color", ChartStyle.sequential(t).fill)]))
    }
    children.append(.node("defs", [:], [.node("linearGradient", ["id": "\(id)-ramp"], stops)]))
    children.append(
      ChartStyle.element(
        "rect",
        [
          ("x", c(left)), ("y", c(legendTop)), ("width", c(legendWidth)), ("height", "12"),
          ("fill", "url(#\(id)-ramp)"),
          ("class", "ramp"),
        ]))
    children.append(
      ChartStyle.text(
        ChartStyle.format(domain.lowerBound, digits: 2), x: left, y: legendTop + 28,
        anchor: "start", className: "tick"))
    children.append(
      ChartStyle.text(
        ChartStyle.format(domain.upperBound, digits: 2), x: left + legendWidth,
        y: legendTop + 28, anchor: "end", className: "tick"))
    children.append(
      ChartStyle.text(
        "hatched, —: undefined", x: left + legendWidth + 16, y: legendTop + 11,
        className: "tick"))
    return ChartStyle.element(
      "svg",
      [
        ("xmlns", "http://www.w3.org/2000/svg"), ("class", "chart heat-map"), ("id", id),
        ("viewBox", "0 0 \(c(width)) \(c(height))"), ("width", c(width)), ("height", c(height)),
        ("role", "img"), ("aria-labelledby", "\(id)-title"),
      ], children)
  }
}
