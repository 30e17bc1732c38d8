import Foundation
import Testing

@testable import BiasKit

/// COMPAS or German credit as written to `Examples/` by
/// Fixtures/Mitigation/make_compas_german.py, with that script's reference values
/// (`compas_german.json`: scikit-learn 1.9.1, fairlearn 0.15.0, aif360 0.6.1).
///
/// COMPAS: ProPublica's filter, African-American and Caucasian defendants, label
/// `two_year_recid`, sensitive `race_raw` (privileged Caucasian). German: label good credit,
/// sensitive `sex_raw` (privileged male), also `age_raw` (old = age > 25).
struct CompasGermanData: @unchecked Sendable {
  struct Part {
    var features: Matrix
    var labels: [UInt8]
    /// The raw sensitive columns by name.
    var raw: [String: [String]]
  }

  var name: String
  var train: Part
  var test: Part
  /// The dataset's entry of the fixture.
  var reference: [String: Any]

  static let fixture: [String: Any] =
    (try? TestData.json(TestData.fixture("Mitigation/compas_german.json"))) as? [String: Any] ?? [:]
  static let compas = load("compas", nonFeatures: ["race_raw", "sex_raw"])
  static let german = load("german", nonFeatures: ["sex_raw", "age_raw"])
  static func named(_ name: String) -> CompasGermanData { name == "compas" ? compas : german }

  static func load(_ name: String, nonFeatures: [String]) -> CompasGermanData {
    func part(_ file: String) -> Part {
      let path = TestData.packageRoot.appendingPathComponent("Examples/\(file)").path
      let reader = try! CSVReader(path: path)
      let names = reader.header.filter { $0 != "y" && !nonFeatures.contains($0) }
      let matrix = try! reader.readMatrix(columns: names)
      let table = try! reader.read([.number("y")] + nonFeatures.map { .category($0) })
      var raw: [String: [String]] = [:]
      for (k, column) in nonFeatures.enumerated() {
        let c = table.columns[k + 1].categories!
        raw[column] = c.codes.map { c.levels[Int($0)] }
      }
      return Part(features: matrix, labels: table.columns[0].numbers!.map { UInt8($0) }, raw: raw)
    }
    return CompasGermanData(
      name: name, train: part("\(name)-train.csv"), test: part("\(name)-test.csv"),
      reference: fixture[name] as? [String: Any] ?? [:])
  }

  var sensitive: String { reference["sensitive"] as! String }
  var privileged: String { reference["privileged"] as! String }
  var trainGroups: Groups { Groups(train.raw[sensitive]!) }
  var testGroups: Groups { try! trainGroups.encoding(test.raw[sensitive]!) }

  /// A reference entry at a path of keys.
  func value(_ path: String...) -> Any? {
    var node: Any? = reference
    for key in path { node = (node as? [String: Any])?[key] }
    return node
  }
  func number(_ path: String...) -> Double {
    var node: Any? = reference
    for key in path { node = (node as? [String: Any])?[key] }
    return (node as? NSNumber)?.doubleValue ?? .nan
  }

  /// scikit-learn's P(y = 1) on the training and test rows (repr strings: read exactly).
  var sklearnTrainScores: [Double] {
    (value("logistic_regression", "train_scores") as! [String]).map { Double($0)! }
  }
  var sklearnTestScores: [Double] {
    (value("logistic_regression", "test_scores") as! [String]).map { Double($0)! }
  }
}

/// Largest absolute differences seen, printed as one INFO line per test.
struct Agreement {
  var label: String
  var worst: [String: Double] = [:]
  init(_ label: String) { self.label = label }
  mutating func check(
    _ what: String, _ mine: Double, _ theirs: Double, within tolerance: Double,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    let d = abs(mine - theirs)
    worst[what] = max(worst[what] ?? 0, d.isNaN ? .infinity : d)
    #expect(
      d <= tolerance, "\(label) \(what): \(mine) vs \(theirs)", sourceLocation: sourceLocation)
  }
  func report() {
    print(
      "INFO \(label): max |diff| "
        + worst.keys.sorted().map { "\($0) \(worst[$0]!)" }.joined(separator: ", "))
  }
}

@Suite("CompasGerman", .heavy)
struct CompasGermanTests {
  static let datasets = ["compas", "german"]

