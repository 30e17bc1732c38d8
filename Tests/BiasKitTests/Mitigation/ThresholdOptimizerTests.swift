import Foundation
import Testing

@testable import BiasKit

/// The logistic regression of the reference, fitted once and shared by the post-processing tests.
enum AdultModel {
  static let model: LogisticRegression.Model = try! LogisticRegression().fitted(
    features: AdultDesign.train.features, labels: AdultDesign.train.labels)
  static let trainScores = model.probabilities(AdultDesign.train.features)
  static let testScores = model.probabilities(AdultDesign.test.features)
  static let trainGroups = SensitiveGroups(AdultDesign.train.sex)
  static let testGroups = try! trainGroups.encode(AdultDesign.test.sex)
  static let trainLabels = AdultDesign.train.labels.map { UInt8($0) }
  static let testLabels = AdultDesign.test.labels.map { UInt8($0) }
}

/// Expected accuracy, selection rate and violation (DP or EO) of expected predictions `p`.
func expectedSummary(_ p: [Double], labels: [UInt8], groups: SensitiveGroups)
  -> (accuracy: Double, selectionRate: Double, dp: Double, eo: Double)
{
  let summary = ExpectedOutcome(probabilities: p, labels: labels, groups: groups)
  return (summary.accuracy, summary.selectionRate, summary.demographicParityDifference,
    summary.equalizedOddsDifference)
}

@Suite("Mitigation.ThresholdOptimizer")
struct ThresholdOptimizerTests {
  @Test("demographic parity on Adult matches fairlearn 0.15 within 0.002",
    .enabled(if: TestData.sharedIsAvailable))
  func demographicParityMatchesFairlearn() throws {
    let start = Date()
    let model = try ThresholdOptimizer(constraint: .demographicParity)
      .fitted(scores: AdultModel.trainScores, labels: AdultModel.trainLabels, groups: AdultModel.trainGroups)
    let p = try model.positiveProbabilities(scores: AdultModel.testScores, groups: AdultModel.testGroups)
    print("INFO threshold optimizer fit+predict \(Date().timeIntervalSince(start)) s")
    let s = expectedSummary(p, labels: AdultModel.testLabels, groups: AdultModel.testGroups)
    let ref = "threshold_optimizer_demographic_parity_fairlearn"
    print("INFO TO dp", s, model.rules)
    #expect(abs(s.accuracy - referenceNumber(ref, "results", "test_expected_accuracy")) < 0.002)
    #expect(abs(s.dp - referenceNumber(ref, "results", "test_expected_violation_dp")) < 0.002)
    #expect(abs(s.selectionRate - referenceNumber(ref, "results", "test_expected_selection_rate")) < 0.002)
    // The rules themselves: same probabilities (exactly, they are count ratios) and thresholds.
    for (a, name) in model.groupNames.enumerated() {
      let p0 = referenceNumber(ref, "results", "interpolation", name, "p0")
      #expect(abs(model.rules[a].p0 - p0) < 1e-12, "\(name)")
      let op0 = referenceValue(ref, "results", "interpolation", name, "operation0") as! String
      let t0 = Double(op0.dropFirst(2).dropLast())!
      #expect(abs(model.rules[a].operation0.threshold - t0) < 1e-6, "\(name)")
    }
    var generator = SeededGenerator(seed: 0)
    let hard = try model.predictions(scores: AdultModel.testScores, groups: AdultModel.testGroups, using: &generator)
    let hardAccuracy = Double(zip(hard, AdultModel.testLabels).filter { $0 == $1 }.count) / Double(hard.count)
    #expect(abs(hardAccuracy - s.accuracy) < 0.01)
  }

  @Test("every constraint and objective matches fairlearn (fixture)", .enabled(if: TestData.sharedIsAvailable))
  func allConstraintsMatchFixture() throws {
    let cases = try TestData.json(TestData.fixture("Mitigation/threshold_optimizer.json")) as! [[String: Any]]
    #expect(cases.count >= 8)
    for c in cases {
      let constraint = ThresholdOptimizer.Constraint(rawValue: c["constraints"] as! String)!
      let objective = ThresholdOptimizer.Objective(rawValue: c["objective"] as! String)!
      let flip = c["flip"] as! Bool
      let model = try ThresholdOptimizer(constraint: constraint, objective: objective, flip: flip)
        .fitted(scores: AdultModel.trainScores, labels: AdultModel.trainLabels, groups: AdultModel.trainGroups)
      let p = try model.positiveProbabilities(scores: AdultModel.testScores, groups: AdultModel.testGroups)
      let s = expectedSummary(p, labels: AdultModel.testLabels, groups: AdultModel.testGroups)
      let label = "\(constraint) \(objective) flip=\(flip)"
      #expect(abs(s.accuracy - (c["test_expected_accuracy"] as! Double)) < 0.002, "\(label)")
      #expect(abs(s.selectionRate - (c["test_expected_selection_rate"] as! Double)) < 0.002, "\(label)")
      #expect(abs(s.dp - (c["test_expected_violation_dp"] as! Double)) < 0.002, "\(label)")
      #expect(abs(s.eo - (c["test_expected_violation_eo"] as! Double)) < 0.002, "\(label)")
    }
  }

  @Test("a group whose labels have one class is an error")
  func degenerateLabels() {
    let groups = SensitiveGroups(["a", "a", "b", "b"])
    #expect(throws: BiasKitError.self) {
      _ = try ThresholdOptimizer().fitted(scores: [0.1, 0.9, 0.2, 0.8], labels: [0, 1, 1, 1], groups: groups)
    }
  }

  @Test("equalized odds refuses objectives other than accuracy and balanced accuracy")
  func equalizedOddsObjective() {
    let groups = SensitiveGroups(["a", "a", "b", "b"])
    #expect(throws: BiasKitError.self) {
      _ = try ThresholdOptimizer(constraint: .equalizedOdds, objective: .selectionRate)
        .fitted(scores: [0.1, 0.9, 0.2, 0.8], labels: [0, 1, 0, 1], groups: groups)
    }
  }
}
