import Foundation
import Testing

@testable import BiasKit

/// `--threshold`, `--top-k` and `--top-fraction` against Aequitas 1.1.0's `get_crosstabs`
/// (`Fixtures/Audit/audit-selection.json`, made by `make_selection_fixtures.py` on the COMPAS
/// decile scores), the tie rule, and bad input.
@Suite("Audit: predictions from scores (threshold, top-k, top fraction)")
struct ScoreSelectionTests {
  static let file = "Audit/audit-selection.json"

  static var cases: [String] {
    guard let root = try? TestData.json(TestData.fixture(file)) as? [String: Any],
      let cases = root["cases"] as? [String: Any]
    else { return [] }
    return cases.keys.sorted()
  }

  static func selection(_ flags: [String]) throws -> ScoreSelection {
    let value = try #require(flags.last)
    switch flags.first {
    case "--threshold": return .threshold(try #require(Double(value)))
    case "--top-k": return .topK(try #require(Int(value)))
    default: return .topFraction(try #require(Double(value)))
    }
  }

  @Test("Aequitas crosstabs case", arguments: cases)
  func aequitasCase(_ name: String) throws {
    let root = try #require(try TestData.json(TestData.fixture(Self.file)) as? [String: Any])
    let spec = try #require((root["cases"] as? [String: Any])?[name] as? [String: Any])
    let selection = try Self.selection(try #require(spec["flags"] as? [String]))
    let path = TestData.packageRoot.appendingPathComponent(root["input"] as! String).path
    let groups = try #require(spec["groups"] as? [String: [String: [String: Any]]])
    for (attribute, levels) in groups {
      var columns = AuditColumns(
        yTrue: "y_true", yPred: "y_pred", yScore: "y_score", sensitive: [attribute])
      columns.selection = selection
      let table = try AuditTable(path: path, columns: columns)
      guard case .classification(_, let predictions, _) = table.data.outcomes else {
        Issue.record("not a classification")
        return
      }
      #expect(predictions.reduce(0) { $0 + Int($1) } == spec["selected"] as? Int, "\(name)")
      let metrics: [Metric] = [
        .count, .selectionRate, .truePositiveRate, .falsePositiveRate, .precision,
      ]
      let frame = try MetricFrame(metrics: metrics, data: table.data, sensitive: table.sensitive)
      #expect(frame.groupCount == levels.count)
      for g in 0..<frame.groupCount {
        let level = frame.groupKey(g)[0]
        let expected = try #require(levels[level], "\(name) \(attribute)=\(level)")
        let c = frame.statistics[g].confusion
        let label = "\(name) \(attribute)=\(level)"
        #expect(c.countTruePositives == expected["tp"] as? Int, "\(label) tp")
        #expect(c.countFalsePositives == expected["fp"] as? Int, "\(label) fp")
        #expect(c.countTrueNegatives == expected["tn"] as? Int, "\(label) tn")
        #expect(c.countFalseNegatives == expected["fn"] as? Int, "\(label) fn")
        #expect(frame.value(.count, group: g) == (expected["group_size"] as? Int).map(Double.init))
        for metric in metrics.dropFirst() {
          guard expected.keys.contains(metric.rawValue) else { continue }
          let actual = frame.value(metric, group: g)
          if let e = expected[metric.rawValue] as? Double {
            let a = try #require(actual, "\(label) \(metric)")
            #expect(abs(a - e) <= 1e-12, "\(label) \(metric): \(a) vs Aequitas \(e)")
          } else {
            // Aequitas: 0/0 is NaN; scikit-learn's zero_division=0 (BiasKit) makes it 0.
            #expect(
              metric == .precision && actual == 0,
              "\(label) \(metric): \(String(describing: actual))")
          }
        }
      }
    }
  }

  @Test func tiesAtTheCutSelectEarlierRowsFirst() throws {
    let scores = [0.2, 0.9, 0.5, 0.5, 0.1, 0.5, 0.9]
    #expect(try ScoreSelection.topK(3).predictions(scores: scores) == [0, 1, 1, 0, 0, 0, 1])
    #expect(try ScoreSelection.topK(4).predictions(scores: scores) == [0, 1, 1, 1, 0, 0, 1])
    // ⌈0.3 · 7⌉ = 3 rows (Aequitas: positions i < 2.1).
    #expect(
      try ScoreSelection.topFraction(0.3).predictions(scores: scores) == [0, 1, 1, 0, 0, 0, 1])
    #expect(try ScoreSelection.topFraction(1).predictions(scores: scores) == [1, 1, 1, 1, 1, 1, 1])
    #expect(try ScoreSelection.threshold(0.5).predictions(scores: scores) == [0, 1, 1, 1, 0, 1, 1])
  }

  @Test func jsonRecordsTheRule() throws {
    let result = try CLI.run([
      "audit", "Tests/BiasKitTests/Fixtures/Audit/compas-predictions.csv", "--sensitive", "race",
      "--y-score", "y_score", "--top-k", "1144", "--metrics", "selection_rate", "--format", "json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let rule = try #require(json["predictions_from_scores"] as? [String: Any])
    #expect(rule["rule"] as? String == "top_k")
    #expect(rule["value"] as? Int == 1144)
    #expect(rule["selected"] as? Int == 1144)
  }

  static let badInputs: [(name: String, extra: [String], message: String)] = [
    ("top-k zero", ["--top-k", "0"], "--top-k must be between 1 and the number of rows"),
    (
      "top-k past the rows", ["--top-k", "5"],
      "--top-k must be between 1 and the number of rows (4), not 5"
    ),
    (
      "top-fraction above 1", ["--top-fraction", "1.5"],
      "--top-fraction must be a fraction in (0, 1]"
    ),
    (
      "two rules", ["--top-k", "1", "--threshold", "0.5"],
      "give one of --threshold, --top-k and --top-fraction"
    ),
    ("no scores", ["--threshold", "0.5", "--y-score", ""], "name them with --y-score COL"),
    (
      "regression", ["--threshold", "0.5", "--task", "regression"],
      "they conflict with --task regression"
    ),
  ]

  @Test("selection bad input: one line, exit 2, no output file", arguments: badInputs.indices)
  func badInput(_ index: Int) throws {
    let bad = Self.badInputs[index]
    let folder = try TestData.temporaryFolder()
    try Data("y_true,y_score,s\n1,0.9,a\n0,0.2,b\n1,0.4,a\n0,0.7,b\n".utf8).write(
      to: folder.appendingPathComponent("input.csv"))
    let output = folder.appendingPathComponent("out.json")
    var arguments = ["audit", "input.csv", "--sensitive", "s", "--output", output.path]
    if !bad.extra.contains("--y-score") { arguments += ["--y-score", "y_score"] }
    let extra = bad.extra.enumerated().filter { i, value in
      !(value == "--y-score" && bad.extra[i + 1].isEmpty)
        && !(value.isEmpty && i > 0 && bad.extra[i - 1] == "--y-score")
    }.map(\.element)
    let result = try CLI.run(arguments + extra, in: folder)
    #expect(result.status == 2, "\(bad.name): status \(result.status), stderr \(result.stderr)")
    #expect(result.stderr.contains(bad.message), "\(bad.name): \(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1, "\(bad.name): \(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output.path), "\(bad.name) left an output file")
  }
}
