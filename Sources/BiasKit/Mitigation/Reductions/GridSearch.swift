import Foundation

/// Fits one learner per point of a grid of Lagrange multipliers and keeps the one with the
/// best trade-off between error and constraint violation.
///
///     best = argmin_i (1 − c) · err(h_i) + c · max_j γ_j(h_i)      (c = constraintWeight)
///
/// For each multiplier vector λ on the grid, the learner is fitted to labels `1[w > 0]` with
/// weights `|w|`, where `w = (2y − 1) + (u1 − u0)(Uλ)` are the signed costs of the moment.
/// The grid spans `λ(+, e, a) − λ(−, e, a)` for each event `e` and every group `a` but the
/// last one seen, in integer steps scaled to `gridLimit`, enumerated as fairlearn's
/// `_GridGenerator` does (all coordinates in `[−n, n]` with L1 norm at most `n`, the first
/// `gridSize` of them, `n` the smallest count that gives enough points).
///
/// Corresponds to fairlearn 0.15's `GridSearch(estimator, constraints, grid_size=10,
/// grid_limit=2.0, constraint_weight=0.5)` with a `UtilityParity` moment (or a
/// ``BoundedGroupLoss`` moment: labels kept, weights `λ_a / p_a`, grid points with `Σλ = grid_limit`); ``Model/predictions(_:)``
/// is `predict` (the best predictor's hard predictions). Groups and events are taken in order
/// of first appearance for the grid axes, as fairlearn's `unique()`.
///
/// - Complexity: gridSize learner fits.
public struct GridSearch<Learner: WeightedLearner>: Sendable {
  /// The learner fitted at each grid point (fairlearn `estimator`).
  public var learner: Learner
  /// The constraint (fairlearn `constraints`).
  public var constraint: ReductionConstraint
  /// Number of grid points (`grid_size`).
  public var gridSize: Int = 10
  /// Largest multiplier magnitude (`grid_limit`).
  public var gridLimit: Double = 2.0
  /// Weight of the violation in the selection rule (`constraint_weight`).
  public var constraintWeight: Double = 0.5

  /// A grid search of `learner` under a parity constraint.
  public init(learner: Learner, constraint: UtilityParity) {
    self.learner = learner
    self.constraint = .parity(constraint)
  }

  /// A grid search under a bound on every group's loss.
  public init(learner: Learner, constraint: BoundedGroupLoss) {
    self.learner = learner
    self.constraint = .boundedGroupLoss(constraint)
  }

  /// Either kind of constraint.
  public init(learner: Learner, constraint: ReductionConstraint) {
    self.learner = learner
    self.constraint = constraint
  }

  /// The fitted grid: every predictor and the selected one.
  public struct Model: Sendable {
    /// Every fitted predictor, in grid order (`predictors_`).
    public var predictors: [RandomizedClassifier<Learner.Model>.Predictor]
    /// Multipliers of each grid point, in the moment's constraint order (`lambda_vecs_`).
    public var lambdas: [[Double]]
    /// Training error of each predictor (`objectives_`).
    public var errors: [Double]
    /// γ of each predictor (`gammas_`).
    public var gammas: [[Double]]
    /// Index of the selected predictor (`best_idx_`).
    public var bestIndex: Int
    /// Warnings of the learner fits.
    public var warnings: [String]
    /// The constraint it was fitted under.
    public var constraint: ReductionConstraint
    /// The training groups (occurring layout).
    public var groupNames: [String]
    /// Feature columns of the training rows.
    public var featureCount: Int

    /// The selected predictor's hard predictions.
    public func predictions(_ features: Matrix) -> [UInt8] {
      predictors[bestIndex].predictions(features)
    }
  }

