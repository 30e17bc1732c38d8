import Foundation
import Testing

@testable import BiasKit

@Suite("Mitigation.FairnessAwareTraining", .heavy)
struct FairnessAwareTrainingTests {
  static let rows = 4000
  static var data: (Matrix, [UInt8], Groups) {
    let train = AdultDesign.train.prefix(rows)
    return (train.features, train.labels.map { UInt8($0) }, Groups(train.race))
  }

  static func groupLosses(
    _ model: LogisticRegression.Model, _ x: Matrix, _ y: [UInt8], _ g: Groups
  ) -> [Double] {
    let z = model.decisionFunction(x)
    var loss = [Double](repeating: 0, count: g.count)
    let sizes = g.sizes()
    for i in 0..<z.count {
      let l = (z[i] > 0 ? z[i] : 0) + log1p(exp(-abs(z[i]))) - Double(y[i]) * z[i]
      loss[Int(g.codes[i])] += l / Double(sizes[Int(g.codes[i])])
    }
    return loss
  }

  @Test(
    "worst-group training lowers the largest group loss below plain training",
    .enabled(if: TestData.sharedIsAvailable))
  func worstGroupLowersWorstLoss() throws {
    let (x, y, g) = Self.data
    let plain = try LogisticRegression().fitted(features: x, labels: y.map(Double.init))
    let plainWorst = Self.groupLosses(plain, x, y, g).max()!
    let robust = try WorstGroupLogisticRegression().fitted(features: x, labels: y, groups: g)
    #expect(robust.groupLosses.max()! < plainWorst)
    #expect(abs(robust.groupWeights.reduce(0, +) - 1) < 1e-12)
  }

  @Test(
    "the disparity penalty shrinks the demographic-parity gap; λ = 0 is the plain learner",
    .enabled(if: TestData.sharedIsAvailable))
  func penaltyShrinksGap() throws {
    let train = AdultDesign.train.prefix(Self.rows)
    let x = train.features
    let y = train.labels.map { UInt8($0) }
    let g = Groups(train.sex)
    func gap(_ m: LogisticRegression.Model) throws -> Double {
      try ExpectedOutcome(probabilities: m.probabilities(x), labels: y, groups: g)
        .demographicParityDifference
    }
    let zero = try FairnessRegularizedLogisticRegression(fairnessWeight: 0).fitted(
      features: x, labels: y, groups: g)
    let plain = try LogisticRegression().fitted(features: x, labels: y.map(Double.init))
    #expect(abs(zero.intercept - plain.intercept) < 1e-9)
    let strong = try FairnessRegularizedLogisticRegression(fairnessWeight: 10).fitted(
      features: x, labels: y, groups: g)
    #expect(try gap(strong) < gap(plain) / 2)
  }

  @Test("one group is an error")
  func oneGroup() {
    let x = Matrix(rows: 4, columns: 1, values: [0, 1, 2, 3])
    #expect(throws: BiasKitError.self) {
      _ = try WorstGroupLogisticRegression().fitted(
        features: x, labels: [0, 1, 0, 1], groups: Groups(["a", "a", "a", "a"]))
    }
  }
}
