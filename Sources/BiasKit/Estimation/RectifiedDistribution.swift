/// Where a quantile estimator looks for its answer (ppi_py's `exact_grid`).
public enum QuantileGrid: Sendable, Equatable {
  /// `points` evenly spaced values from the smallest to the largest of all labels and
  /// predictions (`np.linspace(min, max, points)`; ppi_py uses 5000).
  case linear(points: Int)
  /// Every label and prediction, sorted (`exact_grid=True`).
  case exact

  /// ppi_py's default: `linspace(min, max, 5000)`.
  public static let ppiDefault = QuantileGrid.linear(points: 5000)

  /// The grid over `sets` of values, ascending.
  func values(_ sets: [[Double]]) throws -> [Double] {
    switch self {
    case .exact:
      return sets.flatMap { $0 }.sorted()
    case .linear(let points):
      guard points >= 2 else { throw BiasKitError.quantileGridTooSmall(points) }
      var low = Double.infinity
      var high = -Double.infinity
      for set in sets {
        for v in set {
          low = min(low, v)
          high = max(high, v)
        }
      }
      // np.linspace: i·step + start, the last point set to stop; a zero step gives start.
      let step = (high - low) / Double(points - 1)
      var grid = [Double](repeating: low, count: points)
      if step != 0 {
        for i in 0..<points {
          let offset = Double(i) * step
          grid[i] = offset + low
        }
      }
      grid[points - 1] = high
      return grid
    }
  }
}

/// Sums of weights and squared weights of the values at or below each point of a sorted grid:
/// the weighted empirical distribution function, evaluated by one merge of two sorted lists.
///
/// - Complexity: O(m log m) to build for m values, O(m + g) to evaluate on g points.
struct CumulativeWeights {
  let sorted: [Double]
  /// Prefix sums of the weights and squared weights in sorted order (empty when unweighted).
  let prefix: [Double]
  let prefixSquares: [Double]

  init(_ values: [Double], weights: [Double]?) {
    guard let weights else {
      sorted = values.sorted()
      prefix = []
      prefixSquares = []
      return
    }
    let order = values.indices.sorted { values[$0] < values[$1] }
    sorted = order.map { values[$0] }
    var running = CompensatedSum()
    var runningSquares = CompensatedSum()
    var p = [Double](repeating: 0, count: order.count + 1)
    var p2 = [Double](repeating: 0, count: order.count + 1)
    for (k, i) in order.enumerated() {
      running.add(weights[i])
      runningSquares.add(weights[i] * weights[i])
      p[k + 1] = running.value
      p2[k + 1] = runningSquares.value
    }
    prefix = p
    prefixSquares = p2
  }

  /// (Σ_{v ≤ t} w, Σ_{v ≤ t} w²) for each t of the ascending `grid`.
  func sums(on grid: [Double]) -> (first: [Double], second: [Double]) {
    var first = [Double](repeating: 0, count: grid.count)
    var second = [Double](repeating: 0, count: grid.count)
    var k = 0
    for (g, t) in grid.enumerated() {
      while k < sorted.count && sorted[k] <= t { k += 1 }
      if prefix.isEmpty {
        first[g] = Double(k)
        second[g] = Double(k)
      } else {
        first[g] = prefix[k]
        second[g] = prefixSquares[k]
      }
    }
    return (first, second)
  }
}

/// The rectified distribution function of prediction-powered quantile estimation on a grid:
///
///     F_λ(t) = λ·F̂ᵘ(t) + (1/n) Σ wᵢ (1[yᵢ ≤ t] − λ·1[ŷᵢ ≤ t]),
///     F̂ᵘ(t) = (1/N) Σ wᵢ 1[ŷᵢᵘ ≤ t],
///
/// with the standard deviations (ddof 0) of the two terms' summands, ppi_py's
/// `compute_cdf` / `compute_cdf_diff` (λ = 1 there). The point estimate is the first grid point
/// minimising |F_λ(t) − q|; the interval is the first and last grid points whose two-sided
/// p-value for H₀: F(t) = q exceeds α (`ppi_quantile_ci`, `rectified_p_value`).
///
/// - Complexity: O((n + N) log(n + N) + g) for a grid of g points.
struct RectifiedDistribution {
  let grid: [Double]
  let labelledCount: Int
  let unlabelledCount: Int
  /// F̂ᵘ on the grid and the standard deviation of its summands.
  let imputed: [Double]
  let imputedDeviation: [Double]
  /// Σ w·1[y ≤ t], Σ w·1[ŷ ≤ t], Σ w²·1[y ≤ t], Σ w²·1[ŷ ≤ t], Σ w²·1[max(y, ŷ) ≤ t].
  let labelSums: [Double]
  let predictionSums: [Double]
  let labelSquares: [Double]
  let predictionSquares: [Double]
  let bothSquares: [Double]

