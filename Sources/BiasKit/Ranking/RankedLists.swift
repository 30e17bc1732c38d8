/// How the rows of one ranked list are ordered.
public enum RankingOrder: Sendable, Equatable {
  /// 1-based positions: 1 is the top. Within each list they must be a permutation of 1…n.
  case ranks([Double])
  /// Scores: the highest is the top. Equal scores form a tie, which the linear metrics
  /// (exposure, DCG, precision, recall, shares) average over, as if the tie were broken
  /// uniformly at random (scikit-learn's `ndcg_score` does the same); the other measures break
  /// it by input order.
  case scores([Double])

  var count: Int {
    switch self {
    case .ranks(let values), .scores(let values): return values.count
    }
  }
}

/// Ranked lists: one row per (query, item) with its position, the item's group and, when
/// known, its relevance, whether it was clicked and the probability that its position was
/// examined.
///
/// A *query* is whatever a list answers (a search query, a user of a recommender, a job
/// opening). A query may hold several lists, its *samples* (sampled rankings of a stochastic
/// ranker, or logged impressions of the same query): exposure is then averaged over the
/// samples, as expected exposure (Diaz et al. 2020) asks. Rows are validated once, here, and
/// stored in ranking order — query by query (in order of first appearance), sample by sample,
/// position by position — so that every measure runs over contiguous typed arrays.
///
/// Validation (each failure a ``BiasKitError`` naming the query and, where there is one, the
/// rank or item): columns of one length; ranks whole numbers forming a permutation of 1…n in
/// every list; finite scores; no item twice in one list; at least two items per list;
/// relevance finite and non-negative; clicks 0 or 1; propensities in (0, 1]; a query group
/// that does not change within a query.
///
/// - Complexity: O(n + q + i + s) for n rows, q queries, i items and s samples (two counting
///   passes), plus O(m log m) per list of m items when ordered by score.
public struct RankedLists: Sendable {
  /// The queries' names, in order of first appearance.
  public let queryNames: [String]
  /// The item groups' names (``Groups/names``: sorted levels, joined for several features).
  public let groupNames: [String]
  /// The items' names, when items were given.
  public let itemNames: [String]?
  /// The samples' names, when several lists per query were given.
  public let sampleNames: [String]?
  /// The query groups' names, when query groups were given.
  public let queryGroupNames: [String]?

  /// `queryListStart[q]..<queryListStart[q + 1]`: the lists of query `q`.
  public let queryListStart: [Int]
  /// `listStart[l]..<listStart[l + 1]`: the positions of list `l`, top first.
  public let listStart: [Int]
  /// The sample of each list, when samples were given.
  public let listSample: [Int32]?
  /// The query group of each query, when query groups were given.
  public let queryGroup: [Int32]?

  /// The input row of each position.
  public let rows: [Int32]
  /// The item group of each position.
  public let groups: [Int32]
  /// The item of each position, when items were given.
  public let items: [Int32]?
  /// The relevance of each position (graded or 0/1).
  public let relevance: [Double]?
  /// Whether each position was clicked (0 or 1).
  public let clicks: [UInt8]?
  /// The examination propensity of each position, in (0, 1].
  public let propensities: [Double]?
  /// The score of each position, when the lists were ordered by score.
  public let scores: [Double]?
  /// Whether some list has equal scores.
  public let hasTies: Bool

  /// Number of rows (positions over all lists).
  public var rowCount: Int { rows.count }
  /// Number of queries.
  public var queryCount: Int { queryNames.count }
  /// Number of lists (equal to ``queryCount`` without samples).
  public var listCount: Int { listStart.count - 1 }
  /// Number of item groups.
  public var groupCount: Int { groupNames.count }
  /// The query of each list.
  public var listQuery: [Int32] {
    var out = [Int32](repeating: 0, count: listCount)
    for q in 0..<queryCount {
      for l in queryListStart[q]..<queryListStart[q + 1] { out[l] = Int32(q) }
    }
    return out
  }
  /// The length of the shortest list.
  public var shortestListLength: Int {
    var shortest = Int.max
    for l in 0..<listCount { shortest = min(shortest, listStart[l + 1] - listStart[l]) }
    return shortest
  }
  /// The length of the longest list.
  public var longestListLength: Int {
    var longest = 0
    for l in 0..<listCount { longest = max(longest, listStart[l + 1] - listStart[l]) }
    return longest
  }

