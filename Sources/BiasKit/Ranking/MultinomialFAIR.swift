import Foundation

/// Multinomial FA*IR: FA*IR's ranked group fairness for several protected groups at once, each
/// with its own minimum proportion.
///
/// With protected groups 1…G and minimum proportions p_1…p_G (the other items pooled, with
/// p_0 = 1 − Σ p_g), the requirement at prefix i is a vector m(i) of minimum counts, grown one
/// position at a time as the paper's mTree does along its most likely path:
///
///     m(i) = m(i − 1)                     if MCDF(i; m(i − 1)) > α
///          = m(i − 1) + e_g               otherwise, for the g maximizing MCDF(i; m(i − 1) + e_g)
///
/// where MCDF(i; m) = P(X_1 ≤ m_1, …, X_G ≤ m_G) for X ~ Multinomial(i; p_0, p_1, …, p_G),
/// computed exactly as a chain of conditional binomials. With one protected group this is
/// FA*IR's unadjusted m-table (up to exact ties of the cdf with α). The re-ranking fills each
/// position with the best remaining item of the first protected group below its minimum, else
/// with the best remaining item overall (protected groups first, in order, on equal scores).
/// The significance is not adjusted for the k tests (the reference adjusts it by simulation).
///
/// Corresponds to the "MOST_LIKELY" strategy of the authors' Java implementation
/// (`MultinomialFairRanker`), whose ties between mirror nodes and between equal scores are broken
/// at random; here they are broken towards the lower group index.
///
/// - Complexity: O(k · G · Π_g m_g(k)) for the table; O(n + lists · k · G) to re-rank.
///
/// ## References
/// - Zehlike, Sühr, Baeza-Yates, Bonchi, Castillo, Hajian. Fair Top-k Ranking with multiple
///   protected groups. Information Processing & Management 59(1), 2022.
public struct MultinomialFAIR: Sendable, Equatable {
  /// Length of the rankings to produce (k).
  public var length: Int
  /// The minimum proportion of each protected group, in the order of the groups given to
  /// ``reranked(_:protectedGroups:)``; their sum is below 1.
  public var proportions: [Double]
  /// The significance α of each prefix's test.
  public var significance: Double

  public init(length: Int, proportions: [Double], significance: Double = 0.1) {
    self.length = length
    self.proportions = proportions
    self.significance = significance
  }

  /// `minimumProtected[i − 1][g]`: protected items of group g the top i must hold.
  public func table() throws -> [[Int]] {
    try validate()
    var m = [Int](repeating: 0, count: proportions.count)
    var table: [[Int]] = []
    table.reserveCapacity(length)
    for i in 1...length {
      if mcdf(i, m) <= significance {
        var best = -1
        var bestValue = -Double.infinity
        for g in proportions.indices {
          var candidate = m
          candidate[g] += 1
          let value = mcdf(i, candidate)
          if value > bestValue {
            bestValue = value
            best = g
          }
        }
        m[best] += 1
      }
      table.append(m)
    }
    return table
  }

  func validate() throws {
    guard length >= 1 else { throw BiasKitError.fairLength(length) }
    guard !proportions.isEmpty, proportions.allSatisfy({ $0 > 0 && $0 < 1 }),
      proportions.reduce(0, +) < 1
    else {
      throw BiasKitError(
        .invalidArgument,
        "multinomial FA*IR's proportions must each lie in (0, 1) and sum to less than 1; got \(proportions)"
      )
    }
    guard significance > 0, significance <= 0.5 else {
      throw BiasKitError.fairSignificance(significance)
    }
  }

  /// P(X_g ≤ m_g for every g), X ~ Multinomial(n; p_0, p_1, …).
  func mcdf(_ n: Int, _ m: [Int]) -> Double {
    func tail(_ n: Int, _ g: Int, _ remaining: Double) -> Double {
      if g == m.count { return 1 }
      let p = min(1, proportions[g] / remaining)
      if g == m.count - 1 { return BinomialDistribution.cdf(m[g], trials: n, probability: p) }
      var sum = 0.0
      for x in 0...min(m[g], n) {
        sum +=
          BinomialDistribution.pmf(x, trials: n, probability: p)
          * tail(n - x, g + 1, remaining - proportions[g])
      }
      return sum
    }
    return tail(n, 0, 1)
  }

