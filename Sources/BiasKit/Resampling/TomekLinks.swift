/// Removes the rows of Tomek links: pairs of rows of different classes that are each other's
/// nearest neighbour.
///
///     (i, j) is a link  ⇔  NN(i) = j,  NN(j) = i,  y_i ≠ y_j
///
/// Row `i` is removed when it belongs to a link and its class is targeted by ``strategy``
/// (cleaning: by default every class but the minority). The kept rows stay in input order.
///
/// Corresponds to imbalanced-learn's `TomekLinks().fit_resample` (`sample_indices_`); the
/// nearest neighbour is `kneighbors(X, 2)[:, 1]`.
///
/// - Complexity: O(n² · d) for the neighbour search.
///
/// ## References
/// - Tomek. Two Modifications of CNN. IEEE Trans. Systems, Man and Cybernetics 6, 1976.
public struct TomekLinks: Resampler, Sendable {
  public var strategy: SamplingStrategy
  public var kind: SamplingKind { .cleaning }

  public init(strategy: SamplingStrategy = .auto) { self.strategy = strategy }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let n = data.labels.count
    guard n >= 2 else {
      throw BiasKitError.tooFewSamples(
        n, label: data.labels[0], neighbors: 1, sampler: "TomekLinks")
    }
    let nearest = NearestNeighbors(reference: data.features).neighbors(
      ofReferenceRowsExcludingFirst: 1
    ).indices
    let targeted = Set(targets.map(\.label))
    let y = data.labels
    let kept = (0..<n).filter { i in
      let j = nearest[i]
      let isLink = targeted.contains(y[i]) && y[j] != y[i] && nearest[j] == i
      return !isLink
    }
    return Resampled(selecting: kept, inputRows: n, columns: data.features.columns)
  }
}
