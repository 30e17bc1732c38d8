/// Weights each (group, label) cell so that the label becomes independent of the group in the
/// weighted data.
///
///     w(a, y) = (W_y · W_a) / (W · W_{a,y})
///
/// where `W` sums the initial instance weights over all rows, `W_a` over group `a`, `W_y` over
/// label `y` and `W_{a,y}` over both. Each row's new weight is its initial weight times
/// `w(a, y)`. Afterwards the weighted positive rate is the same in every group.
///
/// Corresponds to AIF360's `Reweighing` (`fit` + `transform`), which computes the same four
/// factors for privileged/unprivileged × favourable/unfavourable in the same order of
/// operations (`n_fav * n_p / (n * n_p_fav)`); here any number of groups is allowed.
/// A cell with no rows gets factor 0 (it weights nothing).
///
/// - Complexity: O(n) for n rows.
///
/// ## References
/// - Kamiran, Calders. Data preprocessing techniques for classification without
///   discrimination. Knowledge and Information Systems 33, 2012.
public struct Reweighing: Sendable {
  /// Reweighing (it has no parameters).
  public init() {}

  /// The fitted factors.
  public struct Model: Sendable, Equatable {
    /// `factors[a][y]`: the factor of group `a`, label `y` (0 or 1).
    public var factors: [[Double]]
    /// The group names, in the order of ``factors``.
    public var groupNames: [String]

    /// New instance weights: `initial[i] · factors[a_i][y_i]`.
    public func weights(
      labels: [UInt8], groups: Groups, initial: [Double]? = nil
    )
      throws -> [Double]
    {
      guard labels.count == groups.rowCount else {
        throw BiasKitError.lengthMismatch("Reweighing", labels.count, groups.rowCount)
      }
      try checkBinaryLabels(labels, "Reweighing")
      if let initial, initial.count != labels.count {
        throw BiasKitError.lengthMismatch("Reweighing initial weights", initial.count, labels.count)
      }
      let codes = try groups.codes(matching: groupNames)
      var out = [Double](repeating: 0, count: labels.count)
      for i in 0..<labels.count {
        out[i] = (initial?[i] ?? 1) * factors[Int(codes[i])][Int(labels[i])]
      }
      return out
    }
  }

  /// Computes the factors from 0/1 `labels`, `groups` and optional initial `weights`.
  /// - Throws: when sizes differ or there is one group.
  public func fitted(
    labels: [UInt8], groups: Groups, weights: [Double]? = nil
  )
    throws -> Model
  {
    let groups = groups.occurring()
    let n = labels.count
    guard n == groups.rowCount else {
      throw BiasKitError.lengthMismatch("Reweighing", n, groups.rowCount)
    }
    if let weights, weights.count != n {
      throw BiasKitError.lengthMismatch("Reweighing weights", weights.count, n)
    }
    try checkBinaryLabels(labels, "Reweighing")
    guard groups.count >= 2 else { throw BiasKitError.oneSensitiveGroup(groups.names.first ?? "") }
    let k = groups.count
    var cell = [Double](repeating: 0, count: k * 2)
    for i in 0..<n { cell[Int(groups.codes[i]) * 2 + Int(labels[i])] += weights?[i] ?? 1 }
    // Sums as numpy's pairwise sums would give them for these small totals: plain
    // accumulation of the per-row weights (exact for unit weights).
    var total = 0.0
    var byLabel = [0.0, 0.0]
    var byGroup = [Double](repeating: 0, count: k)
    for i in 0..<n {
      let w = weights?[i] ?? 1
      total += w
      byLabel[Int(labels[i])] += w
      byGroup[Int(groups.codes[i])] += w
    }
    var factors = [[Double]](repeating: [0, 0], count: k)
    for a in 0..<k {
      for y in 0..<2 where cell[a * 2 + y] > 0 {
        factors[a][y] = byLabel[y] * byGroup[a] / (total * cell[a * 2 + y])
      }
    }
    return Model(factors: factors, groupNames: groups.names)
  }
}

// MARK: - Preprocessor

extension Reweighing: Preprocessor {
  /// Computes the factors from the dataset's labels, groups and weights (initial weights).
  ///
  /// - Throws: when the data has no labels or groups, one class or one group.
  public func fitted(to data: Dataset) throws -> Model {
    let (labels, groups) = try data.mitigationTarget("Reweighing")
    return try fitted(labels: labels, groups: groups, weights: data.weights)
  }
}

extension Reweighing.Model: PreprocessorModel {
  /// The rows with weights `initial · factor(group, label)` (``weights(labels:groups:initial:)``
  /// with the rows' own weights as `initial`).
  public func transformed(_ data: Dataset) throws -> Dataset {
    guard let labels = data.labels?.values else {
      throw BiasKitError.missingInput("Reweighing", "labels")
    }
    let groups = try data.requiredGroups("Reweighing")
    return try data.replacing(
      weights: weights(labels: labels, groups: groups, initial: data.weights))
  }

  /// The features unchanged (weights only change the fit).
  public func transformedFeatures(_ data: Dataset) throws -> Matrix {
    if let groups = data.groups { _ = try groups.occurring().codes(matching: groupNames) }
    return data.features
  }

  /// `weights`: each group's factors by label (`{"0": w(a, 0), "1": w(a, 1)}`).
  public var summary: JSONValue {
    .object([
      (
        "weights",
        .object(
          zip(groupNames, factors).map { name, f in
            (name, .object([("0", .number(f[0])), ("1", .number(f[1]))]))
          })
      )
    ])
  }
}
