/// Class-balanced log-loss: each class weighted by the inverse of its effective number of
/// samples E_n = (1 − βⁿ) / (1 − β), so that a class of n rows weighs
///
///     w_c = (1 − β) / (1 − β^{n_c}),   normalised so that w₀ + w₁ = 2,
///     ℓ        = w_y · (log(1 + e^z) − y z)
///     ∂ℓ/∂z    = w_y · (p − y)
///     ∂²ℓ/∂z²  = w_y · p (1 − p).
///
/// β = 0 gives the plain log-loss; β → 1 gives weights ∝ 1/n_c (inverse class frequency).
/// n_c is the sum of the sample weights of class c (the row count without weights). Cui et al.
/// use β ∈ {0.9, 0.99, 0.999, 0.9999}.
///
/// - Complexity: O(1) per row after O(n) to count the classes.
///
/// ## References
/// - Cui, Jia, Lin, Song, Belongie. Class-Balanced Loss Based on Effective Number of Samples.
///   CVPR 2019.
enum ClassBalancedLoss {
  /// The two class weights.
  static func weights(beta: Double, n0: Double, n1: Double) -> (Double, Double) {
    classBalancedWeights(beta, n0, n1)
  }
}
