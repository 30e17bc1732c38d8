/// Cleans the neighbourhood of the minority class: removes the rows edited out by
/// ``EditedNearestNeighbours`` (mode rule), plus the neighbours of misclassified minority rows.
///
/// With `M` the minority class (`min(Counter(y))`):
/// 1. A1 = rows removed by `EditedNearestNeighbours(n_neighbors=k, kind_sel="mode")`;
/// 2. classes to clean = targeted classes with more than `threshold · |M|` rows;
/// 3. each minority row is classified by the majority vote of its k nearest rows (itself
///    included; ties to the smallest class); A2 = the k neighbours (itself excluded) of the
///    misclassified ones that belong to a class to clean.
/// The output is every row outside A1 ∪ A2, in input order.
///
/// Corresponds to imbalanced-learn's `NeighbourhoodCleaningRule(n_neighbors=k,
/// threshold_cleaning=…)` (`sample_indices_`).
///
/// - Complexity: O(n² · d).
///
/// ## References
/// - Laurikkala. Improving Identification of Difficult Small Classes by Balancing Class
///   Distribution. AIME 2001.
public struct NeighbourhoodCleaningRule: Resampler, Sendable {
  public var strategy: SamplingStrategy
  public var neighborCount: Int
  /// imbalanced-learn: `threshold_cleaning`.
  public var threshold: Double
  public var kind: SamplingKind { .cleaning }

  public init(strategy: SamplingStrategy = .auto, neighborCount: Int = 3, threshold: Double = 0.5) {
    self.strategy = strategy
    self.neighborCount = neighborCount
    self.threshold = threshold
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let k = neighborCount
    let n = data.labels.count
    let targeted = Set(targets.map(\.label))
    let enn = EditedNearestNeighbours(strategy: strategy, neighborCount: k, selection: .mode)
    var removed = [Bool](repeating: true, count: n)
    for i in try enn.keptRows(data, targeted: targeted) { removed[i] = false }
    let minority = NumPyCompat.counterMinority(data.labels)
    let minorityCount = data.stats[minority]
    let toClean = Set(
      data.stats.classes.filter {
        targeted.contains($0) && Double(data.stats[$0]) > Double(minorityCount) * threshold
      })
    let minorityRows = data.rows(of: minority)
    let list = NearestNeighbors(reference: data.features).neighbors(
      of: data.features.rows(at: minorityRows), count: k + 1)
    for q in 0..<minorityRows.count {
      let all = Array(list.neighbors(of: q))
      let predicted = NumPyCompat.mode(all.prefix(k).map { data.labels[$0] })
      guard predicted != minority else { continue }
      for j in all.dropFirst() where toClean.contains(data.labels[j]) { removed[j] = true }
    }
    let kept = (0..<n).filter { !removed[$0] }
    return Resampled(selecting: kept, inputRows: n, columns: data.features.columns)
  }
}
