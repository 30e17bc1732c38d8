import Foundation
import Testing

@testable import BiasKit

/// Expected values: the NumPy formulas (checked by finite differences) and SciPy L-BFGS-B fits
/// of `Fixtures/Learners/make_learner_fixtures.py`.
@Suite("Learners.ClassificationLoss")
struct ClassificationLossTests {
  struct Terms: Decodable {
    var value: [Double]
    var gradient: [Double]
    var hessian: [Double]
  }
  struct LossFixture: Decodable {
    var z: [Double]
    var y: [Int]
    var ldam_margins: [Double]
    var class_balanced_weights: [Double]
    var cases: [String: Terms]
  }
  struct Fit: Decodable {
    var coefficients: [Double]
    var intercept: Double
  }
  struct LRFixture: Decodable {
    var x: [[Double]]
    var y: [Int]
    var C: Double
    var fits: [String: Fit]
  }

  static let losses: LossFixture = try! JSONDecoder().decode(
    LossFixture.self, from: Data(contentsOf: TestData.fixture("Learners/losses.json")))
  static let fits: LRFixture = try! JSONDecoder().decode(
    LRFixture.self, from: Data(contentsOf: TestData.fixture("Learners/lr_losses.json")))

  static let cases: [(String, ClassificationLoss)] = [
    ("log_loss", .logLoss),
    ("focal_2", .focal(gamma: 2)),
    ("focal_0.5", .focal(gamma: 0.5)),
    ("dual_focal_2", .dualFocal(gamma: 2)),
    ("class_balanced_0.99", .classBalanced(beta: 0.99)),
    ("ldam_0.5", .ldam(maxMargin: 0.5)),
    ("asymmetric_1_4_0.05", .asymmetric(gammaPositive: 1, gammaNegative: 4, margin: 0.05)),
    ("asymmetric_0_2_0", .asymmetric(gammaPositive: 0, gammaNegative: 2, margin: 0)),
  ]

