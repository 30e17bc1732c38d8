import Foundation

/// The training rows grouped into bags, with only each bag's share of positive labels known.
///
/// Bag b has k_b rows and proportion α_b ∈ [0, 1]; the population prior is
/// p̄ = Σ_b k_b α_b / n.
public struct LabelProportions: Sendable, Equatable {
  /// The bag of each row, in `0..<bagCount`.
  public let bags: [Int32]
  /// The proportion α_b of each bag.
  public let proportions: [Double]
  /// Rows in each bag.
  public let sizes: [Int]
  /// The bag names (the bag column's values), for messages.
  public let names: [String]

  public var bagCount: Int { proportions.count }

  /// Bags from per-row bag names and per-row proportions (the CSV layout: every row carries its
  /// bag's proportion).
  ///
  /// - Throws: ``BiasKitError`` when the counts differ, a proportion is outside [0, 1] or not
  ///   a number, or the rows of one bag carry different proportions.
  public init<S: Sequence>(bagOfRow: S, proportionOfRow: [Double]) throws
  where S.Element: StringProtocol {
    var index: [String: Int32] = [:]
    var names: [String] = []
    var bags: [Int32] = []
    var proportions: [Double] = []
    var sizes: [Int] = []
    for (row, value) in bagOfRow.enumerated() {
      guard row < proportionOfRow.count else { break }
      let name = String(value)
      let alpha = proportionOfRow[row]
      guard alpha >= 0 && alpha <= 1 else {
        throw BiasKitError.badProportion(alpha, row: row, bag: name)
      }
      if let b = index[name] {
        bags.append(b)
        sizes[Int(b)] += 1
        guard proportions[Int(b)] == alpha else {
          throw BiasKitError(
            .invalidValue,
            "label proportions: bag '\(name)' has proportion \(proportions[Int(b)]) and, at row \(row + 1), \(alpha); a bag has one proportion"
          )
        }
      } else {
        let b = Int32(names.count)
        index[name] = b
        names.append(name)
        proportions.append(alpha)
        sizes.append(1)
        bags.append(b)
      }
    }
    guard bags.count == proportionOfRow.count else {
      throw BiasKitError(
        .invalidArgument,
        "label proportions: \(bags.count) bag names for \(proportionOfRow.count) proportions")
    }
    self.bags = bags
    self.proportions = proportions
    self.sizes = sizes
    self.names = names
  }

  /// Bags of labelled rows (simulations, tests): each bag's proportion is its rows' mean label.
  public init(bags: [Int32], labels: [UInt8]) throws {
    let count = Int(bags.max() ?? -1) + 1
    var positives = [Int](repeating: 0, count: count)
    var sizes = [Int](repeating: 0, count: count)
    for (b, y) in zip(bags, labels) {
      guard b >= 0 else {
        throw BiasKitError(.invalidValue, "label proportions: negative bag \(b)")
      }
      sizes[Int(b)] += 1
      positives[Int(b)] += Int(y)
    }
    self.bags = bags
    self.sizes = sizes
    self.proportions = (0..<count).map {
      sizes[$0] == 0 ? 0 : Double(positives[$0]) / Double(sizes[$0])
    }
    self.names = (0..<count).map { String($0) }
  }

  /// The prior p̄ = Σ_b k_b α_b / n.
  public var prior: Double {
    var total = 0.0
    for b in 0..<bagCount { total += Double(sizes[b]) * proportions[b] }
    return total / Double(max(bags.count, 1))
  }
}

