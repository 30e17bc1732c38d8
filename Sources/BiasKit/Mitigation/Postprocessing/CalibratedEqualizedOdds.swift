/// Calibrated equalized-odds post-processing: withholds a classifier's score from a random
/// share of one group's rows, replacing it by the group's base rate, so that the two groups'
/// generalised error costs become equal while scores stay calibrated.
///
/// With base rates `μ_a`, generalised rates `GFPR_a = Σ_{y=0} s / N_a`,
/// `GFNR_a = Σ_{y=1} (1 − s) / P_a`, and the cost
///
///     fnr:      c_a = GFNR_a
///     fpr:      c_a = GFPR_a
///     weighted: c_a = ½ · GFPR_a · (1 − μ_a) + ½ · GFNR_a · μ_a
///
/// of the scores and `c̄_a` of the trivial classifier `s ≡ μ_a` (`GFPR = μ_a`, `GFNR = 1 − μ_a`),
/// the group that costs less is mixed with its trivial classifier at rate
///
///     α_priv   = (c_unpriv − c_priv) / (c̄_priv − c_priv)       if c_unpriv > c_priv, else 0
///     α_unpriv = (c_priv − c_unpriv) / (c̄_unpriv − c_unpriv)   otherwise
///
/// and a row's label is `1[s' ≥ threshold]` with `s' = μ_a` with probability `α_a`, else `s`.
///
/// With instance weights `w` (AIF360: `dataset.instance_weights`, used by its
/// `ClassificationMetric`), every sum is weighted: `μ_a = Σ_{a, y=1} w / Σ_a w`,
/// `GFPR_a = Σ_{a, y=0} w·s / Σ_{a, y=0} w`, `GFNR_a = Σ_{a, y=1} w·(1 − s) / Σ_{a, y=1} w`;
/// the trivial classifier's rates are `Σ w·μ_a / Σ w` (= μ_a up to rounding) as AIF360 forms
/// them. The weighted sums are NumPy's pairwise sums in row order (``numpySum(_:)``), so they
/// equal AIF360's bit for bit. Prediction does not use weights.
///
/// Corresponds to AIF360 0.6.1's `CalibratedEqOddsPostprocessing` (`cost_constraint`, `fit`,
/// `predict(threshold=0.5)`; `instance_weights` as `weights`). The mixing rates and base rates are
/// deterministic and match it to rounding; its `predict` draws from NumPy's global generator,
/// ours from an injected generator (one uniform per row in row order), so individual labels
/// differ while ``Model/positiveProbabilities(scores:groups:threshold:)`` is exact.
///
/// Conventions: the rates are AIF360's quotients as they are: not clipped to [0, 1] (a rate
/// above 1 mixes every row), and a zero denominator gives ±∞ or NaN as in NumPy. A row is
/// mixed when `U ≤ α`, so the effective probability is `α` clipped to [0, 1], NaN counting as 0;
/// ``Model/positiveProbabilities(scores:groups:threshold:)`` uses that clipped value. A group
/// with no positive or no negative label gives NaN rates, as in AIF360.
///
/// - Complexity: O(n) to fit and to predict n rows.
///
/// ## References
/// - Pleiss, Raghavan, Wu, Kleinberg, Weinberger. On Fairness and Calibration. NeurIPS 2017.
public struct CalibratedEqualizedOdds: Sendable {
  /// Which error the two groups are made to pay equally (AIF360: `cost_constraint`).
  public enum CostConstraint: String, Sendable, CaseIterable {
    /// Generalised false-negative rate (`"fnr"`).
    case falseNegativeRate = "fnr"
    /// Generalised false-positive rate (`"fpr"`).
    case falsePositiveRate = "fpr"
    /// Both, weighted by the base rate (`"weighted"`).
    case weighted
  }

  /// The cost to equalise.
  public var costConstraint: CostConstraint
  /// Name of the privileged group (the other one is unprivileged).
  public var privilegedGroup: String
  /// The label of a row is `1[s' ≥ threshold]` when the model decides on a ``Dataset``
  /// (AIF360: `predict(threshold=0.5)`).
  public var threshold: Double

  /// Post-processing that equalises `costConstraint` between `privilegedGroup` and the other
  /// group; the ``Dataset`` entry points label `1[s' ≥ threshold]`.
  public init(
    costConstraint: CostConstraint = .weighted, privilegedGroup: String, threshold: Double = 0.5
  ) {
    self.costConstraint = costConstraint
    self.privilegedGroup = privilegedGroup
    self.threshold = threshold
  }

