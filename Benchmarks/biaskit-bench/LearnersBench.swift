import BiasKit
import Foundation

/// Benchmark jobs for the learners (`scripts/bench/learners/bench_gbm.py` runs scikit-learn's
/// HistGradientBoostingClassifier and LightGBM on the same inputs).
///
///     biaskit-bench gbm-fit-adult --runs 5 [--max-iter 100] [--shared ../shared]
///     biaskit-bench gbm-fit-synthetic --rows 1000000 --columns 20 --runs 1
///
/// Data loading is not timed; prediction time on Adult test is reported beside the fit.
enum LearnersBench {
  static let jobs: [BenchJob] = [
    BenchJob(
      name: "gbm-fit-adult",
      summary:
        "GradientBoostingClassifier(max_iter=100, defaults).fit on Adult train + predict on test (--runs, --max-iter, --output FILE for test probabilities)",
      run: fitAdult),
    BenchJob(
      name: "gbm-fit-synthetic",
      summary:
        "GradientBoostingClassifier(max_iter=100).fit on synthetic rows (--rows 1000000, --columns 20, --runs)",
      run: fitSynthetic),
  ]

  static func fitAdult(_ options: BenchOptions) throws {
    let (train, test) = try MitigationBench.load(options)
    var learner = GradientBoostingClassifier()
    learner.maxIterations = options.int("max-iter", default: 100)
    var model: GradientBoostingClassifier.Model?
    let (wall, cpu) = try MitigationBench.timed(options.int("runs", default: 5)) {
      model = try learner.fitted(features: train.x, labels: train.y)
    }
    let m = model!
    var probabilities: [Double] = []
    let predictCPU0 = MitigationBench.cpuSeconds()
    let predictSeconds = measure(runs: 20) { probabilities = m.probabilities(test.x) }
    let predictCPU = (MitigationBench.cpuSeconds() - predictCPU0) / 20
    let predictions = probabilities.map { $0 > 1 - $0 ? 1 : 0 }
    let correct = zip(predictions, test.y).filter { UInt8($0) == $1 }.count
    var loss = 0.0
    for (p, y) in zip(probabilities, test.y) {
      loss -= y == 1 ? log(max(p, 1e-300)) : log(max(1 - p, 1e-300))
    }
    if options.values["output"] != nil {
      let text = probabilities.map { String($0) }.joined(separator: "\n") + "\n"
      try text.write(
        toFile: options.string("output", default: ""), atomically: true, encoding: .utf8)
    }
    emit(
      task: "gbm-fit-adult", rows: train.x.rows, seconds: wall,
      variant:
        "HistGradientBoostingClassifier(max_iter=\(learner.maxIterations),early_stopping=False)",
      results: [
        "n_iter": m.iterations, "leaves": m.trees.map(\.leafCount).reduce(0, +),
        "test_accuracy": Double(correct) / Double(test.y.count),
        "test_log_loss": loss / Double(test.y.count),
        "predict_seconds_median": predictSeconds.sorted()[predictSeconds.count / 2],
        "predict_cpu_seconds_mean": predictCPU,
        "cpu_seconds_all": cpu,
      ])
  }

  /// Synthetic rows: x ~ U(0, 1)^p, y = 1[Σ_j sin(3 x_j + j) + noise > 0], from a seed.
  static func synthetic(rows: Int, columns: Int, seed: UInt64) -> (Matrix, [UInt8]) {
    var generator = SeededGenerator(seed: seed)
    var values = [Double](repeating: 0, count: rows * columns)
    var labels = [UInt8](repeating: 0, count: rows)
    for i in 0..<rows {
      var score = 0.0
      for j in 0..<columns {
        let x = generator.nextUniform()
        values[i * columns + j] = x
        score += sin(3 * x + Double(j))
      }
      score += generator.nextUniform() - 0.5
      labels[i] = score > 0 ? 1 : 0
    }
    return (Matrix(rows: rows, columns: columns, values: values), labels)
  }

  static func fitSynthetic(_ options: BenchOptions) throws {
    let rows = options.int("rows", default: 1_000_000)
    let columns = options.int("columns", default: 20)
    let (x, y) = synthetic(rows: rows, columns: columns, seed: 7)
    var learner = GradientBoostingClassifier()
    learner.maxIterations = options.int("max-iter", default: 100)
    var model: GradientBoostingClassifier.Model?
    let (wall, cpu) = try MitigationBench.timed(options.int("runs", default: 1)) {
      model = try learner.fitted(features: x, labels: y)
    }
    let m = model!
    let predictions = m.predictions(x)
    let correct = zip(predictions, y).filter { $0 == $1 }.count
    emit(
      task: "gbm-fit-synthetic", rows: rows, seconds: wall,
      variant:
        "HistGradientBoostingClassifier(max_iter=\(learner.maxIterations)) \(rows)x\(columns)",
      results: [
        "n_iter": m.iterations, "train_accuracy": Double(correct) / Double(rows),
        "cpu_seconds_all": cpu,
      ])
  }
}
