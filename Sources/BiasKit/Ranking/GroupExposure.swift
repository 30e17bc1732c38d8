import Foundation

/// Exposure of each item group, and the parity, disparate treatment and disparate impact
/// ratios of Singh & Joachims, per query and averaged over queries.
///
/// For a query with lists (samples) s = 1…S, group G and position weights v (the browsing
/// model, ``PositionWeighting``):
///
///     Exposure(G) = 1/S Σ_s 1/|G_s| Σ_{d ∈ G_s} v(rank_s(d))          mean exposure of G's items
///     U(G)        = 1/S Σ_s 1/|G_s| Σ_{d ∈ G_s} u(d)                  mean relevance
///     CTR(G)      = 1/S Σ_s 1/|G_s| Σ_{d ∈ G_s} v(rank_s(d)) · u(d)   expected click-through
///
/// (G_s the group's items in list s; one list per query without samples). The disparity
/// measures over the groups present in the query:
///
///     exposure difference   = max_G Exposure(G) − min_G Exposure(G)    (0 = demographic parity)
///     exposure ratio        = min_G Exposure(G) / max_G Exposure(G)    (1 = parity)
///     disparate treatment   = min_G T(G) / max_G T(G),  T(G) = Exposure(G) / U(G)
///     disparate impact      = min_G I(G) / max_G I(G),  I(G) = CTR(G) / U(G)
///
/// With two groups Singh & Joachims' DTR and DIR are T(G0)/T(G1) and I(G0)/I(G1); the
/// per-group T and I are reported so that direction is visible, and the ratios are min/max
/// (fairlearn's ratio convention) so that they extend to any number of groups. A ratio is NaN
/// when a group's mean relevance is 0 or only one group is present. Averages over queries
/// (overall and per query group) skip NaN. Tied scores share the mean weight of their
/// positions.
///
/// - Complexity: O(n + q · g) for n rows, q queries and g groups.
///
/// ## References
/// - Singh, Joachims. Fairness of Exposure in Rankings. KDD 2018.
public struct GroupExposure: Sendable, Equatable {
  /// The browsing model.
  public var weighting: PositionWeighting

  public init(weighting: PositionWeighting = .logarithmic) {
    self.weighting = weighting
  }

  /// The measures of one query, or their averages over queries.
  public struct Values: Sendable, Equatable {
    /// Mean exposure of each group's items (NaN when the group is absent).
    public var exposure: [Double]
    /// Mean relevance of each group's items, when relevance is known.
    public var relevance: [Double]?
    /// Expected click-through (exposure × relevance) of each group, when relevance is known.
    public var clickThrough: [Double]?
    /// max − min of the groups' exposure.
    public var exposureDifference: Double
    /// min / max of the groups' exposure.
    public var exposureRatio: Double
    /// Exposure / relevance of each group.
    public var treatment: [Double]?
    /// Click-through / relevance of each group.
    public var impact: [Double]?
    /// min / max of ``treatment``.
    public var disparateTreatmentRatio: Double?
    /// min / max of ``impact``.
    public var disparateImpactRatio: Double?
    /// Number of queries behind the values (1 for one query).
    public var queryCount: Int
  }

  /// The measures of every query and their averages.
  public struct Report: Sendable, Equatable {
    public var weighting: PositionWeighting
    public var groupNames: [String]
    /// One entry per query, in ``RankedLists/queryNames`` order.
    public var queries: [Values]
    /// The mean over queries.
    public var mean: Values
    /// The mean over the queries of each query group, when there are query groups.
    public var byQueryGroup: [Values]?
    public var queryGroupNames: [String]?
  }

