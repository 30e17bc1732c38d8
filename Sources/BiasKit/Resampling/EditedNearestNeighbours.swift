/// Removes the rows of the targeted classes whose neighbourhood disagrees with their class.
///
/// For row `i` of a targeted class `c`, with `N(i)` its `k` nearest neighbours among all rows
/// (itself excluded): with ``Selection/all`` keep `i` iff every `y_j = c` (j ∈ N(i)); with
/// ``Selection/mode`` keep `i` iff the most frequent label of `N(i)` (ties: the smallest) is
/// `c`. Rows of other classes are all kept. Output: class by class in increasing class order,
/// rows in input order within a class.
///
/// Corresponds to imbalanced-learn's `EditedNearestNeighbours(n_neighbors=k, kind_sel=…)`
/// (`sample_indices_`).
///
/// - Complexity: O(n · m · d) for m rows in the targeted classes.
///
/// ## References
/// - Wilson. Asymptotic Properties of Nearest Neighbor Rules Using Edited Data. IEEE Trans.
///   Systems, Man and Cybernetics 2, 1972.
public struct EditedNearestNeighbours: Resampler, Sendable {
  /// When a row is kept (imbalanced-learn: `kind_sel`).
  public enum Selection: String, Sendable, Equatable {
    /// Every neighbour has the row's class.
    case all
    /// The most frequent neighbour class is the row's class.
    case mode
  }

  public var strategy: SamplingStrategy
  /// Neighbours looked at (imbalanced-learn: `n_neighbors`).
  public var neighborCount: Int
  public var selection: Selection
  public var kind: SamplingKind { .cleaning }

  public init(
    strategy: SamplingStrategy = .auto, neighborCount: Int = 3, selection: Selection = .all
  ) {
    self.strategy = strategy
    self.neighborCount = neighborCount
    self.selection = selection
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    Resampled(
      selecting: try keptRows(data, targeted: Set(targets.map(\.label))),
      inputRows: data.labels.count,
      columns: data.features.columns)
  }

  /// The kept rows, class by class.
  func keptRows(_ data: LabeledRows, targeted: Set<Int>) throws -> [Int] {
    let k = neighborCount
    guard k >= 1 else { throw BiasKitError.badParameter("n_neighbors", k, expected: "at least 1") }
    guard data.labels.count > k else {
      throw BiasKitError(
        .degenerateData,
        "EditedNearestNeighbours needs more rows than n_neighbors (\(k)); the data has \(data.labels.count)"
      )
    }
    let nn = NearestNeighbors(reference: data.features)
    var kept: [Int] = []
    for label in data.stats.classes {
      let rows = data.rows(of: label)
      guard targeted.contains(label) else {
        kept += rows
        continue
      }
      let neighbors = nn.neighbors(of: data.features.rows(at: rows), count: k + 1)
        .droppingFirstColumn()
      for (q, row) in rows.enumerated() {
        let labels = neighbors.neighbors(of: q).map { data.labels[$0] }
        let keep: Bool
        switch selection {
        case .all: keep = labels.allSatisfy { $0 == label }
        case .mode: keep = NumPyCompat.mode(labels) == label
        }
        if keep { kept.append(row) }
      }
    }
    return kept
  }
}
