import Foundation

/// The one pass over the rows that every audit makes: it reduces the rows of each cell (a
/// group, or a control level × group) to their ``GroupStatistics``.
///
/// Confusion counts are integer tables per worker (exact whatever the order). Floating sums
/// (weights, calibration, regression) are accumulated over fixed blocks of rows and merged in
/// block order, so results do not depend on the number of cores. Scores are counted per distinct
/// value: without weights, each cell's positive and negative scores are radix-sorted in place.
///
/// - Complexity: O(n) time (plus O(n) for the radix sorts when scores are counted);
///   O(cells) memory per worker, plus O(n) scratch for scores.
public enum CountingPass {
  /// Which optional statistics a set of metrics needs.
  public struct Needs: Sendable, Equatable {
    public var scoreCounts = false
    public var calibration = false
    public var regression = false

    public init(metrics: [Metric]) {
      for metric in metrics {
        switch metric {
        case .rocAUC, .averagePrecision: scoreCounts = true
        case .brierScore, .logLoss, .expectedCalibrationError: calibration = true
        case .meanAbsoluteError, .meanSquaredError, .r2Score, .meanPrediction: regression = true
        default: break
        }
      }
    }
  }

  /// Rows per block of floating-point accumulation.
  static let blockSize = 1 << 18

  /// The statistics of each of `cellCount` cells; row `i` is in cell `cells[i]`.
  public static func statistics(
    of data: AuditData, cells: [Int32], cellCount: Int, needs: Needs, options: AuditOptions
  ) -> [GroupStatistics] {
    var result = [GroupStatistics](repeating: GroupStatistics(), count: cellCount)
    let n = data.rowCount
    switch data.outcomes {
    case .classification(let labels, let predictions, let scores):
      let confusion =
        data.weights == nil
        ? countConfusion(
          labels: labels, predictions: predictions, cells: cells, cellCount: cellCount)
        : blockwise(n: n, cellCount: cellCount, empty: ConfusionCounts()) { range, table in
          let w = data.weights!
          for i in range {
            table[Int(cells[i])].add(label: labels[i], prediction: predictions[i], weight: w[i])
          }
        } merge: {
          $0.add($1)
        }
      for c in 0..<cellCount { result[c].confusion = confusion[c] }
      if let scores, needs.calibration {
        let calibration = blockwise(
          n: n, cellCount: cellCount, empty: CalibrationStatistics(bins: options.bins),
          cellBytes: 24 * options.bins
        ) { range, table in
          if let w = data.weights {
            for i in range {
              table[Int(cells[i])].add(label: labels[i], score: scores[i], weight: w[i])
            }
          } else {
            for i in range { table[Int(cells[i])].add(label: labels[i], score: scores[i]) }
          }
        } merge: {
          $0.add($1)
        }
        for c in 0..<cellCount { result[c].calibration = calibration[c] }
      }
      if let scores, needs.scoreCounts {
        let counts =
          data.weights == nil
          ? countScores(scores: scores, labels: labels, cells: cells, confusion: confusion)
          : countWeightedScores(
            scores: scores, labels: labels, weights: data.weights!, cells: cells,
            cellCount: cellCount)
        for c in 0..<cellCount { result[c].scores = counts[c] }
      }
    case .regression(let targets, let predictions):
      let regression = blockwise(n: n, cellCount: cellCount, empty: RegressionStatistics()) {
        range, table in
        for i in range {
          table[Int(cells[i])].add(
            target: targets[i], prediction: predictions[i], weight: data.weights?[i] ?? 1)
        }
      } merge: {
        $0.add($1)
      }
      let counts = regression.map(\.rows)
      // Regression rows are counted as true negatives, so that `count` and the row totals work.
      for c in 0..<cellCount {
        result[c].regression = regression[c]
        result[c].confusion = ConfusionCounts(tp: 0, fp: 0, tn: counts[c], fn: 0)
        result[c].confusion.trueNegatives = regression[c].weight.value
      }
    }
    return result
  }

  /// Unweighted confusion counts: an integer table per worker.
  static func countConfusion(
    labels: [UInt8], predictions: [UInt8], cells: [Int32], cellCount: Int
  ) -> [ConfusionCounts] {
    let n = labels.count
    let workers = max(
      1,
      min(
        ProcessInfo.processInfo.activeProcessorCount, n / 65_536, 64 << 20 / max(1, cellCount * 32))
    )
    var tables = [[Int]](repeating: [], count: workers)
    tables.withUnsafeMutableBufferPointer { out in
      DispatchQueue.concurrentPerform(iterations: workers) { w in
        var table = [Int](repeating: 0, count: cellCount * 4)
        let range = (n * w / workers)..<(n * (w + 1) / workers)
        labels.withUnsafeBufferPointer { y in
          predictions.withUnsafeBufferPointer { p in
            cells.withUnsafeBufferPointer { g in
              table.withUnsafeMutableBufferPointer { t in
                for i in range { t[Int(g[i]) &* 4 &+ Int(y[i] &* 2 &+ p[i])] &+= 1 }
              }
            }
          }
        }
        out[w] = table
      }
    }
    return (0..<cellCount).map { c in
      var tn = 0, fp = 0, fn = 0, tp = 0
      for table in tables {
        tn += table[c * 4]
        fp += table[c * 4 + 1]
        fn += table[c * 4 + 2]
        tp += table[c * 4 + 3]
      }
      return ConfusionCounts(tp: tp, fp: fp, tn: tn, fn: fn)
    }
  }

