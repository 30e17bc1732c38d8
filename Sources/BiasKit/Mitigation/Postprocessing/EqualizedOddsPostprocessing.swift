/// Equalized-odds post-processing of hard predictions: in each of two groups, keeps a
/// predicted 1 with probability `p2p_a` and turns a predicted 0 into 1 with probability
/// `n2p_a`, chosen by a linear program so that the groups' true- and false-positive rates
/// become equal while the expected error is smallest.
///
///     minimise  Σ_a (FPR_a − TPR_a)·p2p_a + (TNR_a − FNR_a)·n2p_a
///     subject to  TPR_s·p2p_s + FNR_s·n2p_s = TPR_o·p2p_o + FNR_o·n2p_o
///                 FPR_s·p2p_s + TNR_s·n2p_s = FPR_o·p2p_o + TNR_o·n2p_o
///                 0 ≤ p2p_a, n2p_a ≤ 1
///
/// (s: privileged, o: unprivileged; the rates are those of the given predictions against the
/// true labels.) The equality rows are built as AIF360 builds them (counts over group size,
/// over the base rate), so they equal the rates above up to rounding.
///
/// With instance weights `w` (AIF360: `dataset.instance_weights`), AIF360 weighs the rates of
/// the objective and the base rates `μ_a = Σ_{a, y=1} w / Σ_a w` (its `ClassificationMetric`),
/// but builds the equality rows from unweighted means of indicators (`np.mean(sm_tp)`, …),
/// divided by the weighted base rate:
///
///     A_eq = [ #TP_s/n_s/μ_s   #FN_s/n_s/μ_s   −#TP_o/n_o/μ_o   −#FN_o/n_o/μ_o ]
///            [ #FP_s/n_s/(1−μ_s) #TN_s/n_s/(1−μ_s) −#FP_o/n_o/(1−μ_o) −#TN_o/n_o/(1−μ_o) ]
///
/// (`#` a count of rows, `n_a` the group's row count). So with non-uniform weights the
/// constraint is not exactly "weighted rates equal"; this type reproduces AIF360's program as
/// it is, its weighted sums formed as NumPy forms them (``numpySum(_:)``). Prediction does not
/// use weights.
///
/// Corresponds to AIF360 0.6.1's `EqOddsPostprocessing` (`fit`; `model_params.x` is
/// `[sp2p, sn2p, op2p, on2p]`), solved with the package's ``LinearProgram`` instead of SciPy's
/// HiGHS; where the optimum is unique the probabilities agree to rounding. `predict` in AIF360
/// shuffles each group's predicted-positive and predicted-negative rows with NumPy's global
/// generator and flips the first `⌊count·(1 − p2p)⌋` positives and `⌊count·n2p⌋` negatives;
/// ``Model/predictions(predictions:groups:using:)`` does the same with an injected generator.
///
/// Conventions: a group with no positive or no negative label (or, with weights, zero weight
/// on either label) makes the program undefined (NaN coefficients) and throws.
///
/// - Complexity: O(n) to count, then a 4-variable linear program; O(n) to predict.
///
/// ## References
/// - Hardt, Price, Srebro. Equality of Opportunity in Supervised Learning. NeurIPS 2016.
/// - Pleiss, Raghavan, Wu, Kleinberg, Weinberger. On Fairness and Calibration. NeurIPS 2017.
public struct EqualizedOddsPostprocessing: Sendable {
  /// Name of the privileged group (the other one is unprivileged).
  public var privilegedGroup: String
  /// Scores above this are predicted 1 when the post-processor reads a ``Dataset``'s scores
  /// (``fitted(to:)``); hard predictions given as scores 0/1 stay as they are.
  public var threshold: Double

  /// Post-processing with `privilegedGroup` as the privileged group; the ``Dataset`` entry
  /// points predict `1[score > threshold]` before post-processing.
  public init(privilegedGroup: String, threshold: Double = 0.5) {
    self.privilegedGroup = privilegedGroup
    self.threshold = threshold
  }

  /// The fitted flip probabilities.
  public struct Model: Sendable, Equatable {
    /// The two groups, sorted.
    public var groupNames: [String]
    /// Index of the privileged group in ``groupNames``.
    public var privilegedCode: Int32
    /// `P(ŷ' = 1 | ŷ = 1)` in the privileged group (AIF360: `sp2p`).
    public var privilegedKeepPositive: Double
    /// `P(ŷ' = 1 | ŷ = 0)` in the privileged group (`sn2p`).
    public var privilegedNegativeToPositive: Double
    /// `P(ŷ' = 1 | ŷ = 1)` in the unprivileged group (`op2p`).
    public var unprivilegedKeepPositive: Double
    /// `P(ŷ' = 1 | ŷ = 0)` in the unprivileged group (`on2p`).
    public var unprivilegedNegativeToPositive: Double
    /// The program's optimal value (SciPy: `fun`).
    public var objective: Double
    /// The threshold that turns a ``Dataset``'s scores into the predictions it post-processes
    /// (``EqualizedOddsPostprocessing/threshold``).
    public var threshold: Double = 0.5

