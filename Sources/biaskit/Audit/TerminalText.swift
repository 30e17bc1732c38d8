/// Text from the user's data made safe to print on a terminal: control characters (C0, DEL,
/// C1, the line and paragraph separators) and bidirectional formatting characters (the Arabic
/// letter mark, LRM/RLM, the embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069)
/// are shown as `\u{…}` escapes (`\n`, `\r`, `\t` for those three), so that a crafted group name
/// can neither recolour, move the cursor, hide nor reorder what an auditor reads. A backslash
/// is doubled when the text has anything to escape, so that escapes stay unambiguous.
///
/// Only the terminal table escapes: JSON and CSV keep the values exact.
enum TerminalText {
  /// Whether `scalar` must not reach a terminal raw.
  static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || v == 0x061C
      || v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v)
      || (0x2066...0x2069).contains(v)
  }

  /// `text` with every character of ``needsEscape(_:)`` escaped.
  static func escaped(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: needsEscape) else { return text }
    var result = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      case "\\": result += "\\\\"
      case _ where needsEscape(scalar):
        result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }
}