  @Test("the Examples CSVs have the fixture's rows and columns", arguments: datasets)
  func examplesMatchFixture(name: String) throws {
    let d = CompasGermanData.named(name)
    #expect(d.train.features.rows == d.reference["train_rows"] as? Int)
    #expect(d.test.features.rows == d.reference["test_rows"] as? Int)
    #expect(d.train.features.columnNames == d.reference["features"] as? [String])
    #expect(d.trainGroups.names.contains(d.privileged) && d.trainGroups.count == 2)
  }

  @Test("LogisticRegression equals scikit-learn (C=1, lbfgs, max_iter=1000)", arguments: datasets)
  func logisticRegression(name: String) throws {
    let d = CompasGermanData.named(name)
    let model = try LogisticRegression().fitted(
      features: d.train.features, labels: d.train.labels.map(Double.init))
    var a = Agreement("\(name) LR")
    let norm = model.coefficients.map { $0 * $0 }.reduce(0, +).squareRoot()
    a.check(
      "intercept", model.intercept, d.number("logistic_regression", "intercept"), within: 1e-4)
    a.check("coef norm", norm, d.number("logistic_regression", "coef_l2_norm"), within: 1e-4)
    let scores = model.probabilities(d.test.features)
    for (mine, theirs) in zip(scores, d.sklearnTestScores) {
      a.check("test score", mine, theirs, within: 1e-4)
    }
    let predictions = model.predictions(d.test.features)
    let positives = predictions.reduce(0) { $0 + Int($1) }
    let correct = zip(predictions, d.test.labels).filter { $0 == $1 }.count
    #expect(positives == d.value("logistic_regression", "test_positives") as? Int)
    #expect(correct == d.value("logistic_regression", "test_correct") as? Int)
    #expect(model.converged && model.warnings.isEmpty)
    print(
      "INFO \(name) LR iterations \(model.iterations) vs sklearn \(d.value("logistic_regression", "n_iter")!)"
    )
    a.report()
  }

  @Test("Reweighing equals AIF360 within 1e-12", arguments: ["compas", "german", "german-age"])
  func reweighing(name: String) throws {
    let d = CompasGermanData.named(name == "compas" ? "compas" : "german")
    let key = name == "german-age" ? "reweighing_age" : "reweighing"
    let raw = d.train.raw[name == "german-age" ? "age_raw" : d.sensitive]!
    let groups = Groups(raw)
    let model = try Reweighing().fitted(labels: d.train.labels, groups: groups)
    var a = Agreement("\(name) reweighing")
    for (g, group) in groups.names.enumerated() {
      for y in 0..<2 {
        a.check(
          "\(group),\(y)", model.factors[g][y], d.number(key, "weights", "\(group),\(y)"),
          within: 1e-12)
      }
    }
    let sum = try model.weights(labels: d.train.labels, groups: groups).reduce(0, +)
    a.check("sum", sum, d.number(key, "sum_weights"), within: 1e-9)
    a.report()
  }

  @Test(
    "CorrelationRemover equals fairlearn within 1e-9 (alpha 1 and 0.5)", arguments: datasets,
    ["1.0", "0.5"])
  func correlationRemover(name: String, alpha: String) throws {
    let d = CompasGermanData.named(name)
    let columns = d.value("correlation_remover", "columns") as! [String]
    let names = d.train.features.columnNames
    let keep = columns.map { names.firstIndex(of: $0)! }
    let train = d.train.features.columns(keep)
    let test = d.test.features.columns(keep)
    let sensitive = columns.firstIndex(
      of: d.value("correlation_remover", "sensitive_column") as! String)!
    let model = try CorrelationRemover(alpha: Double(alpha)!).fitted(
      train, sensitiveColumns: [sensitive])
    let out = try model.transform(train)
    let outTest = try model.transform(test)
    #expect(out.columns == d.value("correlation_remover", alpha, "output_columns") as? Int)
    // Compensated sums: a plain running sum of 44,000 values drifts by ~1e-9 on its own.
    func sum(_ values: [Double]) -> Double {
      var sum = 0.0
      var carry = 0.0
      for v in values {
        let y = v - carry
        let t = sum + y
        carry = (t - sum) - y
        sum = t
      }
      return sum
    }
    func norm(_ values: [Double]) -> Double { sum(values.map { $0 * $0 }).squareRoot() }
    var a = Agreement("\(name) CorrelationRemover alpha \(alpha)")
    a.check(
      "train norm", norm(out.values),
      d.number("correlation_remover", alpha, "train_output_fro_norm"), within: 1e-9)
    a.check(
      "test norm", norm(outTest.values),
      d.number("correlation_remover", alpha, "test_output_fro_norm"), within: 1e-9)
    a.check(
      "train sum", sum(out.values), d.number("correlation_remover", alpha, "train_output_sum"),
      within: 1e-9)
    a.check(
      "test sum", sum(outTest.values), d.number("correlation_remover", alpha, "test_output_sum"),
      within: 1e-9)
    a.check(
      "beta norm", norm(model.beta), d.number("correlation_remover", alpha, "beta_fro_norm"),
      within: 1e-12)
    let first = (d.value("correlation_remover", alpha, "first_row") as! [NSNumber]).map(
      \.doubleValue)
    for j in 0..<out.columns { a.check("first row", out[0, j], first[j], within: 1e-12) }
    a.report()
  }

