import Foundation

/// Bootstrap confidence intervals for every value of an audit.
///
/// fairlearn's scheme (`MetricFrame(n_boot=…, ci_quantiles=…, random_state=…)`): each sample
/// draws n rows with replacement from the whole table, recomputes the audit, and each value's
/// interval is read from the quantiles of its samples (numpy's linear interpolation; samples
/// where the value is undefined are skipped, as `nanquantile`).
///
/// A resample of n rows is a multinomial draw of how many times each row is taken. Rows that are
/// indistinguishable to the metrics can be pooled: without weights and scores, the audit only
/// sees how many rows fall in each (cell, label, prediction) atom, so one sample costs a
/// multinomial draw over 4 × cells atoms (``Binomial/multinomial(total:weights:using:)``)
/// instead of n draws, with exactly the same distribution. Otherwise each row is an atom and a
/// sample costs one counting pass. Sample `r` draws from `SeededGenerator(seed:).stream(r)`,
/// so intervals are reproducible for a seed on any number of cores. They are not numpy's
/// random streams: compare them with fairlearn statistically, not digit for digit.
///
/// - Complexity: O(samples × (atoms + cells × metrics)), atoms = 4 × cells or n.
public struct Bootstrap: Sendable {
  /// Number of resamples (fairlearn `n_boot`).
  public var samples: Int
  /// The quantiles to report (fairlearn `ci_quantiles`).
  public var quantiles: [Double]
  /// The seed (fairlearn `random_state`).
  public var seed: UInt64

  public init(samples: Int, quantiles: [Double] = [0.025, 0.5, 0.975], seed: UInt64 = 0) {
    self.samples = samples
    self.quantiles = quantiles
    self.seed = seed
  }

  /// The intervals: one ``AuditValues`` per quantile, in ``quantiles`` order.
  ///
  /// - Parameters:
  ///   - frame: the audit to resample.
  ///   - data: the rows it was computed from (needed unless every metric comes from unweighted
  ///     confusion counts).
  ///   - cells: the cell of each row (``MetricFrame/cells(sensitive:control:)``).
  ///   - progress: called with the number of finished samples, from any thread.
  public func intervals(
    for frame: MetricFrame, data: AuditData, cells: [Int32],
    progress: (@Sendable (Int) -> Void)? = nil
  ) throws -> [AuditValues] {
    guard samples >= 1 else {
      throw BiasKitError(.invalidArgument, "\(.bootstrap) needs at least 1 sample")
    }
    guard quantiles.allSatisfy({ (0...1).contains($0) }), !quantiles.isEmpty else {
      throw BiasKitError(
        .invalidArgument, "the confidence quantiles (\(.quantiles)) must lie in [0, 1]")
    }
    try data.validate(cells: cells, cellCount: frame.statistics.count)
    let needs = CountingPass.Needs(metrics: frame.metrics)
    let pooled =
      data.weights == nil && !needs.scoreCounts && !needs.calibration && !needs.regression
    let resampler: (inout SeededGenerator) -> [GroupStatistics] =
      pooled ? pooledResampler(frame) : try rowResampler(frame, data: data, cells: cells)
    let groupCount = frame.groupCount
    let template = frame.values
    let width = template.flattened.count
    var table = [Double](repeating: .nan, count: samples * width)
    let done = ManagedCounter()
    table.withUnsafeMutableBufferPointer { out in
      let batches = min(samples, 64)
      DispatchQueue.concurrentPerform(iterations: batches) { b in
        for r in stride(from: b, to: samples, by: batches) {
          var rng = SeededGenerator(seed: seed).stream(UInt64(r))
          let statistics = resampler(&rng)
          let values = AuditValues(
            metrics: frame.metrics, statistics: statistics, groupCount: groupCount,
            options: frame.options,
            aggregation: frame.aggregation)
          let flat = values.flattened
          for k in 0..<width { out[r * width + k] = flat[k] }
          if let progress { progress(done.increment()) }
        }
      }
    }
    return quantiles.map { q in
      var flat = [Double](repeating: .nan, count: width)
      var column: [Double] = []
      column.reserveCapacity(samples)
      for k in 0..<width {
        column.removeAll(keepingCapacity: true)
        for r in 0..<samples where !table[r * width + k].isNaN {
          column.append(table[r * width + k])
        }
        flat[k] = Bootstrap.quantile(&column, q)
      }
      return template.reshaped(flat)
    }
  }

  /// numpy's default (linear) quantile of the values; NaN for none. Sorts `values`.
  static func quantile(_ values: inout [Double], _ q: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    values.sort()
    let h = Double(values.count - 1) * q
    let low = Int(h.rounded(.down))
    let high = min(low + 1, values.count - 1)
    return values[low] + (h - Double(low)) * (values[high] - values[low])
  }

