import BiasKit
import Foundation

/// `--then-audit`: the audit of `biaskit audit` on the test predictions of the unmitigated model
/// (the built-in learner fitted without mitigation, or `--score ≥ 0.5`) and of the mitigated one,
/// with the same metrics and groups, shown side by side.
struct MitigationAudit {
  var before: AuditReport
  var after: AuditReport
  /// The file whose rows were audited (the test file, else the training file).
  var source: String

  static let metrics: [Metric] = Metric.confusionMetrics

  init(
    data: MitigationData, learner: LogisticRegression, after predictions: [UInt8],
    set: MitigationSet
  ) throws {
    let baseline: [UInt8]
    if let scores = set.scores {
      baseline = scores.map { $0 >= 0.5 ? 1 : 0 }
    } else {
      var warnings: [String] = []
      let model = try data.fitLearner(learner, warnings: &warnings)
      baseline = model.predictions(set.features).map { UInt8($0) }
    }
    let groups = set.groups
    func report(_ predictions: [UInt8]) throws -> AuditReport {
      let frame = try MetricFrame(
        metrics: MitigationAudit.metrics,
        data: .classification(labels: set.labels, predictions: predictions),
        sensitive: groups)
      return AuditReport(frame: frame)
    }
    source = set.path
    before = try report(baseline)
    after = try report(predictions)
  }

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
