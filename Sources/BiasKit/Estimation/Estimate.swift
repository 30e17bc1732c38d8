/// What is estimated: a population quantity defined as the minimiser of an expected loss
/// (an M-estimand), as prediction-powered inference names them.
///
/// | estimand | θ | loss ℓ(θ; x, y) | ppi_py |
/// |---|---|---|---|
/// | ``mean`` | E[Y] (a proportion when Y ∈ {0, 1}) | ½(y − θ)² | `ppi_mean_*` |
/// | ``quantile(_:)`` | the q-quantile of Y | pinball loss | `ppi_quantile_*` |
/// | ``linearRegression`` | argmin E[(Y − Xθ)²] | ½(y − xθ)² | `ppi_ols_*` |
/// | ``logisticRegression`` | argmin E[−Y·Xθ + log(1 + e^{Xθ})] | logistic loss | `ppi_logistic_*` |
///
/// The regressions use the covariates as given: no intercept is added (ppi_py's convention;
/// add a column of ones for one).
public enum Estimand: Sendable, Equatable, CustomStringConvertible {
  /// The mean of the outcome, or the proportion of ones for a 0/1 outcome.
  case mean
  /// The `q`-quantile of the outcome, `q` in (0, 1).
  case quantile(Double)
  /// The ordinary-least-squares coefficients of the outcome on the covariates.
  case linearRegression
  /// The logistic-regression coefficients of a 0/1 outcome on the covariates.
  case logisticRegression

  /// Whether the estimand is a regression on covariates.
  public var isRegression: Bool {
    switch self {
    case .linearRegression, .logisticRegression: return true
    case .mean, .quantile: return false
    }
  }

  public var description: String {
    switch self {
    case .mean: return "mean"
    case .quantile(let q): return "quantile(\(q))"
    case .linearRegression: return "ols"
    case .logisticRegression: return "logistic"
    }
  }
}

/// Which estimator produced an ``Estimate``.
public enum EstimationMethod: String, Sendable, Equatable, CaseIterable {
  /// The gold labels alone (ppi_py `classical_*`).
  case classical
  /// The predictions on the unlabelled rows alone, as if they were labels: biased.
  case naive
  /// Prediction-powered inference at a fixed λ (λ = 1 is PPI; Angelopoulos et al. 2023).
  case predictionPowered = "ppi"
  /// PPI++: PPI with the power-tuning λ estimated from the data (Angelopoulos et al. 2024).
  case powerTuned = "ppi++"
  /// PPI++ within strata, combined by the strata's shares (Fisch et al. 2024).
  case stratified = "stratified-ppi"
  /// Cross-prediction PPI: predictions made by a learner cross-fitted on the gold rows
  /// (Zrnic & Candès 2024).
  case crossPrediction = "cross-ppi"
  /// Design-based supervised learning with known sampling probabilities (Egami et al. 2023).
  case designBased = "dsl"
}

/// A two-sided or one-sided confidence interval. A one-sided interval has one infinite end.
public struct ConfidenceInterval: Sendable, Equatable, CustomStringConvertible {
  public var lower: Double
  public var upper: Double

  public init(lower: Double, upper: Double) {
    self.lower = lower
    self.upper = upper
  }

  /// `upper − lower`.
  public var width: Double { upper - lower }

  /// Whether `value` lies in [lower, upper].
  public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

  public var description: String { "[\(lower), \(upper)]" }
}

/// One coordinate of an estimate: the mean, a quantile or one regression coefficient.
public struct ParameterEstimate: Sendable, Equatable {
  /// `mean`, `q0.5`, or the covariate's name for a coefficient.
  public var name: String
  /// The point estimate θ̂.
  public var value: Double
  /// The estimated standard error of θ̂; `nil` where the interval is found by inverting a test
  /// (the quantiles), which defines no standard error.
  public var standardError: Double?
  /// The interval at the estimate's α.
  public var interval: ConfidenceInterval

  public init(
    name: String, value: Double, standardError: Double?, interval: ConfidenceInterval
  ) {
    self.name = name
    self.value = value
    self.standardError = standardError
    self.interval = interval
  }
}

/// The result of one estimator on one estimand: a point estimate, standard error and interval
/// per coordinate, with what the estimator chose (λ) and how much data it used.
public struct Estimate: Sendable, Equatable {
  /// The estimator.
  public var method: EstimationMethod
  /// The estimand.
  public var estimand: Estimand
  /// One entry per coordinate (one for the mean and quantiles, one per covariate otherwise).
  public var parameters: [ParameterEstimate]
  /// The error level of the intervals (coverage 1 − α).
  public var alpha: Double
  /// The alternative the intervals were built for.
  public var alternative: Alternative
  /// The power-tuning parameter used by PPI (1) and PPI++ (estimated), `nil` otherwise.
  public var lambda: Double?
  /// Gold-labelled rows used.
  public var labelledCount: Int
  /// Unlabelled rows used (0 for the classical estimator).
  public var unlabelledCount: Int
  /// The per-stratum estimates a stratified estimate combines (empty otherwise).
  public var strata: [Stratum]
  /// Things the user should know (a λ clipped to [0, 1], a learner that did not converge).
  public var notes: [String]

  /// One stratum of a stratified estimate.
  public struct Stratum: Sendable, Equatable {
    /// The stratum's name.
    public var name: String
    /// Its share of the population (the weight of its estimate).
    public var share: Double
    /// Its own estimate.
    public var estimate: Estimate

    public init(name: String, share: Double, estimate: Estimate) {
      self.name = name
      self.share = share
      self.estimate = estimate
    }
  }

  public init(
    method: EstimationMethod, estimand: Estimand, parameters: [ParameterEstimate],
    alpha: Double, alternative: Alternative = .twoSided, lambda: Double? = nil,
    labelledCount: Int, unlabelledCount: Int, strata: [Stratum] = [], notes: [String] = []
  ) {
    self.method = method
    self.estimand = estimand
    self.parameters = parameters
    self.alpha = alpha
    self.alternative = alternative
    self.lambda = lambda
    self.labelledCount = labelledCount
    self.unlabelledCount = unlabelledCount
    self.strata = strata
    self.notes = notes
  }

  /// Whether the estimator is known to be biased (the naive estimate from predictions alone).
  public var isBiased: Bool { method == .naive }

  /// The point estimates, one per coordinate.
  public var values: [Double] { parameters.map(\.value) }
  /// The standard errors (NaN where there is none).
  public var standardErrors: [Double] { parameters.map { $0.standardError ?? .nan } }
  /// The intervals, one per coordinate.
  public var intervals: [ConfidenceInterval] { parameters.map(\.interval) }
}
