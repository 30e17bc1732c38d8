import BiasKit
import Foundation

/// Benchmark jobs for the Resampling capability.
///
///     python ../shared/anchors/bench_smote.py --rows 1000000 --export   # writes $BENCH_DATA files
///     BENCH_DATA=/work/anchors-data biaskit-bench smote --rows 1000000 --runs 3
enum ResamplingBench {
  static let jobs: [BenchJob] = [
    BenchJob(
      name: "smote",
      summary:
        "SMOTE(k=5).fit_resample on the anchors' rows x 20 float64, 1:20 (--rows 100000|1000000, --runs, --method automatic|exact)",
      run: smote),
    BenchJob(
      name: "knn",
      summary:
        "exact k-NN (k=6) of the smote job's minority rows among themselves (--rows, --runs, --method)",
      run: knn),
  ]

  static func tag(_ rows: Int) -> String {
    switch rows {
    case 100_000: return "100k"
    case 1_000_000: return "1m"
    default: return String(rows)
    }
  }

  /// Reads `smote_<tag>_X.f64` (row-major little-endian float64, rows x 20) and `_y.u8`.
  static func load(rows: Int) throws -> (Matrix, [Int]) {
    let folder =
      ProcessInfo.processInfo.environment["BENCH_DATA"]
      ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("anchors-data")
    let base = (folder as NSString).appendingPathComponent("smote_\(tag(rows))")
    let xData = try Data(contentsOf: URL(fileURLWithPath: base + "_X.f64"))
    let yData = try Data(contentsOf: URL(fileURLWithPath: base + "_y.u8"))
    let columns = 20
    guard xData.count == rows * columns * 8, yData.count == rows else {
      throw BiasKitError(.malformedInput, "\(base): sizes do not match \(rows) rows x 20")
    }
    var values = [Double](repeating: 0, count: rows * columns)
    values.withUnsafeMutableBytes { dst in
      xData.withUnsafeBytes { src in dst.copyMemory(from: src) }
    }
    let labels = yData.map { Int($0) }
    return (Matrix(rows: rows, columns: columns, values: values), labels)
  }

  static func method(_ options: BenchOptions) -> NearestNeighbors.Method {
    switch options.string("method", default: "automatic") {
    case "exact": return .exactScan
    case "screened": return .screened
    default: return .automatic
    }
  }

  static func smote(_ options: BenchOptions) throws {
    let rows = options.int("rows", default: 100_000)
    let runs = options.int("runs", default: 3)
    let (x, y) = try load(rows: rows)
    let sampler = SMOTE(strategy: .auto, neighborCount: 5)
    var result: Resampled?
    var cpu: [Double] = []
    let seconds = try measure(runs: runs) {
      let start = cpuSeconds()
      result = try sampler.fitResample(features: x, labels: y, seed: 0)
      cpu.append(cpuSeconds() - start)
    }
    let r = result!
    let stats = r.stats(from: y)
    let synthetic = r.synthetic.values
    let inputStats = ClassCounts(labels: y)
    var minoritySum = 0.0
    var minorityCount = 0
    for i in 0..<rows where y[i] == 1 {
      for j in 0..<20 { minoritySum += x.values[i * 20 + j] }
      minorityCount += 20
    }
    emit(
      task: "smote", rows: rows, seconds: seconds,
      variant: "SMOTE(k=5).fitResample 20 features 1:20",
      results: [
        "input_class_counts": inputStats.counts,
        "output_rows": r.count,
        "output_class_counts": stats.counts,
        "synthetic_rows": r.synthetic.rows,
        "synthetic_mean_of_feature_means": synthetic.reduce(0, +) / Double(max(1, synthetic.count)),
        "minority_mean_of_feature_means": minoritySum / Double(max(1, minorityCount)),
        "original_rows_unchanged": r.isAppendOnly,
        "cpu_seconds_all": cpu,
      ])
  }

  /// User + system CPU seconds of this process so far (load-independent, unlike wall time).
  static func cpuSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
      getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
      getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
  }

  static func knn(_ options: BenchOptions) throws {
    let rows = options.int("rows", default: 100_000)
    let runs = options.int("runs", default: 3)
    let (x, y) = try load(rows: rows)
    let minority = x.rows(at: (0..<rows).filter { y[$0] == 1 })
    let nn = NearestNeighbors(reference: minority, method: method(options))
    var list: NeighborList?
    var cpu: [Double] = []
    let seconds = measure(runs: runs) {
      let start = cpuSeconds()
      list = nn.neighbors(of: minority, count: 6)
      cpu.append(cpuSeconds() - start)
    }
    emit(
      task: "knn", rows: minority.rows, seconds: seconds,
      variant: "exact k=6 self-join, 20 features",
      results: ["checksum": list!.indices.reduce(0, &+), "cpu_seconds_all": cpu])
  }
}
