import Foundation
import Testing

@testable import BiasKit

@Suite("Mitigation.MitigateCommand", .heavy)
struct MitigateCommandTests {
  /// A small synthetic CSV: two numeric features, a group column and a label that depends on both.
  static func writeData(
    _ folder: URL, name: String = "train.csv", rows: Int = 300, seed: UInt64 = 1,
    mutate: (inout [String], Int) -> Void = { _, _ in }
  ) throws -> String {
    var generator = SeededGenerator(seed: seed)
    var lines = ["x1,x2,group,extra,y"]
    for i in 0..<rows {
      let g = generator.nextUniform() < 0.4 ? "b" : "a"
      let x1 = generator.nextUniform() * 2 - 1
      let x2 = generator.nextUniform() * 2 - 1
      let z = 1.5 * x1 - x2 + (g == "a" ? 0.8 : -0.8)
      let y = generator.nextUniform() < 1 / (1 + exp(-z)) ? 1 : 0
      var fields = ["\(x1)", "\(x2)", g, "id\(i)", "\(y)"]
      mutate(&fields, i)
      lines.append(fields.joined(separator: ","))
    }
    let path = folder.appendingPathComponent(name).path
    try (lines.joined(separator: "\n") + "\n").write(
      toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func json(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
  }

  @Test("exponentiated gradient and threshold optimizer run end to end, reproducibly for a seed")
  func endToEnd() throws {
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder)
    let test = try Self.writeData(folder, name: "test.csv", seed: 2)
    for method in [
      "exponentiated-gradient", "threshold-optimizer", "grid-search", "worst-group",
      "fairness-regularized",
    ] {
      let out1 = folder.appendingPathComponent("\(method)-1.csv").path
      let out2 = folder.appendingPathComponent("\(method)-2.csv").path
      for out in [out1, out2] {
        let r = try CLI.run([
          "mitigate", method, "--train", train, "--test", test, "--target", "y",
          "--sensitive", "group", "--drop", "extra", "--format", "json", "--output", out, "--seed",
          "7",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = Self.json(r.stdout)
        let testSummary = summary["test"] as? [String: Any]
        #expect(testSummary?["expected_accuracy"] as? Double != nil, "\(method)")
        let limit = ["worst-group", "fairness-regularized"].contains(method) ? 1.0 : 0.15
        #expect((testSummary?["expected_violation"] as? Double ?? 1) < limit, "\(method)")
      }
      let a = try String(contentsOfFile: out1, encoding: .utf8)
      let b = try String(contentsOfFile: out2, encoding: .utf8)
      #expect(a == b)
      #expect(a.hasPrefix("row,group,label,probability,prediction\n"))
    }
  }

  @Test("--learner gradient-boosting and --loss reach every mitigation that fits a learner")
  func learnerAndLossChoices() throws {
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder)
    let test = try Self.writeData(folder, name: "test.csv", seed: 2)
    let common = [
      "--train", train, "--test", test, "--target", "y", "--sensitive", "group", "--drop",
      "extra", "--format", "json", "--seed", "7",
    ]
    for (method, extra) in [
      ("exponentiated-gradient", ["--learner", "gradient-boosting", "--learner-max-iter", "20"]),
      ("threshold-optimizer", ["--learner", "gradient-boosting", "--learner-max-iter", "20"]),
      ("exponentiated-gradient", ["--loss", "focal:2"]),
    ] {
      let r = try CLI.run(["mitigate", method] + common + extra)
      #expect(r.status == 0, "\(method) \(extra): \(r.stderr)")
      let testSummary = Self.json(r.stdout)["test"] as? [String: Any]
      #expect((testSummary?["expected_accuracy"] as? Double ?? 0) > 0.6, "\(method) \(extra)")
    }
    // The boosted model differs from the logistic one (the flag is not ignored).
    let lr = try CLI.run(["mitigate", "threshold-optimizer"] + common)
    let gb = try CLI.run(
      ["mitigate", "threshold-optimizer"] + common + ["--learner", "gradient-boosting"])
    #expect(lr.status == 0 && gb.status == 0)
    #expect(lr.stdout != gb.stdout)

    let badLoss = try CLI.run(
      ["mitigate", "exponentiated-gradient"] + common + ["--loss", "focal"])
    #expect(badLoss.status == 2)
    #expect(badLoss.stderr.contains("--loss"), "\(badLoss.stderr)")
    let regularized = try CLI.run(
      ["mitigate", "fairness-regularized"] + common + ["--learner", "gradient-boosting"])
    #expect(regularized.status == 2)
    #expect(regularized.stderr.contains("logistic regression"), "\(regularized.stderr)")
  }

  @Test(
    "threshold optimizer on Adult through the CLI matches fairlearn",
    .enabled(if: TestData.sharedIsAvailable))
  func thresholdOptimizerAdult() throws {
    let r = try CLI.run([
      "mitigate", "threshold-optimizer",
      "--train", TestData.shared("fixtures/adult_train_design.csv").path,
      "--test", TestData.shared("fixtures/adult_test_design.csv").path,
      "--target", "y", "--sensitive", "sex_raw", "--drop", "race_raw", "--format", "json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let test = Self.json(r.stdout)["test"] as? [String: Any] ?? [:]
    let ref = "threshold_optimizer_demographic_parity_fairlearn"
    #expect(
      abs(
        (test["expected_accuracy"] as? Double ?? 0)
          - referenceNumber(ref, "results", "test_expected_accuracy")) < 0.002)
    #expect(
      abs(
        (test["expected_violation"] as? Double ?? 1)
          - referenceNumber(ref, "results", "test_expected_violation_dp")) < 0.002)
  }

  @Test("reweighing writes one weight per training row")
  func reweighingWritesWeights() throws {
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder)
    let out = folder.appendingPathComponent("weights.csv").path
    let r = try CLI.run([
      "mitigate", "reweighing", "--train", train, "--target", "y", "--sensitive", "group",
      "--drop", "extra", "--output", out, "--format", "json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 301)
    #expect(Self.json(r.stdout)["fitted"] != nil)
  }

  @Test("a non-numeric feature column is an error naming the column and the line")
  func nonNumericFeature() throws {
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder) { fields, i in if i == 4 { fields[1] = "abc" } }
    let r = try CLI.run([
      "mitigate", "exponentiated-gradient", "--train", train, "--target", "y",
      "--sensitive", "group", "--drop", "extra",
    ])
    #expect(r.status == 2)
    #expect(r.stderr.contains("x2"), "\(r.stderr)")
    #expect(r.stderr.contains(":6"), "\(r.stderr)")  // header is line 1, row index 4 is line 6
    #expect(r.stderr.contains("abc"), "\(r.stderr)")
  }

  @Test("an infinite feature or score is an error at file:line:column")
  func nonFiniteFeatureOrScore() throws {
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder) { fields, i in if i == 6 { fields[0] = "inf" } }
    let r = try CLI.run([
      "mitigate", "exponentiated-gradient", "--train", train, "--target", "y",
      "--sensitive", "group", "--drop", "extra",
    ])
    #expect(r.status == 2)
    #expect(r.stderr.contains("train.csv:8:1"), "\(r.stderr)")
    #expect(r.stderr.contains("'x1'"), "\(r.stderr)")
    let scored = try Self.writeData(folder, name: "scored.csv") { fields, i in
      if i == 2 { fields[1] = "-inf" }
    }
    let s = try CLI.run([
      "mitigate", "threshold-optimizer", "--train", scored, "--target", "y",
      "--sensitive", "group", "--score", "x2", "--drop", "extra,x1",
    ])
    #expect(s.status == 2)
    #expect(s.stderr.contains("scored.csv:4:2"), "\(s.stderr)")
  }

  @Test("expected_violation is the gap of the rate the constraint names")
  func violationOfTheConstrainedRate() throws {
    // Group a: labels 1,1,0 with p .9,.5,.2; group b: labels 1,0,0 with p .6,.4,0.
    let o = try ExpectedOutcome(
      probabilities: [0.9, 0.5, 0.2, 0.6, 0.4, 0], labels: [1, 1, 0, 1, 0, 0],
      groups: Groups(["a", "a", "a", "b", "b", "b"]))
    #expect(abs(o.truePositiveRateDifference - 0.1) < 1e-15)  // .7 vs .6
    #expect(abs(o.falsePositiveRateDifference - 0.0) < 1e-15)  // .2 vs .2
    #expect(abs(o.errorRateDifference) < 1e-15)  // .8/3 in both groups
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder)
    for constraint in [
      "true_positive_rate_parity", "false_positive_rate_parity", "demographic_parity",
    ] {
      let r = try CLI.run([
        "mitigate", "threshold-optimizer", "--train", train, "--target", "y", "--sensitive",
        "group",
        "--drop", "extra", "--constraint", constraint, "--format", "json",
      ])
      #expect(r.status == 0, "\(r.stderr)")
      let train = Self.json(r.stdout)["train"] as? [String: Any] ?? [:]
      #expect(train["violation_kind"] as? String == constraint)
      // The constrained rate is equalised on the training data.
      #expect((train["expected_violation"] as? Double ?? 1) < 1e-9, "\(constraint): \(train)")
    }
  }