  /// Fits one learner per grid point to `features`, 0/1 `labels` and `groups`, and selects one.
  ///
  /// - Throws: for sizes that differ, a label other than 0 or 1, one group, one class, bad
  ///   bounds or a grid size < 1.
  public func fitted(features: Matrix, labels: [UInt8], groups: Groups) throws -> Model {
    let groups = groups.occurring()
    let n = features.rows
    guard gridSize >= 1 else {
      throw BiasKitError(.invalidArgument, "GridSearch: grid size must be at least 1")
    }
    try constraint.validate("GridSearch", features: features, labels: labels, groups: groups)
    let moment = constraint.loaded(labels: labels, groups: groups)
    let lambdas: [[Double]]
    switch constraint {
    case .parity(let parity):
      lambdas = Self.parityGrid(
        UtilityParity.Loaded(parity: parity, labels: labels, groups: groups), groups: groups,
        gridSize: gridSize, gridLimit: gridLimit)
    case .boundedGroupLoss:
      lambdas = Self.lossGrid(groups: groups, gridSize: gridSize, gridLimit: gridLimit)
    }
    let oracle = try ReductionOracle(
      learner: learner, features: features, labels: labels, moment: moment, weighting: .grid)
    var model = Model(
      predictors: [], lambdas: [], errors: [], gammas: [], bestIndex: 0, warnings: [],
      constraint: constraint, groupNames: groups.names, featureCount: features.columns)
    var bestLoss = Double.infinity
    for lambda in lambdas {
      let response = try oracle.bestResponse(lambda)
      let h = response.predictions
      for w in response.model?.warnings ?? [] where !model.warnings.contains(w) {
        model.warnings.append(w)
      }
      let predictor = response.predictor
      var wrong = 0
      for i in 0..<n where h[i] != labels[i] { wrong += 1 }
      let error = Double(wrong) / Double(n)
      let gamma = moment.gamma(h)
      let loss = (1 - constraintWeight) * error + constraintWeight * (gamma.max() ?? 0)
      if loss < bestLoss {
        bestLoss = loss
        model.bestIndex = model.predictors.count
      }
      model.predictors.append(predictor)
      model.lambdas.append(lambda)
      model.errors.append(error)
      model.gammas.append(gamma)
    }
    return model
  }

  /// fairlearn's `_GridGenerator` for a `UtilityParity` moment: axes `λ(+) − λ(−)` for each
  /// event and every group but the last (orders of appearance), negative values allowed.
  static func parityGrid(
    _ moment: UtilityParity.Loaded, groups: Groups, gridSize: Int,
    gridLimit: Double
  ) -> [[Double]] {
    // Axes: events (order of appearance) × groups but the last (order of appearance).
    var groupOrder: [Int] = []
    var seenGroup = Set<Int32>()
    for c in groups.codes where !seenGroup.contains(c) {
      seenGroup.insert(c)
      groupOrder.append(Int(c))
    }
    var eventOrder: [Int] = []
    var seenEvent = Set<Int32>()
    for e in moment.eventOf where e >= 0 && !seenEvent.contains(e) {
      seenEvent.insert(e)
      eventOrder.append(Int(e))
    }
    var axes: [(plus: Int, minus: Int)] = []  // constraint indices, -1 if the cell is absent
    let c = moment.cells.count
    for e in eventOrder {
      for g in groupOrder.dropLast() {
        let k = moment.cellIndex[e][g]
        axes.append(k >= 0 ? (k, c + k) : (-1, -1))
      }
    }
    let dim = axes.count
    var units = Int((Double(gridSize) / pow(2.0, Double(dim))).squareRootIfDim(dim) - 1)
    units = max(units, 0)
    var points: [[Int]] = []
    while true {
      points = []
      var entry = [Int](repeating: 0, count: dim)
      func accumulate(_ index: Int, _ maxValue: Int) {
        if index == dim {
          points.append(entry)
          return
        }
        for v in -maxValue...maxValue {
          entry[index] = v
          accumulate(index + 1, maxValue - abs(v))
        }
      }
      accumulate(0, units)
      if points.count >= gridSize { break }
      units += 1
    }
    let scale = units == 0 ? 0 : gridLimit / Double(units)
    return points.prefix(gridSize).map { point in
      var lambda = [Double](repeating: 0, count: moment.count)
      for (d, axis) in axes.enumerated() where axis.plus >= 0 {
        let v = Double(point[d]) * scale
        lambda[axis.plus] = max(v, 0)
        lambda[axis.minus] = max(-v, 0)
      }
      return lambda
    }
  }

