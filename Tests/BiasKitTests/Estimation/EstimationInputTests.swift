import Foundation
import Testing

@testable import BiasKit

/// Bad inputs are ``BiasKitError``s with one clear line (never a trap), and the per-group
/// estimates and their differences.
@Suite("Estimation: bad inputs and per-group estimates")
struct EstimationInputTests {
  static let x = Matrix(
    rows: 4, columns: 2, values: [1, 0.5, 1, -1, 1, 2, 1, 0], columnNames: ["one", "z"])
  static let xu = Matrix(
    rows: 3, columns: 2, values: [1, 1, 1, -2, 1, 0.25], columnNames: ["one", "z"])

  static func sample() -> PredictionSample {
    PredictionSample(
      labels: [0, 1, 1, 0], predictions: [0.2, 0.7, 0.9, 0.4],
      unlabelledPredictions: [0.3, 0.6, 0.8], covariates: x, unlabelledCovariates: xu)
  }

  func message(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch let error as BiasKitError {
      #expect(!error.message.contains("\n"))
      return error.message
    } catch {
      Issue.record("not a BiasKitError: \(error)")
      return nil
    }
  }

  @Test("no labelled rows")
  func noLabelledRows() {
    let s = PredictionSample(labels: [], predictions: [], unlabelledPredictions: [1, 2])
    let m = message { _ = try PowerTunedPredictionPoweredInference().estimate(.mean, from: s) }
    #expect(m?.contains("no labelled rows") == true)
  }

  @Test("a group without labelled rows is named")
  func groupWithoutLabels() {
    let s = Self.sample()
    let partition = SamplePartition(
      labelled: [0, 0, 0, 0], unlabelled: [0, 1, 1], names: ["a", "b"])
    let m = message {
      _ = try GroupEstimates(partition: partition, sample: s, interval: .ninetyPercent) {
        try PowerTunedPredictionPoweredInference().estimate(.mean, from: $0)
      }
    }
    #expect(m?.contains("group 'b'") == true)
  }