  /// Computes the exposure report of `lists`.
  public func evaluated(_ lists: RankedLists) throws -> Report {
    try weighting.validate()
    let g = lists.groupCount
    let q = lists.queryCount
    let hasRelevance = lists.relevance != nil
    let table = PositionWeights(weighting, length: lists.longestListLength)
    // Per query: Σ over samples of the per-list group means.
    var exposure = [Double](repeating: 0, count: q * g)
    var relevance = [Double](repeating: 0, count: hasRelevance ? q * g : 0)
    var click = [Double](repeating: 0, count: hasRelevance ? q * g : 0)
    var present = [Int32](repeating: 0, count: q * g)
    exposure.withUnsafeMutableBufferPointer { exposure in
      relevance.withUnsafeMutableBufferPointer { relevance in
        click.withUnsafeMutableBufferPointer { click in
          present.withUnsafeMutableBufferPointer { present in
            RankingMath.forEachChunk(q, minimumChunk: 512) { range in
              var weights: [Double] = []
              var count = [Int](repeating: 0, count: g)
              var e = [Double](repeating: 0, count: g)
              var u = [Double](repeating: 0, count: g)
              var c = [Double](repeating: 0, count: g)
              for query in range {
                for l in lists.queryListStart[query]..<lists.queryListStart[query + 1] {
                  let start = lists.listStart[l]
                  let m = lists.listStart[l + 1] - start
                  lists.fillWeights(&weights, list: l, table: table)
                  for j in 0..<g {
                    count[j] = 0
                    e[j] = 0
                    u[j] = 0
                    c[j] = 0
                  }
                  if let rel = lists.relevance {
                    for k in 0..<m {
                      let j = Int(lists.groups[start + k])
                      count[j] += 1
                      e[j] += weights[k]
                      u[j] += rel[start + k]
                      c[j] += weights[k] * rel[start + k]
                    }
                  } else {
                    for k in 0..<m {
                      let j = Int(lists.groups[start + k])
                      count[j] += 1
                      e[j] += weights[k]
                    }
                  }
                  for j in 0..<g where count[j] > 0 {
                    let n = Double(count[j])
                    exposure[query * g + j] += e[j] / n
                    present[query * g + j] += 1
                    if hasRelevance {
                      relevance[query * g + j] += u[j] / n
                      click[query * g + j] += c[j] / n
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    var queries: [Values] = []
    queries.reserveCapacity(q)
    for query in 0..<q {
      var e = [Double](repeating: .nan, count: g)
      var u: [Double]? = hasRelevance ? [Double](repeating: .nan, count: g) : nil
      var c: [Double]? = hasRelevance ? [Double](repeating: .nan, count: g) : nil
      for j in 0..<g where present[query * g + j] > 0 {
        // Averaged over the samples holding the group.
        let s = Double(present[query * g + j])
        e[j] = exposure[query * g + j] / s
        u?[j] = relevance[query * g + j] / s
        c?[j] = click[query * g + j] / s
      }
      queries.append(GroupExposure.values(exposure: e, relevance: u, clickThrough: c))
    }
    let mean = GroupExposure.average(queries, groupCount: g, relevance: hasRelevance)
    var byQueryGroup: [Values]? = nil
    if let codes = lists.queryGroup, let names = lists.queryGroupNames {
      byQueryGroup = names.indices.map { h in
        GroupExposure.average(
          queries.indices.filter { codes[$0] == Int32(h) }.map { queries[$0] }, groupCount: g,
          relevance: hasRelevance)
      }
    }
    return Report(
      weighting: weighting, groupNames: lists.groupNames, queries: queries, mean: mean,
      byQueryGroup: byQueryGroup, queryGroupNames: lists.queryGroupNames)
  }

  /// The disparity measures of one query's group values.
  static func values(
    exposure e: [Double], relevance u: [Double]?, clickThrough c: [Double]?
  )
    -> Values
  {
    let (difference, ratio) = spread(e)
    var treatment: [Double]? = nil
    var impact: [Double]? = nil
    var dtr: Double? = nil
    var dir: Double? = nil
    if let u, let c {
      let t = e.indices.map { e[$0] / u[$0] }
      let i = e.indices.map { c[$0] / u[$0] }
      treatment = t
      impact = i
      dtr = spread(t).ratio
      dir = spread(i).ratio
    }
    return Values(
      exposure: e, relevance: u, clickThrough: c, exposureDifference: difference,
      exposureRatio: ratio, treatment: treatment, impact: impact, disparateTreatmentRatio: dtr,
      disparateImpactRatio: dir, queryCount: 1)
  }

  /// max − min and min / max over the groups present (NaN skipped); NaN with fewer than two
  /// groups, and a NaN ratio when a present value is infinite or the maximum is 0.
  static func spread(_ values: [Double]) -> (difference: Double, ratio: Double) {
    var low = Double.infinity
    var high = -Double.infinity
    var count = 0
    for v in values where !v.isNaN {
      low = min(low, v)
      high = max(high, v)
      count += 1
    }
    guard count >= 2 else { return (.nan, .nan) }
    let difference = high - low
    let ratio = high.isFinite && high > 0 ? low / high : .nan
    return (difference.isFinite ? difference : .nan, ratio)
  }

  /// The mean of each value over queries, skipping NaN.
  static func average(_ values: [Values], groupCount g: Int, relevance: Bool) -> Values {
    func meanOf(_ pick: (Values) -> Double?) -> Double {
      var sum = 0.0
      var count = 0
      for v in values {
        if let x = pick(v), !x.isNaN {
          sum += x
          count += 1
        }
      }
      return count == 0 ? .nan : sum / Double(count)
    }
    func meanVector(_ pick: (Values) -> [Double]?) -> [Double] {
      (0..<g).map { j in meanOf { pick($0)?[j] } }
    }
    return Values(
      exposure: meanVector(\.exposure),
      relevance: relevance ? meanVector(\.relevance) : nil,
      clickThrough: relevance ? meanVector(\.clickThrough) : nil,
      exposureDifference: meanOf(\.exposureDifference),
      exposureRatio: meanOf(\.exposureRatio),
      treatment: relevance ? meanVector(\.treatment) : nil,
      impact: relevance ? meanVector(\.impact) : nil,
      disparateTreatmentRatio: relevance ? meanOf(\.disparateTreatmentRatio) : nil,
      disparateImpactRatio: relevance ? meanOf(\.disparateImpactRatio) : nil,
      queryCount: values.count)
  }
}
