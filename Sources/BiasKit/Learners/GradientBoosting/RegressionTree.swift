import Dispatch

/// One fitted tree of a gradient-boosting model, as an array of nodes in depth-first order
/// (left child first), root at index 0.
///
/// A row goes left at an internal node when its feature value is `≤ threshold`, or, when the
/// value is missing (NaN), when `missingGoesLeft`; a threshold of `+∞` is a "split on missing":
/// every present value goes left. The row's prediction is the value of the leaf it reaches.
///
/// Corresponds to scikit-learn 1.9's `TreePredictor` (`nodes` with `PREDICTOR_RECORD_DTYPE`:
/// `value`, `count`, `feature_idx`, `num_threshold`, `missing_go_to_left`, `left`, `right`,
/// `gain`, `depth`, `is_leaf`, `bin_threshold`), numerical features only.
///
/// - Complexity: O(depth) per row.
public struct RegressionTree: Sendable, Equatable {
  /// One node.
  public struct Node: Sendable, Equatable {
    /// The leaf's prediction (learning rate applied); for an internal node, its Newton value.
    public var value: Double
    /// Training rows that reached the node.
    public var count: Int
    /// The split feature (internal nodes).
    public var feature: Int
    /// The split threshold on the raw value (`num_threshold`).
    public var threshold: Double
    /// The split threshold on the bin index (`bin_threshold`).
    public var binThreshold: Int
    /// Where missing values go.
    public var missingGoesLeft: Bool
    /// Children (internal nodes).
    public var left: Int
    public var right: Int
    /// The split's gain (−1 for a leaf).
    public var gain: Double
    /// Distance from the root.
    public var depth: Int
    public var isLeaf: Bool
  }

  /// The nodes, root first.
  public var nodes: [Node]

  public init(nodes: [Node]) { self.nodes = nodes }

  /// The prediction for one row of raw features.
  @inline(__always)
  func predict(_ row: UnsafePointer<Double>) -> Double {
    nodes.withUnsafeBufferPointer { nodes in
      var node = nodes[0]
      while !node.isLeaf {
        let x = row[node.feature]
        let left = x.isNaN ? node.missingGoesLeft : x <= node.threshold
        node = nodes[left ? node.left : node.right]
      }
      return node.value
    }
  }

  /// Number of leaves.
  public var leafCount: Int { nodes.reduce(0) { $0 + ($1.isLeaf ? 1 : 0) } }

  /// The tree in depth-first order from a grown tree (scikit-learn's `_fill_predictor_arrays`).
  init(grown: TreeGrower.Result, binning: FeatureBinning) {
    var out: [Node] = []
    out.reserveCapacity(grown.nodes.count)
    func fill(_ index: Int) {
      let node = grown.nodes[index]
      let position = out.count
      out.append(
        Node(
          value: node.value, count: node.count, feature: 0, threshold: 0, binThreshold: 0,
          missingGoesLeft: false, left: 0, right: 0, gain: node.split?.gain ?? -1,
          depth: node.depth, isLeaf: node.isLeaf))
      if node.isLeaf { return }
      let split = node.split!
      out[position].feature = split.feature
      out[position].binThreshold = split.bin
      out[position].missingGoesLeft = split.missingGoesLeft
      let thresholds = binning.thresholds[split.feature]
      out[position].threshold =
        split.bin == thresholds.count ? Double.infinity : thresholds[split.bin]
      out[position].left = out.count
      fill(node.left)
      out[position].right = out.count
      fill(node.right)
    }
    fill(0)
    self.nodes = out
  }
}

/// All trees of a model in flat arrays for prediction, trees end to end. The two children of a
/// node are adjacent (`child`, `child + 1` for left, right) and a leaf points to itself with a
/// threshold of +∞, so that `depth` steps of
///
///     node = child[node] + (x > threshold[node] or (x is NaN and not missingGoesLeft[node]))
///
/// take every row to its leaf without a branch; eight rows are walked together so that their
/// loads overlap.
struct FlatForest {
  var roots: [Int32] = []
  var depths: [Int32] = []
  var feature: [Int32] = []
  var threshold: [Double] = []
  var value: [Double] = []
  var child: [Int32] = []
  var missingGoesLeft: [Bool] = []

  init(_ trees: [RegressionTree]) {
    for tree in trees {
      let base = Int32(feature.count)
      roots.append(base)
      var depth = 0
      // Breadth first: each internal node's children get two consecutive slots.
      var order = [0]
      var slot = [Int](repeating: 0, count: tree.nodes.count)
      var k = 0
      while k < order.count {
        let node = tree.nodes[order[k]]
        depth = max(depth, node.depth)
        if !node.isLeaf {
          slot[node.left] = order.count
          order.append(node.left)
          slot[node.right] = order.count
          order.append(node.right)
        }
        k += 1
      }
      depths.append(Int32(depth))
      for (position, index) in order.enumerated() {
        let node = tree.nodes[index]
        if node.isLeaf {
          feature.append(0)
          threshold.append(.infinity)
          child.append(base + Int32(position))
          missingGoesLeft.append(true)
        } else {
          feature.append(Int32(node.feature))
          threshold.append(node.threshold)
          child.append(base + Int32(slot[node.left]))
          missingGoesLeft.append(node.missingGoesLeft)
        }
        value.append(node.value)
      }
    }
  }

  /// `baseline + Σ_t tree_t(x)` for each row, the trees added in order.
  func predict(_ features: Matrix, baseline: Double) -> [Double] {
    let n = features.rows
    let p = features.columns
    var raw = [Double](repeating: baseline, count: n)
    if n == 0 { return raw }
    raw.withUnsafeMutableBufferPointer { out in
      let outBase = out.baseAddress!
      features.values.withUnsafeBufferPointer { x in
        let xBase = x.baseAddress!
        roots.withUnsafeBufferPointer { roots in
          depths.withUnsafeBufferPointer { depths in
            feature.withUnsafeBufferPointer { feature in
              threshold.withUnsafeBufferPointer { threshold in
                value.withUnsafeBufferPointer { value in
                  child.withUnsafeBufferPointer { child in
                    missingGoesLeft.withUnsafeBufferPointer { missingLeft in
                      let work = { (lo: Int, hi: Int) in
                        var i = lo
                        while i < hi {
                          let width = min(8, hi - i)
                          var node = (0, 0, 0, 0, 0, 0, 0, 0)
                          withUnsafeMutableBytes(of: &node) { raw in
                            let nodes = raw.bindMemory(to: Int.self)
                            for t in 0..<roots.count {
                              let root = Int(roots[t])
                              for r in 0..<8 { nodes[r] = root }
                              for _ in 0..<Int(depths[t]) {
                                var moved = false
                                for r in 0..<width {
                                  let current = nodes[r]
                                  let v = xBase[(i + r) * p + Int(feature[current])]
                                  let right =
                                    !(v <= threshold[current]) != (v.isNaN && missingLeft[current])
                                  let next = Int(child[current]) &+ (right ? 1 : 0)
                                  moved = moved || next != current
                                  nodes[r] = next
                                }
                                if !moved { break }
                              }
                              for r in 0..<width { outBase[i + r] += value[nodes[r]] }
                            }
                          }
                          i += width
                        }
                      }
                      if n * roots.count >= 400_000 && n >= 16 {
                        DispatchQueue.concurrentPerform(iterations: 2) { part in
                          work(n * part / 2, n * (part + 1) / 2)
                        }
                      } else {
                        work(0, n)
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return raw
  }
}
