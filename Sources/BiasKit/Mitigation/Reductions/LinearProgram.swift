/// A small dense linear program solved by the two-phase simplex method with Bland's rule.
///
///     minimise cᵀx  subject to  A_ub x ≤ b_ub,  A_eq x = b_eq,  x ≥ 0
///
/// Written here because the package has no dependencies beyond the standard library and
/// swift-argument-parser, and no linear-programming package is available in the mirror. The
/// reductions solve programs with at most a few dozen variables and constraints (one per
/// predictor and one per fairness constraint), where a dense tableau is simplest and exact
/// enough. Bland's rule cannot cycle; among several optimal vertices it may pick a different
/// one than SciPy's HiGHS dual simplex (fairlearn's `linprog(method="highs-ds")`).
///
/// - Complexity: O((m + n) · m) per pivot for m constraints and n variables; the number of
///   pivots is small in practice.
struct LinearProgram {
  var c: [Double]
  var upperRows: [[Double]] = []
  var upperBounds: [Double] = []
  var equalRows: [[Double]] = []
  var equalBounds: [Double] = []

  enum Outcome {
    case optimal(x: [Double], value: Double)
    case infeasible
    case unbounded
  }

  func solve() -> Outcome {
    let n = c.count
    var rows: [[Double]] = []
    var rhs: [Double] = []
    // 0: ≤ with b ≥ 0 (slack basic), 1: ≥ after flip (surplus + artificial), 2: equality (artificial)
    var kinds: [Int] = []
    for (r, b) in zip(upperRows, upperBounds) {
      if b >= 0 {
        rows.append(r)
        rhs.append(b)
        kinds.append(0)
      } else {
        rows.append(r.map { -$0 })
        rhs.append(-b)
        kinds.append(1)
      }
    }
    for (r, b) in zip(equalRows, equalBounds) {
      if b >= 0 {
        rows.append(r)
        rhs.append(b)
      } else {
        rows.append(r.map { -$0 })
        rhs.append(-b)
      }
      kinds.append(2)
    }
    let m = rows.count
    let slackCount = kinds.filter { $0 != 2 }.count
    let artificialCount = kinds.filter { $0 != 0 }.count
    let width = n + slackCount + artificialCount
    var tableau = [[Double]](repeating: [Double](repeating: 0, count: width + 1), count: m)
    var basis = [Int](repeating: 0, count: m)
    var slack = n
    var artificial = n + slackCount
    for i in 0..<m {
      for j in 0..<n { tableau[i][j] = rows[i][j] }
      tableau[i][width] = rhs[i]
      switch kinds[i] {
      case 0:
        tableau[i][slack] = 1
        basis[i] = slack
        slack += 1
      case 1:
        tableau[i][slack] = -1
        slack += 1
        tableau[i][artificial] = 1
        basis[i] = artificial
        artificial += 1
      default:
        tableau[i][artificial] = 1
        basis[i] = artificial
        artificial += 1
      }
    }
    let scale = max(1, rhs.map(abs).max() ?? 1, c.map(abs).max() ?? 1)
    let tolerance = 1e-11 * scale

    func pivot(_ row: Int, _ col: Int) {
      let p = tableau[row][col]
      for j in 0...width { tableau[row][j] /= p }
      for i in 0..<m where i != row {
        let f = tableau[i][col]
        if f != 0 {
          for j in 0...width { tableau[i][j] -= f * tableau[row][j] }
        }
      }
      basis[row] = col
    }

    /// Runs the simplex on `cost` over columns `allowed`; returns false if unbounded.
    func run(_ cost: [Double], allowed: Int) -> Bool {
      for _ in 0..<10_000 {
        // Reduced costs d_j = c_j − c_Bᵀ B⁻¹ A_j.
        var entering = -1
        for j in 0..<allowed {
          if basis.contains(j) { continue }
          var d = cost[j]
          for i in 0..<m { d -= cost[basis[i]] * tableau[i][j] }
          if d < -tolerance {
            entering = j
            break
          }
        }
        if entering < 0 { return true }
        var leaving = -1
        var best = Double.infinity
        for i in 0..<m where tableau[i][entering] > tolerance {
          let ratio = tableau[i][width] / tableau[i][entering]
          if ratio < best - 1e-15
            || (abs(ratio - best) <= 1e-15 && leaving >= 0 && basis[i] < basis[leaving])
          {
            best = ratio
            leaving = i
          }
        }
        if leaving < 0 { return false }
        pivot(leaving, entering)
      }
      return true
    }

    if artificialCount > 0 {
      var phaseOne = [Double](repeating: 0, count: width)
      for j in (n + slackCount)..<width { phaseOne[j] = 1 }
      _ = run(phaseOne, allowed: width)
      var infeasibility = 0.0
      for i in 0..<m where basis[i] >= n + slackCount { infeasibility += tableau[i][width] }
      if infeasibility > 1e-9 * scale { return .infeasible }
      // Drive artificial variables out of the basis where possible.
      for i in 0..<m where basis[i] >= n + slackCount {
        if let j = (0..<(n + slackCount)).first(where: { abs(tableau[i][$0]) > tolerance }) {
          pivot(i, j)
        }
      }
    }
    var cost = [Double](repeating: 0, count: width)
    for j in 0..<n { cost[j] = c[j] }
    if !run(cost, allowed: n + slackCount) { return .unbounded }
    var x = [Double](repeating: 0, count: n)
    for i in 0..<m where basis[i] < n { x[basis[i]] = tableau[i][width] }
    var value = 0.0
    for j in 0..<n { value += c[j] * x[j] }
    return .optimal(x: x, value: value)
  }
}
