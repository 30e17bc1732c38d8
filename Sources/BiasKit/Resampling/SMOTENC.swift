/// SMOTE for data with continuous and categorical columns (SMOTE-NC).
///
/// Categorical columns hold category codes (any numbers). For a targeted class c:
/// 1. `m` = median over the continuous columns of the class's population standard deviation;
/// 2. rows are encoded as (continuous columns, one-hot categories scaled to `m/√2`), so two
///    rows that differ in one categorical column are `m` apart in it;
/// 3. the k nearest neighbours within the class are found on that encoding (exact, as
///    NearestNeighbors.md);
/// 4. a new row interpolates the continuous columns as SMOTE does (`x_i + u (x_j − x_i)`), and
///    takes in each categorical column the most frequent category among the k neighbours of
///    `x_i` (ties broken at random).
/// Output: every input row unchanged, then the new rows class by class.
///
/// Corresponds to imbalanced-learn's `SMOTENC(categorical_features=…, k_neighbors=k)`;
/// draws come from ``SeededGenerator``.
///
/// - Complexity: O(Σ_c |X_c|² · (d + categories)).
///
/// ## References
/// - Chawla, Bowyer, Hall, Kegelmeyer. SMOTE. JAIR 16, 2002 (section 6.1).
public struct SMOTENC: Resampler, Sendable {
  public var strategy: SamplingStrategy
  /// Indices of the categorical columns (imbalanced-learn: `categorical_features`).
  public var categoricalColumns: [Int]
  public var neighborCount: Int
  public var kind: SamplingKind { .overSampling }

  public init(categoricalColumns: [Int], strategy: SamplingStrategy = .auto, neighborCount: Int = 5)
  {
    self.strategy = strategy
    self.categoricalColumns = categoricalColumns
    self.neighborCount = neighborCount
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let d = data.features.columns
    let categorical = Array(Set(categoricalColumns)).sorted()
    if let bad = categorical.first(where: { $0 < 0 || $0 >= d }) {
      throw BiasKitError.badParameter("categorical column", bad, expected: "in 0..<\(d)")
    }
    return try run(data, targets: targets, categorical: categorical, generator: &generator)
  }

  private func run(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], categorical: [Int],
    generator: inout SeededGenerator
  ) throws -> Resampled {
    let d = data.features.columns
    let k = neighborCount
    let continuous = (0..<d).filter { !categorical.contains($0) }
    guard !continuous.isEmpty, !categorical.isEmpty else {
      throw BiasKitError(
        .invalidArgument,
        "SMOTENC needs both continuous and categorical columns (\(continuous.count) continuous, \(categorical.count) categorical); use SMOTE or SMOTEN"
      )
    }
    // Categories of each categorical column, sorted (OneHotEncoder's categories_).
    let levels = categorical.map { j in Array(Set(data.features.column(j))).sorted() }
    let levelIndex = levels.map {
      Dictionary(uniqueKeysWithValues: $0.enumerated().map { ($1, $0) })
    }
    var out = SyntheticRows(columns: d)
    for (label, count) in targets where count > 0 {
      let rows = data.rows(of: label)
      guard rows.count > k else {
        throw BiasKitError.tooFewSamples(rows.count, label: label, neighbors: k, sampler: "SMOTENC")
      }
      // Median of the continuous columns' population standard deviations.
      var deviations: [Double] = []
      for j in continuous {
        let values = rows.map { data.features[$0, j] }
        let mean = values.reduce(0, +) / Double(values.count)
        deviations.append(
          (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot())
      }
      deviations.sort()
      let h = deviations.count
      let median = h % 2 == 1 ? deviations[h / 2] : (deviations[h / 2 - 1] + deviations[h / 2]) / 2
      let scale = median / 2.0.squareRoot()
      // Encode.
      let width = continuous.count + levels.reduce(0) { $0 + $1.count }
      var encoded = [Double](repeating: 0, count: rows.count * width)
      for (r, i) in rows.enumerated() {
        for (c, j) in continuous.enumerated() { encoded[r * width + c] = data.features[i, j] }
        var offset = continuous.count
        for (f, j) in categorical.enumerated() {
          encoded[r * width + offset + levelIndex[f][data.features[i, j]]!] = scale
          offset += levels[f].count
        }
      }
      let neighbors = NearestNeighbors(
        reference: Matrix(rows: rows.count, columns: width, values: encoded)
      )
      .neighbors(ofReferenceRowsExcludingFirst: k)
      for _ in 0..<count {
        let pick = generator.nextInt(below: rows.count * k)
        let u = generator.nextUniform()
        let i = pick / k
        let j = neighbors.indices[pick]
        var row = [Double](repeating: 0, count: d)
        for c in continuous {
          let a = data.features[rows[i], c]
          row[c] = a + u * (data.features[rows[j], c] - a)
        }
        for (f, c) in categorical.enumerated() {
          var votes = [Int](repeating: 0, count: levels[f].count)
          for n in neighbors.neighbors(of: i) {
            votes[levelIndex[f][data.features[rows[n], c]]!] += 1
          }
          let top = votes.max()!
          let winners = votes.indices.filter { votes[$0] == top }
          row[c] = levels[f][winners[generator.nextInt(below: winners.count)]]
        }
        out.values += row
        out.labels.append(label)
      }
    }
    return out.result(inputRows: data.labels.count)
  }
}
