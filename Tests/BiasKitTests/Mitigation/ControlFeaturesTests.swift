import Foundation
import Testing

@testable import BiasKit

/// ExponentiatedGradient with control features (fairlearn `control_features`): parity within
/// each stratum of race on Adult (sensitive sex), against fairlearn 0.15.
@Suite("Mitigation.ControlFeatures", .heavy)
struct ControlFeaturesTests {
  static func fixture() throws -> [String: Any] {
    try TestData.json(TestData.fixture("Mitigation/control_features.json")) as! [String: Any]
  }

  @Test("events are fairlearn's control=C,EVENT names, in its order")
  func eventNames() {
    let groups = Groups(["a", "b", "a", "b"])
    let controls = Groups(["x y", "x", "x", "x y"])
    let loaded = UtilityParity.Loaded(
      parity: .equalizedOdds(), labels: [0, 1, 1, 0], groups: groups, controls: controls)
    // ' ' sorts before ',', so 'control=x y,…' comes first, as in pandas.
    #expect(
      loaded.eventNames == [
        "control=x y,label=0", "control=x y,label=1", "control=x,label=0", "control=x,label=1",
      ])
    #expect(loaded.eventOf == [0, 3, 3, 0])
  }

  static let cases: [(String, UtilityParity)] = [
    ("demographic_parity", .demographicParity()),
    ("equalized_odds", .equalizedOdds()),
    ("error_rate_parity", .errorRateParity()),
  ]

  @Test(
    "parity within race strata matches fairlearn 0.15 on 6000 Adult rows",
    .enabled(if: TestData.sharedIsAvailable), arguments: 0..<3)
  func matchesFairlearn(index: Int) throws {
    let (name, parity) = Self.cases[index]
    let fixture = try Self.fixture()
    let rows = fixture["rows"] as! Int
    let ref = (fixture["library"] as! [String: Any])[name] as! [String: Any]
    let train = AdultDesign.train.prefix(rows)
    let labels = train.labels.map { UInt8($0) }
    let groups = Groups(train.sex)
    let controls = Groups(train.race)
    let loaded = UtilityParity.Loaded(
      parity: parity, labels: labels, groups: groups, controls: controls)
    #expect(loaded.eventNames == ref["events"] as! [String])
    let model = try ExponentiatedGradient(constraint: parity)
      .fitted(features: train.features, labels: labels, groups: groups, controls: controls)
    #expect(model.lastIteration == ref["last_iter"] as! Int, "\(name)")
    #expect(model.oracleCalls == ref["n_oracle_calls"] as! Int, "\(name)")
    let p = model.classifier.positiveProbabilities(AdultDesign.test.features)
    let s = try ExpectedOutcome(
      probabilities: p, labels: AdultModel.testLabels, groups: AdultModel.testGroups)
    print(
      "INFO EG control \(name): predictors \(model.classifier.predictors.count) vs \(ref["n_predictors"]!), acc \(s.accuracy) vs \(ref["test_expected_accuracy"]!), dp \(s.demographicParityDifference) vs \(ref["test_expected_violation_dp"]!)"
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

  @Test(
    "biaskit mitigate exponentiated-gradient --control race_raw matches fairlearn on all Adult rows",
    .enabled(if: TestData.sharedIsAvailable))
  func commandLine() throws {
    let ref =
      ((try Self.fixture())["cli"] as! [String: Any])["demographic_parity"] as! [String: Any]
    let result = try CLI.run([
      "mitigate", "exponentiated-gradient", "--train",
      TestData.shared("fixtures/adult_train_design.csv").path,
      "--test", TestData.shared("fixtures/adult_test_design.csv").path, "--target", "y",
      "--sensitive", "sex_raw",
      "--control", "race_raw", "--constraint", "demographic_parity", "--format", "json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    let fitted = json["fitted"] as! [String: Any]
    #expect(fitted["control_features"] as? [String] == ["race_raw"])
    #expect(fitted["last_iter"] as? Int == ref["last_iter"] as? Int)
    #expect(fitted["n_oracle_calls"] as? Int == ref["n_oracle_calls"] as? Int)
    for split in ["train", "test"] {
      let mine = json[split] as! [String: Any]
      #expect(
        abs((mine["expected_accuracy"] as! Double) - (ref["\(split)_expected_accuracy"] as! Double))
          < 0.002)
      #expect(
        abs(
          (mine["expected_demographic_parity_difference"] as! Double)
            - (ref["\(split)_expected_violation_dp"] as! Double)) < 0.002)
    }
  }

  @Test("control features with bounded_group_loss are refused, as in fairlearn")
  func boundedGroupLossRefuses() {
    let features = Matrix(rows: 4, columns: 1, values: [0, 1, 2, 3])
    let eg = ExponentiatedGradient(constraint: BoundedGroupLoss(upperBound: 0.1))
    #expect(throws: BiasKitError.self) {
      try eg.fitted(
        features: features, labels: [0, 1, 0, 1], groups: Groups(["a", "a", "b", "b"]),
        controls: Groups(["x", "y", "x", "y"]))
    }
  }
}
