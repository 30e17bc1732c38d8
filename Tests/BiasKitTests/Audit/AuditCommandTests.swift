import Foundation
import Testing

@testable import BiasKit

@Suite("biaskit audit and check (CLI)")
struct AuditCommandTests {
  static let example = "Examples/adult-predictions.csv"

  @Test func readmeCommandPrintsTheTables() throws {
    let result = try CLI.run([
      "audit", Self.example, "--y-true", "y_true", "--y-pred", "y_pred", "--y-score", "y_score",
      "--sensitive", "sex,race",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    for text in [
      "By group", "Female | Black", "demographic_parity_difference", "roc_auc", "16281 rows",
    ] {
      #expect(result.stdout.contains(text), "missing \(text)")
    }
  }

  @Test func jsonFollowsTheContract() throws {
    let folder = try TestData.temporaryFolder()
    let output = folder.appendingPathComponent("audit.json").path
    let result = try CLI.run([
      "audit", Self.example, "--y-score", "y_score", "--sensitive", "sex,race",
      "--format", "json", "--output", output,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(try TestData.json(URL(fileURLWithPath: output)) as? [String: Any])
    #expect(json["rows"] as? Int == 16281)
    #expect(json["sensitive_features"] as? [String] == ["sex", "race"])
    for key in [
      "metrics", "overall", "by_group", "difference_between_groups", "difference_to_overall",
      "ratio_between_groups", "ratio_to_overall", "group_min", "group_max", "fairness",
    ] {
      #expect(json[key] != nil, "missing \(key)")
    }
    #expect(json["intervals"] == nil)
    let groups = try #require(json["by_group"] as? [[String: Any]])
    #expect(groups.count == 10)
    #expect(groups[0]["group"] as? [String] == ["Female", "Amer-Indian-Eskimo"])
    // Full precision (checked on the text: Foundation's JSON parser rounds the last digit).
    let text = try String(contentsOfFile: output, encoding: .utf8)
    #expect(text.contains("\"accuracy\": 0.8530188563356059"))
    // Undefined values are null, never NaN.
    #expect(!text.contains("NaN") && !text.contains("nan"))
  }

  @Test func bootstrapIsReproducibleForASeed() throws {
    let arguments = [
      "audit", Self.example, "--sensitive", "sex", "--metrics", "accuracy,selection_rate",
      "--bootstrap", "200", "--seed", "7", "--format", "json",
    ]
    let first = try CLI.run(arguments)
    let second = try CLI.run(arguments)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout == second.stdout)
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
    let intervals = try #require(json["intervals"] as? [String: Any])
    let accuracy = try #require((intervals["overall"] as? [String: Any])?["accuracy"] as? [Double])
    #expect(
      accuracy.count == 3 && accuracy[0] < 0.8530188563356059 && accuracy[2] > 0.8530188563356059)
  }

  @Test func csvFormatIsLongForm() throws {
    let result = try CLI.run([
      "audit", Self.example, "--sensitive", "sex", "--metrics", "accuracy", "--format", "csv",
    ])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.first == "section,control,group,metric,value")
    #expect(lines.contains("overall,,,accuracy,0.8530188563356059"))
  }

  @Test func checkGatesOnBoundsAndWritesJUnit() throws {
    let folder = try TestData.temporaryFolder()
    let junit = folder.appendingPathComponent("report.xml").path
    let failing = try CLI.run([
      "check", Self.example, "--sensitive", "sex", "--max", "demographic_parity_difference=0.1",
      "--min", "ratio_between_groups.recall=0.8", "--junit", junit,
    ])
    #expect(failing.status == 1)
    #expect(
      failing.stdout.contains("FAIL demographic_parity_difference ≤ 0.1: 0.17620920688013975"))
    #expect(failing.stdout.contains("ok   ratio_between_groups.recall ≥ 0.8"))
    let xml = try String(contentsOfFile: junit, encoding: .utf8)
    #expect(xml.contains("tests=\"2\" failures=\"1\""))
    let passing = try CLI.run([
      "check", Self.example, "--sensitive", "sex", "--max", "demographic_parity_difference=0.2",
    ])
    #expect(passing.status == 0)
    let unknown = try CLI.run(["check", Self.example, "--sensitive", "sex", "--max", "nonsense=1"])
    #expect(unknown.status == 2)
    #expect(unknown.stderr.contains("unknown bound 'nonsense'"))
  }

  // MARK: Bad input: one line on stderr, exit 2, no output file.

