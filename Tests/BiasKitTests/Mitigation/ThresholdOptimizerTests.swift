import Foundation
import Testing

@testable import BiasKit

/// The logistic regression of the reference, fitted once and shared by the post-processing tests.
enum AdultModel {
  static let model: LogisticRegression.Model = try! LogisticRegression().fitted(
    features: AdultDesign.train.features, labels: AdultDesign.train.labels)
  static let trainScores = model.probabilities(AdultDesign.train.features)
  static let testScores = model.probabilities(AdultDesign.test.features)
  static let trainGroups = Groups(AdultDesign.train.sex)
  static let testGroups = try! trainGroups.encoding(AdultDesign.test.sex)
  static let trainLabels = AdultDesign.train.labels.map { UInt8($0) }
  static let testLabels = AdultDesign.test.labels.map { UInt8($0) }
}

/// Expected accuracy, selection rate and violation (DP or EO) of expected predictions `p`.
func expectedSummary(
  _ p: [Double], labels: [UInt8], groups: Groups
) throws
  -> (accuracy: Double, selectionRate: Double, dp: Double, eo: Double)
{
  let summary = try ExpectedOutcome(probabilities: p, labels: labels, groups: groups)
  return (
    summary.accuracy, summary.selectionRate, summary.demographicParityDifference,
    summary.equalizedOddsDifference
  )
}

