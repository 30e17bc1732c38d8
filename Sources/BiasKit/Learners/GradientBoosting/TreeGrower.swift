import Dispatch

/// Grows one regression tree on the gradients and Hessians of the current model, best first:
/// the leaf whose split gains most is split next, until no leaf can be split or the tree has
/// `maxLeafNodes` leaves.
///
/// A leaf is not split further when it has fewer than `2 · minSamplesLeaf` rows, when it is at
/// `maxDepth`, or when no split passes the ``SplitFinder``'s rules; its value is the Newton step
/// `−G / (H + λ)` times the learning rate (`shrinkage`). The smaller child of each split gets its
/// histograms from its rows, the larger one by subtraction from the parent's.
///
/// Corresponds to scikit-learn 1.9's `TreeGrower` (`grow`, `split_next`, `_finalize_leaf`): the
/// same priority queue (Python's `heapq` with "higher gain first", ties broken as `heapq`
/// does), the same stable partition of the rows and the same order of histogram sums, so the
/// same tree. When a feature had no missing values in training, rows missing it at prediction
/// go to the child with more training rows, as scikit-learn does.
///
/// - Complexity: O(n · p) for the root and O(m · p) per split (m the smaller child's rows),
///   plus O(bins) per node for the split search.
struct TreeGrower {
  let binned: BinnedFeatures
  let histogramBuilder: HistogramBuilder
  let splitFinder: SplitFinder
  var maxLeafNodes: Int?
  var maxDepth: Int?
  var minSamplesLeaf: Int
  var shrinkage: Double

  /// A node while the tree grows.
  struct Node {
    var depth: Int
    var start: Int
    var stop: Int
    var sumGradients: Double
    var sumHessians: Double
    var value: Double
    var split: SplitCandidate? = nil
    var isLeaf = false
    var left = -1
    var right = -1
    var histograms: [HistogramBin]? = nil
    var count: Int { stop - start }
  }

  /// The grown tree: its nodes (index 0 is the root) and the rows of each leaf.
  struct Result {
    var nodes: [Node]
    /// The row order after all splits: leaf k owns `partition[nodes[k].start ..< stop]`.
    var partition: [UInt32]
    var leaves: [Int]
  }

  init(
    binned: BinnedFeatures, histogramBuilder: HistogramBuilder, l2Regularization: Double,
    minSamplesLeaf: Int, minGainToSplit: Double, maxLeafNodes: Int?, maxDepth: Int?,
    shrinkage: Double
  ) {
    self.binned = binned
    self.histogramBuilder = histogramBuilder
    self.splitFinder = SplitFinder(
      nonMissingBinCounts: binned.nonMissingBinCounts, hasMissingValues: binned.hasMissingValues,
      offsets: histogramBuilder.offsets, l2Regularization: l2Regularization,
      minHessianToSplit: 1e-3, minSamplesLeaf: minSamplesLeaf, minGainToSplit: minGainToSplit)
    self.maxLeafNodes = maxLeafNodes
    self.maxDepth = maxDepth
    self.minSamplesLeaf = minSamplesLeaf
    self.shrinkage = shrinkage
  }

