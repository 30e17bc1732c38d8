// libFuzzer harness for BiasKit's parsers of untrusted input. Compiled together with the
// library sources into one binary (see scripts/fuzz/README.md); the target is chosen by the
// BIASKIT_FUZZ_TARGET environment variable. Every BiasKitError is an accepted outcome; a trap,
// a sanitizer report, a hang or a huge allocation is a finding.
import Foundation

/// A per-process temporary file the path-based readers open.
private let scratchFolder: String = {
  let base =
    FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
  return "\(base)/biaskit-fuzz-\(getpid())"
}()

private func writeScratch(_ name: String, _ bytes: UnsafeRawBufferPointer) -> String {
  try? FileManager.default.createDirectory(atPath: scratchFolder, withIntermediateDirectories: true)
  let path = "\(scratchFolder)/\(name)"
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  precondition(fd >= 0, "cannot write \(path)")
  var done = 0
  while done < bytes.count {
    let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
    precondition(n > 0)
    done += n
  }
  close(fd)
  return path
}

/// Runs `body`, accepting a thrown BiasKitError and nothing else.
private func expectingBiasKitErrors(_ body: () throws -> Void) {
  do { try body() } catch is BiasKitError {
  } catch {
    fatalError("a parser threw something other than BiasKitError: \(error)")
  }
}

private let everyClassificationMetric: [Metric] = Metric.allCases.filter {
  $0.requirement != .regression
}
private let everyRegressionMetric: [Metric] = Metric.allCases.filter { $0.requirement != .scores }

// MARK: Targets

/// CSVReader: the header, then every column as each type, and the numeric matrix.
private func fuzzCSV(_ bytes: UnsafeRawBufferPointer) {
  let path = writeScratch("input.csv", bytes)
  expectingBiasKitErrors {
    let reader = try CSVReader(path: path)
    let names = Array(Set(reader.header)).sorted()
    guard !names.isEmpty else { return }
    expectingBiasKitErrors { _ = try reader.readMatrix(columns: names) }
    expectingBiasKitErrors {
      _ = try reader.read(names.map { .init($0, .number(allowMissing: true)) })
    }
    expectingBiasKitErrors { _ = try reader.read(names.map { .category($0) }) }
    expectingBiasKitErrors { _ = try reader.read(names.map { .category($0, missingGroup: "") }) }
    expectingBiasKitErrors { _ = try reader.read(names.map { .label($0) }) }
    expectingBiasKitErrors { _ = try reader.read(names.map { .label($0, positive: "yes") }) }
    // Mixed kinds, one column asked for twice.
    expectingBiasKitErrors {
      let t = try reader.read([
        .category(names[0]), .number(names[names.count - 1]), .category(names[0]),
      ])
      _ = reader.line(ofRow: max(0, t.rowCount - 1))
    }
  }
  expectingBiasKitErrors { _ = try CSVReader(path: path, delimiter: UInt8(ascii: "\t")).read([]) }
}

