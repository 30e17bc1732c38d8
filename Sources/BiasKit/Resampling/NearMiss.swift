/// Keeps the rows of the targeted classes that are closest to (or farthest from) the minority
/// class, by the sum of distances to minority neighbours.
///
/// With `M` the minority rows (`min(Counter(y))`), for each row `x` of a targeted class `c`:
/// - version 1: score = Σ of the distances to its k nearest rows of `M`; keep the smallest scores;
/// - version 2: score = Σ of the distances to the k farthest of all of `M` (the last k columns of
///   `kneighbors(x, |M|)`); keep the smallest;
/// - version 3: first keep the rows of `c` among the `kVer3` nearest of some minority row, then
///   score them as version 1 and keep the largest.
/// Scores are sorted stably (ties keep input order), sums are NumPy's. Output: class by class,
/// the selected rows in score order.
///
/// Corresponds to imbalanced-learn's `NearMiss(version=…, n_neighbors=k, n_neighbors_ver3=…)`
/// (`sample_indices_`).
///
/// - Complexity: O(n · |M| · d), plus O(n · |M| log |M|) for version 2.
///
/// ## References
/// - Mani, Zhang. kNN Approach to Unbalanced Data Distributions. ICML Workshop on Learning from
///   Imbalanced Datasets, 2003.
public struct NearMiss: Resampler, Sendable {
  public enum Version: Int, Sendable, Equatable {
    case one = 1
    case two = 2
    case three = 3
  }

  public var strategy: SamplingStrategy
  public var version: Version
  /// imbalanced-learn: `n_neighbors`.
  public var neighborCount: Int
  /// imbalanced-learn: `n_neighbors_ver3`.
  public var neighborCountVersion3: Int
  public var kind: SamplingKind { .underSampling }

  public init(
    strategy: SamplingStrategy = .auto, version: Version = .one, neighborCount: Int = 3,
    neighborCountVersion3: Int = 3
  ) {
    self.strategy = strategy
    self.version = version
    self.neighborCount = neighborCount
    self.neighborCountVersion3 = neighborCountVersion3
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let k = neighborCount
    let minority = NumPyCompat.counterMinority(data.labels)
    let minorityRows = data.rows(of: minority)
    guard minorityRows.count >= k else {
      throw BiasKitError(
        .degenerateData,
        "NearMiss needs at least n_neighbors = \(k) minority rows; class \(minority) has \(minorityRows.count)"
      )
    }
    let minorityMatrix = data.features.rows(at: minorityRows)
    let nn = NearestNeighbors(reference: minorityMatrix)
    let wanted = Dictionary(uniqueKeysWithValues: targets.map { ($0.label, $0.count) })
    var kept: [Int] = []
    for label in data.stats.classes {
      let rows = data.rows(of: label)
      guard let count = wanted[label] else {
        kept += rows
        continue
      }
      let classMatrix = data.features.rows(at: rows)
      switch version {
      case .one, .two:
        let m = version == .one ? k : minorityRows.count
        let list = nn.neighbors(of: classMatrix, count: m)
        let scores = Self.scores(list, lastColumns: k)
        kept += Self.select(scores, count: count, farthest: false).map { rows[$0] }
      case .three:
        let k3 = neighborCountVersion3
        guard rows.count >= k3 else {
          throw BiasKitError(
            .degenerateData,
            "NearMiss-3 needs at least n_neighbors_ver3 = \(k3) rows in class \(label); it has \(rows.count)"
          )
        }
        let near = NearestNeighbors(reference: classMatrix).neighbors(of: minorityMatrix, count: k3)
        let candidates = Array(Set(near.indices)).sorted()
        let list = nn.neighbors(of: classMatrix.rows(at: candidates), count: k)
        let scores = Self.scores(list, lastColumns: k)
        kept += Self.select(scores, count: count, farthest: true).map { rows[candidates[$0]] }
      }
    }
    return Resampled(selecting: kept, inputRows: data.labels.count, columns: data.features.columns)
  }

  /// `np.sum(dist[:, -k:], axis=1)` with Euclidean distances.
  static func scores(_ list: NeighborList, lastColumns k: Int) -> [Double] {
    (0..<list.queryCount).map { q in
      let distances = ((list.count - k)..<list.count).map { list.distance(query: q, rank: $0) }
      return NumPyCompat.sum(distances)
    }
  }

  /// Python's stable `sorted(range(n), key=score, reverse=farthest)[:count]`.
  static func select(_ scores: [Double], count: Int, farthest: Bool) -> [Int] {
    let order = scores.indices.sorted { a, b in
      if scores[a] != scores[b] { return farthest ? scores[a] > scores[b] : scores[a] < scores[b] }
      return a < b
    }
    return Array(order.prefix(count))
  }
}
