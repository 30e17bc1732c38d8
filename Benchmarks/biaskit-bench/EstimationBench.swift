import BiasKit
import Foundation

/// Benchmark jobs for the Estimation capability (PPI, PPI++, DSL), and its coverage study.
///
///     PY=/work/venvs/estimate/bin/python
///     BENCH_DATA=/tmp/est/bench $PY scripts/bench/estimation/bench_ppi_py.py --export
///     BENCH_DATA=/tmp/est/bench biaskit-bench estimation-mean --runs 5
///     biaskit-bench estimation-coverage --draws 1000 --seed 1
enum EstimationBench {
  static let jobs: [BenchJob] = [
    BenchJob(
      name: "estimation-mean",
      summary: "PPI++ mean, 10,000 labelled + 1,000,000 unlabelled rows (--runs)", run: mean),
    BenchJob(
      name: "estimation-mean-groups",
      summary: "PPI++ mean per group (10 groups) and the 45 differences, same rows (--runs)",
      run: groups),
    BenchJob(
      name: "estimation-ols",
      summary: "PPI++ OLS, 20 covariates, 10,000 + 1,000,000 rows (--runs)", run: ols),
    BenchJob(
      name: "estimation-logistic",
      summary: "PPI++ logistic regression, 20 covariates, 10,000 + 1,000,000 rows (--runs)",
      run: logistic),
    BenchJob(
      name: "estimation-coverage",
      summary:
        "coverage of the 90% intervals over seeded simulated draws (--draws 1000, --seed 1, --labelled 1000, --unlabelled 10000); prints the table",
      run: coverage),
  ]

  static func load(_ name: String) throws -> (Matrix, Matrix) {
    let folder =
      ProcessInfo.processInfo.environment["BENCH_DATA"]
      ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("anchors-data")
    let base = (folder as NSString).appendingPathComponent("estimation/\(name)")
    return (
      try NumpyArray.readMatrix(path: base + "_labelled.npy"),
      try NumpyArray.readMatrix(path: base + "_unlabelled.npy")
    )
  }

  /// Columns `from...` of `m` as a matrix.
  static func columns(_ m: Matrix, from: Int) -> Matrix {
    let d = m.columns - from
    var values = [Double](repeating: 0, count: m.rows * d)
    for i in 0..<m.rows {
      for j in 0..<d { values[i * d + j] = m.values[i * m.columns + from + j] }
    }
    return Matrix(rows: m.rows, columns: d, values: values)
  }

  static func regressionSample(_ name: String) throws -> PredictionSample {
    let (l, u) = try load(name)
    return PredictionSample(
      labels: l.column(0), predictions: l.column(1), unlabelledPredictions: u.column(0),
      covariates: columns(l, from: 2), unlabelledCovariates: columns(u, from: 1))
  }

  static func report(_ task: String, _ rows: Int, _ seconds: [Double], _ estimate: Estimate) {
    emit(
      task: task, rows: rows, seconds: seconds,
      results: [
        "point": Array(estimate.values.prefix(3)),
        "lower": Array(estimate.intervals.prefix(3).map(\.lower)),
        "lambda": estimate.lambda ?? .nan,
      ])
  }

  static func mean(_ options: BenchOptions) throws {
    let (l, u) = try load("mean")
    let sample = PredictionSample(
      labels: l.column(0), predictions: l.column(1), unlabelledPredictions: u.column(0))
    var estimate: Estimate?
    let seconds = try measure(runs: options.int("runs", default: 5)) {
      estimate = try PowerTunedPredictionPoweredInference().estimate(.mean, from: sample)
    }
    report("estimation-mean", l.rows + u.rows, seconds, estimate!)
  }

  static func groups(_ options: BenchOptions) throws {
    let (l, u) = try load("mean")
    let sample = PredictionSample(
      labels: l.column(0), predictions: l.column(1), unlabelledPredictions: u.column(0))
    let partition = SamplePartition(
      labelled: l.column(2).map { Int32($0) }, unlabelled: u.column(1).map { Int32($0) },
      names: (0..<10).map(String.init))
    var result: GroupEstimates?
    let estimator = PowerTunedPredictionPoweredInference()
    let seconds = try measure(runs: options.int("runs", default: 5)) {
      result = try GroupEstimates(partition: partition, sample: sample, interval: .ninetyPercent) {
        try estimator.estimate(.mean, from: $0)
      }
    }
    let r = result!
    emit(
      task: "estimation-mean-groups", rows: l.rows + u.rows, seconds: seconds,
      results: [
        "points": r.groups.map { $0.estimate.values[0] },
        "lowers": r.groups.map { $0.estimate.intervals[0].lower },
        "differences": r.differences.count,
      ])
  }

