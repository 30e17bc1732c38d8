/// A table that BiasKit reads column by column: a CSV file, a Parquet file, a database result.
///
/// A source types the requested columns while it reads its bytes (``ColumnRequest``) and
/// reports bad values with their location: file, line and column for text, or row group, row
/// and column for binary formats. Nothing downstream looks at text again: ``Dataset`` validates
/// the typed columns once, and every capability reads the dataset.
///
///     let source = try TableSources.open("predictions.parquet")
///     let table = try source.read([.label("y_true"), .number("y_score"), .category("sex")])
///
/// A new file format is one new file under `Data/Sources/` conforming to ``FileTableSource``,
/// and one line in ``TableFormat/registered``.
public protocol TableSource: Sendable {
  /// The source as the user named it (a path), for messages.
  var name: String { get }
  /// The column names, in source order.
  var columnNames: [String] { get }
  /// Reads the requested columns, typed, in request order. `progress`, when given, is called
  /// with the fraction read so far (from any thread, a few times per source).
  ///
  /// - Throws: ``BiasKitError`` naming the location of the first bad value, a column that does
  ///   not exist (listing those that do), or a source without rows.
  func read(_ requests: [ColumnRequest], progress: (@Sendable (Double) -> Void)?) throws -> Table
  /// Where data row `row` (0-based) of column `column` is, for problems found after reading
  /// (a score outside [0, 1], a negative weight). May re-read the source: for error paths.
  func location(row: Int, column: String) -> SourceLocation
}

extension TableSource {
  /// Reads the requested columns without progress reports.
  public func read(_ requests: [ColumnRequest]) throws -> Table {
    try read(requests, progress: nil)
  }

  /// Throws unless a column called `name` exists.
  public func requireColumn(_ name: String) throws {
    let names = columnNames
    guard let first = names.firstIndex(of: name) else {
      throw BiasKitError.unknownColumn(name, in: self.name, available: names)
    }
    if let second = names[(first + 1)...].firstIndex(of: name) {
      throw BiasKitError.duplicateColumn(name, in: self.name, fields: first + 1, second + 1)
    }
  }

  /// Reads the named columns as numbers into a row-major matrix with those column names.
  public func readMatrix(columns names: [String]) throws -> Matrix {
    let table = try read(names.map { ColumnRequest.number($0) })
    return Matrix(columnVectors: table.columns.map { $0.numbers ?? [] }, columnNames: names)
  }
}

/// The typed columns read from a ``TableSource``, in request order.
public struct Table: Sendable {
  /// Number of data rows.
  public let rowCount: Int
  /// The requested names, in request order.
  public let names: [String]
  /// The typed columns, in request order.
  public let columns: [Column]

  /// - Precondition: one name per column, every column `rowCount` long.
  public init(rowCount: Int, names: [String], columns: [Column]) {
    precondition(names.count == columns.count && columns.allSatisfy { $0.count == rowCount })
    self.rowCount = rowCount
    self.names = names
    self.columns = columns
  }

  /// The column called `name`, if it was requested.
  public subscript(name: String) -> Column? {
    names.firstIndex(of: name).map { columns[$0] }
  }
}

/// A table in a file of a known format.
public protocol FileTableSource: TableSource {
  /// The format's name (`csv`, `parquet`, …).
  static var format: TableFormat { get }
  /// File name extensions of the format, lower case, without the dot.
  static var fileExtensions: [String] { get }
  /// Opens `path` (reading at most its header or footer).
  init(path: String, options: TableReadOptions) throws
}

/// A file format BiasKit reads tables from.
public struct TableFormat: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  /// The format's name, as `--input-format` takes it.
  public let rawValue: String
  /// A format of this name.
  public init(rawValue: String) { self.rawValue = rawValue }
  /// The format's name.
  public var description: String { rawValue }

  /// Delimited text (RFC 4180; `.csv`, `.tsv`, `.txt`).
  public static let csv = TableFormat(rawValue: "csv")

  /// Every file format, in the order extensions are matched: one line per format.
  public static let registered: [any FileTableSource.Type] = [
    CSVReader.self, ParquetReader.self, ArrowReader.self,
    JSONLines.self,
  ]

  /// The source type of this format, if it is registered.
  public var sourceType: (any FileTableSource.Type)? {
    TableFormat.registered.first { $0.format == self }
  }

  /// The registered format whose extension `path` has, if any.
  public static func of(path: String) -> TableFormat? {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
    let ext = name[name.index(after: dot)...].lowercased()
    return registered.first { $0.fileExtensions.contains(ext) }?.format
  }
}

/// Options of the file readers that a format understands (the others ignore them).
public struct TableReadOptions: Sendable, Equatable {
  /// The field separator of delimited text; `nil` chooses by extension (tab for `.tsv`).
  public var delimiter: UInt8?

  /// Options with a delimiter (`nil`: by extension).
  public init(delimiter: UInt8? = nil) {
    self.delimiter = delimiter
  }
}

/// Opening table files by format.
public enum TableSources {
  /// Opens `path` as `format`, or as the format its extension names (delimited text when the
  /// extension names none).
  ///
  /// - Throws: ``BiasKitError`` when the file cannot be opened or its header or footer is
  ///   malformed.
  public static func open(
    _ path: String, format: TableFormat? = nil, options: TableReadOptions = TableReadOptions()
  ) throws -> any TableSource {
    // A pattern naming several files (`logs/*.parquet`) is one table of them all.
    if ConcatenatedTableSource.isPattern(path) {
      return try ConcatenatedTableSource(pattern: path, format: format, options: options)
    }
    let chosen = format ?? TableFormat.of(path: path) ?? .csv
    guard let type = chosen.sourceType else {
      throw BiasKitError.unknownFormat(chosen, known: TableFormat.registered.map { $0.format })
    }
    return try opened(type, path: path, options: options)
  }

  /// Opens `path` as a `T` (a generic function, so that the existential metatype is opened
  /// before the initialiser is called).
  private static func opened<T: FileTableSource>(
    _ type: T.Type, path: String, options: TableReadOptions
  ) throws -> any TableSource {
    try T(path: path, options: options)
  }
}

extension BiasKitError {
  static func unknownFormat(_ format: TableFormat, known: [TableFormat]) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "unknown table format '\(format)'; the formats are \(known.map(\.rawValue).joined(separator: ", "))"
    )
  }
}
