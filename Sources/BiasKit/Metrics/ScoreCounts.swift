/// The scores of one group, counted per distinct value: the sufficient statistic of ROC AUC
/// and average precision.
///
/// `values` is strictly increasing; `positives[k]` and `negatives[k]` are the weighted rows with
/// score `values[k]` and label 1 or 0. Two groups' counts merge by a sorted merge, so the AUC of a
/// union is exact without revisiting rows (-0.0 is counted as 0.0, as numpy compares them equal).
///
/// - Complexity: O(d) memory for d distinct scores; ``merged(with:)`` is O(d₁ + d₂).
public struct ScoreCounts: Sendable, Equatable, Codable {
  public var values: [Double] = []
  public var positives: [Double] = []
  public var negatives: [Double] = []

  public init() {}

  public init(values: [Double], positives: [Double], negatives: [Double]) {
    self.values = values
    self.positives = positives
    self.negatives = negatives
  }

  /// Counts from scores already sorted ascending, split by label (unit weights).
  init(sortedPositive: UnsafeBufferPointer<Double>, sortedNegative: UnsafeBufferPointer<Double>) {
    let np = sortedPositive.count
    let nn = sortedNegative.count
    // Slots below `written` are filled before use; the rest are dropped.
    var values: [Double] = uninitializedArray(count: np + nn)
    var positives: [Double] = uninitializedArray(count: np + nn)
    var negatives: [Double] = uninitializedArray(count: np + nn)
    var written = 0
    values.withUnsafeMutableBufferPointer { out in
      positives.withUnsafeMutableBufferPointer { pos in
        negatives.withUnsafeMutableBufferPointer { neg in
          var i = 0
          var j = 0
          while i < np || j < nn {
            let v: Double
            if j >= nn || (i < np && sortedPositive[i] <= sortedNegative[j]) {
              v = sortedPositive[i]
            } else {
              v = sortedNegative[j]
            }
            var p = 0
            var n = 0
            while i < np, sortedPositive[i] == v { p += 1; i += 1 }
            while j < nn, sortedNegative[j] == v { n += 1; j += 1 }
            out[written] = v
            pos[written] = Double(p)
            neg[written] = Double(n)
            written += 1
          }
        }
      }
    }
    values.removeLast(np + nn - written)
    positives.removeLast(np + nn - written)
    negatives.removeLast(np + nn - written)
    self.init(values: values, positives: positives, negatives: negatives)
  }

  /// Counts from unsorted (score, label, weight) rows.
  init(scores: [Double], labels: [UInt8], weights: [Double]?) {
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var k = 0
    while k < order.count {
      let v = scores[order[k]]
      var p = 0.0
      var n = 0.0
      while k < order.count, scores[order[k]] == v {
        let w = weights?[order[k]] ?? 1
        if labels[order[k]] == 1 { p += w } else { n += w }
        k += 1
      }
      values.append(v == 0 ? 0 : v)
      positives.append(p)
      negatives.append(n)
    }
  }

  /// The counts of both groups together.
  public func merged(with other: ScoreCounts) -> ScoreCounts { ScoreCounts.merged([self, other]) }