  static func ols(_ options: BenchOptions) throws {
    let sample = try regressionSample("ols")
    var estimate: Estimate?
    let seconds = try measure(runs: options.int("runs", default: 5)) {
      estimate = try PowerTunedPredictionPoweredInference().estimate(
        .linearRegression, from: sample)
    }
    report("estimation-ols", sample.labelledCount + sample.unlabelledCount, seconds, estimate!)
  }

  static func logistic(_ options: BenchOptions) throws {
    let sample = try regressionSample("logistic")
    var estimate: Estimate?
    let seconds = try measure(runs: options.int("runs", default: 5)) {
      estimate = try PowerTunedPredictionPoweredInference().estimate(
        .logisticRegression, from: sample)
    }
    report("estimation-logistic", sample.labelledCount + sample.unlabelledCount, seconds, estimate!)
  }

  // MARK: Coverage

  /// The population of the coverage study: a covariate X ∈ {0, 1, 2} (probabilities 0.5, 0.3,
  /// 0.2); a gold label Y ~ Bernoulli(expit(−0.5 + 0.8X)); a text feature Z = Y + N(0, 1); and
  /// an LLM-style label Ŷ that flips Y with probability 0.05 + 0.10X (errors that depend on the
  /// covariate, so the naive estimates are biased). The estimands are E[Y] and the slope of the
  /// logistic regression of Y on (1, X), both known exactly.
  struct Population {
    static let a = -0.5
    static let b = 0.8
    static let levels: [Double] = [0.5, 0.3, 0.2]
    static var mean: Double {
      (0..<3).reduce(0) { $0 + levels[$1] / (1 + exp(-(a + b * Double($1)))) }
    }

    var x: [Double] = []
    var y: [Double] = []
    var z: [Double] = []
    var surrogate: [Double] = []

    init(rows: Int, using rng: inout SeededGenerator) {
      for _ in 0..<rows {
        let u = rng.nextUniform()
        let xi: Double = u < 0.5 ? 0 : (u < 0.8 ? 1 : 2)
        let yi: Double = rng.nextUniform() < 1 / (1 + exp(-(Self.a + Self.b * xi))) ? 1 : 0
        let flip = rng.nextUniform() < 0.05 + 0.10 * xi
        x.append(xi)
        y.append(yi)
        z.append(yi + Self.normal(&rng))
        surrogate.append(flip ? 1 - yi : yi)
      }
    }

    static func normal(_ rng: inout SeededGenerator) -> Double {
      var u = rng.nextUniform()
      while u == 0 { u = rng.nextUniform() }
      return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * rng.nextUniform())
    }

    func design(_ rows: [Int]) -> Matrix {
      Matrix(
        rows: rows.count, columns: 2, values: rows.flatMap { [1, x[$0]] },
        columnNames: ["intercept", "x"])
    }

    func features(_ rows: [Int]) -> Matrix {
      Matrix(rows: rows.count, columns: 2, values: rows.flatMap { [x[$0], z[$0]] })
    }

