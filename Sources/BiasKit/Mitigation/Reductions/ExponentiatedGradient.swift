import Foundation

/// A classifier from a fairness-constrained reduction: a distribution over base predictors.
///
///     P(ŷ = 1 | x) = Σ_t Q_t · h_t(x)
///
/// Each `h_t` is a hard classifier: a fitted model's `predict`, or a constant when the
/// relabelled problem had one class.
public struct RandomizedClassifier<Model: FittedClassifier>: Sendable {
  /// One base predictor.
  public enum Predictor: Sendable {
    /// A fitted model's hard predictions.
    case model(Model)
    /// The same prediction for every row (the relabelled problem had one class).
    case constant(UInt8)

    /// Hard 0/1 predictions on `features`.
    public func predictions(_ features: Matrix) -> [UInt8] {
      switch self {
      case .model(let model): return model.predictions(features)
      case .constant(let value): return [UInt8](repeating: value, count: features.rows)
      }
    }

    /// The fitted model, unless the predictor is a constant.
    public var model: Model? {
      if case .model(let model) = self { return model }
      return nil
    }
  }

  /// The base predictors, in the order they were found (fairlearn `predictors_`).
  public var predictors: [Predictor]
  /// Their weights `Q_t`, summing to 1 (fairlearn `weights_`).
  public var weights: [Double]

  /// `P(ŷ = 1)` for each row (fairlearn `_pmf_predict(X)[:, 1]`). The weights sum to 1 up to
  /// rounding, so a row that every weighted predictor calls 1 may get 1 plus a few ulps, as in
  /// fairlearn.
  public func positiveProbabilities(_ features: Matrix) -> [Double] {
    var out = [Double](repeating: 0, count: features.rows)
    for (t, predictor) in predictors.enumerated() where weights[t] != 0 {
      let h = predictor.predictions(features)
      let w = weights[t]
      for i in 0..<out.count { out[i] += w * Double(h[i]) }
    }
    return out
  }

  /// Randomised predictions `1[p ≥ U]`, `U ~ Uniform[0, 1)` from `generator` (fairlearn
  /// `predict(X, random_state=…)` with BiasKit's generator).
  public func predictions<G: RandomNumberGenerator>(
    _ features: Matrix, using generator: inout G
  ) -> [UInt8] {
    positiveProbabilities(features).map {
      $0 >= Double.random(in: 0..<1, using: &generator) ? 1 : 0
    }
  }
}

/// Finds the randomised classifier with the lowest error subject to a fairness constraint, by
/// a two-player game between the learner (best response to Lagrange multipliers λ) and an
/// exponentiated-gradient update of λ.
///
///     min_Q max_{λ ≥ 0, ‖λ‖₁ ≤ B}  err(Q) + λᵀ(γ(Q) − ε),      B = 1 / eps
///
/// Each iteration relabels and reweights the data from the signed costs
/// `w_i = (2y_i − 1) + (u1 − u0)_i · (Uλ)_i`: label `1[w_i > 0]`, weight `n·|w_i| / Σ|w|`,
/// and fits the learner to it. θ is updated by `η · (γ(h_t) − ε)`, `λ = B·e^θ / (1 + Σ e^θ)`.
/// From the second iteration on, a linear program over the predictors found so far gives a
/// second candidate; the one with the smaller duality gap is kept. Stops once the gap is below
/// `nu` after at least 5 iterations, shrinking η by 0.8 when the regret stalls.
///
/// Corresponds to fairlearn 0.15's `ExponentiatedGradient(estimator, constraints, eps=0.01,
/// max_iter=50, nu=None, eta0=2.0, run_linprog_step=True)` with a `UtilityParity` moment
/// and the `ErrorRate` objective, or a ``BoundedGroupLoss`` moment and its `MeanLoss`
/// objective (labels kept, weights `n·|1 + λ_a/p_a| / Σ`), including its constants (`_MIN_ITER = 5`, the regret check
/// from t = 5 at ×1.6 steps, `_PRECISION = 1e-8`, `nu = 0.5 · std(|h₀ − y|) / √n`). The
/// learner is ``LogisticRegression``, fitted from zero at each call like a cloned scikit-learn
/// estimator (``warmStart`` optionally starts from the last fit instead: faster, but the
/// predictors then differ slightly from fairlearn's because the solver stops at `tol`).
///
/// - Complexity: O(calls × learner fit) with 4–5 learner calls per iteration.
///
/// ## References
/// - Agarwal, Beygelzimer, Dudík, Langford, Wallach. A Reductions Approach to Fair
///   Classification. ICML 2018.
public struct ExponentiatedGradient<Learner: WeightedLearner>: Sendable {
  /// The learner fitted at each best response (fairlearn `estimator`).
  public var learner: Learner
  /// The constraint (fairlearn `constraints`).
  public var constraint: ReductionConstraint
  /// Allowed constraint violation of the result (fairlearn `eps`); also sets `B = 1/eps`.
  public var eps: Double = 0.01
  /// Maximum iterations (`max_iter`).
  public var maxIterations: Int = 50
  /// Convergence threshold on the duality gap; `nil` chooses it from the first predictor (`nu`).
  public var nu: Double? = nil
  /// Initial step size, divided by B (`eta0`).
  public var eta0: Double = 2.0
  /// Whether to run the linear-program step (`run_linprog_step`).
  public var runsLinearProgramStep = true
  /// Start each learner fit from the previous fit's coefficients.
  public var warmStart = false

