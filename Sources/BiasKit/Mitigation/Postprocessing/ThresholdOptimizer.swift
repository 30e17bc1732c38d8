/// Picks a threshold rule on a classifier's scores for each group, so that a fairness
/// constraint holds while an objective is maximised.
///
///     P(ŷ = 1 | s, a) = p0_a · 1[s ⋄0 t0_a] + p1_a · 1[s ⋄1 t1_a]        (⋄ is > or <)
///
/// For each group, every threshold between consecutive distinct scores (plus ±∞) gives a
/// point (x, y) = (constrained rate, objective); the upper convex hull of these points,
/// interpolated on an `x` grid of `gridSize + 1` points in [0, 1], gives the best objective a
/// randomised rule can reach at each rate. For a single-rate constraint (demographic parity,
/// TPR/FPR/TNR/FNR parity) the grid point maximising the group-size-weighted objective is
/// taken for every group; for equalized odds the ROC hulls (x = FPR, y = TPR) are combined
/// through their lower envelope, and a group above it mixes in the constant prediction
/// `x*` with probability `p_ignore = (y_a − y*) / (y_a − x_a)`.
///
/// **Relaxed constraints.** With a ``tolerance`` τ > 0 (fairlearn `tol`, single-rate
/// constraints only), each group a gets its own grid index k_a, and the choice maximises
///
///     Σ_a P(a) · y_a(x_{k_a})   subject to   max_a x_{k_a} − min_a x_{k_a} ≤ τ,
///
/// so the constrained rate of the fitted rule differs by at most τ across groups on the
/// training data (up to rounding, ~1e-15). As fairlearn's `maximize_objective_with_tolerance`, a window
/// `[x_start, x_end]` slides over the grid (it shrinks from the left while
/// `x_end − x_start > τ`, in floating point, so a window of "exactly" τ may be one point
/// narrower), and each group keeps a monotone deque of its weighted `y` to read its best
/// index in the window. Ties: within a window a group takes the *last* index of its maximum;
/// across windows a later window replaces the best one when its objective is equal and its
/// spread `max x − min x` is not larger. So with τ > 0 a flat objective resolves to the
/// right, whereas the strict rule (first maximum, `idxmax`) resolves to the left. The window
/// objective adds `P(a) · y_a` in group order without compensation, as Python 3.11's `sum`
/// does (3.12's `sum` compensates, which could move an exact tie).
/// τ = nil and τ = 0 both take the strict rule (fairlearn tests `if not self.tol`, and 0 is
/// falsy); τ = +∞ lets every group take its own best point. A negative or NaN τ, or any τ
/// (including 0) with equalized odds, is an error (fairlearn raises for equalized odds; it
/// does not check the sign).
///
/// Corresponds to fairlearn 0.15's `ThresholdOptimizer(prefit=True,
/// predict_method="predict_proba")`: `constraints`, `objective`, `grid_size`, `flip`, `tol`;
/// ``Model/positiveProbabilities(scores:groups:)`` is `_pmf_predict(...)[:, 1]` and
/// ``Model/predictions(scores:groups:using:)`` draws `1[p ≥ U]` with `U` uniform, as
/// `predict` does (with BiasKit's generator instead of NumPy's, so draws differ). Ties in
/// (x, y) keep the last point in sort order (stable sort by x then y), as fairlearn's pandas
/// sort does; grid values are `i · (1 / gridSize)` as `np.linspace` gives them.
///
/// - Complexity: O(n log n + g · gridSize) for n rows in g groups, with or without a
///   tolerance (each grid index enters and leaves each group's deque once).
///
/// ## References
/// - Hardt, Price, Srebro. Equality of Opportunity in Supervised Learning. NeurIPS 2016.
public struct ThresholdOptimizer: Sendable, Equatable {
  /// The rate made equal across groups.
  public enum Constraint: String, Sendable, CaseIterable {
    /// Equal selection rates.
    case demographicParity = "demographic_parity"
    /// Equal true- and false-positive rates.
    case equalizedOdds = "equalized_odds"
    /// Equal true-positive rates.
    case truePositiveRateParity = "true_positive_rate_parity"
    /// Equal false-positive rates.
    case falsePositiveRateParity = "false_positive_rate_parity"
    /// Equal true-negative rates.
    case trueNegativeRateParity = "true_negative_rate_parity"
    /// Equal false-negative rates.
    case falseNegativeRateParity = "false_negative_rate_parity"

