/// How a binary audit makes its predictions from the scores instead of reading a prediction
/// column: a score threshold, or selection by rank (Aequitas's `score_thresholds`).
///
/// - `threshold(T)`: `ŷ = 1` when `score ≥ T` (Aequitas `score_val`, scikit-learn's
///   convention for a decision threshold).
/// - `topK(k)`: the k highest-scored rows of the whole file (Aequitas `rank_abs`: the first k
///   rows of the rows sorted by descending score).
/// - `topFraction(F)`: the `⌈F · n⌉` highest-scored rows (Aequitas `rank_pct`: the rows whose
///   position `i` in the descending order has `i < F · n`).
///
/// Ties at the cut: of rows with equal scores, those earlier in the file are selected first
/// (the order of a stable descending sort, pandas `sort_values(kind="stable")`). Aequitas sorts
/// with pandas' default quicksort, which orders ties arbitrarily; the selections agree
/// whenever no tie straddles the cut.
///
///     var columns = AuditColumns(yTrue: "y", yPred: "", yScore: "score", sensitive: ["race"])
///     columns.selection = .topFraction(0.3)
///
/// - Complexity: O(n) for a threshold, O(n log n) for a rank selection.
public enum ScoreSelection: Sendable, Equatable, Hashable {
  /// `ŷ = score ≥ T`.
  case threshold(Double)
  /// The k highest scores.
  case topK(Int)
  /// The `⌈F · n⌉` highest scores, `0 < F ≤ 1`.
  case topFraction(Double)

  /// The number of rows a rank selection selects out of `rows` (nil for a threshold).
  public func selectedCount(rows: Int) -> Int? {
    switch self {
    case .threshold: return nil
    case .topK(let k): return min(k, rows)
    case .topFraction(let f): return min(rows, Int((f * Double(rows)).rounded(.up)))
    }
  }

  /// Throws unless the parameter fits `rows` rows: a finite threshold, `1 ≤ k ≤ rows`,
  /// `0 < F ≤ 1`.
  public func validate(rows: Int) throws {
    switch self {
    case .threshold(let t):
      guard t.isFinite else {
        throw BiasKitError(.invalidArgument, "\(.threshold) must be a finite number, not \(t)")
      }
    case .topK(let k):
      guard k >= 1, k <= rows else {
        throw BiasKitError(
          .invalidArgument, "\(.topK) must be between 1 and the number of rows (\(rows)), not \(k)")
      }
    case .topFraction(let f):
      guard f > 0, f <= 1 else {
        throw BiasKitError(
          .invalidArgument, "\(.topFraction) must be a fraction in (0, 1], not \(f)")
      }
    }
  }

  /// The predictions (0/1) the selection makes of `scores`.
  ///
  /// - Throws: ``BiasKitError`` when the parameter does not fit the rows (``validate(rows:)``).
  public func predictions(scores: [Double]) throws -> [UInt8] {
    try validate(rows: scores.count)
    switch self {
    case .threshold(let t):
      return scores.map { $0 >= t ? 1 : 0 }
    case .topK, .topFraction:
      let k = selectedCount(rows: scores.count) ?? 0
      var out = [UInt8](repeating: 0, count: scores.count)
      guard k > 0 else { return out }
      // The k-th highest score; every higher score is selected, and of the scores equal to
      // it the first ones in file order.
      let cut = scores.sorted(by: >)[k - 1]
      var remaining = k - scores.reduce(0) { $0 + ($1 > cut ? 1 : 0) }
      for (i, s) in scores.enumerated() {
        if s > cut {
          out[i] = 1
        } else if s == cut, remaining > 0 {
          out[i] = 1
          remaining -= 1
        }
      }
      return out
    }
  }

  /// How the selection is written on the command line and in the JSON (`threshold`, `top_k`,
  /// `top_fraction`) with its parameter.
  public var name: String {
    switch self {
    case .threshold: return "threshold"
    case .topK: return "top_k"
    case .topFraction: return "top_fraction"
    }
  }

  /// The command-line option of the selection.
  var flag: Parameter {
    switch self {
    case .threshold: return .threshold
    case .topK: return .topK
    case .topFraction: return .topFraction
    }
  }

  /// The parameter as a number.
  public var parameter: Double {
    switch self {
    case .threshold(let t): return t
    case .topK(let k): return Double(k)
    case .topFraction(let f): return f
    }
  }
}