  func grow(gradients: [Float], hessians: [Float], scratch: inout [Double]) -> Result {
    let n = binned.rows
    var partition = [UInt32](unsafeUninitializedCapacity: n) { buffer, count in
      for i in 0..<n { buffer[i] = UInt32(i) }
      count = n
    }
    var buffer = [UInt32](repeating: 0, count: n)
    var nodes: [Node] = []
    var leaves: [Int] = []
    var heap: [Int] = []

    let rootHistograms = gradients.withUnsafeBufferPointer { g in
      hessians.withUnsafeBufferPointer { h in
        histogramBuilder.histograms(rows: nil, gradients: g, hessians: h, scratch: &scratch)
      }
    }
    let (sumG, sumH) = featureTotals(rootHistograms, feature: 0)
    nodes.append(
      Node(depth: 0, start: 0, stop: n, sumGradients: sumG, sumHessians: sumH, value: 0))
    if n < 2 * minSamplesLeaf || sumH < splitFinder.minHessianToSplit {
      nodes[0].isLeaf = true
      leaves.append(0)
    } else {
      nodes[0].histograms = rootHistograms
      splitOrFinalize(0, &nodes, &heap, &leaves)
    }

    while !heap.isEmpty {
      let index = heapPop(&heap, nodes)
      let split = nodes[index].split!
      let start = nodes[index].start
      let stop = nodes[index].stop
      let leftCount = partition.withUnsafeMutableBufferPointer { part in
        buffer.withUnsafeMutableBufferPointer { buf in
          stablePartition(part, buf, start, stop, split)
        }
      }
      let depth = nodes[index].depth + 1
      let leafCount = leaves.count + heap.count + 2
      var left = Node(
        depth: depth, start: start, stop: start + leftCount, sumGradients: split.gradientLeft,
        sumHessians: split.hessianLeft, value: split.valueLeft)
      var right = Node(
        depth: depth, start: start + leftCount, stop: stop, sumGradients: split.gradientRight,
        sumHessians: split.hessianRight, value: split.valueRight)
      if !binned.hasMissingValues[split.feature] {
        nodes[index].split!.missingGoesLeft = left.count > right.count
      }
      let leftIndex = nodes.count
      let rightIndex = nodes.count + 1
      nodes[index].left = leftIndex
      nodes[index].right = rightIndex
      let parentHistograms = nodes[index].histograms
      nodes[index].histograms = nil

      if let maxLeafNodes, leafCount == maxLeafNodes {
        left.isLeaf = true
        right.isLeaf = true
        nodes.append(left)
        nodes.append(right)
        leaves.append(leftIndex)
        leaves.append(rightIndex)
        while let last = heap.popLast() {
          nodes[last].isLeaf = true
          nodes[last].histograms = nil
          leaves.append(last)
        }
        break
      }
      if let maxDepth, depth == maxDepth {
        left.isLeaf = true
        right.isLeaf = true
        nodes.append(left)
        nodes.append(right)
        leaves.append(leftIndex)
        leaves.append(rightIndex)
        continue
      }
      if left.count < 2 * minSamplesLeaf {
        left.isLeaf = true
        leaves.append(leftIndex)
      }
      if right.count < 2 * minSamplesLeaf {
        right.isLeaf = true
        leaves.append(rightIndex)
      }
      nodes.append(left)
      nodes.append(right)
      if left.isLeaf && right.isLeaf { continue }

      let smallIsLeft = left.count < right.count
      let small = smallIsLeft ? left : right
      let smallHistograms = partition.withUnsafeBufferPointer { part in
        gradients.withUnsafeBufferPointer { g in
          hessians.withUnsafeBufferPointer { h in
            histogramBuilder.histograms(
              rows: UnsafeBufferPointer(rebasing: part[small.start..<small.stop]), gradients: g,
              hessians: h, scratch: &scratch)
          }
        }
      }
      let largeHistograms = histogramBuilder.subtracting(smallHistograms, from: parentHistograms!)
      nodes[leftIndex].histograms = smallIsLeft ? smallHistograms : largeHistograms
      nodes[rightIndex].histograms = smallIsLeft ? largeHistograms : smallHistograms
      for child in [leftIndex, rightIndex] {
        if nodes[child].isLeaf {
          nodes[child].histograms = nil
        } else {
          splitOrFinalize(child, &nodes, &heap, &leaves)
        }
      }
    }
    for leaf in leaves { nodes[leaf].value *= shrinkage }
    return Result(nodes: nodes, partition: partition, leaves: leaves)
  }

  /// Finds the node's best split and queues it, or makes the node a leaf when no split gains.
  private func splitOrFinalize(
    _ index: Int, _ nodes: inout [Node], _ heap: inout [Int], _ leaves: inout [Int]
  ) {
    let node = nodes[index]
    let split = splitFinder.bestSplit(
      histograms: node.histograms!, count: node.count, sumGradients: node.sumGradients,
      sumHessians: node.sumHessians, value: node.value)
    nodes[index].split = split
    if split.gain <= 0 {
      nodes[index].isLeaf = true
      nodes[index].histograms = nil
      leaves.append(index)
    } else {
      heapPush(&heap, index, nodes)
    }
  }