    var rate: Rate {
      switch self {
      case .demographicParity: return .selectionRate
      case .equalizedOdds: return .falsePositiveRate
      case .truePositiveRateParity: return .truePositiveRate
      case .falsePositiveRateParity: return .falsePositiveRate
      case .trueNegativeRateParity: return .trueNegativeRate
      case .falseNegativeRateParity: return .falseNegativeRate
      }
    }

    /// The expected gap the constraint equalises (the rate of the same name).
    public var violation: ExpectedOutcome.Violation {
      switch self {
      case .demographicParity: return .demographicParity
      case .equalizedOdds: return .equalizedOdds
      case .truePositiveRateParity: return .truePositiveRateParity
      case .falsePositiveRateParity: return .falsePositiveRateParity
      case .trueNegativeRateParity: return .trueNegativeRateParity
      case .falseNegativeRateParity: return .falseNegativeRateParity
      }
    }
  }

  /// What is maximised.
  public enum Objective: String, Sendable, CaseIterable {
    /// Accuracy.
    case accuracy = "accuracy_score"
    /// `½(TPR + TNR)`.
    case balancedAccuracy = "balanced_accuracy_score"
    /// Selection rate.
    case selectionRate = "selection_rate"
    /// True-positive rate.
    case truePositiveRate = "true_positive_rate"
    /// True-negative rate.
    case trueNegativeRate = "true_negative_rate"

    var rate: Rate {
      switch self {
      case .accuracy: return .accuracy
      case .balancedAccuracy: return .balancedAccuracy
      case .selectionRate: return .selectionRate
      case .truePositiveRate: return .truePositiveRate
      case .trueNegativeRate: return .trueNegativeRate
      }
    }
  }

  /// The constraint (fairlearn `constraints`).
  public var constraint: Constraint
  /// The objective (fairlearn `objective`).
  public var objective: Objective
  /// Grid intervals on [0, 1] (fairlearn `grid_size`).
  public var gridSize: Int
  /// Whether rules `s < t` are also considered (fairlearn `flip`).
  public var flip: Bool
  /// The largest allowed range of the constrained rate across groups (fairlearn `tol`).
  /// `nil` or `0` makes the rate equal across groups; must be ≥ 0 (+∞ allowed) and `nil` for
  /// equalized odds.
  public var tolerance: Double?

  /// An optimizer of `objective` under `constraint` (fairlearn's defaults).
  public init(
    constraint: Constraint = .demographicParity, objective: Objective = .accuracy,
    gridSize: Int = 1000, flip: Bool = false, tolerance: Double? = nil
  ) {
    self.constraint = constraint
    self.objective = objective
    self.gridSize = gridSize
    self.flip = flip
    self.tolerance = tolerance
  }

  /// `1[s > t]` or `1[s < t]`.
  public struct ThresholdOperation: Sendable, Equatable, CustomStringConvertible {
    /// `true` for `>`, `false` for `<`.
    public var greater: Bool
    /// The threshold (may be ±∞).
    public var threshold: Double
    /// Whether score `s` passes the operation.
    @inline(__always) public func callAsFunction(_ s: Double) -> Bool {
      greater ? s > threshold : s < threshold
    }
    /// fairlearn's notation, e.g. `[>0.5]`.
    public var description: String { "[\(greater ? ">" : "<")\(threshold)]" }
  }

  /// One group's randomised rule.
  public struct GroupRule: Sendable, Equatable {
    /// Probability of the first operation (fairlearn `p0`).
    public var p0: Double
    /// The first operation (`operation0`).
    public var operation0: ThresholdOperation
    /// Probability of the second operation (`p1 = 1 − p0`).
    public var p1: Double
    /// The second operation (`operation1`).
    public var operation1: ThresholdOperation
    /// Equalized odds only: probability of using the constant prediction instead.
    public var pIgnore: Double?
    /// Equalized odds only: the constant prediction's probability of 1.
    public var predictionConstant: Double?
  }

