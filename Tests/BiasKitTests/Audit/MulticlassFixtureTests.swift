import Foundation
import Testing

@testable import BiasKit

/// Every case of `Fixtures/Audit/audit-multiclass.json` (made with scikit-learn 1.9.1 and
/// fairlearn 0.15 by `make_multiclass_fixtures.py`): the multiclass metrics, their aggregates,
/// each group's confusion matrix, every class's one-vs-rest rates and fairness scalars, and
/// the worst over the classes, within 1e-12.
@Suite("Multiclass audit fixtures from scikit-learn and fairlearn")
struct MulticlassFixtureTests {
  static let file = "Audit/audit-multiclass.json"

  static var cases: [String] {
    guard let root = try? TestData.json(TestData.fixture(file)) as? [String: Any],
      let cases = root["cases"] as? [String: Any]
    else { return [] }
    return cases.keys.sorted()
  }

  static func spec(_ name: String) throws -> [String: Any] {
    let root = try #require(try TestData.json(TestData.fixture(file)) as? [String: Any])
    return try #require((root["cases"] as? [String: Any])?[name] as? [String: Any])
  }

  @Test("multiclass fixture case", arguments: cases)
  func fixtureCase(_ name: String) throws {
    let spec = try Self.spec(name)
    let columns = try #require(spec["columns"] as? [String: Any])
    let metrics = try (spec["metrics"] as? [String] ?? []).map { name in
      try #require(Metric(name: name), "\(name)")
    }
    let scores = columns["y_score"] as? [String]
    let auditColumns = AuditColumns(
      task: .multiclass, yTrue: "y_true", yPred: "y_pred",
      sensitive: spec["sensitive_features"] as! [String],
      control: spec["control_features"] as? [String] ?? [],
      sampleWeight: columns["sample_weight"] as? String,
      classScores: scores.map { .columns($0) })
    let path = TestData.packageRoot.appendingPathComponent(spec["input"] as! String).path
    let table = try AuditTable(path: path, columns: auditColumns)
    let frame = try MetricFrame(
      metrics: metrics, data: table.data, sensitive: table.sensitive, control: table.control,
      options: AuditOptions(topK: 2))
    #expect(frame.classes == spec["classes"] as? [String])
    let keys = try #require(spec["group_keys"] as? [String])
    let ours = (0..<(frame.controlCount * frame.groupCount)).map { cell -> String in
      let control = frame.controlFeatures.isEmpty ? [] : frame.controlKey(cell / frame.groupCount)
      return (control + frame.groupKey(cell % frame.groupCount)).joined(separator: "|")
    }
    #expect(ours == keys)
    let checked = ReferenceComparison().check(
      frame, against: spec["metric_frame"] as! [String: Any], label: name)
    #expect(checked >= metrics.count * 7)

    // Confusion matrices of the groups that have rows.
    let matrices = try #require(spec["confusion_matrices"] as? [String: [[Int]]])
    for (cell, key) in ours.enumerated() {
      let counts = frame.statistics[cell].classes
      let k = frame.classes.count
      let rows = counts.map { c in (0..<k).map { t in Array(c.counts[(t * k)..<((t + 1) * k)]) } }
      if let expected = matrices[key] {
        #expect(rows == expected, "\(name) confusion matrix \(key)")
      } else {
        #expect(counts?.rows ?? 0 == 0, "\(name) \(key) should be empty")
      }
    }

    // One-vs-rest audits and fairness per class, and the worst over the classes.
    let classAudit = ClassAudit(frame: frame)
    let oneVsRest = try #require(spec["one_vs_rest"] as? [String: [String: Any]])
    for (c, label) in classAudit.classes.enumerated() {
      let reference = try #require(oneVsRest[label], "class \(label)")
      let ovr = classAudit.oneVsRest[c]
      let n = ReferenceComparison().check(
        ovr, against: reference["metric_frame"] as! [String: Any], label: "\(name) [\(label)]")
      #expect(n >= ovr.metrics.count * 7)
      for (measureName, expected) in reference["fairness"] as? [String: Any] ?? [:] {
        let (measure, method) = try Self.measure(measureName)
        comparePerControl(frame, expected, "\(name) [\(label)] \(measureName)") {
          classAudit.fairness(measure, class: c, method: method, control: $0)
        }
      }
    }
    for (measureName, expected) in spec["worst_over_classes"] as? [String: Any] ?? [:] {
      let (measure, method) = try Self.measure(measureName)
      comparePerControl(frame, expected, "\(name) worst \(measureName)") {
        classAudit.fairness(measure, method: method, control: $0)
      }
    }
  }

  static func measure(_ name: String) throws -> (FairnessMeasure, AggregateMethod) {
    if name.hasSuffix("_to_overall") {
      return (try #require(FairnessMeasure(rawValue: String(name.dropLast(11)))), .toOverall)
    }
    return (try #require(FairnessMeasure(rawValue: name)), .betweenGroups)
  }

  /// A scalar, or with control features a `{level: value}` map.
  func comparePerControl(
    _ frame: MetricFrame, _ expected: Any, _ label: String, _ value: (Int) -> Double?
  ) {
    if frame.controlFeatures.isEmpty {
      compare(value(0), expected, label)
      return
    }
    let map = expected as? [String: Any] ?? [:]
    #expect(map.count == frame.controlCount, "\(label): control levels")
    for c in 0..<frame.controlCount {
      let key = frame.controlKey(c).joined(separator: "|")
      compare(value(c), map[key] as Any, "\(label) [\(key)]")
    }
  }

  func compare(_ actual: Double?, _ expected: Any, _ label: String) {
    switch (actual, expected as? Double) {
    case (nil, nil): break
    case (let a?, let e?): #expect(abs(a - e) <= 1e-12 * max(1, abs(e)), "\(label): \(a) vs \(e)")
    default: Issue.record("\(label): \(String(describing: actual)) vs \(expected)")
    }
  }
}
