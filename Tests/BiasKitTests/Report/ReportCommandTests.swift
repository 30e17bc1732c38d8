import Foundation
import Testing

@testable import BiasKit

@Suite("Report: biaskit audit --format html (CLI)")
struct ReportCommandTests {
  static let example = "Examples/adult-predictions.csv"

  @Test func writesTheReportWithBoundsAndTheCommandLine() throws {
    let folder = try TestData.temporaryFolder()
    let output = folder.appendingPathComponent("report.html").path
    let result = try CLI.run([
      "audit", Self.example, "--y-score", "y_score", "--sensitive", "sex,race", "--format", "html",
      "--output", output, "--max", "demographic_parity_difference=0.3",
      "--min", "equalized_odds_ratio=0.8",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let html = try String(contentsOfFile: output, encoding: .utf8)
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.occurrences(of: "scorecard-row pass") == 1)
    #expect(html.occurrences(of: "scorecard-row fail") == 1)
    #expect(html.contains("--max demographic_parity_difference=0.3 --min equalized_odds_ratio=0.8"))
    #expect(html.contains("id=\"roc-chart\""))
  }

  @Test func outputFolderThatDoesNotExistIsAnErrorAndWritesNothing() throws {
    let folder = try TestData.temporaryFolder()
    let output = folder.appendingPathComponent("missing/report.html").path
    let result = try CLI.run([
      "audit", Self.example, "--sensitive", "sex", "--format", "html", "--output", output,
    ])
    #expect(result.status == 2)
    #expect(result.stderr.contains("does not exist"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
  }

  @Test func withoutScoresTheCurvesAreLeftOutWithANote() throws {
    let result = try CLI.run(["audit", Self.example, "--sensitive", "sex,race", "--format", "html"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!result.stdout.contains("id=\"roc-chart\""))
    #expect(result.stdout.contains("ROC and precision-recall curves are left out"))
    #expect(result.stdout.contains("class=\"chart heat-map\""))
  }

  @Test func unknownBoundIsAnError() throws {
    let result = try CLI.run([
      "audit", Self.example, "--sensitive", "sex", "--format", "html", "--max", "nonsense=1",
    ])
    #expect(result.status == 2)
    #expect(result.stderr.contains("unknown bound 'nonsense'"), "\(result.stderr)")
  }
}

extension ReportCommandTests {
  @Test func regressionAndControlFeaturesRender() throws {
    let regression = try CLI.run([
      "audit", Self.example, "--task", "regression", "--y-pred", "y_score", "--sensitive", "sex",
      "--format", "html",
    ])
    #expect(regression.status == 0, "\(regression.stderr)")
    #expect(regression.stdout.contains("Fairness scalars are defined for classification"))
    #expect(regression.stdout.contains("curves are for classification audits"))
    let control = try CLI.run([
      "audit", Self.example, "--y-score", "y_score", "--sensitive", "sex", "--control", "race",
      "--format", "html",
    ])
    #expect(control.status == 0, "\(control.stderr)")
    // One chart per metric and control level: 16 metrics × 5 races.
    #expect(control.stdout.occurrences(of: "class=\"chart bar-chart\"") == 80)
    #expect(control.stdout.contains("(race = Amer-Indian-Eskimo)"))
  }
}

extension ReportCommandTests {
  @Test func heatMapMetricIsChosenWithAnOption() throws {
    let result = try CLI.run([
      "audit", Self.example, "--sensitive", "sex,race", "--format", "html", "--heat-map",
      "accuracy",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout.contains("<title id=\"heat-map-chart-title\">accuracy by sex × race</title>"))
    // A metric outside --metrics is computed for the heat map all the same.
    let other = try CLI.run([
      "audit", Self.example, "--sensitive", "sex,race", "--metrics", "accuracy", "--format", "html",
      "--heat-map", "false_positive_rate",
    ])
    #expect(other.status == 0, "\(other.stderr)")
    #expect(other.stdout.contains("false_positive_rate by sex × race"))
    #expect(other.stdout.occurrences(of: "<rect class=\"cell\"") == 10)
    let unknown = try CLI.run([
      "audit", Self.example, "--sensitive", "sex,race", "--format", "html", "--heat-map", "nope",
    ])
    #expect(unknown.status == 2)
    #expect(unknown.stderr.contains("unknown metric 'nope' for --heat-map"), "\(unknown.stderr)")
  }
}
