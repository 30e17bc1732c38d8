import Dispatch

/// The passes over a design X (n × d, row-major) that the regression estimators make: Xθ,
/// Xᵀs, Σᵢ cᵢ·xᵢxᵢᵀ (Gram matrices and Hessians) and the centred scatter Σᵢ (sᵢxᵢ − m)(sᵢxᵢ − m)ᵀ
/// of the per-row gradients sᵢxᵢ (ddof-free; divide by n − 1 for `np.cov`).
///
/// The symmetric sums run over blocks of 64 rows transposed to feature-major order, so each
/// entry of the d × d result is a dot product over contiguous memory. Rows are split into a
/// fixed number of parts (2 when n·d is large) summed in a fixed order, so results do not
/// depend on the number of cores.
///
/// - Complexity: O(n·d) for Xθ and Xᵀs, O(n·d²/2) for the symmetric sums.
enum DesignPasses {
  static let blockRows = 64

  /// The number of parts for `work` multiply-adds.
  static func parts(_ work: Int) -> Int { work >= 400_000 ? 2 : 1 }

  /// Runs `body(part, lo..<hi)` over `count` rows in `parts` fixed parts, in parallel.
  static func forEachPart(
    count: Int, parts: Int, _ body: (_ part: Int, _ rows: Range<Int>) -> Void
  ) {
    if parts == 1 {
      body(0, 0..<count)
      return
    }
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      body(part, (count * part / parts)..<(count * (part + 1) / parts))
    }
  }

  /// zᵢ = xᵢ·θ for every row.
  static func products(_ x: Matrix, _ theta: [Double]) -> [Double] {
    let n = x.rows
    let d = x.columns
    var out = [Double](repeating: 0, count: n)
    x.values.withUnsafeBufferPointer { xs in
      theta.withUnsafeBufferPointer { t in
        out.withUnsafeMutableBufferPointer { o in
          let xBase = xs.baseAddress!
          let tBase = t.baseAddress!
          let oBase = o.baseAddress!
          forEachPart(count: n, parts: parts(n * d)) { _, rows in
            for i in rows { oBase[i] = dotProduct(xBase + i * d, tBase, d) }
          }
        }
      }
    }
    return out
  }

  /// Xᵀs = Σᵢ sᵢ·xᵢ.
  static func transposedProduct(_ x: Matrix, _ s: [Double]) -> [Double] {
    let n = x.rows
    let d = x.columns
    let p = parts(n * d)
    var partial = [Double](repeating: 0, count: p * d)
    x.values.withUnsafeBufferPointer { xs in
      s.withUnsafeBufferPointer { sp in
        partial.withUnsafeMutableBufferPointer { out in
          let xBase = xs.baseAddress!
          let sBase = sp.baseAddress!
          let oBase = out.baseAddress!
          forEachPart(count: n, parts: p) { part, rows in
            let acc = oBase + part * d
            for i in rows {
              let si = sBase[i]
              if si == 0 { continue }
              let row = xBase + i * d
              for j in 0..<d { acc[j] += si * row[j] }
            }
          }
        }
      }
    }
    return sumParts(partial, p, d)
  }

  /// Σᵢ cᵢ·xᵢxᵢᵀ (cᵢ = 1 when `coefficients` is nil), symmetric d × d.
  static func gram(_ x: Matrix, coefficients: [Double]?) -> [Double] {
    symmetricSums(
      x, scales: nil, center: nil, gramCoefficients: coefficients ?? [],
      unitGram: coefficients == nil
    ).gram
  }

  /// The centred scatter Σᵢ (sᵢxᵢ − m)(sᵢxᵢ − m)ᵀ of the rows' gradients gᵢ = sᵢxᵢ about `center`,
  /// and, in the same pass, Σᵢ cᵢ·xᵢxᵢᵀ when `gramCoefficients` is given.
  static func scatter(
    _ x: Matrix, scales: [Double], center: [Double], gramCoefficients: [Double]?
  ) -> (scatter: [Double], gram: [Double]?) {
    let r = symmetricSums(
      x, scales: scales, center: center, gramCoefficients: gramCoefficients ?? [], unitGram: false)
    return (r.scatter, gramCoefficients == nil ? nil : r.gram)
  }

  private static func symmetricSums(
    _ x: Matrix, scales: [Double]?, center: [Double]?, gramCoefficients: [Double], unitGram: Bool
  ) -> (scatter: [Double], gram: [Double]) {
    let n = x.rows
    let d = x.columns
    let dd = d * d
    let wantsScatter = scales != nil
    let wantsGram = unitGram || !gramCoefficients.isEmpty
    let p = parts(n * d * d / 2)
    var scatterParts = [Double](repeating: 0, count: wantsScatter ? p * dd : 0)
    var gramParts = [Double](repeating: 0, count: wantsGram ? p * dd : 0)
    let b = blockRows
    let scalesArray = scales ?? []
    let centerArray = center ?? [Double](repeating: 0, count: d)
    x.values.withUnsafeBufferPointer { xs in
      scalesArray.withUnsafeBufferPointer { sp in
        gramCoefficients.withUnsafeBufferPointer { cp in
          centerArray.withUnsafeBufferPointer { mp in
            scatterParts.withUnsafeMutableBufferPointer { so in
              gramParts.withUnsafeMutableBufferPointer { go in
                let xBase = xs.baseAddress!
                let sBase = sp.baseAddress
                let cBase = cp.baseAddress
                let mBase = mp.baseAddress!
                // An empty buffer may still have a base address: go by the flags.
                let soBase = wantsScatter ? so.baseAddress : nil
                let goBase = wantsGram ? go.baseAddress : nil
                forEachPart(count: n, parts: p) { part, rows in
                  // Feature-major blocks: u = xᵢ, v = cᵢ·xᵢ, g = sᵢxᵢ − m.
                  let u = UnsafeMutablePointer<Double>.allocate(capacity: d * b)
                  let v = UnsafeMutablePointer<Double>.allocate(capacity: d * b)
                  let g = UnsafeMutablePointer<Double>.allocate(capacity: d * b)
                  defer {
                    u.deallocate()
                    v.deallocate()
                    g.deallocate()
                  }
                  let scatterAcc = soBase.map { $0 + part * dd }
                  let gramAcc = goBase.map { $0 + part * dd }
                  var start = rows.lowerBound
                  while start < rows.upperBound {
                    let m = min(b, rows.upperBound - start)
                    for i in 0..<m {
                      let row = xBase + (start + i) * d
                      if wantsGram {
                        let c = unitGram ? 1 : cBase![start + i]
                        for j in 0..<d {
                          u[j * b + i] = row[j]
                          v[j * b + i] = c * row[j]
                        }
                      }
                      if wantsScatter {
                        let s = sBase![start + i]
                        for j in 0..<d { g[j * b + i] = s * row[j] - mBase[j] }
                      }
                    }
                    if let gramAcc {
                      for j in 0..<d {
                        for k in j..<d { gramAcc[j * d + k] += dotProduct(v + j * b, u + k * b, m) }
                      }
                    }
                    if let scatterAcc {
                      for j in 0..<d {
                        for k in j..<d {
                          scatterAcc[j * d + k] += dotProduct(g + j * b, g + k * b, m)
                        }
                      }
                    }
                    start += m
                  }
                }
              }
            }
          }
        }
      }
    }
    var scatter = wantsScatter ? sumParts(scatterParts, p, dd) : []
    var gram = wantsGram ? sumParts(gramParts, p, dd) : []
    if wantsScatter { DenseAlgebra.symmetrize(&scatter, d) }
    if wantsGram { DenseAlgebra.symmetrize(&gram, d) }
    return (scatter, gram)
  }

  private static func sumParts(_ partial: [Double], _ parts: Int, _ size: Int) -> [Double] {
    if parts == 1 { return partial }
    var out = [Double](repeating: 0, count: size)
    for part in 0..<parts {
      for j in 0..<size { out[j] += partial[part * size + j] }
    }
    return out
  }
}
