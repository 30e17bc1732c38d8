/// A classifier's per-group audit when only a sample of the rows has a gold label: each group's
/// selection rate from all its rows, and its accuracy, true and false positive rates and
/// precision by PPI++ from its labelled rows (the scores standing in for the labels elsewhere),
/// each with an interval; and the fairness differences with simultaneous intervals.
///
/// Each rate is a ratio of means θ = E[a]/E[b] of quantities linear in the label y given the
/// prediction ŷ, so the score s (an estimate of P(y = 1 | x)) gives their surrogate by putting
/// s in y's place:
///
/// | metric | a | b |
/// |---|---|---|
/// | accuracy | ŷy + (1 − ŷ)(1 − y) | 1 |
/// | true positive rate | ŷy | y |
/// | false positive rate | ŷ(1 − y) | 1 − y |
/// | precision | ŷy | ŷ |
///
/// θ solves the estimating equation E[a − θb] = 0, an M-estimand, and PPI++ estimates it as
/// ``PowerTunedPredictionPoweredInference`` does a regression: at λ,
///
///     θ̂_λ = (λ·meanᵤ(â) + meanₗ(a − λâ)) / (λ·meanᵤ(b̂) + meanₗ(b − λb̂)),
///
/// with λ̂ from the gradients a − θb (labels) and â − θb̂ (scores) at the λ = 1 estimate, clipped
/// to [0, 1], and the sandwich standard error of ``GradientStatistics/covariance(lambda:)`` (the
/// Hessian is the denominator). Without scores the predictions stand in for the labels (valid,
/// and then PPI++ relies on the gold rows). The selection rate E[ŷ] needs no label: it is the
/// mean over all rows with its standard error (ddof 0).
///
/// Groups are disjoint samples, so a difference θₐ − θ_b has standard error √(seₐ² + se_b²). A
/// fairness difference is a maximum over pairs, max − min; its interval is
/// [maxₐ,_b(dₐ_b − z*·seₐ_b), maxₐ,_b(dₐ_b + z*·seₐ_b)] (clipped at 0) with z* the two-sided
/// critical value at α/K for the K pairs (α/2K for the equalized odds, which takes the larger of
/// two families): Bonferroni-simultaneous, so it covers with probability at least 1 − α.
///
/// - Complexity: O(n + N) per group and metric, O(g²) for the differences of g groups.
///
/// ## References
/// - Angelopoulos, Duchi, Zrnic. PPI++: Efficient Prediction-Powered Inference.
///   arXiv:2311.01453, 2024.
public struct GoldSampleAudit: Sendable {
  /// The audited metrics.
  public enum Metric: String, Sendable, CaseIterable {
    case selectionRate = "selection_rate"
    case accuracy
    case truePositiveRate = "true_positive_rate"
    case falsePositiveRate = "false_positive_rate"
    case precision
  }

  /// The intervals' α (two-sided).
  public var interval: ZInterval

  public init(interval: ZInterval = .ninetyPercent) {
    self.interval = interval
  }

  /// One metric of one group.
  public struct Value: Sendable, Equatable {
    public var estimate: Double
    public var standardError: Double
    public var interval: ConfidenceInterval
    /// PPI++'s λ (nil for the selection rate, which uses every row).
    public var lambda: Double?
  }

  /// One group's rows and metrics.
  public struct Group: Sendable, Equatable {
    public var name: String
    /// All rows of the group.
    public var rows: Int
    /// Its gold-labelled rows.
    public var labelledRows: Int
    /// The metrics in ``Metric`` order; nil where undefined (no labelled positives for the true
    /// positive rate, say).
    public var values: [Metric: Value]
    /// Why a metric is missing.
    public var notes: [String]
  }

  /// A fairness difference (max − min over groups) with its simultaneous interval.
  public struct Disparity: Sendable, Equatable {
    /// fairlearn's name: `demographic_parity_difference`, `equal_opportunity_difference`,
    /// `equalized_odds_difference`.
    public var name: String
    public var estimate: Double
    public var interval: ConfidenceInterval
  }

  /// The audit's result.
  public struct Result: Sendable, Equatable {
    /// All rows as one group.
    public var overall: Group
    /// Per group, in the partition's order.
    public var groups: [Group]
    public var disparities: [Disparity]
  }