  @Test("fewer labelled rows than covariates + 1")
  func tooFewRows() {
    let s = PredictionSample(
      labels: [1, 2], predictions: [1, 2], unlabelledPredictions: [1],
      covariates: Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]),
      unlabelledCovariates: Matrix(rows: 1, columns: 2, values: [1, 2]))
    let m = message { _ = try PredictionPoweredInference().estimate(.linearRegression, from: s) }
    #expect(m?.contains("2 labelled rows for 2 covariates") == true)
  }

  @Test("sampling probabilities outside (0, 1]", arguments: [0.0, -0.1, 1.5, Double.nan])
  func samplingProbability(_ p: Double) {
    var s = Self.sample()
    s.samplingProbabilities = [0.5, p, 0.5, 0.5]
    let m = message { _ = try DesignBasedSupervisedLearning().estimate(.mean, from: s) }
    #expect(m?.contains("labelled row 2: the sampling probability") == true)
  }

  @Test("alpha outside (0, 1)", arguments: [0.0, 1.0, -0.5, 2.0])
  func alpha(_ alpha: Double) {
    let m = message { _ = try ZInterval(alpha: alpha) }
    #expect(m?.contains("alpha must be in (0, 1)") == true)
  }

  @Test("a collinear design names the columns")
  func collinear() {
    let x = Matrix(
      rows: 4, columns: 3, values: [1, 1, 2, 1, 2, 3, 1, 3, 4, 1, 5, 6],
      columnNames: ["one", "age", "age_plus_one"])
    let s = PredictionSample(
      labels: [1, 2, 3, 5], predictions: [1, 2, 3, 4], unlabelledPredictions: [1, 2, 3, 4],
      covariates: x, unlabelledCovariates: x)
    let m = message {
      _ = try PowerTunedPredictionPoweredInference().estimate(.linearRegression, from: s)
    }
    #expect(
      m?.contains("'age_plus_one' is a linear combination of 'one', 'age'") == true, "\(m ?? "")")
    let zero = Matrix(
      rows: 4, columns: 2, values: [1, 0, 1, 0, 1, 0, 1, 0], columnNames: ["one", "empty"])
    let s2 = PredictionSample(
      labels: [1, 2, 3, 5], predictions: [1, 2, 3, 4], unlabelledPredictions: [1], covariates: zero,
      unlabelledCovariates: Matrix(rows: 1, columns: 2, values: [1, 0]))
    let m2 = message { _ = try ClassicalEstimator().estimate(.linearRegression, from: s2) }
    #expect(m2?.contains("'empty' is zero on every row") == true)
  }

  @Test("labels outside {0, 1} for the logistic estimand")
  func logisticLabels() {
    var s = Self.sample()
    s.labels[2] = 2
    let m = message {
      _ = try PowerTunedPredictionPoweredInference().estimate(.logisticRegression, from: s)
    }
    #expect(m?.contains("labelled row 3: the label 2.0 is not 0 or 1") == true)
    var t = Self.sample()
    t.unlabelledPredictions[1] = 1.5
    let m2 = message { _ = try PredictionPoweredInference().estimate(.logisticRegression, from: t) }
    #expect(m2?.contains("unlabelled row 2: the prediction 1.5 is outside [0, 1]") == true)
  }

  @Test(
    "other bad values: non-finite labels, negative weights, mismatched sizes, quantile level, λ")
  func otherBadValues() {
    var s = Self.sample()
    s.labels[0] = .nan
    #expect(
      message { _ = try ClassicalEstimator().estimate(.mean, from: s) }?.contains("labelled row 1")
        == true)
    var w = Self.sample()
    w.weights = [1, -1, 1, 1]
    #expect(
      message { _ = try PredictionPoweredInference().estimate(.mean, from: w) }?.contains(
        "weight -1.0") == true)
    var z = Self.sample()
    z.unlabelledWeights = [0, 0, 0]
    #expect(
      message { _ = try PredictionPoweredInference().estimate(.mean, from: z) }?.contains(
        "all zero") == true)
    var c = Self.sample()
    c.predictions = [1, 2]
    #expect(
      message { _ = try PredictionPoweredInference().estimate(.mean, from: c) }?.contains(
        "2 predictions for 4") == true)
    #expect(
      message { _ = try PredictionPoweredInference().estimate(.quantile(1.5), from: Self.sample()) }
        != nil)
    #expect(
      message {
        _ = try PredictionPoweredInference(lambda: 2).estimate(
          .logisticRegression, from: Self.sample())
      } != nil)
    #expect(
      message {
        _ = try PredictionPoweredInference(lambda: .infinity).estimate(.mean, from: Self.sample())
      } != nil)
    let noUnlabelled = PredictionSample(
      labels: [1, 2], predictions: [1, 2], unlabelledPredictions: [])
    #expect(
      message { _ = try PredictionPoweredInference().estimate(.mean, from: noUnlabelled) }?
        .contains("no unlabelled rows") == true)
    #expect(
      message {
        _ = try DesignBasedSupervisedLearning().estimate(.quantile(0.5), from: Self.sample())
      } != nil)
    #expect(
      message {
        _ = try PowerTunedPredictionPoweredInference(coordinate: 5).estimate(
          .linearRegression, from: Self.sample())
      } != nil)
  }

  @Test("per-group estimates: each group's PPI++ and every difference with se = √(se₁² + se₂²)")
  func groups() throws {
    let sample = try EstimationFixture.sample("sim", weighted: false)
    let partition = SamplePartition(
      labelled: (0..<sample.labelledCount).map { Int32($0 % 3) },
      unlabelled: (0..<sample.unlabelledCount).map { Int32($0 % 3) }, names: ["a", "b", "c"])
    let tuned = PowerTunedPredictionPoweredInference()
    let grouped = try GroupEstimates(partition: partition, sample: sample, interval: .ninetyPercent)
    {
      try tuned.estimate(.mean, from: $0)
    }
    #expect(grouped.groups.map(\.name) == ["a", "b", "c"])
    #expect(grouped.differences.count == 3)
    let a = try tuned.estimate(
      .mean,
      from: sample.rows(
        labelled: Array(stride(from: 0, to: sample.labelledCount, by: 3)),
        unlabelled: Array(stride(from: 0, to: sample.unlabelledCount, by: 3))))
    #expect(grouped.groups[0].estimate == a)
    let d = grouped.differences[0]
    #expect(d.first == "a" && d.second == "b")
    let sb = grouped.groups[1].estimate.parameters[0].standardError!
    let sa = a.parameters[0].standardError!
    #expect(isClose(d.standardError, (sa * sa + sb * sb).squareRoot(), 1e-15))
    #expect(
      isClose(
        d.interval.upper - d.value, NormalDistribution.quantile(0.95) * d.standardError, 1e-14))
  }

  @Test("the logistic fit is the exact minimiser: the rectified gradient vanishes")
  func logisticStationarity() throws {
    let sample = try EstimationFixture.sample("logistic", weighted: true)
    let w = WeightedSample(sample)
    let loss = RectifiedLogisticLoss(
      sample: sample, weights: w.weights, unlabelledWeights: w.unlabelledWeights, lambda: 0.7)
    let fit = try loss.minimizer(from: nil)
    #expect(fit.converged)
    let g = loss.evaluate(fit.theta).gradient
    #expect(g.map(abs).max()! < 1e-13)
  }
}
