import Foundation

/// Offline evaluation of rankers from a biased click log: inverse-propensity-scored (IPS) and
/// self-normalised (SNIPS) estimates of DCG, recall and each group's exposure, beside the
/// naive estimate that takes clicks for relevance, with bootstrap intervals.
///
/// In the log each row is an item shown at rank k, clicked (c = 1) only if its position was
/// examined (probability p, the propensity) and it is relevant (r = 1): E[c] = p · r. So c / p
/// estimates r without bias, whereas c itself under-counts relevant items shown low. For a
/// ranker π that orders the logged items of each list, with discount D(i) = 1/log₂(1 + i),
/// position weights v (``weighting``) and sums over every list of the log:
///
///     DCG@k            = 1/L Σ_lists Σ_d r_d · D(π_d) · 1[π_d ≤ k]          (L lists)
///     DCG@k / relevant = Σ Σ_d r_d · D(π_d) · 1[π_d ≤ k] / Σ Σ_d r_d
///     recall@k         = Σ Σ_d r_d · 1[π_d ≤ k] / Σ Σ_d r_d
///     exposure(G)      = Σ Σ_{d ∈ G} r_d · v(π_d) / Σ Σ_{d ∈ G} r_d    (exposure of G's relevant items)
///
/// The naive estimate puts r = c. IPS puts r = c / p, which is unbiased for DCG@k. SNIPS, the
/// self-normalised variant, is the IPS-weighted sum over the sum of the weights Σ c / p — Saito
/// et al.'s normalisation, taken over the whole log as in Swaminathan & Joachims' SNIPS — and
/// estimates the three per-relevant-item measures consistently (for them IPS and SNIPS are the
/// same ratio, reported as SNIPS). With relevance in the data the measures with the true r are
/// reported too (``Estimate/truth``), as in a simulation. Intervals resample queries with
/// replacement, each with all its lists (sessions of one query share their items' relevance);
/// sample b draws from `SeededGenerator(seed:).stream(b)`, and the quantiles are numpy's
/// linear ones as in ``Bootstrap``. Tied scores share their positions' D and v, and their
/// share of the top k.
///
/// - Complexity: O(R · n log m) for R rankers over n rows in lists of up to m items, plus
///   O(B · queries · measures) for B bootstrap samples.
///
/// ## References
/// - Joachims, Swaminathan, Schnabel. Unbiased Learning-to-Rank with Biased Feedback. WSDM 2017.
/// - Yang, Cui, Suo, Adamson, Gabrilovich, Hsieh. Unbiased Offline Recommender Evaluation for
///   Missing-Not-At-Random Implicit Feedback. RecSys 2018.
/// - Saito, Yaginuma, Nishino, Sakata, Nakata. Unbiased Recommender Learning from
///   Missing-Not-At-Random Implicit Feedback. WSDM 2020.
public struct InversePropensityEvaluation: Sendable, Equatable {
  /// The cut-off k of DCG@k and recall@k.
  public var cutoff: Int
  /// Position weights of the group exposure.
  public var weighting: PositionWeighting
  /// Bootstrap samples (0 for none).
  public var bootstrapSamples: Int
  /// Quantiles of the intervals.
  public var quantiles: [Double]
  /// Seed of the bootstrap.
  public var seed: UInt64

  public init(
    cutoff: Int = 10, weighting: PositionWeighting = .logarithmic, bootstrapSamples: Int = 0,
    quantiles: [Double] = [0.025, 0.975], seed: UInt64 = 0
  ) {
    self.cutoff = cutoff
    self.weighting = weighting
    self.bootstrapSamples = bootstrapSamples
    self.quantiles = quantiles
    self.seed = seed
  }

  /// A ranker to evaluate: its order of the logged items (aligned with the input rows).
  public struct Ranker: Sendable, Equatable {
    public var name: String
    /// Ranks or scores per input row; nil for the logged ranking itself.
    public var order: RankingOrder?

    public init(name: String, order: RankingOrder?) {
      self.name = name
      self.order = order
    }

