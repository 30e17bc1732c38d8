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
    /// Distinct-score counts (`roc_auc`, `average_precision`).
    public var scoreCounts = false
    /// Calibration sums (Brier score, log loss, ECE).
    public var calibration = false
    /// Regression sums.
    public var regression = false
    /// The sums over a multiclass probability matrix.
    public var classProbabilities = false

    public init(metrics: [Metric]) {
      for metric in metrics {
        switch metric {
        case .rocAUC, .averagePrecision: scoreCounts = true
        case .brierScore, .logLoss, .expectedCalibrationError: calibration = true
        case .meanAbsoluteError, .meanSquaredError, .r2Score, .meanPrediction: regression = true
        default: break
        }
        if metric.requirement == .classScores || metric == .logLoss || metric == .brierScore {
          classProbabilities = true
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
    case .multiclass(let outcomes):
      return multiclassStatistics(
        of: outcomes, weights: data.weights, cells: cells, cellCount: cellCount, needs: needs)
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

extension CountingPass {
  /// The multiclass statistics of each cell: the K × K confusion matrix, and with
  /// probabilities the log-loss, Brier and top-k sums (over fixed blocks of rows, merged in
  /// block order) and each class column's distinct scores by true class (radix-sorted per
  /// cell and true class without weights).
  ///
  /// - Complexity: O(n · K) plus the sorts, O(n · K) scratch.
  static func multiclassStatistics(
    of outcomes: MulticlassOutcomes, weights: [Double]?, cells: [Int32], cellCount: Int,
    needs: Needs
  ) -> [GroupStatistics] {
    let k = outcomes.classCount
    let n = outcomes.labels.count
    let labels = outcomes.labels
    let predictions = outcomes.predictions
    var tables = blockwise(
      n: n, cellCount: cellCount, empty: MulticlassCounts(classCount: k), cellBytes: 16 * k * k
    ) { range, table in
      for i in range {
        let slot = Int(labels[i]) &* k &+ Int(predictions[i])
        let c = Int(cells[i])
        table[c].counts[slot] &+= 1
        table[c].confusion[slot] += weights?[i] ?? 1
      }
    } merge: {
      $0.add($1)
    }
    if let probabilities = outcomes.probabilities, needs.classProbabilities {
      let eps = Double.ulpOfOne
      let sums = blockwise(
        n: n, cellCount: cellCount, empty: ProbabilitySums(classCount: 0), cellBytes: 64 + 8 * k
      ) { range, table in
        for i in range {
          let c = Int(cells[i])
          if table[c].topHits.isEmpty { table[c].topHits = [Double](repeating: 0, count: k) }
          let w = weights?[i] ?? 1
          let t = Int(labels[i])
          let row = i &* k
          let pt = probabilities[row &+ t]
          table[c].weight.add(w)
          table[c].logLoss.add(w * -log(min(max(pt, eps), 1 - eps)))
          var squared = 0.0
          var rank = 0
          for j in 0..<k {
            let p = probabilities[row &+ j]
            let e = (j == t ? 1 : 0) - p
            squared += e * e
            // NumPy's stable argsort reversed: equal scores of later classes rank first.
            if p > pt || (p == pt && j > t) { rank += 1 }
          }
          table[c].squaredError.add(w * squared)
          table[c].topHits[rank] += w
        }
      } merge: { total, part in
        guard !part.topHits.isEmpty else { return }
        if total.topHits.isEmpty { total.topHits = [Double](repeating: 0, count: k) }
        total.weight.add(part.weight)
        total.logLoss.add(part.logLoss)
        total.squaredError.add(part.squaredError)
        for j in 0..<k { total.topHits[j] += part.topHits[j] }
      }
      // Hits of rank r count for every k > r.
      var scores = multiclassScores(
        probabilities: probabilities, classCount: k, labels: labels, weights: weights,
        cells: cells, cellCount: cellCount, tables: tables)
      for c in 0..<cellCount {
        var s = ProbabilitySums(classCount: k)
        let part = sums[c]
        if !part.topHits.isEmpty {
          s.weight = part.weight
          s.logLoss = part.logLoss
          s.squaredError = part.squaredError
          var running = 0.0
          for r in 0..<k {
            running += part.topHits[r]
            s.topHits[r] = running
          }
        }
        s.scores = scores[c]
        scores[c] = []
        tables[c].probabilities = s
      }
    }
    return tables.map { counts in
      var statistics = GroupStatistics()
      let rows = counts.rows
      statistics.confusion = ConfusionCounts(tp: 0, fp: 0, tn: rows, fn: 0)
      statistics.confusion.trueNegatives = counts.total
      statistics.classes = counts
      return statistics
    }
  }

  /// `result[cell][c][t]`: the distinct values of class column `c` among the cell's rows of
  /// true class `t`, with their weights (as ``ScoreCounts`` positives).
  static func multiclassScores(
    probabilities: [Double], classCount k: Int, labels: [Int32], weights: [Double]?,
    cells: [Int32], cellCount: Int, tables: [MulticlassCounts]
  ) -> [[[ScoreCounts]]] {
    let n = labels.count
    var result = [[[ScoreCounts]]](
      repeating: [[ScoreCounts]](
        repeating: [ScoreCounts](repeating: ScoreCounts(), count: k), count: k),
      count: cellCount)
    if let weights {
      var members = [[Int]](repeating: [], count: cellCount * k)
      for i in 0..<n { members[Int(cells[i]) * k + Int(labels[i])].append(i) }
      for cell in 0..<cellCount {
        for t in 0..<k {
          let rows = members[cell * k + t]
          for c in 0..<k {
            result[cell][c][t] = ScoreCounts(
              scores: rows.map { probabilities[$0 * k + c] },
              labels: [UInt8](repeating: 1, count: rows.count), weights: rows.map { weights[$0] })
          }
        }
      }
      return result
    }
    // Segment cell · K + t holds the cell's rows of true class t.
    let segments = cellCount * k
    var starts = [Int](repeating: 0, count: segments + 1)
    for cell in 0..<cellCount {
      for t in 0..<k {
        var rows = 0
        for p in 0..<k { rows += tables[cell].counts[t * k + p] }
        starts[cell * k + t + 1] = starts[cell * k + t] + rows
      }
    }
    var scattered: [Double] = uninitializedArray(count: n)  // every slot is written below
    let empty = UnsafeBufferPointer<Double>(start: nil, count: 0)
    for c in 0..<k {
      var next = Array(starts.dropLast())
      scattered.withUnsafeMutableBufferPointer { out in
        for i in 0..<n {
          let segment = Int(cells[i]) &* k &+ Int(labels[i])
          out[next[segment]] = probabilities[i &* k &+ c]
          next[segment] &+= 1
        }
      }
      var column = [ScoreCounts](repeating: ScoreCounts(), count: segments)
      scattered.withUnsafeMutableBufferPointer { all in
        column.withUnsafeMutableBufferPointer { out in
          DispatchQueue.concurrentPerform(iterations: segments) { segment in
            let slice = UnsafeMutableBufferPointer(
              rebasing: all[starts[segment]..<starts[segment + 1]])
            let scratch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(1, slice.count))
            defer { scratch.deallocate() }
            RadixSort.sort(slice, scratch: scratch)
            out[segment] = ScoreCounts(
              sortedPositive: UnsafeBufferPointer(slice), sortedNegative: empty)
          }
        }
      }
      for cell in 0..<cellCount {
        for t in 0..<k { result[cell][c][t] = column[cell * k + t] }
      }
    }
    return result
  }
}