  /// fairlearn's `_GridGenerator` for a loss moment: one non-negative axis per group (order of
  /// appearance), points with L1 norm exactly `units` (the last coordinate takes the rest),
  /// scaled to `gridLimit`; λ is indexed by the sorted group code.
  static func lossGrid(groups: Groups, gridSize: Int, gridLimit: Double) -> [[Double]] {
    var groupOrder: [Int] = []
    var seenGroup = Set<Int32>()
    for c in groups.codes where !seenGroup.contains(c) {
      seenGroup.insert(c)
      groupOrder.append(Int(c))
    }
    let dim = groupOrder.count
    let trueDim = dim - 1
    var units = Int((Double(gridSize).squareRootIfDim(trueDim) - 1).rounded(.down))
    units = max(units, 0)
    var points: [[Int]] = []
    while true {
      points = []
      var entry = [Int](repeating: 0, count: dim)
      func accumulate(_ index: Int, _ maxValue: Int) {
        if index == dim {
          points.append(entry)
          return
        }
        let values = index == dim - 1 ? [maxValue] : Array(0...maxValue)
        for v in values {
          entry[index] = v
          accumulate(index + 1, maxValue - v)
        }
      }
      accumulate(0, units)
      if points.count >= gridSize { break }
      units += 1
    }
    let scale = units == 0 ? 0 : gridLimit / Double(units)
    return points.prefix(gridSize).map { point in
      var lambda = [Double](repeating: 0, count: groups.count)
      for (d, g) in groupOrder.enumerated() { lambda[g] = Double(point[d]) * scale }
      return lambda
    }
  }
}

extension Double {
  /// `self^(1/dim)` (fairlearn's `(grid_size / 2^dim) ** (1 / dim)`).
  fileprivate func squareRootIfDim(_ dim: Int) -> Double {
    dim == 0 ? self : pow(self, 1 / Double(dim))
  }
}

extension GridSearch where Learner == LogisticRegression {
  /// A grid search over the built-in logistic regression under a parity constraint.
  public init(constraint: UtilityParity) {
    self.init(learner: LogisticRegression(), constraint: constraint)
  }

  /// A grid search over the built-in logistic regression under a bound on every group's loss.
  public init(constraint: BoundedGroupLoss) {
    self.init(learner: LogisticRegression(), constraint: constraint)
  }

  /// A grid search over the built-in logistic regression under either kind of constraint.
  public init(constraint: ReductionConstraint) {
    self.init(learner: LogisticRegression(), constraint: constraint)
  }
}

// MARK: - Mitigator

extension GridSearch: Mitigator {
  /// Fits to the dataset's features, labels and groups.
  ///
  /// - Throws: as ``fitted(features:labels:groups:)``, when the data has no labels or groups,
  ///   or has control groups (not supported here).
  public func fitted(to data: Dataset) throws -> Model {
    let (labels, groups) = try data.mitigationTarget("GridSearch")
    guard data.control == nil else {
      throw BiasKitError(.invalidArgument, "GridSearch takes no control features")
    }
    return try fitted(features: data.features, labels: labels, groups: groups)
  }

  /// The constraint's gap.
  public var violation: ExpectedOutcome.Violation { constraint.violation }
}

extension GridSearch.Model: MitigatedModel, DecidesByRule {
  /// The selected predictor's hard predictions as 0 or 1.
  public func positiveProbabilities(on data: Dataset) throws -> [Double] {
    try decisions(data).map(Double.init)
  }

  /// The selected predictor's hard predictions (fairlearn `predict`); draws nothing.
  public func predictions<G: RandomNumberGenerator>(
    on data: Dataset, using generator: inout G
  ) throws -> [UInt8] {
    try decisions(data)
  }

  private func decisions(_ data: Dataset) throws -> [UInt8] {
    try data.checkApplicable(featureCount: featureCount, groupNames: groupNames, "GridSearch")
    return predictions(data.features)
  }

  var decisionRule: DecisionRule { .deterministic }

  /// Every predictor's hard predictions on `features`, the selected one with weight 1 (the
  /// candidates of the accuracy-versus-disparity trade-off).
  public func candidatePredictions(_ features: Matrix) -> [(predictions: [UInt8], weight: Double)] {
    predictors.enumerated().map { ($1.predictions(features), $0 == bestIndex ? 1 : 0) }
  }

  /// `constraint`, `best_idx`, `lambda_best` (its multipliers), the number of `predictors` and
  /// every predictor's training `errors` (fairlearn's names).
  public var summary: JSONValue {
    .object([
      ("constraint", .string(constraint.name)), ("best_idx", .integer(bestIndex)),
      ("lambda_best", .array(lambdas[bestIndex].map { .number($0) })),
      ("predictors", .integer(predictors.count)),
      ("errors", .array(errors.map { .number($0) })),
    ])
  }
}