  static let badInputs: [(name: String, csv: String?, extra: [String], message: String)] = [
    ("missing file", nil, [], "no such file"),
    ("empty file", "", [], "the file is empty"),
    ("header only", "y_true,y_pred,y_score,s\n", [], "the file has a header but no data rows"),
    (
      "unknown column", "y_true,y_pred,y_score,g\n1,0,0.5,a\n", [],
      "no column named 's'; the columns are 'y_true', 'y_pred', 'y_score', 'g'"
    ),
    (
      "ragged row", "y_true,y_pred,y_score,s\n1,0,0.5,a\n1,0\n", [],
      "input.csv:3: the row has 2 fields; the header has 4"
    ),
    (
      "unterminated quote", "y_true,y_pred,y_score,s\n1,0,0.5,\"a\n0,0,0.1,b\n", [],
      "input.csv:2:4 (column 's'): a quoted field is never closed"
    ),
    (
      "unparsable number", "y_true,y_pred,y_score,s\n1,0,0.5,a\n0,1,zero,b\n", [],
      "input.csv:3:3 (column 'y_score'): 'zero' is not a number"
    ),
    (
      "NaN score", "y_true,y_pred,y_score,s\n1,0,0.5,a\n0,1,NaN,b\n", [],
      "input.csv:3:3 (column 'y_score'): the score is nan; expected a finite number"
    ),
    (
      "infinite score", "y_true,y_pred,y_score,s\n1,0,inf,a\n0,1,0.2,b\n", [],
      "input.csv:2:3 (column 'y_score'): the score is inf"
    ),
    (
      "score outside [0,1]", "y_true,y_pred,y_score,s\n1,0,1.5,a\n0,1,0.2,b\n",
      ["--metrics", "brier_score"],
      "input.csv:2:3 (column 'y_score'): the score 1.5 is outside [0, 1]"
    ),
    (
      "label outside two classes", "y_true,y_pred,y_score,s\n1,0,0.5,a\n2,1,0.2,b\n", [],
      "input.csv:3:1 (column 'y_true'): '2' is not a binary label"
    ),
    (
      "single-class labels", "y_true,y_pred,y_score,s\n1,0,0.5,a\n1,1,0.2,b\n", [],
      "column 'y_true' has one class ('1') in all 2 rows"
    ),
    (
      "empty group", "y_true,y_pred,y_score,s\n1,0,0.5,a\n0,1,0.2,\n", [],
      "input.csv:3:4 (column 's'): the field is empty; expected a group name (use --missing-group NAME"
    ),
    (
      "conflicting options", "y_true,y_pred,y_score,s\n1,0,0.5,a\n0,1,0.2,b\n",
      ["--task", "regression"],
      "--y-score is for classification; it conflicts with --task regression"
    ),
    (
      "sensitive and control", "y_true,y_pred,y_score,s\n1,0,0.5,a\n0,1,0.2,b\n",
      ["--control", "s"], "'s' is both a sensitive and a control feature"
    ),
    (
      "unknown metric", "y_true,y_pred,y_score,s\n1,0,0.5,a\n0,1,0.2,b\n",
      ["--metrics", "acuracy"], "unknown metric 'acuracy'"
    ),
    (
      "bad option value", "y_true,y_pred,y_score,s\n1,0,0.5,a\n0,1,0.2,b\n",
      ["--bootstrap", "lots"], "lots"
    ),
  ]

  @Test("bad input: one line, exit 2, no output file", arguments: badInputs.indices)
  func badInput(_ index: Int) throws {
    let bad = Self.badInputs[index]
    let folder = try TestData.temporaryFolder()
    let input = folder.appendingPathComponent("input.csv")
    if let csv = bad.csv { try Data(csv.utf8).write(to: input) }
    let output = folder.appendingPathComponent("out.json")
    let result = try CLI.run(
      ["audit", "input.csv", "--y-score", "y_score", "--sensitive", "s", "--output", output.path]
        + bad.extra,
      in: folder)
    #expect(result.status == 2, "\(bad.name): status \(result.status), stderr \(result.stderr)")
    #expect(result.stderr.contains(bad.message), "\(bad.name): \(result.stderr)")
    #expect(!result.stderr.contains("Fatal error"), "\(bad.name)")
    if bad.name != "bad option value" {
      #expect(result.stderr.split(separator: "\n").count == 1, "\(bad.name): \(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: output.path), "\(bad.name) left an output file")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy {
        !$0.contains("tmp")
      })
  }

  @Test func outputInMissingFolderIsAnError() throws {
    let result = try CLI.run([
      "audit", Self.example, "--sensitive", "sex", "--output", "/nonexistent/dir/out.json",
    ])
    #expect(result.status == 2)
    #expect(result.stderr.contains("the folder '/nonexistent/dir' does not exist"))
  }

  @Test func missingGroupMakesEmptyValuesAGroup() throws {
    let folder = try TestData.temporaryFolder()
    try Data("y_true,y_pred,s\n1,0,a\n0,1,\n1,1,a\n0,0,\n".utf8).write(
      to: folder.appendingPathComponent("in.csv"))
    let result = try CLI.run(
      ["audit", "in.csv", "--sensitive", "s", "--missing-group", "unknown", "--format", "json"],
      in: folder)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("\"unknown\""))
  }

  @Test("the table flags differences and ratios of rates only, not of errors such as MAE")
  func regressionTableDoesNotFlagErrors() throws {
    let folder = try TestData.temporaryFolder()
    // Group a has MAE 0.5, group b MAE 5: a difference of 4.5 and a ratio of 0.1.
    try Data("y_true,y_pred,s\n1,1.5,a\n2,1.5,a\n1,6,b\n2,7,b\n".utf8).write(
      to: folder.appendingPathComponent("r.csv"))
    let result = try CLI.run(
      ["audit", "r.csv", "--task", "regression", "--sensitive", "s"], in: folder)
    #expect(result.status == 0, "\(result.stderr)")
    let rows = result.stdout.split(separator: "\n").filter {
      $0.trimmingCharacters(in: .whitespaces).hasPrefix("mean_absolute_error")
    }
    #expect(!rows.isEmpty)
    for row in rows { #expect(!row.contains("!"), "\(row)") }
    // A rate past the thresholds is still flagged.
    let classification = try CLI.run(["audit", Self.example, "--sensitive", "sex"])
    let selection = classification.stdout.split(separator: "\n").filter {
      $0.trimmingCharacters(in: .whitespaces).hasPrefix("selection_rate")
    }
    #expect(selection.last?.hasSuffix("!") == true, "\(selection)")
  }
}