  /// A reduction of `learner` under a parity constraint.
  public init(learner: Learner, constraint: UtilityParity) {
    self.learner = learner
    self.constraint = .parity(constraint)
  }

  /// A reduction under a bound on every group's loss.
  public init(learner: Learner, constraint: BoundedGroupLoss) {
    self.learner = learner
    self.constraint = .boundedGroupLoss(constraint)
  }

  /// Either kind of constraint.
  public init(learner: Learner, constraint: ReductionConstraint) {
    self.learner = learner
    self.constraint = constraint
  }

  /// The fitted reduction.
  public struct Model: Sendable {
    /// The randomised classifier (best iterate).
    public var classifier: RandomizedClassifier<Learner.Model>
    /// The duality gap of the best iterate (`best_gap_`).
    public var bestGap: Double
    /// Index of the last iteration (`last_iter_`).
    public var lastIteration: Int
    /// Index of the best iteration (`best_iter_`).
    public var bestIteration: Int
    /// Learner calls (`n_oracle_calls_`).
    public var oracleCalls: Int
    /// The `nu` used.
    public var nu: Double
    /// Training error of each predictor.
    public var errors: [Double]
    /// γ of each predictor, in the moment's constraint order.
    public var gammas: [[Double]]
    /// Warnings from the learner fits, about convergence, and about a parity constraint not
    /// met on the training data.
    public var warnings: [String]
    /// The constraint it was fitted under.
    public var constraint: ReductionConstraint
    /// The names of the control features (fairlearn `control_features`), if any.
    public var controlFeatures: [String]
    /// The training groups (occurring layout).
    public var groupNames: [String]
    /// Feature columns of the training rows.
    public var featureCount: Int
  }

