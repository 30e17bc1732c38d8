import Foundation

/// How much attention a position in a ranking receives: the browsing model behind exposure.
///
///     logarithmic:          v(r) = 1 / log2(1 + r)        (DCG's discount)
///     geometric(patience):  v(r) = γ^(r − 1)              (RBP's user, patience γ)
///     reciprocal:           v(r) = 1 / r
///
/// for 1-based rank r. The logarithmic weights are the ones Singh & Joachims (2018) use for
/// exposure and scikit-learn's `ndcg_score` uses as its discount; the geometric ones are
/// rank-biased precision's (Moffat & Zobel 2008) and expected exposure's (Diaz et al. 2020),
/// without RBP's (1 − γ) factor (a constant that cancels in every ratio).
///
/// - Complexity: O(1) per weight; ``PositionWeights`` tabulates them once per length.
public enum PositionWeighting: Sendable, Hashable {
  /// `1 / log2(1 + rank)`.
  case logarithmic
  /// `patience^(rank − 1)`, patience in (0, 1].
  case geometric(patience: Double)
  /// `1 / rank`.
  case reciprocal

  /// The weight of 1-based `rank`.
  public func weight(rank: Int) -> Double {
    switch self {
    case .logarithmic: return 1 / log2(Double(rank) + 1)
    case .geometric(let patience): return pow(patience, Double(rank - 1))
    case .reciprocal: return 1 / Double(rank)
    }
  }

  /// Throws when the patience is outside (0, 1].
  public func validate() throws {
    if case .geometric(let patience) = self, !(patience > 0 && patience <= 1) {
      throw BiasKitError(
        .invalidArgument,
        "the patience of the geometric weights must lie in (0, 1]; got \(patience)")
    }
  }

  /// A short name for output: `logarithmic`, `geometric(0.5)`, `reciprocal`.
  public var name: String {
    switch self {
    case .logarithmic: return "logarithmic"
    case .geometric(let patience): return "geometric(\(patience))"
    case .reciprocal: return "reciprocal"
    }
  }
}

/// The weights of ranks 1…n of one ``PositionWeighting``, indexed by 1-based rank.
public struct PositionWeights: Sendable {
  /// `values[r − 1]` is the weight of rank r.
  public let values: [Double]

  /// Tabulates `weighting` for ranks 1…`length`.
  public init(_ weighting: PositionWeighting, length: Int) {
    values = (0..<max(0, length)).map { weighting.weight(rank: $0 + 1) }
  }

  /// The weight of 1-based `rank`.
  @inline(__always)
  public subscript(rank: Int) -> Double { values[rank - 1] }
}