  /// The fitted post-processor.
  public struct Model: Sendable, Equatable {
    /// The rule of each group, in the order of ``groupNames``.
    public var rules: [GroupRule]
    /// Group names (sorted).
    public var groupNames: [String]
    /// The chosen grid value of the constrained rate (fairlearn `_x_best`); with a tolerance,
    /// the smallest of ``groupRates``.
    public var bestRate: Double
    /// The objective at the chosen point on the training data (fairlearn `_y_best`).
    public var bestObjective: Double
    /// The chosen grid value of the constrained rate for each group, in the order of
    /// ``groupNames`` (fairlearn `_x_best_per_group`); all equal to ``bestRate`` without a
    /// tolerance and for equalized odds.
    public var groupRates: [Double]
    /// The configuration it was fitted with (for the summary; not compared by `==`).
    public var configuration = ThresholdOptimizer()

    /// Two models are equal when their fitted rules, groups, rates and objective are: the
    /// configuration is not compared (`tol` nil and 0 fit the same rules).
    public static func == (a: Model, b: Model) -> Bool {
      a.rules == b.rules && a.groupNames == b.groupNames && a.bestRate == b.bestRate
        && a.bestObjective == b.bestObjective && a.groupRates == b.groupRates
    }

    /// `max − min` of ``groupRates`` (fairlearn `_between_groups`): the training range of the
    /// constrained rate, at most the tolerance.
    public var rateRange: Double { (groupRates.max() ?? 0) - (groupRates.min() ?? 0) }

    /// `P(ŷ = 1)` for each row (fairlearn `_pmf_predict(...)[:, 1]`).
    public func positiveProbabilities(scores: [Double], groups: Groups) throws -> [Double] {
      guard scores.count == groups.rowCount else {
        throw BiasKitError.lengthMismatch("ThresholdOptimizer", scores.count, groups.rowCount)
      }
      let codes = try groups.codes(matching: groupNames)
      var out = [Double](repeating: 0, count: scores.count)
      for i in 0..<scores.count {
        let rule = rules[Int(codes[i])]
        let s = scores[i]
        var p = rule.p0 * (rule.operation0(s) ? 1 : 0) + rule.p1 * (rule.operation1(s) ? 1 : 0)
        if let ignore = rule.pIgnore, let constant = rule.predictionConstant {
          p = ignore * constant + (1 - ignore) * p
        }
        out[i] = p
      }
      return out
    }

    /// Randomised predictions `1[p ≥ U]`, `U ~ Uniform[0, 1)` from `generator`.
    public func predictions<G: RandomNumberGenerator>(
      scores: [Double], groups: Groups, using generator: inout G
    ) throws -> [UInt8] {
      let p = try positiveProbabilities(scores: scores, groups: groups)
      return p.map { $0 >= Double.random(in: 0..<1, using: &generator) ? 1 : 0 }
    }
  }

  /// Checks the configuration alone, as ``fitted(scores:labels:groups:)`` does before it
  /// reads the data: a grid size of at least 1, an objective that the constraint supports,
  /// and a tolerance that is ≥ 0 and not given with equalized odds.
  public func validate() throws {
    guard gridSize >= 1 else {
      throw BiasKitError(.invalidArgument, "ThresholdOptimizer: grid size must be at least 1")
    }
    if constraint == .equalizedOdds {
      guard objective == .accuracy || objective == .balancedAccuracy else {
        throw BiasKitError(
          .invalidArgument,
          "ThresholdOptimizer: for equalized_odds only the objectives accuracy_score and balanced_accuracy_score are supported"
        )
      }
      if let tolerance { throw BiasKitError.toleranceWithEqualizedOdds(tolerance) }
    }
    if let tolerance, tolerance.isNaN || tolerance < 0 {
      throw BiasKitError.invalidTolerance(tolerance)
    }
  }

  /// Fits the rules to `scores` (higher means more likely positive), 0/1 `labels` and `groups`.
  ///
  /// - Throws: for sizes that differ, one group, a group whose labels have one class
  ///   (fairlearn: "Degenerate labels"), or a configuration that ``validate()`` rejects.
  public func fitted(scores: [Double], labels: [UInt8], groups: Groups) throws -> Model {
    var model = try fittedRules(scores: scores, labels: labels, groups: groups)
    model.configuration = self
    return model
  }

