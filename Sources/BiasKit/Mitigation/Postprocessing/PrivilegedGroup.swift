/// The two groups AIF360's post-processors compare: one privileged group and the rest.
///
/// AIF360 describes them as `privileged_groups=[{"sex": 1}]`, `unprivileged_groups=[{"sex": 0}]`;
/// here the sensitive feature must have exactly two groups and the privileged one is named.
///
/// - Complexity: O(n) to split n rows.
struct PrivilegedSplit {
  /// Code of the privileged group in the ``Groups`` table.
  var privilegedCode: Int32
  /// `true` for rows of the privileged group.
  var isPrivileged: [Bool]

  init(groups: Groups, privileged: String, algorithm: String) throws {
    guard groups.count == 2 else {
      throw BiasKitError.notTwoGroups(algorithm, groups.names)
    }
    guard let code = groups.names.firstIndex(of: privileged) else {
      throw BiasKitError.unknownPrivilegedGroup(algorithm, privileged, groups.names)
    }
    privilegedCode = Int32(code)
    isPrivileged = groups.codes.map { $0 == Int32(code) }
  }
}

/// Checks AIF360-style instance weights: nil (unit weights) or one finite weight ≥ 0 per row,
/// with a positive total in each of the two groups (otherwise every rate is 0/0).
///
/// - Complexity: O(n).
func checkInstanceWeights(_ weights: [Double]?, split: PrivilegedSplit, algorithm: String) throws {
  guard let weights else { return }
  guard weights.count == split.isPrivileged.count else {
    throw BiasKitError.postprocessingLengths(
      algorithm, "instance weights", weights.count, split.isPrivileged.count)
  }
  var total = (privileged: 0.0, unprivileged: 0.0)
  for (i, w) in weights.enumerated() {
    guard w.isFinite, w >= 0 else { throw BiasKitError.invalidInstanceWeight(algorithm, row: i, w) }
    if split.isPrivileged[i] { total.privileged += w } else { total.unprivileged += w }
  }
  guard total.privileged > 0, total.unprivileged > 0 else {
    throw BiasKitError.zeroGroupWeight(algorithm, privileged: !(total.privileged > 0))
  }
}

/// NumPy's `np.sum` of a contiguous float64 array, bit for bit: the initial 0 plus NumPy's
/// `pairwise_sum` (fewer than 8 values: a loop; up to 128: eight interleaved accumulators
/// combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the remainder; more: split at half
/// the length rounded down to a multiple of 8). AIF360 forms every weighted count this way.
///
/// - Complexity: O(n).
func numpySum(_ values: [Double]) -> Double {
  values.withUnsafeBufferPointer { buffer in
    guard let base = buffer.baseAddress else { return 0 }
    return 0.0 + pairwiseSum(base, buffer.count)
  }
}

private func pairwiseSum(_ a: UnsafePointer<Double>, _ n: Int) -> Double {
  if n < 8 {
    var sum = 0.0
    for i in 0..<n { sum += a[i] }
    return sum
  }
  if n <= 128 {
    var r0 = a[0]
    var r1 = a[1]
    var r2 = a[2]
    var r3 = a[3]
    var r4 = a[4]
    var r5 = a[5]
    var r6 = a[6]
    var r7 = a[7]
    var i = 8
    while i < n - n % 8 {
      r0 += a[i]
      r1 += a[i + 1]
      r2 += a[i + 2]
      r3 += a[i + 3]
      r4 += a[i + 4]
      r5 += a[i + 5]
      r6 += a[i + 6]
      r7 += a[i + 7]
      i += 8
    }
    var sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n {
      sum += a[i]
      i += 1
    }
    return sum
  }
  var half = n / 2
  half -= half % 8
  return pairwiseSum(a, half) + pairwiseSum(a + half, n - half)
}

/// Counts of one group's rows by true label and (possibly fractional) prediction; with
/// instance weights, sums of the weights (AIF360's `utils.compute_num_TF_PN` and
/// `compute_num_gen_TF_PN`: `Σ w`, `Σ w·s`, `Σ w·(1 − s)`).
struct GroupCounts {
  var rows = 0.0
  var positives = 0.0
  var negatives = 0.0
  var truePositives = 0.0
  var falsePositives = 0.0
  var trueNegatives = 0.0
  var falseNegatives = 0.0

