import Foundation

/// Exact Euclidean k-nearest neighbours of query rows among reference rows: the one k-NN
/// every resampler shares.
///
/// For a query `q` and reference rows `r_0, …, r_{n−1}` the neighbours are the `k` rows with
/// the smallest squared distance
///
///     d(q, r) = Σ_j (q_j − r_j)²      (summed in column order, in double precision)
///
/// ordered by distance, then by row index. The distance is computed exactly as
/// scikit-learn's `KDTree`/`BallTree` compute their "reduced distance" (same differences,
/// same summation order), so the values agree bit for bit with
/// `sklearn.neighbors.NearestNeighbors(algorithm="kd_tree").kneighbors` (whose distances are
/// `sqrt(d)`). Exact distance ties are broken by the lower row index; scikit-learn's trees
/// break them by the order of their leaves, so the two can differ only between rows at exactly
/// the same distance (duplicated points).
///
/// ## Algorithm
/// Screen and refine. Rows are centred on the reference mean and rounded to `Float`; a blocked
/// kernel (8 reference rows per SIMD lane group, 4 queries at a time, both cores via
/// `DispatchQueue.concurrentPerform` over blocks of queries) computes the approximate
/// `‖q‖² + ‖r‖² − 2 q·r` and keeps, per query, the `k + 8` best in a small sorted buffer. With
/// `E` a rigorous bound on the error of the approximation
/// (`(d + 16) · 2⁻²³ · (‖q‖² + max ‖r‖²)`), every true neighbour has an approximate distance
/// within `2E` of the `k`-th kept one; if the buffer's last entry is beyond that window, the
/// kept candidates provably contain the exact answer, which is then chosen with exact double
/// distances. Otherwise (many rows within the error window: duplicates, huge magnitudes) that
/// query falls back to an exact scan. The result is therefore always the exact answer.
///
/// Corresponds to `sklearn.neighbors.NearestNeighbors(n_neighbors=k).fit(R).kneighbors(Q)`;
/// imbalanced-learn's samplers query `k + 1` neighbours of the fitted rows themselves and drop
/// the first column, which ``neighbors(ofReferenceRowsExcludingFirst:)`` reproduces.
///
/// - Complexity: O(m · n · d) time for m queries, n reference rows, d columns (the screen runs
///   at single-precision SIMD speed); O(n · d) extra memory for the rounded copy.
public struct NearestNeighbors: Sendable {
  /// How the neighbours are found; both give the same answer.
  public enum Method: Sendable, Equatable {
    /// Single-precision screen plus exact refinement for large inputs, exact scan for small.
    case automatic
    /// Exact double-precision scan of every reference row for every query.
    case exactScan
    /// Always the screen-and-refine path (for tests).
    case screened
  }

  /// The reference rows, as given.
  public let reference: Matrix
  /// The method used by ``neighbors(of:count:)``.
  public var method: Method

  public init(reference: Matrix, method: Method = .automatic) {
    self.reference = reference
    self.method = method
  }

  /// The `count` nearest reference rows of each row of `queries`.
  ///
  /// - Precondition: `1 <= count <= reference.rows`, `queries.columns == reference.columns`,
  ///   all values finite (the resamplers validate their input before calling).
  public func neighbors(of queries: Matrix, count: Int) -> NeighborList {
    precondition(queries.columns == reference.columns, "NearestNeighbors: column count differs")
    precondition(count >= 1 && count <= reference.rows, "NearestNeighbors: bad neighbour count")
    let useScreen: Bool
    switch method {
    case .exactScan: useScreen = false
    case .screened: useScreen = true
    case .automatic: useScreen = queries.rows * reference.rows >= 40_000 && reference.columns >= 2
    }
    if useScreen, let screen = Screen(reference: reference) {
      if queries == reference && reference.rows <= 4_000_000 {
        return screen.searchSelf(reference: reference, count: count)
      }
      return screen.search(queries: queries, reference: reference, count: count)
    }
    return Self.exactScan(queries: queries, reference: reference, count: count)
  }

