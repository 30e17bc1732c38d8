import Foundation
import Testing

@testable import BiasKit

@Suite("biaskit mitigate --then-audit", .heavy, .enabled(if: TestData.sharedIsAvailable))
struct MitigationAuditTests {
  static var arguments: [String] {
    let d = TestData.shared("fixtures").path
    return [
      "mitigate", "threshold-optimizer", "--train", "\(d)/adult_train_design.csv",
      "--test", "\(d)/adult_test_design.csv", "--target", "y", "--sensitive", "sex_raw", "--drop",
      "race_raw",
      "--constraint", "demographic_parity", "--then-audit",
    ]
  }

  @Test func tableShowsBeforeAndAfter() throws {
    let result = try CLI.run(Self.arguments)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout.contains("adult_test_design.csv, before and after mitigation (16281 rows"))
    // Before: the unmitigated learner, which equals scikit-learn's (accuracy 0.8530, DP 0.1762 on sex).
    #expect(result.stdout.contains("demographic_parity_difference   0.1762"))
    #expect(result.stdout.contains("accuracy                        0.8530"))
  }

  @Test func jsonCarriesBothAudits() throws {
    let result = try CLI.run(Self.arguments + ["--format", "json", "--seed", "3"])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let audit = try #require(json["audit"] as? [String: Any])
    let before = try #require(audit["before"] as? [String: Any])
    let after = try #require(audit["after"] as? [String: Any])
    let beforeDP = try #require(
      (before["fairness"] as? [String: Any])?["demographic_parity_difference"] as? Double)
    let afterDP = try #require(
      (after["fairness"] as? [String: Any])?["demographic_parity_difference"] as? Double)
    #expect(abs(beforeDP - 0.17620920688013975) < 1e-9)
    #expect(afterDP < 0.02)
  }

  @Test func withoutATestFileTheTrainingRowsAreAudited() throws {
    var arguments = Self.arguments
    arguments.removeSubrange(4...5)  // drop --test FILE
    let result = try CLI.run(arguments)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout.contains("adult_train_design.csv, before and after mitigation (32561 rows"))
  }
}

@Suite("biaskit mitigate --report", .heavy, .enabled(if: TestData.sharedIsAvailable))
struct MitigationReportTests {
  @Test func reportShowsBeforeAfterAndTheTradeOff() throws {
    let d = TestData.shared("fixtures").path
    let folder = try TestData.temporaryFolder()
    let report = folder.appendingPathComponent("mitigation.html").path
    let result = try CLI.run([
      "mitigate", "exponentiated-gradient", "--train", "\(d)/adult_train_design.csv",
      "--test", "\(d)/adult_test_design.csv", "--target", "y", "--sensitive", "sex_raw",
      "--drop", "race_raw", "--constraint", "demographic_parity", "--report", report,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let html = try String(contentsOfFile: report, encoding: .utf8)
    #expect(html.contains("Before and after mitigation"))
    #expect(html.contains("Female · before") && html.contains("Male · after"))
    #expect(html.contains("accuracy versus disparity of the candidate predictors"))
    #expect(!html.contains("<script"))
  }

  @Test func reportInAMissingFolderIsAnError() throws {
    let d = TestData.shared("fixtures").path
    let result = try CLI.run([
      "mitigate", "threshold-optimizer", "--train", "\(d)/adult_train_design.csv",
      "--target", "y", "--sensitive", "sex_raw", "--drop", "race_raw",
      "--report", "/nonexistent/dir/r.html",
    ])
    #expect(result.status == 2)
    #expect(result.stderr.contains("does not exist"))
  }
}