  /// The counts of several groups together: one k-way merge (a binary heap of cursors), so
  /// that the only new memory is the result.
  ///
  /// - Complexity: O(d log k) for d distinct values over k parts.
  public static func merged(_ parts: [ScoreCounts]) -> ScoreCounts {
    let parts = parts.filter { !$0.values.isEmpty }
    if parts.isEmpty { return ScoreCounts() }
    if parts.count == 1 { return parts[0] }
    if parts.count == 2 { return mergeTwo(parts[0], parts[1]) }
    let k = parts.count
    let total = parts.reduce(0) { $0 + $1.values.count }
    var values: [Double] = uninitializedArray(count: total)
    var positives: [Double] = uninitializedArray(count: total)
    var negatives: [Double] = uninitializedArray(count: total)
    var written = 0
    // Per part: the current value, its cursor and its end; the heap orders part indices.
    let current = UnsafeMutableBufferPointer<Double>.allocate(capacity: k)
    let cursor = UnsafeMutableBufferPointer<Int>.allocate(capacity: k)
    let heap = UnsafeMutableBufferPointer<Int>.allocate(capacity: k)
    defer {
      current.deallocate()
      cursor.deallocate()
      heap.deallocate()
    }
    for p in 0..<k {
      current[p] = parts[p].values[0]
      cursor[p] = 0
      heap[p] = p
    }
    var size = k
    @inline(__always) func siftDown(_ start: Int, _ size: Int) {
      var i = start
      while true {
        let l = 2 * i + 1
        if l >= size { return }
        var m = l
        let r = l + 1
        if r < size, current[heap[r]] < current[heap[l]] { m = r }
        if current[heap[m]] < current[heap[i]] {
          let t = heap[i]
          heap[i] = heap[m]
          heap[m] = t
          i = m
        } else {
          return
        }
      }
    }
    for i in stride(from: size / 2 - 1, through: 0, by: -1) { siftDown(i, size) }
    values.withUnsafeMutableBufferPointer { v in
      positives.withUnsafeMutableBufferPointer { pos in
        negatives.withUnsafeMutableBufferPointer { neg in
          var w = 0
          while size > 0 {
            let part = heap[0]
            let c = cursor[part]
            let value = current[part]
            let source = parts[part]
            if w > 0, v[w - 1] == value {
              pos[w - 1] += source.positives[c]
              neg[w - 1] += source.negatives[c]
            } else {
              v[w] = value
              pos[w] = source.positives[c]
              neg[w] = source.negatives[c]
              w += 1
            }
            if c + 1 < source.values.count {
              cursor[part] = c + 1
              current[part] = source.values[c + 1]
            } else {
              size -= 1
              heap[0] = heap[size]
            }
            siftDown(0, size)
          }
          written = w
        }
      }
    }
    values.removeLast(total - written)
    positives.removeLast(total - written)
    negatives.removeLast(total - written)
    return ScoreCounts(values: values, positives: positives, negatives: negatives)
  }