/// AuditTable + MetricFrame + AuditReport: columns by position (y_true, y_pred, y_score, groups…).
private func fuzzAudit(_ bytes: UnsafeRawBufferPointer) {
  let path = writeScratch("input.csv", bytes)
  guard let header = try? CSVReader(path: path).header, header.count >= 3 else { return }
  // At most two group columns: every column of a seed as an intersection makes up to 2²²
  // groups by design (Groups.maximumGroups), seconds per input instead of milliseconds.
  let h = Array(header.prefix(6))
  func groups(from k: Int) -> [String] { Array(h[k..<min(h.count, k + 2)]) }
  var variants: [AuditColumns] = [
    AuditColumns(yTrue: h[0], yPred: h[1], sensitive: groups(from: 2)),
    AuditColumns(task: .regression, yTrue: h[0], yPred: h[1], sensitive: groups(from: 2)),
    AuditColumns(
      yTrue: h[0], yPred: h[1], sensitive: [h[2]], positiveLabel: "yes", missingGroup: "?"),
  ]
  if h.count >= 4 {
    variants.append(
      AuditColumns(yTrue: h[0], yPred: h[1], yScore: h[2], sensitive: groups(from: 3)))
    variants.append(
      AuditColumns(yTrue: h[0], yPred: h[1], sensitive: [h[3]], control: [h[2]], missingGroup: ""))
  }
  if h.count >= 5 {
    variants.append(
      AuditColumns(
        yTrue: h[0], yPred: h[1], yScore: h[2], sensitive: groups(from: 4), sampleWeight: h[3]))
  }
  for (k, columns) in variants.enumerated() {
    expectingBiasKitErrors {
      let table = try AuditTable(path: path, columns: columns, probabilityScores: k % 2 == 0)
      let metrics =
        columns.task == .regression
        ? everyRegressionMetric
        : (columns.yScore == nil
          ? everyClassificationMetric.filter { $0.requirement != .scores }
          : everyClassificationMetric)
      let frame = try MetricFrame(
        metrics: metrics, data: table.data, sensitive: table.sensitive, control: table.control)
      let report = AuditReport(frame: frame)
      _ = report.json()
      _ = report.csv()
      let state = AuditState(frame: frame, task: columns.task)
      _ = try AuditState.merged([state, state])
    }
  }
}

/// NumpyArray: header, matrix and labels.
private func fuzzNumpy(_ bytes: UnsafeRawBufferPointer) {
  let path = writeScratch("input.npy", bytes)
  expectingBiasKitErrors { _ = try NumpyArray.readHeader(path: path) }
  expectingBiasKitErrors { _ = try NumpyArray.readMatrix(path: path) }
  expectingBiasKitErrors { _ = try NumpyArray.readLabels(path: path) }
}

/// WordEmbedding: the in-memory parser in every format and the streaming file loader.
private func fuzzEmbedding(_ bytes: UnsafeRawBufferPointer) {
  let buffer = bytes.bindMemory(to: UInt8.self)
  for format in [nil] + EmbeddingFormat.allCases.map(Optional.some) {
    for options in [
      WordEmbedding.LoadOptions(format: format),
      WordEmbedding.LoadOptions(format: format, limit: 1, lowercase: true),
    ] {
      expectingBiasKitErrors {
        let e = try WordEmbedding(parsing: buffer, path: "input", options: options)
        _ = e.word2vecBinaryData()
      }
    }
  }
  let path = writeScratch("input.bin", bytes)
  expectingBiasKitErrors { _ = try WordEmbedding(contentsOf: path) }
  expectingBiasKitErrors {
    _ = try WordEmbedding(contentsOf: path, options: .init(format: .word2vecBinary, limit: 2))
  }
}

/// AuditState: load, then what `biaskit merge` does with it.
private func fuzzState(_ bytes: UnsafeRawBufferPointer) {
  let path = writeScratch("state.json", bytes)
  expectingBiasKitErrors {
    let state = try AuditState(contentsOf: path)
    _ = state.aucErrorBound
    let metrics = state.task == .regression ? everyRegressionMetric : everyClassificationMetric
    for metric in metrics {
      expectingBiasKitErrors {
        let frame = try state.frame(metrics: [metric])
        _ = AuditReport(frame: frame).json()
      }
    }
    expectingBiasKitErrors { _ = try AuditState.merged([state, state]) }
    expectingBiasKitErrors { _ = try state.limitingDistinctScores(4) }
    expectingBiasKitErrors { _ = try state.encoded() }
  }
}

/// The JSON inputs of the embeddings commands: WEAT word sets, Bolukbasi word lists, and the
/// syntax scanner that locates JSON errors (run on every input, valid or not).
private func fuzzWordSets(_ bytes: UnsafeRawBufferPointer) {
  expectingBiasKitErrors { _ = try WEATWordSets.decode(Data(bytes), path: "input.json") }
  expectingBiasKitErrors { _ = try GenderWordLists.decode(Array(bytes), path: "input.json") }
  _ = JSONSyntax.firstProblem(in: bytes.bindMemory(to: UInt8.self))
}

