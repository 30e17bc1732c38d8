import Dispatch
import Foundation

/// Binary logistic regression with an L2 penalty, sample weights and an unpenalised intercept,
/// fitted by ``LBFGS``.
///
/// Minimises, over coefficients `w` and intercept `b`,
///
///     L(w, b) = (1 / Σᵢ sᵢ) · Σᵢ sᵢ · [log(1 + e^{zᵢ}) − yᵢ zᵢ] + ‖w‖² / (2 C Σᵢ sᵢ),
///     zᵢ = xᵢ·w + b,
///
/// for labels `yᵢ ∈ {0, 1}` and sample weights `sᵢ ≥ 0` (all 1 by default). This is
/// scikit-learn's objective for `LogisticRegression(penalty="l2", C=C, solver="lbfgs")` since
/// 1.2 (`LinearModelLoss` with `l2_reg_strength = 1 / (C · sum(sample_weight))`), and the
/// optimiser follows SciPy's L-BFGS-B path with scikit-learn's settings (`gtol = tol`,
/// `ftol = 64 ε`, `maxls = 50`, `maxcor = 10`), so the fitted model equals scikit-learn's
/// even where `tol` stops the iteration far from the optimum.
///
/// The default ``maxIterations`` is 1000 (the project's reference model), not
/// scikit-learn's 100.
///
/// - Complexity: O(n · p) per objective evaluation for n rows and p features; the rows are
///   split over two workers when n · p is large, with a fixed split so that results do not
///   depend on the number of cores.
public struct LogisticRegression: Sendable {
  /// Inverse of the regularisation strength (scikit-learn `C`); larger is weaker.
  public var inverseRegularization: Double
  /// Whether to fit an (unpenalised) intercept (`fit_intercept`).
  public var fitsIntercept: Bool
  /// Maximum L-BFGS iterations (`max_iter`).
  public var maxIterations: Int
  /// Gradient tolerance (`tol`): stop when `max |∂L/∂θⱼ| ≤ tolerance`.
  public var tolerance: Double
  /// The per-row loss in place of the log-loss (``ClassificationLoss``); the default
  /// ``ClassificationLoss/logLoss`` is scikit-learn's objective above, computed as before.
  public var loss: ClassificationLoss

  /// A logistic regression with scikit-learn's settings (but `maxIterations` 1000).
  public init(
    inverseRegularization: Double = 1.0, fitsIntercept: Bool = true, maxIterations: Int = 1000,
    tolerance: Double = 1e-4, loss: ClassificationLoss = .logLoss
  ) {
    self.inverseRegularization = inverseRegularization
    self.fitsIntercept = fitsIntercept
    self.maxIterations = maxIterations
    self.tolerance = tolerance
    self.loss = loss
  }

  /// A fitted logistic regression.
  public struct Model: Sendable, Equatable {
    /// One coefficient per feature column (`coef_[0]`).
    public var coefficients: [Double]
    /// The intercept (`intercept_[0]`), 0 when not fitted.
    public var intercept: Double
    /// L-BFGS iterations used (`n_iter_`).
    public var iterations: Int
    /// Whether a tolerance was met before ``LogisticRegression/maxIterations``.
    public var converged: Bool
    /// Problems worth telling the user, e.g. "did not converge in 1000 iterations".
    public var warnings: [String]

    /// A model from its coefficients and intercept (and the fit's diagnostics).
    public init(
      coefficients: [Double], intercept: Double, iterations: Int = 0,
      converged: Bool = true, warnings: [String] = []
    ) {
      self.coefficients = coefficients
      self.intercept = intercept
      self.iterations = iterations
      self.converged = converged
      self.warnings = warnings
    }

