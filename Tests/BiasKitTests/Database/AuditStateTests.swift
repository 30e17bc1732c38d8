import Foundation
import Testing

@testable import BiasKit

/// Helpers shared by the database tests: the example predictions, split into parts.
enum DatabaseTestData {
  static let example = TestData.packageRoot.appendingPathComponent("Examples/adult-predictions.csv")
    .path
  static let columns = AuditColumns(
    yTrue: "y_true", yPred: "y_pred", yScore: "y_score", sensitive: ["sex", "race"])
  static let metrics = Metric.confusionMetrics + Metric.scoreMetrics
  /// Metrics whose sums are exact whatever the order of the rows.
  static let exactMetrics = Metric.confusionMetrics + [.rocAUC, .averagePrecision]

  static func lines() throws -> (header: String, rows: [String]) {
    let text = try String(contentsOfFile: example, encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    let header = lines.removeFirst()
    return (header, lines)
  }

  /// Writes `rows` under `header` to a temporary file.
  static func write(
    _ header: String, _ rows: [String], in folder: URL, name: String
  ) throws -> String {
    let path = folder.appendingPathComponent(name).path
    try (([header] + rows).joined(separator: "\n") + "\n").write(
      toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func state(
    of path: String, columns: AuditColumns = columns, metrics: [Metric] = metrics
  ) throws -> AuditState {
    let table = try AuditTable(path: path, columns: columns)
    let frame = try MetricFrame(
      metrics: metrics, data: table.data, sensitive: table.sensitive, control: table.control)
    return AuditState(frame: frame, task: columns.task)
  }

  /// Every value of the frame, with the calibration metrics' positions set apart.
  static func expectSameAudit(
    _ a: AuditState, _ b: AuditState, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws {
    #expect(a.sensitiveLevels == b.sensitiveLevels, sourceLocation: sourceLocation)
    #expect(a.controlLevels == b.controlLevels, sourceLocation: sourceLocation)
    #expect(
      a.statistics.map(\.confusion) == b.statistics.map(\.confusion), sourceLocation: sourceLocation
    )
    #expect(
      a.statistics.map(\.scores) == b.statistics.map(\.scores), sourceLocation: sourceLocation)
    // Bit for bit: every value of the exact metrics.
    let exactA = try a.frame(metrics: exactMetrics).values.flattened
    let exactB = try b.frame(metrics: exactMetrics).values.flattened
    #expect(exactA.map(\.bitPattern) == exactB.map(\.bitPattern), sourceLocation: sourceLocation)
    // Calibration sums depend on the order of additions: within 1e-13.
    if a.statistics.first?.calibration != nil, b.statistics.first?.calibration != nil {
      let calibrated: [Metric] = [.brierScore, .logLoss, .expectedCalibrationError]
      let ca = try a.frame(metrics: calibrated).values.flattened
      let cb = try b.frame(metrics: calibrated).values.flattened
      for (x, y) in zip(ca, cb) where !(x.isNaN && y.isNaN) {
        #expect(
          abs(x - y) <= 1e-13 * max(1, abs(x)), "\(x) vs \(y)", sourceLocation: sourceLocation)
      }
    }
  }
}

@Suite("Database: AuditState")
struct AuditStateTests {
  @Test("merging the audits of a file's parts equals the audit of the whole, in any grouping")
  func mergeOfPartsEqualsWhole() throws {
    let folder = try TestData.temporaryFolder()
    let (header, rows) = try DatabaseTestData.lines()
    let whole = try DatabaseTestData.state(of: DatabaseTestData.example)
    // Three parts of unequal size; the third lacks most races, so levels must be unioned.
    let third = rows.filter { $0.hasSuffix(",Amer-Indian-Eskimo") || $0.hasSuffix(",Other") }
    let rest = rows.filter { !($0.hasSuffix(",Amer-Indian-Eskimo") || $0.hasSuffix(",Other")) }
    let cut = rest.count / 3
    let paths = try [
      DatabaseTestData.write(header, Array(rest[..<cut]), in: folder, name: "a.csv"),
      DatabaseTestData.write(header, Array(rest[cut...]), in: folder, name: "b.csv"),
      DatabaseTestData.write(header, third, in: folder, name: "c.csv"),
    ]
    let parts = try paths.map { try DatabaseTestData.state(of: $0) }
    #expect(parts[2].sensitiveLevels[1] == ["Amer-Indian-Eskimo", "Other"])
    let merged = try AuditState.merged(parts)
    try DatabaseTestData.expectSameAudit(merged, whole)
    // Associative and commutative.
    let nested = try AuditState.merged([parts[2], try AuditState.merged([parts[1], parts[0]])])
    try DatabaseTestData.expectSameAudit(nested, whole)
    #expect(nested.statistics.map(\.confusion) == merged.statistics.map(\.confusion))
    // The report of the merged state is the report of the whole file, byte for byte (exact metrics).
    let a = AuditReport(frame: try merged.frame(metrics: DatabaseTestData.exactMetrics)).json()
      .serialized()
    let b = AuditReport(frame: try whole.frame(metrics: DatabaseTestData.exactMetrics)).json()
      .serialized()
    #expect(a == b)
  }

