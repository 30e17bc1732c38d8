import Foundation

/// The rectified logistic loss of PPI for logistic regression, and its minimiser:
///
///     L_λ(θ) = λ/N Σᵤ wᵢ ℓ(xᵢθ, ŷᵢ) + 1/n Σₗ wᵢ [ℓ(xᵢθ, yᵢ) − λ ℓ(xᵢθ, ŷᵢ)],
///     ℓ(z, y) = −y·z + log(1 + e^z),
///
/// (ppi_py `ppi_logistic_pointestimate`'s `rectified_logistic_loss`; λ = 0 is the classical
/// unpenalised logistic regression without intercept, `classical_logistic_ci`). For λ in
/// [0, 1] the loss is convex, with Hessian
/// λ/N·X_uᵀ diag(w μ(1 − μ)) X_u + (1 − λ)/n·Xᵀ diag(w μ(1 − μ)) X.
///
/// ppi_py minimises it with SciPy's L-BFGS-B to `ftol = 1e-15` from scikit-learn's classical
/// fit; here damped Newton steps (the Hessian kept while the gradient falls fast, refreshed
/// otherwise) run to the floating-point floor of the gradient, so the minimiser is the exact
/// one and agrees with ppi_py's to its optimiser's tolerance (~1e-8). ppi_py's loss also
/// replaces log(1 + e^z) by z for z > 10 (`safe_log1pexp`), which changes the value by up to
/// 4.5e-5 but not the gradient it uses; this loss is exact.
///
/// - Complexity: O((n + N)·d) per gradient, O((n + N)·d²) per Hessian; typically 3–4
///   Hessians and 6–10 gradients.
struct RectifiedLogisticLoss {
  let covariates: Matrix
  let labels: [Double]
  let predictions: [Double]
  let weights: [Double]?
  var unlabelledCovariates: Matrix?
  var unlabelledPredictions: [Double]
  var unlabelledWeights: [Double]?
  let lambda: Double
  let names: [String]
  /// What the labelled rows are called in messages.
  var rowsName = "labelled"

  /// The loss of `sample` at `lambda` (rows of the unlabelled set are used only when λ ≠ 0).
  init(
    sample: PredictionSample, weights: [Double]?, unlabelledWeights: [Double]?, lambda: Double
  ) {
    covariates = sample.covariates!
    labels = sample.labels
    predictions = sample.predictions
    self.weights = weights
    unlabelledCovariates = lambda != 0 ? sample.unlabelledCovariates : nil
    unlabelledPredictions = lambda != 0 ? sample.unlabelledPredictions : []
    self.unlabelledWeights = unlabelledWeights
    self.lambda = lambda
    names = sample.covariateNames
  }

  /// The classical loss: labels only.
  init(covariates: Matrix, labels: [Double], weights: [Double]?, names: [String]) {
    self.covariates = covariates
    self.labels = labels
    predictions = labels
    self.weights = weights
    unlabelledCovariates = nil
    unlabelledPredictions = []
    unlabelledWeights = nil
    lambda = 0
    self.names = names
  }

  var dimension: Int { covariates.columns }

  /// The labelled rows' targets y − λŷ (the loss is linear in the labels).
  var labelledTargets: [Double] {
    lambda == 0 ? labels : (0..<labels.count).map { labels[$0] - lambda * predictions[$0] }
  }

  /// The loss and its gradient at `theta`: one fused pass over each set.
  func evaluate(_ theta: [Double]) -> (value: Double, gradient: [Double]) {
    evaluate(theta, targets: labelledTargets)
  }

  func evaluate(
    _ theta: [Double], targets: [Double], wantsValue: Bool = true
  ) -> (
    value: Double, gradient: [Double]
  ) {
    let n = Double(covariates.rows)
    let d = dimension
    let labelled = DesignPasses.logisticPass(
      covariates, theta, targets: targets, softplusFactor: 1 - lambda, weights: weights,
      wantsValue: wantsValue)
    var value = labelled.value / n
    var gradient = labelled.gradient.map { $0 / n }
    if let xu = unlabelledCovariates {
      let factor = lambda / Double(xu.rows)
      let unlabelled = DesignPasses.logisticPass(
        xu, theta, targets: unlabelledPredictions, softplusFactor: 1, weights: unlabelledWeights,
        wantsValue: wantsValue)
      value += factor * unlabelled.value
      for j in 0..<d { gradient[j] += factor * unlabelled.gradient[j] }
    }
    return (value, gradient)
  }

  /// The Hessian at `theta`.
  func hessian(_ theta: [Double]) -> [Double] {
    let parts = curvatures(theta)
    return combinedHessian(labelled: parts.labelled, unlabelled: parts.unlabelled)
  }

  /// Σ wᵢμᵢ(1 − μᵢ)xᵢxᵢᵀ over the labelled rows and over the unlabelled ones (nil unless used).
  func curvatures(_ theta: [Double]) -> (labelled: [Double], unlabelled: [Double]?) {
    func gram(_ x: Matrix, _ w: [Double]?) -> [Double] {
      let z = DesignPasses.products(x, theta)
      let c = z.enumerated().map { i, zi in
        let mu = sigmoid(zi)
        return (w?[i] ?? 1) * mu * (1 - mu)
      }
      return DesignPasses.gram(x, coefficients: c)
    }
    let labelled =
      lambda == 1 ? [Double](repeating: 0, count: dimension * dimension) : gram(covariates, weights)
    return (labelled, unlabelledCovariates.map { gram($0, unlabelledWeights) })
  }