    /// `[sp2p, sn2p, op2p, on2p]`, AIF360's `model_params.x`.
    public var mixingProbabilities: [Double] {
      [
        privilegedKeepPositive, privilegedNegativeToPositive, unprivilegedKeepPositive,
        unprivilegedNegativeToPositive,
      ]
    }

    func check(_ predictions: [UInt8], _ groups: Groups) throws -> [Int32] {
      guard predictions.count == groups.rowCount else {
        throw BiasKitError.postprocessingLengths(
          "EqualizedOddsPostprocessing", "predictions", predictions.count, groups.rowCount)
      }
      return try groups.codes(matching: groupNames)
    }

    /// `P(ŷ' = 1)` of each row given its prediction and group.
    public func positiveProbabilities(
      predictions: [UInt8], groups: Groups
    ) throws
      -> [Double]
    {
      let codes = try check(predictions, groups)
      return predictions.indices.map { i in
        let priv = codes[i] == privilegedCode
        if predictions[i] == 1 { return priv ? privilegedKeepPositive : unprivilegedKeepPositive }
        return priv ? privilegedNegativeToPositive : unprivilegedNegativeToPositive
      }
    }

    /// New predictions: in each group (privileged first), the predicted-positive and
    /// predicted-negative rows are shuffled (Fisher–Yates with `generator`), then the first
    /// `⌊n₊·(1 − p2p)⌋` positives become 0 and the first `⌊n₋·n2p⌋` negatives become 1.
    public func predictions<G: RandomNumberGenerator>(
      predictions: [UInt8], groups: Groups, using generator: inout G
    ) throws -> [UInt8] {
      let codes = try check(predictions, groups)
      var out = predictions
      for priv in [true, false] {
        var positives: [Int] = []
        var negatives: [Int] = []
        for i in predictions.indices where (codes[i] == privilegedCode) == priv {
          if predictions[i] == 1 { positives.append(i) } else { negatives.append(i) }
        }
        positives.shuffle(using: &generator)
        negatives.shuffle(using: &generator)
        let p2p = priv ? privilegedKeepPositive : unprivilegedKeepPositive
        let n2p = priv ? privilegedNegativeToPositive : unprivilegedNegativeToPositive
        for i in negatives.prefix(Int(Double(negatives.count) * n2p)) { out[i] = 1 }
        for i in positives.prefix(Int(Double(positives.count) * (1 - p2p))) { out[i] = 0 }
      }
      return out
    }
  }

