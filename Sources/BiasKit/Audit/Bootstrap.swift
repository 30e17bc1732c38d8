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

  /// `samples` resamples, reporting `quantiles`, seeded by `seed`.
  public init(samples: Int, quantiles: [Double] = [0.025, 0.5, 0.975], seed: UInt64 = 0) {
    self.samples = samples
    self.quantiles = quantiles
    self.seed = seed
  }

  /// The quantiles of a comma-separated list such as `0.025,0.5,0.975`.
  ///
  /// - Throws: ``BiasKitError`` for an item that is not a number in [0, 1].
  public static func quantiles(parsing text: String) throws -> [Double] {
    try text.split(separator: ",").map { item in
      guard let q = Double(item.trimmingCharacters(in: .whitespaces)), (0...1).contains(q) else {
        throw BiasKitError(
          .invalidArgument,
          "\(.quantiles) takes quantiles in [0, 1], comma-separated; '\(item)' is not one")
      }
      return q
    }
  }

  /// The intervals of an audit: one ``AuditValues`` per quantile, in ``Bootstrap/quantiles``
  /// order, each holding that quantile of every value.
  public struct Intervals: Sendable {
    /// The bootstrap that made them.
    public let bootstrap: Bootstrap
    /// One set of values per quantile.
    public let values: [AuditValues]

    /// The intervals of `bootstrap` (one ``AuditValues`` per quantile).
    public init(bootstrap: Bootstrap, values: [AuditValues]) {
      self.bootstrap = bootstrap
      self.values = values
    }

    /// The lowest and highest quantiles' values (nil with fewer than two quantiles).
    public var ends: (low: AuditValues, high: AuditValues)? {
      let quantiles = bootstrap.quantiles
      guard quantiles.count >= 2, values.count == quantiles.count else { return nil }
      let order = quantiles.indices.sorted { quantiles[$0] < quantiles[$1] }
      guard let low = order.first, let high = order.last else { return nil }
      return (values[low], values[high])
    }
  }

  /// The bytes of samples the bootstrap may hold at once: every value of every sample is kept
  /// until its quantiles are taken (8 bytes each), so ``samples`` × values of the audit × 8 must
  /// stay below this (4 GiB).
  public static let maximumSampleBytes = 4 << 30

  /// Throws unless the bootstrap can run on an audit of `width` values: at least one sample,
  /// quantiles in [0, 1], and the samples' values within ``maximumSampleBytes``.
  func validate(width: Int) throws {
    guard samples >= 1 else {
      throw BiasKitError(.invalidArgument, "\(.bootstrap) needs at least 1 sample")
    }
    guard quantiles.allSatisfy({ (0...1).contains($0) }), !quantiles.isEmpty else {
      throw BiasKitError(
        .invalidArgument, "the confidence quantiles (\(.quantiles)) must lie in [0, 1]")
    }
    let (bytes, overflow) = samples.multipliedReportingOverflow(by: max(1, width) * 8)
    if overflow || bytes > Bootstrap.maximumSampleBytes {
      let needed = overflow ? Double(samples) * Double(max(1, width)) * 8 : Double(bytes)
      throw BiasKitError.bootstrapTooLarge(samples: samples, width: width, bytes: needed)
    }
  }

  /// The intervals of every value of `frame`.
  ///
  /// - Parameters:
  ///   - frame: the audit to resample.
  ///   - data: the rows it was computed from (needed unless every metric comes from unweighted
  ///     confusion counts).
  ///   - sensitive: the rows' sensitive groups, and `control` their control levels, as the frame
  ///     was computed with.
  ///   - progress: called with the number of finished samples, from any thread.
  /// - Throws: ``BiasKitError`` for no sample, quantiles outside [0, 1], more samples than
  ///   ``maximumSampleBytes`` allows, or rows that are not the frame's.
  public func intervals(
    for frame: MetricFrame, data: AuditData, sensitive: Groups, control: Groups? = nil,
    progress: (@Sendable (Int) -> Void)? = nil
  ) throws -> Intervals {
    try intervals(
      for: frame, data: data, cells: AuditLayout.rowCells(sensitive: sensitive, control: control),
      progress: progress)
  }

  /// The intervals, given the cell position (``AuditLayout/cells``) of each row.
  package func intervals(
    for frame: MetricFrame, data: AuditData, cells: [Int32],
    progress: (@Sendable (Int) -> Void)? = nil
  ) throws -> Intervals {
    let template = frame.values
    let width = template.flattened.count
    try validate(width: width)
    try data.validate(cells: cells, cellCount: frame.statistics.count)
    let needs = CountingPass.Needs(metrics: frame.metrics)
    let resampler: (inout SeededGenerator) -> [GroupStatistics]
    if data.isMulticlass {
      guard data.weights == nil, !needs.classProbabilities else {
        throw BiasKitError(
          .invalidArgument,
          "the bootstrap of a multiclass audit resamples its label counts: it takes no sample weights or probability metrics (\(.metrics))"
        )
      }
      resampler = pooledClassResampler(frame)
    } else {
      let pooled =
        data.weights == nil && !needs.scoreCounts && !needs.calibration && !needs.regression
      resampler =
        pooled ? pooledResampler(frame) : try rowResampler(frame, data: data, cells: cells)
    }
    let groupCount = frame.groupCount
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
            options: frame.options, aggregation: frame.aggregation)
          let flat = values.flattened
          for k in 0..<width { out[r * width + k] = flat[k] }
          if let progress { progress(done.increment()) }
        }
      }
    }
    let values = quantiles.map { q in
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
    return Intervals(bootstrap: self, values: values)
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

  /// Resamples the cells × K² atoms of unweighted multiclass confusion matrices.
  private func pooledClassResampler(
    _ frame: MetricFrame
  ) -> (inout SeededGenerator) -> [GroupStatistics] {
    let k = frame.classes.count
    var weights: [Double] = []
    for s in frame.statistics {
      let counts = s.classes?.counts ?? [Int](repeating: 0, count: k * k)
      weights += counts.map(Double.init)
    }
    let n = frame.rowCount
    let cellCount = frame.statistics.count
    return { rng in
      let draws = Binomial.multinomial(total: n, weights: weights, using: &rng)
      return (0..<cellCount).map { c in
        var counts = MulticlassCounts(classCount: k)
        for j in 0..<(k * k) {
          counts.counts[j] = draws[c * k * k + j]
          counts.confusion[j] = Double(draws[c * k * k + j])
        }
        var s = GroupStatistics()
        s.confusion = ConfusionCounts(tp: 0, fp: 0, tn: counts.rows, fn: 0)
        s.classes = counts
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
        case .multiclass:
          preconditionFailure("multiclass audits resample their pooled counts")
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

extension BiasKitError {
  static func bootstrapTooLarge(samples: Int, width: Int, bytes: Double) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "\(.bootstrap, "\(samples)") would keep \(samples) samples × \(width) values in memory (\(ByteCount.text(bytes))); the bootstrap holds at most \(ByteCount.text(Double(Bootstrap.maximumSampleBytes))) of samples (\(Bootstrap.maximumSampleBytes / (max(1, width) * 8)) samples of this audit)"
    )
  }
}

/// Sizes in memory for messages.
enum ByteCount {
  /// `512 B`, `3.2 MB`, `34.6 TB` (powers of 1000).
  static func text(_ bytes: Double) -> String {
    let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
    var value = bytes
    var unit = 0
    while value >= 1000, unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f", value) + " " + units[unit]
  }
}
