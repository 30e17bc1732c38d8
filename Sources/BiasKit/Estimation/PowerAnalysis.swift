import Foundation

/// How many gold labels a PPI++ estimate needs, from a pilot sample of labelled rows with their
/// predictions: ppi_py 0.2.3's power analysis (`ppi_mean_power`, `ppi_ols_power`,
/// `ppi_logistic_power`, `ppi_power`), after Broska, Howes and van Loon's mixed subjects design.
///
/// The pilot gives the classical per-row variance σ² of one coordinate (the diagonal of
/// H⁻¹ Var(g) H⁻¹) and the PPI correlation ρ between the gradients on labels and on predictions
/// (ppi_py's `_get_ppi_corr`, with ddof 0, capped at 1 − 1/n). PPI++ with n labelled and N
/// unlabelled rows then has the variance of the classical estimate on
///
///     n_eff = n (n + N) / (n + (1 − ρ²) N)
///
/// labelled rows. ``requiredLabels(targetWidth:alpha:unlabelledCount:)`` answers "how many
/// labels for an interval of width W": the classical estimate needs n₀ = σ² (2z / W)² and PPI++
/// with N unlabelled rows the n solving n_eff(n, N) = n₀. ``cheapestPair(effectiveSize:costs:maximumRows:)``
/// and ``mostPowerfulPair(budget:costs:maximumRows:)`` are ppi_py's cost-optimal (n, N) pairs,
/// with its rounding (Python's `round`, half to even).
///
/// - Complexity: O(n·d²) to build from the pilot; O(1) per question.
///
/// ## References
/// - Broska, Howes, van Loon. The Mixed Subjects Design: Treating Large Language Models as
///   (Potentially) Informative Observations. Sociological Methods & Research, 2024.
public struct PowerAnalysis: Sendable, Equatable {
  /// ρ: the PPI correlation of the chosen coordinate (ppi_py `ppi_corr`).
  public let correlation: Double
  /// σ²: the classical estimate's variance times n for the chosen coordinate.
  public let variance: Double
  /// The pilot's number of labelled rows.
  public let pilotCount: Int

  /// The per-sample costs of ppi_py's cost-optimal pairs.
  public struct Costs: Sendable, Equatable {
    /// Cost of an unlabelled row's data (`cost_X`; 0 for the mean).
    public var row: Double
    /// Cost of a gold label (`cost_Y`).
    public var label: Double
    /// Cost of a prediction (`cost_Yhat`).
    public var prediction: Double

    public init(row: Double = 0, label: Double, prediction: Double) {
      self.row = row
      self.label = label
      self.prediction = prediction
    }
  }

  /// A pair of sample sizes (ppi_py's result dictionary).
  public struct Plan: Sendable, Equatable {
    /// Gold-labelled rows n.
    public var labelled: Int
    /// Unlabelled rows N.
    public var unlabelled: Int
    /// n·(cost_Y + cost_Yhat + cost_X) + N·(cost_Yhat + cost_X), or ppi_py's variant.
    public var cost: Double
    /// The classical sample size with the same variance.
    public var effectiveSize: Int
    /// ρ.
    public var correlation: Double
  }

  /// The labels an interval of a given width needs.
  public struct LabelRequirement: Sendable, Equatable {
    /// Labels the classical estimate needs: n₀ = ⌈σ² (z / (W/2))²⌉.
    public var classical: Int
    /// Labels PPI++ needs with the given unlabelled rows (n₀(1 − ρ²) with infinitely many).
    public var powerTuned: Int
    /// The unlabelled rows assumed (nil: infinitely many).
    public var unlabelledCount: Int?
  }

