import Dispatch
import Foundation

/// The loss a binary classifier minimises, as a function of the label y ∈ {0, 1} and the raw
/// score (logit) z, with p = σ(z) = 1 / (1 + e^{−z}) and p_t = p when y = 1, 1 − p when y = 0.
///
/// Each case is one file under `Learners/Losses/` with its formula, its first and second
/// derivatives in z and its paper. Both built-in learners take any of them:
/// ``LogisticRegression`` minimises the weighted mean loss plus its L2 penalty with L-BFGS
/// (value and gradient), ``GradientBoostingClassifier`` grows its trees on the gradient and
/// Hessian (a Hessian below 10⁻⁶ — focal-type losses are not convex in z where a row is badly
/// misclassified — is raised to 10⁻⁶ so that every Newton step is a descent step).
///
/// The class-dependent losses (``classBalanced(beta:)``, ``ldam(maxMargin:deferredReweighting:)``)
/// read the class sizes n₀, n₁ of the training rows (sums of the sample weights).
public enum ClassificationLoss: Sendable, Equatable {
  /// Log-loss (binary cross-entropy), the default: `softplus(z) − y z`.
  case logLoss
  /// Focal loss `−(1 − p_t)^γ log p_t` (Lin et al. 2017), γ ≥ 0; γ = 0 is the log-loss.
  case focal(gamma: Double)
  /// Log-loss weighted by the inverse effective number of each class's samples,
  /// `(1 − β) / (1 − β^{n_y})` normalised to sum to 2 over the classes (Cui et al. 2019),
  /// β ∈ [0, 1); β = 0 is the log-loss.
  case classBalanced(beta: Double)
  /// Label-distribution-aware margin loss: the log-loss of the true class's logit lowered by
  /// Δ_y ∝ n_y^{−1/4}, the largest margin `maxMargin` (Cao et al. 2019); optionally with
  /// deferred re-weighting (class-balanced weights switched on late in training).
  case ldam(maxMargin: Double = 0.5, deferredReweighting: DeferredReweighting? = nil)
  /// Asymmetric loss: `−(1 − p)^{γ+} log p` for positives, `−p_m^{γ−} log(1 − p_m)` for
  /// negatives with the shifted probability p_m = max(p − m, 0) (Ridnik et al. 2021).
  case asymmetric(gammaPositive: Double = 0, gammaNegative: Double = 4, margin: Double = 0.05)
  /// Dual focal loss `−(1 − q_y + q_j)^γ log q_y`, q_j the highest wrong-class probability
  /// (Tao et al. 2023); with two classes `2^γ (1 − p_t)^γ (−log p_t)`.
  case dualFocal(gamma: Double)

  /// LDAM's deferred re-weighting (DRW): the first `unweightedFraction` of the optimisation runs
  /// unweighted, the rest with the class-balanced weights of `beta` (Cao et al.: β = 0.9999,
  /// switched at 80 % of the epochs).
  public struct DeferredReweighting: Sendable, Equatable {
    public var beta: Double
    public var unweightedFraction: Double
    public init(beta: Double = 0.9999, unweightedFraction: Double = 0.8) {
      self.beta = beta
      self.unweightedFraction = unweightedFraction
    }
  }

  /// The smallest Hessian the trees use.
  static let hessianFloor = 1e-6

  /// Checks the parameters.
  func validate() throws {
    func check(_ ok: Bool, _ name: String, _ value: Double, _ expected: String) throws {
      if !ok { throw BiasKitError.badHyperparameter(name, "\(value)", expected) }
    }
    switch self {
    case .logLoss: break
    case .focal(let gamma), .dualFocal(let gamma):
      try check(gamma.isFinite && gamma >= 0, "focal gamma", gamma, "a number ≥ 0")
    case .classBalanced(let beta):
      try check(beta >= 0 && beta < 1, "class-balanced beta", beta, "in [0, 1)")
    case .ldam(let maxMargin, let drw):
      try check(maxMargin.isFinite && maxMargin >= 0, "LDAM max margin", maxMargin, "a number ≥ 0")
      if let drw {
        try check(
          drw.beta >= 0 && drw.beta < 1, "deferred re-weighting beta", drw.beta, "in [0, 1)")
        try check(
          drw.unweightedFraction >= 0 && drw.unweightedFraction <= 1,
          "deferred re-weighting fraction", drw.unweightedFraction, "in [0, 1]")
      }
    case .asymmetric(let gp, let gn, let m):
      try check(gp.isFinite && gp >= 0, "asymmetric gamma+", gp, "a number ≥ 0")
      try check(gn.isFinite && gn >= 0, "asymmetric gamma-", gn, "a number ≥ 0")
      try check(m >= 0 && m < 1, "asymmetric margin", m, "in [0, 1)")
    }
  }

