import Foundation

/// The SQL dialects BiasKit writes.
public enum SQLDialect: String, Sendable, CaseIterable, Codable {
  case spark, postgres, sqlite

  /// `name` as a quoted identifier: double quotes (PostgreSQL, SQLite) or backticks (Spark),
  /// with the quote character doubled inside. Any text is then one identifier, whatever quotes,
  /// spaces or SQL it holds.
  public func quoted(_ name: String) -> String {
    switch self {
    case .spark: return "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
    case .postgres, .sqlite: return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
  }

  /// The placeholder of bound parameter `index` (0-based) named `name`.
  func placeholder(_ index: Int, _ name: String) -> String {
    switch self {
    case .postgres: return "$\(index + 1)"
    case .spark, .sqlite: return ":" + name
    }
  }

  var doubleType: String {
    switch self {
    case .postgres: return "DOUBLE PRECISION"
    case .spark: return "DOUBLE"
    case .sqlite: return "REAL"
    }
  }
}

/// Where the rows are: a table (a quoted, possibly schema-qualified name) or the user's own
/// `SELECT`, used as a subquery.
public enum SQLSource: Sendable, Equatable {
  /// A table, quoted as one identifier (use `query` for a schema-qualified name).
  case table(String)
  case query(String)

  func sql(_ dialect: SQLDialect) -> String {
    switch self {
    case .table(let name): return dialect.quoted(name)
    case .query(let text):
      var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
      while body.hasSuffix(";") { body.removeLast() }
      return "(" + body + ") AS biaskit_source"
    }
  }

  public var description: String {
    switch self {
    case .table(let name): return "table '\(name)'"
    case .query: return "the query"
    }
  }
}

/// The `GROUP BY` that reduces an audit's rows to per-cell counts inside a database: one row
/// per (control levels, sensitive levels, y_true, y_pred[, score bin]) with the row count and,
/// with sample weights, the weight sum. ``AggregatedRows`` reads the result back into an
/// ``AuditState``.
///
/// Scores are grouped by their bin in a fixed-width histogram of `maxDistinctScores` bins of
/// `[scoreLower, scoreUpper)` (``AuditState/ScoreHistogram``, the same arithmetic), and each
/// group also returns the smallest and largest score it holds. When no (cell, bin) holds two
/// distinct scores — always the case for scores with at most that many well-separated values,
/// such as rounded scores — the minimum *is* each group's score and the counts are exact per
/// distinct value; otherwise BiasKit keeps the histogram and states the bound on the AUC
/// error. Either way the engine makes one scan and one hash aggregation into at most
/// cells × 4 × bins groups, and the result stays small whatever the table's size.
///
/// Identifiers are quoted for the dialect (``SQLDialect/quoted(_:)``); the three numbers are
/// bound parameters (``parameters``), never spliced; `GROUP BY` uses ordinals so an alias never
/// captures a same-named column. The result columns are named `control_1…`, `sensitive_1…`,
/// `y_true`, `y_pred`, `score_bin`, `score_min`, `score_max`, `row_count`, `weight_sum`.
///
/// - Complexity: one scan and one hash aggregation in the engine; the result has
///   O(cells × 4 × min(bins, distinct scores)) rows (O(cells × 4) without scores).
public struct AggregationQuery: Sendable {
  public var dialect: SQLDialect
  public var source: SQLSource
  public var columns: AuditColumns
  /// Bins of the score histogram.
  public var maxDistinctScores: Int
  public var scoreLower: Double
  public var scoreUpper: Double
  /// Group by each distinct score as well (one result row per distinct score: exact AUC).
  public var exactScores = false

  public init(
    dialect: SQLDialect, source: SQLSource, columns: AuditColumns, maxDistinctScores: Int = 100_000,
    scoreLower: Double = 0, scoreUpper: Double = 1
  ) {
    self.dialect = dialect
    self.source = source
    self.columns = columns
    self.maxDistinctScores = maxDistinctScores
    self.scoreLower = scoreLower
    self.scoreUpper = scoreUpper
  }

  /// A bound parameter.
  public enum Value: Sendable, Equatable {
    case integer(Int64)
    case real(Double)

    var text: String {
      switch self {
      case .integer(let i): return String(i)
      case .real(let d): return "\(d)"
      }
    }
  }