  private static func mergeTwo(_ a: ScoreCounts, _ b: ScoreCounts) -> ScoreCounts {
    let na = a.values.count
    let nb = b.values.count
    // Slots below `written` are filled before use; the rest are dropped.
    var values: [Double] = uninitializedArray(count: na + nb)
    var positives: [Double] = uninitializedArray(count: na + nb)
    var negatives: [Double] = uninitializedArray(count: na + nb)
    var written = 0
    a.values.withUnsafeBufferPointer { av in
      a.positives.withUnsafeBufferPointer { ap in
        a.negatives.withUnsafeBufferPointer { an in
          b.values.withUnsafeBufferPointer { bv in
            b.positives.withUnsafeBufferPointer { bp in
              b.negatives.withUnsafeBufferPointer { bn in
                values.withUnsafeMutableBufferPointer { v in
                  positives.withUnsafeMutableBufferPointer { p in
                    negatives.withUnsafeMutableBufferPointer { n in
                      var i = 0
                      var j = 0
                      var w = 0
                      while i < na && j < nb {
                        let x = av[i]
                        let y = bv[j]
                        if x < y {
                          v[w] = x; p[w] = ap[i]; n[w] = an[i]; i += 1
                        } else if y < x {
                          v[w] = y; p[w] = bp[j]; n[w] = bn[j]; j += 1
                        } else {
                          v[w] = x; p[w] = ap[i] + bp[j]; n[w] = an[i] + bn[j]; i += 1; j += 1
                        }
                        w += 1
                      }
                      while i < na { v[w] = av[i]; p[w] = ap[i]; n[w] = an[i]; i += 1; w += 1 }
                      while j < nb { v[w] = bv[j]; p[w] = bp[j]; n[w] = bn[j]; j += 1; w += 1 }
                      written = w
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    values.removeLast(na + nb - written)
    positives.removeLast(na + nb - written)
    negatives.removeLast(na + nb - written)
    return ScoreCounts(values: values, positives: positives, negatives: negatives)
  }

  /// Area under the ROC curve, as scikit-learn's `roc_auc_score` (trapezoids between the curve's
  /// points at each distinct threshold). Nil when the group lacks one of the classes.
  ///
  ///     AUC = Σ_k (F_k − F_{k−1}) (T_k + T_{k−1}) / (2 P N)
  ///
  /// with T_k, F_k the weighted true and false positives at the k-th highest threshold. With unit
  /// weights every partial sum is an integer below 2⁵³, so the area is exact before the last
  /// division.
  public func rocAUC() -> Double? {
    var p = 0.0
    var n = 0.0
    for k in values.indices {
      p += positives[k]
      n += negatives[k]
    }
    guard p > 0, n > 0 else { return nil }
    var area = 0.0
    var tp = 0.0
    var fp = 0.0
    for k in values.indices.reversed() {
      let tpNext = tp + positives[k]
      let fpNext = fp + negatives[k]
      area += (fpNext - fp) * (tpNext + tp)
      tp = tpNext
      fp = fpNext
    }
    return area / (2 * p * n)
  }

  /// Average precision, as scikit-learn's `average_precision_score`:
  /// `Σ_k (R_k − R_{k−1}) P_k` over distinct thresholds from the highest, with recall R and
  /// precision P at each. With no positive rows scikit-learn sets recall to 1 everywhere, which
  /// gives 0 here too. Nil for an empty group.
  public func averagePrecision() -> Double? {
    var total = 0.0
    for k in values.indices { total += positives[k] }
    if values.isEmpty { return nil }
    var sum = 0.0
    var tp = 0.0
    var fp = 0.0
    var previousRecall = 0.0
    for k in values.indices.reversed() {
      tp += positives[k]
      fp += negatives[k]
      let recall = total > 0 ? tp / total : 1
      let precision = tp + fp > 0 ? tp / (tp + fp) : 0
      sum += (recall - previousRecall) * precision
      previousRecall = recall
    }
    return sum
  }
}

/// Sorts doubles ascending by an LSD radix sort on their bits (11-bit digits; passes where every
/// key has the same digit are skipped). Used to count the scores of millions of rows per group.
///
/// - Complexity: O(n) time with a scratch buffer of n keys.
enum RadixSort {
  static func sort(
    _ values: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<UInt64>
  ) {
    let n = values.count
    if n < 2 { return }
    if n < 256 {
      var buffer = values
      buffer.sort()
      return
    }
    precondition(scratch.count >= n)
    // Order-preserving map from doubles to unsigned integers (-0.0 counted as 0.0).
    let keys = UnsafeMutableRawBufferPointer(values).bindMemory(to: UInt64.self)
    for i in 0..<n {
      let v = values[i] == 0 ? 0.0 : values[i]
      let bits = v.bitPattern
      keys[i] = bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }
    var source = keys
    var target = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
    var counts = [Int](repeating: 0, count: 2048)
    var shift: UInt64 = 0
    while shift < 64 {
      for i in 0..<2048 { counts[i] = 0 }
      for i in 0..<n { counts[Int((source[i] >> shift) & 2047)] += 1 }
      if counts.contains(n) {
        shift += 11
        continue
      }
      var running = 0
      for i in 0..<2048 {
        let c = counts[i]
        counts[i] = running
        running += c
      }
      for i in 0..<n {
        let key = source[i]
        let d = Int((key >> shift) & 2047)
        target[counts[d]] = key
        counts[d] += 1
      }
      swap(&source, &target)
      shift += 11
    }
    if source.baseAddress != keys.baseAddress {
      for i in 0..<n { keys[i] = source[i] }
    }
    for i in 0..<n {
      let key = keys[i]
      let bits = key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key
      values[i] = Double(bitPattern: bits)
    }
  }
}
