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
  /// The rule that made the predictions from the scores, if any.
  var selection: ScoreSelection?

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
    let layout = frame.layout
    let escape = TerminalText.escaped
    var out = ""
    let features = frame.sensitiveFeatures.map(escape).joined(separator: " × ")
    out +=
      bold("BiasKit audit")
      + " · \(escape(source)) · \(frame.rowCount) rows · groups: \(features) (\(frame.groupCount))"
    if layout.hasControl {
      out += " · control: \(frame.controlFeatures.map(escape).joined(separator: " × "))"
    }
    switch selection {
    case .threshold(let t)?: out += " · predictions: score ≥ \(t)"
    case .topK(let k)?: out += " · predictions: top \(k) scores"
    case .topFraction(let f)?: out += " · predictions: top \(f) of the rows by score"
    case nil: break
    }
    out += "\n"
    func suffix(_ c: Int) -> String {
      layout.hasControl
        ? " — \(escape(frame.controlFeatures.joined(separator: "|"))) = \(escape(layout.controlKey(c).joined(separator: "|")))"
        : ""
    }
    for c in 0..<layout.controlCount {
      out += "\n" + bold("Overall" + suffix(c)) + "\n"
      out += table(
        header: ["", "value"],
        rows: frame.metrics.enumerated().map { m, metric in
          [metric.rawValue, Self.format(frame.values.overall(at: m, control: c), metric: metric)]
        })
      out += "\n" + bold("By group" + suffix(c)) + "  (▲ highest, ▼ lowest of each metric)\n"
      out += groupTable(control: c)
      out +=
        "\n" + bold("Differences and ratios" + suffix(c))
        + "  (! difference > 0.1 or ratio < 0.8, for rates)\n"
      out += aggregateTable(control: c)
    }
    if let classAudit = report.classAudit {
      for c in 0..<layout.controlCount {
        out += classTables(classAudit, control: c, suffix: suffix(c))
      }
    }
    for c in 0..<layout.controlCount where frame.isBinary {
      out +=
        "\n" + bold("Fairness" + suffix(c)) + " (equalized odds: \(frame.aggregation.rawValue))\n"
      var rows: [[String]] = []
      for measure in FairnessMeasure.allCases {
        let value = frame.fairness(measure, control: c)
        let bad = value.map { measure.isRatio ? $0 < 0.8 : $0 > 0.1 } ?? false
        rows.append([
          measure.rawValue, Self.format(value),
          Self.format(frame.fairness(measure, method: .toOverall, control: c)),
          bad ? flag("!") : "",
        ])
      }
      for index in BetweenGroupIndex.allCases {
        rows.append([index.rawValue, Self.format(frame.inequality(index, control: c)), "", ""])
      }
      out += table(header: ["", "between groups", "to overall", ""], rows: rows)
    }
    if let intervals = report.intervals {
      let bootstrap = intervals.bootstrap
      out +=
        "\n" + bold("Bootstrap intervals")
        + " (\(bootstrap.samples) samples, seed \(bootstrap.seed), quantiles "
        + bootstrap.quantiles.map { "\($0)" }.joined(separator: ", ") + ")\n"
      var rows: [[String]] = []
      for (m, metric) in frame.metrics.enumerated() {
        rows.append(
          ["overall \(metric.rawValue)"]
            + intervals.values.map { Self.format($0.overall(at: m, control: 0), metric: metric) })
      }
      for (m, metric) in frame.metrics.enumerated() where metric != .count {
        rows.append(
          ["difference \(metric.rawValue)"]
            + intervals.values.map {
              Self.format($0.aggregate(.differenceBetweenGroups, at: m, control: 0))
            })
      }
      for measure in FairnessMeasure.allCases {
        rows.append([measure.rawValue] + intervals.values.map { Self.format($0.fairness(measure)) })
      }
      out += table(header: [""] + bootstrap.quantiles.map { "q\($0)" }, rows: rows)
      out += "(every by-group and aggregate interval is in --format json or csv)\n"
    }
    let (notes, total) = report.notes(limit: 12)
    if !notes.isEmpty {
      out += "\n" + bold("Notes") + "\n"
      for note in notes { out += "  \(escape(note))\n" }
      if total > notes.count { out += "  … and \(total - notes.count) more (see --format json)\n" }
    }
    return out
  }

  /// The multiclass tables of control level `c`: the confusion matrix overall (and of each
  /// group when there are few), each class's one-vs-rest rates, and the fairness scalars per
  /// class with the worst over the classes.
  private func classTables(_ classAudit: ClassAudit, control c: Int, suffix: String) -> String {
    let frame = report.frame
    let layout = frame.layout
    let escape = TerminalText.escaped
    let classes = classAudit.classes.map(escape)
    let k = classes.count
    var out = ""
    func matrix(_ counts: MulticlassCounts) -> String {
      let rows = (0..<k).map { t in
        [classes[t]] + (0..<k).map { String(counts.counts[t * k + $0]) }
      }
      return table(header: ["true \\ predicted"] + classes, rows: rows)
    }
    var total = MulticlassCounts(classCount: k)
    for index in layout.indices(inControl: c) {
      if var counts = frame.statistics[index].classes {
        counts.probabilities = nil
        total.add(counts)
      }
    }
    out += "\n" + bold("Confusion matrix" + suffix) + "  (rows: true class, columns: predicted)\n"
    out += matrix(total)
    let cells = layout.cells(inControl: c)
    if cells.count <= AuditTableRenderer.maximumGroupMatrices {
      for (cell, index) in zip(cells, layout.indices(inControl: c)) {
        guard let counts = frame.statistics[index].classes, counts.rows > 0 else { continue }
        out += "\n  " + escape(layout.groupKey(cell.group).joined(separator: " | ")) + "\n"
        out += matrix(counts)
      }
    } else {
      out += "(each group's matrix is in --format json)\n"
    }
    let rates: [Metric] = [
      .selectionRate, .truePositiveRate, .falsePositiveRate, .precision, .recall, .f1,
    ]
    out += "\n" + bold("One-vs-rest by class" + suffix) + "  (overall value; min–max over groups)\n"
    var rows: [[String]] = []
    for (j, ovr) in classAudit.oneVsRest.enumerated() {
      var row = [classes[j]]
      for metric in rates + [.rocAUC] {
        guard let m = ovr.metrics.firstIndex(of: metric) else { continue }
        let v = ovr.values
        row.append(
          Self.format(v.overall(at: m, control: c)) + " ("
            + Self.format(v.aggregate(.groupMin, at: m, control: c)) + "–"
            + Self.format(v.aggregate(.groupMax, at: m, control: c)) + ")")
      }
      rows.append(row)
    }
    let shown = (rates + [.rocAUC]).filter {
      classAudit.oneVsRest.first?.metrics.contains($0) ?? false
    }
    out += table(header: ["class"] + shown.map(\.rawValue), rows: rows)
    out +=
      "\n" + bold("Fairness by class" + suffix)
      + " (one-vs-rest, between groups; worst: largest difference, smallest ratio)\n"
    rows = []
    for measure in FairnessMeasure.allCases {
      let worst = classAudit.fairness(measure, control: c)
      let bad = worst.map { measure.isRatio ? $0 < 0.8 : $0 > 0.1 } ?? false
      let worstClass = classAudit.worstClass(measure, control: c).map { classes[$0] } ?? ""
      rows.append(
        [measure.rawValue]
          + (0..<k).map { Self.format(classAudit.fairness(measure, class: $0, control: c)) }
          + [Self.format(worst), worstClass, bad ? flag("!") : ""])
    }
    out += table(header: [""] + classes + ["worst", "class", ""], rows: rows)
    return out
  }

  /// Above this many groups the table shows only the overall confusion matrix.
  static let maximumGroupMatrices = 8

  private func groupTable(control c: Int) -> String {
    let frame = report.frame
    let layout = frame.layout
    let cells = layout.indices(inControl: c)
    let metrics = frame.metrics
    var columns: [[String]] = []
    for (m, metric) in metrics.enumerated() {
      let values = cells.map { frame.values.value(at: m, cellIndex: $0) }
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
    let labels = layout.cells(inControl: c).map {
      TerminalText.escaped(layout.groupKey($0.group).joined(separator: " | "))
    }
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
      let d = v.aggregate(.differenceBetweenGroups, at: m, control: c)
      let r = v.aggregate(.ratioBetweenGroups, at: m, control: c)
      let bad =
        metric.isBoundedRate && ((d.map { $0 > 0.1 } ?? false) || (r.map { $0 < 0.8 } ?? false))
      rows.append([
        metric.rawValue, Self.format(v.overall(at: m, control: c)),
        Self.format(v.aggregate(.groupMin, at: m, control: c)),
        Self.format(v.aggregate(.groupMax, at: m, control: c)),
        Self.format(d), Self.format(v.aggregate(.differenceToOverall, at: m, control: c)),
        Self.format(r), Self.format(v.aggregate(.ratioToOverall, at: m, control: c)),
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
