/// Keeps a random subset of each targeted class, of the requested size, without replacement.
///
/// Output: class by class in increasing class order; the untargeted classes whole, in input
/// order; a targeted class as the drawn rows in draw order.
///
/// Corresponds to imbalanced-learn's `RandomUnderSampler(replacement=False)`; the draws come
/// from ``SeededGenerator`` (a partial Fisher–Yates shuffle), not NumPy's generator.
///
/// - Complexity: O(n).
public struct RandomUnderSampler: Resampler, Sendable {
  public var strategy: SamplingStrategy
  public var kind: SamplingKind { .underSampling }

  public init(strategy: SamplingStrategy = .auto) { self.strategy = strategy }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let wanted = Dictionary(uniqueKeysWithValues: targets.map { ($0.label, $0.count) })
    var kept: [Int] = []
    for label in data.stats.classes {
      var rows = data.rows(of: label)
      guard let count = wanted[label] else {
        kept += rows
        continue
      }
      for i in 0..<count {
        let j = i + generator.nextInt(below: rows.count - i)
        rows.swapAt(i, j)
      }
      kept += rows.prefix(count)
    }
    return Resampled(selecting: kept, inputRows: data.labels.count, columns: data.features.columns)
  }
}
