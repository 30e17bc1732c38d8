import Foundation

/// Dual focal loss: the focal factor uses the gap between the true class's probability q_y and
/// the highest wrong-class probability q_j,
///
///     ℓ = −(1 − q_y + q_j)^γ log q_y.
///
/// With two classes q_j = 1 − q_y = 1 − p_t, so `1 − q_y + q_j = 2 (1 − p_t)` and the loss is the
/// focal loss scaled by 2^γ (``FocalLoss``, same γ):
///
///     ℓ        = −2^γ u^γ log q                                  q = p_t, u = 1 − q
///     ∂ℓ/∂z    = 2^γ s (γ q u^γ log q − u^{γ+1})
///     ∂²ℓ/∂z²  = 2^γ q u^γ (γ u log q − γ² q log q + (2γ + 1) u)
///
/// so for a binary classifier it reaches the same minimiser as focal loss with the effective
/// learning rate (boosting) or penalty (logistic regression: C · 2^γ) rescaled; it differs from
/// focal loss only with more than two classes.
///
/// - Complexity: O(1).
///
/// ## References
/// - Tao, Dong, Xu. Dual Focal Loss for Calibration. ICML 2023.
enum DualFocalLoss {
  @inline(__always)
  static func terms(_ y: UInt8, _ z: Double, gamma: Double) -> LossTerms {
    FocalLoss.terms(y, z, gamma: gamma).scaled(pow(2, gamma))
  }
}
