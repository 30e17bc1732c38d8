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
/// Exclusive binary features (two bins, no missing value, and no row with two of them at their
/// upper bin, such as the one-hot columns of one categorical variable) are bundled as LightGBM
/// does (exclusive feature bundling): a row adds to one bin of its bundle instead of one bin of
/// each feature. A bundled feature's upper bin is its bundle bin (the same sums as scikit-learn);
/// its lower bin is the bundle's total minus the upper bin, which can differ from scikit-learn's
/// sequential sum in the last bits (see Guides/GradientBoosting.md).
///
/// The rows are walked once for a block of columns (row-major codes), so the additions to
/// different bins are independent and the processor overlaps them; the columns are split over
/// two workers when the node is large. Neither changes any sum: each bin is still accumulated
/// in row order.
///
/// - Complexity: O(m · (d + b)) for m rows, d unbundled features and b bundles from the rows;
///   O(bins) by subtraction.
struct HistogramBuilder: @unchecked Sendable {
  let binned: BinnedFeatures
  /// Start of each feature's histogram.
  let offsets: [Int]
  /// Total number of bins over all features (plus one missing bin each).
  let totalBins: Int
  /// The columns the rows are walked over: unbundled features, then bundles (row-major).
  let workCodes: [UInt8]
  let workColumns: Int
  /// Where each work column's bins start in the work histogram (features first, then bundles).
  let workOffsets: [Int]
  /// Bins of the work histogram.
  let workBins: Int
  /// Each bundle: its features in code order (code k + 1 is feature `bundles[b][k]` at 1),
  /// and where its bins start in the work histogram.
  let bundles: [[Int]]
  let bundleOffsets: [Int]
  /// Work (rows × columns) above which the columns are split over two workers.
  static let parallelThreshold = 60_000

  init(binned: BinnedFeatures, bundling: Bool = true) {
    self.binned = binned
    var offsets: [Int] = []
    var total = 0
    for count in binned.nonMissingBinCounts {
      offsets.append(total)
      total += count + 1
    }
    self.offsets = offsets
    self.totalBins = total
    let n = binned.rows
    let p = binned.columns
    // Greedy exclusive bundling of binary features (code 1 = upper bin).
    var bundles: [[Int]] = []
    var occupied: [[Bool]] = []
    var bundled = [Bool](repeating: false, count: p)
    if bundling {
      binned.codes.withUnsafeBufferPointer { codes in
        for j in 0..<p where binned.nonMissingBinCounts[j] == 2 && !binned.hasMissingValues[j] {
          var ones: [Int] = []
          for i in 0..<n where codes[i * p + j] == 1 { ones.append(i) }
          var placed = false
          for b in 0..<bundles.count where bundles[b].count < 254 {
            if ones.allSatisfy({ !occupied[b][$0] }) {
              bundles[b].append(j)
              for i in ones { occupied[b][i] = true }
              placed = true
              break
            }
          }
          if !placed {
            bundles.append([j])
            var rows = [Bool](repeating: false, count: n)
            for i in ones { rows[i] = true }
            occupied.append(rows)
          }
          bundled[j] = true
        }
      }
      // A bundle of one feature gains nothing.
      for b in bundles.indices where bundles[b].count == 1 { bundled[bundles[b][0]] = false }
      bundles.removeAll { $0.count == 1 }
    }
    let dense = (0..<p).filter { !bundled[$0] }
    var workOffsets = dense.map { offsets[$0] }
    var bundleOffsets: [Int] = []
    var bins = total
    for bundle in bundles {
      bundleOffsets.append(bins)
      workOffsets.append(bins)
      bins += bundle.count + 1
    }
    let w = dense.count + bundles.count
    var work = [UInt8](repeating: 0, count: n * w)
    binned.codes.withUnsafeBufferPointer { codes in
      for i in 0..<n {
        for (k, j) in dense.enumerated() { work[i * w + k] = codes[i * p + j] }
        for (b, bundle) in bundles.enumerated() {
          for (k, j) in bundle.enumerated() where codes[i * p + j] == 1 {
            work[i * w + dense.count + b] = UInt8(k + 1)
          }
        }
      }
    }
    self.workCodes = work
    self.workColumns = w
    self.workOffsets = workOffsets
    self.workBins = bins
    self.bundles = bundles
    self.bundleOffsets = bundleOffsets
  }