    /// `zᵢ = xᵢ·w + b` for each row (`decision_function`).
    public func decisionFunction(_ features: Matrix) -> [Double] {
      precondition(features.columns == coefficients.count, "LogisticRegression: feature count")
      let n = features.rows
      let p = features.columns
      var out = [Double](repeating: 0, count: n)
      features.values.withUnsafeBufferPointer { xs in
        coefficients.withUnsafeBufferPointer { w in
          for i in 0..<n {
            out[i] = intercept + dotProduct(xs.baseAddress! + i * p, w.baseAddress!, p)
          }
        }
      }
      return out
    }

    /// `P(y = 1 | x) = 1 / (1 + e^{−z})` for each row (`predict_proba[:, 1]`).
    public func probabilities(_ features: Matrix) -> [Double] {
      decisionFunction(features).map(logistic)
    }

    /// `1[z > 0]` for each row (`predict`).
    public func predictions(_ features: Matrix) -> [UInt8] {
      decisionFunction(features).map { $0 > 0 ? 1 : 0 }
    }

    func predictions(_ design: Design) -> [UInt8] {
      design.decision(coefficients, intercept: intercept).map { $0 > 0 ? 1 : 0 }
    }
  }

  /// Fits the model to `features` and 0/1 `labels`, with optional non-negative sample
  /// `weights`, starting from `initial` (warm start) or from zero.
  ///
  /// - Throws: ``BiasKitError`` when the sizes differ, a label is not 0 or 1, a weight is
  ///   negative or not finite, a feature is not finite, or the labels (with positive weight)
  ///   have one class.
  public func fitted(
    features: Matrix, labels: [Double], weights: [Double]? = nil, initial: Model? = nil
  ) throws -> Model {
    let n = features.rows
    let p = features.columns
    guard labels.count == n else {
      throw BiasKitError(
        .invalidArgument,
        "LogisticRegression: \(labels.count) labels for \(n) rows")
    }
    if let weights, weights.count != n {
      throw BiasKitError(
        .invalidArgument,
        "LogisticRegression: \(weights.count) sample weights for \(n) rows")
    }
    var seen0 = false
    var seen1 = false
    for i in 0..<n {
      let w = weights?[i] ?? 1
      guard w >= 0, w.isFinite else {
        throw BiasKitError(.invalidValue, "LogisticRegression: sample weight \(w) at row \(i + 1)")
      }
      if labels[i] == 0 {
        if w > 0 { seen0 = true }
      } else if labels[i] == 1 {
        if w > 0 { seen1 = true }
      } else {
        throw BiasKitError(
          .invalidValue,
          "LogisticRegression: label \(labels[i]) at row \(i + 1); labels must be 0 or 1")
      }
    }
    guard seen0 && seen1 else {
      throw BiasKitError.oneClassLabel(seen1 ? 1 : 0)
    }
    for v in features.values where !v.isFinite {
      throw BiasKitError(.invalidValue, "LogisticRegression: a feature value is not finite")
    }
    if let initial, initial.coefficients.count != p {
      throw BiasKitError(
        .invalidArgument,
        "LogisticRegression: warm start has \(initial.coefficients.count) coefficients for \(p) features"
      )
    }
    if loss != .logLoss {
      try loss.validate()
      return try fittedWithLoss(
        design: Design(features), labels: labels, weights: weights, initial: initial)
    }
    return fitted(design: Design(features), labels: labels, weights: weights, initial: initial)
  }

