import Foundation
import Testing

@testable import BiasKit

/// The README's Swift examples, line for line (issue 12: an audit, a resampling and a
/// mitigation with a custom learner, each ≤ 15 lines and without force unwraps). The
/// mitigation example is `ReadmeMitigationExampleTests` (with its `Stump` learner).
@Suite("README: the Swift examples")
struct ReadmeExamplesTests {
  @Test("the audit example audits the shipped predictions as the CLI does")
  func audit() throws {
    let path = TestData.packageRoot.appendingPathComponent("Examples/adult-predictions.csv").path
    // README:
    var request = AuditRequest(
      source: .file(path),
      columns: AuditColumns(
        yTrue: "y_true", yPred: "y_pred", yScore: "y_score", sensitive: ["sex", "race"]))
    request.metrics = [.accuracy, .selectionRate, .truePositiveRate, .rocAUC]
    request.bootstrap = Bootstrap(samples: 200, seed: 1)
    let frame = try request.evaluated().report.frame
    for cell in frame.cells {
      print(frame.groupKey(cell.group), frame.value(.selectionRate, in: cell) ?? .nan)
    }
    print(frame.overall(.accuracy) ?? .nan, frame.fairness(.demographicParityDifference) ?? .nan)
    // End of the README example.
    #expect(frame.overall(.accuracy) == 0.8530188563356059)
    #expect(frame.cells.count == frame.groupCount)
    #expect((frame.fairness(.demographicParityDifference) ?? 0) > 0)
  }

  @Test("the resampling example balances the classes")
  func resampling() throws {
    // README:
    let features = Matrix(
      rows: 8, columns: 2, values: [0, 0, 1, 1, 0, 1, 1, 0, 5, 5, 6, 6, 5, 6, 9, 9])
    let labels = [0, 0, 0, 0, 0, 0, 1, 1]
    let resampled = try SMOTE(neighborCount: 1).fitResample(
      features: features, labels: labels, seed: 7)
    print(resampled.stats(from: labels), resampled.synthetic.rows)
    // End of the README example.
    #expect(resampled.synthetic.rows == 4)
    #expect(resampled.labels(from: labels).filter { $0 == 1 }.count == 6)
  }
}