/// Learning from label proportions (LLP): fits a classifier of single rows when only each bag's
/// share of positives is known, with one of three losses (p_i = σ(z_i) the row's probability,
/// p̄_b the mean of p_i over bag b):
///
///     bag:       L = Σ_b k_b · ℓ(α_b, p̄_b),          ℓ(a, q) = −a log q − (1 − a) log(1 − q)
///                ∂L/∂z_i = (p̄_b − α_b) / (p̄_b (1 − p̄_b)) · p_i (1 − p_i)
///     instance:  L = Σ_i ℓ(α_{b(i)}, p_i)            (each row takes its bag's proportion as a
///                ∂L/∂z_i = p_i − α_{b(i)}             soft label)
///     easyLLP:   L = Σ_i ℓ(ỹ_i, p_i),  ỹ_i = k_b α_b − (k_b − 1) p̄
///                ∂L/∂z_i = p_i − ỹ_i                 (an unbiased estimate of the row's loss)
///
/// ℓ is linear in its label, so the EasyLLP soft label may leave [0, 1] and the estimate stays
/// unbiased: E[ỹ_i | x_i] = P(y_i = 1 | x_i) for bags drawn at random. The gradient boosting
/// uses the Hessian p_i (1 − p_i) for the instance-level losses and the Gauss–Newton diagonal
/// `(p_i (1 − p_i))² / (k_b p̄_b (1 − p̄_b))` for the bag loss; logistic regression minimises
/// L / n plus its L2 penalty with L-BFGS.
///
/// - Complexity: O(n) per evaluation on top of the learner's own cost.
///
/// ## References
/// - Busa-Fekete, Choi, Dick, Gentile, Muñoz Medina. Easy Learning from Label Proportions.
///   NeurIPS 2023.
/// - Javanmard, Chen, Mirrokni, Badanidiyuru, Fu. Learning from Aggregate Responses: Instance
///   Level versus Bag Level Loss Functions. ICLR 2024.
public struct LabelProportionLearning: Sendable {
  /// Which loss.
  public enum Method: String, Sendable, CaseIterable {
    /// The bag-level loss.
    case bag
    /// The instance-level loss (bag proportion as every row's soft label).
    case instance
    /// EasyLLP's debiased instance-level loss.
    case easyLLP = "easyllp"
  }

  public var method: Method

  public init(method: Method) { self.method = method }

  /// Fits gradient boosting (its ``GradientBoostingClassifier/loss`` is not used; early
  /// stopping is not available without labels).
  public func fitted(
    _ learner: GradientBoostingClassifier, features: Matrix, proportions: LabelProportions
  ) throws -> GradientBoostingClassifier.Model {
    try learner.validate()
    try validate(features: features, proportions)
    try validateGradientBoostingFeatures(features)
    let binning = try FeatureBinning(
      fitting: features, maxBins: learner.maxBins, seed: learner.seed)
    let binned = binning.binned(features)
    let prior = min(max(proportions.prior, 10 * Double.ulpOfOne), 1 - 10 * Double.ulpOfOne)
    var plain = learner
    plain.earlyStopping = .off
    return plain.boosted(
      binned: binned, binning: binning, baseline: scipyLogit(prior),
      objective: LabelProportionObjective(method: method, proportions: proportions),
      validation: nil)
  }

  /// Fits logistic regression (its ``LogisticRegression/loss`` is not used).
  public func fitted(
    _ learner: LogisticRegression, features: Matrix, proportions: LabelProportions
  ) throws -> LogisticRegression.Model {
    try validate(features: features, proportions)
    for v in features.values where !v.isFinite {
      throw BiasKitError(.invalidValue, "label proportions: a feature value is not finite")
    }
    let design = Design(features)
    let n = features.rows
    let p = features.columns
    let objective = LabelProportionObjective(method: method, proportions: proportions)
    let l2 = 1 / (learner.inverseRegularization * Double(n))
    let fitsIntercept = learner.fitsIntercept
    var optimizer = LBFGS()
    optimizer.maxIterations = learner.maxIterations
    optimizer.gradientTolerance = learner.tolerance
    optimizer.functionTolerance = 64 * 2.220446049250313e-16
    optimizer.maxLineSearchSteps = 50
    let start = [Double](repeating: 0, count: p + (fitsIntercept ? 1 : 0))
    let result = optimizer.minimize(from: start) { theta, gradient in
      let z = design.decision(Array(theta[0..<p]), intercept: fitsIntercept ? theta[p] : 0)
      let (value, dz) = objective.valueAndGradient(raw: z)
      for j in 0..<gradient.count { gradient[j] = 0 }
      for i in 0..<n {
        let r = dz[i]
        if design.isSparse {
          for k in design.rowStart[i]..<design.rowStart[i + 1] {
            gradient[Int(design.columnIndex[k])] += r * design.values[k]
          }
        } else {
          for j in 0..<p { gradient[j] += r * design.dense[i * p + j] }
        }
        if fitsIntercept { gradient[p] += r }
      }
      var penalty = 0.0
      for j in 0..<p {
        gradient[j] = gradient[j] / Double(n) + l2 * theta[j]
        penalty += theta[j] * theta[j]
      }
      if fitsIntercept { gradient[p] /= Double(n) }
      return value / Double(n) + 0.5 * l2 * penalty
    }
    var warnings: [String] = []
    if !result.status.converged {
      warnings.append(
        "LogisticRegression (label proportions, \(method.rawValue)) did not converge in \(result.iterations) iterations"
      )
    }
    return LogisticRegression.Model(
      coefficients: Array(result.x[0..<p]), intercept: fitsIntercept ? result.x[p] : 0,
      iterations: result.iterations, converged: result.status.converged, warnings: warnings)
  }