  @Test("value, gradient and Hessian equal the NumPy formulas", arguments: cases.map(\.0))
  func termsMatchNumPy(name: String) throws {
    let fixture = ClassificationLossTests.losses
    let loss = ClassificationLossTests.cases.first { $0.0 == name }!.1
    let y = fixture.y.map(UInt8.init)
    let prepared = try loss.prepared(labels: y, weights: nil)
    let expected = fixture.cases[name]!
    for i in 0..<y.count {
      let t = prepared.evaluate(y[i], fixture.z[i])
      func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(1, abs(b)) }
      #expect(
        close(t.value, expected.value[i]),
        "\(name) row \(i): value \(t.value) vs \(expected.value[i])")
      #expect(close(t.gradient, expected.gradient[i]), "\(name) row \(i): gradient")
      #expect(close(t.hessian, expected.hessian[i]), "\(name) row \(i): Hessian")
    }
  }

  @Test("LDAM margins and class-balanced weights follow the class sizes")
  func classConstants() throws {
    let fixture = ClassificationLossTests.losses
    let y = fixture.y.map(UInt8.init)
    let (n0, n1) = ClassificationLoss.classSizes(y, nil)
    let m = ldamMargins(0.5, n0, n1)
    #expect(
      abs(m.0 - fixture.ldam_margins[0]) < 1e-15 && abs(m.1 - fixture.ldam_margins[1]) < 1e-15)
    let w = ClassBalancedLoss.weights(beta: 0.99, n0: n0, n1: n1)
    #expect(abs(w.0 - fixture.class_balanced_weights[0]) < 1e-14)
    #expect(abs(w.1 - fixture.class_balanced_weights[1]) < 1e-14)
    #expect(max(m.0, m.1) == 0.5 && m.1 > m.0)  // the smaller class gets the larger margin
  }

  static let fitCases: [(String, ClassificationLoss)] = [
    ("focal_2", .focal(gamma: 2)),
    ("class_balanced_0.99", .classBalanced(beta: 0.99)),
    ("asymmetric_1_4_0.05", .asymmetric(gammaPositive: 1, gammaNegative: 4, margin: 0.05)),
    ("ldam_0.5", .ldam(maxMargin: 0.5)),
  ]

  @Test(
    "logistic regression with a loss equals SciPy's L-BFGS fit of the same objective",
    arguments: fitCases.map(\.0))
  func logisticRegressionMatchesSciPy(name: String) throws {
    let fixture = ClassificationLossTests.fits
    let loss = ClassificationLossTests.fitCases.first { $0.0 == name }!.1
    let x = Matrix(
      rows: fixture.x.count, columns: fixture.x[0].count, values: fixture.x.flatMap { $0 })
    let model = try LogisticRegression(
      inverseRegularization: fixture.C, maxIterations: 10_000, tolerance: 1e-10, loss: loss
    ).fitted(features: x, labels: fixture.y.map(Double.init))
    let expected = fixture.fits[name]!
    for (a, b) in zip(model.coefficients, expected.coefficients) {
      #expect(abs(a - b) <= 1e-6, "\(name): coefficient \(a) vs \(b)")
    }
    #expect(abs(model.intercept - expected.intercept) <= 1e-6)
  }

  @Test("the log-loss path of logistic regression is unchanged by the loss parameter")
  func logLossUnchanged() throws {
    let x = Matrix(rows: 6, columns: 2, values: [0, 1, 1, 0, 2, 1, 3, 3, 1, 2, 0.5, 0.2])
    let y: [Double] = [0, 0, 1, 1, 0, 1]
    let a = try LogisticRegression().fitted(features: x, labels: y)
    let b = try LogisticRegression(loss: .logLoss).fitted(features: x, labels: y)
    #expect(a == b)
    let focal0 = try LogisticRegression(tolerance: 1e-10, loss: .focal(gamma: 0))
      .fitted(features: x, labels: y)
    let plain = try LogisticRegression(tolerance: 1e-10).fitted(features: x, labels: y)
    #expect(zip(focal0.coefficients, plain.coefficients).allSatisfy { abs($0 - $1) < 1e-7 })
  }

  @Test("gradient boosting descends every loss", arguments: cases.map(\.0))
  func boostingWithLosses(name: String) throws {
    let loss = ClassificationLossTests.cases.first { $0.0 == name }!.1
    let fixture = ClassificationLossTests.fits
    let x = Matrix(
      rows: fixture.x.count, columns: fixture.x[0].count, values: fixture.x.flatMap { $0 })
    let y = fixture.y.map(UInt8.init)
    let model = try GradientBoostingClassifier(maxIterations: 30, loss: loss)
      .fitted(features: x, labels: y)
    let predictions = model.predictions(x)
    let accuracy = Double(zip(predictions, y).filter { $0 == $1 }.count) / Double(y.count)
    #expect(accuracy > 0.8, "\(name): train accuracy \(accuracy)")
  }

  @Test("deferred re-weighting switches LDAM to class-balanced weights late")
  func deferredReweighting() throws {
    let fixture = ClassificationLossTests.fits
    let x = Matrix(
      rows: fixture.x.count, columns: fixture.x[0].count, values: fixture.x.flatMap { $0 })
    let y = fixture.y.map(UInt8.init)
    let drw = ClassificationLoss.ldam(
      maxMargin: 0.5, deferredReweighting: .init(beta: 0.999, unweightedFraction: 0.5))
    let plain = try GradientBoostingClassifier(maxIterations: 20, loss: .ldam(maxMargin: 0.5))
      .fitted(features: x, labels: y)
    let deferred = try GradientBoostingClassifier(maxIterations: 20, loss: drw)
      .fitted(features: x, labels: y)
    // the first half of the trees is the same, the second is not
    #expect(plain.trees[0..<10] == deferred.trees[0..<10])
    #expect(plain.trees[10..<20] != deferred.trees[10..<20])
    let lr = try LogisticRegression(maxIterations: 200, loss: drw)
      .fitted(features: x.self, labels: fixture.y.map(Double.init))
    #expect(lr.coefficients.allSatisfy { $0.isFinite })
  }
}
