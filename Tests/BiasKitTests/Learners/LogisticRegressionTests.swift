import Foundation
import Testing

@testable import BiasKit

@Suite("Mitigation.LogisticRegression", .heavy)
struct LogisticRegressionTests {
  @Test(
    "equals scikit-learn 1.9.1 LogisticRegression(C=1, lbfgs, max_iter=1000) on Adult",
    .enabled(if: TestData.sharedIsAvailable))
  func matchesScikitLearnOnAdult() throws {
    let train = AdultDesign.train
    let test = AdultDesign.test
    #expect(train.features.columns == 108)
    let start = Date()
    let model = try LogisticRegression().fitted(features: train.features, labels: train.labels)
    let seconds = Date().timeIntervalSince(start)
    let norm = model.coefficients.map { $0 * $0 }.reduce(0, +).squareRoot()
    let predictions = model.predictions(test.features)
    let positives = predictions.reduce(0) { $0 + Int($1) }
    var correct = 0
    for i in 0..<test.labels.count where Double(predictions[i]) == test.labels[i] { correct += 1 }
    let accuracy = Double(correct) / Double(test.labels.count)
    print(
      "LR: \(model.iterations) iterations, \(seconds) s, intercept \(model.intercept), norm \(norm), positives \(positives), accuracy \(accuracy)"
    )
    #expect(abs(model.intercept - referenceNumber("logistic_regression", "intercept")) < 1e-4)
    #expect(abs(norm - referenceNumber("logistic_regression", "coef_l2_norm")) < 1e-4)
    #expect(positives == 3151)
    #expect(accuracy == 0.8530188563356059)
    #expect(model.converged && model.warnings.isEmpty)
    let scoreSum = model.probabilities(test.features).reduce(0, +)
    #expect(abs(scoreSum - referenceNumber("logistic_regression", "sum_test_score")) < 1e-2)
  }

  @Test("a fit that hits max_iter carries a warning with the iteration count")
  func nonConvergenceWarns() throws {
    let x = Matrix(rows: 4, columns: 1, values: [0, 1, 2, 3])
    let model = try LogisticRegression(maxIterations: 1, tolerance: 1e-12)
      .fitted(features: x, labels: [0, 0, 1, 1])
    #expect(!model.converged)
    #expect(model.warnings.count == 1)
    #expect(model.warnings.first?.contains("1 iterations") == true)
  }

  @Test("one class is an error, not a model")
  func oneClassThrows() {
    let x = Matrix(rows: 3, columns: 1, values: [0, 1, 2])
    #expect(throws: BiasKitError.self) {
      _ = try LogisticRegression().fitted(features: x, labels: [1, 1, 1] as [Double])
    }
  }

  @Test("integer sample weights equal repeated rows")
  func weightsEqualRepetition() throws {
    let x = Matrix(rows: 5, columns: 2, values: [0, 1, 1, 0, 2, 1, 3, 3, 1, 2])
    let y: [Double] = [0, 0, 1, 1, 0]
    let weighted = try LogisticRegression(tolerance: 1e-10)
      .fitted(features: x, labels: y, weights: [1, 2, 1, 3, 1])
    let repeated = x.rows(at: [0, 1, 1, 2, 3, 3, 3, 4])
    let plain = try LogisticRegression(tolerance: 1e-10)
      .fitted(features: repeated, labels: [0, 0, 0, 1, 1, 1, 1, 0])
    for j in 0..<2 { #expect(abs(weighted.coefficients[j] - plain.coefficients[j]) < 1e-6) }
    #expect(abs(weighted.intercept - plain.intercept) < 1e-6)
  }

  @Test("warm start from the optimum stops at once")
  func warmStart() throws {
    let x = Matrix(rows: 6, columns: 1, values: [0, 1, 2, 3, 4, 5])
    let y: [Double] = [0, 0, 1, 0, 1, 1]
    let learner = LogisticRegression(tolerance: 1e-8)
    let first = try learner.fitted(features: x, labels: y)
    let second = try learner.fitted(features: x, labels: y, initial: first)
    #expect(second.iterations <= 1)
    #expect(abs(second.coefficients[0] - first.coefficients[0]) < 1e-7)
  }
}
