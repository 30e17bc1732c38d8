/// The constraint of a reduction (``ExponentiatedGradient``, ``GridSearch``): a parity between
/// groups of a classifier's rates, or a bound on each group's loss.
///
/// fairlearn 0.15 splits its moments into classification moments (`UtilityParity` and its
/// presets: the learner is refitted on relabelled data `1[w > 0]` with weights `|w|`) and
/// loss moments (`BoundedGroupLoss`: the learner keeps the labels and is refitted with the
/// weights `w`). Both plug into the same Lagrangian through the internal `LoadedMoment`.
public enum ReductionConstraint: Sendable, Equatable {
  /// A parity constraint (`DemographicParity`, `EqualizedOdds`, …).
  case parity(UtilityParity)
  /// A bound on every group's loss (`BoundedGroupLoss`).
  case boundedGroupLoss(BoundedGroupLoss)

  func validate() throws {
    switch self {
    case .parity(let p): try p.validate()
    case .boundedGroupLoss(let b): try b.validate()
    }
  }

  /// The checks every reduction makes before fitting: one label and one group per row, at
  /// least two groups, both classes, finite features, and a valid constraint. `algorithm`
  /// names the reduction in the messages.
  func validate(
    _ algorithm: String, features: Matrix, labels: [UInt8], groups: Groups
  ) throws {
    let n = features.rows
    guard labels.count == n else {
      throw BiasKitError.lengthMismatch("\(algorithm) labels", labels.count, n)
    }
    guard groups.rowCount == n else {
      throw BiasKitError.lengthMismatch("\(algorithm) groups", groups.rowCount, n)
    }
    guard groups.count >= 2 else { throw BiasKitError.oneSensitiveGroup(groups.names.first ?? "") }
    guard labels.contains(0) && labels.contains(1) else {
      throw BiasKitError.oneClassLabel(labels.first == 1 ? 1 : 0)
    }
    for v in features.values where !v.isFinite {
      throw BiasKitError(.invalidValue, "\(algorithm): a feature value is not finite")
    }
    try validate()
  }

  func loaded(
    labels: [UInt8], groups: Groups, controls: Groups? = nil
  ) -> any LoadedMoment {
    switch self {
    case .parity(let p):
      return UtilityParity.Loaded(parity: p, labels: labels, groups: groups, controls: controls)
    case .boundedGroupLoss(let b):
      return BoundedGroupLoss.Loaded(moment: b, labels: labels, groups: groups)
    }
  }
}

/// A moment loaded with data, as the Lagrangian of a reduction uses it (fairlearn `Moment`
/// after `load_data`): constraints `γ_j(h) ≤ bound`, in a fixed order.
protocol LoadedMoment: Sendable {
  /// Number of constraints.
  var count: Int { get }
  /// The bound of every constraint (fairlearn `bound()`; the same for all of them here).
  var bound: Double { get }
  /// Whether the learner is refitted on labels `1[w > 0]` with weights `|w|` (classification
  /// moments) rather than on the original labels with weights `w` (loss moments).
  var relabels: Bool { get }
  /// γ of hard predictions `h`, in the constraint order.
  func gamma(_ h: [UInt8]) -> [Double]
  /// Per-row signed weights of the constraints for multipliers `lambda`.
  func signedWeights(_ lambda: [Double]) -> [Double]
  /// Per-row signed weight of the objective (`default_objective().signed_weights()`).
  func objectiveWeight(label: UInt8) -> Double
  /// fairlearn `project_lambda`.
  func projectLambda(_ lambda: [Double]) -> [Double]
}

extension UtilityParity.Loaded: LoadedMoment {
  var relabels: Bool { true }
  /// `ErrorRate.signed_weights()`: `2y − 1`.
  func objectiveWeight(label: UInt8) -> Double { 2 * Double(label) - 1 }
}