  private func fittedRules(scores: [Double], labels: [UInt8], groups: Groups) throws -> Model {
    let groups = groups.occurring()
    let n = scores.count
    guard labels.count == n else {
      throw BiasKitError.lengthMismatch("ThresholdOptimizer labels", labels.count, n)
    }
    guard groups.rowCount == n else {
      throw BiasKitError.lengthMismatch("ThresholdOptimizer groups", groups.rowCount, n)
    }
    try checkBinaryLabels(labels, "ThresholdOptimizer")
    guard groups.count >= 2 else { throw BiasKitError.oneSensitiveGroup(groups.names.first ?? "") }
    try validate()
    for s in scores where !s.isFinite {
      throw BiasKitError(.invalidValue, "ThresholdOptimizer: a score is not finite (\(s))")
    }
    let step = 1 / Double(gridSize)
    var grid = (0...gridSize).map { Double($0) * step }
    grid[gridSize] = 1
    // Rows of each group.
    var members = [[Int]](repeating: [], count: groups.count)
    for i in 0..<n { members[Int(groups.codes[i])].append(i) }
    var curves: [Curve] = []
    let xRate = constraint.rate
    let yRate = constraint == .equalizedOdds ? Rate.truePositiveRate : objective.rate
    for (a, rows) in members.enumerated() {
      guard !rows.isEmpty else {
        throw BiasKitError(
          .degenerateData, "ThresholdOptimizer: the group '\(groups.names[a])' has no rows")
      }
      let points = try tradeoffPoints(
        scores: rows.map { scores[$0] }, labels: rows.map { labels[$0] }, group: groups.names[a],
        x: xRate, y: yRate)
      curves.append(Curve(hull: upperHull(points), grid: grid))
    }

    var rules: [GroupRule] = []
    if constraint != .equalizedOdds, let tolerance, tolerance != 0 {
      let weights = members.map { Double($0.count) / Double(n) }
      let (indices, objective) = Self.maximizeWithTolerance(
        curves: curves, weights: weights, grid: grid, tolerance: tolerance)
      for (a, k) in indices.enumerated() {
        let c = curves[a]
        rules.append(
          GroupRule(
            p0: c.p0[k], operation0: c.operation0[k], p1: c.p1[k],
            operation1: c.operation1[k], pIgnore: nil, predictionConstant: nil))
      }
      let rates = indices.map { grid[$0] }
      return Model(
        rules: rules, groupNames: groups.names, bestRate: rates.min() ?? 0,
        bestObjective: objective, groupRates: rates)
    }
    if constraint != .equalizedOdds {
      var best = 0
      var bestValue = -Double.infinity
      for k in 0...gridSize {
        var total = 0.0
        for a in 0..<groups.count {
          total += Double(members[a].count) / Double(n) * curves[a].y[k]
        }
        if total > bestValue {
          bestValue = total
          best = k
        }
      }
      for a in 0..<groups.count {
        let c = curves[a]
        rules.append(
          GroupRule(
            p0: c.p0[best], operation0: c.operation0[best], p1: c.p1[best],
            operation1: c.operation1[best], pIgnore: nil, predictionConstant: nil))
      }
      return Model(
        rules: rules, groupNames: groups.names, bestRate: grid[best], bestObjective: bestValue,
        groupRates: [Double](repeating: grid[best], count: groups.count))
    }

    // Equalized odds.
    let nPositive = Double(labels.reduce(0) { $0 + Int($1) })
    let nNegative = Double(n) - nPositive
    var best = 0
    var bestValue = -Double.infinity
    var yMin = [Double](repeating: .infinity, count: gridSize + 1)
    for k in 0...gridSize {
      for c in curves { yMin[k] = min(yMin[k], c.y[k]) }
      let fp = nNegative * grid[k]
      let tn = nNegative * (1 - grid[k])
      let tp = nPositive * yMin[k]
      let fn = nPositive * (1 - yMin[k])
      let value: Double
      if objective == .accuracy {
        value = (tp + tn) / (((tp + tn) + fp) + fn)
      } else {
        value = 0.5 * tp / (tp + fn) + 0.5 * tn / (tn + fp)
      }
      let rounded = (value * 1e15).rounded(.toNearestOrEven) / 1e15
      if rounded > bestValue {
        bestValue = rounded
        best = k
      }
    }
    let xBest = grid[best]
    let yBest = yMin[best]
    for c in curves {
      let x = grid[best]
      let y = c.y[best]
      let pIgnore = y == x ? 0 : (y - yBest) / (y - x)
      rules.append(
        GroupRule(
          p0: c.p0[best], operation0: c.operation0[best], p1: c.p1[best],
          operation1: c.operation1[best], pIgnore: pIgnore, predictionConstant: xBest))
    }
    return Model(
      rules: rules, groupNames: groups.names, bestRate: xBest, bestObjective: bestValue,
      groupRates: [Double](repeating: xBest, count: groups.count))
  }

