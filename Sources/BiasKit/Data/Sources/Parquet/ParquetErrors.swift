/// Where a problem in a columnar file is: the file, and as much of part (row group or record
/// batch), row, column and page as is known, printed `file: row group 2, row 17, column 'x'` or
/// `file: row group 0, column 'x', page 3`.
struct ColumnarLocation: CustomStringConvertible {
  var file: String
  /// "row group" or "record batch".
  var partName = "row group"
  var part: Int?
  var row: Int?
  var column: String?
  var page: Int?

  var description: String {
    var items: [String] = []
    if let part { items.append("\(partName) \(part)") }
    if let row { items.append("row \(row)") }
    if let column { items.append("column '\(column)'") }
    if let page { items.append("page \(page)") }
    return items.isEmpty ? file : "\(file): " + items.joined(separator: ", ")
  }
}

extension BiasKitError {
  static func notParquet(_ path: String, _ reason: String) -> BiasKitError {
    BiasKitError(.malformedInput, "\(path): not a Parquet file: \(reason)")
  }
  static func malformedParquet(_ location: ColumnarLocation, _ reason: String) -> BiasKitError {
    BiasKitError(.malformedInput, "\(location): \(reason)")
  }
  static func malformedFooter(_ path: String, _ failure: ThriftFailure) -> BiasKitError {
    BiasKitError(
      .malformedInput,
      "\(path): the Parquet footer (file metadata) is malformed at byte \(failure.offset) of the footer: \(failure.reason)"
    )
  }
  static func noRowGroups(_ path: String) -> BiasKitError {
    BiasKitError(.malformedInput, "\(path): the file has no row groups (no data rows)")
  }
  static func noDataRows(_ path: String) -> BiasKitError {
    BiasKitError(.malformedInput, "\(path): the file has columns but no data rows")
  }
  static func unreadableColumn(_ name: String, in path: String, _ reason: String) -> BiasKitError {
    BiasKitError(.invalidArgument, "\(path): the column '\(name)' cannot be read: \(reason)")
  }
  /// A problem with one value, worded as the CSV reader words it.
  static func columnarValue(_ location: ColumnarLocation, _ kind: ValueFailure.Kind) -> BiasKitError
  {
    switch kind {
    case .invalidNumber(let text):
      return BiasKitError(.invalidValue, "\(location): '\(text)' is not a number")
    case .missing(let expected, let hint):
      return BiasKitError(
        .invalidValue, "\(location): the value is null or empty; expected \(expected)\(hint)")
    case .invalidLabel(let text):
      return BiasKitError(
        .invalidValue,
        "\(location): '\(text)' is not a binary label; expected 0/1, -1/1 or true/false (use --pos-label VALUE for other labels)"
      )
    case .tooManyClasses(let text, let classes):
      let list = classes.map { "'\($0)'" }.joined(separator: ", ")
      return BiasKitError(
        .invalidValue,
        "\(location): '\(text)' is a third class; a binary label column may hold two (already seen: \(list))"
      )
    case .dictionaryIndex(let index, let count):
      return BiasKitError(
        .malformedInput,
        "\(location): dictionary index \(index) is out of range (the dictionary has \(count) entries)"
      )
    case .noDictionary:
      return BiasKitError(
        .malformedInput,
        "\(location): the values are dictionary-encoded but no dictionary precedes them")
    }
  }
}
