/// Stratified prediction-powered inference (StratPPI) for a mean or proportion: PPI++ within
/// each stratum, with its own power-tuning λₖ, combined by the strata's population shares:
///
///     θ̂ = Σₖ pₖ θ̂ₖ,   se(θ̂)² = Σₖ pₖ² se(θ̂ₖ)²,   interval θ̂ ± z·se(θ̂)
///
/// Because the variance separates over strata, tuning each λₖ within its stratum minimises the
/// total. It helps when the predictions are better in some strata than in others (an LLM that
/// is accurate on one topic and poor on another), and when the gold sample was drawn at
/// different rates per stratum (the shares correct for that). The shares pₖ are the strata's
/// weighted shares of the unlabelled rows by default (``Shares``).
///
/// Each stratum's estimate is ``PowerTunedPredictionPoweredInference``'s, so the result is
/// checked against ppi_py 0.2.3's `ppi_mean_ci` per stratum, combined as above (ppi_py has no
/// stratified estimator).
///
/// - Complexity: O(n + N).
///
/// ## References
/// - Fisch, Maynez, Hofer, Dhingra, Globerson, Cohen. Stratified Prediction-Powered Inference
///   for Hybrid Language Model Evaluation. NeurIPS 2024.
public struct StratifiedPredictionPoweredInference: Sendable {
  /// How the strata are weighted.
  public enum Shares: Sendable, Equatable {
    /// Each stratum's share of the unlabelled rows (weighted by their weights).
    case unlabelled
    /// Each stratum's share of all rows, labelled and unlabelled.
    case allRows
    /// Known population shares, one per stratum (they are normalised to sum to 1).
    case given([Double])
  }

  /// The strata's weights.
  public var shares: Shares
  /// The intervals' α and alternative.
  public var interval: ZInterval

  public init(shares: Shares = .unlabelled, interval: ZInterval = .ninetyPercent) {
    self.shares = shares
    self.interval = interval
  }

  /// The stratified estimate of the mean of `sample` over `strata`.
  /// - Throws: ``BiasKitError`` for an estimand other than the mean, a stratum without labelled
  ///   or unlabelled rows (named), shares of the wrong count or sign, or a sample that fails
  ///   validation.
  public func estimate(
    _ estimand: Estimand, from sample: PredictionSample, strata: SamplePartition
  )
    throws -> Estimate
  {
    guard case .mean = estimand else { throw BiasKitError.stratifiedEstimand(estimand) }
    try sample.validate(for: estimand)
    guard strata.labelled.count == sample.labelledCount,
      strata.unlabelled.count == sample.unlabelledCount
    else {
      throw BiasKitError.countMismatch(
        "stratum codes", strata.labelled.count + strata.unlabelled.count,
        expected: sample.labelledCount + sample.unlabelledCount, of: "rows")
    }
    let rows = try strata.rows()
    for (k, r) in rows.enumerated() {
      if r.labelled.isEmpty {
        throw BiasKitError.stratumWithoutRows(strata.names[k], labelled: true)
      }
      if r.unlabelled.isEmpty {
        throw BiasKitError.stratumWithoutRows(strata.names[k], labelled: false)
      }
    }
    let weights = try shareValues(rows, sample, strata)
    let inner = PowerTunedPredictionPoweredInference(interval: interval)
    var value = 0.0
    var variance = 0.0
    var components: [Estimate.Stratum] = []
    var notes: [String] = []
    for (k, r) in rows.enumerated() {
      let part = try inner.estimate(
        .mean, from: sample.rows(labelled: r.labelled, unlabelled: r.unlabelled))
      let p = part.parameters[0]
      value += weights[k] * p.value
      variance += weights[k] * weights[k] * (p.standardError! * p.standardError!)
      components.append(Estimate.Stratum(name: strata.names[k], share: weights[k], estimate: part))
      notes += part.notes.map { "stratum \(strata.names[k]): \($0)" }
    }
    let se = variance.squareRoot()
    return Estimate(
      method: .stratified, estimand: estimand,
      parameters: [PredictionPoweredInference.parameter("mean", value, se, interval)],
      alpha: interval.alpha, alternative: interval.alternative,
      labelledCount: sample.labelledCount, unlabelledCount: sample.unlabelledCount,
      strata: components, notes: notes)
  }

  private func shareValues(
    _ rows: [(labelled: [Int], unlabelled: [Int])], _ sample: PredictionSample,
    _ strata: SamplePartition
  ) throws -> [Double] {
    var raw: [Double]
    switch shares {
    case .unlabelled:
      raw = rows.map { r in
        r.unlabelled.reduce(0.0) { $0 + (sample.unlabelledWeights?[$1] ?? 1) }
      }
    case .allRows:
      raw = rows.map { Double($0.labelled.count + $0.unlabelled.count) }
    case .given(let given):
      guard given.count == rows.count, given.allSatisfy({ $0.isFinite && $0 >= 0 }),
        given.contains(where: { $0 > 0 })
      else { throw BiasKitError.badShares(given.count, strata: rows.count) }
      raw = given
    }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total }
  }
}

extension BiasKitError {
  static func stratifiedEstimand(_ estimand: Estimand) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "stratified PPI estimates a mean or proportion; the \(estimand) estimand is not a weighted average of the strata's"
    )
  }

  static func stratumWithoutRows(_ name: String, labelled: Bool) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "stratum '\(name)' has no \(labelled ? "labelled" : "unlabelled") rows; every stratum needs both"
    )
  }

  static func badShares(_ count: Int, strata: Int) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "\(count) stratum shares for \(strata) strata; give one non-negative share per stratum, not all zero"
    )
  }
}