  /// Neighbours of every reference row among the reference rows, as imbalanced-learn asks for
  /// them: `count + 1` neighbours, then the first column dropped (normally the row itself).
  public func neighbors(ofReferenceRowsExcludingFirst count: Int) -> NeighborList {
    neighbors(of: reference, count: count + 1).droppingFirstColumn()
  }

  // MARK: - Exact scan

  static func exactScan(queries: Matrix, reference: Matrix, count k: Int) -> NeighborList {
    let m = queries.rows
    let d = reference.columns
    let n = reference.rows
    var indices = [Int](repeating: 0, count: m * k)
    var distances = [Double](repeating: 0, count: m * k)
    let blockSize = 32
    let blocks = (m + blockSize - 1) / blockSize
    queries.values.withUnsafeBufferPointer { qp in
      reference.values.withUnsafeBufferPointer { rp in
        indices.withUnsafeMutableBufferPointer { ip in
          distances.withUnsafeMutableBufferPointer { dp in
            let shared = WorkerShared((qp, rp, ip, dp))
            concurrentBlocks(blocks) { b in
              let (qp, rp, ip, dp) = shared.value
              var best = TopK(k: k)
              for q in (b * blockSize)..<min(m, (b + 1) * blockSize) {
                best.reset()
                let qrow = qp.baseAddress! + q * d
                for r in 0..<n {
                  let dist = exactSquaredDistance(qrow, rp.baseAddress! + r * d, d)
                  best.insert(dist, r)
                }
                best.write(to: ip.baseAddress! + q * k, dp.baseAddress! + q * k)
              }
            }
          }
        }
      }
    }
    return NeighborList(count: k, indices: indices, squaredDistances: distances)
  }

  /// `Σ_j (a_j − b_j)²` summed left to right, as scikit-learn's trees do.
  @inline(__always)
  static func exactSquaredDistance(
    _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int
  ) -> Double {
    var sum = 0.0
    for j in 0..<d {
      let t = a[j] - b[j]
      sum += t * t
    }
    return sum
  }
}

/// The result of a k-NN query: for each query, `count` reference row indices and their
/// squared distances, nearest first (ties: lower index first).
public struct NeighborList: Sendable, Equatable {
  /// Neighbours per query.
  public let count: Int
  /// Row-major `queries × count` reference row indices.
  public var indices: [Int]
  /// Row-major `queries × count` squared Euclidean distances.
  public var squaredDistances: [Double]

  public init(count: Int, indices: [Int], squaredDistances: [Double]) {
    self.count = count
    self.indices = indices
    self.squaredDistances = squaredDistances
  }

  /// Number of queries.
  public var queryCount: Int { count == 0 ? 0 : indices.count / count }

  /// The neighbours of query `q`.
  public func neighbors(of q: Int) -> ArraySlice<Int> { indices[(q * count)..<((q + 1) * count)] }

  /// The Euclidean distance (`sqrt` of the squared distance, as scikit-learn returns it).
  public func distance(query q: Int, rank: Int) -> Double {
    squaredDistances[q * count + rank].squareRoot()
  }

  /// The list without its first column (imbalanced-learn's `kneighbors(X)[:, 1:]`).
  public func droppingFirstColumn() -> NeighborList {
    precondition(count >= 1)
    let m = queryCount
    let c = count - 1
    var idx = [Int](repeating: 0, count: m * c)
    var dist = [Double](repeating: 0, count: m * c)
    for q in 0..<m {
      for j in 0..<c {
        idx[q * c + j] = indices[q * count + j + 1]
        dist[q * c + j] = squaredDistances[q * count + j + 1]
      }
    }
    return NeighborList(count: c, indices: idx, squaredDistances: dist)
  }
}

/// Runs `body(0..<blocks)` on all cores. What `body` shares with the other blocks goes in a
/// ``WorkerShared`` (each block writes only its own rows).
@inline(__always)
func concurrentBlocks(_ blocks: Int, _ body: @Sendable (Int) -> Void) {
  if blocks <= 1 {
    if blocks == 1 { body(0) }
    return
  }
  DispatchQueue.concurrentPerform(iterations: blocks, execute: body)
}

