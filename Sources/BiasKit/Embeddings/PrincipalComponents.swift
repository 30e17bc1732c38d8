/// Principal components of a few rows in a high dimension, through the small Gram matrix.
///
/// For m mean-centred rows X (m × d, m ≪ d), the right singular vectors of X are
/// `v_k = Xᵀ u_k / σ_k`, where `(σ_k², u_k)` are the eigenpairs of the m × m Gram matrix
/// `X Xᵀ`. The explained-variance ratio of component k is `σ_k² / Σ_j σ_j²`, as in
/// scikit-learn's `PCA(svd_solver='full').explained_variance_ratio_` (the `n − 1` divisor
/// cancels). The eigenpairs come from cyclic Jacobi rotations, accurate to a few ulps for the
/// 20 × 20 matrices the bias directions need. The sign of each component is arbitrary; callers
/// orient it (responsibly points the gender direction towards "she").
///
/// - Complexity: O(m² d + m³ · sweeps).
struct PrincipalComponents {
  /// Unit components, largest variance first.
  var components: [[Double]]
  /// Explained-variance ratio of each component.
  var explainedVarianceRatio: [Double]

  /// The components of `rows` after subtracting their mean (sklearn's PCA centres).
  init(rows: [[Double]], count: Int? = nil) {
    let m = rows.count
    let d = rows.first?.count ?? 0
    let mean = VectorMath.mean(rows)
    let centred = rows.map { VectorMath.subtract($0, mean) }
    var gram = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
    for i in 0..<m {
      for j in i..<m {
        let v = VectorMath.dot(centred[i], centred[j])
        gram[i][j] = v
        gram[j][i] = v
      }
    }
    let (values, vectors) = SymmetricEigen.decompose(gram)
    let total = values.reduce(0) { $0 + max($1, 0) }
    var components: [[Double]] = []
    var ratios: [Double] = []
    for k in 0..<min(count ?? m, m) where values[k] > 1e-300 {
      let sigma = values[k].squareRoot()
      var v = [Double](repeating: 0, count: d)
      for i in 0..<m where vectors[i][k] != 0 {
        let w = vectors[i][k] / sigma
        for j in 0..<d { v[j] += centred[i][j] * w }
      }
      components.append(VectorMath.normalized(v))
      ratios.append(total > 0 ? values[k] / total : 0)
    }
    self.components = components
    self.explainedVarianceRatio = ratios
  }
}

/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations.
enum SymmetricEigen {
  /// Eigenvalues in decreasing order and the matching eigenvectors as columns
  /// (`vectors[i][k]` is entry i of eigenvector k).
  static func decompose(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
    let n = matrix.count
    var a = matrix
    var v = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
    for _ in 0..<100 {
      var off = 0.0
      for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { off += a[i][j] * a[i][j] } }
      if off < 1e-30 * max(1, (0..<n).reduce(0) { $0 + a[$1][$1] * a[$1][$1] }) { break }
      for p in 0..<n {
        for q in (p + 1)..<max(n, p + 1) where a[p][q] != 0 {
          let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
          let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot()
          let s = t * c
          for k in 0..<n {
            let akp = a[k][p]
            let akq = a[k][q]
            a[k][p] = c * akp - s * akq
            a[k][q] = s * akp + c * akq
          }
          for k in 0..<n {
            let apk = a[p][k]
            let aqk = a[q][k]
            a[p][k] = c * apk - s * aqk
            a[q][k] = s * apk + c * aqk
          }
          for k in 0..<n {
            let vkp = v[k][p]
            let vkq = v[k][q]
            v[k][p] = c * vkp - s * vkq
            v[k][q] = s * vkp + c * vkq
          }
        }
      }
    }
    let order = (0..<n).sorted { a[$0][$0] > a[$1][$1] }
    let values = order.map { a[$0][$0] }
    let vectors = (0..<n).map { i in order.map { v[i][$0] } }
    return (values, vectors)
  }
}
