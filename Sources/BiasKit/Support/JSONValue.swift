/// A JSON document built in code and written with keys in insertion order.
///
/// BiasKit's JSON outputs are contracts: keys keep the order they were written in, doubles are
/// written in the shortest form that reads back to the same double (full precision), and
/// undefined numbers (nil, NaN, ±∞) are `null`, never `NaN`.
/// (Foundation's `JSONSerialization` neither keeps key order nor guarantees round-trip doubles.)
public indirect enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(Double)
  case integer(Int)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  /// Two documents are equal when they serialise to the same text (key order matters).
  public static func == (a: JSONValue, b: JSONValue) -> Bool { a.serialized() == b.serialized() }

  /// A number, or `null` when it is nil or not finite.
  public static func number(_ value: Double?) -> JSONValue {
    guard let value, value.isFinite else { return .null }
    return .number(value)
  }

  /// The document as text; `indent` spaces per level, or compact with 0.
  public func serialized(indent: Int = 2) -> String {
    var out = ""
    write(to: &out, indent: indent, level: 0)
    return out
  }

  private func write(to out: inout String, indent: Int, level: Int) {
    let newline = indent > 0 ? "\n" : ""
    let pad = String(repeating: " ", count: indent * (level + 1))
    let closePad = String(repeating: " ", count: indent * level)
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .integer(let i): out += String(i)
    case .number(let d):
      if !d.isFinite {
        out += "null"
      } else if d == d.rounded(), abs(d) < 1e15 {
        out += String(Int(d)) + ".0"
      } else {
        out += "\(d)"
      }
    case .string(let s): JSONValue.writeString(s, to: &out)
    case .array(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      // Arrays of scalars stay on one line.
      let scalar = items.allSatisfy {
        switch $0 {
        case .array, .object: return false
        default: return true
        }
      }
      if scalar || indent == 0 {
        out += "["
        for (k, item) in items.enumerated() {
          if k > 0 { out += indent > 0 ? ", " : "," }
          item.write(to: &out, indent: indent, level: level + 1)
        }
        out += "]"
        return
      }
      out += "[" + newline
      for (k, item) in items.enumerated() {
        out += pad
        item.write(to: &out, indent: indent, level: level + 1)
        out += (k < items.count - 1 ? "," : "") + newline
      }
      out += closePad + "]"
    case .object(let members):
      if members.isEmpty {
        out += "{}"
        return
      }
      out += "{" + newline
      for (k, (key, value)) in members.enumerated() {
        out += pad
        JSONValue.writeString(key, to: &out)
        out += indent > 0 ? ": " : ":"
        value.write(to: &out, indent: indent, level: level + 1)
        out += (k < members.count - 1 ? "," : "") + newline
      }
      out += closePad + "}"
    }
  }

  private static func writeString(_ s: String, to out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}
