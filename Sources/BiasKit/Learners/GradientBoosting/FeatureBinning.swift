import Foundation

/// The quantile bins of every feature: each value is replaced by the index of its bin, so that
/// the trees search at most `maxBins` thresholds per feature instead of every distinct value.
///
/// For a feature with values x (missing values, NaN, ignored; with sample weights, the rows of
/// weight 0 too), let u₁ < … < u_d be its distinct values:
///
///     d ≤ maxBins:   t_k = (u_k + u_{k+1}) / 2                         k = 1 … d − 1
///     d > maxBins:   t_k = Q(k / maxBins)                              k = 1 … maxBins − 1
///
/// where Q is NumPy's `averaged_inverted_cdf` quantile of the sorted values (the weighted one of
/// scikit-learn's `_weighted_percentile(average=True)` when there are weights), duplicates are
/// removed and thresholds are clipped to 1e300. A value x goes to bin i when
/// `t_i < x ≤ t_{i+1}` (binary search); missing values go to their own bin, index `maxBins`.
///
/// Corresponds to scikit-learn 1.9's `_find_binning_thresholds` and `_BinMapper` (`n_bins =
/// max_bins + 1`, `subsample = 200_000`): on more rows than ``subsample`` the thresholds are
/// computed on that many rows drawn with replacement (with probability ∝ weight), from a
/// ``SeededGenerator`` instead of NumPy's generator, so the drawn rows differ from sklearn's.
///
/// - Complexity: O(p · n log n) to fit on n rows and p features; O(n · p · log maxBins) to bin.
public struct FeatureBinning: Sendable, Equatable {
  /// Bin thresholds of each feature (`bin_thresholds_`): at most `maxBins − 1` increasing values.
  public let thresholds: [[Double]]
  /// Bins for non-missing values (`max_bins`); missing values have bin index `maxBins`.
  public let maxBins: Int

  /// Bins actually used for non-missing values of each feature (`n_bins_non_missing_`).
  public var nonMissingBinCounts: [Int] { thresholds.map { $0.count + 1 } }
  /// The bin index of missing values (`missing_values_bin_idx_`).
  public var missingBin: Int { maxBins }

  /// Bins from given thresholds (tests, a saved model).
  public init(thresholds: [[Double]], maxBins: Int) {
    self.thresholds = thresholds
    self.maxBins = maxBins
  }

  /// Fits the thresholds of every column of `features`.
  ///
  /// - Parameters:
  ///   - weights: non-negative sample weights (weighted quantiles), or nil.
  ///   - subsample: rows used for the quantiles on larger inputs (sklearn: 200,000); nil for all.
  ///   - seed: seeds the subsample.
  /// - Throws: ``BiasKitError`` when `maxBins` is outside 2…255 or a value is infinite.
  public init(
    fitting features: Matrix, maxBins: Int = 255, weights: [Double]? = nil,
    subsample: Int? = 200_000, seed: UInt64 = 0
  ) throws {
    try BiasKitError.validateMaxBins(maxBins)
    try validateGradientBoostingFeatures(features)
    var rows = features.rows
    var columns: (Int) -> [Double] = { features.column($0) }
    var weights = weights
    if let subsample, rows > subsample {
      var generator = SeededGenerator(seed: seed)
      let picked = drawRows(count: subsample, from: rows, weights: weights, using: &generator)
      columns = { j in picked.map { features[$0, j] } }
      rows = subsample
      weights = nil
    }
    _ = rows
    var thresholds: [[Double]] = []
    thresholds.reserveCapacity(features.columns)
    for j in 0..<features.columns {
      thresholds.append(binningThresholds(columns(j), maxBins: maxBins, weights: weights))
    }
    self.thresholds = thresholds
    self.maxBins = maxBins
  }

  /// The bin index of `value` in feature `feature` (sklearn's `_map_to_bins`).
  @inline(__always)
  public func bin(of value: Double, feature: Int) -> Int {
    if value.isNaN { return maxBins }
    return thresholds[feature].withUnsafeBufferPointer { binIndex(value, $0) }
  }