  @Test func jsonRoundTripIsExact() throws {
    let state = try DatabaseTestData.state(of: DatabaseTestData.example)
    let folder = try TestData.temporaryFolder()
    let path = folder.appendingPathComponent("s.json").path
    try state.encoded().write(to: URL(fileURLWithPath: path))
    let back = try AuditState(contentsOf: path)
    #expect(back == state)
  }

  @Test func controlFeaturesMerge() throws {
    let folder = try TestData.temporaryFolder()
    let (header, rows) = try DatabaseTestData.lines()
    var columns = DatabaseTestData.columns
    columns.sensitive = ["race"]
    columns.control = ["sex"]
    let whole = try DatabaseTestData.state(of: DatabaseTestData.example, columns: columns)
    let males = rows.filter { $0.contains(",Male,") }
    let females = rows.filter { !$0.contains(",Male,") }
    let parts = try [
      DatabaseTestData.state(
        of: DatabaseTestData.write(header, females, in: folder, name: "f.csv"), columns: columns),
      DatabaseTestData.state(
        of: DatabaseTestData.write(header, males, in: folder, name: "m.csv"), columns: columns),
    ]
    #expect(parts[0].controlLevels == [["Female"]])
    try DatabaseTestData.expectSameAudit(try AuditState.merged(parts), whole)
  }

  @Test("binned scores: the AUC moves by at most the stated bound")
  func histogramBound() throws {
    let exact = try DatabaseTestData.state(of: DatabaseTestData.example)
    for bins in [10, 100, 1_000] {
      let binned = try exact.limitingDistinctScores(bins)
      #expect(binned.scoreHistogram == AuditState.ScoreHistogram(bins: bins))
      let histogram = binned.scoreHistogram!
      for (e, b) in zip(exact.statistics, binned.statistics) {
        guard let auc = e.scores!.rocAUC(), let approx = b.scores!.rocAUC() else { continue }
        let bound = histogram.aucErrorBound(b.scores!)!
        #expect(
          abs(auc - approx) <= bound + 1e-15, "bins \(bins): \(auc) vs \(approx), bound \(bound)")
      }
      #expect(binned.aucErrorBound! > 0)
      #expect(
        try binned.frame(metrics: [.brierScore]).statistics.map(\.calibration)
          == exact.statistics.map(\.calibration))
    }
    #expect(try exact.limitingDistinctScores(16_281) == exact)
    #expect(try exact.limitingDistinctScores(16_280).scoreHistogram != nil)
  }

  @Test func mergeRejectsDifferentLayouts() throws {
    let state = try DatabaseTestData.state(of: DatabaseTestData.example)
    var other = state
    other.sensitiveFeatures = ["sex", "age"]
    #expect(throws: BiasKitError.self) { try AuditState.merged([state, other]) }
    let binned = try state.limitingDistinctScores(10)
    let binnedDifferently = try state.limitingDistinctScores(20)
    #expect(throws: BiasKitError.self) { try AuditState.merged([binned, binnedDifferently]) }
    // An exact part joins a binned one on its histogram.
    let mixed = try AuditState.merged([binned, state])
    #expect(mixed.scoreHistogram == binned.scoreHistogram)
  }

  @Test func malformedStateFilesAreErrors() throws {
    let folder = try TestData.temporaryFolder()
    let bad = folder.appendingPathComponent("bad.json")
    try Data("{\"format\": \"biaskit-audit-state\"}".utf8).write(to: bad)
    #expect(throws: BiasKitError.self) { try AuditState(contentsOf: bad.path) }
    var state = try DatabaseTestData.state(of: DatabaseTestData.example)
    state.statistics.removeLast()
    try state.encoded().write(to: bad)
    do {
      _ = try AuditState(contentsOf: bad.path)
      Issue.record("a state with a missing cell was accepted")
    } catch let error as BiasKitError {
      #expect(error.message.contains("cells"))
    }
  }
}