  /// The gradient and Hessian totals from one feature's histogram, summed as NumPy sums the
  /// reference's full `n_bins` row (the unused bins are zeros at their positions).
  private func featureTotals(_ histograms: [HistogramBin], feature: Int) -> (Double, Double) {
    let bins = binned.maxBins + 1
    var g = [Double](repeating: 0, count: bins)
    var h = [Double](repeating: 0, count: bins)
    let used = binned.nonMissingBinCounts[feature]
    let offset = histogramBuilder.offsets[feature]
    for b in 0..<used {
      g[b] = histograms[offset + b].gradient
      h[b] = histograms[offset + b].hessian
    }
    g[bins - 1] = histograms[offset + used].gradient
    h[bins - 1] = histograms[offset + used].hessian
    return (numpySum(g), numpySum(h))
  }

  /// Moves the rows going left to the front of `start..<stop`, keeping the order on each side
  /// (scikit-learn's `split_indices` gives the same order for any number of threads).
  private func stablePartition(
    _ part: UnsafeMutableBufferPointer<UInt32>, _ buffer: UnsafeMutableBufferPointer<UInt32>,
    _ start: Int, _ stop: Int, _ split: SplitCandidate
  ) -> Int {
    let p = binned.columns
    let feature = split.feature
    let threshold = UInt8(split.bin)
    let missingCode = UInt8(binned.nonMissingBinCounts[feature])
    let missingLeft = split.missingGoesLeft
    var l = start
    var r = 0
    binned.codes.withUnsafeBufferPointer { codes in
      let column = codes.baseAddress! + feature
      for k in start..<stop {
        let i = part[k]
        let code = column[Int(i) * p]
        let goesLeft = code == missingCode ? missingLeft || code <= threshold : code <= threshold
        if goesLeft {
          part[l] = i
          l += 1
        } else {
          buffer[r] = i
          r += 1
        }
      }
    }
    for k in 0..<r { part[l + k] = buffer[k] }
    return l - start
  }

  // Python's heapq on node indices, "smaller" meaning a higher gain (TreeNode.__lt__).

  private func less(_ a: Int, _ b: Int, _ nodes: [Node]) -> Bool {
    nodes[a].split!.gain > nodes[b].split!.gain
  }

  private func heapPush(_ heap: inout [Int], _ item: Int, _ nodes: [Node]) {
    heap.append(item)
    siftDown(&heap, 0, heap.count - 1, nodes)
  }

  private func heapPop(_ heap: inout [Int], _ nodes: [Node]) -> Int {
    let last = heap.removeLast()
    guard !heap.isEmpty else { return last }
    let top = heap[0]
    heap[0] = last
    siftUp(&heap, 0, nodes)
    return top
  }

  private func siftDown(_ heap: inout [Int], _ startPosition: Int, _ position: Int, _ nodes: [Node])
  {
    var pos = position
    let item = heap[pos]
    while pos > startPosition {
      let parentPosition = (pos - 1) >> 1
      let parent = heap[parentPosition]
      if less(item, parent, nodes) {
        heap[pos] = parent
        pos = parentPosition
        continue
      }
      break
    }
    heap[pos] = item
  }

  private func siftUp(_ heap: inout [Int], _ position: Int, _ nodes: [Node]) {
    let end = heap.count
    let startPosition = position
    var pos = position
    let item = heap[pos]
    var child = 2 * pos + 1
    while child < end {
      let rightChild = child + 1
      if rightChild < end && !less(heap[child], heap[rightChild], nodes) { child = rightChild }
      heap[pos] = heap[child]
      pos = child
      child = 2 * pos + 1
    }
    heap[pos] = item
    siftDown(&heap, startPosition, pos, nodes)
  }
}