  /// The re-ranked lists.
  public struct Reranking: Sendable, Equatable {
    /// The requirement of every prefix (``MultinomialFAIR/table()``).
    public let minimumProtected: [[Int]]
    /// The protected groups, in the order of the proportions.
    public let protectedGroups: [Int]
    /// Length k of each re-ranked list.
    public let length: Int
    /// `positions[l · k + i]`: the position at new rank i + 1 of list l.
    public let positions: [Int32]
    /// Whether each list's original and re-ranked top k meet every requirement.
    public let passesBefore: [Bool]
    public let passesAfter: [Bool]

    public var passingBefore: Int { passesBefore.lazy.filter { $0 }.count }
    public var passingAfter: Int { passesAfter.lazy.filter { $0 }.count }
  }

  /// Re-ranks the top k of every list; `protectedGroups[g]` has proportion ``proportions``[g].
  public func reranked(_ lists: RankedLists, protectedGroups: [Int]) throws -> Reranking {
    try validate()
    guard protectedGroups.count == proportions.count,
      Set(protectedGroups).count == protectedGroups.count,
      protectedGroups.allSatisfy({ (0..<lists.groupCount).contains($0) })
    else {
      throw BiasKitError(
        .invalidArgument,
        "multinomial FA*IR needs one distinct protected group per proportion (\(proportions.count))"
      )
    }
    let k = length
    for l in 0..<lists.listCount where lists.listStart[l + 1] - lists.listStart[l] < k {
      throw BiasKitError.listShorterThanCutoff(
        lists.listName(l), length: lists.listStart[l + 1] - lists.listStart[l], cutoff: k)
    }
    let table = try self.table()
    let G = protectedGroups.count
    // Queue of each list position: 0…G − 1 protected, G for the rest.
    var slot = [Int](repeating: G, count: lists.groupCount)
    for (g, group) in protectedGroups.enumerated() { slot[group] = g }
    let listCount = lists.listCount
    var positions = [Int32](repeating: 0, count: listCount * k)
    var before = [Bool](repeating: false, count: listCount)
    var after = [Bool](repeating: false, count: listCount)
    positions.withUnsafeMutableBufferPointer { out in
      before.withUnsafeMutableBufferPointer { passBefore in
        after.withUnsafeMutableBufferPointer { passAfter in
          RankingMath.forEachChunk(listCount) { range in
            var queues = [[Int32]](repeating: [], count: G + 1)
            var heads = [Int](repeating: 0, count: G + 1)
            var counts = [Int](repeating: 0, count: G)
            for l in range {
              let start = lists.listStart[l]
              let end = lists.listStart[l + 1]
              for q in 0...G {
                queues[q].removeAll(keepingCapacity: true)
                heads[q] = 0
              }
              for g in 0..<G { counts[g] = 0 }
              var fair = true
              for p in start..<end {
                let q = slot[Int(lists.groups[p])]
                queues[q].append(Int32(p))
                if p - start < k {
                  if q < G { counts[q] += 1 }
                  for g in 0..<G where counts[g] < table[p - start][g] { fair = false }
                }
              }
              passBefore[l] = fair
              for g in 0..<G { counts[g] = 0 }
              fair = true
              for i in 0..<k {
                var chosen = -1
                for g in 0..<G where counts[g] < table[i][g] && heads[g] < queues[g].count {
                  chosen = g
                  break
                }
                if chosen < 0 {
                  for q in 0...G where heads[q] < queues[q].count {
                    if chosen < 0 {
                      chosen = q
                      continue
                    }
                    let a = Int(queues[q][heads[q]])
                    let b = Int(queues[chosen][heads[chosen]])
                    let better =
                      lists.scores.map { $0[a] > $0[b] } ?? (a < b)
                    if better { chosen = q }
                  }
                }
                out[l * k + i] = queues[chosen][heads[chosen]]
                heads[chosen] += 1
                if chosen < G { counts[chosen] += 1 }
                for g in 0..<G where counts[g] < table[i][g] { fair = false }
              }
              passAfter[l] = fair
            }
          }
        }
      }
    }
    return Reranking(
      minimumProtected: table, protectedGroups: protectedGroups, length: k, positions: positions,
      passesBefore: before, passesAfter: after)
  }
}