  /// Validates and orders the rows.
  ///
  /// - Parameters:
  ///   - queries: the query of each row.
  ///   - items: the item of each row (needed to detect duplicates and for expected exposure
  ///     and the click model).
  ///   - order: each row's rank or score.
  ///   - groups: the item group of each row (one feature or an intersection); without it every
  ///     item is in one group, "all".
  ///   - relevance: graded or 0/1 relevance of each row.
  ///   - clicks: whether each row was clicked.
  ///   - propensities: the probability that each row's position was examined.
  ///   - samples: which of a query's lists each row belongs to.
  ///   - queryGroups: a group of queries (users' demographic, query category) per row.
  ///   - describeRow: where input row `i` is, for messages (e.g. `preds.csv:17`).
  /// - Throws: ``BiasKitError`` for any of the validation failures above.
  public init(
    queries: CategoricalColumn,
    items: CategoricalColumn? = nil,
    order: RankingOrder,
    groups: Groups? = nil,
    relevance: [Double]? = nil,
    clicks: [UInt8]? = nil,
    propensities: [Double]? = nil,
    samples: CategoricalColumn? = nil,
    queryGroups: Groups? = nil,
    describeRow: (@Sendable (Int) -> String)? = nil
  ) throws {
    let n = queries.codes.count
    func check(_ count: Int?, _ what: String) throws {
      if let count, count != n { throw BiasKitError.rankingLengthMismatch(what, count, n) }
    }
    try check(items?.codes.count, "items")
    try check(order.count, "ranks or scores")
    try check(groups?.rowCount, "groups")
    try check(relevance?.count, "relevance")
    try check(clicks?.count, "clicks")
    try check(propensities?.count, "propensities")
    try check(samples?.codes.count, "samples")
    try check(queryGroups?.rowCount, "query groups")
    guard n > 0 else { throw BiasKitError.noRankedRows() }
    guard n < Int(Int32.max) else {
      throw BiasKitError(.invalidArgument, "ranked lists hold at most \(Int32.max - 1) rows")
    }
    let where_: (Int) -> String = { row in describeRow.map { "\($0(row)): " } ?? "" }
    let queryName: (Int) -> String = { row in queries.levels[Int(queries.codes[row])] }

    // Row-level checks.
    if let relevance {
      for i in 0..<n where !(relevance[i].isFinite && relevance[i] >= 0) {
        throw BiasKitError.badRelevance(relevance[i], query: queryName(i), at: where_(i))
      }
    }
    if let clicks {
      for i in 0..<n where clicks[i] > 1 {
        throw BiasKitError.badClick(clicks[i], query: queryName(i), at: where_(i))
      }
    }
    if let propensities {
      for i in 0..<n where !(propensities[i] > 0 && propensities[i] <= 1) {
        throw BiasKitError.badPropensity(propensities[i], query: queryName(i), at: where_(i))
      }
    }
    switch order {
    case .ranks(let ranks):
      for i in 0..<n {
        let r = ranks[i]
        guard r.isFinite, r >= 1, r == r.rounded(), r < Double(Int32.max) else {
          throw BiasKitError.badRank(r, query: queryName(i), at: where_(i))
        }
      }
    case .scores(let scores):
      for i in 0..<n where !scores[i].isFinite {
        throw BiasKitError.badScore(scores[i], query: queryName(i), at: where_(i))
      }
    }

    // Group rows into lists: a stable counting sort by sample, then by query (skipped when the
    // rows already come query by query, as most files do).
    let queryCount = queries.levels.count
    var queryStart = [Int](repeating: 0, count: queryCount + 1)
    for i in 0..<n { queryStart[Int(queries.codes[i]) + 1] += 1 }
    for q in 0..<queryCount { queryStart[q + 1] += queryStart[q] }
    var byQuery: [Int32] = []
    var grouped = samples == nil
    if grouped {
      // Codes number queries by first appearance: rows are grouped iff codes never decrease.
      queries.codes.withUnsafeBufferPointer { codes in
        for i in 1..<n where codes[i] < codes[i - 1] {
          grouped = false
          break
        }
      }
    }
    if !grouped {
      var order0 = [Int32](repeating: 0, count: n)
      if let samples {
        let sampleCount = samples.levels.count
        var start = [Int](repeating: 0, count: sampleCount + 1)
        for i in 0..<n { start[Int(samples.codes[i]) + 1] += 1 }
        for s in 0..<sampleCount { start[s + 1] += start[s] }
        for i in 0..<n {
          let s = Int(samples.codes[i])
          order0[start[s]] = Int32(i)
          start[s] += 1
        }
      } else {
        for i in 0..<n { order0[i] = Int32(i) }
      }
      byQuery = [Int32](repeating: 0, count: n)
      var next = queryStart
      for k in 0..<n {
        let i = Int(order0[k])
        let q = Int(queries.codes[i])
        byQuery[next[q]] = Int32(i)
        next[q] += 1
      }
    }
    let isGrouped = grouped
    let groupedRows = byQuery
    byQuery = []
    /// The input row at grouped position k.
    @inline(__always) func rowAt(_ k: Int) -> Int { isGrouped ? k : Int(groupedRows[k]) }

    // Lists: runs of one sample within a query.
    var listStart: [Int] = [0]
    var queryListStart: [Int] = [0]
    var listSample: [Int32]? = samples == nil ? nil : []
    listStart.reserveCapacity(queryCount + 1)
    queryListStart.reserveCapacity(queryCount + 1)
    var presentQueries: [Int] = []
    presentQueries.reserveCapacity(queryCount)
    for q in 0..<queryCount where queryStart[q + 1] > queryStart[q] {
      presentQueries.append(q)
      var k = queryStart[q]
      let end = queryStart[q + 1]
      while k < end {
        let sample = samples.map { $0.codes[rowAt(k)] }
        var e = k + 1
        if let samples {
          while e < end, samples.codes[rowAt(e)] == sample! { e += 1 }
          listSample!.append(sample!)
        } else {
          e = end
        }
        listStart.append(e)
        k = e
      }
      queryListStart.append(listStart.count - 1)
    }

    // Order each list by rank (checking the permutation) or by score.
    var positions = [Int32](repeating: -1, count: n)
    var hasTies = false
    let listCount = listStart.count - 1
    var listOfQuery = 0
    for l in 0..<listCount {
      while queryListStart[listOfQuery + 1] <= l { listOfQuery += 1 }
      let start = listStart[l]
      let count = listStart[l + 1] - start
      let firstRow = rowAt(start)
      let name = queries.levels[presentQueries[listOfQuery]]
      let sampleName = samples.map { $0.levels[Int($0.codes[firstRow])] }
      guard count >= 2 else {
        throw BiasKitError.oneItemList(query: name, sample: sampleName, at: where_(firstRow))
      }
      switch order {
      case .ranks(let ranks):
        for k in start..<(start + count) {
          let i = rowAt(k)
          let r = Int(ranks[i])
          guard r <= count else {
            throw BiasKitError.rankOutOfRange(
              r, count: count, query: name, sample: sampleName, at: where_(i))
          }
          guard positions[start + r - 1] < 0 else {
            throw BiasKitError.repeatedRank(r, query: name, sample: sampleName, at: where_(i))
          }
          positions[start + r - 1] = Int32(i)
        }
      case .scores(let scores):
        var slice = (start..<(start + count)).map { Int32(rowAt($0)) }
        slice.sort { a, b in
          let sa = scores[Int(a)]
          let sb = scores[Int(b)]
          return sa > sb || (sa == sb && a < b)
        }
        for k in 0..<count {
          positions[start + k] = slice[k]
          if k > 0, scores[Int(slice[k])] == scores[Int(slice[k - 1])] { hasTies = true }
        }
      }
    }

    // Gather the columns in ranking order (nothing to gather when the rows are in order).
    var inOrder = true
    positions.withUnsafeBufferPointer { p in
      for k in 0..<n where p[k] != Int32(k) {
        inOrder = false
        break
      }
    }
    func gather<T>(_ values: [T]) -> [T] { inOrder ? values : positions.map { values[Int($0)] } }
    var groupNames = ["all"]
    var groupCodes: [Int32]
    if groups == nil { groupCodes = [Int32](repeating: 0, count: n) } else { groupCodes = [] }
    if let groups {
      groupNames = groups.names
      groupCodes = gather(groups.codes)
    }
    let itemCodes = items.map { gather($0.codes) }

    // No item twice in one list.
    if let items, let itemCodes {
      var lastList = [Int32](repeating: -1, count: items.levels.count)
      var listOfQuery = 0
      for l in 0..<listCount {
        while queryListStart[listOfQuery + 1] <= l { listOfQuery += 1 }
        for k in listStart[l]..<listStart[l + 1] {
          let item = Int(itemCodes[k])
          if lastList[item] == Int32(l) {
            let i = Int(positions[k])
            throw BiasKitError.duplicateItem(
              items.levels[item], query: queries.levels[presentQueries[listOfQuery]],
              sample: samples.map { $0.levels[Int($0.codes[i])] }, at: where_(i))
          }
          lastList[item] = Int32(l)
        }
      }
    }

    // One query group per query.
    var queryGroupCodes: [Int32]? = nil
    var queryGroupNames: [String]? = nil
    if let queryGroups {
      queryGroupNames = queryGroups.names
      var codes = [Int32](repeating: 0, count: presentQueries.count)
      for q in 0..<presentQueries.count {
        let first = listStart[queryListStart[q]]
        let end = listStart[queryListStart[q + 1]]
        let code = queryGroups.codes[Int(positions[first])]
        for k in first..<end where queryGroups.codes[Int(positions[k])] != code {
          let i = Int(positions[k])
          throw BiasKitError.queryGroupChanges(
            query: queries.levels[presentQueries[q]], first: queryGroups.name(Int(code)),
            then: queryGroups.name(Int(queryGroups.codes[i])), at: where_(i))
        }
        codes[q] = code
      }
      queryGroupCodes = codes
    }

    self.queryNames = presentQueries.map { queries.levels[$0] }
    self.groupNames = groupNames
    self.itemNames = items?.levels
    self.sampleNames = samples?.levels
    self.queryGroupNames = queryGroupNames
    self.queryListStart = queryListStart
    self.listStart = listStart
    self.listSample = listSample
    self.queryGroup = queryGroupCodes
    self.rows = positions
    self.groups = groupCodes
    self.items = itemCodes
    self.relevance = relevance.map(gather)
    self.clicks = clicks.map(gather)
    self.propensities = propensities.map(gather)
    if case .scores(let scores) = order {
      self.scores = gather(scores)
    } else {
      self.scores = nil
    }
    self.hasTies = hasTies
  }