  /// Names and values of the bound parameters, in placeholder order (empty without scores).
  public var parameters: [(name: String, value: Value)] {
    guard columns.yScore != nil else { return [] }
    return [
      ("score_lower", .real(scoreLower)), ("score_upper", .real(scoreUpper)),
      ("score_bins", .integer(Int64(maxDistinctScores))),
    ]
  }

  /// The result's group columns (control then sensitive).
  var groupAliases: [String] {
    columns.control.indices.map { "control_\($0 + 1)" }
      + columns.sensitive.indices.map { "sensitive_\($0 + 1)" }
  }

  /// The query text, with placeholders for ``parameters``.
  public var sql: String {
    let q = dialect.quoted
    let groupColumns = columns.control + columns.sensitive
    var inner = zip(groupColumns, groupAliases).map { "\(q($0)) AS \($1)" }
    inner.append("\(q(columns.yTrue)) AS y_true")
    inner.append("\(q(columns.yPred)) AS y_pred")
    var outer = groupAliases + ["y_true", "y_pred"]
    if let score = columns.yScore {
      let value: String
      switch dialect {
      case .sqlite:
        // SQLite would CAST text to 0.0 silently: anything but a number becomes NULL, which the
        // reader reports.
        value = "CASE WHEN typeof(\(q(score))) IN ('integer', 'real') THEN \(q(score)) END"
      case .postgres, .spark:
        value = "CAST(\(q(score)) AS \(dialect.doubleType))"
      }
      let p = parameters.enumerated().map { dialect.placeholder($0.offset, $0.element.name) }
      let lower = "CAST(\(p[0]) AS \(dialect.doubleType))"
      let upper = "CAST(\(p[1]) AS \(dialect.doubleType))"
      let bins = "CAST(\(p[2]) AS BIGINT)"
      let x = "(\(value) - \(lower)) / (\(upper) - \(lower)) * \(bins)"
      let floor = dialect == .sqlite ? "CAST(\(x) AS INTEGER)" : "FLOOR(\(x))"
      inner.append("\(value) AS score")
      inner.append(
        "CAST(CASE WHEN \(x) < 0 THEN 0 WHEN \(x) >= \(bins) THEN \(bins) - 1 ELSE \(floor) END AS BIGINT) AS score_bin"
      )
      outer.append("score_bin")
    }
    if let weight = columns.sampleWeight {
      inner.append("CAST(\(q(weight)) AS \(dialect.doubleType)) AS weight")
    }
    let keyCount = outer.count
    if columns.yScore != nil {
      outer += ["MIN(score) AS score_min", "MAX(score) AS score_max"]
    }
    outer.append("COUNT(*) AS row_count")
    if columns.sampleWeight != nil { outer.append("SUM(weight) AS weight_sum") }
    return """
      SELECT \(outer.joined(separator: ", "))
        FROM (SELECT \(inner.joined(separator: ", "))
                FROM \(source.sql(dialect))) AS biaskit_rows
        GROUP BY \((1...keyCount).map(String.init).joined(separator: ", "))\(exactScores && columns.yScore != nil ? ", score" : "")
      """
  }

  /// The query as a script for the dialect's own shell, parameters bound by the shell:
  /// `PREPARE … EXECUTE` for psql, `.parameter set` for the sqlite3 shell, and a comment listing
  /// the named parameters for Spark (`spark.sql(text, args={…})`).
  public var script: String {
    let params = parameters
    switch dialect {
    case .postgres:
      guard !params.isEmpty else { return sql + ";\n" }
      let types = params.map { $0.value.isInteger ? "bigint" : "double precision" }.joined(
        separator: ", ")
      return "PREPARE biaskit_audit (\(types)) AS\n\(sql);\nEXECUTE biaskit_audit("
        + params.map(\.value.text).joined(separator: ", ") + ");\n"
    case .sqlite:
      return params.map { ".parameter set :\($0.name) \($0.value.text)\n" }.joined() + sql + ";\n"
    case .spark:
      guard !params.isEmpty else { return sql + "\n" }
      return "-- parameters (spark.sql(query, args={...})): "
        + params.map { "\($0.name)=\($0.value.text)" }.joined(separator: ", ") + "\n" + sql + "\n"
    }
  }
}

extension AggregationQuery.Value {
  var isInteger: Bool {
    if case .integer = self { return true }
    return false
  }
}