  /// Fits on a prepared design whose inputs were validated (used by the reductions, which fit
  /// the same features many times).
  func fitted(design: Design, labels: [Double], weights: [Double]?, initial: Model?) -> Model {
    let n = design.rows
    let p = design.columns
    let weightSum = weights.map { $0.reduce(0, +) } ?? Double(n)
    let l2 = 1 / (inverseRegularization * weightSum)
    let objective = LogisticLoss(
      features: design, labels: labels, weights: weights, weightSum: weightSum,
      l2: l2, fitsIntercept: fitsIntercept)
    var start = [Double](repeating: 0, count: p + (fitsIntercept ? 1 : 0))
    if let initial {
      for j in 0..<p { start[j] = initial.coefficients[j] }
      if fitsIntercept { start[p] = initial.intercept }
    }
    var optimizer = LBFGS()
    optimizer.maxIterations = maxIterations
    optimizer.gradientTolerance = tolerance
    optimizer.functionTolerance = 64 * 2.220446049250313e-16
    optimizer.maxLineSearchSteps = 50
    let result = optimizer.minimize(from: start) { x, g in objective.evaluate(x, &g) }
    var warnings: [String] = []
    if !result.status.converged {
      warnings.append(
        result.status == .maxIterations
          ? "LogisticRegression did not converge in \(result.iterations) iterations (max |gradient| \(result.gradient.map(abs).max() ?? 0) > tol \(tolerance)); increase maxIterations or scale the features"
          : "LogisticRegression stopped after \(result.iterations) iterations: the line search could not make progress"
      )
    }
    return Model(
      coefficients: Array(result.x[0..<p]), intercept: fitsIntercept ? result.x[p] : 0,
      iterations: result.iterations, converged: result.status.converged, warnings: warnings)
  }
}

extension BiasKitError {
  /// The label column holds one class, so there is nothing to separate.
  static func oneClassLabel(_ value: Double) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "the label has one class (every row is \(value == 1 ? 1 : 0)); a classifier needs both 0 and 1"
    )
  }
}

/// 1 / (1 + e^{−z}), stable for large |z|.
@inline(__always) func logistic(_ z: Double) -> Double {
  if z >= 0 { return 1 / (1 + exp(-z)) }
  let e = exp(z)
  return e / (1 + e)
}

/// A design matrix prepared for repeated passes: dense rows, or compressed sparse rows when
/// most entries are zero (one-hot designs such as Adult's: 14 non-zeros in 108 columns).
/// Skipping zeros changes no product (x · 0 adds nothing), only the cost.
struct Design: Sendable {
  let rows: Int
  let columns: Int
  let dense: [Double]
  /// CSR storage (empty when dense).
  let rowStart: [Int]
  let columnIndex: [Int32]
  let values: [Double]
  var isSparse: Bool { !rowStart.isEmpty }

  init(_ matrix: Matrix) {
    let rows = matrix.rows
    let columns = matrix.columns
    self.rows = rows
    self.columns = columns
    var nonZero = 0
    for v in matrix.values where v != 0 { nonZero += 1 }
    if matrix.values.count > 0 && nonZero * 3 < matrix.values.count {
      var start = [Int](repeating: 0, count: rows + 1)
      var index: [Int32] = []
      var vals: [Double] = []
      index.reserveCapacity(nonZero)
      vals.reserveCapacity(nonZero)
      matrix.values.withUnsafeBufferPointer { x in
        for i in 0..<rows {
          let base = i * columns
          for j in 0..<columns where x[base + j] != 0 {
            index.append(Int32(j))
            vals.append(x[base + j])
          }
          start[i + 1] = vals.count
        }
      }
      dense = []
      rowStart = start
      columnIndex = index
      values = vals
    } else {
      dense = matrix.values
      rowStart = []
      columnIndex = []
      values = []
    }
  }

  /// `b + xᵢ·w` for every row.
  func decision(_ w: [Double], intercept b: Double) -> [Double] {
    var out = [Double](repeating: 0, count: rows)
    w.withUnsafeBufferPointer { wp in
      if isSparse {
        for i in 0..<rows {
          var z = 0.0
          for k in rowStart[i]..<rowStart[i + 1] { z += values[k] * wp[Int(columnIndex[k])] }
          out[i] = b + z
        }
      } else {
        dense.withUnsafeBufferPointer { xs in
          for i in 0..<rows {
            out[i] = b + dotProduct(xs.baseAddress! + i * columns, wp.baseAddress!, columns)
          }
        }
      }
    }
    return out
  }
}

