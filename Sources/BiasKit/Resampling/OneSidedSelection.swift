/// One-sided selection: a one-pass condensed nearest neighbour, then the removal of Tomek
/// links.
///
/// For each targeted class c: C = all minority rows + `seedCount` random rows of c; the other
/// rows of c that the k-NN classifier on C misclassifies are kept, with the seeds. Untargeted
/// classes are kept whole. Then ``TomekLinks`` restricted to the targeted classes cleans the
/// result. Output: class by class (seeds, then kept rows in input order), minus the links.
///
/// Corresponds to imbalanced-learn's `OneSidedSelection(n_neighbors=k, n_seeds_S=…)`; the seeds
/// come from ``SeededGenerator``.
///
/// - Complexity: O(n · |C| · d) plus a Tomek pass.
///
/// ## References
/// - Kubat, Matwin. Addressing the Curse of Imbalanced Training Sets: One-Sided Selection.
///   ICML 1997.
public struct OneSidedSelection: Resampler, Sendable {
  public var strategy: SamplingStrategy
  public var neighborCount: Int
  public var seedCount: Int
  public var kind: SamplingKind { .cleaning }

  public init(strategy: SamplingStrategy = .auto, neighborCount: Int = 1, seedCount: Int = 1) {
    self.strategy = strategy
    self.neighborCount = neighborCount
    self.seedCount = seedCount
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let targeted = Set(targets.map(\.label))
    let minorityRows = data.rows(of: NumPyCompat.counterMinority(data.labels))
    var selected: [Int] = []
    for label in data.stats.classes {
      let rows = data.rows(of: label)
      guard targeted.contains(label) else {
        selected += rows
        continue
      }
      let positions = (0..<seedCount).map { _ in generator.nextInt(below: rows.count) }
      let seeds = positions.map { rows[$0] }
      let seedPositions = Set(positions)
      let rest = rows.indices.filter { !seedPositions.contains($0) }.map { rows[$0] }
      let classifier = try KNNClassifier(
        data, rows: minorityRows + seeds, neighborCount: neighborCount)
      let predictions = classifier.predict(data.features.rows(at: rest))
      selected += seeds + zip(rest, predictions).filter { $0.1 != label }.map(\.0)
    }
    let subset = data.subset(selected)
    let tomek = TomekLinks(strategy: .classes(targets.map(\.label)))
    let cleaned = try tomek.fitResample(subset)
    return Resampled(
      selecting: cleaned.sources.map { selected[$0] }, inputRows: data.labels.count,
      columns: data.features.columns)
  }
}