    /// The ranking that produced the log.
    public static let logged = Ranker(name: "logged", order: nil)
  }

  /// Where the propensities come from.
  public enum Propensities: Sendable, Equatable {
    /// The lists' own propensity column.
    case given
    /// A fitted click model's propensity of each logged rank.
    case model(PositionBasedClickModel.Model)
  }

  /// The measures, in the order of ``Estimate/values``.
  public enum Measure: Sendable, Hashable {
    case dcg
    case dcgPerRelevant
    case recall
    case exposure(group: Int)
  }

  /// One measure of one ranker by each estimator.
  public struct Estimate: Sendable, Equatable {
    public var measure: Measure
    public var naive: Double
    /// IPS (DCG@k only).
    public var ips: Double?
    /// SNIPS (the per-relevant-item measures).
    public var selfNormalized: Double?
    /// The measure with the true relevance, when the lists carry relevance.
    public var truth: Double?
    /// Intervals at ``InversePropensityEvaluation/quantiles``, per estimator.
    public var naiveInterval: [Double]?
    public var ipsInterval: [Double]?
    public var selfNormalizedInterval: [Double]?
  }

  /// Every ranker's estimates.
  public struct Report: Sendable, Equatable {
    public var rankers: [String]
    public var groupNames: [String]
    public var cutoff: Int
    /// `estimates[r]`: ranker r's measures (DCG, DCG/relevant, recall, then each group).
    public var estimates: [[Estimate]]
    public var listCount: Int
    public var clickCount: Int
  }

