/// The heat map of the first two sensitive features: one metric over each pair of levels,
/// pooled over the other features and the control levels.
extension ReportBuilder {
  func heatMap() -> HTMLReport.Section? {
    guard frame.sensitiveFeatures.count >= 2 else { return nil }
    let candidates = frame.metrics.filter { $0 != .count }
    // A chosen metric need not be among the audited ones: it is computed from the cells' statistics.
    guard
      let metric = options.heatMapMetric
        ?? (candidates.contains(.selectionRate) ? .selectionRate : candidates.first)
    else { return nil }
    let rowLevels = frame.sensitiveLevels[0]
    let columnLevels = frame.sensitiveLevels[1]
    let title =
      "\(metric.rawValue) by \(frame.sensitiveFeatures[0]) × \(frame.sensitiveFeatures[1])"
    guard rowLevels.count * columnLevels.count <= options.maximumHeatMapCells else {
      return HTMLReport.Section(
        id: HTMLReport.SectionID.heatMap, title: "Heat map",
        content: .node(
          "p", ["class": "note missing-chart"],
          text:
            "The heat map of \(title) would have \(ChartStyle.count(rowLevels.count * columnLevels.count)) cells; it is drawn up to \(ChartStyle.count(options.maximumHeatMapCells))."
        ))
    }
    var merged = [[GroupStatistics]](
      repeating: [GroupStatistics](repeating: GroupStatistics(), count: columnLevels.count),
      count: rowLevels.count)
    for cell in layout.cells {
      let positions = layout.levelPositions(ofGroup: cell.group)
      merged[positions[0]][positions[1]].merge(frame.statistics(of: cell))
    }
    let values = merged.map { row in
      row.map {
        $0.confusion.rows > 0 || $0.regression != nil
          ? metric.value(from: $0, options: frame.options) : nil
      }
    }
    let counts = merged.map { row in row.map(\.rows) }
    let map = HeatMap(
      id: "heat-map-chart", title: title,
      rowTitle: frame.sensitiveFeatures[0], columnTitle: frame.sensitiveFeatures[1],
      rowLabels: rowLevels,
      columnLabels: columnLevels, values: values, counts: counts)
    var notes = "Each cell is \(metric.rawValue) of the rows with that pair of levels"
    if frame.sensitiveFeatures.count > 2 {
      notes += " (pooled over \(frame.sensitiveFeatures.dropFirst(2).joined(separator: ", ")))"
    }
    if layout.hasControl { notes += " (pooled over the control levels)" }
    notes += "; the number is printed in the cell, hover for the row count."
    return HTMLReport.Section(
      id: HTMLReport.SectionID.heatMap, title: "Heat map",
      content: .fragment([
        .node("figure", [:], [map.svg(), .node("figcaption", [:], text: notes)])
      ]))
  }
}
