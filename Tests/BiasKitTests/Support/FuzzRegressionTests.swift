import Foundation
import Testing

@testable import BiasKit

/// Inputs found by fuzzing the readers of untrusted files (scripts/fuzz/README.md), minimised.
/// Each once trapped or allocated without bound; each must now be one `BiasKitError` naming the
/// file, from the library and from the command line (exit status 2, one line on stderr, no
/// output file).
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
  /// Writes `bytes` to a fresh temporary file called `name`.
  private func file(_ name: String, _ bytes: [UInt8]) throws -> String {
    let url = try TestData.temporaryFolder().appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
  }

  private func file(_ name: String, _ text: String) throws -> String {
    try file(name, Array(text.utf8))
  }

  /// A version 1.0 `.npy` file whose header dict is `dict` and which holds no data.
  private func npy(_ dict: String) -> [UInt8] {
    let header = Array(dict.utf8)
    return [
      0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.count & 0xFF),
      UInt8(header.count >> 8),
    ]
      + header
  }

  /// Expects `body` to throw a BiasKitError of `code` whose message contains `words`.
  private func expectError(
    _ code: BiasKitError.Code, containing words: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
  ) {
    do {
      try body()
      Issue.record("no error thrown", sourceLocation: sourceLocation)
    } catch let error as BiasKitError {
      #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
      #expect(error.message.contains(words), "\(error)", sourceLocation: sourceLocation)
    } catch {
      Issue.record("not a BiasKitError: \(error)", sourceLocation: sourceLocation)
    }
  }

  /// Expects the CLI to fail cleanly: status 2, one `biaskit: error:` line naming `words`.
  private func expectCLIError(_ arguments: [String], containing words: String) throws {
    let result = try CLI.run(arguments)
    #expect(result.status == 2, "status \(result.status): \(result.stderr)")
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1 && lines[0].hasPrefix("biaskit: error: "), "\(result.stderr)")
    #expect(result.stderr.contains(words), "\(result.stderr)")
  }

  // MARK: .npy

  @Test(".npy: a shape whose element count overflows Int is an error, not a trap")
  func npyShapeOverflowingCount() throws {
    let path = try file(
      "x.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"))
    expectError(.malformedInput, containing: "too large") {
      _ = try NumpyArray.readHeader(path: path)
    }
    expectError(.malformedInput, containing: "too large") {
      _ = try NumpyArray.readMatrix(path: path)
    }
  }

  @Test(".npy: a zero dimension beside huge ones is an empty array, as in NumPy")
  func npyZeroDimensionBesideHugeOnes() throws {
    let path = try file(
      "x.npy",
      npy(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904, 0), }"
      ))
    let header = try NumpyArray.readHeader(path: path)
    #expect(header.shape == [1 << 62, 1 << 62, 0] && header.count == 0)
  }

  @Test(".npy: a shape whose byte size overflows Int is an error, not a trap")
  func npyShapeOverflowingBytes() throws {
    let path = try file(
      "y.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846976,), }"))
    expectError(.malformedInput, containing: "too large") {
      _ = try NumpyArray.readLabels(path: path)
    }
    let x = try file(
      "x.npy",
      npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }")
        + [UInt8](repeating: 0, count: 8))
    let out = try TestData.temporaryFolder()
    try expectCLIError(
      [
        "resample", "random-over", "--x", x, "--y", path, "--output-x",
        out.appendingPathComponent("ox.npy").path,
        "--output-y", out.appendingPathComponent("oy.npy").path,
      ], containing: "too large")
    #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
  }

  // MARK: Word embeddings

  @Test("word2vec text: a header declaring count × dimension beyond Int is an error, not a trap")
  func word2vecTextHeaderOverflow() throws {
    for header in ["99999999999 99999999999", "4000000000 4000000000"] {
      let text = "\(header)\na 1\n"
      let path = try file("e.txt", text)
      expectError(.malformedInput, containing: "e.txt") {
        _ = try WordEmbedding(contentsOf: path, options: .init(format: .word2vecText))
      }
      expectError(.malformedInput, containing: "e.txt") { _ = try WordEmbedding(contentsOf: path) }
    }
  }

  @Test(
    "word2vec: an empty embedding whose header declares a dimension near Int.max / 4 can be written"
  )
  func word2vecEmptyWithHugeDimension() throws {
    let path = try file("zero.bin", Array("0 2305843009213693951\n".utf8))
    let embedding = try WordEmbedding(contentsOf: path, options: .init(format: .word2vecBinary))
    #expect(embedding.count == 0 && embedding.dimension == 2_305_843_009_213_693_951)
    #expect(embedding.word2vecBinaryData() == Data("0 2305843009213693951\n".utf8))
    // A row of that dimension cannot fit any file: a truncation error.
    let one = try file("one.bin", Array("1 2305843009213693951\na ".utf8) + [1, 2])
    expectError(.malformedInput, containing: "truncated") { _ = try WordEmbedding(contentsOf: one) }
  }

  // MARK: Audit state

  @Test("audit state: level counts whose product overflows Int are an error, not a trap")
  func auditStateLevelProductOverflow() throws {
    let features = (0..<64).map { "\"f\($0)\"" }.joined(separator: ",")
    let levels = Array(repeating: "[\"a\",\"b\"]", count: 64).joined(separator: ",")
    let path = try file(
      "state.json",
      """
      {"format":"biaskit-audit-state","version":1,"task":"classification","sensitiveFeatures":[\(features)],
      "sensitiveLevels":[\(levels)],"controlFeatures":[],"controlLevels":[],"statistics":[]}
      """)
    expectError(.malformedInput, containing: "invalid audit state") {
      _ = try AuditState(contentsOf: path)
    }
    try expectCLIError(["merge", path], containing: "invalid audit state")
  }

  // MARK: CSV and the audit table

  @Test("CSV: one column requested as two kinds is an error, not a force-unwrap of the other kind")
  func columnRequestedAsTwoKinds() throws {
    let path = try file("p.csv", "a,b,c\n1,0,x\n0,1,y\n")
    expectError(.invalidArgument, containing: "'a' is named twice") {
      _ = try CSVReader(path: path).read([.label("a"), .category("a")])
    }
    // Requested twice as the same kind: read once, copied.
    let table = try CSVReader(path: path).read([.label("a"), .label("b"), .label("a")])
    #expect(table.columns[2] == table.columns[0])
    expectError(.invalidArgument, containing: "as labels and once as groups") {
      _ = try AuditTable(
        path: path, columns: AuditColumns(yTrue: "a", yPred: "b", sensitive: ["a"]))
    }
    expectError(.invalidArgument, containing: "as labels and once as numbers") {
      _ = try AuditTable(
        path: path, columns: AuditColumns(yTrue: "a", yPred: "b", yScore: "a", sensitive: ["c"]))
    }
    try expectCLIError(
      ["audit", path, "--y-true", "a", "--y-pred", "b", "--sensitive", "a"],
      containing: "'a' is named twice")
    try expectCLIError(
      ["audit", path, "--y-true", "a", "--y-pred", "b", "--y-score", "b", "--sensitive", "c"],
      containing: "'b' is named twice")
  }

  /// A state of one feature with levels a and b; `first` and `second` are the cells' JSON.
  private func stateJSON(_ first: String, _ second: String) -> String {
    """
    {"format":"biaskit-audit-state","version":1,"task":"classification","sensitiveFeatures":["g"],
    "sensitiveLevels":[["a","b"]],"controlFeatures":[],"controlLevels":[],"statistics":[\(first),\(second)]}
    """
  }

  private func confusion(truePositives: Int) -> String {
    """
    {"countFalseNegatives":1,"countFalsePositives":1,"countTrueNegatives":1,"countTruePositives":\(truePositives),
    "falseNegatives":1,"falsePositives":1,"trueNegatives":1,"truePositives":1}
    """
  }

  @Test(
    "audit state: cells whose calibration sums have different bin counts are an error, not an index trap"
  )
  func auditStateCalibrationBinsDiffer() throws {
    func cell(bins: Int) -> String {
      let zeros = "[" + Array(repeating: "0", count: bins).joined(separator: ",") + "]"
      let sum = #"{"compensation":0,"sum":0}"#
      return """
        {"confusion":\(confusion(truePositives: 1)),"calibration":{"binLabels":\(zeros),"binScores":\(zeros),
        "binWeight":\(zeros),"logLoss":\(sum),"squaredError":\(sum),"weight":\(sum)}}
        """
    }
    let path = try file("state.json", stateJSON(cell(bins: 10), cell(bins: 3)))
    expectError(.malformedInput, containing: "different numbers of bins") {
      _ = try AuditState(contentsOf: path)
    }
    try expectCLIError(["merge", path], containing: "different numbers of bins")
  }

  @Test("audit state: cells that differ in the sums they carry are an error")
  func auditStateCellsDifferInSums() throws {
    let zeros = "[" + Array(repeating: "0", count: 10).joined(separator: ",") + "]"
    let sum = #"{"compensation":0,"sum":0}"#
    let withCalibration = """
      {"confusion":\(confusion(truePositives: 1)),"calibration":{"binLabels":\(zeros),"binScores":\(zeros),
      "binWeight":\(zeros),"logLoss":\(sum),"squaredError":\(sum),"weight":\(sum)}}
      """
    let without = #"{"confusion":"# + confusion(truePositives: 1) + "}"
    let path = try file("state.json", stateJSON(without, withCalibration))
    expectError(.malformedInput, containing: "differ in the sums they carry") {
      _ = try AuditState(contentsOf: path)
    }
    try expectCLIError(["merge", path], containing: "differ in the sums they carry")
  }

  @Test("audit state: row counts that overflow when summed are an error, not an overflow trap")
  func auditStateCountOverflow() throws {
    let valid = try file(
      "valid.json",
      stateJSON(
        #"{"confusion":\#(confusion(truePositives: 1))}"#,
        #"{"confusion":\#(confusion(truePositives: 2))}"#))
    #expect(try AuditState(contentsOf: valid).statistics.map(\.rows) == [4, 5])
    for (first, second) in [(Int.max, 1), (1 << 62, 1 << 62), (-5, 1)] {
      let path = try file(
        "state.json",
        stateJSON(
          #"{"confusion":\#(confusion(truePositives: first))}"#,
          #"{"confusion":\#(confusion(truePositives: second))}"#))
      expectError(.malformedInput, containing: "row count") { _ = try AuditState(contentsOf: path) }
      try expectCLIError(["merge", path, path], containing: "row count")
    }
  }

  @Test(
    "calibration sums: a score far outside [0, 1] or NaN falls in an end bin instead of trapping")
  func calibrationScoreOutOfRange() throws {
    // Found by the audit target: y_score 011111111111111111111 audited without probabilityScores.
    let path = try file(
      "p.csv", "y,p,s,g\n0,0,0.1,a\n1,1,011111111111111111111,a\n1,0,-1e300,b\n0,1,0.5,b\n")
    let table = try AuditTable(
      path: path, columns: AuditColumns(yTrue: "y", yPred: "p", yScore: "s", sensitive: ["g"]))
    let frame = try MetricFrame(
      metrics: [.brierScore, .expectedCalibrationError], data: table.data,
      sensitive: table.sensitive)
    #expect(frame.overall(.brierScore) != nil)
    var bins = CalibrationStatistics(bins: 10)
    for score in [Double.nan, .infinity, -.infinity, 1e300, -1e300, 1, 0] {
      bins.add(label: 1, score: score)
    }
    #expect(bins.binWeight == [4, 0, 0, 0, 0, 0, 0, 0, 0, 3])
    // The command line reads scores as probabilities for these metrics: a one-line error.
    try expectCLIError(
      [
        "audit", path, "--y-true", "y", "--y-pred", "p", "--y-score", "s", "--sensitive", "g",
        "--metrics", "brier_score",
      ],
      containing: "p.csv:3:3")
  }

  // MARK: One line

  @Test("errors quoting input stay one line: control characters in quoted text are escaped")
  func errorsQuotingControlCharactersStayOneLine() throws {
    // A quoted CSV field holding a line break, read as a label.
    let csv = try file("p.csv", "a,b,c\n\"x\ny\",0,g\n1,1,h\n")
    expectError(.invalidValue, containing: #"'x\ny' is not a binary label"#) {
      _ = try AuditTable(path: csv, columns: AuditColumns(yTrue: "a", yPred: "b", sensitive: ["c"]))
    }
    try expectCLIError(
      ["audit", csv, "--y-true", "a", "--y-pred", "b", "--sensitive", "c"], containing: #"'x\ny'"#)
    // A .npy header without 'descr', quoted back with its line break and a tab.
    let npyPath = try file("x.npy", npy("{'shape': (1,),\n\t}\n"))
    expectError(.malformedInput, containing: #"(1,),\n\t}"#) {
      _ = try NumpyArray.readMatrix(path: npyPath)
    }
    #expect(
      BiasKitError(.io, "a\u{1B}[31mb\u{0}c\u{2028}").message == #"a\u{1B}[31mb\u{0}c\u{2028}"#)
  }
}
