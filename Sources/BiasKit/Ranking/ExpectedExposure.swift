import Foundation

/// Expected exposure of a stochastic ranker (several sampled rankings per query) against the
/// exposure an ideal ranker that treats equally relevant items equally would give.
///
/// For a query with sampled lists s = 1…S over items d with relevance u(d):
///
///     ε(d)  = 1/S Σ_s v(rank_s(d))                  (0 in a sample that does not list d)
///     ε*(d) = mean of v over the positions of d's relevance grade in the ideal ranking
///
/// where the ideal ranking sorts the query's items by decreasing relevance, its length the
/// longest sampled list (positions past it weigh 0), and a grade of r items spanning positions
/// a…a+r−1 shares their weights equally (the principle of equal expected exposure). Then
///
///     EE-L = ‖ε − ε*‖²    EE-D = ‖ε‖² (disparity)    EE-R = εᵀε* (relevance)
///
/// with EE-L = EE-D − 2·EE-R + ‖ε*‖² (``idealNorm``); lower EE-L and EE-D and higher EE-R are
/// better. The group form sums exposure over each item group, ε(G) = Σ_{d ∈ G} ε(d) and
/// ε*(G) likewise, and measures the same three quantities on those vectors. A deterministic
/// ranker is one sample per query. Values are averaged over queries.
///
/// An item must keep its relevance and its group in every sample of a query.
///
/// - Complexity: O(n log m) for n rows in lists of up to m items.
///
/// ## References
/// - Diaz, Mitra, Ekstrand, Biega, Carterette. Evaluating Stochastic Rankings with Expected
///   Exposure. CIKM 2020.
public struct ExpectedExposure: Sendable, Equatable {
  /// The browsing model (the paper uses ``PositionWeighting/geometric(patience:)`` with 0.5).
  public var weighting: PositionWeighting

  public init(weighting: PositionWeighting = .geometric(patience: 0.5)) {
    self.weighting = weighting
  }

  /// The measures of one query (or their means over queries).
  public struct Values: Sendable, Equatable {
    /// ‖ε − ε*‖².
    public var loss: Double
    /// ‖ε‖².
    public var disparity: Double
    /// εᵀε*.
    public var relevance: Double
    /// ‖ε*‖².
    public var idealNorm: Double
    /// ε(G) per item group.
    public var groupExposure: [Double]
    /// ε*(G) per item group.
    public var groupTarget: [Double]
    /// ‖ε(G) − ε*(G)‖², ‖ε(G)‖², ε(G)ᵀε*(G).
    public var groupLoss: Double
    public var groupDisparity: Double
    public var groupRelevance: Double
    /// Items of the query (for means: queries averaged).
    public var count: Int
  }

  /// Per-query values and their means.
  public struct Report: Sendable, Equatable {
    public var weighting: PositionWeighting
    public var groupNames: [String]
    public var queries: [Values]
    public var mean: Values
  }