  /// The analysis of `estimand` (the mean or a regression) on a pilot of labelled rows:
  /// `pilot`'s labels, predictions, covariates and weights (its unlabelled rows are not used).
  /// `coordinate` picks the regression coefficient (ppi_py `coord`, required for them).
  /// - Throws: ``BiasKitError`` for a pilot that fails validation, a quantile estimand, a
  ///   missing or bad coordinate, or a correlation of ±1.
  public init(_ estimand: Estimand, pilot: PredictionSample, coordinate: Int? = nil) throws {
    try pilot.validate(for: estimand, unlabelled: false)
    let n = pilot.labelledCount
    let weights = rescaledWeights(pilot.weights)
    let d: Int
    let grads: [Double]
    let gradsHat: [Double]
    let inverseHessian: [Double]
    switch estimand {
    case .quantile:
      throw BiasKitError.powerAnalysisEstimand(estimand)
    case .mean:
      if coordinate != nil { throw BiasKitError.coordinateOutOfRange(0, estimand, 1) }
      var numerator = 0.0
      var denominator = 0.0
      for i in 0..<n {
        numerator += (weights?[i] ?? 1) * pilot.labels[i]
        denominator += weights?[i] ?? 1
      }
      let theta = numerator / denominator
      d = 1
      grads = (0..<n).map { (weights?[$0] ?? 1) * (pilot.labels[$0] - theta) }
      gradsHat = (0..<n).map { (weights?[$0] ?? 1) * (pilot.predictions[$0] - theta) }
      inverseHessian = [1]
    case .linearRegression, .logisticRegression:
      d = pilot.covariateCount
      guard let coordinate, (0..<d).contains(coordinate) else {
        throw BiasKitError.coordinateRequired(d)
      }
      let weighted = WeightedSample(pilot)
      let theta: [Double]
      let model: RegressionModel
      if case .linearRegression = estimand {
        let systems = try LinearSystems(weighted, unlabelled: false)
        theta = systems.labelledFactor.solve(systems.labelsMoment)
        model = .linear
      } else {
        theta = try ClassicalEstimator.logisticFit(weighted).theta
        model = .logistic
      }
      let stats = try GradientStatistics.regression(
        model, at: theta, sample: pilot, weights: weighted.weights, unlabelledWeights: nil,
        usesUnlabelled: false)
      grads = stats.labelled
      gradsHat = stats.labelledPredicted
      inverseHessian = stats.inverseHessian
    }
    let j = coordinate ?? 0
    let meanG = columnMeans(grads, n, d)
    let meanH = columnMeans(gradsHat, n, d)
    var cross = [Double](repeating: 0, count: d * d)
    var varianceHat = [Double](repeating: 0, count: d * d)
    var varianceG = [Double](repeating: 0, count: d * d)
    for i in 0..<n {
      for a in 0..<d {
        let ga = grads[i * d + a] - meanG[a]
        let ha = gradsHat[i * d + a] - meanH[a]
        for b in 0..<d {
          let gb = grads[i * d + b] - meanG[b]
          let hb = gradsHat[i * d + b] - meanH[b]
          cross[a * d + b] += ga * hb
          varianceHat[a * d + b] += ha * hb
          varianceG[a * d + b] += ga * gb
        }
      }
    }
    for k in 0..<(d * d) {
      cross[k] /= Double(n)
      varianceHat[k] /= Double(n)
      varianceG[k] /= Double(n)
    }
    let sigma = DenseAlgebra.sandwich(inverseHessian, varianceG, d)[j * d + j]
    let numerator = DenseAlgebra.sandwich(inverseHessian, cross, d)[j * d + j]
    let hat = DenseAlgebra.sandwich(inverseHessian, varianceHat, d)[j * d + j]
    var rho = numerator / (sigma * hat).squareRoot()
    rho = min(rho, 1 - 1 / Double(n))
    guard rho > -1, rho < 1 else { throw BiasKitError.degenerateCorrelation(rho) }
    correlation = rho
    variance = sigma
    pilotCount = n
  }

  /// The labels needed for a two-sided interval of width `targetWidth` at `alpha`, classically
  /// and with PPI++ given `unlabelledCount` unlabelled rows (nil: as many as wanted).
  /// - Throws: ``BiasKitError`` for a width that is not positive or an α outside (0, 1).
  public func requiredLabels(
    targetWidth: Double, alpha: Double = 0.1, unlabelledCount: Int?
  )
    throws -> LabelRequirement
  {
    guard targetWidth > 0, targetWidth.isFinite else {
      throw BiasKitError.badTargetWidth(targetWidth)
    }
    let z = try ZInterval(alpha: alpha).criticalValue
    let halfWidth = targetWidth / 2
    let n0 = variance * (z / halfWidth) * (z / halfWidth)
    let rho2 = correlation * correlation
    let needed: Double
    if let bigN = unlabelledCount.map(Double.init) {
      // n² + (N − n₀)n − n₀(1 − ρ²)N = 0, the positive root.
      let b = bigN - n0
      needed = (-b + (b * b + 4 * n0 * (1 - rho2) * bigN).squareRoot()) / 2
    } else {
      needed = n0 * (1 - rho2)
    }
    return LabelRequirement(
      classical: Int(n0.rounded(.up)), powerTuned: max(Int(needed.rounded(.up)), 1),
      unlabelledCount: unlabelledCount)
  }

