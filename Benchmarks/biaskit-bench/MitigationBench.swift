import BiasKit
import Foundation

/// Benchmark jobs for the Mitigation capability, named after the anchors' tasks
/// (`../shared/anchors/bench_expgrad_adult.py`, `bench_threshold_adult.py`,
/// `bench_preprocess_adult.py`, the `lr-fit` line of `bench_audit_adult.py`).
///
///     biaskit-bench expgrad-adult --constraint dp --runs 3 [--shared ../shared]
///
/// Inputs: `fixtures/adult_{train,test}_design.csv` of the shared folder (the anchors' exact
/// preprocessing). Data loading is not timed; `cpu_seconds_all` is the process CPU time of each
/// timed call (less sensitive to a busy machine than wall time).
enum MitigationBench {
  static let jobs: [BenchJob] = [
    BenchJob(
      name: "lr-fit-adult",
      summary: "LogisticRegression(C=1, lbfgs, max_iter=1000).fit on Adult train (--runs)",
      run: lrFit),
    BenchJob(
      name: "expgrad-adult",
      summary:
        "ExponentiatedGradient(LR, DemographicParity|EqualizedOdds).fit on Adult (--constraint dp|eo, --runs)",
      run: expgrad),
    BenchJob(
      name: "threshold-adult",
      summary:
        "ThresholdOptimizer(prefit LR, accuracy, grid 1000).fit + predict on Adult (--constraint equalized_odds|demographic_parity|…, --tol X, --runs)",
      run: threshold),
    BenchJob(
      name: "reweighing", summary: "Reweighing(sex).fit + weights on Adult train (--runs)",
      run: reweighing),
    BenchJob(
      name: "correlation-remover",
      summary:
        "CorrelationRemover(sex_Male, alpha=1).fit + transform on Adult train (107 columns) (--runs)",
      run: correlationRemover),
  ]

  struct Adult {
    var x: Matrix
    var y: [UInt8]
    var groups: Groups
  }

  static func load(_ options: BenchOptions) throws -> (train: Adult, test: Adult) {
    let shared = options.string(
      "shared", default: ProcessInfo.processInfo.environment["BIASKIT_SHARED"] ?? "../shared")
    func read(_ name: String, names: [String]?) throws -> (Adult, [String]) {
      let reader = try CSVReader(path: "\(shared)/fixtures/\(name)")
      let features = names ?? reader.header.filter { !["y", "sex_raw", "race_raw"].contains($0) }
      let x = try reader.readMatrix(columns: features)
      let table = try reader.read([.label("y"), .category("sex_raw")])
      let sex = table.columns[1].categories!
      return (
        Adult(
          x: x, y: table.columns[0].labels!.values,
          groups: try Groups(features: ["sex_raw"], columns: [sex])),
        features
      )
    }
    let (train, names) = try read("adult_train_design.csv", names: nil)
    var (test, _) = try read("adult_test_design.csv", names: names)
    test.groups = try train.groups.encoding(test.groups.codes.map { test.groups.names[Int($0)] })
    return (train, test)
  }