  /// λ/N·(unlabelled curvature) + (1 − λ)/n·(labelled curvature).
  func combinedHessian(labelled: [Double], unlabelled: [Double]?) -> [Double] {
    let factor = (1 - lambda) / Double(covariates.rows)
    var h = labelled.map { factor * $0 }
    if let unlabelled, let xu = unlabelledCovariates {
      let factorU = lambda / Double(xu.rows)
      for k in h.indices { h[k] += factorU * unlabelled[k] }
    }
    return h
  }

  /// The loss on every `stride`-th unlabelled row only (for a cheap first solve).
  func subsampled(stride: Int) -> RectifiedLogisticLoss {
    var copy = self
    guard let xu = unlabelledCovariates else { return copy }
    let rows = Array(Swift.stride(from: 0, to: xu.rows, by: stride))
    copy.unlabelledCovariates = xu.rows(at: rows)
    copy.unlabelledPredictions = rows.map { unlabelledPredictions[$0] }
    copy.unlabelledWeights = unlabelledWeights.map { w in rows.map { w[$0] } }
    return copy
  }

  /// The minimiser, by damped Newton steps from `start` (zero when nil), with `hessian` as the
  /// first curvature when given (the Hessian at `start`, from a previous fit's statistics).
  ///
  /// Without a given Hessian and with more than 200,000 unlabelled rows, the loss on a strided
  /// subsample of about 50,000 of them is minimised first; its minimiser and Hessian start the
  /// full problem, which then needs a few gradient passes. A step is accepted when it lowers
  /// the gradient's largest component, or else the loss enough (Armijo, 10⁻⁴; the loss is only
  /// computed then); the Hessian is refreshed when the gradient did not fall at least fourfold.
  /// The iteration stops after a step below 10⁻¹² of the coefficients' size (Newton's error is
  /// then at rounding level) or when no step helps with a fresh Hessian. The result is the
  /// full problem's minimiser whichever way it was reached.
  ///
  /// - Throws: ``BiasKitError`` when the design is collinear (naming the columns).
  func minimizer(
    from start: [Double]?, hessian initial: [Double]? = nil, maxIterations: Int = 200
  ) throws -> (theta: [Double], converged: Bool) {
    let d = dimension
    var theta = start ?? [Double](repeating: 0, count: d)
    var initial = initial
    if initial == nil, let xu = unlabelledCovariates, xu.rows > 200_000 {
      let small = subsampled(stride: xu.rows / 50_000)
      theta = try small.minimizer(from: theta).theta
      initial = small.hessian(theta)
    }
    let targets = labelledTargets
    var g = evaluate(theta, targets: targets, wantsValue: false).gradient
    var factor = initial.flatMap { CholeskyFactor.factoredIfDefinite($0, dimension: d) }
    var fresh = factor != nil
    for _ in 0..<maxIterations {
      if factor == nil {
        let h = hessian(theta)
        factor = CholeskyFactor.factoredIfDefinite(h, dimension: d)
        if factor == nil {
          // Singular curvature: a collinear design, or fitted probabilities at 0 or 1.
          let gram = DesignPasses.gram(covariates, coefficients: nil)
          _ = try CholeskyFactor.factored(gram, dimension: d, names: names, rows: rowsName)
          var ridge = h
          let scale = max(trace(h, d) / Double(d), 1e-300) * 1e-10
          for j in 0..<d { ridge[j * d + j] += scale }
          factor = CholeskyFactor.factoredIfDefinite(ridge, dimension: d)
          if factor == nil { return (theta, false) }
        }
        fresh = true
      }
      let step = factor!.solve(g)
      let size = theta.map(abs).max() ?? 0
      if (step.map(abs).max() ?? 0) <= 1e-12 * max(1, size) {
        // Within rounding of the optimum: take the step and stop.
        for j in 0..<d { theta[j] -= step[j] }
        return (theta, true)
      }
      let slope = zip(g, step).reduce(0) { $0 + $1.0 * $1.1 }
      let gradientNorm = g.map(abs).max() ?? 0
      var t = 1.0
      var accepted = false
      var next = theta
      var nextG = g
      var value: Double? = nil
      while t >= 1e-10 {
        for j in 0..<d { next[j] = theta[j] - t * step[j] }
        let trial = evaluate(next, targets: targets, wantsValue: false)
        nextG = trial.gradient
        let nextNorm = nextG.map(abs).max() ?? 0
        if nextNorm.isFinite && nextNorm < gradientNorm {
          accepted = true
          break
        }
        // The gradient did not fall: fall back on the loss's sufficient decrease.
        if value == nil { value = evaluate(theta, targets: targets).value }
        let nextValue = evaluate(next, targets: targets).value
        if nextValue.isFinite && nextValue <= value! - 1e-4 * t * slope {
          accepted = true
          break
        }
        t *= 0.5
      }
      if !accepted {
        if fresh { return (theta, true) }
        factor = nil
        continue
      }
      let nextNorm = nextG.map(abs).max() ?? 0
      if t < 1 || nextNorm > 0.25 * gradientNorm { factor = nil }
      fresh = false
      theta = next
      g = nextG
      if nextNorm == 0 { return (theta, true) }
    }
    return (theta, false)
  }
}

/// log(1 + e^z), stable for large |z|.
@inline(__always) func softplus(_ z: Double) -> Double {
  max(z, 0) + log1p(exp(-abs(z)))
}
