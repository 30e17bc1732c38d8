import Foundation

/// Focal loss: the log-loss down-weighted on well-classified rows by (1 − p_t)^γ.
///
/// With q = p_t (p = σ(z) when y = 1, 1 − p when y = 0), u = 1 − q and s = +1 for y = 1, −1 for
/// y = 0 (so ∂q/∂z = s q u):
///
///     ℓ        = −u^γ log q
///     ∂ℓ/∂z    = s (γ q u^γ log q − u^{γ+1})
///     ∂²ℓ/∂z²  = q u^γ (γ u log q − γ² q log q + (2γ + 1) u)
///
/// γ = 0 gives the log-loss. For γ > 0 the Hessian is negative where a row is badly
/// misclassified (q < e^{−(2 + 1/γ)} roughly), so the loss is not convex in z there.
///
/// Corresponds to the binary (sigmoid) focal loss of `torchvision.ops.sigmoid_focal_loss` with
/// `alpha = -1` (no class weight; use ``ClassificationLoss/classBalanced(beta:)`` or sample
/// weights for that).
///
/// - Complexity: O(1).
///
/// ## References
/// - Lin, Goyal, Girshick, He, Dollár. Focal Loss for Dense Object Detection. ICCV 2017.
enum FocalLoss {
  @inline(__always)
  static func terms(_ y: UInt8, _ z: Double, gamma: Double) -> LossTerms {
    if gamma == 0 { return LogLoss.terms(y, z) }
    let s: Double = y == 1 ? 1 : -1
    let logQ = logSigmoid(s * z)
    let logU = logSigmoid(-s * z)
    let q = exp(logQ)
    let u = exp(logU)
    let uGamma = exp(gamma * logU)
    let value = -uGamma * logQ
    let gradient = s * (gamma * q * uGamma * logQ - uGamma * u)
    let hessian =
      q * uGamma * (gamma * u * logQ - gamma * gamma * q * logQ + (2 * gamma + 1) * u)
    return LossTerms(value: value, gradient: gradient, hessian: hessian)
  }
}