  /// AIF360's weighted sums over the rows `i` with `isMember[i] == member`, each a
  /// ``numpySum(_:)`` in row order of what AIF360 selects: `rows`, `positives`, `negatives`
  /// sum the weights (`compute_num_instances`, `compute_num_pos_neg`); with `hard`
  /// predictions (0 or 1) the four cells sum the weights of the rows in them
  /// (`compute_num_TF_PN`), otherwise `w·p` and `w·(1 − p)` over each label's rows
  /// (`compute_num_gen_TF_PN`).
  init(
    aif360Labels labels: [UInt8], predictions p: [Double], hard: Bool, weights w: [Double],
    isMember: [Bool], member: Bool
  ) {
    var all: [Double] = []
    var pos: [Double] = []
    var neg: [Double] = []
    var tp: [Double] = []
    var fn: [Double] = []
    var fp: [Double] = []
    var tn: [Double] = []
    for i in labels.indices where isMember[i] == member {
      all.append(w[i])
      if labels[i] == 1 {
        pos.append(w[i])
        if hard {
          if p[i] == 1 { tp.append(w[i]) } else { fn.append(w[i]) }
        } else {
          tp.append(w[i] * p[i])
          fn.append(w[i] * (1 - p[i]))
        }
      } else {
        neg.append(w[i])
        if hard {
          if p[i] == 1 { fp.append(w[i]) } else { tn.append(w[i]) }
        } else {
          fp.append(w[i] * p[i])
          tn.append(w[i] * (1 - p[i]))
        }
      }
    }
    rows = numpySum(all)
    positives = numpySum(pos)
    negatives = numpySum(neg)
    truePositives = numpySum(tp)
    falseNegatives = numpySum(fn)
    falsePositives = numpySum(fp)
    trueNegatives = numpySum(tn)
  }

  init() {}

  /// The weighted sums of the privileged and of the unprivileged rows of `split`.
  static func weighted(
    aif360Labels labels: [UInt8], predictions p: [Double], hard: Bool, weights w: [Double],
    split: PrivilegedSplit
  ) -> (privileged: GroupCounts, unprivileged: GroupCounts) {
    (
      GroupCounts(
        aif360Labels: labels, predictions: p, hard: hard, weights: w,
        isMember: split.isPrivileged, member: true),
      GroupCounts(
        aif360Labels: labels, predictions: p, hard: hard, weights: w,
        isMember: split.isPrivileged, member: false)
    )
  }

  var baseRate: Double { positives / rows }
  var truePositiveRate: Double { truePositives / positives }
  var falsePositiveRate: Double { falsePositives / negatives }
  var trueNegativeRate: Double { trueNegatives / negatives }
  var falseNegativeRate: Double { falseNegatives / positives }
  var selectionRate: Double { (truePositives + falsePositives) / rows }

  /// Adds a row with label `y` and prediction (or score) `p ∈ [0, 1]`.
  @inline(__always) mutating func add(label y: UInt8, prediction p: Double) {
    rows += 1
    if y == 1 {
      positives += 1
      truePositives += p
      falseNegatives += 1 - p
    } else {
      negatives += 1
      falsePositives += p
      trueNegatives += 1 - p
    }
  }
}

extension BiasKitError {
  /// AIF360's post-processors compare exactly two groups.
  static func notTwoGroups(_ algorithm: String, _ names: [String]) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "\(algorithm) compares a privileged and an unprivileged group; the sensitive feature has \(names.count) groups (\(names.joined(separator: ", ")))"
    )
  }

  /// The privileged group's name is not among the groups.
  static func unknownPrivilegedGroup(
    _ algorithm: String, _ name: String, _ names: [String]
  )
    -> BiasKitError
  {
    BiasKitError(
      .unknownName,
      "\(algorithm): the privileged group '\(name)' is not one of the groups (\(names.joined(separator: ", ")))"
    )
  }

  /// An instance weight is negative, infinite or NaN.
  static func invalidInstanceWeight(_ algorithm: String, row: Int, _ value: Double) -> BiasKitError
  {
    BiasKitError(
      .invalidValue,
      "\(algorithm): the instance weight of row \(row + 1) is \(value); expected a finite number ≥ 0"
    )
  }

  /// One group's instance weights sum to zero, so all its rates are 0/0.
  static func zeroGroupWeight(_ algorithm: String, privileged: Bool) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "\(algorithm): the instance weights of the \(privileged ? "privileged" : "unprivileged") group sum to 0; each group needs a positive total weight"
    )
  }

  /// Two parallel inputs of a post-processor have different lengths.
  static func postprocessingLengths(
    _ algorithm: String, _ what: String, _ a: Int, _ b: Int
  )
    -> BiasKitError
  {
    BiasKitError(.invalidArgument, "\(algorithm): \(a) \(what) for \(b) rows")
  }
}