  private func validate(features: Matrix, _ proportions: LabelProportions) throws {
    guard features.rows > 0 else {
      throw BiasKitError(.degenerateData, "label proportions: no rows to fit")
    }
    guard proportions.bags.count == features.rows else {
      throw BiasKitError(
        .invalidArgument,
        "label proportions: \(proportions.bags.count) bag entries for \(features.rows) rows")
    }
    if method == .bag, let b = proportions.sizes.firstIndex(of: 1) {
      throw BiasKitError(
        .degenerateData,
        "the bag loss needs bags of at least 2 rows; bag '\(proportions.names[b])' has 1 (use --llp instance or easyllp)"
      )
    }
    let prior = proportions.prior
    guard prior > 0 && prior < 1 else {
      throw BiasKitError(
        .degenerateData,
        "label proportions: every bag's proportion is \(prior == 0 ? 0 : 1); a classifier needs positives and negatives"
      )
    }
  }
}

/// The LLP losses as a boosting objective (and value + gradient for logistic regression).
struct LabelProportionObjective: BoostingObjective {
  let method: LabelProportionLearning.Method
  let proportions: LabelProportions

  /// Each row's soft label for the instance-level losses.
  func softLabels() -> [Double] {
    let prior = proportions.prior
    return proportions.bags.map { b in
      let alpha = proportions.proportions[Int(b)]
      switch method {
      case .instance, .bag: return alpha
      case .easyLLP:
        let k = Double(proportions.sizes[Int(b)])
        return k * alpha - (k - 1) * prior
      }
    }
  }

  /// The total loss L and ∂L/∂z_i at raw predictions z.
  func valueAndGradient(raw z: [Double]) -> (Double, [Double]) {
    let n = z.count
    var gradient = [Double](repeating: 0, count: n)
    var value = 0.0
    if method == .bag {
      let (mean, p) = bagMeans(z)
      for b in 0..<proportions.bagCount {
        let q = mean[b]
        let a = proportions.proportions[b]
        value -= Double(proportions.sizes[b]) * (a * log(q) + (1 - a) * log(1 - q))
      }
      for i in 0..<n {
        let b = Int(proportions.bags[i])
        let q = mean[b]
        gradient[i] = (q - proportions.proportions[b]) / (q * (1 - q)) * p[i] * (1 - p[i])
      }
      return (value, gradient)
    }
    let labels = softLabels()
    for i in 0..<n {
      let e = exp(-abs(z[i]))
      let softplus = max(z[i], 0) + log1p(e)
      let p = z[i] >= 0 ? 1 / (1 + e) : e / (1 + e)
      value += softplus - labels[i] * z[i]
      gradient[i] = p - labels[i]
    }
    return (value, gradient)
  }

  /// Bag means p̄_b (clipped to [10⁻¹², 1 − 10⁻¹²]) and the row probabilities.
  private func bagMeans(_ z: [Double]) -> ([Double], [Double]) {
    let p = z.map { 1 / (1 + exp(-$0)) }
    var sums = [Double](repeating: 0, count: proportions.bagCount)
    for i in 0..<z.count { sums[Int(proportions.bags[i])] += p[i] }
    let mean = (0..<sums.count).map { b in
      min(max(sums[b] / Double(max(proportions.sizes[b], 1)), 1e-12), 1 - 1e-12)
    }
    return (mean, p)
  }

  func gradients(
    raw: [Double], gradients: inout [Float], hessians: inout [Float], iteration: Int,
    iterations: Int
  ) {
    let n = raw.count
    if method == .bag {
      let (mean, p) = bagMeans(raw)
      for i in 0..<n {
        let b = Int(proportions.bags[i])
        let q = mean[b]
        let s = p[i] * (1 - p[i])
        let k = Double(proportions.sizes[b])
        gradients[i] = Float((q - proportions.proportions[b]) / (q * (1 - q)) * s)
        hessians[i] = Float(max(s * s / (k * q * (1 - q)), ClassificationLoss.hessianFloor))
      }
      return
    }
    let labels = softLabels()
    for i in 0..<n {
      let p = 1 / (1 + exp(-raw[i]))
      gradients[i] = Float(p - labels[i])
      hessians[i] = Float(max(p * (1 - p), ClassificationLoss.hessianFloor))
    }
  }
}

extension BiasKitError {
  /// A bag proportion outside [0, 1].
  static func badProportion(_ value: Double, row: Int, bag: String) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "label proportions: bag '\(bag)' has proportion \(value) at row \(row + 1); a proportion is between 0 and 1"
    )
  }
}