  /// The cheapest (n, N) whose PPI++ estimate is as precise as the classical one on
  /// `effectiveSize` labels (ppi_py `ppi_power(..., effective_n=)`), with n + N ≤ `maximumRows`.
  public func cheapestPair(effectiveSize: Double, costs: Costs, maximumRows: Int? = nil) -> Plan {
    let (gamma, ppiCost, classicalCost) = costTerms(costs)
    let n0 = effectiveSize
    var result = optimalPair(n0, gamma, costs)
    if classicalCost < ppiCost || result.unlabelled < 0 {
      let n = pythonRound(n0)
      result = Plan(
        labelled: n, unlabelled: 0, cost: Double(n) * classicalCost, effectiveSize: n,
        correlation: correlation)
    }
    guard let nMax = maximumRows, result.labelled + result.unlabelled > nMax else { return result }
    if effectiveSize > Double(nMax) {
      return Plan(
        labelled: nMax, unlabelled: 0, cost: Double(nMax) * classicalCost, effectiveSize: nMax,
        correlation: correlation)
    }
    let rho2 = correlation * correlation
    let n = pythonRound(n0 * Double(nMax) * (1 - rho2) / (Double(nMax) - rho2 * n0))
    let bigN = nMax - n
    return Plan(
      labelled: n, unlabelled: bigN,
      cost: Double(n) * (costs.label + costs.prediction + costs.row)
        + Double(bigN) * (costs.prediction + costs.row),
      effectiveSize: effective(n, bigN), correlation: correlation)
  }

  /// The most precise (n, N) within `budget` (ppi_py `ppi_power(..., budget=)`).
  public func mostPowerfulPair(budget: Double, costs: Costs, maximumRows: Int? = nil) -> Plan {
    let (gamma, ppiCost, classicalCost) = costTerms(costs)
    var result = optimalPair(budget / ppiCost, gamma, costs)
    if classicalCost < ppiCost || result.unlabelled < 0 {
      let n = pythonRound(budget / classicalCost)
      result = Plan(
        labelled: n, unlabelled: 0, cost: Double(n) * classicalCost, effectiveSize: n,
        correlation: correlation)
    }
    guard let nMax = maximumRows, result.labelled + result.unlabelled > nMax else { return result }
    if Double(nMax) * (costs.label + costs.row) <= budget {
      return Plan(
        labelled: nMax, unlabelled: 0, cost: Double(nMax) * (costs.label + costs.row),
        effectiveSize: nMax, correlation: correlation)
    }
    let n = pythonRound(budget / costs.label - Double(nMax) * gamma)
    let bigN = nMax - n
    return Plan(
      labelled: n, unlabelled: bigN,
      cost: Double(n) * (costs.label + costs.prediction + costs.row)
        + Double(bigN) * (costs.prediction + costs.row),
      effectiveSize: effective(n, bigN), correlation: correlation)
  }

  // ppi_py `_get_costs`.
  private func costTerms(_ costs: Costs) -> (gamma: Double, ppi: Double, classical: Double) {
    let gamma = (costs.prediction + costs.row) / costs.label
    let rho2 = correlation * correlation
    let ppi =
      costs.label * (1 - rho2 + gamma * rho2 + 2 * (gamma * rho2 * (1 - rho2)).squareRoot())
    return (gamma, ppi, costs.label + costs.row)
  }

  // ppi_py `_optimal_pair`.
  private func optimalPair(_ n0: Double, _ gamma: Double, _ costs: Costs) -> Plan {
    let rho2 = correlation * correlation
    let nReal = n0 * (1 - rho2 + (gamma * rho2 * (1 - rho2)).squareRoot())
    let bigNReal = correlation != 0 ? nReal * (n0 - nReal) / (nReal - (1 - rho2) * n0) : 0
    let n = pythonRound(nReal)
    let bigN = pythonRound(bigNReal)
    let cost = Double(n) * costs.label + Double(n + bigN) * (costs.prediction + costs.row)
    return Plan(
      labelled: n, unlabelled: bigN, cost: cost, effectiveSize: effective(n, bigN),
      correlation: correlation)
  }

  private func effective(_ n: Int, _ bigN: Int) -> Int {
    let rho2 = correlation * correlation
    return pythonRound(Double(n) * Double(n + bigN) / (Double(n) + (1 - rho2) * Double(bigN)))
  }
}

/// Python's `round(x)`: to the nearest integer, halves to even.
func pythonRound(_ x: Double) -> Int {
  guard x.isFinite else { return x > 0 ? Int.max : Int.min }
  return Int(x.rounded(.toNearestOrEven))
}

extension BiasKitError {
  static func powerAnalysisEstimand(_ estimand: Estimand) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "the power analysis covers the mean and the regressions, not the \(estimand) estimand")
  }

  static func coordinateRequired(_ count: Int) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "a regression's power analysis is for one coefficient: give its index, 0 to \(count - 1)")
  }

  static func degenerateCorrelation(_ rho: Double) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "the PPI correlation of the pilot is \(rho); the power analysis needs it strictly between -1 and 1"
    )
  }

  static func badTargetWidth(_ width: Double) -> BiasKitError {
    BiasKitError(.invalidArgument, "the target interval width must be positive; got \(width)")
  }
}
