/// Limited-memory BFGS minimisation of a smooth function without bounds, following the
/// iteration of L-BFGS-B 3.0 as SciPy runs it (`scipy.optimize.minimize(method="L-BFGS-B")`).
///
/// Each iteration takes the quasi-Newton direction `d = −H g`, where `H` is the inverse of the
/// limited-memory BFGS matrix built from the last ``memory`` pairs `(s, y)` with the initial
/// scaling `H₀ = (sᵀy / yᵀy) I` (the compact form `B₀ = θI` of L-BFGS-B), and searches along it
/// with the Moré–Thuente line search (MINPACK-2 `dcsrch`: sufficient decrease 1e-3, curvature
/// 0.9, interval tolerance 0.1). The first step is `min(1/‖d‖, 1e10)`, later steps start at 1.
/// A pair with `sᵀy ≤ ε·(−gᵀs)` is skipped; a failed line search clears the memory and
/// restarts from the steepest descent direction, as L-BFGS-B does.
///
/// Stops when `max |gᵢ| ≤ gradientTolerance` (SciPy `gtol`), when
/// `(f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ functionTolerance` (SciPy `ftol`), or after
/// ``maxIterations`` iterations.
///
/// Following SciPy's path, not only its optimum, matters: scikit-learn's logistic regression
/// stops at `gtol = 1e-4`, far from the optimum on ill-conditioned designs (one-hot blocks with
/// all levels kept), so a different optimiser would return a different model.
///
/// - Complexity: O(memory · n) per iteration plus the objective's cost per evaluation.
///
/// ## References
/// - Byrd, Lu, Nocedal, Zhu. A Limited Memory Algorithm for Bound Constrained Optimization.
///   SIAM J. Sci. Comput. 1995.
/// - Moré, Thuente. Line Search Algorithms with Guaranteed Sufficient Decrease. ACM TOMS 1994.
public struct LBFGS: Sendable {
  /// Number of correction pairs kept (SciPy `maxcor`).
  public var memory: Int = 10
  /// Maximum number of iterations (SciPy `maxiter`).
  public var maxIterations: Int = 15_000
  /// Stop when the largest absolute gradient component is at most this (SciPy `gtol`).
  public var gradientTolerance: Double = 1e-5
  /// Stop when the relative decrease of the objective is at most this (SciPy `ftol`).
  public var functionTolerance: Double = 2.220446049250313e-09
  /// Maximum function evaluations in one line search (SciPy `maxls`).
  public var maxLineSearchSteps: Int = 20

  /// An optimizer with SciPy's defaults (see the properties).
  public init() {}

  /// Why the iteration stopped.
  public enum Status: String, Sendable, Equatable {
    /// `max |gᵢ| ≤ gradientTolerance`.
    case gradientTolerance
    /// The relative decrease fell below `functionTolerance`.
    case functionTolerance
    /// ``LBFGS/maxIterations`` iterations were made without meeting a tolerance.
    case maxIterations
    /// The line search could not make progress even along the steepest descent direction.
    case lineSearchFailed

    /// Whether a tolerance was met.
    public var converged: Bool { self == .gradientTolerance || self == .functionTolerance }
  }

  /// The end point of a minimisation.
  public struct Result: Sendable {
    /// The last iterate.
    public var x: [Double]
    /// The objective at ``x``.
    public var value: Double
    /// The gradient at ``x``.
    public var gradient: [Double]
    /// Iterations made (SciPy `nit`).
    public var iterations: Int
    /// Objective evaluations made (SciPy `nfev`).
    public var evaluations: Int
    /// Why it stopped.
    public var status: Status
  }

