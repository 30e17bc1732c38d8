import Foundation
import Testing

@testable import BiasKit

@Suite("Learners.LabelProportions", .heavy)
struct LabelProportionLearningTests {
  /// Random bags of `size` rows, from a seed (the remainder joins the last full bag).
  static func randomBags(rows: Int, size: Int, seed: UInt64) -> [Int32] {
    var generator = SeededGenerator(seed: seed)
    var order = Array(0..<rows)
    order.shuffle(using: &generator)
    var bags = [Int32](repeating: 0, count: rows)
    let last = max(rows / size - 1, 0)
    for (position, row) in order.enumerated() { bags[row] = Int32(min(position / size, last)) }
    return bags
  }

  static func accuracy(_ predictions: [UInt8], _ labels: [Double]) -> Double {
    Double(zip(predictions, labels).filter { Double($0) == $1 }.count) / Double(labels.count)
  }

  @Test(
    "Adult with random bags of 8, 32, 128 rows: test accuracy beside the supervised fit",
    .enabled(if: TestData.sharedIsAvailable))
  func adultBags() throws {
    let train = AdultDesign.train
    let test = AdultDesign.test
    let y = train.labels.map { UInt8($0) }
    let gbm = GradientBoostingClassifier()
    let lr = LogisticRegression(maxIterations: 300)
    let supervisedGBM = LabelProportionLearningTests.accuracy(
      try gbm.fitted(features: train.features, labels: y).predictions(test.features), test.labels)
    let supervisedLR = LabelProportionLearningTests.accuracy(
      try lr.fitted(features: train.features, labels: train.labels).predictions(test.features),
      test.labels)
    print(
      "LLP Adult supervised: gradient boosting \(supervisedGBM), logistic regression \(supervisedLR)"
    )
    for size in [8, 32, 128] {
      let bags = try LabelProportions(
        bags: LabelProportionLearningTests.randomBags(rows: y.count, size: size, seed: 1), labels: y
      )
      for method in LabelProportionLearning.Method.allCases {
        let learning = LabelProportionLearning(method: method)
        let g = LabelProportionLearningTests.accuracy(
          try learning.fitted(gbm, features: train.features, proportions: bags)
            .predictions(test.features), test.labels)
        let l = LabelProportionLearningTests.accuracy(
          try learning.fitted(lr, features: train.features, proportions: bags)
            .predictions(test.features), test.labels)
        print(
          "LLP Adult bags of \(size), \(method.rawValue): gradient boosting \(g), logistic regression \(l)"
        )
        #expect(g > 0.75 && l > 0.75, "bags of \(size), \(method)")
      }
    }
  }

  @Test("bags of one row and instance loss equal supervised log-loss boosting")
  func singletonBagsAreSupervised() throws {
    var generator = SeededGenerator(seed: 5)
    let n = 300
    let x = Matrix(rows: n, columns: 3, values: (0..<(3 * n)).map { _ in generator.nextUniform() })
    let y = (0..<n).map { i in UInt8(x[i, 0] + 0.5 * x[i, 1] > 0.8 ? 1 : 0) }
    let bags = try LabelProportions(bags: (0..<n).map(Int32.init), labels: y)
    let learner = GradientBoostingClassifier(maxIterations: 10)
    for method in [LabelProportionLearning.Method.instance, .easyLLP] {
      let llp = try LabelProportionLearning(method: method).fitted(
        learner, features: x, proportions: bags)
      let supervised = try learner.fitted(features: x, labels: y)
      let a = llp.decisionFunction(x)
      let b = supervised.decisionFunction(x)
      #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-5 }, "\(method)")
    }
  }

  @Test("bad bags are library errors")
  func badBags() throws {
    #expect(throws: BiasKitError.badProportion(1.5, row: 1, bag: "b")) {
      _ = try LabelProportions(bagOfRow: ["a", "b"], proportionOfRow: [0.5, 1.5])
    }
    #expect(throws: BiasKitError.self) {
      _ = try LabelProportions(bagOfRow: ["a", "a"], proportionOfRow: [0.5, 0.25])
    }
    let bags = try LabelProportions(bagOfRow: ["a", "a", "b"], proportionOfRow: [0.5, 0.5, 1])
    let x = Matrix(rows: 3, columns: 1, values: [0, 1, 2])
    do {
      _ = try LabelProportionLearning(method: .bag).fitted(
        GradientBoostingClassifier(), features: x, proportions: bags)
      Issue.record("a bag of one row with the bag loss must fail")
    } catch let error as BiasKitError {
      #expect(error.message.contains("bag 'b' has 1"))
    }
    _ = try LabelProportionLearning(method: .instance).fitted(
      GradientBoostingClassifier(maxIterations: 2), features: x, proportions: bags)
    let none = try LabelProportions(bagOfRow: ["a", "a"], proportionOfRow: [0, 0])
    #expect(throws: BiasKitError.self) {
      _ = try LabelProportionLearning(method: .easyLLP).fitted(
        LogisticRegression(), features: Matrix(rows: 2, columns: 1, values: [0, 1]),
        proportions: none)
    }
  }
}