  /// Fits to `features`, 0/1 `labels` and sensitive `groups`; with `controls` (fairlearn
  /// `control_features`) a parity constraint holds within each control stratum (see
  /// ``UtilityParity``).
  ///
  /// Without control features, a demographic-parity or equalized-odds constraint with a
  /// difference bound `d` whose expected violation on the training data exceeds `d + eps`
  /// (by more than 1e-9) adds a warning: the best iterate did not reach the bound.
  ///
  /// - Throws: for sizes that differ, a label other than 0 or 1, one group, one class in the
  ///   labels, bad bounds, `maxIterations < 1`, or control features with ``BoundedGroupLoss``
  ///   (fairlearn's takes none either).
  public func fitted(
    features: Matrix, labels: [UInt8], groups: Groups, controls: Groups? = nil
  ) throws -> Model {
    let groups = groups.occurring()
    let controls = controls?.occurring()
    let n = features.rows
    if let controls {
      guard controls.rowCount == n else {
        throw BiasKitError.lengthMismatch(
          "ExponentiatedGradient control features", controls.rowCount, n)
      }
      if case .boundedGroupLoss = constraint {
        throw BiasKitError(
          .invalidArgument,
          "bounded_group_loss takes no control features (fairlearn's BoundedGroupLoss neither)")
      }
    }
    guard eps > 0 else {
      throw BiasKitError(.invalidArgument, "ExponentiatedGradient: eps must be > 0")
    }
    try constraint.validate(
      "ExponentiatedGradient", features: features, labels: labels, groups: groups)
    guard maxIterations >= 1 else {
      throw BiasKitError(
        .invalidArgument, "ExponentiatedGradient: maxIterations must be at least 1")
    }
    var lagrangian = try Lagrangian(
      oracle: ReductionOracle(
        learner: learner, features: features, labels: labels,
        moment: constraint.loaded(labels: labels, groups: groups, controls: controls),
        weighting: .lagrangian),
      bound: 1 / eps, warmStart: warmStart)
    let k = lagrangian.moment.count
    let bigB = 1 / eps
    var theta = [Double](repeating: 0, count: k)
    var qSum: [Int: Double] = [:]
    var qOrder: [Int] = []
    var gapsEG: [Double] = []
    var gaps: [Double] = []
    var qs: [[Int: Double]] = []
    var lastRegretChecked = 5.0
    var lastGap = Double.infinity
    var lambdaSum = [Double](repeating: 0, count: k)
    var nu = self.nu ?? 0
    var eta = 0.0
    for t in 0..<maxIterations {
      var expSum = 0.0
      let e = theta.map { exp($0) }
      for v in e { expSum += v }
      let lambda = e.map { bigB * $0 / (1 + expSum) }
      for j in 0..<k { lambdaSum[j] += lambda[j] }
      let lambdaEG = lambdaSum.map { $0 / Double(t + 1) }
      let hIndex = try lagrangian.bestResponse(lambda)
      if t == 0 {
        if self.nu == nil {
          let h = lagrangian.trainPredictions[hIndex]
          var values = [Double](repeating: 0, count: n)
          var mean = 0.0
          for i in 0..<n {
            values[i] = abs(Double(h[i]) - Double(labels[i]))
            mean += values[i]
          }
          mean /= Double(n)
          var ss = 0.0
          for v in values { ss += (v - mean) * (v - mean) }
          let std = n > 1 ? (ss / Double(n - 1)).squareRoot() : 0
          nu = 0.5 * std / Double(n).squareRoot()
        }
        eta = eta0 / bigB
      }
      if qSum[hIndex] == nil {
        qSum[hIndex] = 0
        qOrder.append(hIndex)
      }
      qSum[hIndex]! += 1
      let gamma = lagrangian.gammas[hIndex]
      var total = 0.0
      for h in qOrder { total += qSum[h]! }
      var qEG: [Int: Double] = [:]
      for h in qOrder { qEG[h] = qSum[h]! / total }
      let gapEG = try lagrangian.evaluateGap(qEG, lambdaEG, nu: nu).gap
      gapsEG.append(gapEG)
      var gapLP = Double.infinity
      var qLP: [Int: Double] = [:]
      if t > 0 && runsLinearProgramStep {
        let lp = try lagrangian.solveLinearProgram(nu: nu)
        qLP = lp.q
        gapLP = lp.gap
      }
      if gapEG < gapLP {
        qs.append(qEG)
        gaps.append(gapEG)
      } else {
        qs.append(qLP)
        gaps.append(gapLP)
      }
      if gaps[t] < nu && t >= 5 { break }
      if Double(t) >= lastRegretChecked * 1.6 {
        let bestGap = gapsEG.min() ?? .infinity
        if bestGap > lastGap * 0.8 { eta *= 0.8 }
        lastRegretChecked = Double(t)
        lastGap = bestGap
      }
      for j in 0..<k { theta[j] += eta * (gamma[j] - lagrangian.moment.bound) }
    }
    // maxIterations ≥ 1, so at least one gap was recorded.
    let minGap = gaps.min() ?? .infinity
    var bestIteration = 0
    for (t, g) in gaps.enumerated() where g <= minGap + 1e-8 { bestIteration = t }
    let q = qs[bestIteration]
    let weights = (0..<lagrangian.predictors.count).map { q[$0] ?? 0 }
    var warnings = lagrangian.warnings
    if minGap >= nu && gaps.count == maxIterations {
      warnings.append(
        "ExponentiatedGradient did not reach the duality gap nu = \(nu) in \(maxIterations) iterations (best gap \(minGap)); the constraint may not be met"
      )
    }
    if controls == nil,
      let warning = try unmetConstraint(
        weights: weights, trainPredictions: lagrangian.trainPredictions, labels: labels,
        groups: groups)
    {
      warnings.append(warning)
    }
    return Model(
      classifier: RandomizedClassifier<Learner.Model>(
        predictors: lagrangian.predictors, weights: weights),
      bestGap: gaps[bestIteration], lastIteration: gaps.count - 1, bestIteration: bestIteration,
      oracleCalls: lagrangian.oracleCalls, nu: nu, errors: lagrangian.errors,
      gammas: lagrangian.gammas, warnings: warnings, constraint: constraint,
      controlFeatures: controls?.features ?? [], groupNames: groups.names,
      featureCount: features.columns)
  }

