/// Applies ``EditedNearestNeighbours`` with 1, 2, …, k neighbours in turn, each on the rows the
/// previous round kept.
///
/// It stops early after a round that leaves a non-minority class smaller than the original
/// minority count (unless ``allowMinority``) or removes a class entirely.
///
/// Corresponds to imbalanced-learn's `AllKNN(n_neighbors=k, kind_sel=…, allow_minority=…)`.
///
/// - Complexity: O(k · n² · d).
///
/// ## References
/// - Tomek. An Experiment with the Edited Nearest-Neighbor Rule. IEEE Trans. Systems, Man and
///   Cybernetics 6, 1976.
public struct AllKNN: Resampler, Sendable {
  public var strategy: SamplingStrategy
  public var neighborCount: Int
  public var selection: EditedNearestNeighbours.Selection
  /// imbalanced-learn: `allow_minority`.
  public var allowMinority: Bool
  public var kind: SamplingKind { .cleaning }

  public init(
    strategy: SamplingStrategy = .auto, neighborCount: Int = 3,
    selection: EditedNearestNeighbours.Selection = .all, allowMinority: Bool = false
  ) {
    self.strategy = strategy
    self.neighborCount = neighborCount
    self.selection = selection
    self.allowMinority = allowMinority
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let kept = try repeatedEditing(
      data, maxRounds: neighborCount, stopAtConvergence: false, allowMinority: allowMinority
    ) { round in
      EditedNearestNeighbours(strategy: strategy, neighborCount: round + 1, selection: selection)
    }
    return Resampled(selecting: kept, inputRows: data.labels.count, columns: data.features.columns)
  }
}
