import BiasKit
import Foundation

/// Benchmark jobs for the audit, named after the jobs of `../shared/anchors`.
///
///     biaskit-bench audit-scale --rows 1000000 --runs 5      # $BENCH_DATA/audit_1m.csv
///     biaskit-bench bootstrap --rows 1000000 --n-boot 1000
///     biaskit-bench audit-adult --runs 20
///     biaskit-bench audit-multiclass --rows 1000000 --runs 3   # $BENCH_DATA/multiclass_1m.csv
enum AuditBench {
  static let jobs: [BenchJob] = [
    BenchJob(
      name: "audit-scale",
      summary: "read + MetricFrame, sens_a x sens_b, 8 confusion metrics + roc_auc"
    ) { options in
      let rows = options.int("rows", default: 1_000_000)
      let path = dataPath(rows: rows, options: options)
      var frame: MetricFrame? = nil
      let seconds = try measure(runs: options.int("runs", default: 5)) {
        frame = nil  // do not hold the previous run's result while measuring memory
        let table = try AuditTable(path: path, columns: scaleColumns(score: true))
        frame = try MetricFrame(
          metrics: scaleMetrics + [.rocAUC], data: table.data, sensitive: table.sensitive)
      }
      emit(
        task: "audit-scale", rows: rows, seconds: seconds, variant: "read+metricframe:a_x_b",
        results: overallResults(frame!))
    },
    BenchJob(name: "bootstrap", summary: "MetricFrame with bootstrap intervals, 4 metrics") {
      options in
      let rows = options.int("rows", default: 1_000_000)
      let samples = options.int("n-boot", default: 1000)
      let path = dataPath(rows: rows, options: options)
      let table = try AuditTable(path: path, columns: scaleColumns(score: false))
      var intervals: Bootstrap.Intervals? = nil
      var frame: MetricFrame? = nil
      let seconds = try measure(runs: options.int("runs", default: 3)) {
        frame = try MetricFrame(
          metrics: [.accuracy, .selectionRate, .truePositiveRate, .falsePositiveRate],
          data: table.data,
          sensitive: table.sensitive)
        intervals = try Bootstrap(samples: samples, quantiles: [0.025, 0.5, 0.975], seed: 12345)
          .intervals(for: frame!, data: table.data, sensitive: table.sensitive)
      }
      var results = overallResults(frame!)
      let metrics = frame!.metrics
      results["overall_ci_0.025"] = metrics.map { intervals!.values[0].overall($0) ?? .nan }
      results["overall_ci_0.975"] = metrics.map { intervals!.values[2].overall($0) ?? .nan }
      emit(
        task: "bootstrap", rows: rows, seconds: seconds, variant: "n_boot=\(samples):a_x_b",
        results: results)
    },
    BenchJob(
      name: "audit-adult",
      summary: "the Adult example, sex / race / sex x race, 8 metrics + fairness"
    ) { options in
      let path = options.string("input", default: "Examples/adult-predictions.csv")
      for sensitive in [["sex"], ["race"], ["sex", "race"]] {
        var frame: MetricFrame? = nil
        let seconds = try measure(runs: options.int("runs", default: 20)) {
          let table = try AuditTable(
            path: path,
            columns: AuditColumns(yTrue: "y_true", yPred: "y_pred", sensitive: sensitive))
          frame = try MetricFrame(
            metrics: scaleMetrics, data: table.data, sensitive: table.sensitive)
        }
        emit(
          task: "audit-adult", rows: frame!.rowCount, seconds: seconds,
          variant: "read+metricframe+fairness:\(sensitive.joined(separator: "_x_"))",
          results: overallResults(frame!))
      }
    },
    BenchJob(
      name: "audit-multiclass",
      summary: "read + multiclass MetricFrame, 5 classes, probabilities, sens_a x sens_b"
    ) { options in
      // $BENCH_DATA/multiclass_1m.csv, made by scripts/bench/audit/bench_multiclass.py.
      let rows = options.int("rows", default: 1_000_000)
      let path =
        options.values["input"]
        ?? (dataPath(rows: rows, options: options) as NSString).deletingLastPathComponent
        + "/multiclass_\(rows >= 1_000_000 ? "\(rows / 1_000_000)m" : "\(rows / 1000)k").csv"
      var frame: MetricFrame? = nil
      let columns = AuditColumns(
        task: .multiclass, yTrue: "y_true", yPred: "y_pred", sensitive: ["sens_a", "sens_b"],
        classScores: .prefix("p_"))
      let seconds = try measure(runs: options.int("runs", default: 3)) {
        frame = nil
        let table = try AuditTable(path: path, columns: columns)
        let metrics =
          Metric.multiclassMetrics + [
            .rocAUCOneVsRest, .rocAUCOneVsRestWeighted, .logLoss, .brierScore, .topKAccuracy,
          ]
        frame = try MetricFrame(metrics: metrics, data: table.data, sensitive: table.sensitive)
        _ = ClassAudit(frame: frame!).fairness(.demographicParityDifference)
      }
      var overall: [String: Double] = [:]
      for metric in frame!.metrics { overall[metric.rawValue] = frame!.overall(metric) ?? .nan }
      emit(
        task: "audit-multiclass", rows: frame!.rowCount, seconds: seconds,
        variant: "read+metricframe:a_x_b:5_classes", results: ["overall": overall])
    },
  ]

  static let scaleMetrics: [Metric] = [
    .accuracy, .selectionRate, .truePositiveRate, .falsePositiveRate, .precision, .recall,
    .balancedAccuracy, .count,
  ]

  static func scaleColumns(score: Bool) -> AuditColumns {
    AuditColumns(
      yTrue: "y_true", yPred: "y_pred", yScore: score ? "y_score" : nil,
      sensitive: ["sens_a", "sens_b"])
  }

  static func dataPath(rows: Int, options: BenchOptions) -> String {
    if let input = options.values["input"] { return input }
    let folder =
      ProcessInfo.processInfo.environment["BENCH_DATA"]
      ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("anchors-data")
    let name = rows >= 1_000_000 ? "\(rows / 1_000_000)m" : "\(rows / 1000)k"
    return (folder as NSString).appendingPathComponent("audit_\(name).csv")
  }

  static func overallResults(_ frame: MetricFrame) -> [String: Any] {
    var overall: [String: Double] = [:]
    for metric in frame.metrics { overall[metric.rawValue] = frame.overall(metric) ?? .nan }
    return [
      "overall": overall,
      "demographic_parity_difference": frame.fairness(.demographicParityDifference) ?? .nan,
    ]
  }
}