  /// The distribution over the labelled pairs and an imputed part given on the grid.
  init(
    grid: [Double], labels: [Double], predictions: [Double], weights: [Double]?,
    unlabelledCount: Int, imputed: [Double], imputedDeviation: [Double]
  ) {
    self.grid = grid
    labelledCount = labels.count
    self.unlabelledCount = unlabelledCount
    self.imputed = imputed
    self.imputedDeviation = imputedDeviation
    let y = CumulativeWeights(labels, weights: weights).sums(on: grid)
    let yHat = CumulativeWeights(predictions, weights: weights).sums(on: grid)
    let both = CumulativeWeights(zip(labels, predictions).map { max($0, $1) }, weights: weights)
      .sums(on: grid)
    labelSums = y.first
    predictionSums = yHat.first
    labelSquares = y.second
    predictionSquares = yHat.second
    bothSquares = both.second
  }

  /// The usual case: F̂ᵘ from the unlabelled predictions.
  init(
    grid: [Double], labels: [Double], predictions: [Double], weights: [Double]?,
    unlabelledPredictions: [Double], unlabelledWeights: [Double]?
  ) {
    let bigN = Double(unlabelledPredictions.count)
    let u = CumulativeWeights(unlabelledPredictions, weights: unlabelledWeights).sums(on: grid)
    var mean = [Double](repeating: 0, count: grid.count)
    var deviation = [Double](repeating: 0, count: grid.count)
    for g in grid.indices {
      mean[g] = u.first[g] / bigN
      deviation[g] = max(u.second[g] / bigN - mean[g] * mean[g], 0).squareRoot()
    }
    self.init(
      grid: grid, labels: labels, predictions: predictions, weights: weights,
      unlabelledCount: unlabelledPredictions.count, imputed: mean, imputedDeviation: deviation)
  }

  /// F_λ on the grid and the standard error of F_λ at each point.
  func evaluate(lambda: Double) -> (values: [Double], standardErrors: [Double]) {
    let n = Double(labelledCount)
    let bigN = Double(unlabelledCount)
    var values = [Double](repeating: 0, count: grid.count)
    var errors = [Double](repeating: 0, count: grid.count)
    for g in grid.indices {
      let rectifier: Double
      let second: Double
      if lambda == 1 {
        rectifier = (labelSums[g] - predictionSums[g]) / n
        second = (labelSquares[g] + predictionSquares[g] - 2 * bothSquares[g]) / n
      } else {
        rectifier = (labelSums[g] - lambda * predictionSums[g]) / n
        second =
          (labelSquares[g] + lambda * lambda * predictionSquares[g] - 2 * lambda * bothSquares[g])
          / n
      }
      let rectifierDeviation = max(second - rectifier * rectifier, 0).squareRoot()
      let imputedError = lambda * imputedDeviation[g] / bigN.squareRoot()
      let rectifierError = rectifierDeviation / n.squareRoot()
      values[g] = lambda * imputed[g] + rectifier
      errors[g] = max(
        (imputedError * imputedError + rectifierError * rectifierError).squareRoot(), 1e-16)
    }
    return (values, errors)
  }

  /// The point estimate of the q-quantile at `lambda`: the first grid point minimising
  /// |F_λ(t) − q|.
  func point(_ q: Double, lambda: Double) -> Double {
    let values = evaluate(lambda: lambda).values
    var best = 0
    var bestDistance = Double.infinity
    for g in grid.indices where abs(values[g] - q) < bestDistance {
      bestDistance = abs(values[g] - q)
      best = g
    }
    return grid[best]
  }

  /// The point estimate and the interval of the q-quantile at `lambda`.
  func quantile(
    _ q: Double, lambda: Double, alpha: Double
  ) throws -> (
    value: Double, interval: ConfidenceInterval
  ) {
    let (values, errors) = evaluate(lambda: lambda)
    var best = 0
    var bestDistance = Double.infinity
    var first: Int? = nil
    var last: Int? = nil
    for g in grid.indices {
      let distance = abs(values[g] - q)
      if distance < bestDistance {
        bestDistance = distance
        best = g
      }
      if ZInterval.twoSidedPValue(values[g], standardError: errors[g], null: q) > alpha {
        if first == nil { first = g }
        last = g
      }
    }
    guard let first, let last else { throw BiasKitError.emptyQuantileInterval(q) }
    return (grid[best], ConfidenceInterval(lower: grid[first], upper: grid[last]))
  }
}

extension BiasKitError {
  static func quantileGridTooSmall(_ points: Int) -> BiasKitError {
    BiasKitError(.invalidArgument, "a quantile grid needs at least 2 points; got \(points)")
  }

  static func emptyQuantileInterval(_ q: Double) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "no grid point is inside the interval of the \(q)-quantile (the grid is too coarse for this sample): use the exact grid"
    )
  }
}