@Suite("Mitigation.ThresholdOptimizer", .heavy)
struct ThresholdOptimizerTests {
  @Test(
    "demographic parity on Adult matches fairlearn 0.15 within 0.002",
    .enabled(if: TestData.sharedIsAvailable))
  func demographicParityMatchesFairlearn() throws {
    let start = Date()
    let model = try ThresholdOptimizer(constraint: .demographicParity)
      .fitted(
        scores: AdultModel.trainScores, labels: AdultModel.trainLabels,
        groups: AdultModel.trainGroups)
    let p = try model.positiveProbabilities(
      scores: AdultModel.testScores, groups: AdultModel.testGroups)
    print("INFO threshold optimizer fit+predict \(Date().timeIntervalSince(start)) s")
    let s = try expectedSummary(p, labels: AdultModel.testLabels, groups: AdultModel.testGroups)
    let ref = "threshold_optimizer_demographic_parity_fairlearn"
    print("INFO TO dp", s, model.rules)
    #expect(abs(s.accuracy - referenceNumber(ref, "results", "test_expected_accuracy")) < 0.002)
    #expect(abs(s.dp - referenceNumber(ref, "results", "test_expected_violation_dp")) < 0.002)
    #expect(
      abs(s.selectionRate - referenceNumber(ref, "results", "test_expected_selection_rate")) < 0.002
    )
    // The rules themselves: same probabilities (exactly, they are count ratios) and thresholds.
    for (a, name) in model.groupNames.enumerated() {
      let p0 = referenceNumber(ref, "results", "interpolation", name, "p0")
      #expect(abs(model.rules[a].p0 - p0) < 1e-12, "\(name)")
      let op0 = referenceValue(ref, "results", "interpolation", name, "operation0") as! String
      let t0 = Double(op0.dropFirst(2).dropLast())!
      #expect(abs(model.rules[a].operation0.threshold - t0) < 1e-6, "\(name)")
    }
    var generator = SeededGenerator(seed: 0)
    let hard = try model.predictions(
      scores: AdultModel.testScores, groups: AdultModel.testGroups, using: &generator)
    let hardAccuracy =
      Double(zip(hard, AdultModel.testLabels).filter { $0 == $1 }.count) / Double(hard.count)
    #expect(abs(hardAccuracy - s.accuracy) < 0.01)
  }

  @Test(
    "every constraint and objective matches fairlearn (fixture)",
    .enabled(if: TestData.sharedIsAvailable))
  func allConstraintsMatchFixture() throws {
    let cases =
      try TestData.json(TestData.fixture("Mitigation/threshold_optimizer.json")) as! [[String: Any]]
    #expect(cases.count >= 8)
    for c in cases {
      let constraint = ThresholdOptimizer.Constraint(rawValue: c["constraints"] as! String)!
      let objective = ThresholdOptimizer.Objective(rawValue: c["objective"] as! String)!
      let flip = c["flip"] as! Bool
      let model = try ThresholdOptimizer(constraint: constraint, objective: objective, flip: flip)
        .fitted(
          scores: AdultModel.trainScores, labels: AdultModel.trainLabels,
          groups: AdultModel.trainGroups)
      let p = try model.positiveProbabilities(
        scores: AdultModel.testScores, groups: AdultModel.testGroups)
      let s = try expectedSummary(p, labels: AdultModel.testLabels, groups: AdultModel.testGroups)
      let label = "\(constraint) \(objective) flip=\(flip)"
      #expect(abs(s.accuracy - (c["test_expected_accuracy"] as! Double)) < 0.002, "\(label)")
      #expect(
        abs(s.selectionRate - (c["test_expected_selection_rate"] as! Double)) < 0.002, "\(label)")
      #expect(abs(s.dp - (c["test_expected_violation_dp"] as! Double)) < 0.002, "\(label)")
      #expect(abs(s.eo - (c["test_expected_violation_eo"] as! Double)) < 0.002, "\(label)")
    }
  }

  @Test("a group whose labels have one class is an error")
  func degenerateLabels() {
    let groups = Groups(["a", "a", "b", "b"])
    #expect(throws: BiasKitError.self) {
      _ = try ThresholdOptimizer().fitted(
        scores: [0.1, 0.9, 0.2, 0.8], labels: [0, 1, 1, 1], groups: groups)
    }
  }

  @Test("equalized odds refuses objectives other than accuracy and balanced accuracy")
  func equalizedOddsObjective() {
    let groups = Groups(["a", "a", "b", "b"])
    #expect(throws: BiasKitError.self) {
      _ = try ThresholdOptimizer(constraint: .equalizedOdds, objective: .selectionRate)
        .fitted(scores: [0.1, 0.9, 0.2, 0.8], labels: [0, 1, 0, 1], groups: groups)
    }
  }

  // MARK: Relaxed constraints (fairlearn `tol`)

  /// The expected constrained rate of each group under positive probabilities `p`.
  static func constrainedRates(
    _ constraint: ThresholdOptimizer.Constraint, _ p: [Double],
    labels: [UInt8], groups: Groups
  ) -> [Double] {
    var sum = [Double](repeating: 0, count: groups.count)
    var count = [Double](repeating: 0, count: groups.count)
    for i in 0..<p.count {
      let label = labels[i]
      switch constraint {
      case .truePositiveRateParity, .falseNegativeRateParity: if label != 1 { continue }
      case .falsePositiveRateParity, .trueNegativeRateParity: if label != 0 { continue }
      default: break
      }
      let a = Int(groups.codes[i])
      sum[a] += p[i]
      count[a] += 1
    }
    return (0..<groups.count).map { a in
      let q = sum[a] / count[a]
      return constraint == .trueNegativeRateParity || constraint == .falseNegativeRateParity
        ? 1 - q : q
    }
  }

  static func range(_ values: [Double]) -> Double { values.max()! - values.min()! }

  /// The threshold of fairlearn's `str(ThresholdOperation)`, e.g. "[>0.75]".
  static func threshold(_ text: String) -> (greater: Bool, value: Double) {
    let body = text.dropFirst(2).dropLast()
    let value = body == "inf" ? Double.infinity : body == "-inf" ? -Double.infinity : Double(body)!
    return (text.dropFirst().first == ">", value)
  }

  /// threshold_optimizer_tol.json, read with JSONDecoder: it parses decimals to the nearest
  /// double, which JSONSerialization on Linux does not always do (off by 1–2 ulps).
  struct ToleranceFixture: Decodable {
    struct Rule: Decodable {
      var p0: Double
      var operation0: String
      var p1: Double
      var operation1: String
    }
    struct Case: Decodable {
      var constraints: String
      var objective: String
      var tol: Double?
      var flip: Bool?
      var sensitive: String?
      var gridSize: Int?
      var xBestPerGroup: [String: Double]
      var yBest: Double
      var betweenGroups: Double
      var interpolation: [String: Rule]
      var testExpectedAccuracy: Double?
      var testExpectedSelectionRate: Double?
      var testExpectedViolationDp: Double?
      var testExpectedViolationEo: Double?
      var trainExpectedAccuracy: Double
      var trainExpectedViolationDp: Double
      var trainConstraintRange: Double
      var probabilities: [String: [Double]]?
    }
    struct Synthetic: Decodable {
      var levels: [Double]
      var scores: [Double]
      var labels: [UInt8]
      var groups: [String]
      var cases: [Case]
    }
    var synthetic: Synthetic
    var adult: [Case]

    static let shared: ToleranceFixture = {
      let decoder = JSONDecoder()
      decoder.keyDecodingStrategy = .convertFromSnakeCase
      let data = try! Data(contentsOf: TestData.fixture("Mitigation/threshold_optimizer_tol.json"))
      return try! decoder.decode(ToleranceFixture.self, from: data)
    }()
  }

  /// Checks a fitted model against one fixture case: the same grid point for every group, the
  /// same objective, and the same rules, all to the last bit.
  static func expectSameFit(
    _ model: ThresholdOptimizer.Model, _ c: ToleranceFixture.Case, _ label: String
  ) {
    #expect(model.groupRates == model.groupNames.map { c.xBestPerGroup[$0]! }, "\(label)")
    #expect(model.bestObjective == c.yBest, "\(label)")
    #expect(model.rateRange == c.betweenGroups, "\(label)")
    for (a, name) in model.groupNames.enumerated() {
      let rule = model.rules[a]
      let ref = c.interpolation[name]!
      #expect(rule.p0 == ref.p0 && rule.p1 == ref.p1, "\(label) \(name)")
      let t0 = threshold(ref.operation0)
      let t1 = threshold(ref.operation1)
      #expect(
        rule.operation0.greater == t0.greater && rule.operation0.threshold == t0.value,
        "\(label) \(name)")
      #expect(
        rule.operation1.greater == t1.greater && rule.operation1.threshold == t1.value,
        "\(label) \(name)")
    }
  }

  @Test(
    "tol on tied synthetic scores: the same grid points, rules and probabilities as fairlearn 0.15, bit for bit"
  )
  func toleranceMatchesFairlearnOnTies() throws {
    let data = ToleranceFixture.shared.synthetic
    let groups = Groups(data.groups)
    #expect(data.cases.count == 75)
    for c in data.cases {
      var optimizer = ThresholdOptimizer(
        constraint: .init(rawValue: c.constraints)!, objective: .init(rawValue: c.objective)!)
      optimizer.gridSize = c.gridSize!
      optimizer.tolerance = c.tol
      let label =
        "\(optimizer.constraint) \(optimizer.objective) grid \(optimizer.gridSize) tol \(String(describing: c.tol))"
      let model = try optimizer.fitted(scores: data.scores, labels: data.labels, groups: groups)
      Self.expectSameFit(model, c, label)
      for name in model.groupNames {
        let g = try groups.encoding([String](repeating: name, count: data.levels.count))
        #expect(
          try model.positiveProbabilities(scores: data.levels, groups: g) == c.probabilities![
            name]!, "\(label) \(name)")
      }
      let p = try model.positiveProbabilities(scores: data.scores, groups: groups)
      let s = try expectedSummary(p, labels: data.labels, groups: groups)
      #expect(abs(s.accuracy - c.trainExpectedAccuracy) < 1e-15, "\(label)")
      #expect(abs(s.dp - c.trainExpectedViolationDp) < 1e-15, "\(label)")
      let spread = Self.range(
        Self.constrainedRates(optimizer.constraint, p, labels: data.labels, groups: groups))
      #expect(abs(spread - c.trainConstraintRange) < 1e-15, "\(label)")
      #expect(spread <= (c.tol ?? 0) + 1e-12, "\(label): range \(spread)")
    }
  }

  @Test(
    "tol on Adult: fairlearn 0.15's grid points, objective and rules; expected accuracy and violations within 1e-12",
    .enabled(if: TestData.sharedIsAvailable))
  func toleranceMatchesFairlearnOnAdult() throws {
    let cases = ToleranceFixture.shared.adult
    #expect(cases.count == 105)
    let race = Groups(AdultDesign.train.race)
    let raceTest = try race.encoding(AdultDesign.test.race)
    var worst = 0.0
    var strictObjective: [String: Double] = [:]
    var previousObjective: [String: Double] = [:]
    for c in cases {
      let byRace = c.sensitive == "race_raw"
      let groups = byRace ? race : AdultModel.trainGroups
      let testGroups = byRace ? raceTest : AdultModel.testGroups
      let optimizer = ThresholdOptimizer(
        constraint: .init(rawValue: c.constraints)!, objective: .init(rawValue: c.objective)!,
        flip: c.flip!, tolerance: c.tol)
      let key =
        "\(optimizer.constraint) \(optimizer.objective) flip=\(optimizer.flip) \(byRace ? "race" : "sex")"
      let label = "\(key) tol \(String(describing: c.tol))"
      let model = try optimizer.fitted(
        scores: AdultModel.trainScores, labels: AdultModel.trainLabels, groups: groups)
      #expect(model.groupRates == model.groupNames.map { c.xBestPerGroup[$0]! }, "\(label)")
      #expect(abs(model.bestObjective - c.yBest) < 1e-12, "\(label)")
      for (a, name) in model.groupNames.enumerated() {
        let rule = model.rules[a]
        let ref = c.interpolation[name]!
        #expect(abs(rule.p0 - ref.p0) < 1e-12, "\(label) \(name)")
        #expect(
          abs(rule.operation0.threshold - Self.threshold(ref.operation0).value) < 1e-9
            || rule.operation0.threshold == Self.threshold(ref.operation0).value, "\(label) \(name)"
        )
      }
      let p = try model.positiveProbabilities(scores: AdultModel.testScores, groups: testGroups)
      let s = try expectedSummary(p, labels: AdultModel.testLabels, groups: testGroups)
      let diffs = [
        s.accuracy - c.testExpectedAccuracy!, s.selectionRate - c.testExpectedSelectionRate!,
        s.dp - c.testExpectedViolationDp!, s.eo - c.testExpectedViolationEo!,
      ].map(abs)
      worst = max(worst, diffs.max()!)
      #expect(diffs.max()! < 1e-12, "\(label): \(diffs)")
      let pTrain = try model.positiveProbabilities(scores: AdultModel.trainScores, groups: groups)
      let spread = Self.range(
        Self.constrainedRates(
          optimizer.constraint, pTrain, labels: AdultModel.trainLabels, groups: groups))
      #expect(abs(spread - c.trainConstraintRange) < 1e-12, "\(label)")
      #expect(spread <= (c.tol ?? 0) + 1e-12, "\(label): range \(spread)")
      // The strict solution is feasible for every tol, and a larger tol only adds choices.
      if c.tol == nil { strictObjective[key] = model.bestObjective }
      #expect(model.bestObjective >= strictObjective[key]!, "\(label)")
      #expect(model.bestObjective >= previousObjective[key] ?? -.infinity, "\(label)")
      previousObjective[key] = model.bestObjective
    }
    print("INFO threshold optimizer tol: largest test difference from fairlearn \(worst)")
  }

  @Test("tol nil and tol 0 give the same model (0 is falsy in fairlearn); tol 1 and +inf too")
  func toleranceZeroIsStrict() throws {
    let data = ToleranceFixture.shared.synthetic
    let (scores, labels, groups) = (data.scores, data.labels, Groups(data.groups))
    for constraint in ThresholdOptimizer.Constraint.allCases where constraint != .equalizedOdds {
      for objective in ThresholdOptimizer.Objective.allCases {
        func fit(_ tolerance: Double?) throws -> ThresholdOptimizer.Model {
          try ThresholdOptimizer(
            constraint: constraint, objective: objective, gridSize: 50, tolerance: tolerance
          )
          .fitted(scores: scores, labels: labels, groups: groups)
        }
        let strict = try fit(nil)
        #expect(try fit(0) == strict, "\(constraint) \(objective)")
        #expect(try fit(-0.0) == strict, "\(constraint) \(objective)")
        #expect(strict.rateRange == 0)
        let free = try fit(.infinity)
        #expect(try fit(1) == free, "\(constraint) \(objective)")
        #expect(free.bestObjective >= strict.bestObjective)
      }
    }
  }

  @Test(
    "a negative or NaN tol, or any tol with equalized odds, is an error",
    arguments: [
      (ThresholdOptimizer.Constraint.demographicParity, -0.01, ">= 0"),
      (.truePositiveRateParity, .nan, ">= 0"),
      (.demographicParity, -.infinity, ">= 0"),
      (.equalizedOdds, 0.05, "equalized_odds"),
      (.equalizedOdds, 0, "equalized_odds"),
    ])
  func toleranceErrors(
    constraint: ThresholdOptimizer.Constraint, tolerance: Double, message: String
  ) {
    let groups = Groups(["a", "a", "b", "b"])
    let optimizer = ThresholdOptimizer(constraint: constraint, tolerance: tolerance)
    #expect(throws: BiasKitError.self) { try optimizer.validate() }
    do {
      _ = try optimizer.fitted(scores: [0.1, 0.9, 0.2, 0.8], labels: [0, 1, 0, 1], groups: groups)
      Issue.record("no error for tol \(tolerance) with \(constraint)")
    } catch {
      #expect("\(error)".contains(message) && "\(error)".contains("tol"), "\(error)")
    }
  }

  // MARK: CLI --tol

  @Test(
    "biaskit mitigate threshold-optimizer --tol: a relaxed fit whose train range is at most tol")
  func toleranceCommand() throws {
    let folder = try TestData.temporaryFolder()
    let train = try MitigateCommandTests.writeData(folder, rows: 400)
    func run(_ extra: [String]) throws -> [String: Any] {
      let r = try CLI.run(
        [
          "mitigate", "threshold-optimizer", "--train", train, "--target", "y",
          "--sensitive", "group", "--drop", "extra", "--format", "json",
        ] + extra)
      #expect(r.status == 0, "\(r.stderr)")
      return MitigateCommandTests.json(r.stdout)
    }
    let strict = try run([])
    let relaxed = try run(["--tol", "0.05"])
    let fitted = relaxed["fitted"] as? [String: Any] ?? [:]
    #expect(fitted["tol"] as? Double == 0.05)
    #expect((strict["fitted"] as? [String: Any])?["tol"] is NSNull)
    let range = fitted["rate_range"] as? Double ?? 1
    #expect(range <= 0.05)
    #expect((fitted["rates"] as? [String: Double])?.count == 2)
    let trainRelaxed = relaxed["train"] as? [String: Any] ?? [:]
    let trainStrict = strict["train"] as? [String: Any] ?? [:]
    // Demographic parity: the train violation is the range of the selection rates.
    #expect(trainRelaxed["expected_violation"] as? Double ?? 1 <= 0.05 + 1e-12)
    #expect(
      trainRelaxed["expected_accuracy"] as? Double ?? 0 >= trainStrict["expected_accuracy"]
        as? Double ?? 1)
    // --tol 0 is the strict fit.
    let zero = try run(["--tol", "0"])
    #expect(
      (zero["train"] as? [String: Any])?["expected_accuracy"] as? Double == trainStrict[
        "expected_accuracy"] as? Double)
  }

  @Test(
    "biaskit mitigate threshold-optimizer --tol rejects bad values in one line",
    arguments: [
      (["--tol", "-0.1"], ">= 0"), (["--tol", "nan"], ">= 0"), (["--tol=-1"], ">= 0"),
      (["--tol", "0.05", "--constraint", "equalized_odds"], "equalized_odds"),
      (["--tol", "0", "--constraint", "equalized_odds"], "equalized_odds"),
    ])
  func toleranceCommandErrors(extra: [String], message: String) throws {
    let r = try CLI.run(
      [
        "mitigate", "threshold-optimizer", "--train", "no-such-file.csv", "--target", "y",
        "--sensitive", "group",
      ] + extra)
    #expect(r.status == 2)
    #expect(r.stderr.hasPrefix("biaskit: error: ") && r.stderr.contains(message), "\(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
  }
}
