import Dispatch
import Foundation

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
            for i in rows { oBase[i] = vectorDot(xBase + i * d, tBase, d) }
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
              vectorAxpy(si, xBase + i * d, acc, d)
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
    // Features padded to an even count, so the kernel works on 2 × 2 blocks of the result.
    let dp = d + d % 2
    let ddp = dp * dp
    let wantsScatter = scales != nil
    let wantsGram = unitGram || !gramCoefficients.isEmpty
    let p = parts(n * d * d / 2)
    var scatterParts = [Double](repeating: 0, count: wantsScatter ? p * ddp : 0)
    var gramParts = [Double](repeating: 0, count: wantsGram ? p * ddp : 0)
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
                  // Feature-major blocks: u = xᵢ, v = cᵢ·xᵢ, g = sᵢxᵢ − m (padding rows zero).
                  let u = UnsafeMutablePointer<Double>.allocate(capacity: dp * b)
                  let v = UnsafeMutablePointer<Double>.allocate(capacity: dp * b)
                  let g = UnsafeMutablePointer<Double>.allocate(capacity: dp * b)
                  u.initialize(repeating: 0, count: dp * b)
                  v.initialize(repeating: 0, count: dp * b)
                  g.initialize(repeating: 0, count: dp * b)
                  defer {
                    u.deallocate()
                    v.deallocate()
                    g.deallocate()
                  }
                  let scatterAcc = soBase.map { $0 + part * ddp }
                  let gramAcc = goBase.map { $0 + part * ddp }
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
                      addUpperProducts(v, u, features: dp, stride: b, count: m, into: gramAcc)
                    }
                    if let scatterAcc {
                      addUpperProducts(g, g, features: dp, stride: b, count: m, into: scatterAcc)
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
    func unpadded(_ partial: [Double]) -> [Double] {
      var out = [Double](repeating: 0, count: d * d)
      for part in 0..<p {
        for j in 0..<d {
          for k in j..<d { out[j * d + k] += partial[part * ddp + j * dp + k] }
        }
      }
      DenseAlgebra.symmetrize(&out, d)
      return out
    }
    return (
      wantsScatter ? unpadded(scatterParts) : [], wantsGram ? unpadded(gramParts) : []
    )
  }

  /// acc[j, k] += Σᵢ v[j, i]·u[k, i] for the 2 × 2 blocks on and above the diagonal of a
  /// `features` × `features` result (feature-major blocks of `stride` rows, `count` used),
  /// two rows at a time in vector registers.
  @inline(__always)
  static func addUpperProducts(
    _ v: UnsafePointer<Double>, _ u: UnsafePointer<Double>, features dp: Int, stride b: Int,
    count m: Int, into acc: UnsafeMutablePointer<Double>
  ) {
    let pairs = m / 2
    var j = 0
    while j < dp {
      let v0 = UnsafeRawPointer(v + j * b)
      let v1 = UnsafeRawPointer(v + (j + 1) * b)
      var k = j
      while k < dp {
        let u0 = UnsafeRawPointer(u + k * b)
        let u1 = UnsafeRawPointer(u + (k + 1) * b)
        var s00 = SIMD2<Double>()
        var s01 = SIMD2<Double>()
        var s10 = SIMD2<Double>()
        var s11 = SIMD2<Double>()
        for pair in 0..<pairs {
          let offset = pair * 16
          let a0 = v0.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
          let a1 = v1.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
          let b0 = u0.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
          let b1 = u1.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
          s00 += a0 * b0
          s01 += a0 * b1
          s10 += a1 * b0
          s11 += a1 * b1
        }
        var t00 = s00.sum()
        var t01 = s01.sum()
        var t10 = s10.sum()
        var t11 = s11.sum()
        if m % 2 == 1 {
          let i = m - 1
          let a0 = v[j * b + i]
          let a1 = v[(j + 1) * b + i]
          let b0 = u[k * b + i]
          let b1 = u[(k + 1) * b + i]
          t00 += a0 * b0
          t01 += a0 * b1
          t10 += a1 * b0
          t11 += a1 * b1
        }
        acc[j * dp + k] += t00
        acc[j * dp + k + 1] += t01
        acc[(j + 1) * dp + k] += t10
        acc[(j + 1) * dp + k + 1] += t11
        k += 2
      }
      j += 2
    }
  }

  /// One fused pass of a logistic loss over the rows: with zᵢ = xᵢ·θ and μᵢ = 1 / (1 + e^{−zᵢ}),
  /// returns Σᵢ wᵢ(−tᵢzᵢ + c·log(1 + e^{zᵢ})) (0 unless `wantsValue`) and its gradient
  /// Σᵢ wᵢ(c·μᵢ − tᵢ)·xᵢ.
  static func logisticPass(
    _ x: Matrix, _ theta: [Double], targets: [Double], softplusFactor c: Double, weights: [Double]?,
    wantsValue: Bool = true
  ) -> (value: Double, gradient: [Double]) {
    let n = x.rows
    let d = x.columns
    let p = parts(n * d)
    var partialValue = [Double](repeating: 0, count: p)
    var partialGradient = [Double](repeating: 0, count: p * d)
    let weightArray = weights ?? []
    x.values.withUnsafeBufferPointer { xs in
      theta.withUnsafeBufferPointer { tp in
        targets.withUnsafeBufferPointer { yp in
          weightArray.withUnsafeBufferPointer { wp in
            partialValue.withUnsafeMutableBufferPointer { pv in
              partialGradient.withUnsafeMutableBufferPointer { pg in
                let xBase = xs.baseAddress!
                let tBase = tp.baseAddress!
                let yBase = yp.baseAddress!
                let wBase = weights == nil ? nil : wp.baseAddress
                let vBase = pv.baseAddress!
                let gBase = pg.baseAddress!
                forEachPart(count: n, parts: p) { part, rows in
                  let g = gBase + part * d
                  var value = 0.0
                  for i in rows {
                    let row = xBase + i * d
                    let z = vectorDot(row, tBase, d)
                    let w = wBase?[i] ?? 1
                    let e = exp(-abs(z))
                    let mu = z >= 0 ? 1 / (1 + e) : e / (1 + e)
                    if wantsValue { value += w * (-yBase[i] * z + c * (max(z, 0) + log1p(e))) }
                    let s = w * (c * mu - yBase[i])
                    vectorAxpy(s, row, g, d)
                  }
                  vBase[part] = value
                }
              }
            }
          }
        }
      }
    }
    return (partialValue.reduce(0, +), sumParts(partialGradient, p, d))
  }

  /// One fused pass for a regression's gradients at θ: with zᵢ = xᵢ·θ and the model's fitted
  /// value fᵢ, returns sᵢ = wᵢ(fᵢ − tᵢ), cᵢ = wᵢ·f′ᵢ (when `wantsCurvatures`) and Σᵢ sᵢxᵢ.
  static func gradientPass(
    _ x: Matrix, _ theta: [Double], targets: [Double], weights: [Double]?, logistic: Bool,
    wantsCurvatures: Bool
  ) -> (scales: [Double], curvatures: [Double]?, sum: [Double]) {
    let n = x.rows
    let d = x.columns
    let p = parts(n * d)
    var scales = [Double](repeating: 0, count: n)
    var curvatures = [Double](repeating: 0, count: wantsCurvatures ? n : 0)
    var partial = [Double](repeating: 0, count: p * d)
    let weightArray = weights ?? []
    x.values.withUnsafeBufferPointer { xs in
      theta.withUnsafeBufferPointer { tp in
        targets.withUnsafeBufferPointer { yp in
          weightArray.withUnsafeBufferPointer { wp in
            scales.withUnsafeMutableBufferPointer { sp in
              curvatures.withUnsafeMutableBufferPointer { cp in
                partial.withUnsafeMutableBufferPointer { pg in
                  let xBase = xs.baseAddress!
                  let tBase = tp.baseAddress!
                  let yBase = yp.baseAddress!
                  let wBase = weights == nil ? nil : wp.baseAddress
                  let sBase = sp.baseAddress!
                  let cBase = wantsCurvatures ? cp.baseAddress : nil
                  let gBase = pg.baseAddress!
                  forEachPart(count: n, parts: p) { part, rows in
                    let g = gBase + part * d
                    for i in rows {
                      let row = xBase + i * d
                      let z = vectorDot(row, tBase, d)
                      let w = wBase?[i] ?? 1
                      let f = logistic ? sigmoid(z) : z
                      let s = w * (f - yBase[i])
                      sBase[i] = s
                      if let cBase { cBase[i] = logistic ? w * f * (1 - f) : w }
                      vectorAxpy(s, row, g, d)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return (scales, wantsCurvatures ? curvatures : nil, sumParts(partial, p, d))
  }

  /// Σⱼ a[j]·b[j] in two-lane vector registers (a different summation order from
  /// `dotProduct`, equally deterministic).
  @inline(__always)
  static func vectorDot(
    _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int
  )
    -> Double
  {
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    var s0 = SIMD2<Double>()
    var s1 = SIMD2<Double>()
    var j = 0
    while j + 4 <= count {
      s0 +=
        ra.loadUnaligned(fromByteOffset: j * 8, as: SIMD2<Double>.self)
        * rb.loadUnaligned(fromByteOffset: j * 8, as: SIMD2<Double>.self)
      s1 +=
        ra.loadUnaligned(fromByteOffset: j * 8 + 16, as: SIMD2<Double>.self)
        * rb.loadUnaligned(fromByteOffset: j * 8 + 16, as: SIMD2<Double>.self)
      j += 4
    }
    var total = (s0 + s1).sum()
    while j < count {
      total += a[j] * b[j]
      j += 1
    }
    return total
  }

  /// acc[j] += s·row[j] for j < count, in two-lane vector registers.
  @inline(__always)
  static func vectorAxpy(
    _ s: Double, _ row: UnsafePointer<Double>, _ acc: UnsafeMutablePointer<Double>, _ count: Int
  ) {
    let r = UnsafeRawPointer(row)
    let out = UnsafeMutableRawPointer(acc)
    let scale = SIMD2<Double>(repeating: s)
    var j = 0
    while j + 2 <= count {
      let current = out.loadUnaligned(fromByteOffset: j * 8, as: SIMD2<Double>.self)
      out.storeBytes(
        of: current + scale * r.loadUnaligned(fromByteOffset: j * 8, as: SIMD2<Double>.self),
        toByteOffset: j * 8, as: SIMD2<Double>.self)
      j += 2
    }
    if j < count { acc[j] += s * row[j] }
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
