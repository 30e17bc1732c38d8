import Foundation
import Testing

@testable import BiasKit

/// Cross-prediction PPI (ppi_py's `crossppi_*`), stratified PPI (ppi_py's `ppi_mean_ci` per
/// stratum, combined in NumPy), DSL (a NumPy implementation of Egami et al.), the power analysis
/// (ppi_py's `ppi_*_power`), the label-free corrections (NumPy/SciPy) and the normal quantiles
/// (SciPy), all from `estimation.json`.
@Suite("Estimation: cross-prediction, stratified, DSL, power, corrections")
struct EstimatorFixtureTests {
  static var cross: [String: Any] { EstimationFixture.root["cross"] as? [String: Any] ?? [:] }

  static func crossData() throws -> (
    labels: [Double], predictions: [Double], unlabelled: Matrix, features: Matrix,
    unlabelledFeatures: Matrix
  ) {
    let k = cross["folds"] as! Int
    let l = try EstimationFixture.matrix(cross["labelled"] as! String)
    let u = try EstimationFixture.matrix(cross["unlabelled"] as! String)
    let features = Matrix(columnVectors: (2..<l.columns).map { l.column($0) })
    let unlabelledFeatures = Matrix(columnVectors: (k..<u.columns).map { u.column($0) })
    let predictions = Matrix(columnVectors: (0..<k).map { u.column($0) })
    return (l.column(0), l.column(1), predictions, features, unlabelledFeatures)
  }

  static func withIntercept(_ x: Matrix) -> Matrix {
    Matrix(
      columnVectors: [[Double](repeating: 1, count: x.rows)] + (0..<x.columns).map { x.column($0) })
  }