/// The `k` smallest (distance, index) pairs seen so far, sorted.
struct TopK {
  let k: Int
  var distances: [Double]
  var indices: [Int]
  var filled = 0

  init(k: Int) {
    self.k = k
    distances = [Double](repeating: .infinity, count: k)
    indices = [Int](repeating: .max, count: k)
  }

  mutating func reset() {
    filled = 0
    for i in 0..<k {
      distances[i] = .infinity
      indices[i] = .max
    }
  }

  /// Inserts if (d, i) precedes the current k-th pair in (distance, index) order.
  @inline(__always)
  mutating func insert(_ d: Double, _ i: Int) {
    let last = k - 1
    if filled == k && (d > distances[last] || (d == distances[last] && i > indices[last])) {
      return
    }
    var p = filled == k ? last : filled
    if filled < k { filled += 1 }
    while p > 0 && (distances[p - 1] > d || (distances[p - 1] == d && indices[p - 1] > i)) {
      distances[p] = distances[p - 1]
      indices[p] = indices[p - 1]
      p -= 1
    }
    distances[p] = d
    indices[p] = i
  }

  func write(to idx: UnsafeMutablePointer<Int>, _ dist: UnsafeMutablePointer<Double>) {
    for j in 0..<k {
      idx[j] = indices[j]
      dist[j] = distances[j]
    }
  }
}

/// The single-precision screen: reference rows centred, rounded to Float and stored in groups
/// of 8 rows, each group column by column, so one SIMD load holds one column of 8 rows.
struct Screen {
  static let lanes = 8
  static let extra = 8
  let rows: Int
  let columns: Int
  let groups: Int
  let center: [Double]
  /// `(group * columns + j) * 8 + lane`.
  let packed: [Float]
  /// Squared norm of each packed (rounded) row; 1e30 for padding lanes.
  let norms: [Float]
  let maxNorm: Double
  /// Largest absolute value in the reference rows or their mean.
  let maxAbs: Double

  init?(reference: Matrix) {
    rows = reference.rows
    columns = reference.columns
    let d = columns
    groups = (rows + Self.lanes - 1) / Self.lanes
    var center = [Double](repeating: 0, count: d)
    for i in 0..<rows {
      for j in 0..<d { center[j] += reference.values[i * d + j] }
    }
    for j in 0..<d { center[j] /= Double(max(rows, 1)) }
    var packed = [Float](repeating: 0, count: groups * d * Self.lanes)
    // Padding lanes get a huge finite norm: never a candidate, and no ∞ − ∞ in the kernel.
    var norms = [Float](repeating: 1e30, count: groups * Self.lanes)
    var maxNorm = 0.0
    var maxAbs = center.reduce(0) { max($0, abs($1)) }
    for v in reference.values { maxAbs = max(maxAbs, abs(v)) }
    for i in 0..<rows {
      let g = i / Self.lanes
      let lane = i % Self.lanes
      var norm = 0.0
      for j in 0..<d {
        let v = Float(reference.values[i * d + j] - center[j])
        packed[(g * d + j) * Self.lanes + lane] = v
        norm += Double(v) * Double(v)
      }
      norms[i] = Float(norm)
      maxNorm = max(maxNorm, norm)
    }
    // Float overflow or huge magnitudes: the screen would not help.
    guard maxNorm.isFinite, maxNorm < 1e20 else { return nil }
    self.center = center
    self.packed = packed
    self.norms = norms
    self.maxNorm = maxNorm
    self.maxAbs = maxAbs
  }

