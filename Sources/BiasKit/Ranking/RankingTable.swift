import Foundation

/// The columns of a ranking table: which column holds the query, the item, the rank or score,
/// the item group and the optional relevance, clicks, propensities, samples and query groups.
///
/// Used by ``RankingTable/read(_:columns:)`` to read any ``TableSource`` (CSV, Parquet, …) into
/// validated ``RankedLists``, every problem named by file and line (or row group and row).
public struct RankingColumns: Sendable, Equatable {
  /// How the rows are ordered within a list.
  public enum Order: Sendable, Equatable {
    /// A column of 1-based ranks.
    case rank(String)
    /// A column of scores (highest first).
    case score(String)

    /// The column's name.
    public var column: String {
      switch self {
      case .rank(let name), .score(let name): return name
      }
    }
  }

  public var query: String
  public var item: String?
  public var order: Order
  /// The item group's features (several: their intersection); none for one group "all".
  public var groups: [String]
  public var relevance: String?
  /// 0/1 clicks.
  public var clicked: String?
  /// Examination propensities in (0, 1].
  public var propensity: String?
  /// Which of a query's lists a row belongs to (sampled rankings, sessions).
  public var sample: String?
  public var queryGroup: String?
  /// Score columns of other rankers of the same rows (highest first), read as they are.
  public var comparedScores: [String]

  public init(
    query: String, item: String? = nil, order: Order, groups: [String] = [],
    relevance: String? = nil, clicked: String? = nil, propensity: String? = nil,
    sample: String? = nil, queryGroup: String? = nil, comparedScores: [String] = []
  ) {
    self.query = query
    self.item = item
    self.order = order
    self.groups = groups
    self.relevance = relevance
    self.clicked = clicked
    self.propensity = propensity
    self.sample = sample
    self.queryGroup = queryGroup
    self.comparedScores = comparedScores
  }
}

/// Ranked lists read from a table, with the other rankers' scores of the same rows.
///
/// Every column is typed while it is read (``ColumnRequest``); ``RankedLists`` then validates
/// the lists, each failure prefixed with the file and line of the row at fault
/// (`ranks.csv:17: ranks of query 'q3' are not a permutation: rank 2 appears twice`).
///
/// - Complexity: the read, plus ``RankedLists``' O(n + q + i + s).
public struct RankingTable: Sendable {
  /// The validated lists.
  public let lists: RankedLists
  /// One ranker per ``RankingColumns/comparedScores`` column, its scores aligned with the
  /// input rows.
  public let comparedRankers: [InversePropensityEvaluation.Ranker]
  /// The source's name, for messages.
  public let sourceName: String

  /// Reads `columns` of `source` and validates the lists.
  ///
  /// - Throws: ``BiasKitError`` for a missing column, a column given two kinds of role (a
  ///   number and a category), a click that is not 0 or 1, or any validation failure of
  ///   ``RankedLists``.
  public static func read(
    _ source: any TableSource, columns: RankingColumns
  ) throws
    -> RankingTable
  {
    var requests: [ColumnRequest] = []
    func slot(_ request: ColumnRequest) throws -> Int {
      if let k = requests.firstIndex(where: { $0.name == request.name }) {
        guard requests[k].kind == request.kind else {
          throw BiasKitError.rankingColumnTwoRoles(request.name)
        }
        return k
      }
      try source.requireColumn(request.name)
      requests.append(request)
      return requests.count - 1
    }
    let querySlot = try slot(.category(columns.query))
    let itemSlot = try columns.item.map { try slot(.category($0)) }
    let orderSlot = try slot(.number(columns.order.column))
    let groupSlots = try columns.groups.map { try slot(.category($0)) }
    let relevanceSlot = try columns.relevance.map { try slot(.number($0)) }
    let clickSlot = try columns.clicked.map { try slot(.number($0)) }
    let propensitySlot = try columns.propensity.map { try slot(.number($0)) }
    let sampleSlot = try columns.sample.map { try slot(.category($0)) }
    let queryGroupSlot = try columns.queryGroup.map { try slot(.category($0)) }
    let comparedSlots = try columns.comparedScores.map { try slot(.number($0)) }
    let table = try source.read(requests)
    func categories(_ k: Int) -> CategoricalColumn { table.columns[k].categories! }
    func numbers(_ k: Int) -> [Double] { table.columns[k].numbers! }

    var clicks: [UInt8]? = nil
    if let clickSlot, let name = columns.clicked {
      let values = numbers(clickSlot)
      var out = [UInt8](repeating: 0, count: values.count)
      for i in values.indices {
        guard values[i] == 0 || values[i] == 1 else {
          throw BiasKitError.badClickValue(
            values[i], at: source.location(row: i, column: name))
        }
        out[i] = values[i] == 1 ? 1 : 0
      }
      clicks = out
    }
    let orderValues = numbers(orderSlot)
    let order: RankingOrder
    switch columns.order {
    case .rank: order = .ranks(orderValues)
    case .score: order = .scores(orderValues)
    }
    let groups =
      groupSlots.isEmpty
      ? nil : try Groups(features: columns.groups, columns: groupSlots.map(categories))
    let queryGroups = try queryGroupSlot.map {
      try Groups(features: [columns.queryGroup!], columns: [categories($0)])
    }
    let sourceForMessages = source
    let queryColumn = columns.query
    let lists = try RankedLists(
      queries: categories(querySlot), items: itemSlot.map(categories), order: order,
      groups: groups, relevance: relevanceSlot.map(numbers), clicks: clicks,
      propensities: propensitySlot.map(numbers), samples: sampleSlot.map(categories),
      queryGroups: queryGroups,
      describeRow: { row in
        sourceForMessages.location(row: row, column: queryColumn).withoutColumn.description
      })
    let rankers = zip(columns.comparedScores, comparedSlots).map { name, k in
      InversePropensityEvaluation.Ranker(name: name, order: .scores(numbers(k)))
    }
    return RankingTable(lists: lists, comparedRankers: rankers, sourceName: source.name)
  }

  private init(
    lists: RankedLists, comparedRankers: [InversePropensityEvaluation.Ranker], sourceName: String
  ) {
    self.lists = lists
    self.comparedRankers = comparedRankers
    self.sourceName = sourceName
  }
}

extension RankedLists {
  /// The index of the item group called `name`.
  ///
  /// - Throws: ``BiasKitError`` listing the groups when there is none of that name.
  public func group(named name: String) throws -> Int {
    guard let index = groupNames.firstIndex(of: name) else {
      throw BiasKitError.unknownRankingGroup(name, groupNames)
    }
    return index
  }

  /// The group with the fewest rows (the first of them on a tie): the default protected group.
  public var smallestGroup: Int {
    var counts = [Int](repeating: 0, count: groupCount)
    for g in groups { counts[Int(g)] += 1 }
    var best = 0
    for g in 1..<max(1, groupCount) where counts[g] < counts[best] { best = g }
    return best
  }
}

extension BiasKitError {
  static func rankingColumnTwoRoles(_ name: String) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "column '\(name)' is given two roles, a number (rank, score, relevance, click, propensity) and a category (query, item, group)"
    )
  }

  static func badClickValue(_ value: Double, at location: SourceLocation) -> BiasKitError {
    BiasKitError(.invalidValue, "\(location): click \(value) is not 0 or 1")
  }

  static func unknownRankingGroup(_ name: String, _ names: [String]) -> BiasKitError {
    BiasKitError(
      .unknownName,
      "'\(name)' is not an item group; the groups are \(names.prefix(10).joined(separator: ", "))\(names.count > 10 ? ", …" : "")"
    )
  }
}
