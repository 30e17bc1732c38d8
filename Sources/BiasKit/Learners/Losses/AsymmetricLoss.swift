import Foundation

/// Asymmetric loss (ASL): focusing of its own strength on each side, and a probability margin
/// that discards easy negatives. With p = σ(z), p_m = max(p − m, 0):
///
///     y = 1:  ℓ = −(1 − p)^{γ+} log p          (the focal loss with γ+, ``FocalLoss``)
///     y = 0:  ℓ = −p_m^{γ−} log(1 − p_m)
///
/// For a negative with p > m (r = p_m, a = p (1 − p) = ∂p/∂z):
///
///     B(r)     = −γ− r^{γ−−1} log(1 − r) + r^{γ−} / (1 − r)
///     ∂ℓ/∂z    = a B(r)
///     ∂²ℓ/∂z²  = a (1 − 2p) B(r) + a² B′(r),
///     B′(r)    = −γ−(γ− − 1) r^{γ−−2} log(1 − r) + 2γ− r^{γ−−1} / (1 − r) + r^{γ−} / (1 − r)²
///
/// and ℓ = ∂ℓ/∂z = ∂²ℓ/∂z² = 0 when p ≤ m. The defaults are the paper's γ+ = 0, γ− = 4,
/// m = 0.05; γ+ = γ− = γ with m = 0 is the focal loss.
///
/// - Complexity: O(1).
///
/// ## References
/// - Ridnik, Ben-Baruch, Zamir, Noy, Friedman, Protter, Zelnik-Manor. Asymmetric Loss For
///   Multi-Label Classification. ICCV 2021.
enum AsymmetricLoss {
  @inline(__always)
  static func terms(
    _ y: UInt8, _ z: Double, gammaPositive: Double, gammaNegative: Double, margin: Double
  ) -> LossTerms {
    if y == 1 { return FocalLoss.terms(1, z, gamma: gammaPositive) }
    let e = exp(-abs(z))
    let p = z >= 0 ? 1 / (1 + e) : e / (1 + e)
    let r = p - margin
    if r <= 0 { return LossTerms(value: 0, gradient: 0, hessian: 0) }
    let g = gammaNegative
    let log1mR = margin == 0 ? logSigmoid(-z) : log1p(-r)
    let oneMinusR = 1 - r
    let rg = pow(r, g)
    let rg1 = g == 0 ? 0 : pow(r, g - 1)
    let rg2 = g == 0 || g == 1 ? 0 : pow(r, g - 2)
    let value = -rg * log1mR
    let b = -g * rg1 * log1mR + rg / oneMinusR
    let bPrime =
      -g * (g - 1) * rg2 * log1mR + 2 * g * rg1 / oneMinusR + rg / (oneMinusR * oneMinusR)
    let a = p * (1 - p)
    return LossTerms(value: value, gradient: a * b, hessian: a * (1 - 2 * p) * b + a * a * bPrime)
  }
}