  func search(queries: Matrix, reference: Matrix, count k: Int) -> NeighborList {
    let m = queries.rows
    let d = columns
    let keep = min(rows, k + Self.extra)
    var indices = [Int](repeating: 0, count: m * k)
    var distances = [Double](repeating: 0, count: m * k)
    let queryBlock = 64
    let blocks = (m + queryBlock - 1) / queryBlock
    let groupBlock = max(1, 16_384 / max(1, d * Self.lanes))  // ~64 KB of packed rows
    packed.withUnsafeBufferPointer { pp in
      norms.withUnsafeBufferPointer { np in
        queries.values.withUnsafeBufferPointer { qp in
          reference.values.withUnsafeBufferPointer { rp in
            indices.withUnsafeMutableBufferPointer { ip in
              distances.withUnsafeMutableBufferPointer { dp in
                let shared = WorkerShared((pp, np, qp, rp, ip, dp))
                concurrentBlocks(blocks) { b in
                  let (pp, np, qp, rp, ip, dp) = shared.value
                  let q0 = b * queryBlock
                  let q1 = min(m, q0 + queryBlock)
                  let nq = q1 - q0
                  // Centred, rounded queries (padded to a multiple of 4 with copies of the last).
                  let padded = (nq + 3) / 4 * 4
                  var qf = [Float](repeating: 0, count: padded * d)
                  var qn = [Float](repeating: 0, count: padded)
                  var qnExact = [Double](repeating: 0, count: padded)
                  for t in 0..<padded {
                    let q = q0 + min(t, nq - 1)
                    var norm = 0.0
                    for j in 0..<d {
                      let v = Float(qp[q * d + j] - center[j])
                      qf[t * d + j] = v
                      norm += Double(v) * Double(v)
                    }
                    qn[t] = Float(norm)
                    qnExact[t] = norm
                  }
                  let heaps = CandidateBuffers(queries: padded, keep: keep, realRows: padded)
                  qf.withUnsafeBufferPointer { qfp in
                    var g0 = 0
                    qn.withUnsafeBufferPointer { qnp in
                      while g0 < groups {
                        let g1 = min(groups, g0 + groupBlock)
                        var t = 0
                        while t < padded {
                          kernel(
                            qfp.baseAddress! + t * d, qnp.baseAddress!, t, pp.baseAddress!,
                            np.baseAddress!, g0, g1, d, heaps)
                          t += 4
                        }
                        g0 = g1
                      }
                    }
                  }
                  refineBlock(
                    heaps, queryOffset: q0, count: nq, queries: qp.baseAddress!,
                    reference: rp.baseAddress!,
                    k: k, keep: keep, qnExact: qnExact, indices: ip.baseAddress!,
                    distances: dp.baseAddress!)
                }
              }
            }
          }
        }
      }
    }
    return NeighborList(count: k, indices: indices, squaredDistances: distances)
  }

  /// Bound on |approximate − exact| squared distance for a query of squared (centred) norm
  /// `queryNorm` (see the type's documentation).
  func errorBound(queryNorm: Double) -> Double {
    Double(columns + 16) * 0x1p-23 * (queryNorm + maxNorm)
      + 16 * 0x1p-53 * Double(columns).squareRoot() * maxAbs * (queryNorm + maxNorm).squareRoot()
  }

  /// Chooses the exact neighbours of queries `offset..<offset+count` from their candidates
  /// (local index t), or by an exact scan when the candidates are not provably enough.
  func refineBlock(
    _ heaps: CandidateBuffers, queryOffset offset: Int, count: Int, queries: UnsafePointer<Double>,
    reference: UnsafePointer<Double>, k: Int, keep: Int, qnExact: [Double],
    indices: UnsafeMutablePointer<Int>, distances: UnsafeMutablePointer<Double>
  ) {
    let d = columns
    var best = TopK(k: k)
    for t in 0..<count {
      let q = offset + t
      let qrow = queries + q * d
      best.reset()
      let bound = errorBound(queryNorm: qnExact[t])
      let base = t * keep
      let filled = heaps.filled[t]
      let kth = Double(heaps.values[base + k - 1])
      let provable =
        keep == rows || (filled == keep && Double(heaps.values[base + keep - 1]) > kth + 2 * bound)
      if provable {
        for c in 0..<filled {
          let r = Int(heaps.indices[base + c])
          best.insert(NearestNeighbors.exactSquaredDistance(qrow, reference + r * d, d), r)
        }
      } else {
        for r in 0..<rows {
          best.insert(NearestNeighbors.exactSquaredDistance(qrow, reference + r * d, d), r)
        }
      }
      best.write(to: indices + q * k, distances + q * k)
    }
  }