  // MARK: Relaxed constraints

  /// The grid index of each group maximising `Σ_a w_a · y_a[k_a]` subject to
  /// `grid[max k] − grid[min k] ≤ tolerance`, and that maximum (fairlearn
  /// `maximize_objective_with_tolerance`, with its tie rules; see the type's documentation).
  ///
  /// A window `start...end` slides over the grid; for each group a deque (one flat buffer
  /// with head and tail positions) holds the window's indices whose weighted `y` is strictly
  /// larger than that of every later index in the window, so its head is the window's argmax
  /// (the last one among equal values).
  ///
  /// - Precondition: `tolerance ≥ 0` (so the window always holds `end`), `grid` ascending.
  /// - Complexity: O(g · grid.count).
  static func maximizeWithTolerance(
    curves: [Curve], weights: [Double], grid: [Double], tolerance: Double
  ) -> (indices: [Int], objective: Double) {
    let m = grid.count
    let g = curves.count
    // Weighted objective of group a at grid index k: weighted[a * m + k].
    var weighted = [Double](repeating: 0, count: g * m)
    for a in 0..<g {
      for k in 0..<m { weighted[a * m + k] = curves[a].y[k] * weights[a] }
    }
    var deque = [Int](repeating: 0, count: g * m)
    var head = [Int](repeating: 0, count: g)
    var tail = [Int](repeating: 0, count: g)
    var current = [Int](repeating: 0, count: g)
    var bestIndices = [Int](repeating: 0, count: g)
    var bestObjective = -Double.infinity
    var bestSpread = Double.infinity
    var start = 0
    for end in 0..<m {
      for a in 0..<g {
        let base = a * m
        let value = weighted[base + end]
        while tail[a] > head[a] && weighted[base + deque[base + tail[a] - 1]] <= value {
          tail[a] -= 1
        }
        deque[base + tail[a]] = end
        tail[a] += 1
      }
      while grid[end] - grid[start] > tolerance {
        for a in 0..<g where tail[a] > head[a] && deque[a * m + head[a]] == start {
          head[a] += 1
        }
        start += 1
      }
      var objective = 0.0
      var low = Int.max
      var high = Int.min
      for a in 0..<g {
        let k = deque[a * m + head[a]]
        current[a] = k
        objective += weighted[a * m + k]
        low = min(low, k)
        high = max(high, k)
      }
      let spread = grid[high] - grid[low]
      if objective > bestObjective || (objective == bestObjective && spread <= bestSpread) {
        bestObjective = objective
        bestIndices = current
        bestSpread = spread
      }
    }
    return (bestIndices, bestObjective)
  }

  // MARK: Trade-off curves

  enum Rate {
    case selectionRate, falsePositiveRate, falseNegativeRate, truePositiveRate, trueNegativeRate
    case accuracy, balancedAccuracy