  /// The query of list `list`.
  public func query(ofList list: Int) -> Int {
    var low = 0
    var high = queryCount
    while low < high {
      let mid = (low + high) / 2
      if queryListStart[mid + 1] <= list { low = mid + 1 } else { high = mid }
    }
    return low
  }

  /// The name of list `list` for messages: its query, and its sample when there are several.
  public func listName(_ list: Int) -> String {
    let q = query(ofList: list)
    if let listSample, let sampleNames {
      return "query '\(queryNames[q])', sample '\(sampleNames[Int(listSample[list])])'"
    }
    return "query '\(queryNames[q])'"
  }

  /// Fills `weights[0..<m]` with the position weights of list `list` (m items), zero past
  /// `cutoff`; tied scores share the mean weight of the positions they span (positions past
  /// the cutoff weighing zero), as scikit-learn's `ndcg_score` averages tied gains.
  func fillWeights(
    _ weights: inout [Double], list: Int, table: PositionWeights, cutoff: Int? = nil
  ) {
    let start = listStart[list]
    let m = listStart[list + 1] - start
    let limit = min(m, cutoff ?? m)
    if weights.count < m { weights += [Double](repeating: 0, count: m - weights.count) }
    for k in 0..<m { weights[k] = k < limit ? table[k + 1] : 0 }
    guard hasTies, let scores else { return }
    var k = 0
    while k < m {
      var e = k + 1
      while e < m, scores[start + e] == scores[start + k] { e += 1 }
      if e - k > 1 {
        var sum = 0.0
        for j in k..<e { sum += weights[j] }
        let mean = sum / Double(e - k)
        for j in k..<e { weights[j] = mean }
      }
      k = e
    }
  }
}

