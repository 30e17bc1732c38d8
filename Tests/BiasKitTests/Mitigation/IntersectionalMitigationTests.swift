import Foundation
import Testing

@testable import BiasKit

/// Mitigation with several sensitive columns: their value combinations are the groups, named and
/// ordered as fairlearn names them (values joined with ','), compared with fairlearn 0.15 on Adult
/// with sex × race (10 groups), through the CLI as a user runs it.
@Suite("Mitigation.Intersectional", .heavy)
struct IntersectionalMitigationTests {
  static let train = TestData.shared("fixtures/adult_train_design.csv").path
  static let test = TestData.shared("fixtures/adult_test_design.csv").path

  static func reference(_ method: String) throws -> [String: Any] {
    let fixture =
      try TestData.json(TestData.fixture("Mitigation/intersectional.json")) as! [String: Any]
    return fixture[method] as! [String: Any]
  }

  static func run(_ method: String, _ extra: [String] = []) throws -> [String: Any] {
    let result = try CLI.run(
      [
        "mitigate", method, "--train", train, "--test", test, "--target", "y",
        "--sensitive", "sex_raw,race_raw", "--format", "json",
      ] + extra)
    #expect(result.status == 0, "\(result.stderr)")
    return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
  }

  static func compare(
    _ summary: [String: Any], _ reference: [String: Any], split: String, tolerance: Double
  ) {
    let mine = summary[split] as! [String: Any]
    let ref = reference[split] as! [String: Any]
    let groups = ref["groups"] as! [String]
    let byGroup = mine["expected_selection_rate_by_group"] as! [String: Double]
    #expect(Set(byGroup.keys) == Set(groups))
    for (name, rate) in zip(groups, ref["rates"] as! [Double]) {
      #expect(abs(byGroup[name]! - rate) < tolerance, "\(split) \(name)")
    }
    #expect(
      abs((mine["expected_accuracy"] as! Double) - (ref["expected_accuracy"] as! Double))
        < tolerance)
    #expect(
      abs(
        (mine["expected_selection_rate"] as! Double) - (ref["expected_selection_rate"] as! Double))
        < tolerance)
    #expect(
      abs((mine["expected_demographic_parity_difference"] as! Double) - (ref["dp"] as! Double))
        < tolerance)
    #expect(
      abs((mine["expected_equalized_odds_difference"] as! Double) - (ref["eo"] as! Double))
        < tolerance)
  }

  @Test("the groups of two columns are fairlearn's merged names, in its order")
  func namesAndOrderAreFairlearns() throws {
    let a = CategoricalColumn(["b", "a", "b", "a,x"])
    let b = CategoricalColumn(["1", "2", "1", "2"])
    let merged = try Groups(features: ["a", "b"], columns: [a, b]).occurring()
    #expect(merged.names == ["a,2", "a\\,x,2", "b,1"])
    #expect(merged.codes == [2, 0, 2, 1])
    #expect(Groups.key(ofName: "a\\,x,2", features: 2) == ["a,x", "2"])
    #expect(Groups.key(ofName: "a,x", features: 1) == ["a,x"])
  }

  @Test(
    "threshold optimizer on sex × race matches fairlearn 0.15 (1e-9)",
    .enabled(if: TestData.sharedIsAvailable))
  func thresholdOptimizer() throws {
    let summary = try Self.run("threshold-optimizer")
    let reference = try Self.reference("threshold_optimizer_dp")
    Self.compare(summary, reference, split: "test", tolerance: 1e-9)
    Self.compare(summary, reference, split: "train", tolerance: 1e-9)
  }

  /// With ten groups the runs part at the 7th oracle call: the Lagrangian values of the first
  /// six best responses agree to 1e-13, the 7th differs by 3e-5 (0.131772 vs 0.131805): its
  /// reweighted learner problem is ill-conditioned (weights up to λ/p for groups of 0.3% of the
  /// rows) and the L-BFGS fits stop at slightly different points. BiasKit then keeps one
  /// predictor more than fairlearn (49 vs 48, both after 18 iterations and 59 oracle calls), so
  /// the mixtures differ.
  /// Both meet the bound on train (violation 0.02 = eps); accuracy and the overall selection rate
  /// agree within 0.002, and the test violation is asserted loosely (fairlearn 0.058, BiasKit
  /// 0.090, driven by the 'Female,Other' group of 119 test rows).
  @Test(
    "exponentiated gradient on sex × race: fairlearn's accuracy, iterations and train violation",
    .enabled(if: TestData.sharedIsAvailable))
  func exponentiatedGradient() throws {
    let summary = try Self.run("exponentiated-gradient", ["--constraint", "demographic_parity"])
    let reference = try Self.reference("exponentiated_gradient_dp")
    let fitted = summary["fitted"] as! [String: Any]
    #expect(fitted["last_iter"] as? Int == reference["last_iter"] as? Int)
    #expect(fitted["n_oracle_calls"] as? Int == reference["n_oracle_calls"] as? Int)
    for split in ["train", "test"] {
      let mine = summary[split] as! [String: Any]
      let ref = reference[split] as! [String: Any]
      #expect(
        abs((mine["expected_accuracy"] as! Double) - (ref["expected_accuracy"] as! Double)) < 0.002,
        "\(split)")
      #expect(
        abs(
          (mine["expected_selection_rate"] as! Double) - (ref["expected_selection_rate"] as! Double)
        ) < 0.002, "\(split)")
      #expect(
        Set((mine["expected_selection_rate_by_group"] as! [String: Double]).keys)
          == Set(ref["groups"] as! [String]))
    }
    let train = summary["train"] as! [String: Any]
    #expect(
      abs(
        (train["expected_demographic_parity_difference"] as! Double)
          - ((reference["train"] as! [String: Any])["dp"] as! Double)) < 0.002)
    let test = summary["test"] as! [String: Any]
    #expect((test["expected_demographic_parity_difference"] as! Double) < 0.1)
  }

  @Test("an unknown sensitive column among several is named")
  func unknownColumn() throws {
    let result = try CLI.run([
      "mitigate", "threshold-optimizer", "--train", "Examples/adult-predictions.csv",
      "--target", "y_true", "--score", "y_score", "--drop", "y_pred", "--sensitive", "sex,nope",
    ])
    #expect(result.status == 2)
    #expect(result.stderr.contains("nope"), "\(result.stderr)")
  }
}
