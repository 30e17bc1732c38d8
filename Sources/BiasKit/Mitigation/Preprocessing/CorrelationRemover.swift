/// Removes the linear correlation between the sensitive columns and the other features, by
/// replacing each other feature with its residual after a least-squares projection on the
/// centred sensitive columns, blended with the original.
///
///     β = argmin ‖(S − s̄) β − X‖²   (minimum-norm solution)
///     X' = α · (X − (S − s̄) β) + (1 − α) · X
///
/// `S` holds the sensitive columns, `X` the others, `s̄` the sensitive means on the fitted
/// data. The sensitive columns are dropped from the output, which keeps the other columns in
/// their input order.
///
/// Corresponds to fairlearn's `CorrelationRemover(sensitive_feature_ids=…, alpha=…)`; `β`
/// is `beta_` (fairlearn uses `np.linalg.lstsq`; here the normal equations of the k × k
/// Gram matrix are solved by a symmetric eigendecomposition, giving the same
/// minimum-norm solution when the sensitive columns are collinear).
///
/// - Complexity: O(n · p · k + k³) to fit and O(n · p · k) to transform, for n rows,
///   p other features and k sensitive columns.
public struct CorrelationRemover: Sendable {
  /// How much of the correlation to remove, in [0, 1] (fairlearn `alpha`).
  public var alpha: Double

  /// A remover of the share `alpha` of the correlation.
  public init(alpha: Double = 1) { self.alpha = alpha }

  /// The fitted projection.
  public struct Model: Sendable, Equatable {
    /// Indices of the sensitive columns in the input matrix.
    public var sensitiveColumns: [Int]
    /// Means of the sensitive columns on the fitted data (`sensitive_mean_`).
    public var sensitiveMeans: [Double]
    /// `k × (p − k)` coefficients, row-major (`beta_`).
    public var beta: [Double]
    /// Blend factor.
    public var alpha: Double
    /// Number of input columns.
    public var inputColumns: Int
    /// For a model fitted to a ``Dataset`` (``CorrelationRemover/fitted(to:)``): the groups
    /// whose indicators (all but the first) are the sensitive columns appended to the features.
    /// Empty for a model fitted to a matrix.
    public var groupNames: [String] = []

    /// The transformed matrix: the other columns with the correlation removed.
    public func transform(_ x: Matrix) throws -> Matrix {
      guard x.columns == inputColumns else {
        throw BiasKitError(
          .invalidArgument,
          "CorrelationRemover: \(x.columns) columns, but it was fitted on \(inputColumns)")
      }
      let sensitive = Set(sensitiveColumns)
      let keep = (0..<x.columns).filter { !sensitive.contains($0) }
      let k = sensitiveColumns.count
      let m = keep.count
      var out = [Double](repeating: 0, count: x.rows * m)
      var centred = [Double](repeating: 0, count: k)
      for i in 0..<x.rows {
        let base = i * x.columns
        for (t, c) in sensitiveColumns.enumerated() {
          centred[t] = x.values[base + c] - sensitiveMeans[t]
        }
        for (j, c) in keep.enumerated() {
          let original = x.values[base + c]
          var projection = 0.0
          for t in 0..<k { projection += centred[t] * beta[t * m + j] }
          let filtered = original - projection
          out[i * m + j] = alpha * filtered + (1 - alpha) * original
        }
      }
      let names = x.columnNames.isEmpty ? [] : keep.map { x.columnNames[$0] }
      return Matrix(rows: x.rows, columns: m, values: out, columnNames: names)
    }
  }

  /// Fits the projection on `x`, whose columns `sensitiveColumns` are the sensitive ones.
  /// - Throws: for an out-of-range or repeated column index, an `alpha` outside [0, 1],
  ///   or no rows.
  public func fitted(_ x: Matrix, sensitiveColumns: [Int]) throws -> Model {
    guard (0...1).contains(alpha) else {
      throw BiasKitError(.invalidArgument, "CorrelationRemover: alpha \(alpha) is not in [0, 1]")
    }
    guard Set(sensitiveColumns).count == sensitiveColumns.count,
      sensitiveColumns.allSatisfy({ (0..<x.columns).contains($0) })
    else {
      throw BiasKitError(
        .invalidArgument, "CorrelationRemover: bad sensitive column indices \(sensitiveColumns)")
    }
    guard x.rows > 0 else { throw BiasKitError(.degenerateData, "CorrelationRemover: no rows") }
    let n = x.rows
    let k = sensitiveColumns.count
    let sensitive = Set(sensitiveColumns)
    let keep = (0..<x.columns).filter { !sensitive.contains($0) }
    let m = keep.count
    var means = [Double](repeating: 0, count: k)
    for (t, c) in sensitiveColumns.enumerated() {
      var s = 0.0
      for i in 0..<n { s += x.values[i * x.columns + c] }
      means[t] = s / Double(n)
    }
    // Gram matrix G = Scᵀ Sc and right-hand side Scᵀ X.
    var gram = [Double](repeating: 0, count: k * k)
    var rhs = [Double](repeating: 0, count: k * m)
    var centred = [Double](repeating: 0, count: k)
    for i in 0..<n {
      let base = i * x.columns
      for (t, c) in sensitiveColumns.enumerated() { centred[t] = x.values[base + c] - means[t] }
      for a in 0..<k {
        for b in 0..<k { gram[a * k + b] += centred[a] * centred[b] }
        let ca = centred[a]
        if ca != 0 {
          for (j, c) in keep.enumerated() { rhs[a * m + j] += ca * x.values[base + c] }
        }
      }
    }
    let pseudoInverse = symmetricPseudoInverse(gram, k, tolerance: Double(max(n, k)) * 2.22e-16)
    var beta = [Double](repeating: 0, count: k * m)
    for a in 0..<k {
      for b in 0..<k {
        let g = pseudoInverse[a * k + b]
        if g == 0 { continue }
        for j in 0..<m { beta[a * m + j] += g * rhs[b * m + j] }
      }
    }
    return Model(
      sensitiveColumns: sensitiveColumns, sensitiveMeans: means, beta: beta,
      alpha: alpha, inputColumns: x.columns)
  }
}

