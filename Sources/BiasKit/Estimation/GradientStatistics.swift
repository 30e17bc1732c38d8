/// The per-row gradients of an M-estimator's loss at a point θ, summarised for PPI: the
/// gradients on the labelled rows with the gold labels (`grads`) and with the predictions
/// (`grads_hat`), the sum and centred scatter of the gradients on the unlabelled rows
/// (`grads_hat_unlabeled`), and the inverse Hessian. These are the outputs of ppi_py 0.2.3's
/// `_ols_get_stats` and `_logistic_get_stats` (and of the mean's inline version), and the
/// inputs of its power-tuning λ (``tunedLambda(coordinate:)``, `_calc_lam_glm`) and of its
/// sandwich variance (``covariance(lambda:)``).
///
/// For the regressions, with weights wᵢ rescaled to sum to their set's size:
///
///     linear:   gᵢ = wᵢ xᵢ (xᵢθ − yᵢ),   H = Σ wᵢ xᵢxᵢᵀ / (N + n)
///     logistic: gᵢ = wᵢ xᵢ (μᵢ − yᵢ),    H = Σ wᵢ μᵢ(1 − μᵢ) xᵢxᵢᵀ / (N + n),  μᵢ = 1 / (1 + e^{−xᵢθ})
///
/// the Hessian summing over both sets, or over the labelled rows alone (divided by n) when the
/// unlabelled rows are not used (λ = 0). For the mean gᵢ = wᵢ(yᵢ − θ) and H = 1.
///
/// - Complexity: O((n + N)·d²) to build, O(n·d² + d³) for λ and the covariance.
struct GradientStatistics: Sendable {
  let dimension: Int
  let labelledCount: Int
  let unlabelledCount: Int
  /// `grads`: n × d, row-major.
  let labelled: [Double]
  /// `grads_hat`: n × d, row-major.
  let labelledPredicted: [Double]
  /// Σ of `grads_hat_unlabeled` over the unlabelled rows (zeros when they are not used).
  let unlabelledSum: [Double]
  /// Σ (g − ḡ)(g − ḡ)ᵀ of `grads_hat_unlabeled` (zeros when they are not used).
  let unlabelledScatter: [Double]
  /// H⁻¹, row-major.
  let inverseHessian: [Double]
  /// The Hessian's unnormalised parts: Σ wᵢ·cᵢ·xᵢxᵢᵀ over the labelled rows and over the
  /// unlabelled rows (nil when they are not used); cᵢ = 1 or μᵢ(1 − μᵢ). Empty for the mean.
  var labelledCurvature: [Double] = []
  var unlabelledCurvature: [Double]? = nil

  // MARK: Builders