  /// Fitted mixing rates.
  public struct Model: Sendable, Equatable {
    /// The fitted groups' names and the privileged one's code.
    public var groupNames: [String]
    /// Index of the privileged group in ``groupNames``.
    public var privilegedCode: Int32
    /// Share of privileged rows whose score is replaced (AIF360: `priv_mix_rate`).
    public var privilegedMixRate: Double
    /// Share of unprivileged rows whose score is replaced (`unpriv_mix_rate`).
    public var unprivilegedMixRate: Double
    /// Base rate of the privileged group in the fit data (`base_rate_priv`).
    public var privilegedBaseRate: Double
    /// Base rate of the unprivileged group (`base_rate_unpriv`).
    public var unprivilegedBaseRate: Double
    /// The cost that was equalised.
    public var costConstraint: CostConstraint = .weighted
    /// The labelling threshold of the ``Dataset`` entry points
    /// (``CalibratedEqualizedOdds/threshold``).
    public var threshold: Double = 0.5

    func check(_ scores: [Double], _ groups: Groups) throws -> [Int32] {
      guard scores.count == groups.rowCount else {
        throw BiasKitError.postprocessingLengths(
          "CalibratedEqualizedOdds", "scores", scores.count, groups.rowCount)
      }
      return try groups.codes(matching: groupNames)
    }

    /// Probability that a row of the group is mixed: `P(U ≤ α) = clip(α, 0, 1)`, NaN → 0.
    static func mixingProbability(_ rate: Double) -> Double {
      rate.isNaN ? 0 : min(max(rate, 0), 1)
    }

    /// `P(ŷ = 1)` of each row: `(1 − π_a)·1[s ≥ t] + π_a·1[μ_a ≥ t]` with `π_a = clip(α_a, 0, 1)`.
    public func positiveProbabilities(
      scores: [Double], groups: Groups, threshold: Double = 0.5
    ) throws -> [Double] {
      let codes = try check(scores, groups)
      return scores.indices.map { i in
        let priv = codes[i] == privilegedCode
        let mix = Self.mixingProbability(priv ? privilegedMixRate : unprivilegedMixRate)
        let base = priv ? privilegedBaseRate : unprivilegedBaseRate
        return (1 - mix) * (scores[i] >= threshold ? 1 : 0) + mix * (base >= threshold ? 1 : 0)
      }
    }

    /// Scores with a random share `α_a` of each group's replaced by its base rate: row i is
    /// replaced when `U_i ≤ α_a`, `U_i ~ Uniform[0, 1)` drawn in row order from `generator`.
    public func adjustedScores<G: RandomNumberGenerator>(
      scores: [Double], groups: Groups, using generator: inout G
    ) throws -> [Double] {
      let codes = try check(scores, groups)
      return scores.indices.map { i in
        let priv = codes[i] == privilegedCode
        let mix = priv ? privilegedMixRate : unprivilegedMixRate
        let u = Double.random(in: 0..<1, using: &generator)
        return u <= mix ? (priv ? privilegedBaseRate : unprivilegedBaseRate) : scores[i]
      }
    }

    /// Labels `1[s' ≥ threshold]` of ``adjustedScores(scores:groups:using:)``.
    public func predictions<G: RandomNumberGenerator>(
      scores: [Double], groups: Groups, threshold: Double = 0.5, using generator: inout G
    ) throws -> [UInt8] {
      try adjustedScores(scores: scores, groups: groups, using: &generator).map {
        $0 >= threshold ? 1 : 0
      }
    }
  }

