import Foundation

/// Adds random copies of rows of each targeted class, drawn with replacement; with
/// ``shrinkage``, a smoothed bootstrap that perturbs each copy with Gaussian noise.
///
/// Without shrinkage the new rows are input rows again (``Resampled/sources`` repeats them, as
/// imbalanced-learn's `sample_indices_`). With shrinkage `h`, a copy of row `x` of class `c` is
///
///     x + z ⊙ (h · (4 / ((d + 2) · n))^(1 / (d + 4)) · σ_c),   z ~ N(0, I)
///
/// with `σ_c` the per-column population standard deviation of class `c` and `n` all rows.
///
/// Corresponds to imbalanced-learn's `RandomOverSampler(shrinkage=…)`; the draws come from
/// ``SeededGenerator``.
///
/// - Complexity: O(n + s · d) for s new rows.
public struct RandomOverSampler: Resampler, Sendable {
  public var strategy: SamplingStrategy
  /// The smoothed-bootstrap factor (imbalanced-learn: `shrinkage`); nil for plain copies.
  public var shrinkage: Double?
  public var kind: SamplingKind { .overSampling }

  public init(strategy: SamplingStrategy = .auto, shrinkage: Double? = nil) {
    self.strategy = strategy
    self.shrinkage = shrinkage
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let n = data.labels.count
    let d = data.features.columns
    if let h = shrinkage, !(h >= 0) {
      throw BiasKitError.badParameter("shrinkage", h, expected: "at least 0")
    }
    var copies: [Int] = []
    var out = SyntheticRows(columns: d)
    for (label, count) in targets {
      let rows = data.rows(of: label)
      let drawn = (0..<count).map { _ in rows[generator.nextInt(below: rows.count)] }
      guard let h = shrinkage else {
        copies += drawn
        continue
      }
      let smoothing = pow(4 / (Double(d + 2) * Double(n)), 1 / Double(d + 4))
      var scale = [Double](repeating: 0, count: d)
      for j in 0..<d {
        let column = rows.map { data.features[$0, j] }
        let mean = column.reduce(0, +) / Double(column.count)
        let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)
        scale[j] = h * smoothing * variance.squareRoot()
      }
      for i in drawn {
        for j in 0..<d {
          out.values.append(generator.nextGaussian() * scale[j] + data.features[i, j])
        }
        out.labels.append(label)
      }
    }
    if shrinkage == nil {
      return Resampled(
        sources: Array(0..<n) + copies, inputRows: n,
        synthetic: Matrix(rows: 0, columns: d, values: []),
        syntheticLabels: [])
    }
    return out.result(inputRows: n)
  }
}

extension SeededGenerator {
  /// A standard normal draw (Box–Muller).
  mutating func nextGaussian() -> Double {
    let u = 1 - nextUniform()
    let v = nextUniform()
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
  }
}
