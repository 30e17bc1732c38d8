/// Adaptive synthetic sampling: SMOTE where each row of the class gets a number of new rows
/// proportional to how many of its neighbours belong to other classes.
///
/// For a targeted class `c` needing `s` rows, with `N(i)` the k nearest neighbours of row `i`
/// among all rows (itself excluded):
///
///     r_i = #{j ∈ N(i) : y_j ≠ c} / k,   g_i = rint(s · r_i / Σ r)   (NumPy's sum and rint)
///
/// then `g_i` rows `x_i + u · (x_j − x_i)` with `j` uniform among the k nearest neighbours of
/// `i` within the class. The per-row counts `g_i` are deterministic and equal imbalanced-learn's
/// (so the class totals, `Σ g_i`, can differ from `s`); only the neighbour and step draws use
/// ``SeededGenerator``.
///
/// Corresponds to imbalanced-learn's `ADASYN(n_neighbors=k)`; it fails, as imbalanced-learn
/// does, when no row of the class has a neighbour of another class.
///
/// - Complexity: O(n · n_c · d) per targeted class c.
///
/// ## References
/// - He, Bai, Garcia, Li. ADASYN: Adaptive Synthetic Sampling Approach for Imbalanced Learning.
///   IJCNN 2008.
public struct ADASYN: Resampler, Sendable {
  public var strategy: SamplingStrategy
  /// imbalanced-learn: `n_neighbors`.
  public var neighborCount: Int
  public var kind: SamplingKind { .overSampling }

  public init(strategy: SamplingStrategy = .auto, neighborCount: Int = 5) {
    self.strategy = strategy
    self.neighborCount = neighborCount
  }

  /// The number of new rows for each row of class `label` (imbalanced-learn's
  /// `n_samples_generate`).
  public func rowCounts(_ data: LabeledRows, label: Int, total: Int) throws -> [Int] {
    let k = neighborCount
    let rows = data.rows(of: label)
    guard data.labels.count > k, rows.count > k else {
      throw BiasKitError.tooFewSamples(
        rows.count, label: label, neighbors: k, sampler: "ADASYN", option: "n_neighbors")
    }
    let list = NearestNeighbors(reference: data.features).neighbors(
      of: data.features.rows(at: rows), count: k + 1
    )
    .droppingFirstColumn()
    var ratio = rows.indices.map { q in
      Double(list.neighbors(of: q).filter { data.labels[$0] != label }.count) / Double(k)
    }
    let sum = NumPyCompat.sum(ratio)
    guard sum != 0 else {
      throw BiasKitError(
        .degenerateData,
        "ADASYN: no row of class \(label) has a neighbour of another class, so its density ratio is undefined; use SMOTE instead"
      )
    }
    for i in ratio.indices { ratio[i] /= sum }
    return ratio.map { Int(($0 * Double(total)).rounded(.toNearestOrEven)) }
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let k = neighborCount
    let d = data.features.columns
    var out = SyntheticRows(columns: d)
    for (label, count) in targets where count > 0 {
      let perRow = try rowCounts(data, label: label, total: count)
      guard perRow.reduce(0, +) > 0 else {
        throw BiasKitError(
          .degenerateData,
          "ADASYN: no rows would be generated for class \(label) with this sampling strategy")
      }
      let base = data.features.rows(at: data.rows(of: label))
      let neighbors = NearestNeighbors(reference: base).neighbors(ofReferenceRowsExcludingFirst: k)
      for (i, g) in perRow.enumerated() {
        for _ in 0..<g {
          let j = neighbors.indices[i * k + generator.nextInt(below: k)]
          let u = generator.nextUniform()
          for c in 0..<d {
            let a = base[i, c]
            out.values.append(a + u * (base[j, c] - a))
          }
          out.labels.append(label)
        }
      }
    }
    return out.result(inputRows: data.labels.count)
  }
}
