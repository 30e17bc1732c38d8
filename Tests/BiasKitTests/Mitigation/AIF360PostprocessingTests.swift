import Foundation
import Testing

@testable import BiasKit

/// The fixture made by Fixtures/Mitigation/make_postprocessing_fixtures.py with aif360 0.6.1:
/// sklearn LR scores on 2 × 1500 Adult test rows; the first half fits, the second is predicted.
enum PostprocessingFixture {
  static let json: [String: Any] =
    (try? TestData.json(TestData.fixture("Mitigation/postprocessing.json"))) as? [String: Any]
    ?? [:]
  static let rows = (json["rows"] as? Int) ?? 0
  static let scores = doubles(json["scores"])
  static let labels = (json["labels"] as? [Int] ?? []).map { UInt8($0) }
  static let predicted = (json["predicted_labels"] as? [Int] ?? []).map { UInt8($0) }
  static let sex = json["sex"] as? [String] ?? []
  static let groups = Groups(sex)
  static var fit: Range<Int> { 0..<rows }
  static var apply: Range<Int> { rows..<(2 * rows) }

  static func doubles(_ value: Any?) -> [Double] {
    (value as? [Any] ?? []).map { ($0 as? NSNumber)?.doubleValue ?? .nan }
  }
  static func number(_ value: Any?) -> Double { (value as? NSNumber)?.doubleValue ?? .nan }
}

/// postprocessing_weighted.json (same script): the same rows fitted with AIF360 instance weights,
/// once with AIF360 Reweighing's weights and once with random weights in [0.1, 3).
enum WeightedPostprocessingFixture {
  static let json: [String: Any] =
    (try? TestData.json(TestData.fixture("Mitigation/postprocessing_weighted.json")))
    as? [String: Any] ?? [:]
  static let weightings = json["weightings"] as? [[String: Any]] ?? []
  static let names = ["reweighing", "random"]

  static func weighting(_ name: String) throws -> [String: Any] {
    try #require(weightings.first { $0["name"] as? String == name }, "no weighting \(name)")
  }
  /// Weights parsed from their repr strings (exact).
  static func weights(_ weighting: [String: Any]) -> [Double] {
    (weighting["weights_repr"] as? [String] ?? []).map { Double($0) ?? .nan }
  }
}

@Suite("AIF360Postprocessing", .heavy)
struct AIF360PostprocessingTests {
  typealias F = PostprocessingFixture

  @Test(
    "calibrated equalized odds: mixing and base rates match aif360",
    arguments: CalibratedEqualizedOdds.CostConstraint.allCases)
  func calibratedMatchesAIF360(cost: CalibratedEqualizedOdds.CostConstraint) throws {
    let cases = F.json["calibrated_eq_odds"] as! [[String: Any]]
    let ref = try #require(cases.first { $0["cost_constraint"] as? String == cost.rawValue })
    let model = try CalibratedEqualizedOdds(costConstraint: cost, privilegedGroup: "Male").fitted(
      scores: Array(F.scores[F.fit]), labels: Array(F.labels[F.fit]),
      groups: F.groups.rows(at: F.fit))
    #expect(abs(model.privilegedMixRate - F.number(ref["priv_mix_rate"])) < 1e-12)
    #expect(abs(model.unprivilegedMixRate - F.number(ref["unpriv_mix_rate"])) < 1e-12)
    #expect(abs(model.privilegedBaseRate - F.number(ref["base_rate_priv"])) < 1e-15)
    #expect(abs(model.unprivilegedBaseRate - F.number(ref["base_rate_unpriv"])) < 1e-15)
    let p = try model.positiveProbabilities(
      scores: Array(F.scores[F.apply]), groups: F.groups.rows(at: F.apply))
    let expected = F.doubles(ref["apply_expected_positive"])
    #expect(p.count == expected.count)
    #expect(zip(p, expected).allSatisfy { abs($0 - $1) < 1e-12 })
    // Random labels: reproducible from the seed, and close to the expected rate.
    var g1 = SeededGenerator(seed: 7)
    var g2 = SeededGenerator(seed: 7)
    let a = try model.predictions(
      scores: Array(F.scores[F.apply]), groups: F.groups.rows(at: F.apply), using: &g1)
    let b = try model.predictions(
      scores: Array(F.scores[F.apply]), groups: F.groups.rows(at: F.apply), using: &g2)
    #expect(a == b)
    let rate = Double(a.map(Int.init).reduce(0, +)) / Double(a.count)
    #expect(abs(rate - p.reduce(0, +) / Double(p.count)) < 0.05)
  }

