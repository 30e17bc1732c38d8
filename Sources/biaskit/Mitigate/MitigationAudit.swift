import BiasKit
import Foundation

/// `--then-audit`: the library's ``MitigationAudit`` (the audit of `biaskit audit` on the
/// decisions before and after mitigation) rendered as a table.
extension MitigationAudit {
  /// Overall metrics, differences between groups and fairness scalars, before and after.
  func comparisonTable() -> String {
    func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "—" }
    var rows: [[String]] = [["", "before", "after", "change"]]
    let b = before.frame
    let a = after.frame
    func change(_ x: Double?, _ y: Double?) -> Double? { x.flatMap { x in y.map { x - $0 } } }
    for metric in MitigationAudit.metrics where metric != .count {
      let (x, y) = (b.overall(metric), a.overall(metric))
      rows.append([metric.rawValue, f(x), f(y), f(change(y, x))])
    }
    for metric in MitigationAudit.metrics
    where [.selectionRate, .truePositiveRate, .falsePositiveRate, .accuracy].contains(metric) {
      let x = b.aggregate(.differenceBetweenGroups, metric)
      let y = a.aggregate(.differenceBetweenGroups, metric)
      rows.append(["difference \(metric.rawValue)", f(x), f(y), f(change(y, x))])
    }
    for measure in FairnessMeasure.allCases {
      let (x, y) = (b.fairness(measure), a.fairness(measure))
      rows.append([measure.rawValue, f(x), f(y), f(change(y, x))])
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