  /// The mean's statistics at `theta` (ppi_py `ppi_mean_ci`, before `_calc_lam_glm`), the
  /// unlabelled rows summarised by `unlabelled`.
  static func mean(
    at theta: Double, labels: [Double], predictions: [Double], unlabelled: MeanMoments,
    weights: [Double]?
  ) -> GradientStatistics {
    let n = labels.count
    var grads = [Double](repeating: 0, count: n)
    var gradsHat = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let w = weights?[i] ?? 1
      grads[i] = w * (labels[i] - theta)
      gradsHat[i] = w * (predictions[i] - theta)
    }
    return GradientStatistics(
      dimension: 1, labelledCount: n, unlabelledCount: unlabelled.count, labelled: grads,
      labelledPredicted: gradsHat, unlabelledSum: [unlabelled.gradientSum(at: theta)],
      unlabelledScatter: [unlabelled.gradientScatter(at: theta)], inverseHessian: [1])
  }

  /// A regression's statistics at `theta`. `unlabelledGram` (Σ wᵢxᵢxᵢᵀ over the unlabelled
  /// rows) saves a pass for the linear model, whose Hessian does not depend on θ.
  static func regression(
    _ model: RegressionModel, at theta: [Double], sample: PredictionSample,
    weights: [Double]?, unlabelledWeights: [Double]?, usesUnlabelled: Bool,
    labelledGram: [Double]? = nil, unlabelledGram: [Double]? = nil
  ) throws -> GradientStatistics {
    let x = sample.covariates!
    let n = x.rows
    let d = x.columns
    let bigN = sample.unlabelledCount
    // Labelled rows: both gradients, stored.
    let z = DesignPasses.products(x, theta)
    var grads = [Double](repeating: 0, count: n * d)
    var gradsHat = [Double](repeating: 0, count: n * d)
    var hessianCoefficients = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let w = weights?[i] ?? 1
      let fitted = model.fittedValue(z[i])
      let r = w * (fitted - sample.labels[i])
      let rHat = w * (fitted - sample.predictions[i])
      for j in 0..<d {
        let xij = x.values[i * d + j]
        grads[i * d + j] = r * xij
        gradsHat[i * d + j] = rHat * xij
      }
      hessianCoefficients[i] = w * model.curvature(z[i], fitted)
    }
    let labelledCurvature =
      model == .linear && labelledGram != nil
      ? labelledGram! : DesignPasses.gram(x, coefficients: hessianCoefficients)
    var hessian = labelledCurvature
    var unlabelledCurvature: [Double]? = nil
    var unlabelledSum = [Double](repeating: 0, count: d)
    var unlabelledScatter = [Double](repeating: 0, count: d * d)
    if usesUnlabelled {
      let xu = sample.unlabelledCovariates!
      let pass = DesignPasses.gradientPass(
        xu, theta, targets: sample.unlabelledPredictions, weights: unlabelledWeights,
        logistic: model == .logistic, wantsCurvatures: !(model == .linear && unlabelledGram != nil))
      let scales = pass.scales
      let curvatures = pass.curvatures
      unlabelledSum = pass.sum
      let center = unlabelledSum.map { $0 / Double(bigN) }
      let sums = DesignPasses.scatter(
        xu, scales: scales, center: center, gramCoefficients: curvatures)
      unlabelledScatter = sums.scatter
      let unlabelledHessian = sums.gram ?? unlabelledGram!
      unlabelledCurvature = unlabelledHessian
      let total = Double(n + bigN)
      for k in 0..<(d * d) { hessian[k] = (hessian[k] + unlabelledHessian[k]) / total }
    } else {
      for k in 0..<(d * d) { hessian[k] /= Double(n) }
    }
    let factor = try CholeskyFactor.factored(
      hessian, dimension: d, names: sample.covariateNames,
      rows: usesUnlabelled ? "labelled and unlabelled" : "labelled")
    var stats = GradientStatistics(
      dimension: d, labelledCount: n, unlabelledCount: bigN, labelled: grads,
      labelledPredicted: gradsHat, unlabelledSum: unlabelledSum,
      unlabelledScatter: unlabelledScatter, inverseHessian: factor.inverse())
    stats.labelledCurvature = labelledCurvature
    stats.unlabelledCurvature = unlabelledCurvature
    return stats
  }

  // MARK: Power tuning

  /// PPI++'s λ: the value minimising the trace of the sandwich covariance (or the variance of
  /// one `coordinate`), clipped to [0, 1] — ppi_py's `_calc_lam_glm(..., clip=True)`:
  ///
  ///     λ = tr(H⁻¹ C H⁻¹) / (2 (1 + n/N) tr(H⁻¹ V H⁻¹)),
  ///     C = (1/n)(G̃ᵀĜ + ĜᵀG̃) over the centred labelled gradients,
  ///     V = np.cov of the predicted gradients of both sets (ddof 1).
  ///
  /// `raw` is the value before clipping. When the predicted gradients do not vary (V = 0) ppi_py
  /// returns NaN; here λ is 0 (the predictions carry no information) and `raw` is NaN.
  func tunedLambda(coordinate: Int? = nil) -> (value: Double, raw: Double) {
    let d = dimension
    let n = labelledCount
    let bigN = unlabelledCount
    let meanG = columnMeans(labelled, n, d)
    let meanGh = columnMeans(labelledPredicted, n, d)
    var crossCovariance = [Double](repeating: 0, count: d * d)
    for i in 0..<n {
      for a in 0..<d {
        let ga = labelled[i * d + a] - meanG[a]
        let ha = labelledPredicted[i * d + a] - meanGh[a]
        for b in 0..<d {
          crossCovariance[a * d + b] +=
            ga * (labelledPredicted[i * d + b] - meanGh[b]) + ha * (labelled[i * d + b] - meanG[b])
        }
      }
    }
    for k in 0..<(d * d) { crossCovariance[k] /= Double(n) }
    // np.cov of the stacked predicted gradients: the pooled mean, then both sets' scatter.
    var pooledMean = [Double](repeating: 0, count: d)
    for a in 0..<d {
      pooledMean[a] = (meanGh[a] * Double(n) + unlabelledSum[a]) / Double(n + bigN)
    }
    var pooled = unlabelledScatter
    let unlabelledMean = unlabelledSum.map { $0 / Double(bigN) }
    for a in 0..<d {
      for b in 0..<d {
        pooled[a * d + b] +=
          Double(bigN) * (unlabelledMean[a] - pooledMean[a]) * (unlabelledMean[b] - pooledMean[b])
      }
    }
    for i in 0..<n {
      for a in 0..<d {
        let ha = labelledPredicted[i * d + a] - pooledMean[a]
        for b in 0..<d { pooled[a * d + b] += ha * (labelledPredicted[i * d + b] - pooledMean[b]) }
      }
    }
    let ddof = Double(max(n + bigN - 1, 1))
    for k in 0..<(d * d) { pooled[k] /= ddof }
    let numerator: Double
    let denominator: Double
    if let coordinate {
      let v = Array(inverseHessian[(coordinate * d)..<((coordinate + 1) * d)])
      numerator = quadraticForm(v, crossCovariance, d)
      denominator = 2 * (1 + Double(n) / Double(bigN)) * quadraticForm(v, pooled, d)
    } else {
      numerator = trace(DenseAlgebra.sandwich(inverseHessian, crossCovariance, d), d)
      denominator =
        2 * (1 + Double(n) / Double(bigN))
        * trace(DenseAlgebra.sandwich(inverseHessian, pooled, d), d)
    }
    let raw = numerator / denominator
    guard raw.isFinite else { return (0, .nan) }
    return (min(max(raw, 0), 1), raw)
  }

  // MARK: Variance

  /// The sandwich covariance of the PPI estimate at `lambda` (ppi_py `ppi_ols_ci` /
  /// `ppi_logistic_ci`):
  ///
  ///     Σ̂ = H⁻¹ (n/N · cov(λ ĝᵘ) + cov(g − λ ĝ)) H⁻¹,   se_j = √(Σ̂_jj / n)
  ///
  /// with `np.cov`'s ddof 1 for both covariances.
  func covariance(lambda: Double) -> [Double] {
    let d = dimension
    let n = labelledCount
    let bigN = unlabelledCount
    var difference = [Double](repeating: 0, count: n * d)
    for k in 0..<(n * d) { difference[k] = labelled[k] - lambda * labelledPredicted[k] }
    let meanD = columnMeans(difference, n, d)
    var middle = [Double](repeating: 0, count: d * d)
    for i in 0..<n {
      for a in 0..<d {
        let da = difference[i * d + a] - meanD[a]
        for b in a..<d { middle[a * d + b] += da * (difference[i * d + b] - meanD[b]) }
      }
    }
    DenseAlgebra.symmetrize(&middle, d)
    let labelledDenominator = Double(max(n - 1, 1))
    let unlabelledFactor =
      lambda == 0 || bigN == 0
      ? 0 : lambda * lambda / Double(max(bigN - 1, 1)) * Double(n) / Double(bigN)
    for k in 0..<(d * d) {
      middle[k] = unlabelledFactor * unlabelledScatter[k] + middle[k] / labelledDenominator
    }
    return DenseAlgebra.sandwich(inverseHessian, middle, d)
  }

  /// √(Σ̂_jj / n) for each coordinate.
  func standardErrors(lambda: Double) -> [Double] {
    let sigma = covariance(lambda: lambda)
    let d = dimension
    return (0..<d).map { j in (sigma[j * d + j] / Double(labelledCount)).squareRoot() }
  }
}

