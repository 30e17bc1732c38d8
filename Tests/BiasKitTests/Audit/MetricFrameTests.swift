import Foundation
import Testing

@testable import BiasKit

@Suite("MetricFrame against fairlearn")
struct MetricFrameTests {
  static let adultColumns = AuditColumns(
    yTrue: "y_true", yPred: "y_pred", yScore: "y_score", sensitive: ["sex", "race"])

  static func adult(_ sensitive: [String]) throws -> AuditTable {
    var columns = adultColumns
    columns.sensitive = sensitive
    return try AuditTable(
      path: TestData.packageRoot.appendingPathComponent("Examples/adult-predictions.csv").path,
      columns: columns)
  }

  @Test("the shared fairlearn reference on Adult", arguments: ["sex", "race", "sex_x_race"])
  func sharedAdultReference(set: String) throws {
    let reference = try #require(
      try TestData.json(TestData.shared("reference/adult_audit_fairlearn.json")) as? [String: Any])
    let sets = try #require(reference["sensitive_sets"] as? [String: [String: Any]])
    let entry = try #require(sets[set])
    let features = try #require(entry["sensitive_features"] as? [String])
    let table = try Self.adult(features)
    let metrics: [Metric] = [
      .accuracy, .selectionRate, .truePositiveRate, .falsePositiveRate, .precision, .recall,
      .balancedAccuracy, .count,
    ]
    let frame = try MetricFrame(metrics: metrics, data: table.data, sensitive: table.sensitive)
    let checked = ReferenceComparison().check(
      frame, against: entry["metric_frame"] as! [String: Any], label: set)
    #expect(checked > 50)
    let fairness = try #require(entry["fairness"] as? [String: Double])
    for measure in FairnessMeasure.allCases {
      guard let expected = fairness[measure.rawValue] else { continue }
      let actual = try #require(frame.fairness(measure))
      #expect(
        abs(actual - expected) <= 1e-12, "\(set) \(measure.rawValue): \(actual) vs \(expected)")
    }
  }
}
