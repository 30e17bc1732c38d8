import Foundation
import Testing

@testable import BiasKit

/// Every case of `Fixtures/Audit/audit-*.json` (made with fairlearn 0.15, scikit-learn 1.9.1 and
/// aif360 0.6.1 by `make_audit_fixtures.py`): all metrics, aggregates and fairness scalars within
/// 1e-12, including weights, control features, string labels, regression and degenerate groups.
@Suite("Audit fixtures from fairlearn, scikit-learn and aif360")
struct AuditFixtureTests {
  static let files = [
    "audit-adult.json", "audit-compas.json", "audit-edge.json", "audit-labels.json",
  ]

  static var cases: [(file: String, name: String)] {
    files.flatMap { file -> [(String, String)] in
      guard let root = try? TestData.json(TestData.fixture("Audit/\(file)")) as? [String: Any],
        let cases = root["cases"] as? [String: Any]
      else { return [] }
      return cases.keys.sorted().map { (file, $0) }
    }
  }

  @Test("fixture case", arguments: cases.map { "\($0.file)#\($0.name)" })
  func fixtureCase(_ id: String) throws {
    let parts = id.split(separator: "#").map(String.init)
    let root = try #require(
      try TestData.json(TestData.fixture("Audit/\(parts[0])")) as? [String: Any])
    let spec = try #require((root["cases"] as? [String: Any])?[parts[1]] as? [String: Any])
    let columns = try #require(spec["columns"] as? [String: Any])
    let task = AuditColumns.Task(rawValue: spec["task"] as? String ?? "classification")!
    let metrics = try (spec["metrics"] as? [String] ?? []).map { name in
      try #require(Metric(name: name), "\(name)")
    }
    let params = spec["params"] as? [String: Any] ?? [:]
    let options = AuditOptions(
      bins: params["bins"] as? Int ?? 10, alpha: params["alpha"] as? Double ?? 2)
    let auditColumns = AuditColumns(
      task: task, yTrue: columns["y_true"] as! String, yPred: columns["y_pred"] as! String,
      yScore: task == .classification && metrics.contains { $0.requirement == .scores }
        ? columns["y_score"] as? String : nil,
      sensitive: spec["sensitive_features"] as! [String],
      control: spec["control_features"] as? [String] ?? [],
      sampleWeight: columns["sample_weight"] as? String, positiveLabel: spec["pos_label"] as? String
    )
    let path = TestData.packageRoot.appendingPathComponent(spec["input"] as! String).path
    let table = try AuditTable(path: path, columns: auditColumns)
    let frame = try MetricFrame(
      metrics: metrics, data: table.data, sensitive: table.sensitive, control: table.control,
      options: options)
    // The group order is fairlearn's.
    let keys = try #require(spec["group_keys"] as? [String])
    let ours = (0..<(frame.controlCount * frame.groupCount)).map { cell -> String in
      let control = frame.controlFeatures.isEmpty ? [] : frame.controlKey(cell / frame.groupCount)
      return (control + frame.groupKey(cell % frame.groupCount)).joined(separator: "|")
    }
    #expect(ours == keys)
    let checked = ReferenceComparison().check(
      frame, against: spec["metric_frame"] as! [String: Any], label: id)
    #expect(checked >= metrics.count * 7)

    if let fairness = spec["fairness"] as? [String: Any] {
      let mean = frame.aggregated(.mean)
      for (name, expected) in fairness {
        var lookup = name
        var source = frame
        var method = AggregateMethod.betweenGroups
        if lookup.hasSuffix("_to_overall") {
          lookup = String(lookup.dropLast(11))
          method = .toOverall
        }
        if lookup.hasSuffix("_mean") {
          lookup = String(lookup.dropLast(5))
          source = mean
        }
        let measure = try #require(FairnessMeasure(rawValue: lookup), "\(name)")
        comparePerControl(frame, expected, "\(id) \(name)") {
          source.fairness(measure, method: method, control: $0)
        }
      }
    }
    if let between = spec["between_groups"] as? [String: Any] {
      for (name, expected) in between {
        let index = try #require(BetweenGroupIndex(rawValue: name))
        comparePerControl(frame, expected, "\(id) \(name)") {
          frame.inequality(index, control: $0)
        }
      }
    }
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
