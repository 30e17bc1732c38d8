extension BiasKitError {
  static func fileNotFound(_ path: String) -> BiasKitError {
    BiasKitError(.io, "\(path): no such file")
  }
  static func cannotRead(_ path: String, _ reason: String) -> BiasKitError {
    BiasKitError(.io, "\(path): cannot read the file: \(reason)")
  }
  static func emptyFile(_ path: String) -> BiasKitError {
    BiasKitError(
      .malformedInput, "\(path): the file is empty; expected a header line and data rows")
  }
  static func headerOnly(_ path: String) -> BiasKitError {
    BiasKitError(.malformedInput, "\(path): the file has a header but no data rows")
  }
  static func unknownColumn(_ name: String, in path: String, available: [String]) -> BiasKitError {
    // At most 20 names (a 100,000-column header stays one readable line), each at most 60
    // characters.
    let shown = available.prefix(20).map { column in
      column.count > 60 ? "'\(column.prefix(57))…'" : "'\(column)'"
    }
    let more = available.count > 20 ? " and \(available.count - 20) more" : ""
    let list = shown.joined(separator: ", ") + more
    return BiasKitError(.unknownName, "\(path): no column named '\(name)'; the columns are \(list)")
  }
  static func duplicateColumn(
    _ name: String, in path: String, fields first: Int, _ second: Int
  )
    -> BiasKitError
  {
    BiasKitError(
      .malformedInput,
      "\(path): the header names the column '\(name)' twice (fields \(first) and \(second)); rename one, so that it is clear which to read"
    )
  }
  static func carriageReturnLineEndings(_ path: String) -> BiasKitError {
    BiasKitError(
      .malformedInput,
      "\(path): the lines end in a carriage return alone (CR, classic Mac OS); convert them to LF or CRLF (e.g. tr '\\r' '\\n')"
    )
  }
  static func missingGroupIsValue(_ location: SourceLocation, _ name: String) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "\(location): '\(name)' is both a value of the column and the \(.missingGroup) name given to its empty fields, so the two groups would merge; choose a name that is not a value"
    )
  }
  static func positiveLabelNotFound(
    _ positive: String, column: String, in path: String, seen: [String]
  ) -> BiasKitError {
    let list = seen.map { "'\($0)'" }.joined(separator: ", ")
    return BiasKitError(
      .invalidValue,
      "\(path): column '\(column)': the positive label \(.positiveLabel, "'\(positive)'") is not one of its values (\(list)); labels are case-sensitive"
    )
  }
  static func raggedRow(_ location: SourceLocation, expected: Int, found: Int) -> BiasKitError {
    BiasKitError(
      .malformedInput,
      "\(location): the row has \(found) field\(found == 1 ? "" : "s"); the header has \(expected)")
  }
  static func unterminatedQuote(_ location: SourceLocation) -> BiasKitError {
    BiasKitError(.malformedInput, "\(location): a quoted field is never closed (missing '\"')")
  }
  static func textAfterQuote(_ location: SourceLocation) -> BiasKitError {
    BiasKitError(
      .malformedInput,
      "\(location): unexpected text after a closing quote; a quote inside a quoted field is written \"\""
    )
  }
  static func invalidNumber(_ location: SourceLocation, _ text: String) -> BiasKitError {
    BiasKitError(.invalidValue, "\(location): '\(text)' is not a number")
  }
  /// An empty field where a value is needed; `suggestMissingGroup` for a group column, where
  /// the caller can make empty values a group.
  static func missingValue(
    _ location: SourceLocation, expected: String, suggestMissingGroup: Bool = false
  ) -> BiasKitError {
    suggestMissingGroup
      ? BiasKitError(
        .invalidValue,
        "\(location): the field is empty; expected \(expected) (use \(.missingGroup, "NAME") to make empty values a group)"
      )
      : BiasKitError(.invalidValue, "\(location): the field is empty; expected \(expected)")
  }
  static func invalidLabel(_ location: SourceLocation, _ text: String) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "\(location): '\(text)' is not a binary label; expected 0/1, -1/1 or true/false (use \(.positiveLabel, "VALUE") for other labels)"
    )
  }
  static func tooManyClasses(
    _ location: SourceLocation, _ text: String, classes: [String]
  ) -> BiasKitError {
    let list = classes.map { "'\($0)'" }.joined(separator: ", ")
    return BiasKitError(
      .invalidValue,
      "\(location): '\(text)' is a third class; a binary label column may hold two (already seen: \(list))"
    )
  }
  static func columnReadTwoWays(
    _ name: String, in path: String, _ first: ColumnRequest.Kind, _ second: ColumnRequest.Kind
  ) -> BiasKitError {
    func describe(_ kind: ColumnRequest.Kind) -> String {
      switch kind {
      case .number(let allowMissing): return allowMissing ? "numbers (empty allowed)" : "numbers"
      case .label(let positive): return positive.map { "labels (positive '\($0)')" } ?? "labels"
      case .category: return "groups"
      }
    }
    return BiasKitError(
      .invalidArgument,
      "\(path): the column '\(name)' is named twice, once to be read as \(describe(first)) and once as \(describe(second)); name it once"
    )
  }
}
