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
/// per (control levels, sensitive levels, y_true, y_pred[, score]) with the row count and,
/// with sample weights, the weight sum. ``AuditState/init(aggregatedRows:columns:)`` reads the
/// result back.
///
/// With scores the query counts them per distinct value (an exact ROC AUC) while the result
/// holds at most `maxDistinctScores` (cell, score) pairs; past it the same query returns a
/// fixed-width histogram of `maxDistinctScores` bins of `[scoreLower, scoreUpper)` instead
/// (column `score_binned` = 1, `score` = the bin), so the result stays small whatever the data.
/// The choice is made inside the engine, in one pass over the table (a CTE).
///
/// Identifiers are quoted for the dialect (``SQLDialect/quoted(_:)``); the four numbers are
/// bound parameters (``parameters``), never spliced. The result columns are named
/// `control_1…`, `sensitive_1…`, `y_true`, `y_pred`, `score`, `score_binned`, `row_count`,
/// `weight_sum`.
///
/// - Complexity: one scan and one hash aggregation in the engine; the result has
///   O(cells × 4 × distinct scores) rows (O(cells × 4) without scores).
public struct AggregationQuery: Sendable {
  public var dialect: SQLDialect
  public var source: SQLSource
  public var columns: AuditColumns
  public var maxDistinctScores: Int
  public var scoreLower: Double
  public var scoreUpper: Double

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
      ("max_distinct_scores", .integer(Int64(maxDistinctScores))), ("score_lower", .real(scoreLower)),
      ("score_upper", .real(scoreUpper)), ("score_bins", .integer(Int64(maxDistinctScores))),
    ]
  }

  /// The result's group columns (control then sensitive).
  var groupAliases: [String] {
    columns.control.indices.map { "control_\($0 + 1)" } + columns.sensitive.indices.map { "sensitive_\($0 + 1)" }
  }

  /// The query text, with placeholders for ``parameters``.
  public var sql: String {
    let q = dialect.quoted
    let groupColumns = columns.control + columns.sensitive
    var select = zip(groupColumns, groupAliases).map { "\(q($0)) AS \($1)" }
    select.append("\(q(columns.yTrue)) AS y_true")
    select.append("\(q(columns.yPred)) AS y_pred")
    if let score = columns.yScore {
      switch dialect {
      case .sqlite:
        // SQLite would CAST text to 0.0 silently: anything but a number becomes NULL, which the
        // reader reports.
        select.append("CASE WHEN typeof(\(q(score))) IN ('integer', 'real') THEN \(q(score)) END AS score")
      case .postgres, .spark:
        select.append("CAST(\(q(score)) AS \(dialect.doubleType)) AS score")
      }
    }
    let keyCount = select.count
    select.append("COUNT(*) AS row_count")
    if let weight = columns.sampleWeight {
      select.append("SUM(CAST(\(q(weight)) AS \(dialect.doubleType))) AS weight_sum")
    }
    let ordinals = (1...keyCount).map(String.init).joined(separator: ", ")
    let cells = "SELECT " + select.joined(separator: ", ") + "\n  FROM " + source.sql(dialect) + "\n  GROUP BY " + ordinals
    guard columns.yScore != nil else { return cells }

    let p = parameters.enumerated().map { dialect.placeholder($0.offset, $0.element.name) }
    let maxDistinct = "CAST(\(p[0]) AS BIGINT)"
    let lower = "CAST(\(p[1]) AS \(dialect.doubleType))"
    let upper = "CAST(\(p[2]) AS \(dialect.doubleType))"
    let bins = "CAST(\(p[3]) AS BIGINT)"
    let keys = groupAliases + ["y_true", "y_pred"]
    let keyList = keys.joined(separator: ", ")
    let x = "(score - \(lower)) / (\(upper) - \(lower)) * \(bins)"
    let floor = dialect == .sqlite ? "CAST(\(x) AS INTEGER)" : "FLOOR(\(x))"
    let bin = "CASE WHEN \(x) < 0 THEN 0 WHEN \(x) >= \(bins) THEN \(bins) - 1 ELSE \(floor) END"
    let weightSum = columns.sampleWeight != nil ? ", weight_sum" : ""
    let weightTotal = columns.sampleWeight != nil ? ", SUM(weight_sum) AS weight_sum" : ""
    let distinctKeys = (groupAliases + ["score"]).joined(separator: ", ")
    return """
      WITH biaskit_cells AS (
        \(cells)
      ),
      biaskit_size AS (
        SELECT COUNT(*) AS distinct_scores FROM (SELECT DISTINCT \(distinctKeys) FROM biaskit_cells) AS d
      )
      SELECT \(keyList), CAST(score AS \(dialect.doubleType)) AS score, 0 AS score_binned, row_count\(weightSum)
        FROM biaskit_cells
        WHERE (SELECT distinct_scores FROM biaskit_size) <= \(maxDistinct)
      UNION ALL
      SELECT \(keyList), CAST(bin AS \(dialect.doubleType)) AS score, 1 AS score_binned, CAST(SUM(row_count) AS BIGINT) AS row_count\(weightTotal)
        FROM (SELECT \(keyList), \(bin) AS bin, row_count\(weightSum) FROM biaskit_cells) AS b
        WHERE (SELECT distinct_scores FROM biaskit_size) > \(maxDistinct)
        GROUP BY \((1...(keys.count + 1)).map(String.init).joined(separator: ", "))
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
      let types = params.map { $0.value.isInteger ? "bigint" : "double precision" }.joined(separator: ", ")
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