  @Test("weighted expected outcomes: weighted means; unit weights change nothing")
  func weightedOutcome() throws {
    let p = [0.9, 0.5, 0.2, 0.6, 0.4, 0.0]
    let labels: [UInt8] = [1, 1, 0, 1, 0, 0]
    let groups = Groups(["a", "a", "a", "b", "b", "b"])
    let plain = try ExpectedOutcome(probabilities: p, labels: labels, groups: groups)
    #expect(
      try ExpectedOutcome(
        probabilities: p, labels: labels, groups: groups, weights: [Double](repeating: 1, count: 6))
        == plain)
    let w = [2.0, 1, 1, 1, 1, 3]
    let o = try ExpectedOutcome(probabilities: p, labels: labels, groups: groups, weights: w)
    #expect(abs(o.selectionRateByGroup[0] - (2 * 0.9 + 0.5 + 0.2) / 4) < 1e-15)
    #expect(abs(o.selectionRateByGroup[1] - (0.6 + 0.4) / 5) < 1e-15)
    #expect(abs(o.accuracy - (2 * 0.9 + 0.5 + 0.8 + 0.6 + 0.6 + 3 * 1.0) / 9) < 1e-15)
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder) { fields, i in fields[3] = i % 3 == 0 ? "2" : "0.5" }
    let r = try CLI.run([
      "mitigate", "reject-option", "--train", train, "--target", "y", "--sensitive", "group",
      "--privileged", "a", "--sample-weight", "extra", "--format", "json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(
      (Self.json(r.stdout)["train"] as? [String: Any])?["weighted"] as? Bool == true,
      "\(r.stdout.prefix(400))")
  }

  @Test("a sensitive column with one group is an error")
  func oneGroup() throws {
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder) { fields, _ in fields[2] = "a" }
    let r = try CLI.run([
      "mitigate", "threshold-optimizer", "--train", train, "--target", "y",
      "--sensitive", "group", "--drop", "extra",
    ])
    #expect(r.status == 2)
    #expect(r.stderr.contains("one group"), "\(r.stderr)")
  }

  @Test("a label with one class is an error")
  func oneClass() throws {
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder) { fields, _ in fields[4] = "1" }
    let r = try CLI.run([
      "mitigate", "exponentiated-gradient", "--train", train, "--target", "y",
      "--sensitive", "group", "--drop", "extra",
    ])
    #expect(r.status == 2)
    #expect(r.stderr.contains("one class"), "\(r.stderr)")
  }

  @Test("a constraint that cannot be met (a group without positives for TPR parity) is an error")
  func constraintCannotBeMet() throws {
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder) { fields, _ in if fields[2] == "b" { fields[4] = "0" } }
    let r = try CLI.run([
      "mitigate", "threshold-optimizer", "--train", train, "--target", "y",
      "--sensitive", "group", "--drop", "extra", "--constraint", "true_positive_rate_parity",
    ])
    #expect(r.status == 2)
    #expect(r.stderr.contains("group 'b'"), "\(r.stderr)")
  }

  @Test("a non-converging learner fit is a warning with the iteration count, not silence")
  func nonConvergingFit() throws {
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder)
    let r = try CLI.run([
      "mitigate", "threshold-optimizer", "--train", train, "--target", "y",
      "--sensitive", "group", "--drop", "extra", "--learner-max-iter", "2", "--format", "json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("warning") && r.stderr.contains("2 iterations"), "\(r.stderr)")
    let warnings = Self.json(r.stdout)["warnings"] as? [String] ?? []
    #expect(warnings.contains { $0.contains("did not converge") })
  }

  @Test("unknown constraint names list the valid ones")
  func unknownConstraint() throws {
    let folder = try TestData.temporaryFolder()
    let train = try Self.writeData(folder)
    let r = try CLI.run([
      "mitigate", "exponentiated-gradient", "--train", train, "--target", "y",
      "--sensitive", "group", "--drop", "extra", "--constraint", "parity",
    ])
    #expect(r.status == 2)
    #expect(r.stderr.contains("demographic_parity"))
  }
}
