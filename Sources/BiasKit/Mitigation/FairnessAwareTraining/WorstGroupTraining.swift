import Foundation

/// Trains a learner to minimise the largest group loss (group distributionally robust
/// optimisation) instead of the average loss.
///
///     min_h max_a L_a(h),     L_a = mean over group a of −[y log p + (1 − y) log(1 − p)]
///
/// Solved by the online algorithm of Sagawa et al.: keep a distribution `q` over groups; each
/// round fits the weighted learner with row weights `n · q_a / n_a` (warm-started from the
/// previous round where the learner can), then moves `q_a ∝ q_a · exp(η · L_a)` towards the
/// groups with the highest loss. The model of the round with the smallest worst-group training
/// loss is kept. The loss is the model's ``FittedClassifier/logLosses(_:labels:)`` (for
/// ``LogisticRegression``, from its decision function, stably).
///
/// From the fairness-aware training of the seed paper (worst-group loss); there is no
/// fairlearn/AIF360 counterpart. The learner's own regularisation applies (the L2 penalty `C`
/// of logistic regression).
///
/// - Complexity: `rounds` (warm-started) learner fits and `rounds` loss evaluations.
///
/// ## References
/// - Sagawa, Koh, Hashimoto, Liang. Distributionally Robust Neural Networks for Group Shifts.
///   ICLR 2020.
public struct WorstGroupTraining<Learner: WeightedLearner>: Sendable {
  /// The learner refitted each round.
  public var learner: Learner
  /// Rounds of the group-weight update.
  public var rounds: Int = 30
  /// Step size η of the exponentiated group-weight update.
  public var stepSize: Double = 1.0

  /// Worst-group training of `learner`.
  public init(learner: Learner) { self.learner = learner }

  /// The selected round's model.
  public struct Model: Sendable {
    /// The selected learner model.
    public var model: Learner.Model
    /// Mean log loss of each group on the training data, for the selected model, in the order
    /// of ``groupNames``.
    public var groupLosses: [Double]
    /// The group distribution used for the selected model.
    public var groupWeights: [Double]
    /// The round it came from (0-based).
    public var round: Int
    /// The worst group loss of each round.
    public var worstLossByRound: [Double]
    /// Warnings of the learner fits.
    public var warnings: [String]
    /// The training groups (occurring layout).
    public var groupNames: [String] = []
    /// Feature columns of the training rows.
    public var featureCount: Int = 0
  }

  /// Fits to `features`, 0/1 `labels` and `groups`.
  ///
  /// - Throws: for sizes that differ, a label other than 0 or 1, one class, one group, or
  ///   `rounds < 1` or a step size ≤ 0.
  public func fitted(features: Matrix, labels: [UInt8], groups: Groups) throws -> Model {
    let groups = groups.occurring()
    let n = features.rows
    guard labels.count == n, groups.rowCount == n else {
      throw BiasKitError.lengthMismatch(
        "WorstGroupTraining", labels.count == n ? groups.rowCount : labels.count, n)
    }
    try checkBinaryLabels(labels, "WorstGroupTraining")
    guard groups.count >= 2 else { throw BiasKitError.oneSensitiveGroup(groups.names.first ?? "") }
    guard labels.contains(0) && labels.contains(1) else {
      throw BiasKitError.oneClassLabel(labels.first == 1 ? 1 : 0)
    }
    guard rounds >= 1, stepSize > 0 else {
      throw BiasKitError(
        .invalidArgument, "WorstGroupTraining: rounds must be ≥ 1 and the step size > 0")
    }
    let k = groups.count
    let sizes = groups.sizes()
    let prepared = try learner.prepared(features)
    var q = [Double](repeating: 1 / Double(k), count: k)
    var previous: Learner.Model?
    var best: Model?
    var history: [Double] = []
    var warnings: [String] = []
    for round in 0..<rounds {
      let weights = (0..<n).map { i -> Double in
        let a = Int(groups.codes[i])
        return Double(n) * q[a] / Double(sizes[a])
      }
      let model = try learner.fitted(
        prepared, labels: labels, weights: weights, startingFrom: previous)
      for w in model.warnings where !warnings.contains(w) { warnings.append(w) }
      previous = model
      let rowLoss = model.logLosses(features, labels: labels)
      var loss = [Double](repeating: 0, count: k)
      for i in 0..<n { loss[Int(groups.codes[i])] += rowLoss[i] }
      for a in 0..<k { loss[a] /= Double(sizes[a]) }
      let worst = loss.max() ?? 0
      history.append(worst)
      if best == nil || worst < history[best?.round ?? 0] {
        best = Model(
          model: model, groupLosses: loss, groupWeights: q, round: round,
          worstLossByRound: [], warnings: [], groupNames: groups.names,
          featureCount: features.columns)
      }
      // q_a ∝ q_a exp(η L_a), computed in log space.
      let logits = (0..<k).map { log(q[$0]) + stepSize * loss[$0] }
      let m = logits.max() ?? 0
      let e = logits.map { exp($0 - m) }
      let total = e.reduce(0, +)
      q = e.map { $0 / total }
    }
    // rounds ≥ 1, so the first round set `best`.
    guard var result = best else { preconditionFailure("WorstGroupTraining: no round ran") }
    result.worstLossByRound = history
    result.warnings = warnings
    return result
  }
}

/// Worst-group training of the built-in logistic regression.
public typealias WorstGroupLogisticRegression = WorstGroupTraining<LogisticRegression>

extension WorstGroupTraining where Learner == LogisticRegression {
  /// Worst-group training of a default ``LogisticRegression``.
  public init() { self.init(learner: LogisticRegression()) }
}

// MARK: - Mitigator

extension WorstGroupTraining: Mitigator {
  /// Fits to the dataset's features, labels and groups.
  ///
  /// - Throws: as ``fitted(features:labels:groups:)``, and when the data has no labels or
  ///   groups.
  public func fitted(to data: Dataset) throws -> Model {
    let (labels, groups) = try data.mitigationTarget("WorstGroupTraining")
    return try fitted(features: data.features, labels: labels, groups: groups)
  }
}

extension WorstGroupTraining.Model: MitigatedModel, DecidesByRule {
  /// The selected model's hard predictions as 0 or 1.
  public func positiveProbabilities(on data: Dataset) throws -> [Double] {
    try decisions(data).map(Double.init)
  }

  /// The selected model's hard predictions; draws nothing.
  public func predictions<G: RandomNumberGenerator>(
    on data: Dataset, using generator: inout G
  ) throws -> [UInt8] {
    try decisions(data)
  }

  private func decisions(_ data: Dataset) throws -> [UInt8] {
    try data.checkApplicable(
      featureCount: featureCount, groupNames: groupNames, "WorstGroupTraining")
    return model.predictions(data.features)
  }

  var decisionRule: DecisionRule { .deterministic }

  /// `group_losses` and `group_weights` by group, the selected `round`, then the learner
  /// model's summary (for logistic regression `intercept`, `coefficients`, `iterations`).
  public var summary: JSONValue {
    .object(
      [
        ("group_losses", .byGroup(groupNames, groupLosses)),
        ("group_weights", .byGroup(groupNames, groupWeights)), ("round", .integer(round)),
      ] + model.summary.members)
  }
}