  @Test(
    "cross-prediction PPI on ppi_py's crossppi_* with the same cross-fitted predictions",
    arguments: ["cross-mean", "cross-ols", "cross-logistic", "cross-quantile"])
  func crossPrediction(_ name: String) throws {
    let spec = try #require(
      (Self.cross["cases"] as? [[String: Any]])?.first { $0["name"] as? String == name })
    let data = try Self.crossData()
    let estimand = try EstimationFixture.estimand(spec["estimand"])
    var labels = data.labels
    if case .quantile = estimand {
      labels = zip(data.predictions, data.labels).map { 2 * $0 + $1 }
    }
    let estimate = try CrossPredictionPoweredInference(folds: data.unlabelled.columns).estimate(
      estimand, labels: labels, predictions: data.predictions,
      unlabelledPredictions: data.unlabelled,
      covariates: Self.withIntercept(data.features),
      unlabelledCovariates: Self.withIntercept(data.unlabelledFeatures))
    let tolerance = spec["tolerance"] as! Double
    expectClose(
      estimate.values, EstimationFixture.doubles(spec["point"]), tolerance, "\(name) point")
    expectClose(
      estimate.intervals.map(\.lower), EstimationFixture.doubles(spec["lower"]), tolerance,
      "\(name) lower")
    expectClose(
      estimate.intervals.map(\.upper), EstimationFixture.doubles(spec["upper"]), tolerance,
      "\(name) upper")
    #expect(estimate.method == .crossPrediction)
  }

  @Test(
    "the built-in logistic regression cross-fits the same predictions as scikit-learn's KFold + LogisticRegression"
  )
  func crossFittedPredictions() throws {
    let data = try Self.crossData()
    let k = data.unlabelled.columns
    let made = try CrossPredictionPoweredInference(folds: k).crossFittedPredictions(
      labels: data.labels, features: data.features, unlabelledFeatures: data.unlabelledFeatures)
    expectClose(made.labelled, data.predictions, 1e-6, "labelled")
    expectClose(made.unlabelled.values, data.unlabelled.values, 1e-6, "unlabelled")
    // And the estimate from them matches ppi_py's to the learner's tolerance.
    let spec = try #require(
      (Self.cross["cases"] as? [[String: Any]])?.first { $0["name"] as? String == "cross-mean" })
    let estimate = try CrossPredictionPoweredInference(folds: k).estimate(
      .mean, labels: data.labels, features: data.features,
      unlabelledFeatures: data.unlabelledFeatures)
    expectClose(estimate.values, EstimationFixture.doubles(spec["point"]), 1e-6, "cross mean")
  }

  @Test("stratified PPI: PPI++ per stratum (ppi_py ppi_mean_ci) combined by the unlabelled shares")
  func stratified() throws {
    let spec = try #require(EstimationFixture.root["stratified"] as? [String: Any])
    let sample = try EstimationFixture.sample(spec["dataset"] as! String, weighted: false)
    let strata = SamplePartition(
      labelled: (spec["labelled_strata"] as! [Int]).map(Int32.init),
      unlabelled: (spec["unlabelled_strata"] as! [Int]).map(Int32.init), names: ["a", "b", "c"])
    let estimate = try StratifiedPredictionPoweredInference().estimate(
      .mean, from: sample, strata: strata)
    #expect(isClose(estimate.values[0], spec["point"] as! Double, 1e-10))
    #expect(isClose(estimate.intervals[0].lower, spec["lower"] as! Double, 1e-10))
    #expect(isClose(estimate.intervals[0].upper, spec["upper"] as! Double, 1e-10))
    expectClose(
      estimate.strata.map(\.share), EstimationFixture.doubles(spec["shares"]), 1e-15, "shares")
  }

  static func dslSample() throws -> PredictionSample {
    let dsl = try #require(EstimationFixture.root["dsl"] as? [String: Any])
    let l = try EstimationFixture.matrix(dsl["labelled"] as! String)
    let u = try EstimationFixture.matrix(dsl["unlabelled"] as! String)
    return PredictionSample(
      labels: l.column(0), predictions: l.column(1), unlabelledPredictions: u.column(0),
      covariates: Matrix(columnVectors: (3..<l.columns).map { l.column($0) }),
      unlabelledCovariates: Matrix(columnVectors: (1..<u.columns).map { u.column($0) }),
      samplingProbabilities: l.column(2))
  }

  @Test(
    "DSL with the surrogate as outcome model equals the NumPy implementation of Egami et al.",
    arguments: ["mean", "ols", "logistic"])
  func designBased(_ estimandName: String) throws {
    let dsl = try #require(EstimationFixture.root["dsl"] as? [String: Any])
    let spec = try #require(
      (dsl["cases"] as? [[String: Any]])?.first { $0["estimand"] as? String == estimandName })
    let estimand = try EstimationFixture.estimand(estimandName)
    let estimate = try DesignBasedSupervisedLearning().estimate(estimand, from: Self.dslSample())
    let tolerance = spec["tolerance"] as! Double
    expectClose(estimate.values, EstimationFixture.doubles(spec["point"]), tolerance, "point")
    expectClose(
      estimate.standardErrors, EstimationFixture.doubles(spec["standard_error"]), tolerance, "se")
    expectClose(
      estimate.intervals.map(\.lower), EstimationFixture.doubles(spec["lower"]), tolerance, "lower")
    expectClose(
      estimate.intervals.map(\.upper), EstimationFixture.doubles(spec["upper"]), tolerance, "upper")
    if estimandName == "logistic" {
      // The surrogate alone is biased: its fit is outside DSL's interval for some coefficient.
      let naive = EstimationFixture.doubles(dsl["surrogate_only_logistic"])
      #expect(zip(naive, estimate.intervals).contains { !$1.contains($0) })
    }
  }

  @Test(
    "DSL with uniform sampling probabilities is unbiased PPI-like: its mean equals the pooled formula"
  )
  func designBasedUniform() throws {
    var sample = try Self.dslSample()
    let n = sample.labelledCount
    let m = n + sample.unlabelledCount
    let pi = Double(n) / Double(m)
    sample.samplingProbabilities = [Double](repeating: pi, count: n)
    let estimate = try DesignBasedSupervisedLearning().estimate(.mean, from: sample)
    let pooled = (sample.predictions + sample.unlabelledPredictions).reduce(0, +) / Double(m)
    let rectifier = zip(sample.labels, sample.predictions).map { $0 - $1 }.reduce(0, +) / Double(n)
    #expect(isClose(estimate.values[0], pooled + rectifier, 1e-12))
  }

  @Test("the power analysis equals ppi_py's ppi_mean_power / ppi_ols_power / ppi_logistic_power")
  func powerAnalysis() throws {
    let queries = try #require(EstimationFixture.root["power"] as? [[String: Any]])
    for q in queries {
      let sample = try EstimationFixture.sample(q["dataset"] as! String, weighted: false)
      let estimand = try EstimationFixture.estimand(q["estimand"])
      let analysis = try PowerAnalysis(estimand, pilot: sample, coordinate: q["coord"] as? Int)
      let result = q["result"] as! [String: Double]
      #expect(isClose(analysis.correlation, result["ppi_corr"]!, 1e-10), "\(q)")
      let costs = PowerAnalysis.Costs(
        row: q["cost_X"] as! Double, label: q["cost_Y"] as! Double,
        prediction: q["cost_Yhat"] as! Double)
      let query = q["query"] as! [String: Any]
      let nMax = query["n_max"] as? Int
      let plan =
        query["budget"] != nil
        ? analysis.mostPowerfulPair(
          budget: query["budget"] as! Double, costs: costs, maximumRows: nMax)
        : analysis.cheapestPair(
          effectiveSize: Double(query["effective_n"] as! Int), costs: costs, maximumRows: nMax)
      #expect(Double(plan.labelled) == result["n"]!, "\(q)")
      #expect(Double(plan.unlabelled) == result["N"]!, "\(q)")
      #expect(Double(plan.effectiveSize) == result["effective_n"]!, "\(q)")
      #expect(isClose(plan.cost, result["cost"]!, 1e-12), "\(q): cost \(plan.cost)")
    }
  }

  @Test("the labels for a target width: n₀ = σ²(2z/W)² classically, fewer with PPI++")
  func targetWidth() throws {
    let sample = try EstimationFixture.sample("sim", weighted: false)
    let analysis = try PowerAnalysis(.mean, pilot: sample)
    let need = try analysis.requiredLabels(targetWidth: 0.1, unlabelledCount: 100_000)
    let z = NormalDistribution.quantile(0.95)
    #expect(need.classical == Int((analysis.variance * (2 * z / 0.1) * (2 * z / 0.1)).rounded(.up)))
    #expect(need.powerTuned < need.classical)
    // The PPI++ variance at (n, N) reaches the target.
    let n = Double(need.powerTuned)
    let bigN = 100_000.0
    let rho2 = analysis.correlation * analysis.correlation
    let width = 2 * z * (analysis.variance / n * (1 - rho2 * bigN / (n + bigN))).squareRoot()
    #expect(width <= 0.1 && width > 0.0999)
    let unlimited = try analysis.requiredLabels(targetWidth: 0.1, unlabelledCount: nil)
    #expect(unlimited.powerTuned <= need.powerTuned)
  }

  static func corrections() throws -> (
    spec: [String: Any], labels: [Double], predictions: [Double], target: [Double], treated: [Bool]
  ) {
    let spec = try #require(EstimationFixture.root["corrections"] as? [String: Any])
    let table = try EstimationFixture.matrix(spec["data"] as! String)
    let nc = spec["calibration_rows"] as! Int
    let y = Array(table.column(0)[0..<nc])
    let p = Array(table.column(1)[0..<nc])
    let target = Array(table.column(2)[nc...])
    let treated = table.column(3)[nc...].map { $0 == 1 }
    return (spec, y, p, target, treated)
  }

  @Test(
    "linear calibration correction equals scikit-learn's LinearRegression of predictions on labels")
  func linearCalibration() throws {
    let c = try Self.corrections()
    let lcc = c.spec["lcc"] as! [String: Any]
    let model = try LinearCalibrationCorrection().fitted(
      labels: c.labels, predictions: c.predictions)
    #expect(isClose(model.intercept, lcc["intercept"] as! Double, 1e-12))
    #expect(isClose(model.slope, lcc["slope"] as! Double, 1e-12))
    expectClose(
      Array(model.corrected(c.target).prefix(20)), EstimationFixture.doubles(lcc["first"]), 1e-12,
      "first")
    #expect(isClose(try model.correctedMean(c.target), lcc["mean"] as! Double, 1e-12))
    let treated = zip(c.target, c.treated).filter { $0.1 }.map(\.0)
    let control = zip(c.target, c.treated).filter { !$0.1 }.map(\.0)
    #expect(
      isClose(
        try model.correctedEffect(treated: treated, control: control), lcc["effect"] as! Double,
        1e-12))
  }

  @Test(
    "Tweedie's correction: the exact KDE score (NumPy) to 1e-12, unshrink's finite difference to 1e-6"
  )
  func tweedie() throws {
    let c = try Self.corrections()
    let spec = c.spec["tweedie"] as! [String: Any]
    let model = try TweedieCorrection().fitted(labels: c.labels, predictions: c.predictions)
    #expect(isClose(model.noiseScale, spec["sigma"] as! Double, 1e-12))
    #expect(isClose(model.bandwidth, spec["bandwidth"] as! Double, 1e-12))
    let corrected = model.corrected(c.target)
    expectClose(
      Array(corrected.prefix(20)), EstimationFixture.doubles(spec["exact_first"]), 1e-12, "exact")
    expectClose(
      Array(corrected.prefix(20)), EstimationFixture.doubles(spec["finite_difference_first"]), 1e-6,
      "fd")
    #expect(isClose(try model.correctedMean(c.target), spec["exact_mean"] as! Double, 1e-12))
    let treated = zip(c.target, c.treated).filter { $0.1 }.map(\.0)
    let control = zip(c.target, c.treated).filter { !$0.1 }.map(\.0)
    let effect = try model.correctedEffect(treated: treated, control: control)
    #expect(isClose(effect, spec["exact_effect"] as! Double, 1e-11))
    // Both corrections move the attenuated effect toward the truth (5).
    let naive = (c.spec["naive"] as! [String: Any])["effect"] as! Double
    #expect(abs(effect - 5) < abs(naive - 5))
  }

  @Test("Φ⁻¹ and the normal tails agree with SciPy's norm.ppf / sf / cdf")
  func normalDistribution() throws {
    let spec = try #require(EstimationFixture.root["normal"] as? [String: Any])
    func values(_ key: String) -> [Double] { (spec[key] as? [String] ?? []).map { Double($0)! } }
    let p = values("p")
    expectClose(p.map(NormalDistribution.quantile), values("ppf"), 1e-15, "ppf")
    let sf = values("sf")
    let cdf = values("cdf")
    for (k, x) in values("x").enumerated() {
      // Relative accuracy in both tails, down to the normal numbers. Far out, the rounding of
      // the argument x/√2 alone moves erfc by ~2(x²/2)·ε relative, in SciPy as here.
      let tolerance = max(1e-13, x * x * 4e-16)
      if sf[k] > 1e-300 {
        #expect(abs(NormalDistribution.survival(x) / sf[k] - 1) < tolerance, "sf(\(x))")
      }
      if cdf[k] > 1e-300 {
        #expect(abs(NormalDistribution.cdf(x) / cdf[k] - 1) < tolerance, "cdf(\(x))")
      }
    }
  }
}
