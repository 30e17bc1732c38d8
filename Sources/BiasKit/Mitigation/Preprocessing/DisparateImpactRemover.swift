/// Edits feature values so that their distribution no longer depends on the sensitive group,
/// while keeping the rank order within each group (Feldman et al.'s geometric repair).
///
/// For each feature column separately: let `U` be the column's distinct values, sorted, and
/// for each group `a` let `V_a` be the distinct values of the rows in `a`, sorted. With
/// `Q = min_a |V_a|` quantiles, quantile `q` of group `a` is the slice of `V_a` from
/// `round(o_a · |V_a|)` to `round((o_a + 1/Q) · |V_a|)`, where `o_a` is `q` additions of `1/Q`
/// (the same floating-point sum as the reference). Each slice has a median `m_a,q` (the lower
/// one for an even count); the target of quantile `q` is the lower median `m_q` of the
/// groups' medians. A row whose value sits at position `i` of `U` moves to
///
///     U[i + round(λ · (pos(m_q) − i))]          λ = repair level ∈ [0, 1]
///
/// so values stay values of the column, λ = 0 changes nothing and λ = 1 sends every row of a
/// quantile to the same value. Rounding is Python's `round`: half to even.
///
/// Corresponds to AIF360 0.6.1's `DisparateImpactRemover(repair_level)`, which calls
/// BlackBoxAuditing 0.1.54's `Repairer(features, index, repair_level, kdd=False)` (numeric
/// repair of every column, stratified on the sensitive column). The sensitive column is not
/// part of ``Matrix`` here and comes back unchanged, as AIF360 restores it.
///
/// Conventions: groups are the distinct values of the sensitive attribute. BlackBoxAuditing
/// first bins a numeric sensitive column into Freedman–Diaconis histogram bins of width
/// `2 · IQR · n^(−1/3)` (1 if that is 0); for a categorical attribute coded 0/1/…, each value
/// has its own bin unless the bin width exceeds the gap between codes, which BiasKit does not
/// imitate. Where the reference would fail (a group whose quantile slice is empty, a KeyError
/// in BlackBoxAuditing), that group's rows are left for the quantiles where they appear.
///
/// - Complexity: O(d · n log n) for n rows and d columns.
///
/// ## References
/// - Feldman, Friedler, Moeller, Scheidegger, Venkatasubramanian. Certifying and Removing
///   Disparate Impact. KDD 2015.
public struct DisparateImpactRemover: Sendable, Equatable {
  /// How far each value moves towards its quantile's target, in [0, 1] (`repair_level`).
  public var repairLevel: Double

  /// A repair of `repairLevel` (1: full repair).
  public init(repairLevel: Double = 1) {
    self.repairLevel = repairLevel
  }

  /// The repaired copy of `features` (one column at a time, all columns repaired).
  ///
  /// - Throws: for a repair level outside [0, 1], sizes that differ, or a value that is not
  ///   finite.
  public func repaired(_ features: Matrix, groups: Groups) throws -> Matrix {
    let groups = groups.occurring()
    guard repairLevel >= 0 && repairLevel <= 1 else {
      throw BiasKitError.invalidRepairLevel(repairLevel)
    }
    guard groups.rowCount == features.rows else {
      throw BiasKitError.lengthMismatch(
        "DisparateImpactRemover groups", groups.rowCount, features.rows)
    }
    for v in features.values where !v.isFinite {
      throw BiasKitError(.invalidValue, "DisparateImpactRemover: a feature value is not finite")
    }
    var out = features
    guard features.rows > 0 else { return out }
    let n = features.rows
    let d = features.columns
    var column = [Double](repeating: 0, count: n)
    for j in 0..<d {
      for i in 0..<n { column[i] = features.values[i * d + j] }
      let repaired = repairColumn(column, groups: groups)
      for i in 0..<n { out.values[i * d + j] = repaired[i] }
    }
    return out
  }

  /// Python's `round` to an integer: half to even.
  @inline(__always) static func pythonRound(_ x: Double) -> Int { Int(x.rounded(.toNearestOrEven)) }

