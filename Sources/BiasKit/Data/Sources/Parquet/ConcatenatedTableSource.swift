import Foundation

/// Several table files read as one table: the rows of each file in turn, files in name order.
///
/// What a partitioned data set is (`logs/part-*.parquet`, as Spark, DuckDB and pandas write it):
/// `biaskit audit 'logs/*.parquet'` audits them as one table. Each part is opened by its own
/// format (``TableSources/open(_:format:options:)``) and read with the same requests; the
/// columns are joined with the CSV reader's semantics over the whole: category levels in order
/// of first appearance across the files, one pair of label classes for all of them (a third
/// class in a later file is an error naming that file and row).
///
///     let source = try ConcatenatedTableSource(pattern: "logs/*.parquet")
///     let table = try source.read([.label("y_true"), .category("sex")])
///
/// - Complexity: that of reading each part, plus O(rows) to join them.
public struct ConcatenatedTableSource: TableSource {
  /// The pattern (or list) as the user gave it.
  public let name: String
  /// The parts, in order.
  public let parts: [any TableSource]

  /// The files matching `pattern` (shell glob: `*`, `?`, `[…]`), in name order.
  ///
  /// - Throws: ``BiasKitError`` when no file matches, or a part cannot be opened.
  public init(
    pattern: String, format: TableFormat? = nil, options: TableReadOptions = TableReadOptions()
  ) throws {
    var matches = glob_t()
    defer { globfree(&matches) }
    var paths: [String] = []
    if glob(pattern, 0, nil, &matches) == 0 {
      for k in 0..<Int(matches.gl_pathc) {
        if let path = matches.gl_pathv[k] { paths.append(String(cString: path)) }
      }
    }
    guard !paths.isEmpty else {
      throw BiasKitError(.io, "\(pattern): no file matches the pattern")
    }
    try self.init(
      try paths.sorted().map { try TableSources.open($0, format: format, options: options) },
      name: pattern)
  }

  /// Whether `path` is a pattern (it has `*`, `?` or `[` and no file has that very name).
  public static func isPattern(_ path: String) -> Bool {
    path.contains(where: { "*?[".contains($0) }) && access(path, F_OK) != 0
  }

  /// `parts` read as one table called `name`.
  public init(_ parts: [any TableSource], name: String) throws {
    guard !parts.isEmpty else { throw BiasKitError(.invalidArgument, "\(name): no parts to read") }
    self.parts = parts
    self.name = name
  }

  /// The first part's columns.
  public var columnNames: [String] { parts[0].columnNames }

  public func read(
    _ requests: [ColumnRequest], progress: (@Sendable (Double) -> Void)?
  ) throws -> Table {
    var tables: [Table] = []
    for (k, part) in parts.enumerated() {
      let count = Double(parts.count)
      tables.append(
        try part.read(requests) { fraction in progress?((Double(k) + fraction) / count) })
    }
    let rowCount = tables.reduce(0) { $0 + $1.rowCount }
    var columns: [Column] = []
    for (c, request) in requests.enumerated() {
      switch request.kind {
      case .number:
        columns.append(.numbers(tables.flatMap { $0.columns[c].numbers ?? [] }))
      case .category:
        var levels = ByteInterner()
        var codes: [Int32] = []
        codes.reserveCapacity(rowCount)
        for table in tables {
          guard let column = table.columns[c].categories else { continue }
          let map = column.levels.map { levels.code(Array($0.utf8)) }
          codes.append(contentsOf: column.codes.lazy.map { map[Int($0)] })
        }
        columns.append(.categories(CategoricalColumn(codes: codes, levels: levels.strings)))
      case .label(let positive):
        columns.append(
          .labels(try labels(tables, column: c, name: request.name, positive: positive)))
      }
    }
    return Table(rowCount: rowCount, names: requests.map(\.name), columns: columns)
  }

  /// The parts' label columns joined: one pair of classes across all of them.
  private func labels(
    _ tables: [Table], column c: Int, name: String, positive: String?
  ) throws
    -> LabelColumn
  {
    var names: [String] = []
    var kinds: Set<Int8> = []
    var negativeName: String? = nil
    var positiveName: String? = nil
    var values: [UInt8] = []
    for (k, table) in tables.enumerated() {
      guard let column = table.columns[c].labels else { continue }
      for (spelling, label) in [(column.negativeName, UInt8(0)), (column.positiveName, UInt8(1))] {
        guard let spelling, column.values.contains(label), !names.contains(spelling) else {
          continue
        }
        let tooMany: Bool
        if positive != nil {
          tooMany = names.count >= 2
        } else {
          let kind = LabelSpelling.kind(of: spelling)
          if let kind { kinds.insert(kind) }
          tooMany = kinds.contains(0) && kinds.contains(-1)
        }
        if tooMany {
          let row = column.values.firstIndex(of: label) ?? 0
          throw BiasKitError.tooManyClasses(
            parts[k].location(row: row, column: name), spelling, classes: names)
        }
        names.append(spelling)
        if label == 0, negativeName == nil { negativeName = spelling }
        if label == 1, positiveName == nil { positiveName = spelling }
      }
      values.append(contentsOf: column.values)
    }
    return LabelColumn(
      values: values, negativeName: negativeName, positiveName: positiveName ?? positive)
  }

  /// The part holding data row `row` and its row there (reads the parts' row counts: for error
  /// paths).
  public func location(row: Int, column: String) -> SourceLocation {
    var start = 0
    for part in parts {
      let count: Int
      if let parquet = part as? ParquetReader {
        count = parquet.rowCount
      } else if let arrow = part as? ArrowReader {
        count = arrow.rowCount
      } else {
        count = (try? part.read([]).rowCount) ?? 0
      }
      if row < start + count { return part.location(row: row - start, column: column) }
      start += count
    }
    return SourceLocation(file: name, position: .row(row), columnName: column)
  }
}