    func value(tp: Int, fp: Int, tn: Int, fn: Int) -> Double {
      let n = Double(tp + tn + fp + fn)
      switch self {
      case .selectionRate: return Double(tp + fp) / n
      case .falsePositiveRate: return Double(fp) / Double(tn + fp)
      case .falseNegativeRate: return Double(fn) / Double(tp + fn)
      case .truePositiveRate: return Double(tp) / Double(tp + fn)
      case .trueNegativeRate: return Double(tn) / Double(tn + fp)
      case .accuracy: return Double(tp + tn) / n
      case .balancedAccuracy:
        return 0.5 * Double(tp) / Double(tp + fn) + 0.5 * Double(tn) / Double(tn + fp)
      }
    }
  }

  struct Point {
    var x: Double
    var y: Double
    var operation: ThresholdOperation
  }

  /// All (x, y, rule) points of one group, sorted by x then y (stable).
  func tradeoffPoints(
    scores: [Double], labels: [UInt8], group: String, x: Rate, y: Rate
  ) throws
    -> [Point]
  {
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    let n = scores.count
    let nPositive = labels.reduce(0) { $0 + Int($1) }
    let nNegative = n - nPositive
    guard nPositive > 0 && nNegative > 0 else {
      throw BiasKitError(
        .degenerateData,
        "ThresholdOptimizer: the labels of the group '\(group)' have one class (fairlearn: degenerate labels)"
      )
    }
    var points: [Point] = []
    var count = [0, 0]
    var i = 0
    var first = true
    while i < n {
      var threshold: Double
      if first {
        threshold = .infinity
        first = false
      } else {
        threshold = scores[order[i]]
        while i < n && scores[order[i]] == threshold {
          count[Int(labels[order[i]])] += 1
          i += 1
        }
        let next = i < n ? scores[order[i]] : -Double.infinity
        threshold = (threshold + next) / 2
      }
      let fp = count[0]
      let tp = count[1]
      points.append(
        Point(
          x: x.value(tp: tp, fp: fp, tn: nNegative - fp, fn: nPositive - tp),
          y: y.value(tp: tp, fp: fp, tn: nNegative - fp, fn: nPositive - tp),
          operation: ThresholdOperation(greater: true, threshold: threshold)))
      if flip {
        let ffp = nNegative - fp
        let ftp = nPositive - tp
        points.append(
          Point(
            x: x.value(tp: ftp, fp: ffp, tn: fp, fn: tp),
            y: y.value(tp: ftp, fp: ffp, tn: fp, fn: tp),
            operation: ThresholdOperation(greater: false, threshold: threshold)))
      }
    }
    // Stable sort by (x, y).
    let indices = points.indices.sorted {
      let a = points[$0]
      let b = points[$1]
      if a.x != b.x { return a.x < b.x }
      if a.y != b.y { return a.y < b.y }
      return $0 < $1
    }
    return indices.map { points[$0] }
  }

  /// Andrew's monotone chain, upper hull, as fairlearn's `_filter_points_to_get_convex_hull`.
  func upperHull(_ sorted: [Point]) -> [Point] {
    var hull: [Point] = []
    for r2 in sorted {
      while hull.count >= 2 {
        let r1 = hull[hull.count - 1]
        let r0 = hull[hull.count - 2]
        if (r1.y - r0.y) * (r2.x - r0.x) <= (r2.y - r0.y) * (r1.x - r0.x) {
          hull.removeLast()
        } else {
          break
        }
      }
      hull.append(r2)
    }
    return hull
  }

  /// A hull interpolated at every grid point (fairlearn `_interpolate_curve`).
  struct Curve {
    var y: [Double] = []
    var p0: [Double] = []
    var p1: [Double] = []
    var operation0: [ThresholdOperation] = []
    var operation1: [ThresholdOperation] = []

    init(hull: [Point], grid: [Double]) {
      let xs = hull.map(\.x)
      for (k, g) in grid.enumerated() {
        // searchsorted(side="right") - 1
        var lo = 0
        var hi = xs.count
        while lo < hi {
          let mid = (lo + hi) / 2
          if xs[mid] <= g { lo = mid + 1 } else { hi = mid }
        }
        var index = lo - 1
        if k > 0 && index >= 0 && g == xs[index] { index -= 1 }
        index = max(0, min(index, xs.count - 2))
        let next = xs[index + 1]
        let p0 = (next - g) / (next - xs[index])
        let p1 = 1 - p0
        y.append(p0 * hull[index].y + p1 * hull[index + 1].y)
        self.p0.append(p0)
        self.p1.append(p1)
        operation0.append(hull[index].operation)
        operation1.append(hull[index + 1].operation)
      }
    }
  }
}