  @Test(
    "DisparateImpactRemover equals AIF360 exactly (repair levels 0.5 and 1)", arguments: datasets,
    ["0.5", "1.0"])
  func disparateImpactRemover(name: String, level: String) throws {
    let d = CompasGermanData.named(name)
    let columns = d.value("disparate_impact_remover", "columns") as! [String]
    let names = d.train.features.columnNames
    let x = d.train.features.columns(columns.map { names.firstIndex(of: $0)! })
    let out = try DisparateImpactRemover(repairLevel: Double(level)!).repaired(
      x, groups: d.trainGroups)
    let expected = d.value("disparate_impact_remover", level) as! [[Int]]
    for (j, column) in columns.enumerated() {
      // The reference stores each repaired value as its index among the column's distinct values.
      let distinct = Array(Set((0..<x.rows).map { x[$0, j] })).sorted()
      var mismatches = 0
      for i in 0..<x.rows where out[i, j] != distinct[expected[j][i]] { mismatches += 1 }
      #expect(mismatches == 0, "\(name) level \(level) \(column): \(mismatches) values differ")
    }
  }

  static let reductionCases = [
    "demographic_parity", "equalized_odds", "true_positive_rate_parity",
    "false_positive_rate_parity", "error_rate_parity", "bounded_group_loss",
  ]

