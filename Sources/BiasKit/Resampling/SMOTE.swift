/// Synthetic Minority Over-sampling: new rows on the segments between a row of a class and its
/// nearest neighbours of the same class.
///
/// For each targeted class `c` needing `s` new rows, with `X_c` its rows and `N(i)` the `k`
/// nearest neighbours of row `i` within `X_c` (itself excluded), each new row is
///
///     x_new = x_i + u · (x_j − x_i),   i uniform in X_c,  j uniform in N(i),  u ~ U[0, 1)
///
/// Corresponds to imbalanced-learn's `SMOTE(k_neighbors=k).fit_resample`: the same
/// `sampling_strategy` resolution, the same neighbour definition (`kneighbors` with `k + 1`
/// then the first column dropped) and the same output layout (all input rows unchanged, then
/// the new rows class by class in increasing class order). The random draws come from
/// ``SeededGenerator``, so the new rows differ from imbalanced-learn's for a given seed while
/// following the same distribution: draw `(i, j)` as one uniform index into the `|X_c| · k`
/// neighbour table, then `u`.
///
/// - Complexity: O(Σ_c |X_c|² · d) for the neighbour search plus O(s · d) for the new rows.
///
/// ## References
/// - Chawla, Bowyer, Hall, Kegelmeyer. SMOTE: Synthetic Minority Over-sampling Technique.
///   JAIR 16, 2002.
public struct SMOTE: Resampler, Sendable {
  /// Which classes to over-sample and to how many rows.
  public var strategy: SamplingStrategy
  /// Neighbours used to interpolate each synthetic row (imbalanced-learn: `k_neighbors`).
  public var neighborCount: Int

  public var kind: SamplingKind { .overSampling }

  public init(strategy: SamplingStrategy = .auto, neighborCount: Int = 5) {
    self.strategy = strategy
    self.neighborCount = neighborCount
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    guard neighborCount >= 1 else {
      throw BiasKitError.badParameter("k_neighbors", neighborCount, expected: "at least 1")
    }
    let d = data.features.columns
    var out = SyntheticRows(columns: d)
    out.reserve(targets.reduce(0) { $0 + $1.count })
    for (label, count) in targets where count > 0 {
      let rows = data.rows(of: label)
      guard rows.count > neighborCount else {
        throw BiasKitError.tooFewSamples(
          rows.count, label: label, neighbors: neighborCount, sampler: "SMOTE")
      }
      let classRows = data.features.rows(at: rows)
      let neighbors = NearestNeighbors(reference: classRows).neighbors(
        ofReferenceRowsExcludingFirst: neighborCount)
      Self.interpolate(
        classRows, neighbors: neighbors, count: count, label: label, into: &out,
        generator: &generator)
    }
    return out.result(inputRows: data.features.rows)
  }

  /// Appends `count` rows `x_i + u (x_j − x_i)` (j among the neighbours of i; u ~ U[0, step)).
  static func interpolate(
    _ base: Matrix, neighbors: NeighborList, count: Int, label: Int, step: Double = 1,
    into out: inout SyntheticRows, generator: inout SeededGenerator
  ) {
    let d = base.columns
    let k = neighbors.count
    let table = base.rows * k
    // Draws first, in order (the result does not depend on the number of cores), then the rows
    // in parallel blocks.
    var picks = [Int](repeating: 0, count: count)
    var steps = [Double](repeating: 0, count: count)
    for s in 0..<count {
      picks[s] = generator.nextInt(below: table)
      steps[s] = step * generator.nextUniform()
    }
    let start = out.values.count
    out.values += repeatElement(0.0, count: count * d)
    out.labels += repeatElement(label, count: count)
    let blockSize = 8192
    let (picked, stepped) = (picks, steps)
    base.values.withUnsafeBufferPointer { x in
      neighbors.indices.withUnsafeBufferPointer { nn in
        out.values.withUnsafeMutableBufferPointer { dst in
          // Block b writes synthetic rows b·blockSize… only (WorkerShared's rules).
          let shared = WorkerShared((x, nn, dst))
          concurrentBlocks((count + blockSize - 1) / blockSize) { b in
            let (x, nn, dst) = shared.value
            for s in (b * blockSize)..<min(count, (b + 1) * blockSize) {
              let i = picked[s] / k
              let j = nn[picked[s]]
              let u = stepped[s]
              let row = dst.baseAddress! + start + s * d
              for c in 0..<d {
                let a = x[i * d + c]
                row[c] = a + u * (x[j * d + c] - a)
              }
            }
          }
        }
      }
    }
  }
}