  /// Refines merged candidates of every reference row (self-join).
  func refine(
    _ heaps: CandidateBuffers, queries: Matrix, reference: Matrix, count k: Int, keep: Int
  ) -> NeighborList {
    let n = queries.rows
    let d = columns
    var indices = [Int](repeating: 0, count: n * k)
    var distances = [Double](repeating: 0, count: n * k)
    let blockSize = 256
    let blocks = (n + blockSize - 1) / blockSize
    queries.values.withUnsafeBufferPointer { qp in
      reference.values.withUnsafeBufferPointer { rp in
        indices.withUnsafeMutableBufferPointer { ip in
          distances.withUnsafeMutableBufferPointer { dp in
            // `heaps` is only read; block b writes rows q0..<q1 of the results.
            let shared = WorkerShared((qp, rp, ip, dp, heaps))
            concurrentBlocks(blocks) { b in
              let (qp, rp, ip, dp, heaps) = shared.value
              let q0 = b * blockSize
              let q1 = min(n, q0 + blockSize)
              let local = CandidateBuffers(queries: q1 - q0, keep: keep, realRows: q1 - q0)
              var qnExact = [Double](repeating: 0, count: q1 - q0)
              for q in q0..<q1 {
                let t = q - q0
                for c in 0..<keep {
                  local.values[t * keep + c] = heaps.values[q * keep + c]
                  local.indices[t * keep + c] = heaps.indices[q * keep + c]
                }
                local.filled[t] = heaps.filled[q]
                var norm = 0.0
                for j in 0..<d {
                  let v = Double(Float(qp[q * d + j] - center[j]))
                  norm += v * v
                }
                qnExact[t] = norm
              }
              refineBlock(
                local, queryOffset: q0, count: q1 - q0, queries: qp.baseAddress!,
                reference: rp.baseAddress!,
                k: k, keep: keep, qnExact: qnExact, indices: ip.baseAddress!,
                distances: dp.baseAddress!)
            }
          }
        }
      }
    }
    return NeighborList(count: k, indices: indices, squaredDistances: distances)
  }