  /// Audits `predictions` (0/1) against `labels` (0/1; NaN for an unlabelled row) by the groups
  /// of `groupCodes` (`names[code]`), with the model's `scores` (P(y = 1)) as the surrogate when
  /// given.
  /// - Throws: ``BiasKitError`` for mismatched sizes, labels or predictions other than 0/1,
  ///   scores outside [0, 1], no labelled rows, or a group without labelled rows (named).
  public func audit(
    labels: [Double], predictions: [UInt8], scores: [Double]?, groupCodes: [Int32], names: [String]
  ) throws -> Result {
    let m = labels.count
    try PredictionSample.checkCount(predictions.count, m, "predictions", "rows")
    try PredictionSample.checkCount(groupCodes.count, m, "group codes", "rows")
    if let scores { try PredictionSample.checkCount(scores.count, m, "scores", "rows") }
    for i in 0..<m {
      if !labels[i].isNaN && labels[i] != 0 && labels[i] != 1 {
        throw BiasKitError.labelNotBinary(labels[i], row: i)
      }
      if predictions[i] > 1 {
        throw BiasKitError(
          .invalidValue, "row \(i + 1): the prediction \(predictions[i]) is not 0 or 1")
      }
      if let s = scores?[i], !(0...1).contains(s) {
        throw BiasKitError.predictionOutsideUnitInterval(s, row: i, set: "scored")
      }
      guard groupCodes[i] >= 0, Int(groupCodes[i]) < names.count else {
        throw BiasKitError.badPartCode(Int(groupCodes[i]), names.count)
      }
    }
    guard labels.contains(where: { !$0.isNaN }) else { throw BiasKitError.noLabelledRows() }
    var rowsByGroup = [[Int]](repeating: [], count: names.count)
    for i in 0..<m { rowsByGroup[Int(groupCodes[i])].append(i) }
    let overall = try group("overall", Array(0..<m), labels, predictions, scores)
    var groups: [Group] = []
    for (k, rows) in rowsByGroup.enumerated() where !rows.isEmpty {
      groups.append(try group(names[k], rows, labels, predictions, scores))
    }
    return Result(overall: overall, groups: groups, disparities: disparities(groups))
  }

  private func group(
    _ name: String, _ rows: [Int], _ labels: [Double], _ predictions: [UInt8], _ scores: [Double]?
  ) throws -> Group {
    let labelled = rows.filter { !labels[$0].isNaN }
    guard !labelled.isEmpty else { throw BiasKitError.groupWithoutLabelledRows(name) }
    let unlabelled = rows.filter { labels[$0].isNaN }
    var values: [Metric: Value] = [:]
    var notes: [String] = []
    // The selection rate: every row, no label needed.
    let (rate, deviation) = meanAndDeviation(rows.map { Double(predictions[$0]) })
    let rateError = deviation / Double(rows.count).squareRoot()
    values[.selectionRate] = Value(
      estimate: rate, standardError: rateError,
      interval: interval.interval(rate, standardError: rateError), lambda: nil)
    for metric in [Metric.accuracy, .truePositiveRate, .falsePositiveRate, .precision] {
      let part = RatioSample(
        metric, labelled: labelled, unlabelled: unlabelled, labels, predictions, scores)
      guard part.labelledDenominator > 0 else {
        notes.append("\(metric.rawValue): no labelled row has \(part.denominatorName)")
        continue
      }
      values[metric] = part.estimate(interval)
    }
    return Group(
      name: name, rows: rows.count, labelledRows: labelled.count, values: values, notes: notes)
  }

  private func disparities(_ groups: [Group]) -> [Disparity] {
    let alpha = interval.alpha
    func spread(_ metric: Metric) -> [(d: Double, se: Double)] {
      let present = groups.compactMap { $0.values[metric] }
      guard present.count == groups.count, present.count >= 2 else { return [] }
      var pairs: [(Double, Double)] = []
      for a in present.indices {
        for b in present.indices where b != a {
          let se =
            (present[a].standardError * present[a].standardError
            + present[b].standardError * present[b].standardError).squareRoot()
          pairs.append((present[a].estimate - present[b].estimate, se))
        }
      }
      return pairs
    }
    func disparity(_ name: String, _ families: [[(d: Double, se: Double)]]) -> Disparity? {
      guard families.allSatisfy({ !$0.isEmpty }) else { return nil }
      // K unordered pairs per family, two-sided at α / (K · families).
      let k = Double(families[0].count / 2 * families.count)
      let z = NormalDistribution.quantile(1 - alpha / (2 * k))
      let all = families.flatMap { $0 }
      let value = all.map(\.d).max()!
      let lower = max(all.map { $0.d - z * $0.se }.max()!, 0)
      let upper = all.map { $0.d + z * $0.se }.max()!
      return Disparity(
        name: name, estimate: value, interval: ConfidenceInterval(lower: lower, upper: upper))
    }
    return [
      disparity("demographic_parity_difference", [spread(.selectionRate)]),
      disparity("equal_opportunity_difference", [spread(.truePositiveRate)]),
      disparity(
        "equalized_odds_difference", [spread(.truePositiveRate), spread(.falsePositiveRate)]),
    ].compactMap { $0 }
  }
}

