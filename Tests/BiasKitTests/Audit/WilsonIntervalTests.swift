import Foundation
import Testing

@testable import BiasKit

/// `biaskit audit --wilson`: every per-group rate's Wilson interval against statsmodels'
/// `proportion_confint(method="wilson")` (`Fixtures/Audit/audit-wilson.json`, made by
/// `make_wilson_fixtures.py` on COMPAS), within 1e-12.
@Suite("Audit: Wilson score intervals")
struct WilsonIntervalTests {
  static let file = "Audit/audit-wilson.json"

  static var cases: [String] {
    guard let root = try? TestData.json(TestData.fixture(file)) as? [String: Any],
      let cases = root["cases"] as? [String: Any]
    else { return [] }
    return cases.keys.sorted()
  }

  func compare(_ actual: Any?, _ expected: Any?, _ label: String) {
    switch (actual as? [Double], expected as? [Double]) {
    case (nil, nil): break
    case (let a?, let e?):
      #expect(a.count == 2 && e.count == 2, "\(label)")
      for (x, y) in zip(a, e) { #expect(abs(x - y) <= 1e-12, "\(label): \(a) vs statsmodels \(e)") }
    default:
      Issue.record("\(label): \(String(describing: actual)) vs \(String(describing: expected))")
    }
  }

  @Test("statsmodels case", arguments: cases)
  func statsmodelsCase(_ name: String) throws {
    let root = try #require(try TestData.json(TestData.fixture(Self.file)) as? [String: Any])
    let spec = try #require((root["cases"] as? [String: Any])?[name] as? [String: Any])
    let rates = try #require(root["rates"] as? [String])
    let sensitive = try #require(spec["sensitive_features"] as? [String])
    let confidence = try #require(spec["confidence"] as? Double)
    let result = try CLI.run([
      "audit", root["input"] as! String, "--sensitive", sensitive.joined(separator: ","),
      "--metrics", rates.joined(separator: ","), "--wilson", "--confidence", "\(confidence)",
      "--format", "json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let section = try #require(json["wilson_intervals"] as? [String: Any])
    #expect(section["confidence"] as? Double == confidence)
    #expect(section["metrics"] as? [String] == rates)
    let overall = try #require(section["overall"] as? [String: Any])
    let expectedOverall = try #require(spec["overall"] as? [String: Any])
    for rate in rates { compare(overall[rate], expectedOverall[rate], "\(name) overall \(rate)") }
    let expectedGroups = try #require(spec["by_group"] as? [String: [String: Any]])
    var seen = 0
    for entry in try #require(section["by_group"] as? [[String: Any]]) {
      let key = (entry["group"] as? [String] ?? []).joined(separator: "|")
      guard let expected = expectedGroups[key] else {
        // A combination without rows (fairlearn's cartesian index): every interval is null.
        for rate in rates { #expect(entry[rate] is NSNull, "\(name) \(key) \(rate)") }
        continue
      }
      seen += 1
      for rate in rates { compare(entry[rate], expected[rate], "\(name) \(key) \(rate)") }
    }
    #expect(seen == expectedGroups.count)
  }

  @Test func knownValueAndBadConfidence() throws {
    // 0 of 10 at 95 %: [0, z²/(n + z²)].
    let w = try #require(try WilsonInterval(successes: 0, trials: 10, confidence: 0.95))
    let z = 1.959963984540054
    #expect(abs(w.lower) <= 1e-15)
    #expect(abs(w.upper - z * z / (10 + z * z)) <= 1e-15)
    #expect(try WilsonInterval(successes: 0, trials: 0, confidence: 0.95) == nil)
    #expect(throws: BiasKitError.self) {
      try WilsonInterval(successes: 1, trials: 2, confidence: 1)
    }
    let folder = try TestData.temporaryFolder()
    let output = folder.appendingPathComponent("out.json")
    let result = try CLI.run([
      "audit", "Tests/BiasKitTests/Fixtures/Audit/compas-predictions.csv", "--sensitive", "race",
      "--wilson", "--confidence", "95", "--output", output.path,
    ])
    #expect(result.status == 2)
    #expect(
      result.stderr.contains("--confidence must be a level in (0, 1), such as 0.95, not 95.0"))
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output.path))
  }
}