  /// The self-join (queries = reference rows): each pair's distance is computed once and
  /// offered to both rows' candidates, halving the work. Workers take blocks of rows in turn and
  /// keep their own candidate buffers, merged before the refinement.
  func searchSelf(reference: Matrix, count k: Int) -> NeighborList {
    let n = rows
    let d = columns
    let keep = min(n, k + Self.extra)
    let blockRows = 256
    let blocks = (n + blockRows - 1) / blockRows
    let padded = blocks * blockRows
    // Row-major centred rounded rows; padding rows get a huge norm so they are never candidates.
    var rowsF = [Float](repeating: 0, count: padded * d)
    var rowNorms = [Float](repeating: 1e30, count: padded)
    for g in 0..<groups {
      for lane in 0..<Self.lanes where g * Self.lanes + lane < n {
        let i = g * Self.lanes + lane
        for j in 0..<d { rowsF[i * d + j] = packed[(g * d + j) * Self.lanes + lane] }
        rowNorms[i] = norms[i]
      }
    }
    let workers = max(1, min(blocks, ProcessInfo.processInfo.activeProcessorCount))
    let buffers = (0..<workers).map { _ in
      CandidateBuffers(queries: padded, keep: keep, realRows: n)
    }
    let lock = NSLock()
    let nextBlock = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    nextBlock.initialize(to: 0)
    defer { nextBlock.deallocate() }
    packed.withUnsafeBufferPointer { pp in
      norms.withUnsafeBufferPointer { np in
        rowsF.withUnsafeBufferPointer { qfp in
          rowNorms.withUnsafeBufferPointer { qnp in
            do {
              // Worker w fills only buffers[w]; the next block number is taken under `lock`.
              let shared = WorkerShared((pp, np, qfp, qnp, buffers, nextBlock))
              DispatchQueue.concurrentPerform(iterations: workers) { w in
                let (pp, np, qfp, qnp, buffers, nextBlock) = shared.value
                let heaps = buffers[w]
                while true {
                  lock.lock()
                  let blockI = nextBlock.pointee
                  nextBlock.pointee += 1
                  lock.unlock()
                  if blockI >= blocks { break }
                  for blockJ in blockI..<blocks {
                    let h0 = blockJ * blockRows / Self.lanes
                    let h1 = min(groups, h0 + blockRows / Self.lanes)
                    var t = blockI * blockRows
                    while t < min(n, (blockI + 1) * blockRows) {
                      if blockJ == blockI {
                        kernel(
                          qfp.baseAddress! + t * d, qnp.baseAddress!, t, pp.baseAddress!,
                          np.baseAddress!,
                          h0, h1, d, heaps)
                      } else {
                        symmetricKernel(
                          qfp.baseAddress! + t * d, qnp.baseAddress!, t, pp.baseAddress!,
                          np.baseAddress!,
                          h0, h1, d, heaps)
                      }
                      t += 4
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    // Merge the workers' candidates, then refine as ``search``.
    let merged = CandidateBuffers(queries: n, keep: keep, realRows: n)
    var scratch: [(Float, Int32)] = []
    for q in 0..<n {
      scratch.removeAll(keepingCapacity: true)
      for b in buffers {
        for c in 0..<b.filled[q] {
          scratch.append((b.values[q * keep + c], b.indices[q * keep + c]))
        }
      }
      scratch.sort { $0.0 < $1.0 }
      let m = min(keep, scratch.count)
      for c in 0..<m {
        merged.values[q * keep + c] = scratch[c].0
        merged.indices[q * keep + c] = scratch[c].1
      }
      merged.filled[q] = m
    }
    return refine(merged, queries: reference, reference: reference, count: k, keep: keep)
  }

  /// Four query rows `t..<t+4` against reference groups `g0..<g1` of another block: each
  /// distance is offered to the query's candidates and to the reference row's.
  @inline(__always)
  func symmetricKernel(
    _ q: UnsafePointer<Float>, _ qn: UnsafePointer<Float>, _ t: Int, _ packed: UnsafePointer<Float>,
    _ norms: UnsafePointer<Float>, _ g0: Int, _ g1: Int, _ d: Int, _ heaps: CandidateBuffers
  ) {
    let n0 = SIMD8<Float>(repeating: qn[t])
    let n1 = SIMD8<Float>(repeating: qn[t &+ 1])
    let n2 = SIMD8<Float>(repeating: qn[t &+ 2])
    let n3 = SIMD8<Float>(repeating: qn[t &+ 3])
    var th0 = SIMD8<Float>(repeating: heaps.thresholds[t])
    var th1 = SIMD8<Float>(repeating: heaps.thresholds[t &+ 1])
    var th2 = SIMD8<Float>(repeating: heaps.thresholds[t &+ 2])
    var th3 = SIMD8<Float>(repeating: heaps.thresholds[t &+ 3])
    let raw = UnsafeRawPointer(packed)
    let rawNorms = UnsafeRawPointer(norms)
    let q1 = q + d
    let q2 = q1 + d
    let q3 = q2 + d
    for g in g0..<g1 {
      var a0 = SIMD8<Float>()
      var a1 = SIMD8<Float>()
      var a2 = SIMD8<Float>()
      var a3 = SIMD8<Float>()
      var p = raw + g &* d &* 32
      for j in 0..<d {
        let r = p.loadUnaligned(as: SIMD8<Float>.self)
        a0 += r * q[j]
        a1 += r * q1[j]
        a2 += r * q2[j]
        a3 += r * q3[j]
        p += 32
      }
      let rn = rawNorms.loadUnaligned(fromByteOffset: g &* 32, as: SIMD8<Float>.self)
      let s0 = (n0 + rn) - 2 * a0
      let s1 = (n1 + rn) - 2 * a1
      let s2 = (n2 + rn) - 2 * a2
      let s3 = (n3 + rn) - 2 * a3
      let base = g &* 8
      let d0 = s0 - th0
      let d1 = s1 - th1
      let d2 = s2 - th2
      let d3 = s3 - th3
      if Self.anyNegative(Self.bits(d0) | Self.bits(d1) | Self.bits(d2) | Self.bits(d3)) {
        if Self.anyNegative(Self.bits(d0)) {
          th0 = SIMD8(repeating: heaps.offer(t, s0, base, rows))
        }
        if Self.anyNegative(Self.bits(d1)) {
          th1 = SIMD8(repeating: heaps.offer(t &+ 1, s1, base, rows))
        }
        if Self.anyNegative(Self.bits(d2)) {
          th2 = SIMD8(repeating: heaps.offer(t &+ 2, s2, base, rows))
        }
        if Self.anyNegative(Self.bits(d3)) {
          th3 = SIMD8(repeating: heaps.offer(t &+ 3, s3, base, rows))
        }
      }
      // The transposed offers: query row t+i as a candidate of reference row base+lane.
      let thR = UnsafeRawPointer(heaps.thresholds + base).loadUnaligned(as: SIMD8<Float>.self)
      let e0 = s0 - thR
      let e1 = s1 - thR
      let e2 = s2 - thR
      let e3 = s3 - thR
      if Self.anyNegative(Self.bits(e0) | Self.bits(e1) | Self.bits(e2) | Self.bits(e3)) {
        let valid = rows &- t  // padding query rows are never offered
        for lane in 0..<8 {
          let r = base &+ lane
          if s0[lane] < heaps.thresholds[r] { heaps.offerOne(r, s0[lane], t) }
          if valid > 1 && s1[lane] < heaps.thresholds[r] { heaps.offerOne(r, s1[lane], t &+ 1) }
          if valid > 2 && s2[lane] < heaps.thresholds[r] { heaps.offerOne(r, s2[lane], t &+ 2) }
          if valid > 3 && s3[lane] < heaps.thresholds[r] { heaps.offerOne(r, s3[lane], t &+ 3) }
        }
      }
    }
  }

  /// Four queries against reference groups `g0..<g1`.
  @inline(__always)
  func kernel(
    _ q: UnsafePointer<Float>, _ qn: UnsafePointer<Float>, _ t: Int, _ packed: UnsafePointer<Float>,
    _ norms: UnsafePointer<Float>, _ g0: Int, _ g1: Int, _ d: Int, _ heaps: CandidateBuffers
  ) {
    let n0 = SIMD8<Float>(repeating: qn[t])
    let n1 = SIMD8<Float>(repeating: qn[t &+ 1])
    let n2 = SIMD8<Float>(repeating: qn[t &+ 2])
    let n3 = SIMD8<Float>(repeating: qn[t &+ 3])
    var th0 = SIMD8<Float>(repeating: heaps.threshold(t))
    var th1 = SIMD8<Float>(repeating: heaps.threshold(t &+ 1))
    var th2 = SIMD8<Float>(repeating: heaps.threshold(t &+ 2))
    var th3 = SIMD8<Float>(repeating: heaps.threshold(t &+ 3))
    let raw = UnsafeRawPointer(packed)
    let rawNorms = UnsafeRawPointer(norms)
    let q1 = q + d
    let q2 = q1 + d
    let q3 = q2 + d
    for g in g0..<g1 {
      var a0 = SIMD8<Float>()
      var a1 = SIMD8<Float>()
      var a2 = SIMD8<Float>()
      var a3 = SIMD8<Float>()
      var p = raw + g &* d &* 32
      for j in 0..<d {
        let r = p.loadUnaligned(as: SIMD8<Float>.self)
        a0 += r * q[j]
        a1 += r * q1[j]
        a2 += r * q2[j]
        a3 += r * q3[j]
        p += 32
      }
      let rn = rawNorms.loadUnaligned(fromByteOffset: g &* 32, as: SIMD8<Float>.self)
      // s − threshold < 0 marks a candidate; thresholds and padding are finite, so no NaN.
      let s0 = (n0 + rn) - 2 * a0
      let s1 = (n1 + rn) - 2 * a1
      let s2 = (n2 + rn) - 2 * a2
      let s3 = (n3 + rn) - 2 * a3
      let d0 = s0 - th0
      let d1 = s1 - th1
      let d2 = s2 - th2
      let d3 = s3 - th3
      if Self.anyNegative(Self.bits(d0) | Self.bits(d1) | Self.bits(d2) | Self.bits(d3)) {
        let base = g &* 8
        if Self.anyNegative(Self.bits(d0)) {
          th0 = SIMD8(repeating: heaps.offer(t, s0, base, rows))
        }
        if Self.anyNegative(Self.bits(d1)) {
          th1 = SIMD8(repeating: heaps.offer(t &+ 1, s1, base, rows))
        }
        if Self.anyNegative(Self.bits(d2)) {
          th2 = SIMD8(repeating: heaps.offer(t &+ 2, s2, base, rows))
        }
        if Self.anyNegative(Self.bits(d3)) {
          th3 = SIMD8(repeating: heaps.offer(t &+ 3, s3, base, rows))
        }
      }
    }
  }

  @inline(__always)
  static func bits(_ v: SIMD8<Float>) -> SIMD8<UInt32> { unsafeBitCast(v, to: SIMD8<UInt32>.self) }

  /// Whether any lane has its sign bit set (a difference `s − threshold` below zero; the
  /// operands are finite so there is no NaN, and `x − x` is `+0`).
  @inline(__always)
  static func anyNegative(_ v: SIMD8<UInt32>) -> Bool {
    let w = unsafeBitCast(v, to: SIMD4<UInt64>.self)
    return (w[0] | w[1] | w[2] | w[3]) & 0x8000_0000_8000_0000 != 0
  }
}

/// Per query, the `keep` smallest approximate distances seen so far (sorted, strict `<`), and
/// the current admission threshold of each (the largest kept value once full). A class over
/// raw buffers so that the hot loop mutates without copy-on-write checks; each worker owns one.
final class CandidateBuffers {
  let keep: Int
  let queries: Int
  let values: UnsafeMutablePointer<Float>
  let indices: UnsafeMutablePointer<Int32>
  let filled: UnsafeMutablePointer<Int>
  /// `thresholds[t]`: a value must be below it to enter; −max for padding rows (never enter).
  let thresholds: UnsafeMutablePointer<Float>

  init(queries: Int, keep: Int, realRows: Int) {
    self.keep = keep
    self.queries = queries
    values = .allocate(capacity: max(1, queries * keep))
    values.initialize(repeating: .greatestFiniteMagnitude, count: queries * keep)
    indices = .allocate(capacity: max(1, queries * keep))
    indices.initialize(repeating: 0, count: queries * keep)
    filled = .allocate(capacity: max(1, queries))
    filled.initialize(repeating: 0, count: queries)
    thresholds = .allocate(capacity: max(1, queries))
    for t in 0..<queries {
      thresholds[t] = t < realRows ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude
    }
  }

  deinit {
    values.deallocate()
    indices.deallocate()
    filled.deallocate()
    thresholds.deallocate()
  }

  @inline(__always)
  func threshold(_ t: Int) -> Float { thresholds[t] }

  /// Offers the 8 lanes of one group (reference rows `base..<base+8`); returns the new threshold.
  func offer(_ t: Int, _ s: SIMD8<Float>, _ base: Int, _ rows: Int) -> Float {
    for lane in 0..<8 where base &+ lane < rows && s[lane] < thresholds[t] {
      offerOne(t, s[lane], base &+ lane)
    }
    return thresholds[t]
  }

  /// Inserts (value, index) into the candidates of `t`; the caller checked `value < thresholds[t]`.
  @inline(__always)
  func offerOne(_ t: Int, _ v: Float, _ index: Int) {
    let start = t &* keep
    var f = filled[t]
    if f == keep {
      f = keep &- 1
    } else {
      filled[t] = f &+ 1
    }
    var p = f
    while p > 0 && values[start &+ p &- 1] > v {
      values[start &+ p] = values[start &+ p &- 1]
      indices[start &+ p] = indices[start &+ p &- 1]
      p &-= 1
    }
    values[start &+ p] = v
    indices[start &+ p] = Int32(truncatingIfNeeded: index)
    if filled[t] == keep { thresholds[t] = values[start &+ keep &- 1] }
  }
}