  /// Minimises `objective` from `start`. The objective writes the gradient at `x` into its
  /// second argument (same length as `x`) and returns the value.
  public func minimize(
    from start: [Double], _ objective: (_ x: [Double], _ gradient: inout [Double]) -> Double
  ) -> Result {
    let n = start.count
    var x = start
    var g = [Double](repeating: 0, count: n)
    var f = objective(x, &g)
    var evaluations = 1
    var iterations = 0
    if maxAbs(g) <= gradientTolerance {
      return Result(
        x: x, value: f, gradient: g, iterations: 0, evaluations: 1, status: .gradientTolerance)
    }
    // Correction pairs, oldest first, in a ring.
    var sList: [[Double]] = []
    var yList: [[Double]] = []
    var rhoList: [Double] = []
    var theta = 1.0
    var d = [Double](repeating: 0, count: n)
    var alpha = [Double](repeating: 0, count: memory)
    let eps = 2.220446049250313e-16

    while true {
      // Direction d = -H g (two-loop recursion; equals L-BFGS-B's subspace step without bounds).
      for i in 0..<n { d[i] = -g[i] }
      if sList.isEmpty {
        // Generalized Cauchy point with B = θI: d = -g/θ.
        if theta != 1 { for i in 0..<n { d[i] /= theta } }
      } else {
        let k = sList.count
        for j in stride(from: k - 1, through: 0, by: -1) {
          let a = rhoList[j] * dot(sList[j], d)
          alpha[j] = a
          axpy(-a, yList[j], &d)
        }
        let scale = 1 / theta
        for i in 0..<n { d[i] *= scale }
        for j in 0..<k {
          let b = rhoList[j] * dot(yList[j], d)
          axpy(alpha[j] - b, sList[j], &d)
        }
      }

      // Line search along d.
      let dnorm = dot(d, d).squareRoot()
      let stpmax = 1e10
      var stp = iterations == 0 ? min(1 / dnorm, stpmax) : 1.0
      let xOld = x
      let gOld = g
      let fOld = f
      let gdOld = dot(g, d)
      var searchFailed = gdOld >= 0
      var lineSteps = 0
      if !searchFailed {
        var search = MoreThuente(f: f, g: gdOld, stp: stp, stpmax: stpmax)
        while true {
          for i in 0..<n { x[i] = xOld[i] + stp * d[i] }
          f = objective(x, &g)
          evaluations += 1
          lineSteps += 1
          let gd = dot(g, d)
          let done = search.next(f: f, g: gd, stp: &stp)
          if done { break }
          if lineSteps >= maxLineSearchSteps { searchFailed = true; break }
        }
      }
      if searchFailed {
        x = xOld
        g = gOld
        f = fOld
        if sList.isEmpty {
          return Result(
            x: x, value: f, gradient: g, iterations: iterations + 1,
            evaluations: evaluations, status: .lineSearchFailed)
        }
        sList.removeAll()
        yList.removeAll()
        rhoList.removeAll()
        theta = 1
        continue
      }
      iterations += 1

      if maxAbs(g) <= gradientTolerance {
        return Result(
          x: x, value: f, gradient: g, iterations: iterations, evaluations: evaluations,
          status: .gradientTolerance)
      }
      if fOld - f <= functionTolerance * max(abs(fOld), abs(f), 1) {
        return Result(
          x: x, value: f, gradient: g, iterations: iterations, evaluations: evaluations,
          status: .functionTolerance)
      }
      if iterations >= maxIterations {
        return Result(
          x: x, value: f, gradient: g, iterations: iterations, evaluations: evaluations,
          status: .maxIterations)
      }

      // Update the memory with s = stp·d, y = g − gOld.
      var s = d
      if stp != 1 { for i in 0..<n { s[i] *= stp } }
      var y = g
      for i in 0..<n { y[i] -= gOld[i] }
      let gd = dot(g, d)
      let sy = stp == 1 ? gd - gdOld : (gd - gdOld) * stp
      let ddum = stp == 1 ? -gdOld : -gdOld * stp
      if sy <= eps * ddum { continue }  // skip the update
      let yy = dot(y, y)
      theta = yy / sy
      if sList.count == memory {
        sList.removeFirst()
        yList.removeFirst()
        rhoList.removeFirst()
      }
      sList.append(s)
      yList.append(y)
      rhoList.append(1 / sy)
    }
  }
}

