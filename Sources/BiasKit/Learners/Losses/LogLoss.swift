import Foundation

/// Log-loss (binary cross-entropy) in the raw score z:
///
///     ℓ(y, z)   = log(1 + e^z) − y z
///     ∂ℓ/∂z     = p − y                      p = σ(z)
///     ∂²ℓ/∂z²   = p (1 − p)
///
/// Evaluated without overflow: `log(1 + e^z) = max(z, 0) + log1p(e^{−|z|})`.
///
/// Corresponds to scikit-learn's `HalfBinomialLoss` (the gradient boosting uses its exact
/// expressions, see `LogLossObjective`).
///
/// - Complexity: O(1).
enum LogLoss {
  @inline(__always)
  static func terms(_ y: UInt8, _ z: Double) -> LossTerms {
    let e = exp(-abs(z))
    let softplus = max(z, 0) + log1p(e)
    let p = z >= 0 ? 1 / (1 + e) : e / (1 + e)
    let label = Double(y)
    return LossTerms(value: softplus - label * z, gradient: p - label, hessian: p * (1 - p))
  }
}

/// `log σ(s)` for a signed score s, stable for large |s|: `−(max(−s, 0) + log1p(e^{−|s|}))`.
@inline(__always)
func logSigmoid(_ s: Double) -> Double {
  -(max(-s, 0) + log1p(exp(-abs(s))))
}
