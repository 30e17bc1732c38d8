import Foundation
import Testing

@testable import BiasKit

@Suite("Mitigation.BoundedGroupLoss", .heavy)
struct BoundedGroupLossTests {
  // Rows: groups a a a b b, labels 1 0 1 0 0.
  static let labels: [UInt8] = [1, 0, 1, 0, 0]
  static let groups = Groups(["a", "a", "a", "b", "b"])

  @Test("γ is each group's error rate, in sorted group order")
  func gammaIsGroupErrorRate() {
    let moment = BoundedGroupLoss.Loaded(
      moment: .init(upperBound: 0.1), labels: Self.labels, groups: Self.groups)
    #expect(moment.count == 2)
    #expect(moment.bound == 0.1)
    #expect(moment.gamma([1, 1, 1, 0, 1]) == [1.0 / 3, 0.5])
    #expect(moment.gamma(Self.labels) == [0, 0])
  }

  @Test("signed weights are λ_a / P(A = a); the objective weighs every row 1; λ is not projected")
  func signedWeights() {
    let moment = BoundedGroupLoss.Loaded(
      moment: .init(upperBound: 0.1), labels: Self.labels, groups: Self.groups)
    let w = moment.signedWeights([0.6, 2.0])
    let expected = [1.0, 1.0, 1.0, 5.0, 5.0]
    for (a, b) in zip(w, expected) { #expect(abs(a - b) < 1e-12) }
    #expect(moment.objectiveWeight(label: 0) == 1 && moment.objectiveWeight(label: 1) == 1)
    #expect(moment.projectLambda([0.3, 0.7]) == [0.3, 0.7])
    #expect(!moment.relabels)
  }

  @Test("the loss grid is fairlearn's: L1 norm = grid limit, axes in order of appearance")
  func lossGrid() {
    // "b" appears first, so it is the first axis; λ is indexed by sorted code (a = 0, b = 1).
    let groups = Groups(["b", "a", "b"])
    let grid = GridSearch<LogisticRegression>.lossGrid(groups: groups, gridSize: 10, gridLimit: 2)
    #expect(grid.count == 10)
    for (i, lambda) in grid.enumerated() {
      #expect(abs(lambda[1] - Double(i) * 2 / 9) < 1e-12)
      #expect(abs(lambda[0] - Double(9 - i) * 2 / 9) < 1e-12)
    }
    let three = GridSearch<LogisticRegression>.lossGrid(
      groups: Groups(["a", "b", "c"]), gridSize: 7, gridLimit: 1)
    #expect(three.count == 7)
    for lambda in three {
      #expect(abs(lambda.reduce(0, +) - 1) < 1e-12 && lambda.allSatisfy { $0 >= 0 })
    }
  }

  @Test("a negative or non-finite upper bound is rejected")
  func invalidUpperBound() {
    let x = Matrix(rows: 4, columns: 1, values: [0, 1, 2, 3])
    let y: [UInt8] = [0, 1, 0, 1]
    let g = Groups(["a", "b", "a", "b"])
    for bad in [-0.1, Double.nan, Double.infinity] {
      #expect(throws: BiasKitError.self) {
        _ = try ExponentiatedGradient(constraint: BoundedGroupLoss(upperBound: bad)).fitted(
          features: x, labels: y, groups: g)
      }
      #expect(throws: BiasKitError.self) {
        _ = try GridSearch(constraint: BoundedGroupLoss(upperBound: bad)).fitted(
          features: x, labels: y, groups: g)
      }
    }
  }

  @Test(
    "ExponentiatedGradient with BoundedGroupLoss(ZeroOneLoss, 0.1) matches fairlearn 0.15 (fixture)",
    .enabled(if: TestData.sharedIsAvailable))
  func exponentiatedGradientMatchesFixture() throws {
    let fixture =
      try TestData.json(TestData.fixture("Mitigation/reductions.json")) as! [String: Any]
    let rows = fixture["rows"] as! Int
    let ref =
      (fixture["exponentiated_gradient"] as! [String: Any])["bounded_group_loss"] as! [String: Any]
    let train = AdultDesign.train.prefix(rows)
    let labels = train.labels.map { UInt8($0) }
    let groups = Groups(train.sex)
    let model = try ExponentiatedGradient(constraint: BoundedGroupLoss(upperBound: 0.1))
      .fitted(features: train.features, labels: labels, groups: groups)
    let p = model.classifier.positiveProbabilities(AdultDesign.test.features)
    let s = try ExpectedOutcome(
      probabilities: p, labels: AdultModel.testLabels, groups: AdultModel.testGroups)
    let ptr = model.classifier.positiveProbabilities(train.features)
    let str = try ExpectedOutcome(probabilities: ptr, labels: labels, groups: groups)
    print(
      "INFO EG bgl: acc \(s.accuracy) vs \(ref["test_expected_accuracy"]!), predictors \(model.classifier.predictors.count) vs \(ref["n_predictors"]!), weights \(model.classifier.weights) vs \(ref["weights"]!), last \(model.lastIteration) vs \(ref["last_iter"]!), calls \(model.oracleCalls) vs \(ref["n_oracle_calls"]!), gap \(model.bestGap)"
    )
    #expect(abs(s.accuracy - (ref["test_expected_accuracy"] as! Double)) < 0.002)
    #expect(abs(s.selectionRate - (ref["test_expected_selection_rate"] as! Double)) < 0.002)
    #expect(
      abs(s.demographicParityDifference - (ref["test_expected_violation_dp"] as! Double)) < 0.002)
    #expect(abs(s.equalizedOddsDifference - (ref["test_expected_violation_eo"] as! Double)) < 0.002)
    #expect(abs(str.accuracy - (ref["train_expected_accuracy"] as! Double)) < 0.002)
    #expect(model.lastIteration == ref["last_iter"] as! Int)
    #expect(model.classifier.predictors.count == ref["n_predictors"] as! Int)
  }

  @Test(
    "GridSearch with BoundedGroupLoss(ZeroOneLoss, 0.1) matches fairlearn 0.15 (fixture)",
    .enabled(if: TestData.sharedIsAvailable))
  func gridSearchMatchesFixture() throws {
    let fixture =
      try TestData.json(TestData.fixture("Mitigation/reductions.json")) as! [String: Any]
    let rows = fixture["rows"] as! Int
    let ref = (fixture["grid_search"] as! [String: Any])["bounded_group_loss"] as! [String: Any]
    let train = AdultDesign.train.prefix(rows)
    let model = try GridSearch(constraint: BoundedGroupLoss(upperBound: 0.1))
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

  @Test("the CLI takes --constraint bounded_group_loss --upper-bound for both reductions")
  func commandLine() throws {
    let folder = try TestData.temporaryFolder()
    let train = try MitigateCommandTests.writeData(folder)
    for method in ["exponentiated-gradient", "grid-search"] {
      let r = try CLI.run([
        "mitigate", method, "--train", train, "--target", "y", "--sensitive", "group",
        "--drop", "extra", "--constraint", "bounded_group_loss", "--upper-bound", "0.3", "--format",
        "json",
      ])
      #expect(r.status == 0, "\(method): \(r.stderr)")
      let fitted = MitigateCommandTests.json(r.stdout)["fitted"] as? [String: Any]
      #expect(fitted?["constraint"] as? String == "bounded_group_loss", "\(method)")
      let missing = try CLI.run([
        "mitigate", method, "--train", train, "--target", "y", "--sensitive", "group",
        "--drop", "extra", "--constraint", "bounded_group_loss",
      ])
      #expect(missing.status == 2)
      #expect(missing.stderr.contains("--upper-bound"), "\(missing.stderr)")
      let misplaced = try CLI.run([
        "mitigate", method, "--train", train, "--target", "y", "--sensitive", "group",
        "--drop", "extra", "--upper-bound", "0.2",
      ])
      #expect(misplaced.status == 2)
    }
  }
}