  @Test(
    "ExponentiatedGradient matches fairlearn within 0.002 (full training set)",
    arguments: datasets, reductionCases)
  func exponentiatedGradient(name: String, constraint: String) throws {
    let d = CompasGermanData.named(name)
    let ref = d.value("exponentiated_gradient", constraint) as! [String: Any]
    let eg: ExponentiatedGradient<LogisticRegression>
    switch constraint {
    case "demographic_parity": eg = ExponentiatedGradient(constraint: .demographicParity())
    case "equalized_odds": eg = ExponentiatedGradient(constraint: .equalizedOdds())
    case "true_positive_rate_parity":
      eg = ExponentiatedGradient(constraint: .truePositiveRateParity())
    case "false_positive_rate_parity":
      eg = ExponentiatedGradient(constraint: .falsePositiveRateParity())
    case "error_rate_parity": eg = ExponentiatedGradient(constraint: .errorRateParity())
    default:
      eg = ExponentiatedGradient(
        constraint: BoundedGroupLoss(upperBound: d.number("bounded_group_loss_upper_bound")))
    }
    let model = try eg.fitted(
      features: d.train.features, labels: d.train.labels, groups: d.trainGroups)
    let s = try ExpectedOutcome(
      probabilities: model.classifier.positiveProbabilities(d.test.features),
      labels: d.test.labels, groups: d.testGroups)
    let str = try ExpectedOutcome(
      probabilities: model.classifier.positiveProbabilities(d.train.features),
      labels: d.train.labels, groups: d.trainGroups)
    var a = Agreement("\(name) EG \(constraint)")
    func want(_ key: String) -> Double { (ref[key] as! NSNumber).doubleValue }
    a.check("test accuracy", s.accuracy, want("test_expected_accuracy"), within: 0.002)
    a.check(
      "test selection rate", s.selectionRate, want("test_expected_selection_rate"), within: 0.002)
    a.check(
      "test dp", s.demographicParityDifference, want("test_expected_violation_dp"), within: 0.002)
    a.check("test eo", s.equalizedOddsDifference, want("test_expected_violation_eo"), within: 0.002)
    a.check("train accuracy", str.accuracy, want("train_expected_accuracy"), within: 0.002)
    a.check(
      "train dp", str.demographicParityDifference, want("train_expected_violation_dp"),
      within: 0.002)
    a.check(
      "train eo", str.equalizedOddsDifference, want("train_expected_violation_eo"), within: 0.002)
    #expect(model.lastIteration == ref["last_iter"] as! Int, "\(name) \(constraint)")
    #expect(
      model.classifier.predictors.count == ref["n_predictors"] as! Int, "\(name) \(constraint)")
    #expect(model.oracleCalls == ref["n_oracle_calls"] as! Int, "\(name) \(constraint)")
    a.report()
  }

  @Test(
    "GridSearch matches fairlearn: best point, its λ, and the outcome within 0.002",
    arguments: datasets, ["demographic_parity", "equalized_odds"])
  func gridSearch(name: String, constraint: String) throws {
    let d = CompasGermanData.named(name)
    let ref = d.value("grid_search", constraint) as! [String: Any]
    let parity: UtilityParity =
      constraint == "equalized_odds" ? .equalizedOdds() : .demographicParity()
    let model = try GridSearch(constraint: parity)
      .fitted(features: d.train.features, labels: d.train.labels, groups: d.trainGroups)
    #expect(model.predictors.count == ref["n_predictors"] as! Int)
    #expect(model.bestIndex == ref["best_idx"] as! Int, "\(name) \(constraint)")
    var a = Agreement("\(name) GridSearch \(constraint)")
    let lambdaBest = (ref["lambda_best"] as! [NSNumber]).map(\.doubleValue)
    #expect(model.lambdas[model.bestIndex].count == lambdaBest.count)
    for (x, y) in zip(model.lambdas[model.bestIndex], lambdaBest) {
      a.check("lambda", x, y, within: 1e-12)
    }
    let p = model.predictions(d.test.features).map(Double.init)
    let s = try ExpectedOutcome(probabilities: p, labels: d.test.labels, groups: d.testGroups)
    func want(_ key: String) -> Double { (ref[key] as! NSNumber).doubleValue }
    a.check("test accuracy", s.accuracy, want("test_expected_accuracy"), within: 0.002)
    a.check(
      "test dp", s.demographicParityDifference, want("test_expected_violation_dp"), within: 0.002)
    a.check("test eo", s.equalizedOddsDifference, want("test_expected_violation_eo"), within: 0.002)
    a.report()
  }

  @Test(
    "ThresholdOptimizer matches fairlearn: to 1e-9 on scikit-learn's scores, within 0.002 on ours",
    arguments: datasets)
  func thresholdOptimizer(name: String) throws {
    let d = CompasGermanData.named(name)
    let cases = d.value("threshold_optimizer") as! [[String: Any]]
    #expect(cases.count == 6)
    let ours = try LogisticRegression().fitted(
      features: d.train.features, labels: d.train.labels.map(Double.init))
    let scoreSets = [
      ("sklearn scores", d.sklearnTrainScores, d.sklearnTestScores, 1e-9),
      (
        "BiasKit LR scores", ours.probabilities(d.train.features),
        ours.probabilities(d.test.features), 0.002
      ),
    ]
    for (label, trainScores, testScores, tolerance) in scoreSets {
      var a = Agreement("\(name) ThresholdOptimizer on \(label)")
      for c in cases {
        let constraint = ThresholdOptimizer.Constraint(rawValue: c["constraints"] as! String)!
        let objective = ThresholdOptimizer.Objective(rawValue: c["objective"] as! String)!
        let model = try ThresholdOptimizer(constraint: constraint, objective: objective)
          .fitted(scores: trainScores, labels: d.train.labels, groups: d.trainGroups)
        let p = try model.positiveProbabilities(scores: testScores, groups: d.testGroups)
        let s = try ExpectedOutcome(probabilities: p, labels: d.test.labels, groups: d.testGroups)
        func want(_ key: String) -> Double { (c[key] as! NSNumber).doubleValue }
        let what = "\(constraint.rawValue)/\(objective.rawValue)"
        a.check("\(what) accuracy", s.accuracy, want("test_expected_accuracy"), within: tolerance)
        a.check(
          "\(what) selection rate", s.selectionRate, want("test_expected_selection_rate"),
          within: tolerance)
        a.check(
          "\(what) dp", s.demographicParityDifference, want("test_expected_violation_dp"),
          within: tolerance)
        a.check(
          "\(what) eo", s.equalizedOddsDifference, want("test_expected_violation_eo"),
          within: tolerance)
      }
      a.report()
    }
  }

  /// The AIF360 post-processors' inputs: scores and labels of the favourable outcome
  /// (COMPAS: no recidivism, 1 − P(y = 1) and 1 − y; German: good credit).
  static func favourable(
    _ d: CompasGermanData
  ) -> (
    fit: [Double], fitLabels: [UInt8], apply: [Double]
  ) {
    let flip = (d.value("aif360_postprocessing", "favourable_label") as! Int) == 0
    let fit = d.sklearnTrainScores
    let apply = d.sklearnTestScores
    if !flip { return (fit, d.train.labels, apply) }
    return (fit.map { 1 - $0 }, d.train.labels.map { 1 - $0 }, apply.map { 1 - $0 })
  }

  @Test(
    "CalibratedEqualizedOdds matches aif360 on scikit-learn's scores (training fit, test apply)",
    arguments: datasets, CalibratedEqualizedOdds.CostConstraint.allCases)
  func calibratedEqualizedOdds(name: String, cost: CalibratedEqualizedOdds.CostConstraint) throws {
    let d = CompasGermanData.named(name)
    let (fit, labels, apply) = Self.favourable(d)
    let cases = d.value("aif360_postprocessing", "calibrated_eq_odds") as! [[String: Any]]
    let ref = try #require(cases.first { $0["cost_constraint"] as? String == cost.rawValue })
    func want(_ key: String) -> Double { (ref[key] as! NSNumber).doubleValue }
    let model = try CalibratedEqualizedOdds(costConstraint: cost, privilegedGroup: d.privileged)
      .fitted(scores: fit, labels: labels, groups: d.trainGroups)
    var a = Agreement("\(name) CalibratedEqOdds \(cost.rawValue)")
    a.check("priv mix rate", model.privilegedMixRate, want("priv_mix_rate"), within: 1e-12)
    a.check("unpriv mix rate", model.unprivilegedMixRate, want("unpriv_mix_rate"), within: 1e-12)
    a.check("priv base rate", model.privilegedBaseRate, want("base_rate_priv"), within: 1e-15)
    a.check("unpriv base rate", model.unprivilegedBaseRate, want("base_rate_unpriv"), within: 1e-15)
    let groups = d.testGroups
    let p = try model.positiveProbabilities(scores: apply, groups: groups)
    let privileged = Int32(groups.names.firstIndex(of: d.privileged)!)
    var sums = [0.0, 0.0]
    for i in p.indices { sums[groups.codes[i] == privileged ? 0 : 1] += p[i] }
    a.check(
      "expected positives, privileged", sums[0], want("apply_expected_positive_sum_privileged"),
      within: 1e-9)
    a.check(
      "expected positives, unprivileged", sums[1], want("apply_expected_positive_sum_unprivileged"),
      within: 1e-9)
    a.report()
  }

  @Test(
    "EqualizedOddsPostprocessing: the four probabilities and the LP objective match aif360 to 1e-9",
    arguments: datasets)
  func equalizedOddsPostprocessing(name: String) throws {
    let d = CompasGermanData.named(name)
    let (fit, labels, apply) = Self.favourable(d)
    let predicted = fit.map { UInt8($0 > 0.5 ? 1 : 0) }
    #expect(
      predicted.reduce(0) { $0 + Int($1) } == d.value(
        "aif360_postprocessing", "fit_predicted_positives") as? Int)
    #expect(
      apply.filter { $0 > 0.5 }.count == d.value(
        "aif360_postprocessing", "apply_predicted_positives") as? Int)
    let ref = d.value("aif360_postprocessing", "eq_odds") as! [String: Any]
    #expect(ref["status"] as? Int == 0)
    let x = (ref["x"] as! [NSNumber]).map(\.doubleValue)
    let model = try EqualizedOddsPostprocessing(privilegedGroup: d.privileged)
      .fitted(predictions: predicted, labels: labels, groups: d.trainGroups)
    var a = Agreement("\(name) EqOddsPostprocessing")
    for (k, (mine, theirs)) in zip(model.mixingProbabilities, x).enumerated() {
      a.check("x[\(k)]", mine, theirs, within: 1e-9)
    }
    a.check("objective", model.objective, (ref["fun"] as! NSNumber).doubleValue, within: 1e-9)
    a.report()
  }

  @Test(
    "RejectOptionClassification: threshold, margin and test labels equal aif360's",
    arguments: datasets)
  func rejectOption(name: String) throws {
    let d = CompasGermanData.named(name)
    let (fit, labels, apply) = Self.favourable(d)
    let cases = d.value("aif360_postprocessing", "reject_option") as! [[String: Any]]
    #expect(cases.count == 3)
    for ref in cases {
      func want(_ key: String) -> Double { (ref[key] as! NSNumber).doubleValue }
      let metric = try #require(
        RejectOptionClassification.Metric(rawValue: ref["metric_name"] as! String))
      let model = try RejectOptionClassification(
        privilegedGroup: d.privileged, metric: metric,
        lowThreshold: want("low"), highThreshold: want("high"),
        thresholdCount: ref["num_class_thresh"] as! Int,
        marginCount: ref["num_ROC_margin"] as! Int, lowerBound: want("metric_lb"),
        upperBound: want("metric_ub")
      )
      .fitted(scores: fit, labels: labels, groups: d.trainGroups)
      #expect(
        model.threshold == Double(ref["classification_threshold_repr"] as! String)!,
        "\(name) \(metric)")
      #expect(model.margin == Double(ref["ROC_margin_repr"] as! String)!, "\(name) \(metric)")
      let predicted = try model.predictions(scores: apply, groups: d.testGroups)
      let expected = (ref["apply_labels"] as! String).map { UInt8($0 == "1" ? 1 : 0) }
      let differing = zip(predicted, expected).filter { $0 != $1 }.count
      #expect(
        predicted.count == expected.count && differing == 0,
        "\(name) \(metric): \(differing) labels differ")
    }
  }

  // MARK: The command line on the Examples files

  static func runJSON(_ arguments: [String]) throws -> [String: Any] {
    let r = try CLI.run(["mitigate"] + arguments + ["--format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
  }

  @Test("biaskit mitigate exponentiated-gradient on COMPAS (race) matches fairlearn within 0.002")
  func commandLineExponentiatedGradientCompas() throws {
    let d = CompasGermanData.compas
    let ref = d.value("exponentiated_gradient", "equalized_odds") as! [String: Any]
    let json = try Self.runJSON([
      "exponentiated-gradient", "--train", "Examples/compas-train.csv",
      "--test", "Examples/compas-test.csv", "--target", "y", "--sensitive", "race_raw", "--drop",
      "sex_raw",
      "--constraint", "equalized_odds",
    ])
    let test = json["test"] as? [String: Any] ?? [:]
    let fitted = json["fitted"] as? [String: Any] ?? [:]
    var a = Agreement("CLI compas EG equalized_odds")
    func num(_ v: Any?) -> Double { (v as? NSNumber)?.doubleValue ?? .nan }
    a.check(
      "accuracy", num(test["expected_accuracy"]), num(ref["test_expected_accuracy"]), within: 0.002)
    a.check(
      "selection rate", num(test["expected_selection_rate"]),
      num(ref["test_expected_selection_rate"]), within: 0.002)
    a.check(
      "violation", num(test["expected_violation"]), num(ref["test_expected_violation_eo"]),
      within: 0.002)
    #expect(test["violation_kind"] as? String == "equalized_odds")
    #expect(test["rows"] as? Int == d.test.features.rows)
    #expect(fitted["last_iter"] as? Int == ref["last_iter"] as? Int)
    #expect(fitted["predictors"] as? Int == ref["n_predictors"] as? Int)
    a.report()
  }

  @Test(
    "biaskit mitigate threshold-optimizer on German (sex) matches fairlearn within 0.002",
    arguments: ["demographic_parity", "equalized_odds"])
  func commandLineThresholdOptimizerGerman(constraint: String) throws {
    let d = CompasGermanData.german
    let cases = d.value("threshold_optimizer") as! [[String: Any]]
    let ref = try #require(
      cases.first {
        $0["constraints"] as? String == constraint
          && $0["objective"] as? String == "balanced_accuracy_score"
      })
    let json = try Self.runJSON([
      "threshold-optimizer", "--train", "Examples/german-train.csv",
      "--test", "Examples/german-test.csv", "--target", "y", "--sensitive", "sex_raw", "--drop",
      "age_raw",
      "--constraint", constraint, "--objective", "balanced_accuracy_score",
    ])
    let test = json["test"] as? [String: Any] ?? [:]
    var a = Agreement("CLI german TO \(constraint) balanced accuracy")
    func num(_ v: Any?) -> Double { (v as? NSNumber)?.doubleValue ?? .nan }
    let violation =
      constraint == "equalized_odds" ? "test_expected_violation_eo" : "test_expected_violation_dp"
    a.check(
      "accuracy", num(test["expected_accuracy"]), num(ref["test_expected_accuracy"]), within: 0.002)
    a.check(
      "selection rate", num(test["expected_selection_rate"]),
      num(ref["test_expected_selection_rate"]), within: 0.002)
    a.check("violation", num(test["expected_violation"]), num(ref[violation]), within: 0.002)
    a.report()
  }

  @Test("biaskit mitigate reweighing on German (age) writes AIF360's weights")
  func commandLineReweighingGermanAge() throws {
    let d = CompasGermanData.german
    let folder = try TestData.temporaryFolder()
    let out = folder.appendingPathComponent("weights.csv").path
    _ = try Self.runJSON([
      "reweighing", "--train", "Examples/german-train.csv", "--target", "y",
      "--sensitive", "age_raw", "--drop", "sex_raw", "--output", out,
    ])
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == d.train.features.rows + 1)
    let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let column = try #require(header.firstIndex(of: "weight"), "header \(header)")
    let ages = d.train.raw["age_raw"]!
    var a = Agreement("CLI german reweighing age")
    for (i, line) in lines.dropFirst().enumerated() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      let w = Double(fields[column])!
      a.check(
        "weight", w, d.number("reweighing_age", "weights", "\(ages[i]),\(d.train.labels[i])"),
        within: 1e-12)
    }
    a.report()
  }

  @Test(
    "biaskit mitigate reject-option on COMPAS, favourable label 0 (--pos-label 0), equals aif360")
  func commandLineRejectOptionCompas() throws {
    // The built-in LR is fitted on the flipped label, so its scores are 1 − P(y = 1) up to
    // rounding; the choice and every test label still equal AIF360's on scikit-learn's scores.
    let d = CompasGermanData.compas
    let cases = d.value("aif360_postprocessing", "reject_option") as! [[String: Any]]
    let ref = try #require(
      cases.first { $0["metric_name"] as? String == "Statistical parity difference" })
    let folder = try TestData.temporaryFolder()
    let out = folder.appendingPathComponent("roc.csv").path
    let json = try Self.runJSON([
      "reject-option", "--train", "Examples/compas-train.csv", "--test", "Examples/compas-test.csv",
      "--target", "y", "--pos-label", "0", "--sensitive", "race_raw", "--drop", "sex_raw",
      "--privileged", "Caucasian", "--output", out,
    ])
    let fitted = json["fitted"] as? [String: Any] ?? [:]
    func num(_ v: Any?) -> Double { (v as? NSNumber)?.doubleValue ?? .nan }
    var a = Agreement("CLI compas reject-option")
    a.check(
      "threshold", num(fitted["classification_threshold"]), num(ref["classification_threshold"]),
      within: 1e-12)
    a.check("margin", num(fitted["roc_margin"]), num(ref["ROC_margin"]), within: 1e-12)
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: ",").map(String.init)
    let column = try #require(header.firstIndex(of: "prediction"), "header \(header)")
    let predicted = lines.dropFirst().map { $0.split(separator: ",")[column] == "1" ? "1" : "0" }
      .joined()
    #expect(predicted == ref["apply_labels"] as? String)
    a.report()
  }
}
