import Foundation

/// ``LogisticRegression`` with a ``ClassificationLoss`` other than the log-loss: minimises
///
///     L(w, b) = (1 / Σᵢ sᵢ) · Σᵢ sᵢ ℓ(yᵢ, xᵢ·w + b) + ‖w‖² / (2 C Σᵢ sᵢ)
///
/// with the same L-BFGS settings as the log-loss fit (the gradient is
/// `(1/Σs) Σ sᵢ ℓ′(yᵢ, zᵢ) xᵢ + w / (C Σs)`). LDAM with deferred re-weighting runs the first
/// `unweightedFraction` of ``LogisticRegression/maxIterations`` on the unweighted LDAM loss and
/// continues, warm-started, on the class-balanced one.
///
/// - Complexity: O(n · p) per evaluation (O(non-zeros) on a sparse design).
struct LinearModelLoss {
  let design: Design
  let labels: [UInt8]
  let weights: [Double]?
  let weightSum: Double
  let l2: Double
  let fitsIntercept: Bool
  let loss: PreparedLoss

  func evaluate(_ theta: [Double], _ gradient: inout [Double]) -> Double {
    let n = design.rows
    let p = design.columns
    let b = fitsIntercept ? theta[p] : 0
    let z = design.decision(Array(theta[0..<p]), intercept: b)
    for j in 0..<gradient.count { gradient[j] = 0 }
    var total = 0.0
    for i in 0..<n {
      let s = weights?[i] ?? 1
      if s == 0 { continue }
      let t = loss.evaluate(labels[i], z[i])
      total += s * t.value
      let r = s * t.gradient
      if design.isSparse {
        for k in design.rowStart[i]..<design.rowStart[i + 1] {
          gradient[Int(design.columnIndex[k])] += r * design.values[k]
        }
      } else {
        let base = i * p
        for j in 0..<p { gradient[j] += r * design.dense[base + j] }
      }
      if fitsIntercept { gradient[p] += r }
    }
    var penalty = 0.0
    for j in 0..<p {
      gradient[j] = gradient[j] / weightSum + l2 * theta[j]
      penalty += theta[j] * theta[j]
    }
    if fitsIntercept { gradient[p] /= weightSum }
    return total / weightSum + 0.5 * l2 * penalty
  }
}

extension LogisticRegression {
  /// The fit with ``loss`` (validated inputs).
  func fittedWithLoss(
    design: Design, labels: [Double], weights: [Double]?, initial: Model?
  )
    throws -> Model
  {
    let codes = labels.map { UInt8($0) }
    var stages: [(PreparedLoss, Int)] = []
    if case .ldam(_, let drw?) = loss {
      let first = Int((drw.unweightedFraction * Double(maxIterations)).rounded())
      stages.append((try loss.prepared(labels: codes, weights: weights), first))
      stages.append(
        (
          try loss.prepared(labels: codes, weights: weights, reweighted: true),
          maxIterations - first
        ))
    } else {
      stages.append((try loss.prepared(labels: codes, weights: weights), maxIterations))
    }
    var model = initial
    var iterations = 0
    var result: LBFGS.Result? = nil
    let p = design.columns
    let weightSum = weights.map { $0.reduce(0, +) } ?? Double(design.rows)
    for (prepared, budget) in stages where budget > 0 {
      let objective = LinearModelLoss(
        design: design, labels: codes, weights: weights, weightSum: weightSum,
        l2: 1 / (inverseRegularization * weightSum), fitsIntercept: fitsIntercept, loss: prepared)
      var start = [Double](repeating: 0, count: p + (fitsIntercept ? 1 : 0))
      if let model {
        for j in 0..<p { start[j] = model.coefficients[j] }
        if fitsIntercept { start[p] = model.intercept }
      }
      var optimizer = LBFGS()
      optimizer.maxIterations = budget
      optimizer.gradientTolerance = tolerance
      optimizer.functionTolerance = 64 * 2.220446049250313e-16
      optimizer.maxLineSearchSteps = 50
      let r = optimizer.minimize(from: start) { x, g in objective.evaluate(x, &g) }
      iterations += r.iterations
      result = r
      model = Model(
        coefficients: Array(r.x[0..<p]), intercept: fitsIntercept ? r.x[p] : 0,
        iterations: iterations, converged: r.status.converged)
    }
    guard var fitted = model, let result else {
      throw BiasKitError.badHyperparameter("max iterations", "\(maxIterations)", "at least 1")
    }
    if !result.status.converged {
      fitted.warnings.append(
        "LogisticRegression (\(loss)) did not converge in \(iterations) iterations")
    }
    return fitted
  }
}
