/// The alternative hypothesis a confidence interval is built for (statsmodels' and ppi_py's
/// `alternative`).
public enum Alternative: String, Sendable, Equatable, CaseIterable {
  /// [θ̂ − z₁₋α/₂·se, θ̂ + z₁₋α/₂·se].
  case twoSided = "two-sided"
  /// [θ̂ + z_α·se, +∞): the lower bound of H₁: θ > θ₀.
  case larger
  /// (−∞, θ̂ + z₁₋α·se]: the upper bound of H₁: θ < θ₀.
  case smaller
}

/// Normal-approximation confidence intervals at error level α:
///
///     two-sided: θ̂ ± Φ⁻¹(1 − α/2)·se     larger: [θ̂ + Φ⁻¹(α)·se, ∞)     smaller: (−∞, θ̂ + Φ⁻¹(1 − α)·se]
///
/// Corresponds to statsmodels' `_zconfint_generic(mean, std_mean, alpha, alternative)`, which
/// every interval of ppi_py 0.2.3 goes through; ppi_py's default α is 0.1 (90% coverage), and
/// so is this one's.
///
/// - Complexity: O(1) per interval.
public struct ZInterval: Sendable, Equatable {
  /// The error level α in (0, 1): the interval targets coverage 1 − α.
  public var alpha: Double
  /// The alternative hypothesis.
  public var alternative: Alternative

  /// An interval maker at `alpha`.
  /// - Throws: ``BiasKitError`` when `alpha` is not in (0, 1).
  public init(alpha: Double = 0.1, alternative: Alternative = .twoSided) throws {
    guard alpha > 0, alpha < 1 else { throw BiasKitError.alphaOutOfRange(alpha) }
    self.alpha = alpha
    self.alternative = alternative
  }

  /// The critical value z that multiplies the standard error (negative for `larger`).
  public var criticalValue: Double {
    switch alternative {
    case .twoSided: return NormalDistribution.quantile(1 - alpha / 2)
    case .larger: return NormalDistribution.quantile(alpha)
    case .smaller: return NormalDistribution.quantile(1 - alpha)
    }
  }

  /// The interval around `estimate` with standard error `standardError`.
  public func interval(_ estimate: Double, standardError: Double) -> ConfidenceInterval {
    let z = criticalValue
    switch alternative {
    case .twoSided:
      return ConfidenceInterval(
        lower: estimate - z * standardError, upper: estimate + z * standardError)
    case .larger:
      return ConfidenceInterval(lower: estimate + z * standardError, upper: .infinity)
    case .smaller:
      return ConfidenceInterval(lower: -.infinity, upper: estimate + z * standardError)
    }
  }

  /// The two-sided p-value of H₀: θ = `null` for an estimate with standard error `se`
  /// (statsmodels `_zstat_generic`, two-sided): 2·(1 − Φ(|θ̂ − θ₀| / se)).
  static func twoSidedPValue(_ estimate: Double, standardError se: Double, null: Double) -> Double {
    2 * NormalDistribution.survival(abs((estimate - null) / se))
  }
}

extension BiasKitError {
  /// `--alpha` outside (0, 1).
  static func alphaOutOfRange(_ alpha: Double) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "alpha must be in (0, 1) (the interval covers 1 - alpha; 0.1 gives 90%); got \(alpha)")
  }
}