extension BiasKitError {
  static func rankingLengthMismatch(_ what: String, _ count: Int, _ rows: Int) -> BiasKitError {
    BiasKitError(
      .invalidArgument, "ranked lists: \(what) has \(count) values for \(rows) rows")
  }

  static func noRankedRows() -> BiasKitError {
    BiasKitError(.degenerateData, "ranked lists: there are no rows")
  }

  static func listLabel(_ query: String, _ sample: String?) -> String {
    sample.map { "query '\(query)', sample '\($0)'" } ?? "query '\(query)'"
  }

  static func badRelevance(_ value: Double, query: String, at location: String) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "\(location)relevance \(value) in query '\(query)' is not a finite non-negative number")
  }

  static func badClick(_ value: UInt8, query: String, at location: String) -> BiasKitError {
    BiasKitError(.invalidValue, "\(location)click \(value) in query '\(query)' is not 0 or 1")
  }

  static func badPropensity(_ value: Double, query: String, at location: String) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "\(location)propensity \(value) in query '\(query)' is outside (0, 1]")
  }

  static func badRank(_ value: Double, query: String, at location: String) -> BiasKitError {
    BiasKitError(
      .invalidValue, "\(location)rank \(value) in query '\(query)' is not a whole number ≥ 1")
  }

  static func badScore(_ value: Double, query: String, at location: String) -> BiasKitError {
    BiasKitError(.invalidValue, "\(location)score \(value) in query '\(query)' is not finite")
  }

  static func oneItemList(query: String, sample: String?, at location: String) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "\(location)\(listLabel(query, sample)) has one item; a ranking needs at least two")
  }

  static func rankOutOfRange(
    _ rank: Int, count: Int, query: String, sample: String?, at location: String
  ) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "\(location)ranks of \(listLabel(query, sample)) are not a permutation of 1…\(count): rank \(rank) is larger than its \(count) items"
    )
  }

  static func repeatedRank(
    _ rank: Int, query: String, sample: String?, at location: String
  )
    -> BiasKitError
  {
    BiasKitError(
      .invalidValue,
      "\(location)ranks of \(listLabel(query, sample)) are not a permutation: rank \(rank) appears twice"
    )
  }

  static func duplicateItem(
    _ item: String, query: String, sample: String?, at location: String
  )
    -> BiasKitError
  {
    BiasKitError(
      .invalidValue, "\(location)item '\(item)' appears twice in \(listLabel(query, sample))")
  }

  static func queryGroupChanges(
    query: String, first: String, then: String, at location: String
  )
    -> BiasKitError
  {
    BiasKitError(
      .invalidValue,
      "\(location)query '\(query)' is in query group '\(first)' and then '\(then)'; a query has one query group"
    )
  }

  static func listShorterThanCutoff(_ list: String, length: Int, cutoff: Int) -> BiasKitError {
    BiasKitError(
      .invalidArgument, "k = \(cutoff) is larger than the \(length) items of \(list)")
  }

  static func rankingNeeds(_ what: String, for measure: String) -> BiasKitError {
    BiasKitError(.invalidArgument, "\(measure) needs \(what)")
  }
}