  /// Bins every row of `features` (`transform`).
  /// - Precondition: `features.columns == thresholds.count`.
  public func binned(_ features: Matrix) -> BinnedFeatures {
    precondition(features.columns == thresholds.count, "FeatureBinning: feature count")
    let n = features.rows
    let p = features.columns
    let counts = nonMissingBinCounts
    var codes = [UInt8](repeating: 0, count: n * p)
    var missing = [Bool](repeating: false, count: p)
    codes.withUnsafeMutableBufferPointer { out in
      features.values.withUnsafeBufferPointer { x in
        for j in 0..<p {
          thresholds[j].withUnsafeBufferPointer { t in
            let missingCode = UInt8(counts[j])
            for i in 0..<n {
              let v = x[i * p + j]
              if v.isNaN {
                out[i * p + j] = missingCode
                missing[j] = true
              } else {
                out[i * p + j] = UInt8(binIndex(v, t))
              }
            }
          }
        }
      }
    }
    return BinnedFeatures(
      rows: n, columns: p, codes: codes, nonMissingBinCounts: counts, hasMissingValues: missing,
      maxBins: maxBins)
  }
}

/// Features replaced by their bin indices, row by row, ready for the trees.
///
/// Internally a missing value of feature j has code `nonMissingBinCounts[j]` (the bin after
/// the last used one) so that each feature's histogram has only the bins it uses; ``bin(_:_:)``
/// gives scikit-learn's index (missing = `maxBins`).
public struct BinnedFeatures: Sendable, Equatable {
  /// Number of rows.
  public let rows: Int
  /// Number of features.
  public let columns: Int
  /// Compact bin codes, row-major: `codes[i * columns + j]`.
  let codes: [UInt8]
  /// Bins used by non-missing values of each feature.
  public let nonMissingBinCounts: [Int]
  /// Whether each feature has a missing value in these rows (`has_missing_values`).
  public let hasMissingValues: [Bool]
  /// The binning's `maxBins`.
  public let maxBins: Int

  /// scikit-learn's bin index of row `i`, feature `j` (missing = `maxBins`).
  public func bin(_ i: Int, _ j: Int) -> Int {
    let code = Int(codes[i * columns + j])
    return code == nonMissingBinCounts[j] ? maxBins : code
  }

  /// The rows at `indices`, in that order.
  func rows(at indices: [Int]) -> BinnedFeatures {
    var out = [UInt8]()
    out.reserveCapacity(indices.count * columns)
    for i in indices { out.append(contentsOf: codes[(i * columns)..<((i + 1) * columns)]) }
    var missing = [Bool](repeating: false, count: columns)
    for i in 0..<indices.count {
      for j in 0..<columns where Int(out[i * columns + j]) == nonMissingBinCounts[j] {
        missing[j] = true
      }
    }
    return BinnedFeatures(
      rows: indices.count, columns: columns, codes: out, nonMissingBinCounts: nonMissingBinCounts,
      hasMissingValues: missing, maxBins: maxBins)
  }
}

/// The first index i with `value <= thresholds[i]`, or `thresholds.count` (sklearn's binary
/// search in `_map_col_to_bins`).
@inline(__always)
func binIndex(_ value: Double, _ thresholds: UnsafeBufferPointer<Double>) -> Int {
  var left = 0
  var right = thresholds.count
  while left < right {
    let middle = left + (right - left - 1) / 2
    if value <= thresholds[middle] {
      right = middle
    } else {
      left = middle + 1
    }
  }
  return left
}

/// Thresholds of one feature (scikit-learn's `_find_binning_thresholds`).
func binningThresholds(_ column: [Double], maxBins: Int, weights: [Double]?) -> [Double] {
  var values: [Double] = []
  var kept: [Double]? = weights == nil ? nil : []
  values.reserveCapacity(column.count)
  for i in 0..<column.count where !column[i].isNaN {
    if let weights {
      if weights[i] == 0 { continue }
      kept!.append(weights[i])
    }
    values.append(column[i])
  }
  var sortedWeights: [Double]? = nil
  if let kept {
    let order = values.indices.sorted { values[$0] < values[$1] }
    sortedWeights = order.map { kept[$0] }
    values = order.map { values[$0] }
  } else {
    values.sort()
  }
  var distinct: [Double] = []
  for v in values where distinct.last != v { distinct.append(v) }
  if distinct.count <= 1 { return [] }
  var thresholds: [Double] = []
  if distinct.count <= maxBins {
    thresholds.reserveCapacity(distinct.count - 1)
    for k in 0..<(distinct.count - 1) { thresholds.append((distinct[k] + distinct[k + 1]) / 2) }
  } else {
    let step = 100.0 / Double(maxBins)
    let ranks = (1..<maxBins).map { Double($0) * step }
    if let sortedWeights {
      thresholds = ranks.map { weightedPercentile(values, sortedWeights, rank: $0) }
    } else {
      thresholds = ranks.map { averagedInvertedCDF(values, quantile: $0 / 100) }
    }
  }
  thresholds.sort()
  var unique: [Double] = []
  unique.reserveCapacity(thresholds.count)
  for t in thresholds where unique.last != t { unique.append(min(t, 1e300)) }
  return unique
}