extension BiasKitError {
  /// A tolerance that is negative or NaN (fairlearn does not check; a negative `tol` breaks
  /// its sliding window).
  static func invalidTolerance(_ value: Double) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "ThresholdOptimizer: tol must be a number >= 0 (or +inf); got \(value)")
  }

  /// fairlearn: "Relaxed constraints are not supported for equalized odds."
  static func toleranceWithEqualizedOdds(_ value: Double) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "ThresholdOptimizer: tol (\(value)) is not supported for equalized_odds (fairlearn: relaxed constraints are not supported for equalized odds)"
    )
  }
}

// MARK: - Mitigator

extension ThresholdOptimizer: ScorePostprocessor {
  /// Fits the rules to the dataset's scores, labels and groups (fairlearn `prefit=True`; wrap
  /// the optimizer in a ``PostprocessedLearner`` for `prefit=False`).
  ///
  /// - Throws: as ``fitted(scores:labels:groups:)``, and when the data has no scores, labels or
  ///   groups, one class or one group.
  public func fitted(to data: Dataset) throws -> Model {
    let (labels, groups) = try data.mitigationTarget("ThresholdOptimizer")
    return try fitted(
      scores: data.requiredScores("ThresholdOptimizer"), labels: labels, groups: groups)
  }

  /// The gap of the constrained rate.
  public var violation: ExpectedOutcome.Violation { constraint.violation }
}

extension ThresholdOptimizer.Model: MitigatedModel, DecidesByRule {
  /// ``positiveProbabilities(scores:groups:)`` of the dataset's scores and groups.
  public func positiveProbabilities(on data: Dataset) throws -> [Double] {
    try positiveProbabilities(
      scores: data.requiredScores("ThresholdOptimizer"),
      groups: data.requiredGroups("ThresholdOptimizer"))
  }

  /// ``predictions(scores:groups:using:)`` of the dataset's scores and groups.
  public func predictions<G: RandomNumberGenerator>(
    on data: Dataset, using generator: inout G
  ) throws -> [UInt8] {
    try predictions(
      scores: data.requiredScores("ThresholdOptimizer"),
      groups: data.requiredGroups("ThresholdOptimizer"), using: &generator)
  }

  var decisionRule: DecisionRule { .bernoulli }

  /// `constraint`, `objective`, `grid_size`, `flip`, each group's rule (`interpolation`: `p0`,
  /// `operation0`, `p1`, `operation1`, and for equalized odds `p_ignore`,
  /// `prediction_constant`), `best_rate`, `tol` (`null`, a number or `"inf"`) and, with a
  /// tolerance, each group's `rates` and their `rate_range`.
  public var summary: JSONValue {
    let rules = zip(groupNames, rules).map { name, rule -> (String, JSONValue) in
      var members: [(String, JSONValue)] = [
        ("p0", .number(rule.p0)), ("operation0", .string(rule.operation0.description)),
        ("p1", .number(rule.p1)), ("operation1", .string(rule.operation1.description)),
      ]
      if let ignore = rule.pIgnore { members.append(("p_ignore", .number(ignore))) }
      if let constant = rule.predictionConstant {
        members.append(("prediction_constant", .number(constant)))
      }
      return (name, .object(members))
    }
    let tolerance = configuration.tolerance
    var members: [(String, JSONValue)] = [
      ("constraint", .string(configuration.constraint.rawValue)),
      ("objective", .string(configuration.objective.rawValue)),
      ("grid_size", .integer(configuration.gridSize)), ("flip", .bool(configuration.flip)),
      ("interpolation", .object(rules)), ("best_rate", .number(bestRate)),
      ("tol", tolerance.map { $0.isFinite ? .number($0) : .string("inf") } ?? .null),
    ]
    if tolerance != nil {
      members.append(("rates", .byGroup(groupNames, groupRates)))
      members.append(("rate_range", .number(rateRange)))
    }
    return .object(members)
  }
}
