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
    try checkBinaryLabels(labels, algorithm)
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

extension ReductionConstraint {
  /// The named constraints of fairlearn's reductions (its moment classes), by the names
  /// `biaskit mitigate --constraint` takes: five parity presets of ``UtilityParity`` and
  /// ``BoundedGroupLoss``.
  public enum Kind: String, Sendable, CaseIterable {
    /// ``UtilityParity/demographicParity(_:)`` (fairlearn `DemographicParity`).
    case demographicParity = "demographic_parity"
    /// ``UtilityParity/equalizedOdds(_:)`` (`EqualizedOdds`).
    case equalizedOdds = "equalized_odds"
    /// ``UtilityParity/truePositiveRateParity(_:)`` (`TruePositiveRateParity`).
    case truePositiveRateParity = "true_positive_rate_parity"
    /// ``UtilityParity/falsePositiveRateParity(_:)`` (`FalsePositiveRateParity`).
    case falsePositiveRateParity = "false_positive_rate_parity"
    /// ``UtilityParity/errorRateParity(_:)`` (`ErrorRateParity`).
    case errorRateParity = "error_rate_parity"
    /// ``BoundedGroupLoss`` (`BoundedGroupLoss(ZeroOneLoss())`).
    case boundedGroupLoss = "bounded_group_loss"
  }

  /// The preset of `kind` with `bound` (a parity), or with `upperBound` (bounded group loss).
  ///
  /// - Throws: ``BiasKitError`` for bounded group loss without an upper bound.
  public init(
    _ kind: Kind, bound: UtilityParity.Bound = .difference(0.01), upperBound: Double? = nil
  ) throws {
    switch kind {
    case .demographicParity: self = .parity(.demographicParity(bound))
    case .equalizedOdds: self = .parity(.equalizedOdds(bound))
    case .truePositiveRateParity: self = .parity(.truePositiveRateParity(bound))
    case .falsePositiveRateParity: self = .parity(.falsePositiveRateParity(bound))
    case .errorRateParity: self = .parity(.errorRateParity(bound))
    case .boundedGroupLoss:
      guard let upperBound else { throw BiasKitError.missingUpperBound }
      self = .boundedGroupLoss(BoundedGroupLoss(upperBound: upperBound))
    }
  }

  /// The kind of the constraint: the preset whose event and utility it has (a parity on error
  /// rates is error-rate parity whatever its event).
  public var kind: Kind {
    switch self {
    case .boundedGroupLoss: return .boundedGroupLoss
    case .parity(let parity):
      if parity.utility == .error { return .errorRateParity }
      switch parity.event {
      case .all: return .demographicParity
      case .eachLabel: return .equalizedOdds
      case .label(let value): return value == 1 ? .truePositiveRateParity : .falsePositiveRateParity
      }
    }
  }

  /// The constraint's name (``Kind`` raw value: `demographic_parity`, …).
  public var name: String { kind.rawValue }

  /// The expected gap that the constraint bounds: the parity's rate gap, or the
  /// demographic-parity gap for bounded group loss (which bounds each group's error, not a gap).
  public var violation: ExpectedOutcome.Violation {
    switch kind {
    case .demographicParity, .boundedGroupLoss: return .demographicParity
    case .equalizedOdds: return .equalizedOdds
    case .truePositiveRateParity: return .truePositiveRateParity
    case .falsePositiveRateParity: return .falsePositiveRateParity
    case .errorRateParity: return .errorRateParity
    }
  }
}

extension BiasKitError {
  /// Bounded group loss needs its bound.
  static let missingUpperBound = BiasKitError(
    .invalidArgument,
    "bounded_group_loss needs an upper bound (the largest allowed group error rate)")
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
