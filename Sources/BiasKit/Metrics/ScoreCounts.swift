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
            if j >= nn || (i < np && sortedPositive[i] <= sortedNegative[j]) { v = sortedPositive[i] } else {
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

  /// The counts of several groups together, merged pairwise in a balanced tree.
  ///
  /// - Complexity: O(d log k) for d distinct values over k parts.
  public static func merged(_ parts: [ScoreCounts]) -> ScoreCounts {
    var level = parts.filter { !$0.values.isEmpty }
    if level.isEmpty { return ScoreCounts() }
    while level.count > 1 {
      var next: [ScoreCounts] = []
      next.reserveCapacity((level.count + 1) / 2)
      var k = 0
      while k + 1 < level.count {
        next.append(mergeTwo(level[k], level[k + 1]))
        k += 2
      }
      if k < level.count { next.append(level[k]) }
      level = next
    }
    return level[0]
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
    }}}}}}}}}
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
  static func sort(_ values: UnsafeMutableBufferPointer<Double>, scratch: UnsafeMutableBufferPointer<UInt64>) {
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
