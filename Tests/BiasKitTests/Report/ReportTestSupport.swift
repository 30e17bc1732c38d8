import Foundation

@testable import BiasKit
@testable import biaskit

/// Audits and inputs for the report tests.
enum ReportTestData {
  /// Audits a CSV text (columns y_true, y_pred, optional y_score, then the sensitive ones).
  static func audit(csv: String, sensitive: [String], scores: Bool) throws -> AuditReport {
    let folder = try TestData.temporaryFolder()
    let path = folder.appendingPathComponent("input.csv").path
    try csv.write(toFile: path, atomically: true, encoding: .utf8)
    let columns = AuditColumns(
      yTrue: "y_true", yPred: "y_pred", yScore: scores ? "y_score" : nil, sensitive: sensitive)
    let table = try AuditTable(path: path, columns: columns, probabilityScores: scores)
    let metrics = Metric.confusionMetrics + (scores ? Metric.scoreMetrics : [])
    let frame = try MetricFrame(metrics: metrics, data: table.data, sensitive: table.sensitive)
    return AuditReport(frame: frame)
  }

  /// Report options naming parameters as the command line does (`--y-score`).
  static var commandLineOptions: HTMLReport.Options {
    var options = HTMLReport.Options()
    options.naming = Flags.naming
    return options
  }

  /// Labels with HTML special characters and right-to-left text.
  static let hostileLabels = [
    "<script>alert(1)</script>", "A & B \"quoted\" 'single'", "عربي", "עברית",
  ]

  /// A small CSV whose `group` column holds ``hostileLabels`` (quoted for CSV).
  static var hostileCSV: String {
    var rng = SeededGenerator(seed: 7)
    var lines = ["y_true,y_pred,y_score,group"]
    for i in 0..<400 {
      let label = hostileLabels[i % hostileLabels.count]
      let y = Int.random(in: 0...1, using: &rng)
      let score = min(max(Double(y) * 0.4 + Double.random(in: 0...0.6, using: &rng), 0), 1)
      lines.append(
        "\(y),\(score > 0.5 ? 1 : 0),\(score),\"\(label.replacingOccurrences(of: "\"", with: "\"\""))\""
      )
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// 8 × 8 = 64 intersectional groups with long labels; group sizes vary from 5 to a few
  /// hundred rows (some are flagged as small), scores depend on the group.
  static func intersectionalCSV(seed: UInt64 = 64) -> String {
    let regions = [
      "North-Eastern Metropolitan Region", "South", "Western Highlands and Coastal Plains", "East",
      "Central Administrative District", "Island Territories (overseas)", "Río de la Plata basin",
      "المنطقة الشمالية",
    ]
    let ages = [
      "18–24 years (students and first jobs)", "25–34", "35–44 years", "45–54 years, employed",
      "55–64", "65 and over, retired", "unknown / not stated", "under 18 (excluded from credit)",
    ]
    var rng = SeededGenerator(seed: seed)
    var lines = ["y_true,y_pred,y_score,region,age_band"]
    for (a, region) in regions.enumerated() {
      for (b, age) in ages.enumerated() {
        let size = (a + b) % 7 == 0 ? 5 + a : 40 + 23 * ((a * 3 + b * 5) % 11)
        let base = 0.15 + 0.08 * Double(a) / 7 + 0.5 * Double(b) / 7
        for _ in 0..<size {
          let y = Double.random(in: 0..<1, using: &rng) < base ? 1 : 0
          let score = min(
            max(base + (y == 1 ? 0.25 : -0.15) + Double.random(in: -0.3...0.3, using: &rng), 0), 1)
          lines.append("\(y),\(score > 0.5 ? 1 : 0),\(score),\"\(region)\",\"\(age)\"")
        }
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// Runs a headless Chromium, when one is installed.
enum HeadlessBrowser {
  /// `chromium` or `chromium-browser` found on PATH.
  static let executable: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for name in ["chromium", "chromium-browser"] {
      for folder in path.split(separator: ":") {
        let candidate = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      }
    }
    return nil
  }()

  static var isAvailable: Bool { executable != nil }

  typealias Output = CLI.Result

  /// Runs the browser with `arguments` (after the headless flags); gives up after `timeout` seconds.
  static func run(_ arguments: [String], timeout: TimeInterval = 90) throws -> Output {
    let profile = try TestData.temporaryFolder()
    return try runProcess(
      URL(fileURLWithPath: executable!),
      [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--user-data-dir=\(profile.path)",
      ] + arguments,
      timeout: timeout)
  }

  /// Width and height from a PNG's IHDR chunk.
  static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
    let bytes = [UInt8](data.prefix(24))
    guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
      return nil
    }
    func int(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (int(16), int(20))
  }

  /// Lines of Chromium's log that report a page error (script errors, blocked loads, CSP).
  static func consoleErrors(_ log: String) -> [String] {
    log.split(separator: "\n").map(String.init).filter {
      $0.contains("Uncaught") || $0.contains("CONSOLE") || $0.contains("Refused to")
    }
  }

  /// Folder kept after the tests (git-ignored): `.build/report-artifacts/`.
  static func artifactFolder() throws -> URL {
    let url = TestData.packageRoot.appendingPathComponent(".build/report-artifacts")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

extension String {
  /// Non-overlapping occurrences of `needle`.
  func occurrences(of needle: String) -> Int { components(separatedBy: needle).count - 1 }
}