  /// Fits the flip probabilities to 0/1 `predictions`, 0/1 true `labels` and two `groups`,
  /// with optional instance `weights` (nil: every row weighs 1).
  ///
  /// - Throws: for sizes that differ, other than two groups, an unknown privileged group, a
  ///   group without both labels, a weight that is negative or not finite, or an infeasible
  ///   program.
  public func fitted(
    predictions: [UInt8], labels: [UInt8], groups: Groups, weights: [Double]? = nil
  ) throws -> Model {
    let groups = groups.occurring()
    let name = "EqualizedOddsPostprocessing"
    let n = predictions.count
    guard labels.count == n else {
      throw BiasKitError.postprocessingLengths(name, "labels", labels.count, n)
    }
    guard groups.rowCount == n else {
      throw BiasKitError.postprocessingLengths(name, "groups", groups.rowCount, n)
    }
    try checkBinaryLabels(labels, name)
    try checkBinaryLabels(predictions, "\(name) predictions")
    let split = try PrivilegedSplit(groups: groups, privileged: privilegedGroup, algorithm: name)
    try checkInstanceWeights(weights, split: split, algorithm: name)
    // s, o: counts (AIF360's A_eq); ws, wo: weighted sums (its rates and base rates).
    var s = GroupCounts()
    var o = GroupCounts()
    for i in 0..<n {
      let p: Double = predictions[i] == 1 ? 1 : 0
      if split.isPrivileged[i] {
        s.add(label: labels[i], prediction: p)
      } else {
        o.add(label: labels[i], prediction: p)
      }
    }
    var ws = s
    var wo = o
    if let weights {
      let p = predictions.map { $0 == 1 ? 1.0 : 0.0 }
      (ws, wo) = GroupCounts.weighted(
        aif360Labels: labels, predictions: p, hard: true, weights: weights, split: split)
    }
    guard ws.positives > 0, ws.negatives > 0, wo.positives > 0, wo.negatives > 0 else {
      throw BiasKitError(
        .degenerateData,
        "\(name): each group needs rows of both labels\(weights == nil ? "" : " with positive total weight")"
      )
    }
    let sbr = ws.baseRate
    let obr = wo.baseRate
    var program = LinearProgram(c: [
      ws.falsePositiveRate - ws.truePositiveRate, ws.trueNegativeRate - ws.falseNegativeRate,
      wo.falsePositiveRate - wo.truePositiveRate, wo.trueNegativeRate - wo.falseNegativeRate,
    ])
    for j in 0..<4 {
      var row = [Double](repeating: 0, count: 4)
      row[j] = 1
      program.upperRows.append(row)
      program.upperBounds.append(1)
    }
    // AIF360's A_eq: mean over the group's rows of the count indicator, over the base rate.
    program.equalRows = [
      [
        s.truePositives / s.rows / sbr, s.falseNegatives / s.rows / sbr,
        -(o.truePositives / o.rows) / obr, -(o.falseNegatives / o.rows) / obr,
      ],
      [
        s.falsePositives / s.rows / (1 - sbr), s.trueNegatives / s.rows / (1 - sbr),
        -(o.falsePositives / o.rows) / (1 - obr), -(o.trueNegatives / o.rows) / (1 - obr),
      ],
    ]
    program.equalBounds = [0, 0]
    guard case .optimal(let x, let value) = program.solve() else {
      throw BiasKitError(.notConverged, "\(name): the linear program has no optimal solution")
    }
    return Model(
      groupNames: groups.names, privilegedCode: split.privilegedCode,
      privilegedKeepPositive: x[0], privilegedNegativeToPositive: x[1],
      unprivilegedKeepPositive: x[2], unprivilegedNegativeToPositive: x[3], objective: value,
      threshold: threshold)
  }
}

// MARK: - Mitigator

extension EqualizedOddsPostprocessing: ScorePostprocessor {
  /// Fits to the predictions `1[score > threshold]` of the dataset's scores, its labels, groups
  /// and weights.
  ///
  /// - Throws: as ``fitted(predictions:labels:groups:weights:)``, and when the data has no
  ///   scores, labels or groups, one class or one group.
  public func fitted(to data: Dataset) throws -> Model {
    let name = "EqualizedOddsPostprocessing"
    let (labels, groups) = try data.mitigationTarget(name)
    let predicted = try data.requiredScores(name).map { $0 > threshold ? UInt8(1) : 0 }
    return try fitted(
      predictions: predicted, labels: labels, groups: groups, weights: data.weights)
  }

  /// The equalized-odds gap.
  public var violation: ExpectedOutcome.Violation { .equalizedOdds }
}

extension EqualizedOddsPostprocessing.Model: MitigatedModel {
  private func thresholded(_ data: Dataset) throws -> (predictions: [UInt8], groups: Groups) {
    let name = "EqualizedOddsPostprocessing"
    let predicted = try data.requiredScores(name).map { $0 > threshold ? UInt8(1) : 0 }
    return (predicted, try data.requiredGroups(name))
  }

  /// ``positiveProbabilities(predictions:groups:)`` of `1[score > threshold]`.
  public func positiveProbabilities(on data: Dataset) throws -> [Double] {
    let (predicted, groups) = try thresholded(data)
    return try positiveProbabilities(predictions: predicted, groups: groups)
  }

  /// ``predictions(predictions:groups:using:)`` of `1[score > threshold]` (AIF360's shuffled
  /// flips).
  public func predictions<G: RandomNumberGenerator>(
    on data: Dataset, using generator: inout G
  ) throws -> [UInt8] {
    let (predicted, groups) = try thresholded(data)
    return try predictions(predictions: predicted, groups: groups, using: &generator)
  }

  /// `privileged`, `threshold`, AIF360's `sp2p`, `sn2p`, `op2p`, `on2p` and the program's
  /// `objective`.
  public var summary: JSONValue {
    .object([
      ("privileged", .string(groupNames[Int(privilegedCode)])), ("threshold", .number(threshold)),
      ("sp2p", .number(privilegedKeepPositive)), ("sn2p", .number(privilegedNegativeToPositive)),
      ("op2p", .number(unprivilegedKeepPositive)),
      ("on2p", .number(unprivilegedNegativeToPositive)), ("objective", .number(objective)),
    ])
  }
}
