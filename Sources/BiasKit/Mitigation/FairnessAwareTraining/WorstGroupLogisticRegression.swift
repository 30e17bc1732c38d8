import Foundation

/// Logistic regression trained to minimise the largest group loss (group distributionally
/// robust optimisation) instead of the average loss.
///
///     min_w max_a L_a(w),     L_a = mean over group a of log(1 + e^{z}) − y z
///
/// Solved by the online algorithm of Sagawa et al.: keep a distribution `q` over groups; each
/// round fits the weighted logistic regression with row weights `n · q_a / n_a` (warm-started
/// from the previous round), then moves `q_a ∝ q_a · exp(η · L_a)` towards the groups with the
/// highest loss. The model of the round with the smallest worst-group training loss is kept.
///
/// From the fairness-aware training of the seed paper (worst-group loss); there is no
/// fairlearn/AIF360 counterpart. The L2 penalty is the learner's (`C`).
///
/// - Complexity: `rounds` warm-started learner fits.
///
/// ## References
/// - Sagawa, Koh, Hashimoto, Liang. Distributionally Robust Neural Networks for Group Shifts.
///   ICLR 2020.
public struct WorstGroupLogisticRegression: Sendable {
  public var learner: LogisticRegression
  /// Rounds of the group-weight update.
  public var rounds: Int = 30
  /// Step size η of the exponentiated group-weight update.
  public var stepSize: Double = 1.0

  public init(learner: LogisticRegression = LogisticRegression()) { self.learner = learner }

  public struct Model: Sendable {
    /// The selected logistic regression.
    public var model: LogisticRegression.Model
    /// Mean log loss of each group on the training data, for the selected model.
    public var groupLosses: [Double]
    /// The group distribution used for the selected model.
    public var groupWeights: [Double]
    /// The round it came from (0-based) and the worst group loss per round.
    public var round: Int
    public var worstLossByRound: [Double]
    public var warnings: [String]
  }

  public func fitted(features: Matrix, labels: [UInt8], groups: Groups) throws -> Model {
    let groups = groups.occurring()
    let n = features.rows
    guard labels.count == n, groups.rowCount == n else {
      throw BiasKitError.lengthMismatch("WorstGroupLogisticRegression", labels.count, n)
    }
    guard groups.count >= 2 else { throw BiasKitError.oneSensitiveGroup(groups.names.first ?? "") }
    guard rounds >= 1, stepSize > 0 else {
      throw BiasKitError(
        .invalidArgument, "WorstGroupLogisticRegression: rounds must be ≥ 1 and the step size > 0")
    }
    let k = groups.count
    let sizes = groups.sizes()
    let y = labels.map(Double.init)
    var q = [Double](repeating: 1 / Double(k), count: k)
    var previous: LogisticRegression.Model?
    var best: Model?
    var history: [Double] = []
    var warnings: [String] = []
    for round in 0..<rounds {
      let weights = (0..<n).map { i -> Double in
        let a = Int(groups.codes[i])
        return Double(n) * q[a] / Double(sizes[a])
      }
      let model = try learner.fitted(
        features: features, labels: y, weights: weights, initial: previous)
      for w in model.warnings where !warnings.contains(w) { warnings.append(w) }
      previous = model
      let z = model.decisionFunction(features)
      var loss = [Double](repeating: 0, count: k)
      for i in 0..<n {
        let l = (z[i] > 0 ? z[i] : 0) + log1p(exp(-abs(z[i]))) - y[i] * z[i]
        loss[Int(groups.codes[i])] += l
      }
      for a in 0..<k { loss[a] /= Double(sizes[a]) }
      let worst = loss.max()!
      history.append(worst)
      if best == nil || worst < best!.worstLossByRound[best!.round] {
        best = Model(
          model: model, groupLosses: loss, groupWeights: q, round: round,
          worstLossByRound: history, warnings: [])
      }
      // q_a ∝ q_a exp(η L_a), computed in log space.
      let logits = (0..<k).map { log(q[$0]) + stepSize * loss[$0] }
      let m = logits.max()!
      let e = logits.map { exp($0 - m) }
      let total = e.reduce(0, +)
      q = e.map { $0 / total }
    }
    var result = best!
    result.worstLossByRound = history
    result.warnings = warnings
    return result
  }
}
