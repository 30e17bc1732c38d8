import Foundation

/// Logistic regression whose loss carries a penalty on the demographic-parity gap of its
/// predicted probabilities.
///
///     L(w, b) = logistic loss (as ``LogisticRegression``) + λ · Σ_a (P̄_a − P̄)²
///
/// where `P̄_a` is the mean of `σ(xᵢ·w + b)` over group `a` and `P̄` over all rows. The penalty
/// is smooth, so the whole objective is minimised by ``LBFGS`` (gradient of `P̄_a`:
/// mean of `σ(1 − σ) xᵢ` over the group). `λ = 0` is the plain learner.
///
/// From the fairness-aware training of the seed paper ("loss + λ · disparity"); there is no
/// fairlearn/AIF360 counterpart.
///
/// Specific to logistic regression, unlike ``WorstGroupTraining``: the penalty is a function of
/// the model's own outputs `σ(x·w + b)`, and its gradient needs their derivative in the
/// parameters, which the whole objective is minimised over at once. A ``WeightedLearner`` only
/// fits to labels and sample weights, and no reweighting of the rows expresses a penalty on the
/// gap between group means of the predictions.
///
/// - Complexity: O(n · p) per objective evaluation.
public struct FairnessRegularizedLogisticRegression: Sendable {
  /// The logistic regression whose loss, penalty `C`, iterations and tolerance are used.
  public var learner: LogisticRegression
  /// Weight λ of the disparity penalty.
  public var fairnessWeight: Double

  /// Penalised training of `learner` with weight `fairnessWeight` (λ ≥ 0).
  public init(learner: LogisticRegression = LogisticRegression(), fairnessWeight: Double = 1) {
    self.learner = learner
    self.fairnessWeight = fairnessWeight
  }

  /// The penalised logistic regression fitted to a ``Dataset`` (``fitted(to:)``).
  public struct Model: MitigatedModel, DecidesByRule {
    /// The fitted logistic regression.
    public var model: LogisticRegression.Model
    /// The penalty weight λ it was fitted with.
    public var fairnessWeight: Double
    /// Feature columns of the training rows.
    public var featureCount: Int
    /// The training groups (occurring layout).
    public var groupNames: [String]

    /// The hard predictions `1[z > 0]` as 0 or 1.
    public func positiveProbabilities(on data: Dataset) throws -> [Double] {
      try decisions(data).map(Double.init)
    }

    /// The hard predictions `1[z > 0]`; draws nothing.
    public func predictions<G: RandomNumberGenerator>(
      on data: Dataset, using generator: inout G
    ) throws -> [UInt8] {
      try decisions(data)
    }

    private func decisions(_ data: Dataset) throws -> [UInt8] {
      try data.checkApplicable(
        featureCount: featureCount, groupNames: groupNames,
        "FairnessRegularizedLogisticRegression")
      return model.predictions(data.features)
    }

    var decisionRule: DecisionRule { .deterministic }

    /// `lambda`, then `intercept`, `coefficients` and `iterations`.
    public var summary: JSONValue {
      .object([("lambda", .number(fairnessWeight))] + model.summary.members)
    }

    /// The fit's warnings.
    public var warnings: [String] { model.warnings }
  }

