/// An error about the user's data or request, with a message a person can act on.
///
/// Every failure that user input can cause is a `BiasKitError`: the library never traps on
/// data. Each error has a ``Code`` (what kind of problem, for tests and programs) and a one-line
/// message that names the file, line and column where there is one. The command-line tool prints
/// ``description`` on standard error and exits with status 2.
///
/// New errors are added as static factory functions in an extension next to the code that
/// raises them, so that the wording lives in one place:
///
///     extension BiasKitError {
///       static func unknownColumn(_ name: String, in file: String, available: [String]) -> Self
///     }
public struct BiasKitError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The kind of problem.
  public enum Code: String, Sendable, Equatable {
    /// A file could not be opened, read or written.
    case io
    /// The input is not well-formed (CSV structure, embedding file, `.npy` header).
    case malformedInput
    /// A field could not be read as the type the column needs.
    case invalidValue
    /// A column, word or key named by the user does not exist.
    case unknownName
    /// The options asked for something contradictory or out of range.
    case invalidArgument
    /// The data cannot support the computation (one class, too few rows, an empty group).
    case degenerateData
    /// An iterative method did not converge or a constraint cannot be met.
    case notConverged
  }

  /// What kind of problem this is.
  public var code: Code
  /// One line for a person: where the problem is and what was expected.
  public var message: String

  /// An error of `code`. Control characters in `message` (a line break or tab inside a quoted
  /// CSV field, bytes of a binary header quoted back) are written as escapes (`\n`, `\t`,
  /// `\u{1B}`), so that the message stays one line whatever input it quotes.
  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = BiasKitError.singleLine(message)
  }

  /// `text` with every control character (C0, DEL, C1 and the Unicode line and paragraph
  /// separators) escaped.
  static func singleLine(_ text: String) -> String {
    func isControl(_ v: UInt32) -> Bool {
      v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
    }
    guard text.unicodeScalars.contains(where: { isControl($0.value) }) else { return text }
    var result = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case _ where isControl(scalar.value):
        result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  public var description: String { message }
}

/// A position in a text input, used to point error messages at the offending field.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
  /// The file name as the user gave it.
  public var file: String
  /// 1-based line number (the header is line 1).
  public var line: Int
  /// 1-based column (field) number, if the problem is about one field.
  public var column: Int?
  /// The column's name from the header, if known.
  public var columnName: String?

  public init(file: String, line: Int, column: Int? = nil, columnName: String? = nil) {
    self.file = file
    self.line = line
    self.column = column
    self.columnName = columnName
  }

  public var description: String {
    var text = "\(file):\(line)"
    if let column {
      text += ":\(column)"
      if let columnName { text += " (column '\(columnName)')" }
    }
    return text
  }
}
