import Foundation

/// The position-based click model, fitted to a click log by expectation-maximization: how
/// likely each position is to be examined, separated from how attractive each item is.
///
///     P(click | q, d, rank k) = θ_k · γ_{q,d}
///
/// θ_k is the probability that rank k is examined, γ_{q,d} that item d is relevant to query q
/// once examined. A click means both happened; a skip is explained by either. EM alternates
///
///     E:  P(E = 1, R = 0 | skip) = θ_k (1 − γ) / (1 − θ_k γ),  P(E = 0, R = 1 | skip) = (1 − θ_k) γ / (1 − θ_k γ)
///     M:  θ_k = mean over rows at rank k of [c + (1 − c) θ_k (1 − γ) / (1 − θ_k γ)]
///         γ_{q,d} = mean over rows of (q, d) of [c + (1 − c) (1 − θ_k) γ / (1 − θ_k γ)]
///
/// from θ = γ = ``initialValue`` until no propensity θ_k / max θ moves by more than
/// ``tolerance`` or ``maximumIterations`` pass. θ and γ are identified only through items shown at several
/// positions (the samples of a query: sessions, or interleaved rankers); ``propensities`` are
/// θ relative to the most examined rank, the form inverse-propensity scoring needs.
///
/// - Complexity: O(n) per iteration for n rows, after an O(n log n) pass that numbers the
///   (query, item) pairs.
///
/// ## References
/// - Chuklin, Markov, de Rijke. Click Models for Web Search. Morgan & Claypool 2015, §4.
/// - Wang, Golbandi, Bendersky, Metzler, Najork. Position Bias Estimation for Unbiased
///   Learning to Rank in Personal Search. WSDM 2018.
public struct PositionBasedClickModel: Sendable, Equatable {
  /// Iterations at most.
  public var maximumIterations: Int
  /// Stop when the largest change of a propensity θ_k / max θ is below this.
  public var tolerance: Double
  /// The starting θ and γ.
  public var initialValue: Double

  public init(
    maximumIterations: Int = 10_000, tolerance: Double = 1e-8, initialValue: Double = 0.5
  ) {
    self.maximumIterations = maximumIterations
    self.tolerance = tolerance
    self.initialValue = initialValue
  }

  /// The fitted model.
  public struct Model: Sendable, Equatable {
    /// θ_k, examination probability of rank k + 1.
    public var examination: [Double]
    /// θ_k / max θ: the propensity of each rank.
    public var propensities: [Double]
    /// γ of each (query, item) pair, and the pair of each row position.
    public var attractiveness: [Double]
    public var pairOfPosition: [Int32]
    /// Iterations run, and whether the tolerance was reached.
    public var iterations: Int
    public var converged: Bool
    /// Rows seen at each rank.
    public var rowsPerRank: [Int]

    /// The propensity of every row position of the lists the model was fitted to.
    public func positionPropensities(_ lists: RankedLists) -> [Double] {
      var out = [Double](repeating: 1, count: lists.rowCount)
      for l in 0..<lists.listCount {
        for p in lists.listStart[l]..<lists.listStart[l + 1] {
          out[p] = propensities[p - lists.listStart[l]]
        }
      }
      return out
    }
  }

  /// Fits the model to the clicks of `lists` (which need items and clicks).
  public func fitted(to lists: RankedLists) throws -> Model {
    guard let clicks = lists.clicks else {
      throw BiasKitError.rankingNeeds("clicks", for: "the position-based click model")
    }
    guard let items = lists.items else {
      throw BiasKitError.rankingNeeds("an item column", for: "the position-based click model")
    }
    guard maximumIterations >= 1, tolerance >= 0, initialValue > 0, initialValue < 1 else {
      throw BiasKitError(
        .invalidArgument,
        "the click model needs at least one iteration, a tolerance ≥ 0 and a start in (0, 1)")
    }
    guard clicks.contains(1) else { throw BiasKitError.noClicks() }
    let n = lists.rowCount
    let ranks = lists.longestListLength
    // Rank of each position, and (query, item) pair numbers.
    var rank = [Int32](repeating: 0, count: n)
    var keys = [(key: Int64, position: Int32)]()
    keys.reserveCapacity(n)
    let itemCount = Int64(lists.itemNames?.count ?? 0)
    for q in 0..<lists.queryCount {
      for l in lists.queryListStart[q]..<lists.queryListStart[q + 1] {
        let start = lists.listStart[l]
        for p in start..<lists.listStart[l + 1] {
          rank[p] = Int32(p - start)
          keys.append((Int64(q) * itemCount + Int64(items[p]), Int32(p)))
        }
      }
    }
    keys.sort { $0.key < $1.key }
    var pair = [Int32](repeating: 0, count: n)
    var pairCount = 0
    for k in 0..<n {
      if k > 0, keys[k].key != keys[k - 1].key { pairCount += 1 }
      pair[Int(keys[k].position)] = Int32(pairCount)
    }
    pairCount += 1
    keys = []
    var rowsPerRank = [Int](repeating: 0, count: ranks)
    var rowsPerPair = [Double](repeating: 0, count: pairCount)
    for p in 0..<n {
      rowsPerRank[Int(rank[p])] += 1
      rowsPerPair[Int(pair[p])] += 1
    }
    var theta = [Double](repeating: initialValue, count: ranks)
    var gamma = [Double](repeating: initialValue, count: pairCount)
    var thetaSum = [Double](repeating: 0, count: ranks)
    var gammaSum = [Double](repeating: 0, count: pairCount)
    var iterations = 0
    var converged = false
    while iterations < maximumIterations {
      iterations += 1
      for k in 0..<ranks { thetaSum[k] = 0 }
      for j in 0..<pairCount { gammaSum[j] = 0 }
      for p in 0..<n {
        let k = Int(rank[p])
        let j = Int(pair[p])
        if clicks[p] == 1 {
          thetaSum[k] += 1
          gammaSum[j] += 1
        } else {
          let t = theta[k]
          let g = gamma[j]
          let skip = 1 - t * g
          thetaSum[k] += t * (1 - g) / skip
          gammaSum[j] += (1 - t) * g / skip
        }
      }
      // θ and γ are identified only up to a common scale (θ·c, γ/c), along which EM drifts
      // slowly; convergence is judged on the propensities θ / max θ.
      let before = theta.max() ?? 1
      var after = 0.0
      for k in 0..<ranks { after = max(after, thetaSum[k] / Double(rowsPerRank[k])) }
      var change = 0.0
      for k in 0..<ranks {
        let next = thetaSum[k] / Double(rowsPerRank[k])
        change = max(change, abs(next / after - theta[k] / before))
        theta[k] = next
      }
      for j in 0..<pairCount { gamma[j] = gammaSum[j] / rowsPerPair[j] }
      if change < tolerance {
        converged = true
        break
      }
    }
    let top = theta.max() ?? 1
    guard top > 0 else { throw BiasKitError.noClicks() }
    return Model(
      examination: theta, propensities: theta.map { max($0 / top, Double.leastNormalMagnitude) },
      attractiveness: gamma, pairOfPosition: pair, iterations: iterations,
      converged: converged, rowsPerRank: rowsPerRank)
  }
}

extension BiasKitError {
  static func noClicks() -> BiasKitError {
    BiasKitError(.degenerateData, "the click log has no clicks; propensities cannot be estimated")
  }
}