  /// Accumulates per-cell values over fixed blocks of rows in parallel, merging in block order.
  /// Blocks are merged into one when their tables would exceed 2²² cells or 1 GiB
  /// (`cellBytes` per cell).
  static func blockwise<T>(
    n: Int, cellCount: Int, empty: T, cellBytes: Int = 64,
    _ body: (Range<Int>, inout [T]) -> Void, merge: (inout T, T) -> Void
  ) -> [T] {
    var blocks = max(1, (n + blockSize - 1) / blockSize)
    if blocks * cellCount > 1 << 22 || blocks * cellCount * cellBytes > 1 << 30 { blocks = 1 }
    var tables = [[T]](repeating: [], count: blocks)
    tables.withUnsafeMutableBufferPointer { out in
      DispatchQueue.concurrentPerform(iterations: blocks) { b in
        var table = [T](repeating: empty, count: cellCount)
        let range = blocks == 1 ? 0..<n : (b * blockSize)..<min(n, (b + 1) * blockSize)
        body(range, &table)
        out[b] = table
      }
    }
    var result = tables[0]
    for b in 1..<blocks {
      for c in 0..<cellCount { merge(&result[c], tables[b][c]) }
    }
    return result
  }

  /// Unweighted scores: scatter each cell's positive and negative scores into contiguous
  /// segments, radix-sort the segments in parallel and count distinct values.
  static func countScores(
    scores: [Double], labels: [UInt8], cells: [Int32], confusion: [ConfusionCounts]
  ) -> [ScoreCounts] {
    let cellCount = confusion.count
    // Segment 2c holds cell c's negatives, 2c+1 its positives.
    var starts = [Int](repeating: 0, count: 2 * cellCount + 1)
    for c in 0..<cellCount {
      starts[2 * c + 1] =
        starts[2 * c] + confusion[c].countTrueNegatives + confusion[c].countFalsePositives
      starts[2 * c + 2] =
        starts[2 * c + 1] + confusion[c].countTruePositives + confusion[c].countFalseNegatives
    }
    let n = scores.count
    var scattered: [Double] = uninitializedArray(count: n)  // every slot is written below
    var next = Array(starts.dropLast())
    scores.withUnsafeBufferPointer { s in
      labels.withUnsafeBufferPointer { y in
        cells.withUnsafeBufferPointer { g in
          scattered.withUnsafeMutableBufferPointer { out in
            next.withUnsafeMutableBufferPointer { next in
              for i in 0..<n {
                let segment = Int(g[i]) &* 2 &+ Int(y[i])
                out[next[segment]] = s[i]
                next[segment] &+= 1
              }
            }
          }
        }
      }
    }
    var result = [ScoreCounts](repeating: ScoreCounts(), count: cellCount)
    scattered.withUnsafeMutableBufferPointer { all in
      // Sort segments, largest first, across cores.
      let sizes: [Int] = (0..<(2 * cellCount)).map { starts[$0 + 1] - starts[$0] }
      let order: [Int] = sizes.indices.sorted { sizes[$0] > sizes[$1] }
      DispatchQueue.concurrentPerform(iterations: order.count) { k in
        let segment = order[k]
        let slice = UnsafeMutableBufferPointer(rebasing: all[starts[segment]..<starts[segment + 1]])
        let scratch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(1, slice.count))
        defer { scratch.deallocate() }
        RadixSort.sort(slice, scratch: scratch)
      }
      result.withUnsafeMutableBufferPointer { out in
        DispatchQueue.concurrentPerform(iterations: cellCount) { c in
          let negatives = UnsafeBufferPointer(rebasing: all[starts[2 * c]..<starts[2 * c + 1]])
          let positives = UnsafeBufferPointer(rebasing: all[starts[2 * c + 1]..<starts[2 * c + 2]])
          out[c] = ScoreCounts(sortedPositive: positives, sortedNegative: negatives)
        }
      }
    }
    return result
  }

  /// Weighted scores: each cell's rows sorted by score.
  static func countWeightedScores(
    scores: [Double], labels: [UInt8], weights: [Double], cells: [Int32], cellCount: Int
  ) -> [ScoreCounts] {
    var members = [[Int]](repeating: [], count: cellCount)
    for i in scores.indices { members[Int(cells[i])].append(i) }
    return members.map { rows in
      ScoreCounts(
        scores: rows.map { scores[$0] }, labels: rows.map { labels[$0] },
        weights: rows.map { weights[$0] })
    }
  }
}
