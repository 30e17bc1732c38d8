import Foundation
import Testing

@testable import BiasKit

/// `biaskit estimate` and `biaskit estimate plan` end to end: the numbers are the library's
/// (hence ppi_py's), one file with empty gold labels equals two files, and every bad input is
/// one line on standard error, exit status 2 and no output file.
@Suite("Estimation: the biaskit estimate command")
struct EstimateCommandTests {
  /// Writes `sample` as CSV: y (empty for unlabelled rows), yhat, covariates, extra columns.
  static func writeCSV(
    _ sample: PredictionSample, to url: URL, extra: [(String, [String])] = [],
    unlabelledInSameFile: Bool = true
  ) throws {
    let d = sample.covariateCount
    let names = sample.covariateNames
    var lines = [(["y", "yhat"] + names + extra.map(\.0)).joined(separator: ",")]
    let n = sample.labelledCount
    let rows = n + (unlabelledInSameFile ? sample.unlabelledCount : 0)
    for i in 0..<rows {
      let labelled = i < n
      var fields = [
        labelled ? "\(sample.labels[i])" : "",
        "\(labelled ? sample.predictions[i] : sample.unlabelledPredictions[i - n])",
      ]
      for j in 0..<d {
        fields.append(
          "\(labelled ? sample.covariates![i, j] : sample.unlabelledCovariates![i - n, j])")
      }
      for (_, values) in extra { fields.append(values[i]) }
      lines.append(fields.joined(separator: ","))
    }
    try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  static func estimate(_ report: [String: Any], _ method: String) throws -> [String: Any] {
    let estimates = try #require(report["estimates"] as? [[String: Any]])
    return try #require(estimates.first { $0["method"] as? String == method })
  }

  @Test(
    "the mean from one CSV equals the library's PPI++ (and so ppi_py's), and two files give the same"
  )
  func meanMatchesLibrary() throws {
    let folder = try TestData.temporaryFolder()
    let sample = try EstimationFixture.sample("forest", weighted: false)
    let one = folder.appendingPathComponent("forest.csv")
    try Self.writeCSV(sample, to: one)
    let result = try CLI.run([
      "estimate", one.path, "--y-true", "y", "--y-pred", "yhat", "--format", "json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try Self.json(result.stdout)
    let ppi = try Self.estimate(report, "ppi++")
    let parameter = try #require((ppi["parameters"] as? [[String: Any]])?.first)
    let spec = try #require(EstimationFixture.caseNamed("forest-mean-ppi++"))
    #expect(
      isClose(parameter["estimate"] as! Double, EstimationFixture.doubles(spec["point"])[0], 1e-10))
    #expect(
      isClose(parameter["lower"] as! Double, EstimationFixture.doubles(spec["lower"])[0], 1e-10))
    #expect(
      isClose(parameter["upper"] as! Double, EstimationFixture.doubles(spec["upper"])[0], 1e-10))
    #expect(try Self.estimate(report, "naive")["biased"] as? Bool == true)
    #expect(report["labelled_rows"] as? Int == 300)
    // Two files: the labelled rows and the unlabelled rows.
    let labelled = folder.appendingPathComponent("gold.csv")
    try Self.writeCSV(sample, to: labelled, unlabelledInSameFile: false)
    let rest = folder.appendingPathComponent("rest.csv")
    let restLines = ["yhat"] + sample.unlabelledPredictions.map { "\($0)" }
    try (restLines.joined(separator: "\n") + "\n").write(
      to: rest, atomically: true, encoding: .utf8)
    let two = try CLI.run([
      "estimate", labelled.path, "--unlabelled", rest.path, "--y-true", "y", "--y-pred", "yhat",
      "--format", "json",
    ])
    #expect(two.status == 0, "\(two.stderr)")
    #expect(
      try Self.estimate(Self.json(two.stdout), "ppi++")["parameters"] as? NSArray == ppi[
        "parameters"] as? NSArray)
  }

  @Test("regressions, groups with differences, DSL and the table and CSV formats")
  func regressionsAndGroups() throws {
    let folder = try TestData.temporaryFolder()
    let sample = try EstimationFixture.sample("ols", weighted: false)
    let m = sample.labelledCount + sample.unlabelledCount
    let group = (0..<m).map { $0 % 3 == 0 ? "a" : ($0 % 3 == 1 ? "b" : "c") }
    let pi = (0..<m).map { $0 < sample.labelledCount ? "0.2" : "" }
    let url = folder.appendingPathComponent("ols.csv")
    try Self.writeCSV(sample, to: url, extra: [("g", group), ("pi", pi)])
    let covariates = sample.covariateNames.joined(separator: ",")
    let result = try CLI.run([
      "estimate", url.path, "--y-true", "y", "--y-pred", "yhat", "--estimand", "ols",
      "--covariates", covariates, "--group", "g", "--method", "ppi++", "--method", "dsl",
      "--sampling-prob", "pi", "--format", "json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try Self.json(result.stdout)
    let ours = try PowerTunedPredictionPoweredInference().estimate(.linearRegression, from: sample)
    let ppi = try Self.estimate(report, "ppi++")
    let values = (ppi["parameters"] as! [[String: Any]]).map { $0["estimate"] as! Double }
    expectClose(values, ours.values, 1e-12, "ols")
    let grouped = try #require(report["groups"] as? [[String: Any]])
    #expect(grouped.count == 2)
    #expect((grouped[0]["differences"] as? [Any])?.count == 3 * 3)
    let table = try CLI.run([
      "estimate", url.path, "--y-true", "y", "--y-pred", "yhat", "--estimand", "ols",
      "--covariates", covariates, "--group", "g",
    ])
    #expect(
      table.status == 0 && table.stdout.contains("ppi++ by g") && table.stdout.contains("a - b"))
    let csvFile = folder.appendingPathComponent("out.csv")
    let csv = try CLI.run([
      "estimate", url.path, "--y-true", "y", "--y-pred", "yhat", "--format", "csv", "--output",
      csvFile.path,
    ])
    #expect(csv.status == 0 && csv.stdout.isEmpty)
    let written = try String(contentsOf: csvFile, encoding: .utf8)
    #expect(written.hasPrefix("section,method,group,parameter,estimate"))
  }

  @Test("plan: the labels for a target width, as the library's PowerAnalysis")
  func plan() throws {
    let folder = try TestData.temporaryFolder()
    let sample = try EstimationFixture.sample("sim", weighted: false)
    let url = folder.appendingPathComponent("sim.csv")
    try Self.writeCSV(sample, to: url)
    let result = try CLI.run([
      "estimate", "plan", url.path, "--y-true", "y", "--y-pred", "yhat", "--target-width", "0.05",
      "--format", "json", "--cost-label", "1", "--cost-prediction", "0.02",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try Self.json(result.stdout)
    let analysis = try PowerAnalysis(.mean, pilot: sample)
    let need = try analysis.requiredLabels(
      targetWidth: 0.05, unlabelledCount: sample.unlabelledCount)
    #expect(report["classical_labels"] as? Int == need.classical)
    #expect(report["ppi_plus_plus_labels"] as? Int == need.powerTuned)
    #expect(isClose(report["ppi_correlation"] as! Double, analysis.correlation, 1e-12))
    #expect((report["cheapest_pair"] as? [String: Any])?["labelled"] != nil)
  }

  /// Runs `arguments` (with `--output out.json` in `folder`) and checks the bad-input contract.
  func expectBadInput(
    _ arguments: [String], in folder: URL, mentions fragment: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws {
    let output = folder.appendingPathComponent("out-\(UUID().uuidString).json")
    let result = try CLI.run(arguments + ["--format", "json", "--output", output.path])
    #expect(
      result.status == 2, "\(arguments): status \(result.status)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(fragment), "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(!FileManager.default.fileExists(atPath: output.path), sourceLocation: sourceLocation)
  }

  @Test("bad inputs: one line, exit 2, no output file")
  func badInputs() throws {
    let folder = try TestData.temporaryFolder()
    func write(_ name: String, _ text: String) throws -> String {
      let url = folder.appendingPathComponent(name)
      try text.write(to: url, atomically: true, encoding: .utf8)
      return url.path
    }
    let noLabels = try write("nolabels.csv", "y,yhat\n,0.5\n,0.7\n")
    try expectBadInput(
      ["estimate", noLabels, "--y-true", "y", "--y-pred", "yhat"], in: folder,
      mentions: "nolabels.csv: column 'y' is empty on every row")
    let groups = try write("groups.csv", "y,yhat,g\n1,0.8,a\n0,0.3,a\n1,0.6,a\n,0.5,b\n,0.2,a\n")
    try expectBadInput(
      ["estimate", groups, "--y-true", "y", "--y-pred", "yhat", "--group", "g"], in: folder,
      mentions: "group 'b' has no labelled rows")
    let few = try write("few.csv", "y,yhat,x1,x2\n1,0.8,1,2\n0,0.3,2,1\n,0.5,1,1\n")
    try expectBadInput(
      [
        "estimate", few, "--y-true", "y", "--y-pred", "yhat", "--estimand", "ols", "--covariates",
        "x1,x2",
      ],
      in: folder, mentions: "2 labelled rows for 2 covariates")
    let pi = try write("pi.csv", "y,yhat,pi\n1,0.8,0.5\n0,0.3,1.5\n,0.5,\n")
    try expectBadInput(
      [
        "estimate", pi, "--y-true", "y", "--y-pred", "yhat", "--method", "dsl", "--sampling-prob",
        "pi",
      ],
      in: folder,
      mentions: "pi.csv:3:3 (column 'pi'): the sampling probability 1.5 is not in (0, 1]")
    try expectBadInput(
      ["estimate", noLabels, "--y-true", "y", "--y-pred", "yhat", "--alpha", "1.5"], in: folder,
      mentions: "--alpha must be in (0, 1)")
    let collinear = try write(
      "collinear.csv", "y,yhat,a,b\n1,1,1,2\n2,2,2,4\n3,2,3,6\n4,5,4,8\n,3,5,10\n,4,6,12\n,1,1,2\n")
    try expectBadInput(
      [
        "estimate", collinear, "--y-true", "y", "--y-pred", "yhat", "--estimand", "ols",
        "--covariates", "a,b",
      ],
      in: folder, mentions: "'b' is a linear combination of 'a'")
    let labels = try write("labels.csv", "y,yhat,x\n1,0.8,1\n2,0.3,2\n0,0.4,1\n,0.5,1\n")
    try expectBadInput(
      [
        "estimate", labels, "--y-true", "y", "--y-pred", "yhat", "--estimand", "logistic",
        "--covariates", "x",
      ],
      in: folder, mentions: "labels.csv:3:1 (column 'y'): the label 2.0 is not 0 or 1")
  }
}