    func sample(
      labelled: [Int], unlabelled: [Int], probabilities: [Double]? = nil
    )
      -> PredictionSample
    {
      PredictionSample(
        labels: labelled.map { y[$0] }, predictions: labelled.map { surrogate[$0] },
        unlabelledPredictions: unlabelled.map { surrogate[$0] }, covariates: design(labelled),
        unlabelledCovariates: design(unlabelled), samplingProbabilities: probabilities)
    }
  }

  struct Tally {
    var covered = 0
    var draws = 0
    var width = 0.0
    var error = 0.0
    mutating func add(_ interval: ConfidenceInterval, _ value: Double, truth: Double) {
      draws += 1
      if interval.contains(truth) { covered += 1 }
      width += interval.width
      error += value - truth
    }
  }

  static func coverage(_ options: BenchOptions) throws {
    let draws = options.int("draws", default: 1000)
    let seed = UInt64(options.int("seed", default: 1))
    let labelledCount = options.int("labelled", default: 1000)
    let unlabelledCount = options.int("unlabelled", default: 10000)
    let truths = ["mean": Population.mean, "slope": Population.b]
    var tallies: [String: Tally] = [:]
    var order: [String] = []
    func record(_ key: String, _ estimate: Estimate, _ estimand: String) {
      let index = estimand == "slope" ? 1 : 0
      let k = key + "|" + estimand
      if tallies[k] == nil { order.append(k) }
      tallies[k, default: Tally()].add(
        estimate.intervals[index], estimate.values[index], truth: truths[estimand]!)
    }
    let generator = SeededGenerator(seed: seed)
    let started = Date()
    for draw in 0..<draws {
      var rng = generator.stream(UInt64(draw))
      let m = labelledCount + unlabelledCount
      let population = Population(rows: m, using: &rng)
      // Design A: a simple random gold sample (the first rows of an i.i.d. draw).
      let labelled = Array(0..<labelledCount)
      let unlabelled = Array(labelledCount..<m)
      let pi = Double(labelledCount) / Double(m)
      let a = population.sample(
        labelled: labelled, unlabelled: unlabelled,
        probabilities: [Double](repeating: pi, count: labelledCount))
      let strata = SamplePartition(
        labelled: labelled.map { Int32(population.x[$0]) },
        unlabelled: unlabelled.map { Int32(population.x[$0]) }, names: ["0", "1", "2"])
      let cross = CrossPredictionPoweredInference(folds: 5)
      let dslCross = DesignBasedSupervisedLearning(
        outcomeModel: .crossFitted(folds: 5, learner: nil, seed: UInt64(draw)))
      for (estimand, name) in [(Estimand.mean, "mean"), (.logisticRegression, "slope")] {
        record("A uniform|naive", try NaiveEstimator().estimate(estimand, from: a), name)
        record("A uniform|classical", try ClassicalEstimator().estimate(estimand, from: a), name)
        record("A uniform|PPI", try PredictionPoweredInference().estimate(estimand, from: a), name)
        record(
          "A uniform|PPI++", try PowerTunedPredictionPoweredInference().estimate(estimand, from: a),
          name)
        if estimand == .mean {
          record(
            "A uniform|stratified PPI",
            try StratifiedPredictionPoweredInference().estimate(.mean, from: a, strata: strata),
            name)
        }
        record(
          "A uniform|cross-PPI (LR, 5 folds)",
          try cross.estimate(
            estimand, labels: a.labels, features: population.features(labelled),
            unlabelledFeatures: population.features(unlabelled), covariates: a.covariates,
            unlabelledCovariates: a.unlabelledCovariates), name)
        record(
          "A uniform|DSL", try DesignBasedSupervisedLearning().estimate(estimand, from: a), name)
        record(
          "A uniform|DSL cross-fitted (LR, 5 folds)",
          try dslCross.estimate(
            estimand, from: a,
            features: Matrix(
              columnVectors: [
                a.predictions, population.features(labelled).column(0),
                population.features(labelled).column(1),
              ]),
            unlabelledFeatures: Matrix(
              columnVectors: [
                a.unlabelledPredictions, population.features(unlabelled).column(0),
                population.features(unlabelled).column(1),
              ])), name)
      }
      // Design B: gold labels drawn with known, unequal probabilities 0.04 + 0.08X.
      var goldRows: [Int] = []
      var otherRows: [Int] = []
      var probabilities: [Double] = []
      for i in 0..<m {
        let p = 0.04 + 0.08 * population.x[i]
        if rng.nextUniform() < p {
          goldRows.append(i)
          probabilities.append(p)
        } else {
          otherRows.append(i)
        }
      }
      let b = population.sample(
        labelled: goldRows, unlabelled: otherRows, probabilities: probabilities)
      for (estimand, name) in [(Estimand.mean, "mean"), (.logisticRegression, "slope")] {
        record("B unequal π|naive", try NaiveEstimator().estimate(estimand, from: b), name)
        record(
          "B unequal π|classical (ignores π)", try ClassicalEstimator().estimate(estimand, from: b),
          name)
        record(
          "B unequal π|PPI++ (ignores π)",
          try PowerTunedPredictionPoweredInference().estimate(estimand, from: b), name)
        record(
          "B unequal π|DSL", try DesignBasedSupervisedLearning().estimate(estimand, from: b), name)
      }
    }
    let seconds = Date().timeIntervalSince(started)
    print("| design | estimand | estimator | coverage of 90% CI | mean width | mean error |")
    print("|---|---|---|---:|---:|---:|")
    var results: [String: Any] = [:]
    for key in order {
      let t = tallies[key]!
      let parts = key.split(separator: "|").map(String.init)
      let cover = Double(t.covered) / Double(t.draws)
      print(
        "| \(parts[0]) | \(parts[2]) | \(parts[1]) | \(String(format: "%.1f%%", 100 * cover)) | "
          + "\(String(format: "%.4f", t.width / Double(t.draws))) | "
          + "\(String(format: "%+.4f", t.error / Double(t.draws))) |")
      results[key] = cover
    }
    emit(task: "estimation-coverage", rows: draws, seconds: [seconds], results: results)
  }
}