  /// Resamples the 4 × cells atoms of unweighted confusion counts.
  private func pooledResampler(_ frame: MetricFrame) -> (inout SeededGenerator) -> [GroupStatistics]
  {
    let cellCount = frame.statistics.count
    var weights: [Double] = []
    for s in frame.statistics {
      let c = s.confusion
      weights += [
        Double(c.countTrueNegatives), Double(c.countFalsePositives), Double(c.countFalseNegatives),
        Double(c.countTruePositives),
      ]
    }
    let n = frame.rowCount
    return { rng in
      let counts = Binomial.multinomial(total: n, weights: weights, using: &rng)
      return (0..<cellCount).map { c in
        var s = GroupStatistics()
        s.confusion = ConfusionCounts(
          tp: counts[4 * c + 3], fp: counts[4 * c + 1], tn: counts[4 * c], fn: counts[4 * c + 2])
        return s
      }
    }
  }

  /// Resamples rows: draws each row's multiplicity, then recounts.
  private func rowResampler(
    _ frame: MetricFrame, data: AuditData, cells: [Int32]
  ) throws
    -> (inout SeededGenerator) -> [GroupStatistics]
  {
    guard cells.count == data.rowCount else {
      throw BiasKitError(
        .invalidArgument, "the bootstrap needs the rows the audit was computed from")
    }
    let cellCount = frame.statistics.count
    let n = data.rowCount
    let options = frame.options
    let needs = CountingPass.Needs(metrics: frame.metrics)
    // Position of each row's score among its cell's distinct scores.
    var scoreSlot: [Int32] = []
    if needs.scoreCounts, case .classification(_, _, let scores?) = data.outcomes {
      scoreSlot = [Int32](repeating: 0, count: n)
      for i in 0..<n {
        let values = frame.statistics[Int(cells[i])].scores?.values ?? []
        scoreSlot[i] = Int32(Bootstrap.lowerBound(values, scores[i] == 0 ? 0 : scores[i]))
      }
    }
    let template = frame.statistics
    return { rng in
      var multiplicity = [Int32](repeating: 0, count: n)
      for _ in 0..<n { multiplicity[rng.nextInt(below: n)] += 1 }
      var stats = (0..<cellCount).map { c -> GroupStatistics in
        var s = GroupStatistics()
        if needs.calibration { s.calibration = CalibrationStatistics(bins: options.bins) }
        if needs.regression { s.regression = RegressionStatistics() }
        if needs.scoreCounts, let t = template[c].scores {
          s.scores = ScoreCounts(
            values: t.values, positives: [Double](repeating: 0, count: t.values.count),
            negatives: [Double](repeating: 0, count: t.values.count))
        }
        return s
      }
      for i in 0..<n where multiplicity[i] > 0 {
        let m = Int(multiplicity[i])
        let w = Double(m) * (data.weights?[i] ?? 1)
        let c = Int(cells[i])
        switch data.outcomes {
        case .classification(let labels, let predictions, let scores):
          stats[c].confusion.add(label: labels[i], prediction: predictions[i], weight: w, count: m)
          if let scores {
            if needs.calibration {
              stats[c].calibration!.add(label: labels[i], score: scores[i], weight: w)
            }
            if needs.scoreCounts {
              if labels[i] == 1 {
                stats[c].scores!.positives[Int(scoreSlot[i])] += w
              } else {
                stats[c].scores!.negatives[Int(scoreSlot[i])] += w
              }
            }
          }
        case .regression(let targets, let predictions):
          stats[c].confusion.add(label: 0, prediction: 0, weight: w, count: m)
          stats[c].regression!.add(
            target: targets[i], prediction: predictions[i], weight: w, count: m)
        }
      }
      return stats
    }
  }

  static func lowerBound(_ values: [Double], _ x: Double) -> Int {
    var low = 0
    var high = values.count
    while low < high {
      let mid = (low + high) / 2
      if values[mid] < x { low = mid + 1 } else { high = mid }
    }
    return low
  }
}

/// A thread-safe counter for progress reports.
final class ManagedCounter: @unchecked Sendable {
  private var value = 0
  private let lock = NSLock()
  func increment() -> Int {
    lock.lock()
    defer { lock.unlock() }
    value += 1
    return value
  }
}

extension MetricFrame {
  /// The cell of each row: control level × group count + sensitive group.
  public static func cells(sensitive: Groups, control: Groups?) -> [Int32] {
    let sensitive = sensitive.product()
    guard let control = control?.product() else { return sensitive.codes }
    let groups = Int32(sensitive.count)
    var cells = [Int32](repeating: 0, count: sensitive.codes.count)
    for i in cells.indices { cells[i] = control.codes[i] * groups + sensitive.codes[i] }
    return cells
  }
}
