import Foundation
import Testing

@testable import BiasKit

@Suite("Mitigation.ExponentiatedGradient")
struct ExponentiatedGradientTests {
  @Test("demographic parity on Adult matches fairlearn 0.15 within 0.002",
    .enabled(if: TestData.sharedIsAvailable))
  func demographicParityOnAdult() throws {
    let train = AdultDesign.train
    let start = Date()
    let model = try ExponentiatedGradient(constraint: .demographicParity())
      .fitted(features: train.features, labels: AdultModel.trainLabels, groups: AdultModel.trainGroups)
    let seconds = Date().timeIntervalSince(start)
    let p = model.classifier.positiveProbabilities(AdultDesign.test.features)
    let s = ExpectedOutcome(probabilities: p, labels: AdultModel.testLabels, groups: AdultModel.testGroups)
    let ptr = model.classifier.positiveProbabilities(train.features)
    let str = ExpectedOutcome(probabilities: ptr, labels: AdultModel.trainLabels, groups: AdultModel.trainGroups)
    print("INFO EG dp \(seconds) s, predictors \(model.classifier.predictors.count), weights \(model.classifier.weights), last \(model.lastIteration), calls \(model.oracleCalls), gap \(model.bestGap), acc \(s.accuracy), dp \(s.demographicParityDifference), train dp \(str.demographicParityDifference)")
    let ref = "exponentiated_gradient_demographic_parity_fairlearn"
    #expect(abs(s.accuracy - referenceNumber(ref, "results", "test_expected_accuracy")) < 0.002)
    #expect(abs(s.demographicParityDifference - referenceNumber(ref, "results", "test_expected_violation")) < 0.002)
    #expect(abs(str.demographicParityDifference - referenceNumber(ref, "results", "train_expected_violation")) < 0.002)
    #expect(abs(s.selectionRate - referenceNumber(ref, "results", "test_expected_selection_rate")) < 0.002)
  }
}