/// Every column of a columnar file (Parquet, Arrow) as each kind of request.
private func fuzzColumnar(names: [String], read: ([ColumnRequest]) throws -> Table) {
  let names = Array(Set(names)).sorted()
  guard !names.isEmpty else { return }
  expectingBiasKitErrors { _ = try read(names.map { .init($0, .number(allowMissing: true)) }) }
  expectingBiasKitErrors { _ = try read(names.map { .number($0) }) }
  expectingBiasKitErrors { _ = try read(names.map { .category($0) }) }
  expectingBiasKitErrors { _ = try read(names.map { .category($0, missingGroup: "NA") }) }
  expectingBiasKitErrors { _ = try read(names.map { .label($0) }) }
  expectingBiasKitErrors { _ = try read(names.map { .label($0, positive: "yes") }) }
}

/// ParquetReader: the footer, then every column as each kind (and every page of each chunk).
private func fuzzParquet(_ bytes: UnsafeRawBufferPointer) {
  let path = writeScratch("input.parquet", bytes)
  expectingBiasKitErrors {
    let reader = try ParquetReader(path: path)
    fuzzColumnar(names: reader.columnNames) { try reader.read($0) }
    if reader.rowCount > 0 { _ = reader.location(row: reader.rowCount - 1, column: "x") }
  }
}

/// ArrowReader: the footer and messages, then every column as each kind.
private func fuzzArrow(_ bytes: UnsafeRawBufferPointer) {
  let path = writeScratch("input.arrow", bytes)
  expectingBiasKitErrors {
    let reader = try ArrowReader(path: path)
    fuzzColumnar(names: reader.columnNames) { try reader.read($0) }
  }
}

/// JSONLines: every record's members, then each language-model reader and scorer on the records.
private func fuzzJSONLines(_ bytes: UnsafeRawBufferPointer) {
  let file = JSONLines(bytes: Array(bytes), name: "input.jsonl")
  expectingBiasKitErrors {
    _ = try file.map { record in
      record.root.members.map { ($0.key, $0.value.text(), $0.value.string, $0.value.number) }
    }
  }
  expectingBiasKitErrors {
    let responses = try BBQResponses(reading: file)
    for convention in BBQ.Convention.allCases {
      _ = try BBQ(convention: convention, bootstrap: BootstrapOptions(samples: 3)).scored(responses)
    }
  }
  expectingBiasKitErrors { _ = try CrowSPairs().scored(try CrowSPairs.Pair.read(file)) }
  expectingBiasKitErrors { _ = try Winogender().scored(try Winogender.Answer.read(file)) }
  expectingBiasKitErrors {
    let questions = try MultipleChoiceQuestions(reading: file, normalization: .renormalize)
    _ = try PriDe(estimation: .allPermuted).fitted(to: questions)
  }
  expectingBiasKitErrors {
    let records = try CounterfactualRecord.read(file)
    expectingBiasKitErrors { _ = try CounterfactualProbes(permutations: 20).scored(records) }
    expectingBiasKitErrors {
      _ = try LexiconRates(lexicons: [try Lexicon(name: "l", terms: ["a", "b c", "d*"])])
        .scored(records)
    }
  }
}

private let targets: [String: (UnsafeRawBufferPointer) -> Void] = [
  "csv": fuzzCSV, "audit": fuzzAudit, "npy": fuzzNumpy, "embedding": fuzzEmbedding,
  "state": fuzzState, "wordsets": fuzzWordSets, "parquet": fuzzParquet, "arrow": fuzzArrow,
  "jsonl": fuzzJSONLines,
]

private let selected: (UnsafeRawBufferPointer) -> Void = {
  let name = ProcessInfo.processInfo.environment["BIASKIT_FUZZ_TARGET"] ?? ""
  guard let target = targets[name] else {
    fatalError("set BIASKIT_FUZZ_TARGET to one of \(targets.keys.sorted().joined(separator: ", "))")
  }
  return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  selected(UnsafeRawBufferPointer(start: count == 0 ? nil : start, count: count))
  return 0
}
