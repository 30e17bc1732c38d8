/// An upper bound on the loss of every group: each group's mean zero-one loss (its error
/// rate) must stay below `ζ`.
///
///     γ(a) = E[ℓ(y, h(x)) | A = a] = P(h(x) ≠ y | A = a)       γ(a) ≤ ζ
///
/// In the Lagrangian `err(h) + Σ_a λ_a (γ(a) − ζ)`, the learner's best response keeps the
/// labels and reweights each row of group `a` by `1 + λ_a / P(A = a)` (normalised to sum to n
/// in ``ExponentiatedGradient``); ``GridSearch`` uses the weights `λ_a / P(A = a)` over a grid
/// of λ with `Σ λ_a = gridLimit` (the objective lies in the span of the constraints).
///
/// Corresponds to fairlearn 0.15's `BoundedGroupLoss(ZeroOneLoss(), upper_bound=ζ)` (a
/// `ConditionalLossMoment`: `gamma` per group in sorted order, `bound()` = ζ for each group,
/// `project_lambda` the identity, `signed_weights` = λ_a / p_a), with its default objective
/// `MeanLoss(ZeroOneLoss())`, which is the error rate. Unlike fairlearn, the upper bound is
/// required when the value is made rather than when the reduction first needs it.
///
/// Conventions: labels and predictions are 0/1, so the zero-one loss `|clip(y) − clip(h)|` is
/// `1[h ≠ y]`. Every group has rows (groups come from the data), so no probability is 0.
///
/// - Complexity: O(n) per `gamma` or `signedWeights`, O(groups) per projection.
///
/// ## References
/// - Agarwal, Dudík, Wu. Fair Regression: Quantitative Definitions and Reduction-Based
///   Algorithms. ICML 2019.
public struct BoundedGroupLoss: Sendable, Equatable {
  /// The largest allowed group error rate `ζ` (fairlearn `upper_bound`).
  public var upperBound: Double

  /// Every group's error rate at most `upperBound`.
  public init(upperBound: Double) {
    self.upperBound = upperBound
  }

  func validate() throws {
    guard upperBound.isFinite, upperBound >= 0 else {
      throw BiasKitError.invalidUpperBound(upperBound)
    }
  }

  /// The moment loaded with data: group of each row and group probabilities.
  struct Loaded: LoadedMoment {
    let moment: BoundedGroupLoss
    let labels: [UInt8]
    let groupOf: [Int32]
    let probabilityGroup: [Double]
    let groupSize: [Int]

    init(moment: BoundedGroupLoss, labels: [UInt8], groups: Groups) {
      self.moment = moment
      self.labels = labels
      groupOf = groups.codes
      var sizes = [Int](repeating: 0, count: groups.count)
      for g in groups.codes { sizes[Int(g)] += 1 }
      groupSize = sizes
      let n = Double(labels.count)
      probabilityGroup = sizes.map { Double($0) / n }
    }

    var count: Int { groupSize.count }
    var bound: Double { moment.upperBound }
    var relabels: Bool { false }

    /// Error rate of each group.
    func gamma(_ h: [UInt8]) -> [Double] {
      var wrong = [Int](repeating: 0, count: count)
      for i in 0..<labels.count where h[i] != labels[i] { wrong[Int(groupOf[i])] += 1 }
      return (0..<count).map { groupSize[$0] > 0 ? Double(wrong[$0]) / Double(groupSize[$0]) : 0 }
    }

    /// `λ_a / P(A = a)` for each row of group `a`.
    func signedWeights(_ lambda: [Double]) -> [Double] {
      let adjust = (0..<count).map {
        probabilityGroup[$0] > 0 ? lambda[$0] / probabilityGroup[$0] : 0
      }
      return groupOf.map { adjust[Int($0)] }
    }

    /// `MeanLoss.signed_weights()`: 1 for every row.
    func objectiveWeight(label: UInt8) -> Double { 1 }

    func projectLambda(_ lambda: [Double]) -> [Double] { lambda }
  }
}

extension BiasKitError {
  static func invalidUpperBound(_ value: Double) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "the bounded group loss upper bound must be a finite number ≥ 0 (got \(value))")
  }
}
