import Foundation
import Testing

@testable import BiasKit

/// `biaskit rank exposure|fair|evaluate` end to end: the shipped COMPAS lists give the
/// library's numbers (hence fairsearchcore's re-ranking), and every bad input is one line on
/// standard error, exit status 2 and no output file.
@Suite("Ranking.RankCommand")
struct RankCommandTests {
  static let compas = CompasRanking.path
  static let columns = [
    "--query", "query", "--item", "item", "--score", "score", "--group", "group",
  ]

  /// Equal to 1e-12 relative (Foundation's JSON parser may be off by an ulp).
  static func close(_ a: Any?, _ b: Double?) -> Bool {
    guard let a = a as? Double, let b else { return false }
    return abs(a - b) <= 1e-12 * max(1, abs(b))
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  /// Writes `lines` as a CSV file in a fresh folder.
  static func file(_ lines: [String], name: String = "lists.csv") throws -> URL {
    let url = try TestData.temporaryFolder().appendingPathComponent(name)
    try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    return url
  }

  /// Runs the command and checks the bad-input contract: exit 2, one line naming the problem,
  /// nothing on standard output, no output file.
  static func expectBadInput(
    _ arguments: [String], output: URL? = nil, mentions: [String],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws {
    let result = try CLI.run(arguments)
    #expect(result.status == 2, "\(result.stderr)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
    for text in mentions {
      #expect(result.stderr.contains(text), "\(result.stderr)", sourceLocation: sourceLocation)
    }
    #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
    if let output {
      #expect(
        !FileManager.default.fileExists(atPath: output.path), sourceLocation: sourceLocation)
    }
  }

  static let header = "query,item,rank,group,relevance,clicked,propensity"

  @Test("a duplicate (query, item) row is named with its file, line, item and query")
  func duplicateItem() throws {
    let url = try Self.file([
      Self.header, "q1,a,1,x,1,1,1", "q1,b,2,y,0,0,0.5", "q2,a,1,x,1,1,1", "q2,a,2,y,0,0,0.5",
    ])
    let out = url.deletingLastPathComponent().appendingPathComponent("fair.csv")
    try Self.expectBadInput(
      [
        "rank", "fair", url.path, "--item", "item", "--rank", "rank", "--group", "group", "--p",
        "0.5", "--k", "2", "--output", out.path,
      ], output: out, mentions: ["lists.csv:5", "item 'a' appears twice in query 'q2'"])
  }

  @Test("ranks that are not a permutation name the query and the rank")
  func ranksNotAPermutation() throws {
    let repeated = try Self.file([Self.header, "q1,a,1,x,1,1,1", "q1,b,1,y,0,0,0.5"])
    try Self.expectBadInput(
      ["rank", "exposure", repeated.path, "--rank", "rank", "--group", "group"],
      mentions: ["query 'q1'", "rank 1 appears twice", "lists.csv:3"])
    let gap = try Self.file([
      Self.header, "q1,a,1,x,1,1,1", "q1,b,2,y,0,0,0.5", "q7,a,1,x,1,1,1", "q7,b,3,y,0,0,0.5",
    ])
    try Self.expectBadInput(
      ["rank", "exposure", gap.path, "--rank", "rank", "--group", "group"],
      mentions: ["query 'q7'", "rank 3", "not a permutation"])
  }

  @Test("a query with one item is refused")
  func oneItemQuery() throws {
    let url = try Self.file([
      Self.header, "q1,a,1,x,1,1,1", "q1,b,2,y,0,0,0.5", "lonely,a,1,x,1,1,1",
    ])
    try Self.expectBadInput(
      ["rank", "exposure", url.path, "--rank", "rank", "--group", "group"],
      mentions: ["query 'lonely' has one item", "lists.csv:4"])
  }

  @Test("a propensity outside (0, 1] is refused with its line")
  func propensityOutOfRange() throws {
    for bad in ["0", "1.5", "-0.2"] {
      let url = try Self.file([
        Self.header, "q1,a,1,x,1,1,1", "q1,b,2,y,0,0,\(bad)", "q2,a,1,x,1,1,1",
        "q2,b,2,y,0,0,0.5",
      ])
      try Self.expectBadInput(
        [
          "rank", "evaluate", url.path, "--rank", "rank", "--group", "group", "--clicked",
          "clicked", "--propensity", "propensity", "--k", "2",
        ], mentions: ["lists.csv:3", "outside (0, 1]", "query 'q1'"])
    }
  }

  @Test("--p outside (0, 1) is refused before the file is read")
  func proportionOutOfRange() throws {
    let out = try TestData.temporaryFolder().appendingPathComponent("fair.csv")
    for bad in ["0", "1", "1.5", "-0.1"] {
      try Self.expectBadInput(
        ["rank", "fair", Self.compas] + Self.columns + ["--p=\(bad)", "--output", out.path],
        output: out, mentions: ["--p must lie in (0, 1)"])
    }
  }

  @Test("three groups for two-group FA*IR are refused, pointing to multinomial")
  func threeGroupsForBinomialFAIR() throws {
    let out = try TestData.temporaryFolder().appendingPathComponent("fair.csv")
    // The race column of the example has more than two values.
    try Self.expectBadInput(
      [
        "rank", "fair", Self.compas, "--item", "item", "--score", "score", "--group", "race",
        "--p", "0.3", "--k", "10", "--output", out.path,
      ], output: out,
      mentions: ["FA*IR compares a protected group with one other group", "multinomial"])
  }

  @Test("k larger than a list is refused, naming the list")
  func cutoffLongerThanList() throws {
    let url = try Self.file([
      Self.header, "q1,a,1,x,1,1,1", "q1,b,2,y,0,0,0.5", "q1,c,3,y,0,0,0.3", "q2,a,1,x,1,1,1",
      "q2,b,2,y,0,0,0.5",
    ])
    let out = url.deletingLastPathComponent().appendingPathComponent("fair.csv")
    try Self.expectBadInput(
      [
        "rank", "fair", url.path, "--rank", "rank", "--group", "group", "--p", "0.5", "--k", "3",
        "--output", out.path,
      ], output: out, mentions: ["k = 3 is larger than the 2 items of query 'q2'"])
    try Self.expectBadInput(
      ["rank", "exposure", url.path, "--rank", "rank", "--group", "group", "--k", "3"],
      mentions: ["--k 3 is larger than the 2 items of query 'q2'"])
    try Self.expectBadInput(
      [
        "rank", "evaluate", url.path, "--rank", "rank", "--group", "group", "--clicked",
        "clicked", "--propensity", "propensity", "--k", "3",
      ], mentions: ["--k 3 is larger than the 2 items of query 'q2'"])
  }

  @Test("rank exposure on the COMPAS lists gives the library's exposure, shares and NDCG")
  func exposureOnCompas() throws {
    let result = try CLI.run(
      ["rank", "exposure", Self.compas] + Self.columns + [
        "--relevance", "relevance", "--query-group", "query_group", "--protected",
        "African-American", "--k", "10,20", "--format", "json",
      ])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try Self.json(result.stdout)
    let lists = try CompasRanking.lists()
    #expect(report["rows"] as? Int == lists.rowCount)
    #expect(report["queries"] as? Int == lists.queryCount)
    let protected = try lists.group(named: "African-American")
    let exposure = try GroupExposure().evaluated(lists)
    let mean = try #require((report["exposure"] as? [String: Any])?["mean"] as? [String: Any])
    #expect(Self.close(mean["exposure_ratio"], exposure.mean.exposureRatio))
    #expect(
      Self.close(mean["disparate_treatment_ratio"], exposure.mean.disparateTreatmentRatio))
    let byQueryGroup = try #require(
      (report["exposure"] as? [String: Any])?["by_query_group"] as? [String: Any])
    #expect(byQueryGroup.count == lists.queryGroupNames!.count)
    let shares = try TopKShares(cutoffs: [10, 20]).evaluated(lists, protectedGroup: protected)
    let topK = try #require(report["top_k"] as? [[String: Any]])
    #expect(topK.count == 2)
    #expect(Self.close(topK[1]["p_value"], shares.mean[1].pValue))
    let divergence = try RankedGroupDivergence().evaluated(lists, protectedGroup: protected)
    #expect(Self.close((report["divergence"] as? [String: Any])?["rND"], divergence.mean.rND))
    let quality = try RankingQuality(cutoffs: [10, 20]).evaluated(lists)
    let q = try #require(
      ((report["quality"] as? [String: Any])?["mean"] as? [[String: Any]])?.first)
    #expect(Self.close(q["ndcg"], quality.mean[0].ndcg))
    #expect(report["expected_exposure"] != nil)
    // The table and the CSV render the same report.
    let table = try CLI.run(
      ["rank", "exposure", Self.compas] + Self.columns + ["--relevance", "relevance"])
    #expect(table.status == 0, "\(table.stderr)")
    #expect(table.stdout.contains("rND"))
    let csv = try CLI.run(
      ["rank", "exposure", Self.compas] + Self.columns + ["--format", "csv"])
    #expect(csv.status == 0, "\(csv.stderr)")
    #expect(csv.stdout.hasPrefix("section,query_group,measure,group,k,value\n"))
  }

  @Test("rank fair on the COMPAS lists writes fairsearchcore's re-ranking and the NDCG lost")
  func fairOnCompas() throws {
    let fixture =
      try TestData.json(TestData.fixture("Ranking/fair_compas.json")) as! [String: Any]
    let k = fixture["k"] as! Int
    let out = try TestData.temporaryFolder().appendingPathComponent("fair.csv")
    let result = try CLI.run(
      ["rank", "fair", Self.compas] + Self.columns + [
        "--relevance", "relevance", "--protected", "African-American", "--p",
        "\((fixture["p"] as! NSNumber).doubleValue)", "--alpha",
        "\((fixture["alpha"] as! NSNumber).doubleValue)", "--k", "\(k)", "--output", out.path,
        "--format", "json",
      ])
    #expect(result.status == 0, "\(result.stderr)")
    let summary = try Self.json(result.stdout)
    #expect(summary["mtable"] as? [Int] == fixture["mtable_adjusted"] as? [Int])
    let queries = fixture["queries"] as! [[String: Any]]
    #expect(summary["lists_passing_after"] as? Int == queries.count)
    #expect(summary["utility_lost"] is Double)
    let text = try String(contentsOf: out, encoding: .utf8)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.first == "query,rank,item,group,original_rank,score,relevance,row")
    #expect(lines.count == 1 + k * queries.count)
    for (q, entry) in queries.enumerated() {
      let rows = lines[(1 + q * k)..<(1 + (q + 1) * k)].map { $0.split(separator: ",") }
      #expect(rows.allSatisfy { String($0[0]) == entry["query"] as! String })
      #expect(rows.map { Int($0[2])! } == entry["reranked_ids"] as! [Int])
    }
  }

  @Test("rank evaluate on a click log simulated from the COMPAS lists: IPS beside naive")
  func evaluateOnCompas() throws {
    // Clicks on relevant items whose position was examined (propensity 1/rank), decided by a
    // fixed hash of the row so the test is deterministic.
    let source = try String(contentsOfFile: Self.compas, encoding: .utf8)
    var lines = source.split(separator: "\n").map(String.init)
    lines[0] += ",clicked,propensity"
    var generator = SeededGenerator(seed: 7)
    for i in 1..<lines.count {
      let fields = lines[i].split(separator: ",")
      let rank = Double(fields[2])!
      let relevant = fields[7] == "1"
      let propensity = 1 / rank.squareRoot()
      let clicked = relevant && generator.nextUniform() < propensity
      lines[i] += ",\(clicked ? 1 : 0),\(propensity)"
    }
    let url = try Self.file(lines, name: "clicks.csv")
    let result = try CLI.run([
      "rank", "evaluate", url.path, "--query", "query", "--item", "item", "--rank", "rank",
      "--group", "group", "--relevance", "relevance", "--clicked", "clicked", "--propensity",
      "propensity", "--compare", "score", "--k", "10", "--bootstrap", "50", "--format", "json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try Self.json(result.stdout)
    let rankers = try #require(report["rankers"] as? [[String: Any]])
    #expect(rankers.map { $0["ranker"] as? String } == ["logged", "score"])
    let measures = try #require(rankers[0]["measures"] as? [[String: Any]])
    let recall = try #require(measures.first { $0["measure"] as? String == "recall@10" })
    let naive = try #require(recall["naive"] as? Double)
    let snips = try #require(recall["snips"] as? Double)
    let truth = try #require(recall["truth"] as? Double)
    // Clicks under-count relevant items shown low: naive recall@10 is too high, SNIPS is closer.
    #expect(abs(snips - truth) < abs(naive - truth))
    #expect(recall["snips_interval"] is [Double])
    // Estimated propensities: the click model runs and the table renders.
    let estimated = try CLI.run([
      "rank", "evaluate", url.path, "--query", "query", "--item", "item", "--rank", "rank",
      "--group", "group", "--clicked", "clicked", "--estimate-propensity",
    ])
    #expect(estimated.status == 0, "\(estimated.stderr)")
    #expect(estimated.stdout.contains("estimated by the position-based click model"))
  }

  @Test("rank exposure --format html writes one self-contained page with the curves and tests")
  func exposureHTMLOnCompas() throws {
    let page = try TestData.temporaryFolder().appendingPathComponent("ranking.html")
    let result = try CLI.run(
      ["rank", "exposure", Self.compas] + Self.columns + [
        "--relevance", "relevance", "--protected", "African-American", "--p", "0.5", "--k",
        "10,20", "--format", "html", "--output", page.path,
      ])
    #expect(result.status == 0, "\(result.stderr)")
    let html = try String(contentsOf: page, encoding: .utf8)
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    for id in ["exposure", "exposure-curves", "top-k-shares", "fair-test"] {
      #expect(html.contains("<section id=\"\(id)\""), "\(id)")
    }
    #expect(html.contains("<svg"))
    #expect(!html.contains("<script"))
    #expect(html.contains("Content-Security-Policy"))
    #expect(html.contains("African-American"))
  }

  @Test("a Parquet file gives the same exposure report and re-ranking as the same rows in CSV")
  func parquetEqualsCSV() throws {
    // Fixtures/Ranking/make_compas_parquet.py: the first four months of the example.
    let parquet = TestData.fixture("Ranking/compas-ranking-4.parquet").path
    let source = try String(contentsOfFile: Self.compas, encoding: .utf8)
    let months = ["2013-01", "2013-02", "2013-03", "2013-04"]
    let lines = source.split(separator: "\n").map(String.init)
    let csv = try Self.file(
      [lines[0]] + lines.dropFirst().filter { months.contains(String($0.prefix(7))) },
      name: "compas-4.csv")
    let folder = csv.deletingLastPathComponent()
    func run(_ path: String, _ out: String) throws -> (String, String) {
      let exposure = try CLI.run(
        ["rank", "exposure", path] + Self.columns + [
          "--relevance", "relevance", "--protected", "African-American", "--format", "csv",
        ])
      #expect(exposure.status == 0, "\(exposure.stderr)")
      let target = folder.appendingPathComponent(out)
      let fair = try CLI.run(
        ["rank", "fair", path] + Self.columns + [
          "--relevance", "relevance", "--protected", "African-American", "--p", "0.5", "--k",
          "20", "--output", target.path,
        ])
      #expect(fair.status == 0, "\(fair.stderr)")
      return (exposure.stdout, try String(contentsOf: target, encoding: .utf8))
    }
    let fromParquet = try run(parquet, "parquet.csv")
    let fromCSV = try run(csv.path, "csv.csv")
    #expect(fromParquet.0 == fromCSV.0)
    #expect(fromParquet.1 == fromCSV.1)
    #expect(fromParquet.1.split(separator: "\n").count == 1 + 4 * 20)
  }
}