  /// Fits to `features`, 0/1 `labels` and `groups`.
  ///
  /// - Throws: for sizes that differ, a label other than 0 or 1, one group, one class, λ < 0, or
  ///   a feature that is not finite.
  public func fitted(
    features: Matrix, labels: [UInt8], groups: Groups
  ) throws -> LogisticRegression.Model {
    let groups = groups.occurring()
    let n = features.rows
    let p = features.columns
    guard labels.count == n, groups.rowCount == n else {
      throw BiasKitError.lengthMismatch("FairnessRegularizedLogisticRegression", labels.count, n)
    }
    try checkBinaryLabels(labels, "FairnessRegularizedLogisticRegression")
    guard groups.count >= 2 else { throw BiasKitError.oneSensitiveGroup(groups.names.first ?? "") }
    guard labels.contains(0) && labels.contains(1) else {
      throw BiasKitError.oneClassLabel(labels.first == 1 ? 1 : 0)
    }
    guard fairnessWeight >= 0 else {
      throw BiasKitError(.invalidArgument, "the fairness weight λ must be ≥ 0")
    }
    for v in features.values where !v.isFinite {
      throw BiasKitError(
        .invalidValue, "FairnessRegularizedLogisticRegression: a feature value is not finite")
    }
    let y = labels.map(Double.init)
    let design = Design(features)
    let base = LogisticLoss(
      features: design, labels: y, weights: nil, weightSum: Double(n),
      l2: 1 / (learner.inverseRegularization * Double(n)), fitsIntercept: learner.fitsIntercept)
    let k = groups.count
    let sizes = groups.sizes()
    let lambda = fairnessWeight
    let dimension = p + (learner.fitsIntercept ? 1 : 0)
    var optimizer = LBFGS()
    optimizer.maxIterations = learner.maxIterations
    optimizer.gradientTolerance = learner.tolerance
    optimizer.functionTolerance = 64 * 2.220446049250313e-16
    optimizer.maxLineSearchSteps = 50
    let result = optimizer.minimize(from: [Double](repeating: 0, count: dimension)) {
      theta, gradient in
      var value = base.evaluate(theta, &gradient)
      if lambda == 0 { return value }
      let w = Array(theta[0..<p])
      let b = learner.fitsIntercept ? theta[p] : 0
      let z = design.decision(w, intercept: b)
      // Group means of σ and of σ(1−σ)·[x, 1].
      var mean = [Double](repeating: 0, count: k)
      var meanAll = 0.0
      var grad = [Double](repeating: 0, count: k * dimension)
      var gradAll = [Double](repeating: 0, count: dimension)
      for i in 0..<n {
        let s = logistic(z[i])
        let d = s * (1 - s)
        let a = Int(groups.codes[i])
        mean[a] += s / Double(sizes[a])
        meanAll += s / Double(n)
        let row = features.values[(i * p)..<((i + 1) * p)]
        for (jj, x) in zip(0..<p, row) where x != 0 {
          grad[a * dimension + jj] += d * x / Double(sizes[a])
          gradAll[jj] += d * x / Double(n)
        }
        if learner.fitsIntercept {
          grad[a * dimension + p] += d / Double(sizes[a])
          gradAll[p] += d / Double(n)
        }
      }
      for a in 0..<k {
        let gap = mean[a] - meanAll
        value += lambda * gap * gap
        for j in 0..<dimension {
          gradient[j] += 2 * lambda * gap * (grad[a * dimension + j] - gradAll[j])
        }
      }
      return value
    }
    var warnings: [String] = []
    if !result.status.converged {
      warnings.append(
        "FairnessRegularizedLogisticRegression did not converge in \(result.iterations) iterations")
    }
    return LogisticRegression.Model(
      coefficients: Array(result.x[0..<p]),
      intercept: learner.fitsIntercept ? result.x[p] : 0, iterations: result.iterations,
      converged: result.status.converged, warnings: warnings)
  }
}

// MARK: - Mitigator

extension FairnessRegularizedLogisticRegression: Mitigator {
  /// Fits to the dataset's features, labels and groups.
  ///
  /// - Throws: as ``fitted(features:labels:groups:)``, and when the data has no labels or
  ///   groups.
  public func fitted(to data: Dataset) throws -> Model {
    let (labels, groups) = try data.mitigationTarget("FairnessRegularizedLogisticRegression")
    return Model(
      model: try fitted(features: data.features, labels: labels, groups: groups),
      fairnessWeight: fairnessWeight, featureCount: data.features.columns,
      groupNames: groups.names)
  }
}