  /// Histograms of the rows `rows` (all rows in order when nil), with the rows' gradients and
  /// Hessians `gradients[rows[k]]`.
  func histograms(
    rows: UnsafeBufferPointer<UInt32>?, gradients: UnsafeBufferPointer<Float>,
    hessians: UnsafeBufferPointer<Float>, scratch: inout [Double]
  ) -> [HistogramBin] {
    let m = rows?.count ?? binned.rows
    let w = workColumns
    var out = [HistogramBin](repeating: HistogramBin(), count: workBins)
    if m == 0 {
      out.removeLast(workBins - totalBins)
      return out
    }
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
        workCodes.withUnsafeBufferPointer { codes in
          workOffsets.withUnsafeBufferPointer { offs in
            let codeBase = codes.baseAddress!
            let offBase = offs.baseAddress!
            let rowBase = rows?.baseAddress
            let work = { (part: Int, parts: Int) in
              let f0 = w * part / parts
              let f1 = w * (part + 1) / parts
              if let rowBase {
                accumulate(
                  rows: rowBase, count: m, codes: codeBase, stride: w, columns: f0..<f1,
                  offsets: offBase, ordered: orderedBase, histogram: histBase)
              } else {
                accumulateAll(
                  count: m, codes: codeBase, stride: w, columns: f0..<f1, offsets: offBase,
                  ordered: orderedBase, histogram: histBase)
              }
            }
            if m * w >= HistogramBuilder.parallelThreshold && w >= 2 {
              DispatchQueue.concurrentPerform(iterations: 2) { work($0, 2) }
            } else {
              work(0, 1)
            }
          }
        }
        // Expand the bundles into their features' two bins.
        for (b, bundle) in bundles.enumerated() {
          let base = bundleOffsets[b]
          var totalG = 0.0
          var totalH = 0.0
          for c in 0...bundle.count {
            totalG += histBase[base + c].gradient
            totalH += histBase[base + c].hessian
          }
          for (k, j) in bundle.enumerated() {
            let upper = histBase[base + k + 1]
            let f = offsets[j]
            histBase[f + 1] = upper
            histBase[f] = HistogramBin(
              gradient: totalG - upper.gradient, hessian: totalH - upper.hessian,
              count: m - upper.count)
          }
        }
      }
    }
    out.removeLast(workBins - totalBins)
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

/// Adds the rows `rows[0..<count]` to the histograms of `columns`, row by row.
@inline(__always)
private func accumulate(
  rows: UnsafePointer<UInt32>, count m: Int, codes: UnsafePointer<UInt8>, stride w: Int,
  columns: Range<Int>, offsets: UnsafePointer<Int>, ordered: UnsafePointer<Double>,
  histogram: UnsafeMutablePointer<HistogramBin>
) {
  for k in 0..<m {
    add(
      row: codes + Int(rows[k]) * w, columns, offsets, ordered[2 * k], ordered[2 * k + 1],
      histogram)
  }
}

/// Adds every row, in order (the root).
@inline(__always)
private func accumulateAll(
  count m: Int, codes: UnsafePointer<UInt8>, stride w: Int, columns: Range<Int>,
  offsets: UnsafePointer<Int>, ordered: UnsafePointer<Double>,
  histogram: UnsafeMutablePointer<HistogramBin>
) {
  for k in 0..<m {
    add(row: codes + k * w, columns, offsets, ordered[2 * k], ordered[2 * k + 1], histogram)
  }
}

@inline(__always)
private func add(
  row: UnsafePointer<UInt8>, _ columns: Range<Int>, _ offsets: UnsafePointer<Int>, _ g: Double,
  _ h: Double, _ histogram: UnsafeMutablePointer<HistogramBin>
) {
  var f = columns.lowerBound
  let end = columns.upperBound
  while f < end {
    let bin = histogram + (offsets[f] &+ Int(row[f]))
    bin.pointee.gradient += g
    bin.pointee.hessian += h
    bin.pointee.count &+= 1
    f &+= 1
  }
}