  @Test("equalized odds post-processing: the four probabilities match aif360 to 1e-9")
  func equalizedOddsMatchesAIF360() throws {
    let ref = F.json["eq_odds"] as! [String: Any]
    let x = F.doubles(ref["x"])
    let model = try EqualizedOddsPostprocessing(privilegedGroup: "Male").fitted(
      predictions: Array(F.predicted[F.fit]), labels: Array(F.labels[F.fit]),
      groups: F.groups.rows(at: F.fit))
    for (mine, theirs) in zip(model.mixingProbabilities, x) {
      #expect(abs(mine - theirs) < 1e-9, "\(model.mixingProbabilities) vs \(x)")
    }
    #expect(abs(model.objective - F.number(ref["fun"])) < 1e-9)
    // Flipped counts follow ⌊count · probability⌋ in each group.
    var generator = SeededGenerator(seed: 1)
    let preds = Array(F.predicted[F.apply])
    let groups = F.groups.rows(at: F.apply)
    let out = try model.predictions(predictions: preds, groups: groups, using: &generator)
    let male = Int32(groups.names.firstIndex(of: "Male")!)
    let malePositives = preds.indices.filter { groups.codes[$0] == male && preds[$0] == 1 }
    let kept = malePositives.filter { out[$0] == 1 }.count
    #expect(
      malePositives.count - kept
        == Int(Double(malePositives.count) * (1 - model.privilegedKeepPositive)))
  }

  @Test("reject option: threshold, margin and predictions equal aif360's")
  func rejectOptionMatchesAIF360() throws {
    let cases = F.json["reject_option"] as! [[String: Any]]
    #expect(cases.count == 5)
    for ref in cases {
      let metric = try #require(
        RejectOptionClassification.Metric(rawValue: ref["metric_name"] as! String))
      let roc = RejectOptionClassification(
        privilegedGroup: "Male", metric: metric,
        lowThreshold: F.number(ref["low"]), highThreshold: F.number(ref["high"]),
        thresholdCount: ref["num_class_thresh"] as! Int, marginCount: ref["num_ROC_margin"] as! Int,
        lowerBound: F.number(ref["metric_lb"]), upperBound: F.number(ref["metric_ub"]))
      let model = try roc.fitted(
        scores: Array(F.scores[F.fit]), labels: Array(F.labels[F.fit]),
        groups: F.groups.rows(at: F.fit))
      // Exactly, bit for bit (the repr strings; JSONSerialization may round the numbers by an ulp).
      #expect(
        model.threshold == Double(ref["classification_threshold_repr"] as! String)!, "\(metric)")
      #expect(model.margin == Double(ref["ROC_margin_repr"] as! String)!, "\(metric)")
      #expect(model.satisfiedBounds == (F.number(ref["metric_lb"]) > -0.5), "\(metric)")
      // The counts behind the choice (binary searches) equal those of the labelling rule itself.
      let fitLabels = try model.predictions(
        scores: Array(F.scores[F.fit]), groups: F.groups.rows(at: F.fit))
      let y = Array(F.labels[F.fit])
      let tp = Double(zip(fitLabels, y).filter { $0 == 1 && $1 == 1 }.count)
      let tn = Double(zip(fitLabels, y).filter { $0 == 0 && $1 == 0 }.count)
      let positives = Double(y.filter { $0 == 1 }.count)
      #expect(
        model.balancedAccuracy == 0.5 * (tp / positives + tn / (Double(y.count) - positives)),
        "\(metric)")
      let labels = try model.predictions(
        scores: Array(F.scores[F.apply]), groups: F.groups.rows(at: F.apply))
      #expect(labels == (ref["apply_labels"] as! [Int]).map { UInt8($0) }, "\(metric)")
    }
  }

  @Test(
    "weighted calibrated equalized odds matches aif360 with instance_weights",
    arguments: WeightedPostprocessingFixture.names, CalibratedEqualizedOdds.CostConstraint.allCases)
  func weightedCalibratedMatchesAIF360(
    weighting: String, cost: CalibratedEqualizedOdds.CostConstraint
  ) throws {
    let fixture = try WeightedPostprocessingFixture.weighting(weighting)
    let cases = try #require(fixture["calibrated_eq_odds"] as? [[String: Any]])
    let ref = try #require(cases.first { $0["cost_constraint"] as? String == cost.rawValue })
    let model = try CalibratedEqualizedOdds(costConstraint: cost, privilegedGroup: "Male").fitted(
      scores: Array(F.scores[F.fit]), labels: Array(F.labels[F.fit]),
      groups: F.groups.rows(at: F.fit),
      weights: WeightedPostprocessingFixture.weights(fixture))
    #expect(
      abs(model.privilegedMixRate - F.number(ref["priv_mix_rate"])) < 1e-12, "\(weighting) \(cost)")
    #expect(
      abs(model.unprivilegedMixRate - F.number(ref["unpriv_mix_rate"])) < 1e-12,
      "\(weighting) \(cost)")
    #expect(abs(model.privilegedBaseRate - F.number(ref["base_rate_priv"])) < 1e-15, "\(weighting)")
    #expect(
      abs(model.unprivilegedBaseRate - F.number(ref["base_rate_unpriv"])) < 1e-15, "\(weighting)")
    let p = try model.positiveProbabilities(
      scores: Array(F.scores[F.apply]), groups: F.groups.rows(at: F.apply))
    let expected = F.doubles(ref["apply_expected_positive"])
    #expect(p.count == expected.count)
    #expect(zip(p, expected).allSatisfy { abs($0 - $1) < 1e-12 }, "\(weighting) \(cost)")
  }

  @Test(
    "weighted equalized odds post-processing matches aif360 to 1e-9",
    arguments: WeightedPostprocessingFixture.names)
  func weightedEqualizedOddsMatchesAIF360(weighting: String) throws {
    let fixture = try WeightedPostprocessingFixture.weighting(weighting)
    let ref = try #require(fixture["eq_odds"] as? [String: Any])
    let x = F.doubles(ref["x"])
    let model = try EqualizedOddsPostprocessing(privilegedGroup: "Male").fitted(
      predictions: Array(F.predicted[F.fit]), labels: Array(F.labels[F.fit]),
      groups: F.groups.rows(at: F.fit),
      weights: WeightedPostprocessingFixture.weights(fixture))
    #expect(x.count == 4)
    for (mine, theirs) in zip(model.mixingProbabilities, x) {
      #expect(abs(mine - theirs) < 1e-9, "\(weighting): \(model.mixingProbabilities) vs \(x)")
    }
    #expect(abs(model.objective - F.number(ref["fun"])) < 1e-9, "\(weighting)")
  }

  @Test(
    "weighted reject option: threshold, margin and predictions equal aif360's",
    arguments: WeightedPostprocessingFixture.names)
  func weightedRejectOptionMatchesAIF360(weighting: String) throws {
    let fixture = try WeightedPostprocessingFixture.weighting(weighting)
    let cases = try #require(fixture["reject_option"] as? [[String: Any]])
    let w = WeightedPostprocessingFixture.weights(fixture)
    #expect(cases.count == 5)
    for ref in cases {
      let metric = try #require(
        RejectOptionClassification.Metric(rawValue: ref["metric_name"] as! String))
      let roc = RejectOptionClassification(
        privilegedGroup: "Male", metric: metric,
        lowThreshold: F.number(ref["low"]), highThreshold: F.number(ref["high"]),
        thresholdCount: ref["num_class_thresh"] as! Int, marginCount: ref["num_ROC_margin"] as! Int,
        lowerBound: F.number(ref["metric_lb"]), upperBound: F.number(ref["metric_ub"]))
      let model = try roc.fitted(
        scores: Array(F.scores[F.fit]), labels: Array(F.labels[F.fit]),
        groups: F.groups.rows(at: F.fit), weights: w)
      let label = "\(weighting) \(metric) \(roc.thresholdCount)×\(roc.marginCount)"
      #expect(
        model.threshold == Double(ref["classification_threshold_repr"] as! String)!, "\(label)")
      #expect(model.margin == Double(ref["ROC_margin_repr"] as! String)!, "\(label)")
      #expect(model.satisfiedBounds == (F.number(ref["metric_lb"]) > -0.5), "\(label)")
      #expect(abs(model.balancedAccuracy - F.number(ref["balanced_accuracy"])) < 1e-12, "\(label)")
      #expect(abs(model.metricValue - F.number(ref["metric_value"])) < 1e-12, "\(label)")
      let labels = try model.predictions(
        scores: Array(F.scores[F.apply]), groups: F.groups.rows(at: F.apply))
      #expect(labels == (ref["apply_labels"] as! [Int]).map { UInt8($0) }, "\(label)")
    }
  }

  @Test(
    "unit weights give the unweighted models (bit for bit but for the score sums of calibrated equalized odds); scaling weights by 4 changes nothing"
  )
  func unitAndScaledWeights() throws {
    let scores = Array(F.scores[F.fit])
    let labels = Array(F.labels[F.fit])
    let predicted = Array(F.predicted[F.fit])
    let groups = F.groups.rows(at: F.fit)
    let ones = [Double](repeating: 1, count: scores.count)
    let w = WeightedPostprocessingFixture.weights(
      try WeightedPostprocessingFixture.weighting("random"))
    let w4 = w.map { $0 * 4 }
    for cost in CalibratedEqualizedOdds.CostConstraint.allCases {
      let ceo = CalibratedEqualizedOdds(costConstraint: cost, privilegedGroup: "Male")
      // Weighted sums are NumPy's pairwise sums, the unweighted path adds in row order.
      let unit = try ceo.fitted(scores: scores, labels: labels, groups: groups, weights: ones)
      let plain = try ceo.fitted(scores: scores, labels: labels, groups: groups)
      #expect(
        unit.privilegedBaseRate == plain.privilegedBaseRate
          && unit.unprivilegedBaseRate == plain.unprivilegedBaseRate)
      #expect(abs(unit.privilegedMixRate - plain.privilegedMixRate) < 1e-13)
      #expect(abs(unit.unprivilegedMixRate - plain.unprivilegedMixRate) < 1e-13)
      #expect(
        try ceo.fitted(scores: scores, labels: labels, groups: groups, weights: w4)
          == ceo.fitted(scores: scores, labels: labels, groups: groups, weights: w))
    }
    let eo = EqualizedOddsPostprocessing(privilegedGroup: "Male")
    #expect(
      try eo.fitted(predictions: predicted, labels: labels, groups: groups, weights: ones)
        == eo.fitted(predictions: predicted, labels: labels, groups: groups))
    for metric in RejectOptionClassification.Metric.allCases {
      let roc = RejectOptionClassification(
        privilegedGroup: "Male", metric: metric, thresholdCount: 40, marginCount: 20)
      #expect(
        try roc.fitted(scores: scores, labels: labels, groups: groups, weights: ones)
          == roc.fitted(scores: scores, labels: labels, groups: groups))
      #expect(
        try roc.fitted(scores: scores, labels: labels, groups: groups, weights: w4)
          == roc.fitted(scores: scores, labels: labels, groups: groups, weights: w))
    }
  }

  @Test("negative, NaN, infinite or misaligned weights, and a group weighing 0, throw")
  func badWeights() throws {
    let groups = Groups(["a", "b", "b", "a"])
    let scores = [0.1, 0.7, 0.3, 0.9]
    let labels: [UInt8] = [0, 1, 0, 1]
    func codes(_ w: [Double]) -> [BiasKitError.Code?] {
      let calls: [() throws -> Void] = [
        {
          _ = try CalibratedEqualizedOdds(privilegedGroup: "a").fitted(
            scores: scores, labels: labels, groups: groups, weights: w)
        },
        {
          _ = try EqualizedOddsPostprocessing(privilegedGroup: "a").fitted(
            predictions: labels, labels: labels, groups: groups, weights: w)
        },
        {
          _ = try RejectOptionClassification(privilegedGroup: "a").fitted(
            scores: scores, labels: labels, groups: groups, weights: w)
        },
      ]
      return calls.map { call in
        do {
          try call()
          return nil
        } catch let e as BiasKitError { return e.code } catch { return nil }
      }
    }
    #expect(codes([1, -1, 1, 1]) == [.invalidValue, .invalidValue, .invalidValue])
    #expect(codes([1, .nan, 1, 1]) == [.invalidValue, .invalidValue, .invalidValue])
    #expect(codes([1, 1, .infinity, 1]) == [.invalidValue, .invalidValue, .invalidValue])
    #expect(codes([1, 1, 1]) == [.invalidArgument, .invalidArgument, .invalidArgument])
    #expect(codes([0, 1, 1, 0]) == [.degenerateData, .degenerateData, .degenerateData])
    do {
      _ = try RejectOptionClassification(privilegedGroup: "a").fitted(
        scores: scores, labels: labels, groups: groups, weights: [1, 1, -2, 1])
      Issue.record("expected an error")
    } catch let e as BiasKitError {
      #expect(e.message.contains("row 3") && e.message.contains("-2"), "\(e.message)")
    }
  }

  @Test("a mixing rate acts as the probability clip(rate, 0, 1), NaN as 0")
  func mixingRateClipped() {
    typealias M = CalibratedEqualizedOdds.Model
    #expect(M.mixingProbability(1.8) == 1)
    #expect(M.mixingProbability(-0.2) == 0)
    #expect(M.mixingProbability(.nan) == 0)
    #expect(M.mixingProbability(.infinity) == 1)
    #expect(M.mixingProbability(0.25) == 0.25)
  }

  @Test("linspace is NumPy's")
  func linspaceIsNumpys() {
    #expect(RejectOptionClassification.linspace(0.01, 0.99, 3) == [0.01, 0.5, 0.99])
    #expect(RejectOptionClassification.linspace(0.2, 0.9, 1) == [0.2])
    #expect(RejectOptionClassification.linspace(0, 0, 3) == [0, 0, 0])
  }

  @Test("post-processors need exactly two groups and a known privileged group")
  func groupErrors() throws {
    let three = Groups(["a", "b", "c", "a"])
    #expect(throws: BiasKitError.self) {
      _ = try CalibratedEqualizedOdds(privilegedGroup: "a").fitted(
        scores: [0.1, 0.2, 0.3, 0.4], labels: [0, 1, 0, 1], groups: three)
    }
    let two = Groups(["a", "b", "b", "a"])
    #expect(throws: BiasKitError.self) {
      _ = try EqualizedOddsPostprocessing(privilegedGroup: "z").fitted(
        predictions: [0, 1, 0, 1], labels: [0, 1, 0, 1], groups: two)
    }
    #expect(throws: BiasKitError.self) {
      _ = try RejectOptionClassification(
        privilegedGroup: "a", lowThreshold: 0.9, highThreshold: 0.1
      )
      .fitted(scores: [0.1, 0.2, 0.3, 0.4], labels: [0, 1, 0, 1], groups: two)
    }
    #expect(throws: BiasKitError.self) {
      _ = try RejectOptionClassification(privilegedGroup: "a").fitted(
        scores: [0.1, 0.2], labels: [0, 1, 0, 1], groups: two)
    }
  }

  @Test("the three CLI subcommands fit the fixture and report aif360's parameters")
  func commandLine() throws {
    let folder = try TestData.temporaryFolder()
    func write(_ name: String, _ rows: Range<Int>) throws -> String {
      var text = "score,y,sex\n"
      for i in rows { text += "\(F.scores[i]),\(F.labels[i]),\(F.sex[i])\n" }
      let url = folder.appendingPathComponent(name)
      try text.write(to: url, atomically: true, encoding: .utf8)
      return url.path
    }
    let fit = try write("fit.csv", F.fit)
    let apply = try write("apply.csv", F.apply)
    let common = [
      "--train", fit, "--test", apply, "--target", "y", "--sensitive", "sex", "--score", "score",
      "--format", "json",
    ]
    func fitted(_ args: [String]) throws -> [String: Any] {
      let r = try CLI.run(["mitigate"] + args + common)
      #expect(r.status == 0, "\(r.stderr)")
      let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
      return json?["fitted"] as? [String: Any] ?? [:]
    }
    let roc = try fitted([
      "reject-option", "--privileged", "Male", "--threshold-count", "40", "--margin-count", "20",
    ])
    let rocRef = (F.json["reject_option"] as! [[String: Any]])[0]
    #expect(
      abs(F.number(roc["classification_threshold"]) - F.number(rocRef["classification_threshold"]))
        < 1e-12)
    let eo = try fitted(["equalized-odds-postprocessing", "--privileged", "Male"])
    #expect(
      abs(F.number(eo["on2p"]) - F.doubles((F.json["eq_odds"] as! [String: Any])["x"])[3]) < 1e-9)
    let ceo = try fitted([
      "calibrated-equalized-odds", "--privileged", "Male", "--cost-constraint", "fnr",
    ])
    let ceoRef = (F.json["calibrated_eq_odds"] as! [[String: Any]])[0]
    #expect(abs(F.number(ceo["priv_mix_rate"]) - F.number(ceoRef["priv_mix_rate"])) < 1e-12)
    let bad = try CLI.run(["mitigate", "reject-option", "--privileged", "Nobody"] + common)
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("Nobody"))
  }

  @Test(
    "--sample-weight: the three subcommands fit with weights as aif360 does; the column is no feature"
  )
  func commandLineWeights() throws {
    let folder = try TestData.temporaryFolder()
    let fixture = try WeightedPostprocessingFixture.weighting("reweighing")
    let w = WeightedPostprocessingFixture.weights(fixture)
    // A feature x (for the built-in learner), the fixture's score, and the weights last.
    func write(_ name: String, _ rows: Range<Int>, weights: Bool) throws -> String {
      var text = "x,score,y,sex" + (weights ? ",w" : "") + "\n"
      for i in rows {
        text += "\(F.scores[i] * 3 - 1),\(F.scores[i]),\(F.labels[i]),\(F.sex[i])"
        text += weights ? ",\(w[i - rows.lowerBound])\n" : "\n"
      }
      let url = folder.appendingPathComponent(name)
      try text.write(to: url, atomically: true, encoding: .utf8)
      return url.path
    }
    let fit = try write("fit.csv", F.fit, weights: true)
    let apply = try write("apply.csv", F.apply, weights: false)
    let plain = try write("plain.csv", F.fit, weights: false)
    func fitted(_ args: [String], train: String = fit, score: Bool = true) throws -> [String: Any] {
      var common = [
        "--train", train, "--test", apply, "--target", "y", "--sensitive", "sex", "--format",
        "json",
      ]
      common += score ? ["--score", "score", "--drop", "x"] : ["--drop", "score"]
      let r = try CLI.run(["mitigate"] + args + common)
      #expect(r.status == 0, "\(args): \(r.stderr)")
      let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
      return json?["fitted"] as? [String: Any] ?? [:]
    }
    let weight = ["--sample-weight", "w"]
    // CLI numbers pass through JSON, which Foundation may round by an ulp: 1e-12 as the unweighted CLI test.
    let roc = try fitted(
      ["reject-option", "--privileged", "Male", "--threshold-count", "40", "--margin-count", "20"]
        + weight)
    let rocRef = (fixture["reject_option"] as! [[String: Any]])[0]
    #expect(
      abs(
        F.number(roc["classification_threshold"]) - Double(
          rocRef["classification_threshold_repr"] as! String)!) < 1e-12)
    #expect(
      abs(F.number(roc["roc_margin"]) - Double(rocRef["ROC_margin_repr"] as! String)!) < 1e-12)
    #expect(abs(F.number(roc["balanced_accuracy"]) - F.number(rocRef["balanced_accuracy"])) < 1e-12)
    #expect(roc["sample_weight"] as? String == "w")
    let eo = try fitted(["equalized-odds-postprocessing", "--privileged", "Male"] + weight)
    let eoRef = F.doubles((fixture["eq_odds"] as! [String: Any])["x"])
    for (k, key) in ["sp2p", "sn2p", "op2p", "on2p"].enumerated() {
      #expect(abs(F.number(eo[key]) - eoRef[k]) < 1e-9, "\(key)")
    }
    let ceo = try fitted(
      ["calibrated-equalized-odds", "--privileged", "Male", "--cost-constraint", "weighted"]
        + weight)
    let ceoRef = (fixture["calibrated_eq_odds"] as! [[String: Any]])[2]
    #expect(abs(F.number(ceo["unpriv_mix_rate"]) - F.number(ceoRef["unpriv_mix_rate"])) < 1e-12)
    #expect(abs(F.number(ceo["base_rate_priv"]) - F.number(ceoRef["base_rate_priv"])) < 1e-15)
    // With the built-in learner on x: the weight column read from the training file is not a
    // feature, so reading the same weights from another file gives the same fit.
    let own = try fitted(
      ["equalized-odds-postprocessing", "--privileged", "Male"] + weight, score: false)
    let other = try fitted(
      ["equalized-odds-postprocessing", "--privileged", "Male"] + weight
        + ["--sample-weight-file", fit], train: plain, score: false)
    #expect(!own.isEmpty)
    for key in ["sp2p", "sn2p", "op2p", "on2p", "objective"] {
      #expect(F.number(own[key]) == F.number(other[key]), "\(key)")
    }
  }

  @Test(
    "reweighing --output feeds --sample-weight-file: the AIF360 Reweighing → post-processing pipeline"
  )
  func reweighingPipeline() throws {
    let folder = try TestData.temporaryFolder()
    var text = "score,y,sex\n"
    for i in F.fit { text += "\(F.scores[i]),\(F.labels[i]),\(F.sex[i])\n" }
    let train = folder.appendingPathComponent("train.csv").path
    try text.write(toFile: train, atomically: true, encoding: .utf8)
    let weights = folder.appendingPathComponent("weights.csv").path
    let common = [
      "--train", train, "--target", "y", "--sensitive", "sex", "--score", "score", "--format",
      "json",
    ]
    let rw = try CLI.run(["mitigate", "reweighing", "--output", weights] + common)
    #expect(rw.status == 0, "\(rw.stderr)")
    let fixture = try WeightedPostprocessingFixture.weighting("reweighing")
    func fitted(_ args: [String]) throws -> [String: Any] {
      let r = try CLI.run(
        ["mitigate"] + args + common + [
          "--sample-weight", "weight", "--sample-weight-file", weights,
        ])
      #expect(r.status == 0, "\(args): \(r.stderr)")
      let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
      return json?["fitted"] as? [String: Any] ?? [:]
    }
    for (k, ref) in (fixture["reject_option"] as! [[String: Any]]).prefix(3).enumerated() {
      let metric = [
        "statistical_parity_difference", "average_odds_difference", "equal_opportunity_difference",
      ][k]
      let roc = try fitted([
        "reject-option", "--privileged", "Male", "--metric", metric,
        "--threshold-count", "40", "--margin-count", "20",
      ])
      #expect(
        abs(
          F.number(roc["classification_threshold"]) - Double(
            ref["classification_threshold_repr"] as! String)!) < 1e-12, "\(metric)")
      #expect(
        abs(F.number(roc["roc_margin"]) - Double(ref["ROC_margin_repr"] as! String)!) < 1e-12,
        "\(metric)")
      #expect(
        abs(F.number(roc["metric_value"]) - F.number(ref["metric_value"])) < 1e-12, "\(metric)")
    }
    let eo = try fitted(["equalized-odds-postprocessing", "--privileged", "Male"])
    #expect(
      abs(F.number(eo["on2p"]) - F.doubles((fixture["eq_odds"] as! [String: Any])["x"])[3]) < 1e-9)
    // A weights file whose group/label columns do not follow the training rows is refused.
    var lines = try String(contentsOfFile: weights, encoding: .utf8).split(separator: "\n").map(
      String.init)
    func cell(_ line: String) -> ArraySlice<Substring> { line.split(separator: ",")[1...2] }
    let other = try #require(lines.indices.dropFirst(2).first { cell(lines[$0]) != cell(lines[1]) })
    lines.swapAt(1, other)
    let shuffled = folder.appendingPathComponent("shuffled.csv").path
    try (lines.joined(separator: "\n") + "\n").write(
      toFile: shuffled, atomically: true, encoding: .utf8)
    let bad = try CLI.run(
      ["mitigate", "equalized-odds-postprocessing", "--privileged", "Male"] + common
        + ["--sample-weight", "weight", "--sample-weight-file", shuffled])
    #expect(bad.status == 2)
    #expect(
      bad.stderr.contains("shuffled.csv:2:") && bad.stderr.contains("do not follow"),
      "\(bad.stderr)")
    for ref in fixture["calibrated_eq_odds"] as! [[String: Any]] {
      let cost = ref["cost_constraint"] as! String
      let ceo = try fitted([
        "calibrated-equalized-odds", "--privileged", "Male", "--cost-constraint", cost,
      ])
      #expect(
        abs(F.number(ceo["priv_mix_rate"]) - F.number(ref["priv_mix_rate"])) < 1e-12, "\(cost)")
      #expect(
        abs(F.number(ceo["unpriv_mix_rate"]) - F.number(ref["unpriv_mix_rate"])) < 1e-12, "\(cost)")
    }
  }

  @Test("bad sample weights: one line naming file, line and column; exit 2")
  func commandLineBadWeights() throws {
    let folder = try TestData.temporaryFolder()
    func run(
      _ weights: [String], extra: [String] = [], command: String = "reject-option"
    ) throws
      -> CLI.Result
    {
      var text = "score,y,sex,w\n"
      for (i, v) in weights.enumerated() {
        text += "\(0.1 * Double(i % 9) + 0.05),\(i % 2),\(i % 3 == 0 ? "F" : "M"),\(v)\n"
      }
      let path = folder.appendingPathComponent("bad.csv").path
      try text.write(toFile: path, atomically: true, encoding: .utf8)
      return try CLI.run(
        [
          "mitigate", command, "--privileged", "M", "--train", path, "--target", "y", "--sensitive",
          "sex",
          "--score", "score",
        ] + extra)
    }
    let good = [String](repeating: "1.5", count: 12)
    var weights = good
    weights[4] = "-0.5"
    for command in ["reject-option", "equalized-odds-postprocessing", "calibrated-equalized-odds"] {
      let r = try run(weights, extra: ["--sample-weight", "w"], command: command)
      #expect(r.status == 2, "\(command)")
      #expect(
        r.stderr.contains("bad.csv:6:4 (column 'w')") && r.stderr.contains("-0.5"),
        "\(command): \(r.stderr)")
      #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }
    weights = good
    weights[7] = "nan"
    let nan = try run(weights, extra: ["--sample-weight", "w"])
    #expect(nan.status == 2)
    #expect(nan.stderr.contains("bad.csv:9:4"), "\(nan.stderr)")
    let zero = try run([String](repeating: "0", count: 12), extra: ["--sample-weight", "w"])
    #expect(zero.status == 2)
    #expect(
      zero.stderr.contains("bad.csv") && zero.stderr.contains("'w'") && zero.stderr.contains("0"),
      "\(zero.stderr)")
    // The F rows (every third) weigh 0: the unprivileged group has no weight.
    let group = try run((0..<12).map { $0 % 3 == 0 ? "0" : "1" }, extra: ["--sample-weight", "w"])
    #expect(group.status == 2)
    #expect(group.stderr.contains("unprivileged group sum to 0"), "\(group.stderr)")
    let missing = try run(good, extra: ["--sample-weight", "weight"])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("weight"), "\(missing.stderr)")
    let short = folder.appendingPathComponent("short.csv").path
    try "weight\n1\n2\n".write(toFile: short, atomically: true, encoding: .utf8)
    let count = try run(good, extra: ["--sample-weight", "weight", "--sample-weight-file", short])
    #expect(count.status == 2)
    #expect(
      count.stderr.contains("short.csv") && count.stderr.contains("2 rows"), "\(count.stderr)")
    let alone = try run(good, extra: ["--sample-weight-file", short])
    #expect(alone.status == 2)
    #expect(alone.stderr.contains("--sample-weight"), "\(alone.stderr)")
  }
}