/// The two generalised linear models of the regression estimands.
enum RegressionModel: Sendable, Equatable {
  case linear
  case logistic

  /// The fitted value at linear predictor z: z, or 1 / (1 + e^{−z}).
  @inline(__always) func fittedValue(_ z: Double) -> Double {
    self == .linear ? z : sigmoid(z)
  }

  /// The loss's second derivative in z: 1, or μ(1 − μ).
  @inline(__always) func curvature(_ z: Double, _ fitted: Double) -> Double {
    self == .linear ? 1 : fitted * (1 - fitted)
  }
}

func columnMeans(_ values: [Double], _ rows: Int, _ columns: Int) -> [Double] {
  var sums = [Double](repeating: 0, count: columns)
  for i in 0..<rows {
    for j in 0..<columns { sums[j] += values[i * columns + j] }
  }
  return sums.map { $0 / Double(max(rows, 1)) }
}

func trace(_ a: [Double], _ d: Int) -> Double {
  var t = 0.0
  for i in 0..<d { t += a[i * d + i] }
  return t
}

func quadraticForm(_ v: [Double], _ a: [Double], _ d: Int) -> Double {
  var s = 0.0
  for i in 0..<d {
    var row = 0.0
    for j in 0..<d { row += a[i * d + j] * v[j] }
    s += v[i] * row
  }
  return s
}

