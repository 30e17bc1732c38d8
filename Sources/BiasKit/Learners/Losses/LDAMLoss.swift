/// Label-distribution-aware margin (LDAM) loss: the true class's logit is lowered by a margin
/// that is larger for the smaller class, Δ_c = C / n_c^{1/4} with C chosen so that the larger
/// margin is `maxMargin`. With one logit z = z₁ − z₀ this shifts z against the true class:
///
///     z' = z − Δ₁ (y = 1),   z' = z + Δ₀ (y = 0)
///     ℓ        = log(1 + e^{z'}) − y z'
///     ∂ℓ/∂z    = σ(z') − y
///     ∂²ℓ/∂z²  = σ(z') (1 − σ(z'))
///
/// The paper's logit scale s (30 for normalised deep features) is 1 here: z is already the
/// model's unnormalised score. Deferred re-weighting (DRW) fits the first part unweighted and
/// then multiplies each row's loss by the class-balanced weight of β (``ClassBalancedLoss``).
/// Needs rows of both classes.
///
/// - Complexity: O(1).
///
/// ## References
/// - Cao, Wei, Gaidon, Arechiga, Ma. Learning Imbalanced Datasets with Label-Distribution-Aware
///   Margin Loss. NeurIPS 2019.
enum LDAMLoss {
  @inline(__always)
  static func terms(_ y: UInt8, _ z: Double, margin: Double) -> LossTerms {
    LogLoss.terms(y, y == 1 ? z - margin : z + margin)
  }
}