  /// The warning that a demographic-parity or equalized-odds difference bound is not met on the
  /// training rows by the expected predictions `Σ_t Q_t · h_t` (summed as
  /// ``RandomizedClassifier/positiveProbabilities(_:)`` sums them), or nil.
  func unmetConstraint(
    weights: [Double], trainPredictions: [[UInt8]], labels: [UInt8], groups: Groups
  ) throws -> String? {
    guard case .parity(let parity) = constraint, case .difference(let bound) = parity.bound,
      constraint.kind == .demographicParity || constraint.kind == .equalizedOdds
    else { return nil }
    var p = [Double](repeating: 0, count: labels.count)
    for (t, h) in trainPredictions.enumerated() where weights[t] != 0 {
      let w = weights[t]
      for i in 0..<p.count { p[i] += w * Double(h[i]) }
    }
    let violation = try ExpectedOutcome(probabilities: p, labels: labels, groups: groups)
      .value(of: constraint.violation)
    guard violation > bound + eps + 1e-9 else { return nil }
    return
      "the constraint is not met on the training data: expected \(constraint.name) violation \(violation) > bound \(bound) + eps \(eps)"
  }
}

/// The Lagrangian of a reduction: the predictors found so far, their errors and γ, and the
/// learner's best response (fairlearn `_Lagrangian`).
struct Lagrangian<Learner: WeightedLearner> {
  let oracle: ReductionOracle<Learner>
  let bound: Double
  let warmStart: Bool
  var predictors: [RandomizedClassifier<Learner.Model>.Predictor] = []
  var trainPredictions: [[UInt8]] = []
  var errors: [Double] = []
  var gammas: [[Double]] = []
  var oracleCalls = 0
  var warnings: [String] = []
  var lastModel: Learner.Model? = nil
  var lastLinearProgram: (count: Int, q: [Int: Double], gap: Double)? = nil

  var labels: [UInt8] { oracle.labels }
  var moment: any LoadedMoment { oracle.moment }

  init(oracle: ReductionOracle<Learner>, bound: Double, warmStart: Bool) {
    self.oracle = oracle
    self.bound = bound
    self.warmStart = warmStart
  }

  /// Error rate of predictions (ErrorRate moment with unit costs).
  func error(_ h: [UInt8]) -> Double {
    var wrong = 0
    for i in 0..<h.count where h[i] != labels[i] { wrong += 1 }
    return Double(wrong) / Double(h.count)
  }

  /// Fits the learner to the relabelled, reweighted problem for `lambda`.
  mutating func callOracle(
    _ lambda: [Double]
  ) throws -> (
    RandomizedClassifier<Learner.Model>.Predictor, [UInt8]
  ) {
    oracleCalls += 1
    let response = try oracle.bestResponse(lambda, startingFrom: warmStart ? lastModel : nil)
    if let model = response.model {
      if warmStart { lastModel = model }
      for w in model.warnings where !warnings.contains(w) { warnings.append(w) }
    }
    return (response.predictor, response.predictions)
  }

