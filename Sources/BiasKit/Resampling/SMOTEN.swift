/// SMOTE for purely categorical data (SMOTE-N): new rows take, in each column, the most
/// frequent category among a row's neighbours under the Value Difference Metric.
///
/// With `P_f(v)` the vector of class frequencies among the rows whose column f is v (over all
/// rows), the Value Difference Metric is
///
///     δ(x, y) = Σ_f ( Σ_c |P_f(x_f)_c − P_f(y_f)_c| )²
///
/// For a targeted class: the matrix `D = [δ(x_i, x_j)]` of its rows is computed, and (as
/// imbalanced-learn does) the k + 1 nearest rows of each row of D, taken as points in
/// Euclidean space, are its neighbourhood (itself included). Each new row picks a class row at
/// random and takes, per column, the most frequent category in that row's neighbourhood (ties:
/// the smallest category). Output: input rows, then new rows class by class.
///
/// Corresponds to imbalanced-learn's `SMOTEN(k_neighbors=k)` with its default `OrdinalEncoder`
/// and `ValueDifferenceMetric(k=1, r=2)`; draws come from ``SeededGenerator``.
///
/// - Complexity: O(n_c³) per targeted class (the neighbour search runs on the n_c × n_c
///   metric matrix).
///
/// ## References
/// - Chawla, Bowyer, Hall, Kegelmeyer. SMOTE. JAIR 16, 2002 (section 6.2).
/// - Stanfill, Waltz. Toward Memory-Based Reasoning. CACM 29, 1986.
public struct SMOTEN: Resampler, Sendable {
  public var strategy: SamplingStrategy
  public var neighborCount: Int
  public var kind: SamplingKind { .overSampling }

  public init(strategy: SamplingStrategy = .auto, neighborCount: Int = 5) {
    self.strategy = strategy
    self.neighborCount = neighborCount
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let d = data.features.columns
    let k = neighborCount
    let classes = data.stats.classes
    // Class frequencies per (column, category).
    var levels: [[Double]] = []
    var profiles: [[Double: [Double]]] = []
    for f in 0..<d {
      let column = data.features.column(f)
      let values = Array(Set(column)).sorted()
      levels.append(values)
      var counts: [Double: [Double]] = [:]
      for v in values { counts[v] = [Double](repeating: 0, count: classes.count) }
      for (i, v) in column.enumerated() { counts[v]![classes.firstIndex(of: data.labels[i])!] += 1 }
      for v in values {
        let total = counts[v]!.reduce(0, +)
        counts[v] = counts[v]!.map { $0 / total }
      }
      profiles.append(counts)
    }
    var out = SyntheticRows(columns: d)
    for (label, count) in targets where count > 0 {
      let rows = data.rows(of: label)
      guard rows.count > k else {
        throw BiasKitError.tooFewSamples(rows.count, label: label, neighbors: k, sampler: "SMOTEN")
      }
      let m = rows.count
      var metric = [Double](repeating: 0, count: m * m)
      for f in 0..<d {
        for a in 0..<m {
          let pa = profiles[f][data.features[rows[a], f]]!
          for b in 0..<m {
            let pb = profiles[f][data.features[rows[b], f]]!
            var l1 = 0.0
            for c in 0..<pa.count { l1 += abs(pa[c] - pb[c]) }
            metric[a * m + b] += l1 * l1
          }
        }
      }
      let points = Matrix(rows: m, columns: m, values: metric)
      let neighbors = NearestNeighbors(reference: points).neighbors(of: points, count: k + 1)
      for _ in 0..<count {
        let i = generator.nextInt(below: m)
        var row = [Double](repeating: 0, count: d)
        for f in 0..<d {
          row[f] = NumPyCompat.modeOfDoubles(
            neighbors.neighbors(of: i).map { data.features[rows[$0], f] })
        }
        out.values += row
        out.labels.append(label)
      }
    }
    return out.result(inputRows: data.labels.count)
  }
}

extension NumPyCompat {
  /// `scipy.stats.mode` of doubles: the most frequent value, ties to the smallest.
  static func modeOfDoubles(_ values: [Double]) -> Double {
    var counts: [Double: Int] = [:]
    for v in values { counts[v, default: 0] += 1 }
    return counts.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }!.key
  }
}
