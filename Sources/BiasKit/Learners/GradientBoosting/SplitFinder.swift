/// The best split of a node: a feature, a bin (rows with bin ≤ `bin` go left), where missing
/// values go, and the sums of each side (scikit-learn's `SplitInfo`).
struct SplitCandidate: Sendable, Equatable {
  var gain: Double = -1
  var feature: Int = 0
  var bin: Int = 0
  var missingGoesLeft = false
  var gradientLeft = 0.0
  var gradientRight = 0.0
  var hessianLeft = 0.0
  var hessianRight = 0.0
  var countLeft = 0
  var countRight = 0
  var valueLeft = 0.0
  var valueRight = 0.0
}

/// Finds the best split of a node from its histograms by scanning each feature's bins.
///
/// With G, H the sums of gradients and Hessians of a side and λ the L2 regularisation, a side's
/// value (Newton step) and the split's gain are (XGBoost, eqs. 5-7, as scikit-learn computes
/// them, in this order of operations):
///
///     v(G, H) = −G / (H + λ + 10⁻¹⁵)
///     gain = G_node · v_node − G_L · v(G_L, H_L) − G_R · v(G_R, H_R)
///
/// where v_node is the node's own value (0 at the root). Each feature is scanned left to right
/// with the missing values on the right; when the feature has missing values in the training
/// rows it is scanned again right to left with them on the left, and the better direction is
/// learned (XGBoost's sparsity-aware split, Algorithm 3). Sides with fewer than
/// `minSamplesLeaf` rows or a Hessian sum below `minHessianToSplit` are skipped; a split must
/// beat `minGainToSplit`. Ties go to the lower feature, then the lower bin.
///
/// Corresponds to scikit-learn 1.9's `Splitter.find_node_split` for numerical features without
/// monotonic or interaction constraints.
///
/// - Complexity: O(bins) per node.
///
/// ## References
/// - Chen, Guestrin. XGBoost: A Scalable Tree Boosting System. KDD 2016.
struct SplitFinder: Sendable {
  let nonMissingBinCounts: [Int]
  let hasMissingValues: [Bool]
  let offsets: [Int]
  let l2Regularization: Double
  let minHessianToSplit: Double
  let minSamplesLeaf: Int
  let minGainToSplit: Double

  @inline(__always)
  func nodeValue(_ gradient: Double, _ hessian: Double) -> Double {
    -gradient / (hessian + l2Regularization + 1e-15)
  }

  @inline(__always)
  func gain(
    _ gl: Double, _ hl: Double, _ gr: Double, _ hr: Double, current: Double
  ) -> Double {
    let vl = nodeValue(gl, hl)
    let vr = nodeValue(gr, hr)
    var gain = current
    gain -= gl * vl
    gain -= gr * vr
    return gain
  }

  /// The best split over all features of a node with `count` rows, gradient and Hessian sums
  /// and value `value`.
  func bestSplit(
    histograms: [HistogramBin], count: Int, sumGradients: Double, sumHessians: Double,
    value: Double
  ) -> SplitCandidate {
    var best = SplitCandidate()
    histograms.withUnsafeBufferPointer { hist in
      for f in 0..<nonMissingBinCounts.count {
        var candidate = SplitCandidate()
        candidate.feature = f
        let base = hist.baseAddress! + offsets[f]
        scanLeftToRight(
          f, base, count, sumGradients, sumHessians, value, &candidate)
        if hasMissingValues[f] {
          scanRightToLeft(f, base, count, sumGradients, sumHessians, value, &candidate)
        }
        if f == 0 || candidate.gain > best.gain { best = candidate }
      }
    }
    return best
  }

  private func scanLeftToRight(
    _ f: Int, _ hist: UnsafePointer<HistogramBin>, _ n: Int, _ sumG: Double, _ sumH: Double,
    _ value: Double, _ out: inout SplitCandidate
  ) {
    let end = nonMissingBinCounts[f] - 1 + (hasMissingValues[f] ? 1 : 0)
    var gl = 0.0
    var hl = 0.0
    var nl = 0
    let current = sumG * value
    var bestGain = -1.0
    var bestBin = -1
    var bestGL = 0.0
    var bestHL = 0.0
    var bestNL = 0
    var b = 0
    while b < end {
      let bin = hist[b]
      nl += bin.count
      let nr = n - nl
      hl += bin.hessian
      let hr = sumH - hl
      gl += bin.gradient
      let gr = sumG - gl
      b += 1
      if nl < minSamplesLeaf { continue }
      if nr < minSamplesLeaf { break }
      if hl < minHessianToSplit { continue }
      if hr < minHessianToSplit { break }
      let g = gain(gl, hl, gr, hr, current: current)
      if g > bestGain && g > minGainToSplit {
        bestGain = g
        bestBin = b - 1
        bestGL = gl
        bestHL = hl
        bestNL = nl
      }
    }
    if bestBin >= 0 {
      record(&out, bestGain, bestBin, false, bestGL, bestHL, bestNL, sumG, sumH, n)
    }
  }

  private func scanRightToLeft(
    _ f: Int, _ hist: UnsafePointer<HistogramBin>, _ n: Int, _ sumG: Double, _ sumH: Double,
    _ value: Double, _ out: inout SplitCandidate
  ) {
    var gr = 0.0
    var hr = 0.0
    var nr = 0
    let current = sumG * value
    var bestGain = out.gain
    var bestBin = -1
    var bestGL = 0.0
    var bestHL = 0.0
    var bestNL = 0
    var b = nonMissingBinCounts[f] - 2
    while b >= 0 {
      let bin = hist[b + 1]
      nr += bin.count
      let nl = n - nr
      hr += bin.hessian
      let hl = sumH - hr
      gr += bin.gradient
      let gl = sumG - gr
      b -= 1
      if nr < minSamplesLeaf { continue }
      if nl < minSamplesLeaf { break }
      if hr < minHessianToSplit { continue }
      if hl < minHessianToSplit { break }
      let g = gain(gl, hl, gr, hr, current: current)
      if g > bestGain && g > minGainToSplit {
        bestGain = g
        bestBin = b + 1
        bestGL = gl
        bestHL = hl
        bestNL = nl
      }
    }
    if bestBin >= 0 {
      record(&out, bestGain, bestBin, true, bestGL, bestHL, bestNL, sumG, sumH, n)
    }
  }

  @inline(__always)
  private func record(
    _ out: inout SplitCandidate, _ gain: Double, _ bin: Int, _ missingLeft: Bool, _ gl: Double,
    _ hl: Double, _ nl: Int, _ sumG: Double, _ sumH: Double, _ n: Int
  ) {
    out.gain = gain
    out.bin = bin
    out.missingGoesLeft = missingLeft
    out.gradientLeft = gl
    out.gradientRight = sumG - gl
    out.hessianLeft = hl
    out.hessianRight = sumH - hl
    out.countLeft = nl
    out.countRight = n - nl
    out.valueLeft = nodeValue(out.gradientLeft, out.hessianLeft)
    out.valueRight = nodeValue(out.gradientRight, out.hessianRight)
  }
}