  static func cpuSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
      getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
      getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
      + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
  }

  /// Times `body`, recording CPU seconds too.
  static func timed(_ runs: Int, _ body: () throws -> Void) rethrows -> ([Double], [Double]) {
    var cpu: [Double] = []
    let wall = try measure(runs: runs) {
      let start = cpuSeconds()
      try body()
      cpu.append(cpuSeconds() - start)
    }
    return (wall, cpu)
  }

  static func lrFit(_ options: BenchOptions) throws {
    let (train, test) = try load(options)
    var model: LogisticRegression.Model?
    let y = train.y.map(Double.init)
    let (wall, cpu) = try timed(options.int("runs", default: 5)) {
      model = try LogisticRegression().fitted(features: train.x, labels: y)
    }
    let m = model!
    let predictions = m.predictions(test.x)
    let correct = zip(predictions, test.y).filter { $0 == $1 }.count
    emit(
      task: "lr-fit", rows: train.x.rows, seconds: wall,
      variant: "LogisticRegression(C=1,lbfgs,max_iter=1000)",
      results: [
        "n_iter": m.iterations, "intercept": m.intercept,
        "coef_l2_norm": m.coefficients.map { $0 * $0 }.reduce(0, +).squareRoot(),
        "test_accuracy": Double(correct) / Double(test.y.count),
        "test_positive_predictions": predictions.reduce(0) { $0 + Int($1) },
        "cpu_seconds_all": cpu,
      ])
  }

  static func expgrad(_ options: BenchOptions) throws {
    let (train, test) = try load(options)
    let kind = options.string("constraint", default: "dp")
    let parity: UtilityParity = kind == "eo" ? .equalizedOdds() : .demographicParity()
    var model: ExponentiatedGradient<LogisticRegression>.Model?
    let (wall, cpu) = try timed(options.int("runs", default: 1)) {
      model = try ExponentiatedGradient(constraint: parity).fitted(
        features: train.x, labels: train.y, groups: train.groups)
    }
    let m = model!
    let p = m.classifier.positiveProbabilities(test.x)
    let o = try ExpectedOutcome(probabilities: p, labels: test.y, groups: test.groups)
    let ptr = m.classifier.positiveProbabilities(train.x)
    let otr = try ExpectedOutcome(probabilities: ptr, labels: train.y, groups: train.groups)
    emit(
      task: "expgrad-adult", rows: train.x.rows, seconds: wall,
      variant:
        "ExponentiatedGradient(LR,\(kind == "eo" ? "EqualizedOdds" : "DemographicParity")):sex",
      results: [
        "n_predictors": m.classifier.predictors.count,
        "weights_nonzero": m.classifier.weights.filter { $0 > 0 }.count,
        "best_gap": m.bestGap, "last_iter": m.lastIteration, "n_oracle_calls": m.oracleCalls,
        "test_expected_accuracy": o.accuracy,
        "test_expected_violation": kind == "eo"
          ? o.equalizedOddsDifference : o.demographicParityDifference,
        "train_expected_violation": kind == "eo"
          ? otr.equalizedOddsDifference : otr.demographicParityDifference,
        "test_expected_selection_rate": o.selectionRate, "cpu_seconds_all": cpu,
      ])
  }

  static func threshold(_ options: BenchOptions) throws {
    let (train, test) = try load(options)
    let constraint =
      ThresholdOptimizer.Constraint(
        rawValue: options.string("constraint", default: "equalized_odds")) ?? .equalizedOdds
    let tolerance = Double(options.string("tol", default: ""))  // fairlearn tol; absent = strict
    let lr = try LogisticRegression().fitted(features: train.x, labels: train.y.map(Double.init))
    let trainScores = lr.probabilities(train.x)
    let testScores = lr.probabilities(test.x)
    var model: ThresholdOptimizer.Model?
    var p: [Double] = []
    let (wall, cpu) = try timed(options.int("runs", default: 5)) {
      let m = try ThresholdOptimizer(constraint: constraint, tolerance: tolerance).fitted(
        scores: trainScores, labels: train.y, groups: train.groups)
      var generator = SeededGenerator(seed: 0)
      _ = try m.predictions(scores: testScores, groups: test.groups, using: &generator)
      model = m
    }
    p = try model!.positiveProbabilities(scores: testScores, groups: test.groups)
    let o = try ExpectedOutcome(probabilities: p, labels: test.y, groups: test.groups)
    emit(
      task: "threshold-adult", rows: train.x.rows, seconds: wall,
      variant:
        "ThresholdOptimizer(\(constraint.rawValue)\(tolerance.map { ", tol=\($0)" } ?? "")):sex fit+predict",
      results: [
        "test_expected_accuracy": o.accuracy,
        "test_expected_violation_" + (constraint == .equalizedOdds ? "eo" : "dp"):
          constraint == .equalizedOdds ? o.equalizedOddsDifference : o.demographicParityDifference,
        "test_expected_selection_rate": o.selectionRate, "cpu_seconds_all": cpu,
        "group_rates": model!.groupRates,
      ])
  }

  static func reweighing(_ options: BenchOptions) throws {
    let (train, _) = try load(options)
    var weights: [Double] = []
    var model: Reweighing.Model?
    let (wall, cpu) = try timed(options.int("runs", default: 5)) {
      let m = try Reweighing().fitted(labels: train.y, groups: train.groups)
      weights = try m.weights(labels: train.y, groups: train.groups)
      model = m
    }
    var table: [String: Double] = [:]
    for a in 0..<2 { for y in 0..<2 { table["sex=\(a),y=\(y)"] = model!.factors[a][y] } }
    emit(
      task: "preprocess-adult", rows: train.x.rows, seconds: wall,
      variant: "Reweighing(sex).fit_transform",
      results: ["weights": table, "sum_weights": weights.reduce(0, +), "cpu_seconds_all": cpu])
  }

  static func correlationRemover(_ options: BenchOptions) throws {
    let (train, _) = try load(options)
    let names = train.x.columnNames
    let keep = names.indices.filter { names[$0] != "sex_Female" }
    var values: [Double] = []
    values.reserveCapacity(train.x.rows * keep.count)
    for i in 0..<train.x.rows {
      for j in keep { values.append(train.x.values[i * train.x.columns + j]) }
    }
    let x = Matrix(
      rows: train.x.rows, columns: keep.count, values: values, columnNames: keep.map { names[$0] })
    let sexMale = x.columnNames.firstIndex(of: "sex_Male")!
    var out: Matrix?
    let (wall, cpu) = try timed(options.int("runs", default: 5)) {
      let m = try CorrelationRemover(alpha: 1).fitted(x, sensitiveColumns: [sexMale])
      out = try m.transform(x)
    }
    let norm = out!.values.map { $0 * $0 }.reduce(0, +).squareRoot()
    emit(
      task: "preprocess-adult", rows: x.rows, seconds: wall,
      variant: "CorrelationRemover(alpha=1,sex_Male).fit_transform",
      results: [
        "output_shape": [out!.rows, out!.columns], "train_output_fro_norm": norm,
        "train_output_sum": out!.values.reduce(0, +), "cpu_seconds_all": cpu,
      ])
  }
}