/// Moore–Penrose inverse of a symmetric positive semi-definite k × k matrix (Jacobi
/// eigendecomposition; eigenvalues below `tolerance · λ_max` count as zero, as in lstsq's
/// `rcond` applied to singular values squared).
func symmetricPseudoInverse(_ a: [Double], _ k: Int, tolerance: Double) -> [Double] {
  var m = a
  var v = [Double](repeating: 0, count: k * k)
  for i in 0..<k { v[i * k + i] = 1 }
  for _ in 0..<100 {
    var off = 0.0
    for p in 0..<k { for q in (p + 1)..<max(p + 1, k) { off += m[p * k + q] * m[p * k + q] } }
    if off < 1e-300 { break }
    for p in 0..<k {
      for q in (p + 1)..<max(p + 1, k) where m[p * k + q] != 0 {
        let theta = (m[q * k + q] - m[p * k + p]) / (2 * m[p * k + q])
        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot()
        let s = t * c
        for r in 0..<k {
          let mrp = m[r * k + p], mrq = m[r * k + q]
          m[r * k + p] = c * mrp - s * mrq
          m[r * k + q] = s * mrp + c * mrq
        }
        for r in 0..<k {
          let mpr = m[p * k + r], mqr = m[q * k + r]
          m[p * k + r] = c * mpr - s * mqr
          m[q * k + r] = s * mpr + c * mqr
        }
        for r in 0..<k {
          let vrp = v[r * k + p], vrq = v[r * k + q]
          v[r * k + p] = c * vrp - s * vrq
          v[r * k + q] = s * vrp + c * vrq
        }
      }
    }
  }
  let eigen = (0..<k).map { m[$0 * k + $0] }
  let largest = eigen.map(abs).max() ?? 0
  var out = [Double](repeating: 0, count: k * k)
  for e in 0..<k where eigen[e] > tolerance * tolerance * largest && eigen[e] > 0 {
    let inv = 1 / eigen[e]
    for a in 0..<k { for b in 0..<k { out[a * k + b] += v[a * k + e] * inv * v[b * k + e] } }
  }
  return out
}

// MARK: - Preprocessor

extension CorrelationRemover: Preprocessor {
  /// Fits the projection on the dataset's features with the sensitive groups as indicator
  /// columns: one column per group but the first (groups in ``Groups/occurring()`` order),
  /// appended after the features, 1 for the rows of that group and 0 otherwise — a one-hot
  /// encoding of the sensitive feature(s) with the first level dropped, as fairlearn is given
  /// the encoded sensitive columns in `sensitive_feature_ids`.
  ///
  /// - Throws: when the data has no groups or one group, or as ``fitted(_:sensitiveColumns:)``.
  public func fitted(to data: Dataset) throws -> Model {
    let groups = try data.requiredGroups("CorrelationRemover").occurring()
    guard groups.count >= 2 else { throw BiasKitError.oneSensitiveGroup(groups.names.first ?? "") }
    let p = data.features.columns
    var model = try fitted(
      Self.augmented(data.features, codes: groups.codes, groupCount: groups.count),
      sensitiveColumns: Array(p..<(p + groups.count - 1)))
    model.groupNames = groups.names
    return model
  }

  /// `features` with the indicators of groups 1..<groupCount appended to each row.
  static func augmented(_ features: Matrix, codes: [Int32], groupCount: Int) -> Matrix {
    let p = features.columns
    let width = p + groupCount - 1
    var values = [Double](repeating: 0, count: features.rows * width)
    for i in 0..<features.rows {
      for j in 0..<p { values[i * width + j] = features.values[i * p + j] }
      let g = Int(codes[i])
      if g > 0 { values[i * width + p + g - 1] = 1 }
    }
    return Matrix(rows: features.rows, columns: width, values: values)
  }
}

extension CorrelationRemover.Model: PreprocessorModel {
  /// The rows with ``transformedFeatures(_:)`` as features.
  public func transformed(_ data: Dataset) throws -> Dataset {
    try data.replacing(features: transformedFeatures(data))
  }

  /// The features with the correlation to the groups' indicators removed, keeping the feature
  /// names (a model fitted to a matrix transforms the feature matrix itself: its sensitive
  /// columns are among the features).
  ///
  /// - Throws: when the rows have no groups or one the model was not fitted on, or another
  ///   number of feature columns.
  public func transformedFeatures(_ data: Dataset) throws -> Matrix {
    guard !groupNames.isEmpty else { return try transform(data.features) }
    let codes = try data.requiredGroups("CorrelationRemover").occurring().codes(
      matching: groupNames)
    let expected = inputColumns - (groupNames.count - 1)
    guard data.features.columns == expected else {
      throw BiasKitError.featureCountMismatch(
        "CorrelationRemover", data.features.columns, expected)
    }
    var out = try transform(
      CorrelationRemover.augmented(data.features, codes: codes, groupCount: groupNames.count))
    out.columnNames = data.features.columnNames
    return out
  }

  /// `alpha` and `beta_norm`, the Frobenius norm of `beta_`.
  public var summary: JSONValue {
    .object([
      ("alpha", .number(alpha)),
      ("beta_norm", .number(beta.map { $0 * $0 }.reduce(0, +).squareRoot())),
    ])
  }
}
