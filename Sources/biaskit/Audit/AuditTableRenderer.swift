import BiasKit
import Foundation

/// Renders an audit as terminal tables: overall, by group (the lowest and highest value of each
/// metric marked), the aggregates, and the fairness scalars with the ones past the usual
/// thresholds (difference > 0.1, ratio < 0.8) flagged, for the metrics that are rates
/// (``Metric/isBoundedRate``: those thresholds mean nothing for an error such as MAE).
struct AuditTableRenderer {
  var report: AuditReport
  var source: String
  var width: Int = AuditTableRenderer.terminalWidth()
  var color: Bool = isatty(STDOUT_FILENO) == 1

  static func terminalWidth() -> Int {
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 40
    {
      return columns
    }
    return 120
  }

  private func flag(_ text: String) -> String { color ? "\u{1B}[1;31m\(text)\u{1B}[0m" : text }
  private func bold(_ text: String) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }

  static func format(_ value: Double?, metric: Metric? = nil) -> String {
    guard let value, value.isFinite else { return "—" }
    if metric == .count { return String(Int(value)) }
    return String(format: "%.4f", value)
  }

  func render() -> String {
    let frame = report.frame
    var out = ""
    let features = frame.sensitiveFeatures.joined(separator: " × ")
    out +=
      bold("BiasKit audit")
      + " · \(source) · \(frame.rowCount) rows · groups: \(features) (\(frame.groupCount))"
    if !frame.controlFeatures.isEmpty {
      out += " · control: \(frame.controlFeatures.joined(separator: " × "))"
    }
    out += "\n"
    for c in 0..<frame.controlCount {
      let suffix =
        frame.controlFeatures.isEmpty
        ? ""
        : " — \(frame.controlFeatures.joined(separator: "|")) = \(frame.controlKey(c).joined(separator: "|"))"
      out += "\n" + bold("Overall" + suffix) + "\n"
      out += table(
        header: ["", "value"],
        rows: frame.metrics.enumerated().map { m, metric in
          [metric.rawValue, Self.format(frame.values.overall[c][m], metric: metric)]
        })
      out += "\n" + bold("By group" + suffix) + "  (▲ highest, ▼ lowest of each metric)\n"
      out += groupTable(control: c)
      out +=
        "\n" + bold("Differences and ratios" + suffix)
        + "  (! difference > 0.1 or ratio < 0.8, for rates)\n"
      out += aggregateTable(control: c)
    }
    for c in 0..<frame.controlCount
    where frame.statistics.contains(where: { $0.regression != nil }) == false {
      let suffix =
        frame.controlFeatures.isEmpty
        ? ""
        : " — \(frame.controlFeatures.joined(separator: "|")) = \(frame.controlKey(c).joined(separator: "|"))"
      out += "\n" + bold("Fairness" + suffix) + " (equalized odds: \(frame.aggregation.rawValue))\n"
      var rows: [[String]] = []
      for (k, measure) in FairnessMeasure.allCases.enumerated() {
        let value = frame.values.fairness[c][k]
        let bad = value.map { measure.isRatio ? $0 < 0.8 : $0 > 0.1 } ?? false
        rows.append([
          measure.rawValue, Self.format(value), Self.format(frame.values.fairnessToOverall[c][k]),
          bad ? flag("!") : "",
        ])
      }
      for (k, name) in AuditValues.betweenGroupInequalityNames.enumerated() {
        rows.append([name, Self.format(frame.values.betweenGroupInequality[c][k]), "", ""])
      }
      out += table(header: ["", "between groups", "to overall", ""], rows: rows)
    }
    if let intervals = report.intervals, let bootstrap = report.bootstrap {
      out +=
        "\n" + bold("Bootstrap intervals")
        + " (\(bootstrap.samples) samples, seed \(bootstrap.seed), quantiles "
        + bootstrap.quantiles.map { "\($0)" }.joined(separator: ", ") + ")\n"
      var rows: [[String]] = []
      for (m, metric) in frame.metrics.enumerated() {
        rows.append(
          ["overall \(metric.rawValue)"]
            + intervals.map { Self.format($0.overall[0][m], metric: metric) })
      }
      for (m, metric) in frame.metrics.enumerated() where metric != .count {
        rows.append(
          ["difference \(metric.rawValue)"]
            + intervals.map { Self.format($0.differenceBetweenGroups[0][m]) })
      }
      for (k, measure) in FairnessMeasure.allCases.enumerated() {
        rows.append([measure.rawValue] + intervals.map { Self.format($0.fairness[0][k]) })
      }
      out += table(header: [""] + bootstrap.quantiles.map { "q\($0)" }, rows: rows)
      out += "(every by-group and aggregate interval is in --format json or csv)\n"
    }
    let notes = report.notes
    if !notes.isEmpty {
      out += "\n" + bold("Notes") + "\n"
      for note in notes.prefix(12) { out += "  \(note)\n" }
      if notes.count > 12 { out += "  … and \(notes.count - 12) more (see --format json)\n" }
    }
    return out
  }

  private func groupTable(control c: Int) -> String {
    let frame = report.frame
    let cells = (c * frame.groupCount)..<((c + 1) * frame.groupCount)
    let metrics = frame.metrics
    var columns: [[String]] = []
    for (m, metric) in metrics.enumerated() {
      let values = cells.map { frame.values.byGroup[$0][m] }
      let low = values.compactMap { $0 }.min()
      let high = values.compactMap { $0 }.max()
      columns.append(
        values.map { v in
          var text = Self.format(v, metric: metric)
          if metric != .count, let v, low != high {
            if v == high { text += "▲" } else if v == low { text += "▼" } else { text += " " }
          } else {
            text += " "
          }
          return text
        })
    }
    let labels = cells.map { frame.groupKey($0 - cells.lowerBound).joined(separator: " | ") }
    // Split the metric columns into chunks that fit the width.
    var out = ""
    let labelWidth = (labels.map(\.count).max() ?? 5) + 2
    var start = 0
    while start < metrics.count {
      var used = labelWidth
      var end = start
      while end < metrics.count {
        let w = max(metrics[end].rawValue.count, 8) + 2
        if end > start && used + w > width { break }
        used += w
        end += 1
      }
      let header = ["group"] + metrics[start..<end].map(\.rawValue)
      let rows = labels.indices.map { r in [labels[r]] + (start..<end).map { columns[$0][r] } }
      out += table(header: header, rows: rows)
      start = end
      if start < metrics.count { out += "\n" }
    }
    return out
  }

  private func aggregateTable(control c: Int) -> String {
    let v = report.frame.values
    var rows: [[String]] = []
    for (m, metric) in report.frame.metrics.enumerated() where metric != .count {
      let d = v.differenceBetweenGroups[c][m]
      let r = v.ratioBetweenGroups[c][m]
      let bad =
        metric.isBoundedRate && ((d.map { $0 > 0.1 } ?? false) || (r.map { $0 < 0.8 } ?? false))
      rows.append([
        metric.rawValue, Self.format(v.overall[c][m]), Self.format(v.groupMin[c][m]),
        Self.format(v.groupMax[c][m]),
        Self.format(d), Self.format(v.differenceToOverall[c][m]), Self.format(r),
        Self.format(v.ratioToOverall[c][m]),
        bad ? flag("!") : "",
      ])
    }
    return table(
      header: ["", "overall", "min", "max", "diff", "diff→overall", "ratio", "ratio→overall", ""],
      rows: rows)
  }

  /// A plain text table: first column left-aligned, the others right-aligned.
  private func table(header: [String], rows: [[String]]) -> String {
    func visible(_ s: String) -> Int {
      var count = 0
      var inEscape = false
      for ch in s {
        if ch == "\u{1B}" { inEscape = true; continue }
        if inEscape { if ch == "m" { inEscape = false }; continue }
        count += 1
      }
      return count
    }
    var widths = header.map(visible)
    for row in rows {
      for (k, cell) in row.enumerated() where k < widths.count {
        widths[k] = max(widths[k], visible(cell))
      }
    }
    func line(_ cells: [String]) -> String {
      var text = " "
      for (k, cell) in cells.enumerated() {
        let pad = String(repeating: " ", count: widths[k] - visible(cell))
        text += k == 0 ? " " + cell + pad : "  " + pad + cell
      }
      while text.hasSuffix(" ") { text.removeLast() }
      return text + "\n"
    }
    var out = line(header)
    out +=
      " "
      + widths.enumerated().map { k, w in String(repeating: "─", count: w + (k == 0 ? 1 : 2)) }
      .joined() + "\n"
    for row in rows { out += line(row) }
    return out
  }
}