  /// Evaluates `rankers` on the click log `lists` (which needs clicks, and propensities unless
  /// a model is given).
  public func evaluated(
    _ lists: RankedLists, rankers: [Ranker] = [.logged], propensities: Propensities = .given
  ) throws -> Report {
    guard let clicks = lists.clicks else {
      throw BiasKitError.rankingNeeds("clicks", for: "inverse-propensity evaluation")
    }
    let p: [Double]
    switch propensities {
    case .given:
      guard let given = lists.propensities else {
        throw BiasKitError.rankingNeeds(
          "propensities (or an estimated click model)", for: "inverse-propensity evaluation")
      }
      p = given
    case .model(let model):
      guard model.propensities.count >= lists.longestListLength else {
        throw BiasKitError(
          .invalidArgument, "the click model was fitted to shorter lists than these")
      }
      p = model.positionPropensities(lists)
    }
    guard cutoff >= 1 else {
      throw BiasKitError(.invalidArgument, "the cut-off k must be at least 1")
    }
    try weighting.validate()
    guard bootstrapSamples >= 0, quantiles.allSatisfy({ (0...1).contains($0) }) else {
      throw BiasKitError(
        .invalidArgument, "the bootstrap needs samples ≥ 0 and quantiles in [0, 1]")
    }
    guard !rankers.isEmpty else { throw BiasKitError(.invalidArgument, "no ranker to evaluate") }
    for ranker in rankers {
      if let order = ranker.order {
        guard order.count == lists.rowCount else {
          throw BiasKitError.rankingLengthMismatch(
            "ranker '\(ranker.name)'", order.count, lists.rowCount)
        }
      }
    }
    let g = lists.groupCount
    let lcount = lists.listCount
    let measureList =
      [Measure.dcg, .dcgPerRelevant, .recall] + (0..<g).map { .exposure(group: $0) }
    let mcount = measureList.count
    let truthKnown = lists.relevance != nil
    let weights = PositionWeights(weighting, length: lists.longestListLength)
    let discount = PositionWeights(.logarithmic, length: lists.longestListLength)
    let qcount = lists.queryCount
    // Per query and estimator (naive, IPS, truth): Σ r̂·D, Σ r̂, Σ r̂·1[top k], then per group
    // Σ r̂·v and Σ r̂ — the totals every measure is a mean or a ratio of.
    let width = 3 + 2 * g
    let columns = 3 * width
    var listsOfQuery = [Double](repeating: 0, count: qcount)
    for q in 0..<qcount {
      listsOfQuery[q] = Double(lists.queryListStart[q + 1] - lists.queryListStart[q])
    }
    var estimates: [[Estimate]] = []
    for ranker in rankers {
      if case .ranks(let ranks)? = ranker.order {
        try InversePropensityEvaluation.checkPermutations(lists, ranks, ranker.name)
      }
      var sums = [Double](repeating: 0, count: qcount * columns)
      sums.withUnsafeMutableBufferPointer { out in
        RankingMath.forEachChunk(qcount, minimumChunk: 256) { range in
          var order: [Int] = []
          var d: [Double] = []
          var v: [Double] = []
          var inside: [Double] = []
          for q in range {
            for l in lists.queryListStart[q]..<lists.queryListStart[q + 1] {
              let start = lists.listStart[l]
              let m = lists.listStart[l + 1] - start
              InversePropensityEvaluation.rankerWeights(
                lists, list: l, order: ranker.order, cutoff: cutoff, discount: discount,
                weights: weights, scratch: &order, d: &d, v: &v, inside: &inside)
              for e in 0..<(truthKnown ? 3 : 2) {
                let base = q * columns + e * width
                for i in 0..<m {
                  let position = start + i
                  let r: Double
                  switch e {
                  case 0: r = Double(clicks[position])
                  case 1: r = Double(clicks[position]) / p[position]
                  default: r = lists.relevance![position] > 0 ? 1 : 0
                  }
                  if r == 0 { continue }
                  out[base] += r * d[i]
                  out[base + 1] += r
                  out[base + 2] += r * inside[i]
                  let h = Int(lists.groups[position])
                  out[base + 3 + h] += r * v[i]
                  out[base + 3 + g + h] += r
                }
              }
            }
          }
        }
      }
      // The measures from the totals, each query weighing `weight(q)` times.
      func measures(_ weight: (Int) -> Double) -> [Double] {
        var total = [Double](repeating: 0, count: columns)
        var listTotal = 0.0
        for q in 0..<qcount {
          let w = weight(q)
          if w == 0 { continue }
          listTotal += w * listsOfQuery[q]
          for c in 0..<columns { total[c] += w * sums[q * columns + c] }
        }
        var out = [Double](repeating: .nan, count: 3 * mcount)
        func ratio(_ a: Double, _ b: Double) -> Double { b > 0 ? a / b : .nan }
        for e in 0..<3 {
          let t = e * width
          out[e * mcount] = ratio(total[t], listTotal)
          out[e * mcount + 1] = ratio(total[t], total[t + 1])
          out[e * mcount + 2] = ratio(total[t + 2], total[t + 1])
          for h in 0..<g { out[e * mcount + 3 + h] = ratio(total[t + 3 + h], total[t + 3 + g + h]) }
        }
        return out
      }
      let point = measures { _ in 1 }
      var intervals: [[Double]]? = nil
      if bootstrapSamples > 0 {
        let outputs = 3 * mcount
        var table = [Double](repeating: .nan, count: bootstrapSamples * outputs)
        let seed = self.seed
        table.withUnsafeMutableBufferPointer { out in
          RankingMath.forEachChunk(bootstrapSamples, minimumChunk: 1) { range in
            var multiplicity = [Double](repeating: 0, count: qcount)
            for b in range {
              var rng = SeededGenerator(seed: seed).stream(UInt64(b))
              for q in 0..<qcount { multiplicity[q] = 0 }
              for _ in 0..<qcount { multiplicity[rng.nextInt(below: qcount)] += 1 }
              let values = measures { multiplicity[$0] }
              for c in 0..<outputs { out[b * outputs + c] = values[c] }
            }
          }
        }
        intervals = (0..<outputs).map { c in
          var values = (0..<bootstrapSamples).map { table[$0 * outputs + c] }.filter { !$0.isNaN }
          return quantiles.map { Bootstrap.quantile(&values, $0) }
        }
      }
      estimates.append(
        measureList.enumerated().map { j, measure in
          let isSum = measure == .dcg
          return Estimate(
            measure: measure, naive: point[j], ips: isSum ? point[mcount + j] : nil,
            selfNormalized: isSum ? nil : point[mcount + j],
            truth: truthKnown ? point[2 * mcount + j] : nil,
            naiveInterval: intervals?[j],
            ipsInterval: isSum ? intervals?[mcount + j] : nil,
            selfNormalizedInterval: isSum ? nil : intervals?[mcount + j])
        })
    }
    return Report(
      rankers: rankers.map(\.name), groupNames: lists.groupNames, cutoff: cutoff,
      estimates: estimates, listCount: lcount, clickCount: clicks.reduce(0) { $0 + Int($1) })
  }

