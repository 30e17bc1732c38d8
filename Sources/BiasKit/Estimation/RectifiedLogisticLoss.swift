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
  let unlabelledCovariates: Matrix?
  let unlabelledPredictions: [Double]
  let unlabelledWeights: [Double]?
  let lambda: Double
  let names: [String]

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

  /// The loss and its gradient at `theta`.
  func evaluate(_ theta: [Double]) -> (value: Double, gradient: [Double]) {
    let n = covariates.rows
    let d = dimension
    let z = DesignPasses.products(covariates, theta)
    var scales = [Double](repeating: 0, count: n)
    var value = 0.0
    for i in 0..<n {
      let w = weights?[i] ?? 1
      let target = labels[i] - lambda * predictions[i]
      let mu = logistic(z[i])
      value += w * (-target * z[i] + (1 - lambda) * softplus(z[i]))
      scales[i] = w * ((1 - lambda) * mu - target) / Double(n)
    }
    value /= Double(n)
    var gradient = DesignPasses.transposedProduct(covariates, scales)
    if let xu = unlabelledCovariates {
      let bigN = xu.rows
      let zu = DesignPasses.products(xu, theta)
      var scalesU = [Double](repeating: 0, count: bigN)
      var valueU = 0.0
      let factor = lambda / Double(bigN)
      for i in 0..<bigN {
        let w = unlabelledWeights?[i] ?? 1
        valueU += w * (-unlabelledPredictions[i] * zu[i] + softplus(zu[i]))
        scalesU[i] = factor * w * (logistic(zu[i]) - unlabelledPredictions[i])
      }
      value += factor * valueU
      let gu = DesignPasses.transposedProduct(xu, scalesU)
      for j in 0..<d { gradient[j] += gu[j] }
    }
    return (value, gradient)
  }

  /// The Hessian at `theta`.
  func hessian(_ theta: [Double]) -> [Double] {
    let n = covariates.rows
    let d = dimension
    let z = DesignPasses.products(covariates, theta)
    let factor = (1 - lambda) / Double(n)
    let c = z.enumerated().map { i, zi in
      let mu = logistic(zi)
      return factor * (weights?[i] ?? 1) * mu * (1 - mu)
    }
    var h = DesignPasses.gram(covariates, coefficients: c)
    if let xu = unlabelledCovariates {
      let zu = DesignPasses.products(xu, theta)
      let factorU = lambda / Double(xu.rows)
      let cu = zu.enumerated().map { i, zi in
        let mu = logistic(zi)
        return factorU * (unlabelledWeights?[i] ?? 1) * mu * (1 - mu)
      }
      let hu = DesignPasses.gram(xu, coefficients: cu)
      for k in 0..<(d * d) { h[k] += hu[k] }
    }
    return h
  }

  /// The minimiser, by damped Newton steps from `start` (zero when nil).
  ///
  /// A step is accepted when it lowers the loss enough (Armijo, 10⁻⁴) or lowers the gradient
  /// (near the optimum the loss's rounding hides its decrease); the Hessian is refreshed when
  /// the gradient did not fall at least fourfold. The iteration stops after a step below
  /// 10⁻¹² of the coefficients' size (Newton's error is then at rounding level) or when no
  /// step helps with a fresh Hessian.
  ///
  /// - Throws: ``BiasKitError`` when the design is collinear (naming the columns).
  func minimizer(
    from start: [Double]?, maxIterations: Int = 200
  ) throws -> (
    theta: [Double], converged: Bool
  ) {
    let d = dimension
    var theta = start ?? [Double](repeating: 0, count: d)
    var (f, g) = evaluate(theta)
    var factor: CholeskyFactor? = nil
    var fresh = false
    for _ in 0..<maxIterations {
      if factor == nil {
        let h = hessian(theta)
        factor = CholeskyFactor.factoredIfDefinite(h, dimension: d)
        if factor == nil {
          // Singular curvature: a collinear design, or fitted probabilities at 0 or 1.
          let gram = DesignPasses.gram(covariates, coefficients: nil)
          _ = try CholeskyFactor.factored(gram, dimension: d, names: names, rows: "labelled")
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
      var nextF = f
      var nextG = g
      while t >= 1e-10 {
        for j in 0..<d { next[j] = theta[j] - t * step[j] }
        (nextF, nextG) = evaluate(next)
        let nextNorm = nextG.map(abs).max() ?? 0
        if nextF.isFinite && (nextF <= f - 1e-4 * t * slope || nextNorm < gradientNorm) {
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
      f = nextF
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
