/// Expected accuracy, selection rate and fairness gaps of a randomised classifier, computed
/// from its deterministic probabilities of predicting 1.
///
///     accuracy      = mean(y·p + (1 − y)·(1 − p))
///     selection     = mean(p)
///     DP difference = max_a mean(p | a) − min_a mean(p | a)
///     EO difference = max over y ∈ {0, 1} of [max_a mean(p | a, y) − min_a mean(p | a, y)]
///     TPR difference = max_a mean(p | a, y = 1) − min_a mean(p | a, y = 1)   (= FNR difference)
///     FPR difference = max_a mean(p | a, y = 0) − min_a mean(p | a, y = 0)   (= TNR difference)
///     error-rate difference = max_a E[1[ŷ ≠ y] | a] − min_a E[1[ŷ ≠ y] | a]
///
/// These are the quantities the anchors' benchmark scripts record for fairlearn's
/// `_pmf_predict` (`expected_violation` in `bench_expgrad_adult.py`); groups with no row of
/// a label are left out of that label's gap. With instance `weights` every mean is weighted
/// (as AIF360's metrics with `instance_weights`); unit weights give the unweighted values bit
/// for bit.
///
/// - Complexity: O(n).
public struct ExpectedOutcome: Sendable, Equatable {
  /// Expected accuracy.
  public var accuracy: Double
  /// Expected selection rate.
  public var selectionRate: Double
  /// Expected demographic-parity difference.
  public var demographicParityDifference: Double
  /// Expected equalized-odds difference.
  public var equalizedOddsDifference: Double
  /// Expected true-positive-rate difference (also the false-negative-rate difference).
  public var truePositiveRateDifference: Double
  /// Expected false-positive-rate difference (also the true-negative-rate difference).
  public var falsePositiveRateDifference: Double
  /// Expected error-rate difference.
  public var errorRateDifference: Double
  /// Expected selection rate of each group (0 for a group without rows), in the order of
  /// ``groupNames``.
  public var selectionRateByGroup: [Double]
  /// The groups' names: the groups that have rows, in fairlearn's order (``Groups/occurring()``).
  public var groupNames: [String]

  /// The expected outcome of probabilities `p` of predicting 1 against 0/1 `labels`, in
  /// `groups` (occurring layout), with optional instance `weights`.
  ///
  /// - Throws: ``BiasKitError`` when the lengths differ or a label is not 0 or 1.
  public init(
    probabilities p: [Double], labels: [UInt8], groups: Groups, weights: [Double]? = nil
  ) throws {
    guard labels.count == p.count else {
      throw BiasKitError.lengthMismatch("ExpectedOutcome labels", labels.count, p.count)
    }
    guard groups.rowCount == p.count else {
      throw BiasKitError.lengthMismatch("ExpectedOutcome groups", groups.rowCount, p.count)
    }
    if let weights, weights.count != p.count {
      throw BiasKitError.lengthMismatch("ExpectedOutcome weights", weights.count, p.count)
    }
    try checkBinaryLabels(labels, "ExpectedOutcome")
    let groups = groups.occurring()
    groupNames = groups.names
    let n = p.count
    let k = groups.count
    var correct = 0.0
    var total = 0.0
    var sum = [Double](repeating: 0, count: k)
    var count = [Double](repeating: 0, count: k)
    var sumByLabel = [[Double]](repeating: [0, 0], count: k)
    var countByLabel = [[Double]](repeating: [0, 0], count: k)
    var weightTotal = 0.0
    for i in 0..<n {
      let y = Int(labels[i])
      let a = Int(groups.codes[i])
      let w = weights?[i] ?? 1
      let q = w * p[i]
      correct += w * (y == 1 ? p[i] : 1 - p[i])
      total += q
      weightTotal += w
      sum[a] += q
      count[a] += w
      sumByLabel[a][y] += q
      countByLabel[a][y] += w
    }
    accuracy = weightTotal == 0 ? 0 : correct / weightTotal
    selectionRate = weightTotal == 0 ? 0 : total / weightTotal
    let rates = (0..<k).filter { count[$0] > 0 }.map { sum[$0] / count[$0] }
    selectionRateByGroup = (0..<k).map { count[$0] > 0 ? sum[$0] / count[$0] : 0 }
    demographicParityDifference = (rates.max() ?? 0) - (rates.min() ?? 0)
    var gaps = [0.0, 0.0]
    for y in 0..<2 {
      let r = (0..<k).filter { countByLabel[$0][y] > 0 }.map {
        sumByLabel[$0][y] / countByLabel[$0][y]
      }
      gaps[y] = (r.max() ?? 0) - (r.min() ?? 0)
    }
    equalizedOddsDifference = max(gaps[0], gaps[1])
    falsePositiveRateDifference = gaps[0]
    truePositiveRateDifference = gaps[1]
    // Expected errors of group a: Σ_{y=0} p + Σ_{y=1} (1 − p).
    let errors = (0..<k).filter { count[$0] > 0 }.map {
      (sumByLabel[$0][0] + (countByLabel[$0][1] - sumByLabel[$0][1])) / count[$0]
    }
    errorRateDifference = (errors.max() ?? 0) - (errors.min() ?? 0)
  }
}

extension ExpectedOutcome {
  /// The gap that a mitigation's constraint equalises, read from an ``ExpectedOutcome``:
  /// `max − min` over groups of the expected rate the constraint names.
  ///
  /// | violation | value |
  /// |---|---|
  /// | `demographic_parity` | ``demographicParityDifference`` (selection rates) |
  /// | `equalized_odds` | ``equalizedOddsDifference`` (the larger of the TPR and FPR gaps) |
  /// | `true_positive_rate_parity`, `false_negative_rate_parity` | ``truePositiveRateDifference`` |
  /// | `false_positive_rate_parity`, `true_negative_rate_parity` | ``falsePositiveRateDifference`` |
  /// | `error_rate_parity` | ``errorRateDifference`` |
  ///
  /// The raw values are fairlearn's constraint names (`ThresholdOptimizer(constraints=…)`), as
  /// `biaskit mitigate` reports them in `violation_kind`.
  public enum Violation: String, Sendable, CaseIterable {
    /// The selection-rate gap.
    case demographicParity = "demographic_parity"
    /// The larger of the TPR and FPR gaps.
    case equalizedOdds = "equalized_odds"
    /// The TPR gap.
    case truePositiveRateParity = "true_positive_rate_parity"
    /// The FNR gap (= the TPR gap).
    case falseNegativeRateParity = "false_negative_rate_parity"
    /// The FPR gap.
    case falsePositiveRateParity = "false_positive_rate_parity"
    /// The TNR gap (= the FPR gap).
    case trueNegativeRateParity = "true_negative_rate_parity"
    /// The error-rate gap.
    case errorRateParity = "error_rate_parity"
  }

  /// The expected gap of `violation` (see ``Violation``).
  public func value(of violation: Violation) -> Double {
    switch violation {
    case .demographicParity: return demographicParityDifference
    case .equalizedOdds: return equalizedOddsDifference
    case .truePositiveRateParity, .falseNegativeRateParity: return truePositiveRateDifference
    case .falsePositiveRateParity, .trueNegativeRateParity: return falsePositiveRateDifference
    case .errorRateParity: return errorRateDifference
    }
  }
}