/// The per-row a, b of a ratio metric on a group's labelled rows (with the gold label and with
/// the surrogate) and unlabelled rows (surrogate only).
private struct RatioSample {
  var a: [Double] = []
  var b: [Double] = []
  var aHat: [Double] = []
  var bHat: [Double] = []
  var aUnlabelled: [Double] = []
  var bUnlabelled: [Double] = []
  let denominatorName: String

  init(
    _ metric: GoldSampleAudit.Metric, labelled: [Int], unlabelled: [Int], _ labels: [Double],
    _ predictions: [UInt8], _ scores: [Double]?
  ) {
    func terms(_ y: Double, _ p: Double) -> (Double, Double) {
      switch metric {
      case .accuracy: return (p * y + (1 - p) * (1 - y), 1)
      case .truePositiveRate: return (p * y, y)
      case .falsePositiveRate: return (p * (1 - y), 1 - y)
      case .precision, .selectionRate: return (p * y, p)
      }
    }
    switch metric {
    case .truePositiveRate: denominatorName = "a positive label"
    case .falsePositiveRate: denominatorName = "a negative label"
    case .precision: denominatorName = "a positive prediction"
    default: denominatorName = "a label"
    }
    for i in labelled {
      let p = Double(predictions[i])
      let surrogate = scores?[i] ?? p
      let (ai, bi) = terms(labels[i], p)
      let (ah, bh) = terms(surrogate, p)
      a.append(ai)
      b.append(bi)
      aHat.append(ah)
      bHat.append(bh)
    }
    for i in unlabelled {
      let p = Double(predictions[i])
      let (ah, bh) = terms(scores?[i] ?? p, p)
      aUnlabelled.append(ah)
      bUnlabelled.append(bh)
    }
  }

  var labelledDenominator: Double { b.reduce(0, +) }

  /// θ̂_λ.
  func ratio(_ lambda: Double) -> Double {
    let n = Double(a.count)
    let bigN = Double(aUnlabelled.count)
    var numerator = 0.0
    var denominator = 0.0
    for i in a.indices {
      numerator += (a[i] - lambda * aHat[i]) / n
      denominator += (b[i] - lambda * bHat[i]) / n
    }
    if bigN > 0 && lambda != 0 {
      numerator += lambda * aUnlabelled.reduce(0, +) / bigN
      denominator += lambda * bUnlabelled.reduce(0, +) / bigN
    }
    return numerator / denominator
  }

  /// The gradient statistics at θ (Hessian: the PPI estimate of E[b] at `lambda`).
  func statistics(_ theta: Double, lambda: Double) -> GradientStatistics {
    let n = a.count
    let bigN = aUnlabelled.count
    let g = (0..<n).map { a[$0] - theta * b[$0] }
    let gHat = (0..<n).map { aHat[$0] - theta * bHat[$0] }
    let gU = (0..<bigN).map { aUnlabelled[$0] - theta * bUnlabelled[$0] }
    var hessian = 0.0
    for i in 0..<n { hessian += (b[i] - lambda * bHat[i]) / Double(n) }
    if bigN > 0 && lambda != 0 { hessian += lambda * bUnlabelled.reduce(0, +) / Double(bigN) }
    let moments = bigN > 0 ? MeanMoments(gU, weights: nil) : nil
    return GradientStatistics(
      dimension: 1, labelledCount: n, unlabelledCount: bigN, labelled: g, labelledPredicted: gHat,
      unlabelledSum: [moments?.gradientSum(at: 0) ?? 0],
      unlabelledScatter: [moments?.gradientScatter(at: 0) ?? 0], inverseHessian: [1 / hessian])
  }

  func estimate(_ interval: ZInterval) -> GoldSampleAudit.Value {
    var lambda = 0.0
    if !aUnlabelled.isEmpty {
      lambda = statistics(ratio(1), lambda: 1).tunedLambda().value
    }
    let theta = ratio(lambda)
    let se = statistics(theta, lambda: lambda).standardErrors(lambda: lambda)[0]
    return GoldSampleAudit.Value(
      estimate: theta, standardError: se, interval: interval.interval(theta, standardError: se),
      lambda: lambda)
  }
}
