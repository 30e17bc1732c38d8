/// A symmetric positive-definite d × d matrix A factored as L·Lᵀ (Cholesky), for the small
/// systems of the estimators: Gram matrices XᵀWX and Hessians.
///
/// ``factored(_:dimension:names:rows:)`` also tells a collinear design from a merely
/// ill-conditioned one: when column j's squared residual after the earlier columns,
/// A_jj − Σ_{k<j} L_jk², is at most 10⁻¹² · A_jj, column j is (to working precision) a linear
/// combination of the earlier ones, and the error names it and the columns it depends on.
/// NumPy and statsmodels would instead return a pseudo-inverse's answer, which is an arbitrary
/// point of a line of solutions.
///
/// - Complexity: O(d³) to factor, O(d²) per solve.
struct CholeskyFactor: Sendable {
  let dimension: Int
  /// L, row-major, zero above the diagonal.
  let lower: [Double]

  /// The relative squared residual below which a column counts as collinear.
  static let collinearityTolerance = 1e-12

  private init(dimension: Int, lower: [Double]) {
    self.dimension = dimension
    self.lower = lower
  }

  /// Factors `a` (row-major, symmetric; the upper triangle is read).
  /// - Throws: ``BiasKitError`` (collinear covariates) when a column is a linear
  ///   combination of earlier ones, naming the columns with `names`.
  static func factored(
    _ a: [Double], dimension d: Int, names: [String], rows: String
  ) throws -> CholeskyFactor {
    var l = [Double](repeating: 0, count: d * d)
    for j in 0..<d {
      let ajj = a[j * d + j]
      var s = ajj
      for k in 0..<j { s -= l[j * d + k] * l[j * d + k] }
      guard ajj > 0, s > collinearityTolerance * ajj else {
        throw BiasKitError.collinearCovariates(
          Self.name(j, names),
          dependsOn: ajj > 0 ? dependencies(of: j, a, l, d).map { Self.name($0, names) } : [],
          isZero: !(ajj > 0), rows: rows)
      }
      let ljj = s.squareRoot()
      l[j * d + j] = ljj
      for i in (j + 1)..<max(d, j + 1) {
        var t = a[min(i, j) * d + max(i, j)]
        for k in 0..<j { t -= l[i * d + k] * l[j * d + k] }
        l[i * d + j] = t / ljj
      }
    }
    return CholeskyFactor(dimension: d, lower: l)
  }

  /// Factors `a` when it is positive definite, `nil` otherwise.
  static func factoredIfDefinite(_ a: [Double], dimension d: Int) -> CholeskyFactor? {
    try? factored(a, dimension: d, names: [], rows: "")
  }

  private static func name(_ j: Int, _ names: [String]) -> String {
    j < names.count ? names[j] : "x\(j)"
  }

  /// The earlier columns that column `j` is a combination of: solve A[0..<j, 0..<j]·β = A[0..<j, j]
  /// with the factor of the leading block and keep the coefficients that matter on the
  /// columns' scales.
  private static func dependencies(of j: Int, _ a: [Double], _ l: [Double], _ d: Int) -> [Int] {
    if j == 0 { return [] }
    var y = [Double](repeating: 0, count: j)
    for i in 0..<j {
      var t = a[i * d + j]
      for k in 0..<i { t -= l[i * d + k] * y[k] }
      y[i] = t / l[i * d + i]
    }
    var beta = y
    for i in stride(from: j - 1, through: 0, by: -1) {
      var t = beta[i]
      for k in (i + 1)..<j { t -= l[k * d + i] * beta[k] }
      beta[i] = t / l[i * d + i]
    }
    let scale = a[j * d + j].squareRoot()
    return (0..<j).filter { k in
      abs(beta[k]) * a[k * d + k].squareRoot() > 1e-6 * max(scale, .leastNormalMagnitude)
    }
  }

  /// x with A·x = b.
  func solve(_ b: [Double]) -> [Double] {
    let d = dimension
    var y = b
    for i in 0..<d {
      var t = y[i]
      for k in 0..<i { t -= lower[i * d + k] * y[k] }
      y[i] = t / lower[i * d + i]
    }
    for i in stride(from: d - 1, through: 0, by: -1) {
      var t = y[i]
      for k in (i + 1)..<d { t -= lower[k * d + i] * y[k] }
      y[i] = t / lower[i * d + i]
    }
    return y
  }

  /// A⁻¹, row-major and symmetric.
  func inverse() -> [Double] {
    let d = dimension
    var result = [Double](repeating: 0, count: d * d)
    var unit = [Double](repeating: 0, count: d)
    for j in 0..<d {
      unit[j] = 1
      let column = solve(unit)
      unit[j] = 0
      for i in 0..<d { result[i * d + j] = column[i] }
    }
    for i in 0..<d {
      for j in (i + 1)..<max(d, i + 1) {
        let s = 0.5 * (result[i * d + j] + result[j * d + i])
        result[i * d + j] = s
        result[j * d + i] = s
      }
    }
    return result
  }
}

/// Small dense products on row-major d × d matrices.
enum DenseAlgebra {
  /// A·B for row-major d × d matrices.
  static func product(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
    var c = [Double](repeating: 0, count: d * d)
    for i in 0..<d {
      for k in 0..<d {
        let aik = a[i * d + k]
        if aik == 0 { continue }
        for j in 0..<d { c[i * d + j] += aik * b[k * d + j] }
      }
    }
    return c
  }

  /// V·C·V for symmetric V (the sandwich H⁻¹·C·H⁻¹).
  static func sandwich(_ v: [Double], _ c: [Double], _ d: Int) -> [Double] {
    product(product(v, c, d), v, d)
  }

  /// A·x.
  static func apply(_ a: [Double], _ x: [Double], _ d: Int) -> [Double] {
    (0..<d).map { i in
      var s = 0.0
      for j in 0..<d { s += a[i * d + j] * x[j] }
      return s
    }
  }

  /// Fills the lower triangle of a matrix whose upper triangle was accumulated.
  static func symmetrize(_ a: inout [Double], _ d: Int) {
    for i in 0..<d {
      for j in 0..<i { a[i * d + j] = a[j * d + i] }
    }
  }
}

extension BiasKitError {
  /// A covariate that is a linear combination of others (or identically zero).
  static func collinearCovariates(
    _ column: String, dependsOn others: [String], isZero: Bool, rows: String
  ) -> BiasKitError {
    let what: String
    if isZero {
      what = "'\(column)' is zero on every row"
    } else if others.isEmpty {
      what = "'\(column)' is (numerically) a linear combination of the covariates before it"
    } else {
      what =
        "'\(column)' is a linear combination of "
        + others.map { "'\($0)'" }.joined(separator: ", ")
    }
    return BiasKitError(
      .degenerateData,
      "the covariates are collinear on the \(rows) rows: \(what); drop one of them")
  }
}
