import Foundation
import Testing

@testable import BiasKit

/// Compares a MetricFrame with a fairlearn-shaped reference (the flat JSON of
/// `../shared/reference/adult_audit_fairlearn.json` and `Fixtures/Audit/*.json`):
/// `{overall: {metric: v}, by_group: {metric: {"A|B": v}}, difference_between_groups: …}`;
/// with control features each aggregate is keyed by the control level too.
struct ReferenceComparison {
  var tolerance = 1e-12
  /// Reference metric names that differ from BiasKit's.
  static let aliases = ["tpr": "true_positive_rate", "fpr": "false_positive_rate"]

  static func metric(_ name: String) -> Metric? { Metric(name: aliases[name] ?? name) }

  /// Compares `frame` with `reference` and returns the number of values checked.
  @discardableResult
  func check(_ frame: MetricFrame, against reference: [String: Any], label: String) -> Int {
    var checked = 0
    let hasControl = !frame.controlFeatures.isEmpty
    func compare(_ actual: Double?, _ expected: Any?, _ what: String) {
      checked += 1
      let e = expected as? Double
      switch (actual, e) {
      case (nil, nil): break
      case (let a?, let e?):
        let ok = abs(a - e) <= tolerance * max(1, abs(e))
        #expect(ok, "\(label) \(what): \(a) vs fairlearn \(e)")
      default:
        Issue.record(
          "\(label) \(what): \(String(describing: actual)) vs fairlearn \(String(describing: expected))"
        )
      }
    }
    func controlIndex(_ key: String) -> Int? {
      (0..<frame.controlCount).first { frame.controlKey($0).joined(separator: "|") == key }
    }
    for (name, raw) in reference["overall"] as? [String: Any] ?? [:] {
      guard let metric = Self.metric(name), frame.metrics.contains(metric) else { continue }
      if hasControl {
        for (key, value) in raw as? [String: Any] ?? [:] {
          guard let c = controlIndex(key) else {
            Issue.record("\(label): control level \(key) missing"); continue
          }
          compare(frame.overall(metric, control: c), value, "overall \(name) [\(key)]")
        }
      } else {
        compare(frame.overall(metric), raw, "overall \(name)")
      }
    }
    for (name, groups) in reference["by_group"] as? [String: [String: Any]] ?? [:] {
      guard let metric = Self.metric(name), frame.metrics.contains(metric) else { continue }
      for (key, value) in groups {
        let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let controlPart = parts.prefix(frame.controlFeatures.count).joined(separator: "|")
        let groupPart = Array(parts.dropFirst(frame.controlFeatures.count))
        guard let g = (0..<frame.groupCount).first(where: { frame.groupKey($0) == groupPart })
        else {
          Issue.record("\(label): group \(key) missing")
          continue
        }
        let c = hasControl ? controlIndex(controlPart) ?? 0 : 0
        compare(frame.value(metric, group: g, control: c), value, "by_group \(name) [\(key)]")
      }
    }
    for aggregate in Aggregate.allCases {
      let key = aggregate.rawValue
      for (name, raw) in reference[key] as? [String: Any] ?? [:] {
        guard let metric = Self.metric(name), frame.metrics.contains(metric) else { continue }
        if hasControl {
          for (level, value) in raw as? [String: Any] ?? [:] {
            guard let c = controlIndex(level) else { continue }
            compare(
              frame.aggregate(aggregate, metric, control: c), value, "\(key) \(name) [\(level)]")
          }
        } else {
          compare(frame.aggregate(aggregate, metric), raw, "\(key) \(name)")
        }
      }
    }
    return checked
  }
}