/// `np.percentile(sorted, 100 q, method="averaged_inverted_cdf")` of sorted values, with
/// NumPy's index arithmetic and its `_lerp`.
func averagedInvertedCDF(_ sorted: [Double], quantile q: Double) -> Double {
  let n = sorted.count
  let virtual = Double(n) * q - 1
  var previous = virtual.rounded(.down)
  let gamma = virtual - previous
  var next = previous + 1
  if virtual >= Double(n - 1) {
    previous = Double(n - 1)
    next = Double(n - 1)
  }
  if virtual < 0 {
    previous = 0
    next = 0
  }
  let a = sorted[Int(previous)]
  let b = sorted[Int(next)]
  let t = gamma == 0 ? 0.5 : 1.0
  // _lerp: b − (b − a)(1 − t) for t ≥ 0.5
  return b - (b - a) * (1 - t)
}

/// scikit-learn's `_weighted_percentile(values, weights, rank, average=True)` of sorted values
/// with positive weights.
func weightedPercentile(_ sorted: [Double], _ weights: [Double], rank: Double) -> Double {
  let n = sorted.count
  var cdf = [Double](repeating: 0, count: n)
  var running = 0.0
  for i in 0..<n {
    running += weights[i]
    cdf[i] = running
  }
  var target = rank / 100 * cdf[n - 1]
  if target == 0 { target = Double.leastNonzeroMagnitude }
  // searchsorted(side="left"): the first i with cdf[i] >= target
  var low = 0
  var high = n
  while low < high {
    let middle = (low + high) / 2
    if cdf[middle] < target { low = middle + 1 } else { high = middle }
  }
  let index = min(low, n - 1)
  let fractionAbove = cdf[index] - target
  if fractionAbove > Double.ulpOfOne { return sorted[index] }
  let next = min(index + 1, n - 1)
  return (sorted[index] + sorted[next]) / 2
}

/// `count` row indices drawn with replacement, uniformly or with probability ∝ weight.
func drawRows<G: RandomNumberGenerator>(
  count: Int, from rows: Int, weights: [Double]?, using generator: inout G
) -> [Int] {
  guard let weights else {
    return (0..<count).map { _ in Int.random(in: 0..<rows, using: &generator) }
  }
  var cumulative = [Double](repeating: 0, count: rows)
  var running = 0.0
  for i in 0..<rows {
    running += weights[i]
    cumulative[i] = running
  }
  return (0..<count).map { _ in
    let u = Double.random(in: 0..<1, using: &generator) * running
    var low = 0
    var high = rows - 1
    while low < high {
      let middle = (low + high) / 2
      if cumulative[middle] <= u { low = middle + 1 } else { high = middle }
    }
    return low
  }
}

/// Features of a gradient-boosting fit: NaN is a missing value; infinities are refused.
func validateGradientBoostingFeatures(_ features: Matrix) throws {
  let p = features.columns
  for (k, v) in features.values.enumerated() where v.isInfinite {
    throw BiasKitError.infiniteFeature(
      row: k / max(p, 1), column: k % max(p, 1), names: features.columnNames)
  }
}

extension BiasKitError {
  /// `maxBins` must leave at least two bins and fit a byte with the missing bin.
  static func validateMaxBins(_ maxBins: Int) throws {
    guard (2...255).contains(maxBins) else {
      throw BiasKitError(
        .invalidArgument, "max bins must be between 2 and 255 (got \(maxBins))")
    }
  }

  /// An infinite feature value (a missing value is NaN).
  static func infiniteFeature(row: Int, column: Int, names: [String]) -> BiasKitError {
    let name = column < names.count ? "'\(names[column])'" : "\(column + 1)"
    return BiasKitError(
      .invalidValue,
      "gradient boosting: feature \(name) is infinite at row \(row + 1); a missing value is NaN")
  }
}