  func repairColumn(_ column: [Double], groups: Groups) -> [Double] {
    let n = column.count
    // Rows sorted by (value, row); distinct values U and each row's position in U.
    let order = (0..<n).sorted { column[$0] != column[$1] ? column[$0] < column[$1] : $0 < $1 }
    var unique: [Double] = []
    var position = [Int](repeating: 0, count: n)
    for i in order {
      if unique.isEmpty || unique[unique.count - 1] != column[i] { unique.append(column[i]) }
      position[i] = unique.count - 1
    }
    // Per group: distinct values (ascending) and, for each, the rows holding it.
    let k = groups.count
    var groupValues = [[Int]](repeating: [], count: k)  // positions in U
    var groupRows = [[[Int]]](repeating: [], count: k)
    for i in order {
      let g = Int(groups.codes[i])
      if groupValues[g].last != position[i] {
        groupValues[g].append(position[i])
        groupRows[g].append([])
      }
      groupRows[g][groupRows[g].count - 1].append(i)
    }
    let present = (0..<k).filter { !groupValues[$0].isEmpty }
    guard let quantiles = present.map({ groupValues[$0].count }).min(), quantiles > 0 else {
      return column
    }
    let unit = 1.0 / Double(quantiles)
    var offsets = [Double](repeating: 0, count: k)
    var out = column
    var medians: [Int] = []
    var windows: [(group: Int, from: Int, to: Int)] = []
    for _ in 0..<quantiles {
      medians.removeAll(keepingCapacity: true)
      windows.removeAll(keepingCapacity: true)
      for g in present {
        let count = groupValues[g].count
        let start = Self.pythonRound(offsets[g] * Double(count))
        let take = Self.pythonRound((offsets[g] + unit) * Double(count)) - start
        offsets[g] += unit
        guard take > 0 else { continue }
        let from = min(max(start, 0), count)
        let to = min(max(start + take, 0), count)
        guard to > from else { continue }
        // Lower median of the slice's (ascending, distinct) values.
        medians.append(groupValues[g][from + (to - from - 1) / 2])
        windows.append((g, from, to))
      }
      guard !medians.isEmpty else { continue }
      medians.sort()
      let target = medians[(medians.count - 1) / 2]
      for w in windows {
        for v in w.from..<w.to {
          let current = groupValues[w.group][v]
          let moved = current + Self.pythonRound(Double(target - current) * repairLevel)
          let value = unique[moved]
          for i in groupRows[w.group][v] { out[i] = value }
        }
      }
    }
    return out
  }
}

extension BiasKitError {
  static func invalidRepairLevel(_ value: Double) -> BiasKitError {
    BiasKitError(
      .invalidArgument, "DisparateImpactRemover: the repair level must be in [0, 1] (got \(value))")
  }
}

// MARK: - Preprocessor

extension DisparateImpactRemover: Preprocessor {
  /// The repair has no fitted state: as AIF360's note asks, every set of rows (training or
  /// test) is repaired on its own, within its own groups. The model keeps the repair level and
  /// the training groups (rows of other groups are refused).
  public struct Model: PreprocessorModel, Sendable, Equatable {
    /// How far each value moves, in [0, 1].
    public var repairLevel: Double
    /// The training groups.
    public var groupNames: [String]

    /// The rows with ``transformedFeatures(_:)`` as features.
    public func transformed(_ data: Dataset) throws -> Dataset {
      try data.replacing(features: transformedFeatures(data))
    }

    /// ``DisparateImpactRemover/repaired(_:groups:)`` of the rows' features within their groups.
    ///
    /// - Throws: when the rows have no groups or one the model was not fitted on.
    public func transformedFeatures(_ data: Dataset) throws -> Matrix {
      let groups = try data.requiredGroups("DisparateImpactRemover")
      _ = try groups.occurring().codes(matching: groupNames)
      return try DisparateImpactRemover(repairLevel: repairLevel).repaired(
        data.features, groups: groups)
    }

    /// `repair_level`.
    public var summary: JSONValue { .object([("repair_level", .number(repairLevel))]) }
  }

  /// Checks the repair level and the groups of the training rows.
  ///
  /// - Throws: for a repair level outside [0, 1], no groups or one group.
  public func fitted(to data: Dataset) throws -> Model {
    guard repairLevel >= 0 && repairLevel <= 1 else {
      throw BiasKitError.invalidRepairLevel(repairLevel)
    }
    let groups = try data.requiredGroups("DisparateImpactRemover").occurring()
    guard groups.count >= 2 else { throw BiasKitError.oneSensitiveGroup(groups.names.first ?? "") }
    return Model(repairLevel: repairLevel, groupNames: groups.names)
  }
}