  /// Fits the mixing rates to `scores` in [0, 1], 0/1 true `labels` and two `groups`, with
  /// optional instance `weights` (nil: every row weighs 1).
  ///
  /// - Throws: for sizes that differ, other than two groups, an unknown privileged group, a
  ///   weight that is negative or not finite, or a group whose weights sum to 0.
  public func fitted(
    scores: [Double], labels: [UInt8], groups: Groups, weights: [Double]? = nil
  ) throws -> Model {
    let groups = groups.occurring()
    let name = "CalibratedEqualizedOdds"
    guard labels.count == scores.count else {
      throw BiasKitError.postprocessingLengths(name, "labels", labels.count, scores.count)
    }
    guard groups.rowCount == scores.count else {
      throw BiasKitError.postprocessingLengths(name, "groups", groups.rowCount, scores.count)
    }
    try checkBinaryLabels(labels, name)
    let split = try PrivilegedSplit(groups: groups, privileged: privilegedGroup, algorithm: name)
    try checkInstanceWeights(weights, split: split, algorithm: name)
    var priv = GroupCounts()
    var unpriv = GroupCounts()
    if let weights {
      (priv, unpriv) = GroupCounts.weighted(
        aif360Labels: labels, predictions: scores, hard: false, weights: weights, split: split)
    } else {
      for i in scores.indices {
        if split.isPrivileged[i] {
          priv.add(label: labels[i], prediction: scores[i])
        } else {
          unpriv.add(label: labels[i], prediction: scores[i])
        }
      }
    }
    func cost(gfpr: Double, gfnr: Double, base: Double) -> Double {
      switch costConstraint {
      case .falsePositiveRate: return gfpr
      case .falseNegativeRate: return gfnr
      case .weighted: return 1.0 / 2.0 * gfpr * (1 - base) + 1.0 / 2.0 * gfnr * base
      }
    }
    let mp = priv.baseRate
    let mu = unpriv.baseRate
    let privCost = cost(gfpr: priv.falsePositiveRate, gfnr: priv.falseNegativeRate, base: mp)
    let unprivCost = cost(gfpr: unpriv.falsePositiveRate, gfnr: unpriv.falseNegativeRate, base: mu)
    var privTrivial = cost(gfpr: mp, gfnr: 1 - mp, base: mp)
    var unprivTrivial = cost(gfpr: mu, gfnr: 1 - mu, base: mu)
    if let weights {
      // AIF360 scores the trivial classifier like any other: Σ w·μ / Σ w, equal to μ up to rounding.
      func trivial(_ member: Bool, _ base: Double) -> GroupCounts {
        GroupCounts(
          aif360Labels: labels, predictions: [Double](repeating: base, count: labels.count),
          hard: false,
          weights: weights, isMember: split.isPrivileged, member: member)
      }
      let p = trivial(true, mp)
      let u = trivial(false, mu)
      privTrivial = cost(gfpr: p.falsePositiveRate, gfnr: p.falseNegativeRate, base: mp)
      unprivTrivial = cost(gfpr: u.falsePositiveRate, gfnr: u.falseNegativeRate, base: mu)
    }
    let unprivCostsMore = unprivCost > privCost
    return Model(
      groupNames: groups.names, privilegedCode: split.privilegedCode,
      privilegedMixRate: unprivCostsMore ? (unprivCost - privCost) / (privTrivial - privCost) : 0,
      unprivilegedMixRate: unprivCostsMore
        ? 0 : (privCost - unprivCost) / (unprivTrivial - unprivCost),
      privilegedBaseRate: mp, unprivilegedBaseRate: mu, costConstraint: costConstraint,
      threshold: threshold)
  }
}

// MARK: - Mitigator

extension CalibratedEqualizedOdds: ScorePostprocessor {
  /// Fits the mixing rates to the dataset's scores, labels, groups and weights.
  ///
  /// - Throws: as ``fitted(scores:labels:groups:weights:)``, and when the data has no scores,
  ///   labels or groups, one class or one group.
  public func fitted(to data: Dataset) throws -> Model {
    let name = "CalibratedEqualizedOdds"
    let (labels, groups) = try data.mitigationTarget(name)
    return try fitted(
      scores: data.requiredScores(name), labels: labels, groups: groups, weights: data.weights)
  }

  /// The equalized-odds gap.
  public var violation: ExpectedOutcome.Violation { .equalizedOdds }
}

extension CalibratedEqualizedOdds.Model: MitigatedModel {
  /// ``positiveProbabilities(scores:groups:threshold:)`` of the dataset's scores and groups.
  public func positiveProbabilities(on data: Dataset) throws -> [Double] {
    let name = "CalibratedEqualizedOdds"
    return try positiveProbabilities(
      scores: data.requiredScores(name), groups: data.requiredGroups(name), threshold: threshold)
  }

  /// ``predictions(scores:groups:threshold:using:)`` of the dataset's scores and groups.
  public func predictions<G: RandomNumberGenerator>(
    on data: Dataset, using generator: inout G
  ) throws -> [UInt8] {
    let name = "CalibratedEqualizedOdds"
    return try predictions(
      scores: data.requiredScores(name), groups: data.requiredGroups(name), threshold: threshold,
      using: &generator)
  }

  /// `cost_constraint`, `privileged`, `threshold` and AIF360's `priv_mix_rate`,
  /// `unpriv_mix_rate`, `base_rate_priv`, `base_rate_unpriv`.
  public var summary: JSONValue {
    .object([
      ("cost_constraint", .string(costConstraint.rawValue)),
      ("privileged", .string(groupNames[Int(privilegedCode)])), ("threshold", .number(threshold)),
      ("priv_mix_rate", .number(privilegedMixRate)),
      ("unpriv_mix_rate", .number(unprivilegedMixRate)),
      ("base_rate_priv", .number(privilegedBaseRate)),
      ("base_rate_unpriv", .number(unprivilegedBaseRate)),
    ])
  }
}