  /// Class sizes n₀, n₁: sums of the weights of each class.
  static func classSizes(_ labels: [UInt8], _ weights: [Double]?) -> (Double, Double) {
    var n = [0.0, 0.0]
    for i in 0..<labels.count { n[Int(labels[i])] += weights?[i] ?? 1 }
    return (n[0], n[1])
  }

  /// The per-row loss with the class sizes bound (margins, class weights).
  func prepared(
    labels: [UInt8], weights: [Double]?, reweighted: Bool = false
  ) throws
    -> PreparedLoss
  {
    let (n0, n1) = ClassificationLoss.classSizes(labels, weights)
    switch self {
    case .logLoss: return PreparedLoss(kind: .logLoss)
    case .focal(let gamma): return PreparedLoss(kind: .focal(gamma, scale: 1))
    case .dualFocal(let gamma): return PreparedLoss(kind: .focal(gamma, scale: pow(2, gamma)))
    case .classBalanced(let beta):
      guard n0 > 0 && n1 > 0 else { throw BiasKitError.lossNeedsBothClasses("class-balanced") }
      return PreparedLoss(kind: .logLoss, classWeights: classBalancedWeights(beta, n0, n1))
    case .ldam(let maxMargin, let drw):
      guard n0 > 0 && n1 > 0 else { throw BiasKitError.lossNeedsBothClasses("LDAM") }
      let margins = ldamMargins(maxMargin, n0, n1)
      var loss = PreparedLoss(kind: .ldam(margin0: margins.0, margin1: margins.1))
      if reweighted, let drw { loss.classWeights = classBalancedWeights(drw.beta, n0, n1) }
      return loss
    case .asymmetric(let gp, let gn, let m):
      return PreparedLoss(kind: .asymmetric(gp, gn, m))
    }
  }

  /// The objective the trees descend.
  func objective(labels: [UInt8], weights: [Double]?) throws -> any BoostingObjective {
    if self == .logLoss { return LogLossObjective(labels: labels, weights: weights) }
    let loss = try prepared(labels: labels, weights: weights)
    var objective = LossObjective(labels: labels, weights: weights, loss: loss, switchAt: nil)
    if case .ldam(_, let drw?) = self {
      objective.reweighted = try prepared(labels: labels, weights: weights, reweighted: true)
      objective.switchFraction = drw.unweightedFraction
    }
    return objective
  }
}

/// Cui et al.'s class weights `(1 − β)/(1 − β^{n_c})`, normalised so that they sum to 2.
func classBalancedWeights(_ beta: Double, _ n0: Double, _ n1: Double) -> (Double, Double) {
  if beta == 0 { return (1, 1) }
  let w0 = (1 - beta) / (1 - pow(beta, n0))
  let w1 = (1 - beta) / (1 - pow(beta, n1))
  let total = w0 + w1
  return (2 * w0 / total, 2 * w1 / total)
}

/// LDAM's margins `Δ_c = C / n_c^{1/4}` with C such that the largest is `maxMargin`.
func ldamMargins(_ maxMargin: Double, _ n0: Double, _ n1: Double) -> (Double, Double) {
  let m0 = 1 / pow(n0, 0.25)
  let m1 = 1 / pow(n1, 0.25)
  let scale = maxMargin / max(m0, m1)
  return (m0 * scale, m1 * scale)
}

/// A loss with its class-dependent constants bound: per row `w_y · ℓ(y, z)`.
struct PreparedLoss: Sendable, Equatable {
  enum Kind: Sendable, Equatable {
    case logLoss
    case focal(Double, scale: Double)
    case ldam(margin0: Double, margin1: Double)
    case asymmetric(Double, Double, Double)
  }
  var kind: Kind
  var classWeights: (Double, Double) = (1, 1)

  static func == (a: PreparedLoss, b: PreparedLoss) -> Bool {
    a.kind == b.kind && a.classWeights == b.classWeights
  }

  /// Value, first and second derivative in z of the row's loss (class weight included).
  @inline(__always)
  func evaluate(_ y: UInt8, _ z: Double) -> LossTerms {
    let w = y == 1 ? classWeights.1 : classWeights.0
    var t: LossTerms
    switch kind {
    case .logLoss: t = LogLoss.terms(y, z)
    case .focal(let gamma, let scale):
      t = FocalLoss.terms(y, z, gamma: gamma)
      if scale != 1 { t = t.scaled(scale) }
    case .ldam(let m0, let m1): t = LDAMLoss.terms(y, z, margin: y == 1 ? m1 : m0)
    case .asymmetric(let gp, let gn, let m):
      t = AsymmetricLoss.terms(y, z, gammaPositive: gp, gammaNegative: gn, margin: m)
    }
    return w == 1 ? t : t.scaled(w)
  }
}