@inline(__always) private func maxAbs(_ v: [Double]) -> Double {
  var m = 0.0
  for x in v { m = max(m, abs(x)) }
  return m
}

@inline(__always) func dot(_ a: [Double], _ b: [Double]) -> Double {
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in dotProduct(pa.baseAddress!, pb.baseAddress!, pa.count) }
  }
}

@inline(__always) private func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
  let n = y.count
  x.withUnsafeBufferPointer { px in
    y.withUnsafeMutableBufferPointer { py in
      for i in 0..<n { py[i] += a * px[i] }
    }
  }
}

/// Σ a[i]·b[i] with four independent accumulators (lets the compiler use vector registers).
@inline(__always) func dotProduct(
  _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int
) -> Double {
  var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
  var i = 0
  while i + 4 <= count {
    s0 += a[i] * b[i]
    s1 += a[i + 1] * b[i + 1]
    s2 += a[i + 2] * b[i + 2]
    s3 += a[i + 3] * b[i + 3]
    i += 4
  }
  while i < count {
    s0 += a[i] * b[i]
    i += 1
  }
  return (s0 + s2) + (s1 + s3)
}

/// The Moré–Thuente line search (MINPACK-2 `dcsrch` / `dcstep`) as a state machine: give it
/// φ(stp), φ'(stp); it returns `true` when `stp` satisfies the strong Wolfe conditions (or no
/// further progress is possible), otherwise it sets the next trial `stp`.
struct MoreThuente {
  let ftol = 1e-3
  let gtol = 0.9
  let xtol = 0.1
  let stpmin = 0.0
  let stpmax: Double
  var brackt = false
  var stage = 1
  let finit: Double
  let ginit: Double
  let gtest: Double
  var width: Double
  var width1: Double
  var stx = 0.0, fx: Double, gx: Double
  var sty = 0.0, fy: Double, gy: Double
  var stmin = 0.0
  var stmax: Double

  init(f: Double, g: Double, stp: Double, stpmax: Double) {
    self.stpmax = stpmax
    finit = f
    ginit = g
    gtest = ftol * g
    width = stpmax - 0
    width1 = width / 0.5
    fx = f
    gx = g
    fy = f
    gy = g
    stmax = stp + 4 * stp
  }

  mutating func next(f: Double, g: Double, stp: inout Double) -> Bool {
    let ftest = finit + stp * gtest
    if stage == 1 && f <= ftest && g >= 0 { stage = 2 }
    var warning = false
    if brackt && (stp <= stmin || stp >= stmax) { warning = true }
    if brackt && stmax - stmin <= xtol * stmax { warning = true }
    if stp == stpmax && f <= ftest && g <= gtest { warning = true }
    if stp == stpmin && (f > ftest || g >= gtest) { warning = true }
    if f <= ftest && abs(g) <= gtol * (-ginit) { return true }
    if warning { return true }

    if stage == 1 && f <= fx && f > ftest {
      let fm = f - stp * gtest
      var fxm = fx - stx * gtest
      var fym = fy - sty * gtest
      let gm = g - gtest
      var gxm = gx - gtest
      var gym = gy - gtest
      Self.step(&stx, &fxm, &gxm, &sty, &fym, &gym, &stp, fm, gm, &brackt, stpmin, stpmax)
      fx = fxm + stx * gtest
      fy = fym + sty * gtest
      gx = gxm + gtest
      gy = gym + gtest
    } else {
      Self.step(&stx, &fx, &gx, &sty, &fy, &gy, &stp, f, g, &brackt, stpmin, stpmax)
    }
    if brackt {
      if abs(sty - stx) >= 0.66 * width1 { stp = stx + 0.5 * (sty - stx) }
      width1 = width
      width = abs(sty - stx)
    }
    if brackt {
      stmin = min(stx, sty)
      stmax = max(stx, sty)
    } else {
      stmin = stp + 1.1 * (stp - stx)
      stmax = stp + 4.0 * (stp - stx)
    }
    stp = max(stp, stpmin)
    stp = min(stp, stpmax)
    if brackt && (stp <= stmin || stp >= stmax || stmax - stmin <= xtol * stmax) { stp = stx }
    return false
  }