/// The weighted logistic loss and its gradient, one pass over the rows per evaluation.
struct LogisticLoss: Sendable {
  let features: Design
  let labels: [Double]
  let weights: [Double]?
  let weightSum: Double
  let l2: Double
  let fitsIntercept: Bool

  func evaluate(_ theta: [Double], _ gradient: inout [Double]) -> Double {
    let n = features.rows
    let p = features.columns
    let work = features.isSparse ? features.values.count : n * p
    let chunks = work >= 200_000 ? 2 : 1
    var partialLoss = [Double](repeating: 0, count: chunks)
    var partialGrad = [Double](repeating: 0, count: chunks * (p + 1))
    let b = fitsIntercept ? theta[p] : 0
    features.dense.withUnsafeBufferPointer { xs in
      labels.withUnsafeBufferPointer { ys in
        theta.withUnsafeBufferPointer { w in
          partialGrad.withUnsafeMutableBufferPointer { pg in
            partialLoss.withUnsafeMutableBufferPointer { plBuffer in
              let gradBase = pg.baseAddress!
              let pl = plBuffer.baseAddress!
              let xBase = xs.baseAddress
              let sparse = features.isSparse
              let rowStart = features.rowStart
              let columnIndex = features.columnIndex
              let sparseValues = features.values
              let wBase = w.baseAddress!
              let yBase = ys.baseAddress!
              let weights = self.weights
              // Chunk c reads the rows lo..<hi and writes only its own partial gradient and
              // loss slot (WorkerShared's rules).
              let shared = WorkerShared((gradBase, pl, xBase, wBase, yBase))
              let work = { @Sendable (c: Int) in
                let (gradBase, pl, xBase, wBase, yBase) = shared.value
                let lo = n * c / chunks
                let hi = n * (c + 1) / chunks
                let g = gradBase + c * (p + 1)
                var loss = 0.0
                var gInt = 0.0
                for i in lo..<hi {
                  let s = weights?[i] ?? 1
                  if s == 0 { continue }
                  var z = b
                  if sparse {
                    for k in rowStart[i]..<rowStart[i + 1] {
                      z += sparseValues[k] * wBase[Int(columnIndex[k])]
                    }
                  } else {
                    z += dotProduct(xBase! + i * p, wBase, p)
                  }
                  let y = yBase[i]
                  let e = exp(-abs(z))
                  let l = (z > 0 ? z : 0) + log1p(e) - y * z
                  let prob = z >= 0 ? 1 / (1 + e) : e / (1 + e)
                  let r = s * (prob - y)
                  loss += s * l
                  gInt += r
                  if sparse {
                    for k in rowStart[i]..<rowStart[i + 1] {
                      g[Int(columnIndex[k])] += r * sparseValues[k]
                    }
                    continue
                  }
                  let row = xBase! + i * p
                  var j = 0
                  while j + 4 <= p {
                    g[j] += r * row[j]
                    g[j + 1] += r * row[j + 1]
                    g[j + 2] += r * row[j + 2]
                    g[j + 3] += r * row[j + 3]
                    j += 4
                  }
                  while j < p {
                    g[j] += r * row[j]
                    j += 1
                  }
                }
                g[p] = gInt
                pl[c] = loss
              }
              if chunks == 1 {
                work(0)
              } else {
                DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
              }
            }
          }
        }
      }
    }
    var loss = 0.0
    for c in 0..<chunks { loss += partialLoss[c] }
    loss /= weightSum
    var penalty = 0.0
    for j in 0..<p {
      var g = 0.0
      for c in 0..<chunks { g += partialGrad[c * (p + 1) + j] }
      gradient[j] = g / weightSum + l2 * theta[j]
      penalty += theta[j] * theta[j]
    }
    if fitsIntercept {
      var g = 0.0
      for c in 0..<chunks { g += partialGrad[c * (p + 1) + p] }
      gradient[p] = g / weightSum
    }
    return loss + 0.5 * l2 * penalty
  }
}