/// 1 / (1 + e^{−z}) (the learners' `logistic`, under a name the model's case does not shadow).
@inline(__always) func sigmoid(_ z: Double) -> Double { logistic(z) }

/// The unlabelled predictions summarised for the mean: with aᵢ = wᵢŷᵢ and bᵢ = wᵢ, their means
/// and centred second moments (two passes), from which every quantity the mean's PPI needs at
/// any λ or θ follows: mean(wλŷ) = λ·ā, sd(wλŷ) = |λ|·√(S_aa/N), Σ w(ŷ − θ) = N(ā − θb̄) and
/// Σ (w(ŷ − θ) − mean)² = S_aa − 2θS_ab + θ²S_bb.
struct MeanMoments: Sendable {
  let count: Int
  let meanA: Double
  let meanB: Double
  let saa: Double
  let sab: Double
  let sbb: Double

  init(_ predictions: [Double], weights: [Double]?) {
    let n = predictions.count
    var sumA = CompensatedSum()
    var sumB = CompensatedSum()
    for i in 0..<n {
      let w = weights?[i] ?? 1
      sumA.add(w * predictions[i])
      sumB.add(w)
    }
    let a = sumA.value / Double(n)
    let b = weights == nil ? 1 : sumB.value / Double(n)
    var saa = 0.0
    var sab = 0.0
    var sbb = 0.0
    if let weights {
      for i in 0..<n {
        let da = weights[i] * predictions[i] - a
        let db = weights[i] - b
        saa += da * da
        sab += da * db
        sbb += db * db
      }
    } else {
      var s0 = 0.0
      var s1 = 0.0
      var i = 0
      while i + 1 < n {
        let d0 = predictions[i] - a
        let d1 = predictions[i + 1] - a
        s0 += d0 * d0
        s1 += d1 * d1
        i += 2
      }
      if i < n { s0 += (predictions[i] - a) * (predictions[i] - a) }
      saa = s0 + s1
    }
    count = n
    meanA = a
    meanB = b
    self.saa = saa
    self.sab = sab
    self.sbb = sbb
  }

  func gradientSum(at theta: Double) -> Double { Double(count) * (meanA - theta * meanB) }

  func gradientScatter(at theta: Double) -> Double {
    max(saa - 2 * theta * sab + theta * theta * sbb, 0)
  }
}
