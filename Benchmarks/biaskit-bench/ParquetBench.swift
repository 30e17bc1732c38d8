import BiasKit
import Foundation

/// Parquet and Arrow reading (issue #15): the 10M-row anchors audit table written by pyarrow
/// (scripts/bench/parquet/make_data.py), five columns typed as the audit asks for them.
enum ParquetBench {
  static let requests: [ColumnRequest] = [
    .label("y_true"), .label("y_pred"), .number("y_score"), .category("sens_a"),
    .category("sens_b"),
  ]

  static let jobs: [BenchJob] = [
    BenchJob(
      name: "parquet-read",
      summary: "ParquetReader: y_true, y_pred (labels), y_score, sens_a, sens_b of --path"
    ) { options in
      let path = options.string(
        "path",
        default: ProcessInfo.processInfo.environment["BENCH_DATA", default: "/tmp/anchors-data"]
          + "/audit_10m.parquet")
      var rows = 0
      let seconds = try measure(runs: options.int("runs", default: 5)) {
        let table = try ParquetReader(path: path).read(requests)
        rows = table.rowCount
      }
      emit(task: "parquet-read", rows: rows, seconds: seconds, variant: "5-columns")
    },
    BenchJob(
      name: "arrow-read",
      summary: "ArrowReader: the same five columns of --path (a Feather v2 file)"
    ) { options in
      let path = options.string("path", default: "/tmp/anchors-data/audit_10m.feather")
      var rows = 0
      let seconds = try measure(runs: options.int("runs", default: 5)) {
        rows = try ArrowReader(path: path).read(requests).rowCount
      }
      emit(task: "arrow-read", rows: rows, seconds: seconds, variant: "5-columns")
    },
  ]
}