  /// Best response to `lambda`; returns the index of the chosen predictor (a new one if it
  /// improves on the known ones by more than 1e-8).
  mutating func bestResponse(_ lambda: [Double]) throws -> Int {
    let (predictor, h) = try callOracle(lambda)
    let hError = error(h)
    let hGamma = moment.gamma(h)
    var hValue = hError
    for j in 0..<hGamma.count { hValue += hGamma[j] * lambda[j] }
    var bestIndex = -1
    var bestValue = Double.infinity
    for t in 0..<predictors.count {
      var v = errors[t]
      for j in 0..<lambda.count { v += gammas[t][j] * lambda[j] }
      if v < bestValue {
        bestValue = v
        bestIndex = t
      }
    }
    if hValue < bestValue - 1e-8 {
      predictors.append(predictor)
      trainPredictions.append(h)
      errors.append(hError)
      gammas.append(hGamma)
      bestIndex = predictors.count - 1
    }
    return bestIndex
  }

  /// L, L_high of distribution `q` at `lambda` (projected).
  func evaluate(_ q: [Int: Double], _ lambda: [Double]) -> (l: Double, lHigh: Double) {
    var error = 0.0
    var gamma = [Double](repeating: 0, count: moment.count)
    for (t, w) in q.sorted(by: { $0.key < $1.key }) {
      error += errors[t] * w
      for j in 0..<gamma.count { gamma[j] += gammas[t][j] * w }
    }
    let projected = moment.projectLambda(lambda)
    var l = error
    var maxConstraint = -Double.infinity
    for j in 0..<gamma.count {
      l += projected[j] * (gamma[j] - moment.bound)
      maxConstraint = max(maxConstraint, gamma[j] - moment.bound)
    }
    var lHigh = error
    if maxConstraint > 0 { lHigh += bound * maxConstraint }
    return (l, lHigh)
  }

  /// The duality gap of `q` against `lambdaHat` (fairlearn `eval_gap`).
  mutating func evaluateGap(
    _ q: [Int: Double], _ lambdaHat: [Double], nu: Double
  ) throws -> (gap: Double, l: Double) {
    let (l, lHigh) = evaluate(q, lambdaHat)
    var lLow = l
    func gap() -> Double { max(l - lLow, lHigh - l) }
    for multiplier in [1.0, 2.0, 5.0, 10.0] {
      let index = try bestResponse(lambdaHat.map { multiplier * $0 })
      let lowMultiplier = evaluate([index: 1.0], lambdaHat).l
      if lowMultiplier < lLow { lLow = lowMultiplier }
      if gap() > nu + 1e-8 { break }
    }
    return (gap(), l)
  }

  /// The best distribution over the known predictors and its multipliers, by linear
  /// programming (fairlearn `solve_linprog`).
  mutating func solveLinearProgram(nu: Double) throws -> (q: [Int: Double], gap: Double) {
    let hs = predictors.count
    if let last = lastLinearProgram, last.count == hs { return (last.q, last.gap) }
    let k = moment.count
    // Primal: min errᵀQ + B s  s.t. (γ − ε)ᵀQ − s ≤ 0, ΣQ = 1, Q, s ≥ 0.
    var primal = LinearProgram(c: errors + [bound])
    for j in 0..<k {
      primal.upperRows.append((0..<hs).map { gammas[$0][j] - moment.bound } + [-1])
      primal.upperBounds.append(0)
    }
    primal.equalRows = [[Double](repeating: 1, count: hs) + [0]]
    primal.equalBounds = [1]
    guard case .optimal(let x, _) = primal.solve() else {
      throw BiasKitError(
        .notConverged,
        "ExponentiatedGradient: the linear program over the predictors has no solution")
    }
    var q: [Int: Double] = [:]
    for t in 0..<hs { q[t] = x[t] }
    // Dual: max μ  s.t. μ − (γ_h − ε)ᵀλ ≤ err_h for each h, Σλ ≤ B, λ ≥ 0 (μ = μ⁺ − μ⁻).
    var dual = LinearProgram(c: [Double](repeating: 0, count: k) + [-1, 1])
    for t in 0..<hs {
      dual.upperRows.append((0..<k).map { -(gammas[t][$0] - moment.bound) } + [1, -1])
      dual.upperBounds.append(errors[t])
    }
    dual.upperRows.append([Double](repeating: 1, count: k) + [0, 0])
    dual.upperBounds.append(bound)
    guard case .optimal(let y, _) = dual.solve() else {
      throw BiasKitError(
        .notConverged, "ExponentiatedGradient: the dual linear program has no solution")
    }
    let lambda = Array(y[0..<k])
    let gap = try evaluateGap(q, lambda, nu: nu).gap
    lastLinearProgram = (hs, q, gap)
    return (q, gap)
  }
}