  private static func step(
    _ stx: inout Double, _ fx: inout Double, _ dx: inout Double,
    _ sty: inout Double, _ fy: inout Double, _ dy: inout Double,
    _ stp: inout Double, _ fp: Double, _ dp: Double, _ brackt: inout Bool,
    _ stpmin: Double, _ stpmax: Double
  ) {
    let sgnd = dp * (dx / abs(dx))
    var stpf: Double
    if fp > fx {
      let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
      let s = max(abs(theta), abs(dx), abs(dp))
      var gamma = s * ((theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
      if stp < stx { gamma = -gamma }
      let p = (gamma - dx) + theta
      let q = ((gamma - dx) + gamma) + dp
      let r = p / q
      let stpc = stx + r * (stp - stx)
      let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2) * (stp - stx)
      stpf = abs(stpc - stx) < abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2
      brackt = true
    } else if sgnd < 0 {
      let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
      let s = max(abs(theta), abs(dx), abs(dp))
      var gamma = s * ((theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
      if stp > stx { gamma = -gamma }
      let p = (gamma - dp) + theta
      let q = ((gamma - dp) + gamma) + dx
      let r = p / q
      let stpc = stp + r * (stx - stp)
      let stpq = stp + (dp / (dp - dx)) * (stx - stp)
      stpf = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
      brackt = true
    } else if abs(dp) < abs(dx) {
      let theta = 3 * (fx - fp) / (stp - stx) + dx + dp
      let s = max(abs(theta), abs(dx), abs(dp))
      var gamma = s * max(0, (theta / s) * (theta / s) - (dx / s) * (dp / s)).squareRoot()
      if stp > stx { gamma = -gamma }
      let p = (gamma - dp) + theta
      let q = (gamma + (dx - dp)) + gamma
      let r = p / q
      let stpc: Double
      if r < 0 && gamma != 0 {
        stpc = stp + r * (stx - stp)
      } else if stp > stx {
        stpc = stpmax
      } else {
        stpc = stpmin
      }
      let stpq = stp + (dp / (dp - dx)) * (stx - stp)
      if brackt {
        stpf = abs(stpc - stp) < abs(stpq - stp) ? stpc : stpq
        if stp > stx {
          stpf = min(stp + 0.66 * (sty - stp), stpf)
        } else {
          stpf = max(stp + 0.66 * (sty - stp), stpf)
        }
      } else {
        stpf = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
        stpf = min(stpmax, stpf)
        stpf = max(stpmin, stpf)
      }
    } else {
      if brackt {
        let theta = 3 * (fp - fy) / (sty - stp) + dy + dp
        let s = max(abs(theta), abs(dy), abs(dp))
        var gamma = s * ((theta / s) * (theta / s) - (dy / s) * (dp / s)).squareRoot()
        if stp > sty { gamma = -gamma }
        let p = (gamma - dp) + theta
        let q = ((gamma - dp) + gamma) + dy
        let r = p / q
        stpf = stp + r * (sty - stp)
      } else if stp > stx {
        stpf = stpmax
      } else {
        stpf = stpmin
      }
    }
    if fp > fx {
      sty = stp
      fy = fp
      dy = dp
    } else {
      if sgnd < 0 {
        sty = stx
        fy = fx
        dy = dx
      }
      stx = stp
      fx = fp
      dx = dp
    }
    stp = stpf
  }
}
