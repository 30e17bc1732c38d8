import Foundation

/// Under-samples each targeted class to `n` rows by replacing it with the `n` centroids of a
/// k-means clustering of its rows (or, with ``Voting/hard``, the row nearest each centroid).
///
/// k-means is scikit-learn's default: greedy k-means++ seeding (`2 + ⌊ln n⌋` candidates per
/// centre), then Lloyd iterations until no row changes cluster or the centres move less than
/// `1e-4 ×` the mean column variance, at most 300 iterations; an empty cluster is moved to the
/// row farthest from its centre. Output class by class in increasing class order: untargeted
/// classes as their input rows, targeted ones as their centroids (synthetic rows) or selected
/// rows.
///
/// Corresponds to imbalanced-learn's `ClusterCentroids(estimator=KMeans(), voting=…)`;
/// the seeding draws come from ``SeededGenerator``, so centroids differ from scikit-learn's
/// for a seed while the counts are the same.
///
/// - Complexity: O(iterations · n_c · n · d) per targeted class.
public struct ClusterCentroids: Resampler, Sendable {
  public enum Voting: String, Sendable, Equatable {
    /// The centroids themselves (imbalanced-learn's default for dense input).
    case soft
    /// The input row nearest to each centroid.
    case hard
  }

  public var strategy: SamplingStrategy
  public var voting: Voting
  public var kind: SamplingKind { .underSampling }

  public init(strategy: SamplingStrategy = .auto, voting: Voting = .soft) {
    self.strategy = strategy
    self.voting = voting
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let n = data.labels.count
    let d = data.features.columns
    let wanted = Dictionary(uniqueKeysWithValues: targets.map { ($0.label, $0.count) })
    var sources: [Int] = []
    var synthetic: [Double] = []
    var syntheticLabels: [Int] = []
    for label in data.stats.classes {
      let rows = data.rows(of: label)
      guard let count = wanted[label], count > 0 else {
        if wanted[label] == nil { sources += rows }
        continue
      }
      let points = data.features.rows(at: rows)
      let centers = KMeans.fit(points, clusters: count, generator: &generator)
      switch voting {
      case .soft:
        for c in 0..<count {
          sources.append(n + syntheticLabels.count)
          synthetic += centers.row(c)
          syntheticLabels.append(label)
        }
      case .hard:
        let nearest = NearestNeighbors(reference: points).neighbors(of: centers, count: 1)
        sources += nearest.indices.map { rows[$0] }
      }
    }
    return Resampled(
      sources: sources, inputRows: n,
      synthetic: Matrix(rows: syntheticLabels.count, columns: d, values: synthetic),
      syntheticLabels: syntheticLabels)
  }
}

/// k-means as scikit-learn's `KMeans(n_init=1, init="k-means++", algorithm="lloyd")`.
enum KMeans {
  static func fit(
    _ x: Matrix, clusters k: Int, generator: inout SeededGenerator, maxIterations: Int = 300
  ) -> Matrix {
    let m = x.rows
    let d = x.columns
    precondition(k >= 1 && k <= m)
    func squaredDistance(_ i: Int, _ c: ArraySlice<Double>) -> Double {
      var s = 0.0
      var j = 0
      for v in c {
        let t = x.values[i * d + j] - v
        s += t * t
        j += 1
      }
      return s
    }
    // Greedy k-means++.
    var centers = Matrix(rows: 0, columns: d, values: [])
    centers.appendRow(x.row(generator.nextInt(below: m)))
    var closest = (0..<m).map { squaredDistance($0, centers.row(0)) }
    let trials = 2 + Int(log(Double(k)))
    while centers.rows < k {
      let total = closest.reduce(0, +)
      var best = -1
      var bestPotential = Double.infinity
      var bestDistances: [Double] = []
      for _ in 0..<trials {
        var target = generator.nextUniform() * total
        var candidate = m - 1
        for i in 0..<m {
          target -= closest[i]
          if target < 0 {
            candidate = i
            break
          }
        }
        let distances = (0..<m).map { min(closest[$0], squaredDistance($0, x.row(candidate))) }
        let potential = distances.reduce(0, +)
        if potential < bestPotential {
          bestPotential = potential
          best = candidate
          bestDistances = distances
        }
      }
      centers.appendRow(x.row(best))
      closest = bestDistances
    }
    // Lloyd.
    var means = [Double](repeating: 0, count: d)
    for i in 0..<m { for j in 0..<d { means[j] += x.values[i * d + j] } }
    for j in 0..<d { means[j] /= Double(m) }
    var variance = 0.0
    for i in 0..<m { for j in 0..<d { variance += pow(x.values[i * d + j] - means[j], 2) } }
    let tolerance = 1e-4 * variance / Double(m * d)
    var assignment = [Int](repeating: -1, count: m)
    for _ in 0..<maxIterations {
      let list = NearestNeighbors(reference: centers, method: .exactScan).neighbors(of: x, count: 1)
      let changed = zip(list.indices, assignment).contains { $0 != $1 }
      assignment = list.indices
      var sums = [Double](repeating: 0, count: k * d)
      var counts = [Int](repeating: 0, count: k)
      for i in 0..<m {
        counts[assignment[i]] += 1
        for j in 0..<d { sums[assignment[i] * d + j] += x.values[i * d + j] }
      }
      var updated = centers
      for c in 0..<k where counts[c] > 0 {
        for j in 0..<d { updated[c, j] = sums[c * d + j] / Double(counts[c]) }
      }
      // Empty clusters move to the rows farthest from their centres.
      let empty = (0..<k).filter { counts[$0] == 0 }
      if !empty.isEmpty {
        let far = (0..<m).sorted { list.squaredDistances[$0] > list.squaredDistances[$1] }
        for (c, i) in zip(empty, far) { for j in 0..<d { updated[c, j] = x.values[i * d + j] } }
      }
      var shift = 0.0
      for v in 0..<(k * d) { shift += pow(updated.values[v] - centers.values[v], 2) }
      centers = updated
      if !changed || shift <= tolerance { break }
    }
    return centers
  }
}
