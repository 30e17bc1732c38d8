import Foundation
import Testing

@testable import BiasKit

@Suite("Mitigation.ExponentiatedGradient", .heavy)
struct ExponentiatedGradientTests {
  @Test(
    "demographic parity on Adult matches fairlearn 0.15 within 0.002",
    .enabled(if: TestData.sharedIsAvailable))
  func demographicParityOnAdult() throws {
    let train = AdultDesign.train
    let start = Date()
    let model = try ExponentiatedGradient(constraint: .demographicParity())
      .fitted(
        features: train.features, labels: AdultModel.trainLabels, groups: AdultModel.trainGroups)
    let seconds = Date().timeIntervalSince(start)
    let p = model.classifier.positiveProbabilities(AdultDesign.test.features)
    let s = try ExpectedOutcome(
      probabilities: p, labels: AdultModel.testLabels, groups: AdultModel.testGroups)
    let ptr = model.classifier.positiveProbabilities(train.features)
    let str = try ExpectedOutcome(
      probabilities: ptr, labels: AdultModel.trainLabels, groups: AdultModel.trainGroups)
    print(
      "INFO EG dp \(seconds) s, predictors \(model.classifier.predictors.count), weights \(model.classifier.weights), last \(model.lastIteration), calls \(model.oracleCalls), gap \(model.bestGap), acc \(s.accuracy), dp \(s.demographicParityDifference), train dp \(str.demographicParityDifference)"
    )
    let ref = "exponentiated_gradient_demographic_parity_fairlearn"
    #expect(abs(s.accuracy - referenceNumber(ref, "results", "test_expected_accuracy")) < 0.002)
    #expect(
      abs(
        s.demographicParityDifference - referenceNumber(ref, "results", "test_expected_violation"))
        < 0.002)
    #expect(
      abs(
        str.demographicParityDifference
          - referenceNumber(ref, "results", "train_expected_violation")) < 0.002)
    #expect(
      abs(s.selectionRate - referenceNumber(ref, "results", "test_expected_selection_rate")) < 0.002
    )
  }
}

@Suite("Mitigation.ExponentiatedGradient.Constraints", .heavy)
struct ExponentiatedGradientConstraintTests {
  static let cases: [(String, UtilityParity)] = [
    ("demographic_parity", .demographicParity()),
    ("demographic_parity_ratio", .demographicParity(.ratio(0.9, slack: 0))),
    ("equalized_odds", .equalizedOdds()),
    ("true_positive_rate_parity", .truePositiveRateParity()),
    ("false_positive_rate_parity", .falsePositiveRateParity()),
    ("error_rate_parity", .errorRateParity()),
  ]

  @Test(
    "each moment matches fairlearn 0.15 on 6000 Adult rows (fixture)",
    .enabled(if: TestData.sharedIsAvailable), arguments: 0..<6)
  func momentMatchesFixture(index: Int) throws {
    let (name, parity) = Self.cases[index]
    let fixture =
      try TestData.json(TestData.fixture("Mitigation/reductions.json")) as! [String: Any]
    let rows = fixture["rows"] as! Int
    let ref = (fixture["exponentiated_gradient"] as! [String: Any])[name] as! [String: Any]
    let train = AdultDesign.train.prefix(rows)
    let labels = train.labels.map { UInt8($0) }
    let groups = Groups(train.sex)
    let model = try ExponentiatedGradient(constraint: parity).fitted(
      features: train.features, labels: labels, groups: groups)
    let p = model.classifier.positiveProbabilities(AdultDesign.test.features)
    let s = try ExpectedOutcome(
      probabilities: p, labels: AdultModel.testLabels, groups: AdultModel.testGroups)
    print(
      "INFO EG \(name): acc \(s.accuracy) vs \(ref["test_expected_accuracy"]!), predictors \(model.classifier.predictors.count) vs \(ref["n_predictors"]!), last \(model.lastIteration) vs \(ref["last_iter"]!), calls \(model.oracleCalls) vs \(ref["n_oracle_calls"]!)"
    )
    #expect(abs(s.accuracy - (ref["test_expected_accuracy"] as! Double)) < 0.002, "\(name)")
    #expect(
      abs(s.selectionRate - (ref["test_expected_selection_rate"] as! Double)) < 0.002, "\(name)")
    #expect(
      abs(s.demographicParityDifference - (ref["test_expected_violation_dp"] as! Double)) < 0.002,
      "\(name)")
    #expect(
      abs(s.equalizedOddsDifference - (ref["test_expected_violation_eo"] as! Double)) < 0.002,
      "\(name)")
  }
}

@Suite("Mitigation.GridSearch", .heavy)
struct GridSearchTests {
  @Test(
    "demographic parity and equalized odds match fairlearn 0.15 on 6000 Adult rows (fixture)",
    .enabled(if: TestData.sharedIsAvailable), arguments: ["demographic_parity", "equalized_odds"])
  func matchesFixture(name: String) throws {
    let fixture =
      try TestData.json(TestData.fixture("Mitigation/reductions.json")) as! [String: Any]
    let rows = fixture["rows"] as! Int
    let ref = (fixture["grid_search"] as! [String: Any])[name] as! [String: Any]
    let train = AdultDesign.train.prefix(rows)
    let parity: UtilityParity = name == "equalized_odds" ? .equalizedOdds() : .demographicParity()
    let model = try GridSearch(constraint: parity)
      .fitted(
        features: train.features, labels: train.labels.map { UInt8($0) },
        groups: Groups(train.sex))
    #expect(model.predictors.count == ref["n_predictors"] as! Int)
    #expect(model.bestIndex == ref["best_idx"] as! Int)
    let lambdaBest = (ref["lambda_best"] as! [NSNumber]).map(\.doubleValue)
    for (a, b) in zip(model.lambdas[model.bestIndex], lambdaBest) { #expect(abs(a - b) < 1e-12) }
    let p = model.predictions(AdultDesign.test.features).map(Double.init)
    let s = try ExpectedOutcome(
      probabilities: p, labels: AdultModel.testLabels, groups: AdultModel.testGroups)
    #expect(abs(s.accuracy - (ref["test_expected_accuracy"] as! Double)) < 0.002)
    #expect(
      abs(s.demographicParityDifference - (ref["test_expected_violation_dp"] as! Double)) < 0.002)
    #expect(abs(s.equalizedOddsDifference - (ref["test_expected_violation_eo"] as! Double)) < 0.002)
  }
}
