import Dispatch

/// One bin of a feature histogram: the sums of the gradients and Hessians of the node's rows in
/// that bin, and how many rows fall in it (scikit-learn's `hist_struct`).
struct HistogramBin: Sendable, Equatable {
  var gradient: Double = 0
  var hessian: Double = 0
  var count: Int = 0
}

/// Builds the histograms of a node, one per feature, laid end to end: feature j owns
/// `offsets[j] ..< offsets[j] + nonMissingBinCounts[j] + 1` (its used bins, then the missing
/// bin).
///
/// Two ways, as scikit-learn's `HistogramBuilder`:
/// - from the rows (`compute_histograms_brute`): every row adds its gradient and Hessian to its
///   bin, in the node's row order, so each bin's sum is the same sequence of float64 additions
///   of float32 values as the reference's;
/// - by subtraction (`compute_histograms_subtraction`): `hist(child) = hist(parent) −
///   hist(sibling)`, O(bins), for the larger child.
///
/// The rows are walked once for a block of features (row-major codes), so the additions to
/// different features' bins are independent and the processor overlaps them; the features are
/// split over two workers when the node is large. Neither changes any sum: each bin is still
/// accumulated in row order.
///
/// - Complexity: O(m · p) for m rows and p features from the rows; O(bins) by subtraction.
struct HistogramBuilder: @unchecked Sendable {
  let binned: BinnedFeatures
  /// Start of each feature's histogram.
  let offsets: [Int]
  /// Total number of bins over all features (plus one missing bin each).
  let totalBins: Int
  /// Work (rows × features) above which the features are split over two workers.
  static let parallelThreshold = 60_000

  init(binned: BinnedFeatures) {
    self.binned = binned
    var offsets: [Int] = []
    var total = 0
    for count in binned.nonMissingBinCounts {
      offsets.append(total)
      total += count + 1
    }
    self.offsets = offsets
    self.totalBins = total
  }

  /// Histograms of the rows `rows` (all rows in order when nil), with the rows' gradients and
  /// Hessians `gradients[rows[k]]`.
  func histograms(
    rows: UnsafeBufferPointer<UInt32>?, gradients: UnsafeBufferPointer<Float>,
    hessians: UnsafeBufferPointer<Float>, scratch: inout [Double]
  ) -> [HistogramBin] {
    let m = rows?.count ?? binned.rows
    let p = binned.columns
    var out = [HistogramBin](repeating: HistogramBin(), count: totalBins)
    if m == 0 { return out }
    if scratch.count < 2 * m { scratch = [Double](repeating: 0, count: 2 * binned.rows) }
    scratch.withUnsafeMutableBufferPointer { buffer in
      let ordered = buffer.baseAddress!
      if let rows {
        for k in 0..<m {
          let i = Int(rows[k])
          ordered[2 * k] = Double(gradients[i])
          ordered[2 * k + 1] = Double(hessians[i])
        }
      } else {
        for k in 0..<m {
          ordered[2 * k] = Double(gradients[k])
          ordered[2 * k + 1] = Double(hessians[k])
        }
      }
      let orderedBase = UnsafePointer(ordered)
      out.withUnsafeMutableBufferPointer { hist in
        let histBase = hist.baseAddress!
        binned.codes.withUnsafeBufferPointer { codes in
          offsets.withUnsafeBufferPointer { offs in
            let codeBase = codes.baseAddress!
            let offBase = offs.baseAddress!
            let rowBase = rows?.baseAddress
            let work = { (part: Int, parts: Int) in
              let f0 = p * part / parts
              let f1 = p * (part + 1) / parts
              accumulate(
                rows: rowBase, count: m, codes: codeBase, stride: p, features: f0..<f1,
                offsets: offBase, ordered: orderedBase, histogram: histBase)
            }
            if m * p >= HistogramBuilder.parallelThreshold && p >= 2 {
              DispatchQueue.concurrentPerform(iterations: 2) { work($0, 2) }
            } else {
              work(0, 1)
            }
          }
        }
      }
    }
    return out
  }

  /// `parent − sibling`, bin by bin (the larger child's histograms).
  func subtracting(_ sibling: [HistogramBin], from parent: [HistogramBin]) -> [HistogramBin] {
    var out = parent
    out.withUnsafeMutableBufferPointer { o in
      sibling.withUnsafeBufferPointer { s in
        for b in 0..<o.count {
          o[b].gradient -= s[b].gradient
          o[b].hessian -= s[b].hessian
          o[b].count -= s[b].count
        }
      }
    }
    return out
  }
}

/// Adds `count` rows to the histograms of `features`, row by row.
@inline(__always)
private func accumulate(
  rows: UnsafePointer<UInt32>?, count m: Int, codes: UnsafePointer<UInt8>, stride p: Int,
  features: Range<Int>, offsets: UnsafePointer<Int>, ordered: UnsafePointer<Double>,
  histogram: UnsafeMutablePointer<HistogramBin>
) {
  let f0 = features.lowerBound
  let f1 = features.upperBound
  for k in 0..<m {
    let i = rows.map { Int($0[k]) } ?? k
    let row = codes + i * p
    let g = ordered[2 * k]
    let h = ordered[2 * k + 1]
    var f = f0
    while f < f1 {
      let bin = histogram + (offsets[f] + Int(row[f]))
      bin.pointee.gradient += g
      bin.pointee.hessian += h
      bin.pointee.count += 1
      f += 1
    }
  }
}