extension ExponentiatedGradient where Learner == LogisticRegression {
  /// A reduction of the built-in logistic regression under a parity constraint.
  public init(constraint: UtilityParity) {
    self.init(learner: LogisticRegression(), constraint: constraint)
  }

  /// A reduction of the built-in logistic regression under a bound on every group's loss.
  public init(constraint: BoundedGroupLoss) {
    self.init(learner: LogisticRegression(), constraint: constraint)
  }

  /// A reduction of the built-in logistic regression under either kind of constraint.
  public init(constraint: ReductionConstraint) {
    self.init(learner: LogisticRegression(), constraint: constraint)
  }
}

// MARK: - Mitigator

extension ExponentiatedGradient: Mitigator {
  /// Fits to the dataset's features, labels, groups and control groups (fairlearn
  /// `control_features`).
  ///
  /// - Throws: as ``fitted(features:labels:groups:controls:)``, and when the data has no labels
  ///   or groups.
  public func fitted(to data: Dataset) throws -> Model {
    let (labels, groups) = try data.mitigationTarget("ExponentiatedGradient")
    return try fitted(
      features: data.features, labels: labels, groups: groups, controls: data.control)
  }

  /// The constraint's gap.
  public var violation: ExpectedOutcome.Violation { constraint.violation }
}

extension ExponentiatedGradient.Model: MitigatedModel, DecidesByRule {
  /// ``RandomizedClassifier/positiveProbabilities(_:)`` of the dataset's features.
  public func positiveProbabilities(on data: Dataset) throws -> [Double] {
    try data.checkApplicable(
      featureCount: featureCount, groupNames: groupNames, "ExponentiatedGradient")
    return classifier.positiveProbabilities(data.features)
  }

  /// ``RandomizedClassifier/predictions(_:using:)`` of the dataset's features.
  public func predictions<G: RandomNumberGenerator>(
    on data: Dataset, using generator: inout G
  ) throws -> [UInt8] {
    try data.checkApplicable(
      featureCount: featureCount, groupNames: groupNames, "ExponentiatedGradient")
    return classifier.predictions(data.features, using: &generator)
  }

  var decisionRule: DecisionRule { .bernoulli }

  /// `constraint`, the predictors' `weights`, the number of `predictors`, `best_gap`,
  /// `last_iter`, `best_iter`, `n_oracle_calls`, `nu` and `control_features` (fairlearn's
  /// names).
  public var summary: JSONValue {
    .object([
      ("constraint", .string(constraint.name)),
      ("weights", .array(classifier.weights.map { .number($0) })),
      ("predictors", .integer(classifier.predictors.count)), ("best_gap", .number(bestGap)),
      ("last_iter", .integer(lastIteration)), ("best_iter", .integer(bestIteration)),
      ("n_oracle_calls", .integer(oracleCalls)), ("nu", .number(nu)),
      ("control_features", .array(controlFeatures.map { .string($0) })),
    ])
  }
}

extension RandomizedClassifier {
  /// Every predictor's hard predictions on `features` with its weight `Q_t`, in order (the
  /// candidates of a reduction's accuracy-versus-disparity trade-off).
  public func candidatePredictions(_ features: Matrix) -> [(predictions: [UInt8], weight: Double)] {
    zip(predictors, weights).map { ($0.predictions(features), $1) }
  }
}
