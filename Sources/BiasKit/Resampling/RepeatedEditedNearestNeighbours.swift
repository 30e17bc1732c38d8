/// Applies ``EditedNearestNeighbours`` again and again until it removes nothing, for at most
/// ``maxIterations`` rounds.
///
/// It also stops after a round that leaves a non-minority class smaller than the original
/// minority count, or that removes a class entirely (that round's removals are kept).
///
/// Corresponds to imbalanced-learn's `RepeatedEditedNearestNeighbours` (the rows it returns;
/// its `sample_indices_` is re-indexed twice on convergence, which this type does not copy).
/// The minority class is `min(Counter(y))`: ties go to the class seen first.
///
/// - Complexity: O(iterations · n² · d).
public struct RepeatedEditedNearestNeighbours: Resampler, Sendable {
  public var strategy: SamplingStrategy
  public var neighborCount: Int
  public var selection: EditedNearestNeighbours.Selection
  /// imbalanced-learn: `max_iter`.
  public var maxIterations: Int
  public var kind: SamplingKind { .cleaning }

  public init(
    strategy: SamplingStrategy = .auto, neighborCount: Int = 3,
    selection: EditedNearestNeighbours.Selection = .all, maxIterations: Int = 100
  ) {
    self.strategy = strategy
    self.neighborCount = neighborCount
    self.selection = selection
    self.maxIterations = maxIterations
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let enn = EditedNearestNeighbours(
      strategy: strategy, neighborCount: neighborCount, selection: selection)
    let kept = try repeatedEditing(
      data, maxRounds: maxIterations, stopAtConvergence: true, allowMinority: false
    ) { _ in enn }
    return Resampled(selecting: kept, inputRows: data.labels.count, columns: data.features.columns)
  }
}

/// The loop shared by RENN and AllKNN: round r edits the current rows with `editor(r)`.
func repeatedEditing(
  _ data: LabeledRows, maxRounds: Int, stopAtConvergence: Bool, allowMinority: Bool,
  editor: (Int) -> EditedNearestNeighbours
) throws -> [Int] {
  let original = data.stats
  let minority = NumPyCompat.counterMinority(data.labels)
  let minorityCount = original[minority]
  var current = Array(0..<data.labels.count)
  var rows = data
  for round in 0..<maxRounds {
    let enn = editor(round)
    let targets = try enn.strategy.targets(for: rows.stats, kind: .cleaning)
    let kept = try enn.keptRows(rows, targeted: Set(targets.map(\.label)))
    let converged = kept.count == current.count
    current = kept.map { current[$0] }
    rows = data.subset(current)
    let stats = rows.stats
    let minorityBecameMajority =
      !allowMinority
      && zip(stats.classes, stats.counts).contains { $0.0 != minority && $0.1 < minorityCount }
    let classRemoved = stats.classes.count < original.classes.count
    if (stopAtConvergence && converged) || minorityBecameMajority || classRemoved { break }
  }
  return current
}
