import Foundation

/// Parses JSON input files with errors that say where: `tests.json:3:17: not valid JSON:
/// expected ',' or ']' after an array element`.
///
/// Parsing is `JSONSerialization`'s; when it fails, a small scanner of the JSON grammar
/// (RFC 8259) walks the bytes once to find the first byte that cannot continue a JSON text and
/// says what was expected there. The scanner keeps its nesting on a heap-allocated stack, so a
/// hostile file of a million `[` cannot overflow the thread's stack.
///
/// - Complexity: O(bytes) for both passes.
public enum JSONSyntax {
  /// The JSON value in `bytes` (a UTF-8 byte-order mark is skipped).
  ///
  /// - Throws: ``BiasKitError`` `.malformedInput` naming `path`, the line and the column.
  public static func parse(_ bytes: [UInt8], path: String) throws -> Any {
    var body = bytes
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }
    do {
      return try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    } catch {
      let offset = bytes.count - body.count
      let problem =
        body.withUnsafeBufferPointer { firstProblem(in: $0) }
        ?? Problem(offset: body.count, reason: "the JSON value is incomplete")
      let (line, column) = position(of: problem.offset + offset, in: bytes)
      throw BiasKitError(
        .malformedInput, "\(path):\(line):\(column): not valid JSON: \(problem.reason)")
    }
  }

  /// The first syntax error: its byte offset and what was expected there.
  struct Problem: Equatable {
    var offset: Int
    var reason: String
  }

  /// The 1-based line and column (in characters) of byte `offset`.
  static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
    var line = 1
    var lineStart = 0
    let end = min(offset, bytes.count)
    for i in 0..<end where bytes[i] == 0x0A {
      line += 1
      lineStart = i + 1
    }
    // Columns count characters: UTF-8 continuation bytes do not start one.
    var column = 1
    for i in lineStart..<end where bytes[i] & 0xC0 != 0x80 { column += 1 }
    return (line, column)
  }

  private enum Container { case array, object }

  /// Scans `bytes` as one JSON text; nil when it is well-formed.
  static func firstProblem(in bytes: UnsafeBufferPointer<UInt8>) -> Problem? {
    let n = bytes.count
    var i = 0
    var stack: [Container] = []
    func skipSpace() {
      while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D {
        i += 1
      }
    }
    func problem(_ reason: String) -> Problem { Problem(offset: i, reason: reason) }
    func describeHere() -> String {
      guard i < n else { return "the end of the file" }
      let b = bytes[i]
      if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
      return String(format: "byte 0x%02X", b)
    }
    /// Scans a string starting at the quote; nil on success.
    func string() -> Problem? {
      let start = i
      i += 1
      while i < n {
        let b = bytes[i]
        if b == 0x22 {
          i += 1
          return nil
        }
        if b == 0x0A || b == 0x0D {
          return Problem(
            offset: start,
            reason:
              "the string starting here is never closed on its line (write a line break in a string as \\n)"
          )
        }
        if b < 0x20 {
          return problem("a control character inside a string (write it as an escape such as \\n)")
        }
        if b == 0x5C {
          i += 1
          guard i < n else { break }
          switch bytes[i] {
          case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 1
          case 0x75:
            i += 1
            for _ in 0..<4 {
              guard i < n,
                (bytes[i] >= 0x30 && bytes[i] <= 0x39)
                  || (bytes[i] | 0x20 >= 0x61 && bytes[i] | 0x20 <= 0x66)
              else { return problem("\\u must be followed by four hexadecimal digits") }
              i += 1
            }
          default: return problem("invalid escape \\\(describeHere()) in a string")
          }
          continue
        }
        i += 1
      }
      return Problem(offset: start, reason: "the string starting here is never closed")
    }
    func digits() -> Int {
      let start = i
      while i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
      return i - start
    }
    func number() -> Problem? {
      if bytes[i] == 0x2D { i += 1 }
      guard i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 else {
        return problem("expected a digit in a number")
      }
      if bytes[i] == 0x30 { i += 1 } else { _ = digits() }
      if i < n, bytes[i] == 0x2E {
        i += 1
        guard digits() > 0 else { return problem("expected a digit after the decimal point") }
      }
      if i < n, bytes[i] | 0x20 == 0x65 {
        i += 1
        if i < n, bytes[i] == 0x2B || bytes[i] == 0x2D { i += 1 }
        guard digits() > 0 else { return problem("expected a digit in the exponent") }
      }
      return nil
    }
    func literal(_ word: String) -> Problem? {
      for b in word.utf8 {
        guard i < n, bytes[i] == b else { return problem("expected '\(word)'") }
        i += 1
      }
      return nil
    }
    /// Set when ``value()`` opened a non-empty container: its first element (or member) is
    /// scanned next by the loop below, never by recursion (so nesting costs heap, not stack).
    var opened = false
    /// A value at `i`: scalars are consumed; containers are opened (pushed).
    func value() -> Problem? {
      skipSpace()
      guard i < n else { return problem("expected a value, found the end of the file") }
      switch bytes[i] {
      case 0x7B:
        i += 1
        stack.append(.object)
        skipSpace()
        guard i < n else { return problem("the file ends inside an object") }
        if bytes[i] == 0x7D {
          i += 1
          stack.removeLast()
          return nil
        }
        opened = true
        return nil
      case 0x5B:
        i += 1
        stack.append(.array)
        skipSpace()
        guard i < n else { return problem("the file ends inside an array") }
        if bytes[i] == 0x5D {
          i += 1
          stack.removeLast()
          return nil
        }
        opened = true
        return nil
      case 0x22: return string()
      case 0x74: return literal("true")
      case 0x66: return literal("false")
      case 0x6E: return literal("null")
      case 0x2D, 0x30...0x39: return number()
      default: return problem("expected a value, found \(describeHere())")
      }
    }
    /// An object key, its colon and its value.
    func key() -> Problem? {
      skipSpace()
      guard i < n, bytes[i] == 0x22 else {
        return problem("expected a quoted key, found \(describeHere())")
      }
      if let p = string() { return p }
      skipSpace()
      guard i < n, bytes[i] == 0x3A else {
        return problem("expected ':' after the key, found \(describeHere())")
      }
      i += 1
      return value()
    }
    if let p = value() { return p }
    while let top = stack.last {
      if opened {
        opened = false
        if let p = top == .array ? value() : key() { return p }
        continue
      }
      skipSpace()
      guard i < n else {
        return problem("the file ends inside an \(top == .array ? "array" : "object")")
      }
      let close: UInt8 = top == .array ? 0x5D : 0x7D
      if bytes[i] == close {
        i += 1
        stack.removeLast()
        continue
      }
      guard bytes[i] == 0x2C else {
        return problem(
          top == .array
            ? "expected ',' or ']' after an array element, found \(describeHere())"
            : "expected ',' or '}' after an object member, found \(describeHere())")
      }
      i += 1
      if let p = top == .array ? value() : key() { return p }
    }
    skipSpace()
    if i < n { return problem("unexpected \(describeHere()) after the JSON value") }
    return nil
  }
}
