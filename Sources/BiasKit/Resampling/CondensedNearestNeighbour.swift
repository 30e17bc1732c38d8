/// Keeps a subset of each targeted class that a 1-NN classifier (with the minority class)
/// needs to classify the rest of that class correctly.
///
/// For each targeted class c: start from C = all minority rows + `seedCount` random rows of c;
/// scan the rows of c in input order; a row that the k-NN classifier on C misclassifies joins
/// C, and every row of c that C then classifies correctly is skipped from then on. The kept
/// rows of c are the seeds and the added rows, in that order; untargeted classes are kept
/// whole. Output class by class.
///
/// Corresponds to imbalanced-learn's `CondensedNearestNeighbour(n_neighbors=k, n_seeds_S=…)`,
/// including its bookkeeping of the skip set (which mixes the seeds' input indices with
/// positions in the class, as imbalanced-learn 0.14.2 does). The seeds come from
/// ``SeededGenerator``.
///
/// - Complexity: O(a · |S_c| · |C| · d) for a rows added.
///
/// ## References
/// - Hart. The Condensed Nearest Neighbor Rule. IEEE Trans. Information Theory 14, 1968.
public struct CondensedNearestNeighbour: Resampler, Sendable {
  public var strategy: SamplingStrategy
  /// Neighbours of the classifier (imbalanced-learn: `n_neighbors`, default 1).
  public var neighborCount: Int
  /// imbalanced-learn: `n_seeds_S`.
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
    var kept: [Int] = []
    for label in data.stats.classes {
      let rows = data.rows(of: label)
      guard targeted.contains(label) else {
        kept += rows
        continue
      }
      var sample = (0..<seedCount).map { _ in rows[generator.nextInt(below: rows.count)] }
      var condensed = minorityRows + sample
      let classMatrix = data.features.rows(at: rows)
      var skip = Set(sample)  // imbalanced-learn compares positions with these input indices
      var classifier = try KNNClassifier(data, rows: condensed, neighborCount: neighborCount)
      for position in 0..<rows.count where !skip.contains(position) {
        if classifier.predict(data.features.row(rows[position])) != label {
          sample.append(rows[position])
          condensed.append(rows[position])
          classifier = try KNNClassifier(data, rows: condensed, neighborCount: neighborCount)
          let predictions = classifier.predict(classMatrix)
          skip = Set(sample)
          for (p, y) in predictions.enumerated() where y == label { skip.insert(p) }
        }
      }
      kept += sample
    }
    return Resampled(selecting: kept, inputRows: data.labels.count, columns: data.features.columns)
  }
}

/// scikit-learn's `KNeighborsClassifier(n_neighbors=k)` with uniform weights: the most frequent
/// label among the k nearest training rows, ties to the smallest label.
struct KNNClassifier {
  let nn: NearestNeighbors
  let labels: [Int]
  let k: Int

  init(_ data: LabeledRows, rows: [Int], neighborCount k: Int) throws {
    guard rows.count >= k else {
      throw BiasKitError(
        .degenerateData, "a \(k)-NN classifier needs at least \(k) rows; it has \(rows.count)")
    }
    nn = NearestNeighbors(reference: data.features.rows(at: rows))
    labels = rows.map { data.labels[$0] }
    self.k = k
  }

  func predict(_ row: ArraySlice<Double>) -> Int {
    predict(Matrix(rows: 1, columns: row.count, values: Array(row)))[0]
  }

  func predict(_ queries: Matrix) -> [Int] {
    let list = nn.neighbors(of: queries, count: k)
    return (0..<queries.rows).map { q in NumPyCompat.mode(list.neighbors(of: q).map { labels[$0] })
    }
  }
}