  /// Computes expected exposure over the samples of each query of `lists`.
  ///
  /// - Throws: without items or relevance, or when an item changes relevance or group between
  ///   samples.
  public func evaluated(_ lists: RankedLists) throws -> Report {
    try weighting.validate()
    guard let itemCodes = lists.items else {
      throw BiasKitError.rankingNeeds("an item column", for: "expected exposure")
    }
    guard let relevance = lists.relevance else {
      throw BiasKitError.rankingNeeds("relevance", for: "expected exposure")
    }
    let g = lists.groupCount
    let table = PositionWeights(weighting, length: lists.longestListLength)
    let empty = Values(
      loss: 0, disparity: 0, relevance: 0, idealNorm: 0, groupExposure: [], groupTarget: [],
      groupLoss: 0, groupDisparity: 0, groupRelevance: 0, count: 0)
    var queries = [Values](repeating: empty, count: lists.queryCount)
    let failures = ManagedErrors()
    queries.withUnsafeMutableBufferPointer { out in
      RankingMath.forEachChunk(lists.queryCount, minimumChunk: 256) { range in
        var weights: [Double] = []
        var entries: [(item: Int32, position: Int, weight: Double)] = []
        var itemsOfQuery: [(relevance: Double, group: Int32, exposure: Double)] = []
        var target: [Double] = []
        queryLoop: for q in range {
          let firstList = lists.queryListStart[q]
          let lastList = lists.queryListStart[q + 1]
          let samples = Double(lastList - firstList)
          entries.removeAll(keepingCapacity: true)
          var longest = 0
          for l in firstList..<lastList {
            let start = lists.listStart[l]
            let m = lists.listStart[l + 1] - start
            longest = max(longest, m)
            lists.fillWeights(&weights, list: l, table: table)
            for k in 0..<m { entries.append((itemCodes[start + k], start + k, weights[k])) }
          }
          itemsOfQuery.removeAll(keepingCapacity: true)
          if lastList - firstList == 1 {
            // One list: its items are distinct (validated), nothing to merge.
            for e in entries {
              itemsOfQuery.append((relevance[e.position], lists.groups[e.position], e.weight))
            }
          } else {
            entries.sort { $0.item < $1.item || ($0.item == $1.item && $0.position < $1.position) }
          }
          var k = lastList - firstList == 1 ? entries.count : 0
          while k < entries.count {
            var e = k
            var exposure = 0.0
            let first = entries[k].position
            while e < entries.count, entries[e].item == entries[k].item {
              let p = entries[e].position
              if relevance[p] != relevance[first] || lists.groups[p] != lists.groups[first] {
                failures.record(
                  BiasKitError.itemChangesBetweenSamples(
                    lists.itemNames?[Int(entries[k].item)] ?? "", query: lists.queryNames[q]))
                continue queryLoop
              }
              exposure += entries[e].weight
              e += 1
            }
            itemsOfQuery.append((relevance[first], lists.groups[first], exposure / samples))
            k = e
          }
          // The ideal ranking: by relevance, grades sharing their positions' weights.
          itemsOfQuery.sort { $0.relevance > $1.relevance }
          if target.count < itemsOfQuery.count {
            target = [Double](repeating: 0, count: itemsOfQuery.count)
          }
          var a = 0
          while a < itemsOfQuery.count {
            var b = a + 1
            while b < itemsOfQuery.count, itemsOfQuery[b].relevance == itemsOfQuery[a].relevance {
              b += 1
            }
            var sum = 0.0
            for position in a..<b where position < longest { sum += table[position + 1] }
            for j in a..<b { target[j] = sum / Double(b - a) }
            a = b
          }
          var values = Values(
            loss: 0, disparity: 0, relevance: 0, idealNorm: 0,
            groupExposure: [Double](repeating: 0, count: g),
            groupTarget: [Double](repeating: 0, count: g), groupLoss: 0, groupDisparity: 0,
            groupRelevance: 0, count: itemsOfQuery.count)
          for (j, item) in itemsOfQuery.enumerated() {
            let d = item.exposure - target[j]
            values.loss += d * d
            values.disparity += item.exposure * item.exposure
            values.relevance += item.exposure * target[j]
            values.idealNorm += target[j] * target[j]
            values.groupExposure[Int(item.group)] += item.exposure
            values.groupTarget[Int(item.group)] += target[j]
          }
          for h in 0..<g {
            let d = values.groupExposure[h] - values.groupTarget[h]
            values.groupLoss += d * d
            values.groupDisparity += values.groupExposure[h] * values.groupExposure[h]
            values.groupRelevance += values.groupExposure[h] * values.groupTarget[h]
          }
          out[q] = values
        }
      }
    }
    if let error = failures.first { throw error }
    return Report(
      weighting: weighting, groupNames: lists.groupNames, queries: queries,
      mean: ExpectedExposure.average(queries, groupCount: g))
  }

  static func average(_ values: [Values], groupCount g: Int) -> Values {
    let n = Double(max(1, values.count))
    func mean(_ pick: (Values) -> Double) -> Double { values.reduce(0) { $0 + pick($1) } / n }
    return Values(
      loss: mean(\.loss), disparity: mean(\.disparity), relevance: mean(\.relevance),
      idealNorm: mean(\.idealNorm),
      groupExposure: (0..<g).map { h in mean { $0.groupExposure[h] } },
      groupTarget: (0..<g).map { h in mean { $0.groupTarget[h] } },
      groupLoss: mean(\.groupLoss), groupDisparity: mean(\.groupDisparity),
      groupRelevance: mean(\.groupRelevance), count: values.count)
  }
}

/// The first error raised by parallel workers.
final class ManagedErrors: @unchecked Sendable {
  private var error: BiasKitError?
  private let lock = NSLock()

  func record(_ error: BiasKitError) {
    lock.lock()
    defer { lock.unlock() }
    if self.error == nil { self.error = error }
  }

  var first: BiasKitError? {
    lock.lock()
    defer { lock.unlock() }
    return error
  }
}

extension BiasKitError {
  static func itemChangesBetweenSamples(_ item: String, query: String) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "item '\(item)' of query '\(query)' has a different relevance or group in another sample")
  }
}
