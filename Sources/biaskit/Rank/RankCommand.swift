import ArgumentParser
import BiasKit
import Foundation

/// `biaskit rank`: bias in rankings and recommendations — who gets seen (exposure, rND/rKL/rRD,
/// top-k shares with FA*IR's test, NDCG by group), FA*IR re-ranking, and unbiased evaluation
/// from click logs (IPS/SNIPS beside the naive estimate).
///
///     biaskit rank exposure lists.csv --query query --item item --score score --group group \
///       --relevance relevance --protected African-American --k 10,20
///     biaskit rank fair lists.csv --query query --item item --score score --group group \
///       --protected African-American --p 0.5 --alpha 0.1 --k 20 --output fair.csv
///     biaskit rank evaluate clicks.parquet --query session --item doc --rank position \
///       --clicked clicked --estimate-propensity --compare new_ranker
struct RankCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rank",
    abstract: "Exposure fairness of rankings, FA*IR re-ranking, unbiased evaluation from clicks.",
    discussion: """
      Input: one row per (query, item) with a rank (--rank, 1 = top) or a score (--score, \
      highest first), the item's group (--group) and optionally its relevance, whether it was \
      clicked and its examination propensity. Any registered table format (CSV, Parquet, …).
      """,
    subcommands: [RankExposureCommand.self, RankFairCommand.self, RankEvaluateCommand.self],
    defaultSubcommand: RankExposureCommand.self)
}

/// The file and the roles of its columns.
struct RankInputOptions: ParsableArguments {
  @Argument(
    help: ArgumentHelp(
      "The ranked rows, one per (query, item) (CSV, Parquet or another registered format).",
      valueName: "file"))
  var input: String

  @Option(help: "Column of the query (or user, or job opening) each row belongs to.")
  var query: String = "query"

  @Option(help: "Column of the item (detects duplicates; needed by expected exposure and EM).")
  var item: String?

  @Option(help: "Column of 1-based ranks within each query (1 = top).")
  var rank: String?

  @Option(help: "Column of scores, highest first (instead of --rank; equal scores are ties).")
  var score: String?

  @Option(help: "Column(s) of the item's group, comma-separated for their intersection.")
  var group: [String] = []

  @Option(help: "Column of graded or 0/1 relevance.")
  var relevance: String?

  @Option(help: "Column of 0/1 clicks (rank evaluate).")
  var clicked: String?

  @Option(help: "Column of examination propensities in (0, 1] (rank evaluate).")
  var propensity: String?

  @Option(help: "Column telling apart several rankings of one query (sampled rankings).")
  var sample: String?

  @Option(name: .customLong("query-group"), help: "Column of a group of queries (or users).")
  var queryGroup: String?

  @Option(help: "Field separator (one character; `tab` for tab). Default: by extension.")
  var delimiter: String?

  /// The columns, once --rank or --score is settled.
  func columns(compared: [String] = []) throws -> RankingColumns {
    let order: RankingColumns.Order
    switch (rank, score) {
    case (let rank?, nil): order = .rank(rank)
    case (nil, let score?): order = .score(score)
    case (nil, nil):
      throw BiasKitError(.invalidArgument, "give --rank COLUMN or --score COLUMN")
    case (.some, .some):
      throw BiasKitError(.invalidArgument, "give --rank or --score, not both")
    }
    return RankingColumns(
      query: query, item: item, order: order, groups: AuditInputOptions.split(group),
      relevance: relevance, clicked: clicked, propensity: propensity, sample: sample,
      queryGroup: queryGroup, comparedScores: compared)
  }

  /// Reads and validates the lists.
  func load(compared: [String] = []) throws -> RankingTable {
    let columns = try columns(compared: compared)
    let delimiter = try delimiter.map { try AuditInputOptions.delimiterByte($0) }
    let source = try TableSources.open(input, options: TableReadOptions(delimiter: delimiter))
    return try RankingTable.read(source, columns: columns)
  }
}

/// The browsing model of the exposure measures.
enum WeightingChoice: String, CaseIterable, ExpressibleByArgument {
  /// 1 / log2(1 + rank), DCG's discount.
  case logarithmic
  /// patience^(rank − 1), rank-biased precision's.
  case geometric
  /// 1 / rank.
  case reciprocal

  func weighting(patience: Double) -> PositionWeighting {
    switch self {
    case .logarithmic: return .logarithmic
    case .geometric: return .geometric(patience: patience)
    case .reciprocal: return .reciprocal
    }
  }
}

/// How a report is written.
enum RankFormat: String, CaseIterable, ExpressibleByArgument {
  case table, json, csv
}

/// Where a report goes: standard output, or a file written atomically.
enum RankOutput {
  static func write(_ text: String, to path: String?) throws {
    if let path {
      try AtomicFileWriter.write(text, to: path)
    } else {
      FileHandle.standardOutput.write(Data(text.utf8))
    }
  }

  /// The protected group: `name`, or the group with the fewest rows.
  static func protectedGroup(_ name: String?, in lists: RankedLists) throws -> Int {
    try name.map { try lists.group(named: $0) } ?? lists.smallestGroup
  }

  /// `--k` values: each at least 1.
  static func cutoffs(_ values: [Int]) throws -> [Int] {
    guard !values.isEmpty, let bad = values.first(where: { $0 < 1 }) else { return values }
    throw BiasKitError(.invalidArgument, "--k must be at least 1; got \(bad)")
  }

  /// `--patience` in (0, 1].
  static func check(patience: Double) throws {
    guard patience > 0, patience <= 1 else {
      throw BiasKitError(.invalidArgument, "--patience must lie in (0, 1]; got \(patience)")
    }
  }

  /// `--alpha` of FA*IR's test in (0, 0.5].
  static func check(alpha: Double) throws {
    guard alpha > 0, alpha <= 0.5 else {
      throw BiasKitError(.invalidArgument, "--alpha must lie in (0, 0.5]; got \(alpha)")
    }
  }

  /// `--p` in (0, 1).
  static func check(p: Double) throws {
    guard p > 0, p < 1 else {
      throw BiasKitError(.invalidArgument, "--p must lie in (0, 1); got \(p)")
    }
  }

  static func number(_ value: Double?) -> String {
    guard let value else { return "-" }
    return EstimateTable.number(value)
  }

  static func numbers(_ values: [Double]?) -> JSONValue {
    guard let values else { return .null }
    return .array(values.map { JSONValue.number($0) })
  }

  /// `[name: value]` of each group, as a JSON object.
  static func byGroup(_ names: [String], _ values: [Double]?) -> JSONValue {
    guard let values else { return .null }
    return .object(zip(names, values).map { ($0, JSONValue.number($1)) })
  }

  /// What was read, for the reports.
  static func summary(_ table: RankingTable) -> [(String, JSONValue)] {
    let lists = table.lists
    return [
      ("file", .string(table.sourceName)), ("rows", .integer(lists.rowCount)),
      ("queries", .integer(lists.queryCount)), ("lists", .integer(lists.listCount)),
      ("groups", .array(lists.groupNames.map { .string($0) })),
    ]
  }

  static func header(_ table: RankingTable) -> String {
    let lists = table.lists
    return
      "\(table.sourceName): \(lists.rowCount) rows, \(lists.queryCount) queries, \(lists.listCount) lists, groups \(lists.groupNames.joined(separator: ", "))\n"
  }
}
