import Foundation
import Testing

@testable import BiasKit

/// `biaskit audit --task multiclass`: the JSON contract, the tables, and bad input.
@Suite("biaskit audit --task multiclass (CLI)")
struct MulticlassCommandTests {
  static let input = "Tests/BiasKitTests/Fixtures/Audit/multiclass.csv"
  static let scores = "p_ant,p_bee,p_cat,p_dog"

  @Test func jsonHasClassesMatricesAndPerClassFairness() throws {
    let folder = try TestData.temporaryFolder()
    let output = folder.appendingPathComponent("audit.json").path
    let result = try CLI.run([
      "audit", Self.input, "--task", "multiclass", "--y-score", Self.scores, "--sensitive", "a,b",
      "--format", "json", "--output", output,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(try TestData.json(URL(fileURLWithPath: output)) as? [String: Any])
    #expect(json["task"] as? String == "multiclass")
    #expect(json["classes"] as? [String] == ["ant", "bee", "cat", "dog"])
    let metrics = try #require(json["metrics"] as? [String])
    for name in ["accuracy", "f1_macro", "matthews_corrcoef", "roc_auc_ovr", "top_k_accuracy"] {
      #expect(metrics.contains(name), "missing \(name)")
    }
    let matrix = try #require(json["confusion_matrix"] as? [String: Any])
    let overall = try #require((matrix["overall"] as? [String: Any])?["matrix"] as? [[Int]])
    #expect(overall.count == 4 && overall.joined().reduce(0, +) == 2000)
    #expect((matrix["by_group"] as? [Any])?.count == 6)
    let oneVsRest = try #require(json["one_vs_rest"] as? [[String: Any]])
    #expect(oneVsRest.map { $0["class"] as? String } == ["ant", "bee", "cat", "dog"])
    let fairness = try #require(json["class_fairness"] as? [String: Any])
    let parity = try #require(fairness["demographic_parity_difference"] as? [String: Any])
    #expect((parity["by_class"] as? [String: Any])?.count == 4)
    // The reference value (audit-multiclass.json, case mc-a-b, worst over the classes).
    let worst = try #require(parity["worst"] as? Double)
    #expect(abs(worst - 0.8646616541353384) <= 1e-12)
    let text = try String(contentsOfFile: output, encoding: .utf8)
    #expect(!text.contains(": NaN") && !text.contains(": nan"))
  }

  @Test func tableShowsMatrixAndFairnessByClass() throws {
    let result = try CLI.run([
      "audit", Self.input, "--task", "multiclass", "--y-score-prefix", "p_", "--sensitive", "a",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    for text in [
      "Confusion matrix", "One-vs-rest by class", "Fairness by class", "f1_macro", "roc_auc_ovo",
      "demographic_parity_difference",
    ] {
      #expect(result.stdout.contains(text), "missing \(text)")
    }
    // The binary fairness block (whose rates would be meaningless) is not printed.
    #expect(!result.stdout.contains("Fairness (equalized odds"))
  }

  @Test func integerClassesSortNumerically() throws {
    let result = try CLI.run([
      "audit", "Tests/BiasKitTests/Fixtures/Audit/multiclass-int.csv", "--task", "multiclass",
      "--sensitive", "a", "--format", "json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(json["classes"] as? [String] == ["2", "10", "33"])
  }

  @Test func checkBoundsOneClass() throws {
    let result = try CLI.run([
      "check", Self.input, "--task", "multiclass", "--sensitive", "a",
      "--max", "demographic_parity_difference[dog]=1", "--max", "demographic_parity_difference=1",
    ])
    #expect(result.status == 0, "\(result.stderr) \(result.stdout)")
    let unknown = try CLI.run([
      "check", Self.input, "--task", "multiclass", "--sensitive", "a",
      "--max", "demographic_parity_difference[eel]=1",
    ])
    #expect(unknown.status == 2)
    #expect(unknown.stderr.contains("the classes are ant, bee, cat, dog"), "\(unknown.stderr)")
  }

  @Test func savedStatesOfTwoHalvesMergeIntoTheWholeAudit() throws {
    let folder = try TestData.temporaryFolder()
    let text = try String(
      contentsOf: TestData.packageRoot.appendingPathComponent(Self.input), encoding: .utf8)
    var lines = text.split(separator: "\n").map(String.init)
    let header = lines.removeFirst()
    // The second part holds no 'dog' row (true or predicted) and no p_dog column, so the
    // merge must union the classes and remap the second state's matrices.
    let first = lines.prefix(1000)
    let second = lines.dropFirst(1000).filter { !$0.hasPrefix("dog,") && !$0.contains(",dog,") }
    let scores = Self.scores.split(separator: ",").map(String.init)
    let secondScores = Array(scores.prefix(3))
    let secondLines = second.map { line -> String in
      var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      fields.remove(at: 5)  // p_dog
      return fields.joined(separator: ",")
    }
    try Data(([header] + first).joined(separator: "\n").utf8).write(
      to: folder.appendingPathComponent("one.csv"))
    try Data(
      ([header.replacingOccurrences(of: ",p_dog", with: "")] + secondLines).joined(
        separator: "\n"
      ).utf8
    ).write(to: folder.appendingPathComponent("two.csv"))
    let labels = ["--metrics", "accuracy,f1_macro,matthews_corrcoef,balanced_accuracy"]
    for (file, columns) in [("one", scores), ("two", secondScores)] {
      let result = try CLI.run(
        [
          "audit", "\(file).csv", "--task", "multiclass", "--y-score",
          columns.joined(separator: ","),
          "--sensitive", "a", "--save-state", "\(file).json", "--format", "csv",
        ] + labels, in: folder)
      #expect(result.status == 0, "\(result.stderr)")
    }
    let merged = try CLI.run(
      ["merge", "one.json", "two.json", "--format", "json"] + labels, in: folder)
    #expect(merged.status == 0, "\(merged.stderr)")
    let all = ([header] + first) + second
    try Data(all.joined(separator: "\n").utf8).write(to: folder.appendingPathComponent("all.csv"))
    let whole = try CLI.run(
      [
        "audit", "all.csv", "--task", "multiclass", "--y-score", Self.scores, "--sensitive", "a",
        "--format", "json",
      ] + labels, in: folder)
    #expect(whole.status == 0, "\(whole.stderr)")
    func overall(_ text: String) throws -> [String: Double] {
      let json = try #require(
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
      #expect(json["classes"] as? [String] == ["ant", "bee", "cat", "dog"])
      return try #require(json["overall"] as? [String: Double])
    }
    let a = try overall(merged.stdout)
    let b = try overall(whole.stdout)
    #expect(a.keys.sorted() == b.keys.sorted())
    for (key, value) in b { #expect(abs((a[key] ?? .nan) - value) <= 1e-12, "\(key)") }
  }

  // MARK: Bad input: one line on stderr, exit 2, no output file.

  static let header = "y_true,y_pred,p_a,p_b,p_c,s\n"
  static let badInputs: [(name: String, csv: String, extra: [String], message: String)] = [
    (
      "one class", header + "a,a,1,0,0,x\na,b,0.5,0.5,0,y\n", [],
      "column 'y_true' has one class ('a') in all 2 rows"
    ),
    (
      "row not summing to 1", header + "a,a,0.5,0.5,0,x\nb,b,0.5,0.6,0,y\nc,c,0,0,1,x\n", [],
      "input.csv:3: the probabilities p_a + p_b + p_c sum to 1.1"
    ),
    (
      "probability outside [0, 1]", header + "a,a,1.5,-0.5,0,x\nb,b,0,1,0,y\nc,c,0,0,1,x\n", [],
      "input.csv:2:3 (column 'p_a'): the probability 1.5 is outside [0, 1]"
    ),
    (
      "score column missing for a class", header + "a,a,0.5,0.5,0,x\nb,b,0,1,0,y\nc,c,0,0,1,x\n",
      ["--y-score", "p_a,p_b"], "2 probability columns for 3 classes (a, b, c)"
    ),
    (
      "prefix column missing for a class",
      "y_true,y_pred,p_a,p_b,s\na,a,1,0,x\nb,b,0,1,y\nc,c,0,1,x\n",
      ["--y-score-prefix", "p_"], "the class 'c' of 'y_true' has no probability column 'p_c'"
    ),
    (
      "predicted class absent from y_true and scores",
      header + "a,a,1,0,0,x\nb,d,0,1,0,y\nc,c,0,0,1,x\n", [],
      "input.csv:3:2 (column 'y_pred'): the class 'd' is neither a class of 'y_true' nor a probability column's"
    ),
    (
      "binary metric", header + "a,a,1,0,0,x\nb,b,0,1,0,y\nc,c,0,0,1,x\n",
      ["--metrics", "precision"], "use precision_macro, precision_weighted or precision_micro"
    ),
    (
      "probability metric without scores", header + "a,a,1,0,0,x\nb,b,0,1,0,y\nc,c,0,0,1,x\n",
      ["--metrics", "roc_auc_ovr", "--y-score", ""], "needs the class probabilities"
    ),
    (
      "top-k of zero", header + "a,a,1,0,0,x\nb,b,0,1,0,y\nc,c,0,0,1,x\n",
      ["--top-k-accuracy", "0"], "--top-k-accuracy must be at least 1"
    ),
  ]

  @Test("multiclass bad input: one line, exit 2, no output file", arguments: badInputs.indices)
  func badInput(_ index: Int) throws {
    let bad = Self.badInputs[index]
    let folder = try TestData.temporaryFolder()
    try Data(bad.csv.utf8).write(to: folder.appendingPathComponent("input.csv"))
    let output = folder.appendingPathComponent("out.json")
    var arguments = [
      "audit", "input.csv", "--task", "multiclass", "--sensitive", "s", "--output", output.path,
    ]
    if !bad.extra.contains("--y-score") && !bad.extra.contains("--y-score-prefix") {
      arguments += ["--y-score", "p_a,p_b,p_c"]
    }
    let extra = bad.extra.enumerated().filter { i, value in
      // `--y-score ""` stands for "no --y-score".
      !(value == "--y-score" && bad.extra[i + 1].isEmpty)
        && !(value.isEmpty && i > 0 && bad.extra[i - 1] == "--y-score")
    }.map(\.element)
    let result = try CLI.run(arguments + extra, in: folder)
    #expect(result.status == 2, "\(bad.name): status \(result.status), stderr \(result.stderr)")
    #expect(result.stderr.contains(bad.message), "\(bad.name): \(result.stderr)")
    #expect(!result.stderr.contains("Fatal error"), "\(bad.name)")
    #expect(result.stderr.split(separator: "\n").count == 1, "\(bad.name): \(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output.path), "\(bad.name) left an output file")
  }
}
