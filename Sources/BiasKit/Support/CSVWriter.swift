import Foundation

/// Builds CSV text (RFC 4180): one header, then one line per record, fields separated by `,`.
///
/// A field is quoted when it holds a comma, a double quote, a line feed or a carriage return
/// (each inner `"` doubled), so that ``CSVReader`` and any RFC 4180 reader read back the same
/// fields; every other field is written as it is. Lines end with `\n`. The one field escaper of
/// the package: the audit's CSV, the mitigation outputs (predictions, weights, transformed data)
/// and the resampled CSV all go through ``field(_:)``.
///
///     var csv = CSVWriter(header: ["row", "group", "weight"])
///     csv.append(["1", "Female,Black", "0.93"])     // 1,"Female,Black",0.93
///     try csv.write(to: "weights.csv")               // atomically (AtomicFileWriter)
///
/// - Complexity: O(total length of the fields) to append; ``write(to:)`` writes the text once.
public struct CSVWriter: Sendable {
  /// The text so far: the header line and every appended record, each ending with `\n`.
  public private(set) var text: String

  /// A document whose first line is `header` (escaped as fields).
  public init(header: [String]) {
    text = ""
    append(header)
  }

  /// Appends one record; each field is escaped with ``field(_:)``.
  public mutating func append(_ fields: [String]) {
    var first = true
    for value in fields {
      if !first { text += "," }
      first = false
      text += CSVWriter.field(value)
    }
    text += "\n"
  }

  /// Writes the text to `path` all at once or not at all (``AtomicFileWriter``).
  ///
  /// - Throws: ``BiasKitError`` with code `.io` when the folder does not exist or is not
  ///   writable.
  public func write(to path: String) throws {
    try AtomicFileWriter.write(text, to: path)
  }

  /// `value` as one CSV field: quoted, with every `"` doubled, when it holds `,`, `"`, `\n` or
  /// `\r` (also as a `\r\n` pair, which Swift counts as one `Character`); else unchanged.
  ///
  /// - Complexity: O(length of `value`).
  public static func field(_ value: String) -> String {
    // Bytes, not Characters: "\r\n" is a single grapheme, equal to neither "\r" nor "\n".
    guard value.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D })
    else { return value }
    return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
