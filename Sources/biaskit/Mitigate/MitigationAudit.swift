import BiasKit
import Foundation

/// `--then-audit`: the library's ``MitigationAudit`` (the audit of `biaskit audit` on the
/// decisions before and after mitigation) rendered as a table.
extension MitigationAudit {
  /// Overall metrics, differences between groups and fairness scalars, before and after.
  func comparisonTable() -> String {
    func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "—" }
    var rows: [[String]] = [["", "before", "after", "change"]]
    let b = before.frame.values
    let a = after.frame.values
    for (m, metric) in MitigationAudit.metrics.enumerated() where metric != .count {
      rows.append([
        metric.rawValue, f(b.overall[0][m]), f(a.overall[0][m]),
        f(a.overall[0][m].flatMap { x in b.overall[0][m].map { x - $0 } }),
      ])
    }
    for (m, metric) in MitigationAudit.metrics.enumerated()
    where [.selectionRate, .truePositiveRate, .falsePositiveRate, .accuracy].contains(metric) {
      rows.append([
        "difference \(metric.rawValue)", f(b.differenceBetweenGroups[0][m]),
        f(a.differenceBetweenGroups[0][m]),
        f(
          a.differenceBetweenGroups[0][m].flatMap { x in
            b.differenceBetweenGroups[0][m].map { x - $0 }
          }),
      ])
    }
    for (k, measure) in FairnessMeasure.allCases.enumerated() {
      rows.append([
        measure.rawValue, f(b.fairness[0][k]), f(a.fairness[0][k]),
        f(a.fairness[0][k].flatMap { x in b.fairness[0][k].map { x - $0 } }),
      ])
    }
    let widths = (0..<4).map { c in rows.map { $0[c].count }.max() ?? 0 }
    var out =
      "\nAudit of the predictions on \(source), before and after mitigation (\(after.frame.rowCount) rows, "
      + "groups: \((0..<after.frame.groupCount).map { after.frame.groupKey($0).joined(separator: " × ") }.joined(separator: ", ")))\n"
    for (r, row) in rows.enumerated() {
      out += "  " + row[0].padding(toLength: widths[0], withPad: " ", startingAt: 0)
      for c in 1..<4 {
        out += "  " + String(repeating: " ", count: widths[c] - row[c].count) + row[c]
      }
      out += "\n"
      if r == 0 { out += "  " + String(repeating: "─", count: widths.reduce(0, +) + 6) + "\n" }
    }
    return out
  }
}