  /// Each position's discount D (zero past k), weight v and share of the top k under the
  /// ranker's order of list `list`; ties of scores share their positions' mean values.
  static func rankerWeights(
    _ lists: RankedLists, list: Int, order: RankingOrder?, cutoff: Int,
    discount: PositionWeights, weights: PositionWeights, scratch: inout [Int],
    d: inout [Double], v: inout [Double], inside: inout [Double]
  ) {
    let start = lists.listStart[list]
    let m = lists.listStart[list + 1] - start
    if d.count < m {
      d = [Double](repeating: 0, count: m)
      v = [Double](repeating: 0, count: m)
      inside = [Double](repeating: 0, count: m)
    }
    guard let order else {
      lists.fillWeights(&d, list: list, table: discount, cutoff: cutoff)
      lists.fillWeights(&v, list: list, table: weights)
      for i in 0..<m { inside[i] = i < cutoff ? 1 : 0 }
      return
    }
    scratch.removeAll(keepingCapacity: true)
    for i in 0..<m { scratch.append(i) }
    let rows = lists.rows
    switch order {
    case .ranks(let ranks):
      scratch.sort { ranks[Int(rows[start + $0])] < ranks[Int(rows[start + $1])] }
      for (rank, i) in scratch.enumerated() {
        d[i] = rank < cutoff ? discount[rank + 1] : 0
        v[i] = weights[rank + 1]
        inside[i] = rank < cutoff ? 1 : 0
      }
    case .scores(let scores):
      scratch.sort {
        let a = scores[Int(rows[start + $0])]
        let b = scores[Int(rows[start + $1])]
        return a > b || (a == b && $0 < $1)
      }
      var a = 0
      while a < m {
        var b = a + 1
        let s = scores[Int(rows[start + scratch[a]])]
        while b < m, scores[Int(rows[start + scratch[b]])] == s { b += 1 }
        var sumD = 0.0
        var sumV = 0.0
        var shown = 0.0
        for rank in a..<b {
          sumD += rank < cutoff ? discount[rank + 1] : 0
          sumV += weights[rank + 1]
          shown += rank < cutoff ? 1 : 0
        }
        for j in a..<b {
          d[scratch[j]] = sumD / Double(b - a)
          v[scratch[j]] = sumV / Double(b - a)
          inside[scratch[j]] = shown / Double(b - a)
        }
        a = b
      }
    }
  }

  /// A ranker given by ranks must rank each list 1…m.
  static func checkPermutations(_ lists: RankedLists, _ ranks: [Double], _ name: String) throws {
    var seen: [Bool] = []
    for l in 0..<lists.listCount {
      let start = lists.listStart[l]
      let m = lists.listStart[l + 1] - start
      seen = [Bool](repeating: false, count: m)
      for p in start..<(start + m) {
        let r = ranks[Int(lists.rows[p])]
        guard r.isFinite, r >= 1, r <= Double(m), r == r.rounded(), !seen[Int(r) - 1] else {
          throw BiasKitError(
            .invalidValue,
            "ranker '\(name)': ranks of \(lists.listName(l)) are not a permutation of 1…\(m) (rank \(r))"
          )
        }
        seen[Int(r) - 1] = true
      }
    }
  }
}
