import BiasKit
import Foundation

/// Benchmark jobs for the Ranking capability, on the lists of
/// `scripts/bench/ranking/gen_ranking_data.py` (Q queries × M items, 2 item groups):
///
///     python scripts/bench/ranking/gen_ranking_data.py --queries 100000 --items 100 --out $BENCH_DATA
///     BENCH_DATA=… biaskit-bench ranking-metrics --rows 10000000 --runs 3
///     BENCH_DATA=… biaskit-bench ranking-fair --rows 10000000 --runs 3
enum RankingBench {

  static let jobs: [BenchJob] = [
    BenchJob(
      name: "ranking-metrics",
      summary:
        "all exposure measures + NDCG/precision/recall@10 by group on Q×M ranked lists (--rows 10000000, --runs)",
      run: metrics),
    BenchJob(
      name: "ranking-fair",
      summary: "FA*IR (k = M, p 0.3, alpha 0.1) re-ranking of every list (--rows, --runs, --k)",
      run: fair),
  ]

  static func tag(_ rows: Int) -> String {
    rows % 1_000_000 == 0 ? "\(rows / 1_000_000)m" : "\(rows / 1000)k"
  }

  /// The generator's arrays as ranked lists (built once; the build is timed separately).
  static func load(rows: Int) throws -> (lists: RankedLists, seconds: Double, cpu: Double) {
    let folder =
      ProcessInfo.processInfo.environment["BENCH_DATA"]
      ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("anchors-data")
    let base = (folder as NSString).appendingPathComponent("ranking_\(tag(rows))")
    func read<T>(_ suffix: String, _: T.Type) throws -> [T] {
      let data = try Data(contentsOf: URL(fileURLWithPath: base + suffix))
      guard data.count == rows * MemoryLayout<T>.stride else {
        throw BiasKitError(.malformedInput, "\(base + suffix): not \(rows) values")
      }
      return data.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
    }
    let query = try read("_query.i32", Int32.self)
    let item = try read("_item.i32", Int32.self)
    let rank = try read("_rank.f64", Double.self)
    let group = try read("_group.u8", UInt8.self)
    let relevance = try read("_relevance.f64", Double.self)
    let queryCount = Int(query.last ?? 0) + 1
    let itemCount = Int(item.max() ?? 0) + 1
    var lists: RankedLists?
    let startCPU = ResamplingBench.cpuSeconds()
    let seconds = try measure(runs: 1) {
      let groups = try Groups(
        features: ["group"],
        columns: [
          CategoricalColumn(codes: group.map { Int32($0) }, levels: ["other", "protected"])
        ])
      lists = try RankedLists(
        queries: CategoricalColumn(codes: query, levels: (0..<queryCount).map { "q\($0)" }),
        items: CategoricalColumn(codes: item, levels: (0..<itemCount).map { "d\($0)" }),
        order: .ranks(rank), groups: groups, relevance: relevance)
    }
    return (lists!, seconds[0], ResamplingBench.cpuSeconds() - startCPU)
  }

  static func metrics(_ options: BenchOptions) throws {
    let rows = options.int("rows", default: 10_000_000)
    let runs = options.int("runs", default: 3)
    let (lists, buildSeconds, buildCPU) = try load(rows: rows)
    let protected = lists.groupNames.firstIndex(of: "protected")!
    var parts: [String: [Double]] = [:]
    var cpu: [String: [Double]] = [:]
    var results: [String: Any] = [:]
    func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
      let start = DispatchTime.now().uptimeNanoseconds
      let startCPU = ResamplingBench.cpuSeconds()
      let value = try body()
      parts[name, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
      cpu[name, default: []].append(ResamplingBench.cpuSeconds() - startCPU)
      return value
    }
    let seconds = try measure(runs: runs) {
      let exposure = try timed("exposure") { try GroupExposure().evaluated(lists) }
      let divergence = try timed("divergence") {
        try RankedGroupDivergence().evaluated(lists, protectedGroup: protected)
      }
      let shares = try timed("topk") {
        try TopKShares(cutoffs: [10, 20]).evaluated(lists, protectedGroup: protected)
      }
      let expected = try timed("expected_exposure") { try ExpectedExposure().evaluated(lists) }
      let quality = try timed("ndcg") { try RankingQuality(cutoffs: [10]).evaluated(lists) }
      results = [
        "exposure_ratio": exposure.mean.exposureRatio,
        "exposure_difference": exposure.mean.exposureDifference,
        "dtr": exposure.mean.disparateTreatmentRatio ?? .nan,
        "dir": exposure.mean.disparateImpactRatio ?? .nan,
        "rND": divergence.mean.rND, "rKL": divergence.mean.rKL, "rRD": divergence.mean.rRD,
        "share@10": shares.mean[0].shares[protected], "share@20": shares.mean[1].shares[protected],
        "pvalue@10": shares.mean[0].pValue, "pvalue@20": shares.mean[1].pValue,
        "passes@10": shares.mean[0].passes, "passes@20": shares.mean[1].passes,
        "ee_loss": expected.mean.loss, "ee_disparity": expected.mean.disparity,
        "ee_relevance": expected.mean.relevance,
        "ndcg@10": quality.mean[0].ndcg, "precision@10": quality.mean[0].precision,
        "recall@10": quality.mean[0].recall,
        "ndcg@10_group0": quality.mean[0].groupNDCG[0],
        "ndcg@10_group1": quality.mean[0].groupNDCG[1],
        "precision@10_group0": quality.mean[0].groupPrecision[0],
        "precision@10_group1": quality.mean[0].groupPrecision[1],
        "recall@10_group0": quality.mean[0].groupRecall[0],
        "recall@10_group1": quality.mean[0].groupRecall[1],
      ]
    }
    results["build_seconds"] = buildSeconds
    results["build_cpu_seconds"] = buildCPU
    results["part_seconds"] = parts
    results["part_cpu_seconds"] = cpu
    emit(
      task: "ranking-metrics", rows: rows, seconds: seconds,
      variant: "exposure+DT/DI, rND/rKL/rRD, top-k@10,20, expected exposure, NDCG/P/R@10 by group",
      results: results)
  }

  static func fair(_ options: BenchOptions) throws {
    let rows = options.int("rows", default: 10_000_000)
    let runs = options.int("runs", default: 3)
    let (lists, buildSeconds, _) = try load(rows: rows)
    let k = options.int("k", default: lists.shortestListLength)
    let protected = lists.groupNames.firstIndex(of: "protected")!
    var result: FAIRReranking?
    var tableSeconds: [Double] = []
    let seconds = try measure(runs: runs) {
      let start = DispatchTime.now().uptimeNanoseconds
      _ = try FAIR(length: k, proportion: 0.3, significance: 0.1).table()
      tableSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
      result = try FAIR(length: k, proportion: 0.3, significance: 0.1)
        .reranked(lists, protectedGroup: protected)
    }
    let r = result!
    emit(
      task: "ranking-fair", rows: rows, seconds: seconds,
      variant: "FA*IR(k=\(k), p=0.3, alpha=0.1) on \(lists.listCount) lists",
      results: [
        "alpha_adjusted": r.table.adjustedSignificance, "passing_before": r.passingBefore,
        "passing_after": r.passingAfter, "ndcg_before": r.meanNDCGBefore ?? .nan,
        "ndcg_after": r.meanNDCGAfter ?? .nan, "mtable_seconds_all": tableSeconds,
        "build_seconds": buildSeconds,
        "first_list_protected_top10": (0..<10).filter {
          lists.groups[Int(r.positions[$0])] == Int32(protected)
        }.count,
      ])
  }
}