/// A loss's value ℓ and its derivatives ∂ℓ/∂z, ∂²ℓ/∂z² at one row.
struct LossTerms: Sendable, Equatable {
  var value: Double
  var gradient: Double
  var hessian: Double
  func scaled(_ s: Double) -> LossTerms {
    LossTerms(value: s * value, gradient: s * gradient, hessian: s * hessian)
  }
}

/// What the boosting loop needs from a loss: the float32 gradients and Hessians (sample weights
/// applied) at the current raw predictions.
protocol BoostingObjective: Sendable {
  /// Called once per iteration, `iteration` of `iterations`.
  func gradients(
    raw: [Double], gradients: inout [Float], hessians: inout [Float], iteration: Int,
    iterations: Int)
}

/// Runs `body(lo, hi)` over `0..<n` in two halves on two workers when n is large.
func splitRows(_ n: Int, threshold: Int = 100_000, _ body: (Int, Int) -> Void) {
  if n >= threshold {
    DispatchQueue.concurrentPerform(iterations: 2) { part in
      body(n * part / 2, n * (part + 1) / 2)
    }
  } else {
    body(0, n)
  }
}

/// scikit-learn's `HalfBinomialLoss.gradient_hessian`, expression for expression
/// (`cgrad_hess_half_binomial`), so the float32 gradients are the reference's.
struct LogLossObjective: BoostingObjective {
  let labels: [UInt8]
  let weights: [Double]?

  func gradients(
    raw: [Double], gradients: inout [Float], hessians: inout [Float], iteration: Int,
    iterations: Int
  ) {
    let n = raw.count
    labels.withUnsafeBufferPointer { ys in
      raw.withUnsafeBufferPointer { zs in
        gradients.withUnsafeMutableBufferPointer { gs in
          hessians.withUnsafeMutableBufferPointer { hs in
            let g = gs.baseAddress!
            let h = hs.baseAddress!
            let w = weights
            splitRows(n) { lo, hi in
              for i in lo..<hi {
                let y = Double(ys[i])
                let z = zs[i]
                var grad: Double
                var hess: Double
                if z > -37 {
                  let e = exp(-z)
                  grad = ((1 - y) - y * e) / (1 + e)
                  hess = e / ((1 + e) * (1 + e))
                } else {
                  hess = exp(z)
                  grad = hess - y
                }
                if let w {
                  grad = w[i] * grad
                  hess = w[i] * hess
                }
                g[i] = Float(grad)
                h[i] = Float(hess)
              }
            }
          }
        }
      }
    }
  }
}

/// Any ``PreparedLoss``, with an optional switch to a re-weighted loss (LDAM-DRW) after
/// `switchFraction` of the iterations.
struct LossObjective: BoostingObjective {
  let labels: [UInt8]
  let weights: [Double]?
  let loss: PreparedLoss
  var reweighted: PreparedLoss? = nil
  var switchFraction = 1.0

  init(labels: [UInt8], weights: [Double]?, loss: PreparedLoss, switchAt: Double?) {
    self.labels = labels
    self.weights = weights
    self.loss = loss
    if let switchAt { self.switchFraction = switchAt }
  }

  func gradients(
    raw: [Double], gradients: inout [Float], hessians: inout [Float], iteration: Int,
    iterations: Int
  ) {
    let active =
      reweighted != nil && Double(iteration) >= switchFraction * Double(iterations)
      ? reweighted! : loss
    let n = raw.count
    gradients.withUnsafeMutableBufferPointer { gs in
      hessians.withUnsafeMutableBufferPointer { hs in
        let g = gs.baseAddress!
        let h = hs.baseAddress!
        splitRows(n) { lo, hi in
          for i in lo..<hi {
            let t = active.evaluate(labels[i], raw[i])
            let w = weights?[i] ?? 1
            g[i] = Float(w * t.gradient)
            h[i] = Float(w * max(t.hessian, ClassificationLoss.hessianFloor))
          }
        }
      }
    }
  }
}

extension BiasKitError {
  /// A class-dependent loss on rows of one class.
  static func lossNeedsBothClasses(_ name: String) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "the \(name) loss needs rows of both classes (its margins or weights depend on each class's size); the rows have one class"
    )
  }
}
