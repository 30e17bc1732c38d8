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
