/// SMOTE seeded only from the "danger" rows: rows of the class whose m nearest neighbours (all
/// classes) are at least half, but not all, of another class.
///
///     danger(i)  ⇔  m/2 ≤ #{j ∈ N_m(i) : y_j ≠ c} < m
///
/// New rows are `x_i + u · (x_j − x_i)` for a danger row `i`, with `j` among its k nearest
/// neighbours: within the class (``Kind/borderline1``), or among all rows (``Kind/borderline2``,
/// where a step towards a row of another class is shortened by a factor drawn in [0, 0.5)).
/// A class without danger rows gets no new rows.
///
/// Corresponds to imbalanced-learn's `BorderlineSMOTE(kind=…, k_neighbors=k, m_neighbors=m)`;
/// the draws come from ``SeededGenerator``.
///
/// - Complexity: O(n · n_c · d) per targeted class c.
///
/// ## References
/// - Han, Wang, Mao. Borderline-SMOTE: A New Over-Sampling Method in Imbalanced Data Sets
///   Learning. ICIC 2005.
public struct BorderlineSMOTE: Resampler, Sendable {
  public enum Kind: String, Sendable, Equatable {
    case borderline1 = "borderline-1"
    case borderline2 = "borderline-2"
  }

  public var strategy: SamplingStrategy
  public var variant: Kind
  /// imbalanced-learn: `k_neighbors`.
  public var neighborCount: Int
  /// imbalanced-learn: `m_neighbors`.
  public var dangerNeighborCount: Int
  public var kind: SamplingKind { .overSampling }

  public init(
    strategy: SamplingStrategy = .auto, kind: Kind = .borderline1, neighborCount: Int = 5,
    dangerNeighborCount: Int = 10
  ) {
    self.strategy = strategy
    self.variant = kind
    self.neighborCount = neighborCount
    self.dangerNeighborCount = dangerNeighborCount
  }

  /// The danger rows of class `label` (input indices, increasing).
  public func dangerRows(_ data: LabeledRows, label: Int) throws -> [Int] {
    let m = dangerNeighborCount
    guard data.labels.count > m else {
      // The m neighbours are searched among all rows, not within the class.
      throw BiasKitError.tooFewRows(
        data.labels.count, neighbors: m, sampler: "BorderlineSMOTE", option: "m_neighbors")
    }
    let rows = data.rows(of: label)
    let list = NearestNeighbors(reference: data.features).neighbors(
      of: data.features.rows(at: rows), count: m + 1
    )
    .droppingFirstColumn()
    return rows.indices.filter { q in
      let other = list.neighbors(of: q).filter { data.labels[$0] != label }.count
      return Double(other) >= Double(m) / 2 && other < m
    }.map { rows[$0] }
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let k = neighborCount
    let d = data.features.columns
    var out = SyntheticRows(columns: d)
    for (label, count) in targets where count > 0 {
      let danger = try dangerRows(data, label: label)
      if danger.isEmpty { continue }
      let dangerMatrix = data.features.rows(at: danger)
      let pool =
        variant == .borderline1 ? data.features.rows(at: data.rows(of: label)) : data.features
      guard pool.rows > k else {
        // borderline-1 interpolates within the class, borderline-2 towards any row.
        throw variant == .borderline1
          ? BiasKitError.tooFewSamples(
            pool.rows, label: label, neighbors: k, sampler: "BorderlineSMOTE")
          : BiasKitError.tooFewRows(
            pool.rows, neighbors: k, sampler: "BorderlineSMOTE (borderline-2)")
      }
      let neighbors = NearestNeighbors(reference: pool).neighbors(of: dangerMatrix, count: k + 1)
        .droppingFirstColumn()
      for _ in 0..<count {
        let pick = generator.nextInt(below: danger.count * k)
        var u = generator.nextUniform()
        let i = pick / k
        let j = neighbors.indices[pick]
        if variant == .borderline2 && data.labels[j] != label { u *= 0.5 * generator.nextUniform() }
        for c in 0..<d {
          let a = dangerMatrix[i, c]
          out.values.append(a + u * (pool[j, c] - a))
        }
        out.labels.append(label)
      }
    }
    return out.result(inputRows: data.labels.count)
  }
}
