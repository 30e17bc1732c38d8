/// Small numerical helpers that reproduce NumPy / Python behaviour the samplers depend on.
enum NumPyCompat {
  /// `np.sum` of a contiguous float64 vector: NumPy's pairwise summation (blocks of 128,
  /// eight accumulators), so sums that decide a rounding (`np.rint`) or a sort order agree to
  /// the last bit.
  static func sum(_ values: ArraySlice<Double>) -> Double {
    values.withUnsafeBufferPointer { pairwise($0.baseAddress!, $0.count) }
  }

  static func sum(_ values: [Double]) -> Double { sum(values[...]) }

  private static func pairwise(_ a: UnsafePointer<Double>, _ n: Int) -> Double {
    if n < 8 {
      var res = -0.0
      for i in 0..<n { res += a[i] }
      return res
    } else if n <= 128 {
      var r = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
      var i = 8
      while i < n - (n % 8) {
        r.0 += a[i]
        r.1 += a[i + 1]
        r.2 += a[i + 2]
        r.3 += a[i + 3]
        r.4 += a[i + 4]
        r.5 += a[i + 5]
        r.6 += a[i + 6]
        r.7 += a[i + 7]
        i += 8
      }
      var res = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
      while i < n {
        res += a[i]
        i += 1
      }
      return res
    } else {
      var n2 = n / 2
      n2 -= n2 % 8
      return pairwise(a, n2) + pairwise(a + n2, n - n2)
    }
  }

  /// The most frequent value; ties go to the smallest (`scipy.stats.mode`).
  static func mode<S: Sequence>(_ values: S) -> Int where S.Element == Int {
    var counts: [Int: Int] = [:]
    for v in values { counts[v, default: 0] += 1 }
    return counts.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }!.key
  }

  /// The minority class as `min(Counter(y), key=Counter(y).get)` finds it: the class with the
  /// fewest rows, ties going to the class that appears first in `labels`.
  static func counterMinority(_ labels: [Int]) -> Int {
    var counts: [Int: Int] = [:]
    var order: [Int] = []
    for y in labels {
      if counts[y] == nil { order.append(y) }
      counts[y, default: 0] += 1
    }
    var best = order[0]
    for c in order where counts[c]! < counts[best]! { best = c }
    return best
  }
}

extension LabeledRows {
  /// The rows `indices` as a new validated input (labels carried along).
  func subset(_ indices: [Int]) -> LabeledRows {
    LabeledRows(trusted: features.rows(at: indices), labels: indices.map { labels[$0] })
  }
}
