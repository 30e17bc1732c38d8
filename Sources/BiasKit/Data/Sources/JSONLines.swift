import Foundation

/// A JSON Lines file: one JSON object per line, read straight from bytes into typed fields.
///
/// Each line is parsed by a small validating parser into a flat tape of nodes (no `Any`, no
/// dictionaries, no `String` until a field is asked for), and the caller's transform pulls the
/// fields it needs from a ``JSONRecord`` view of that tape. Large files are cut at line breaks
/// into one chunk per core and parsed in parallel; results come back in file order.
///
/// Conventions (those of Python's `json.loads`, which writes most such files):
/// - Every non-blank line is one JSON object (RFC 8259). Blank lines (only spaces, tabs or
///   `\r`) are skipped; a UTF-8 byte-order mark at the start of the file is ignored; a final
///   line without `\n` is read.
/// - `NaN`, `Infinity` and `-Infinity` are numbers, as Python writes and reads them
///   (lm-evaluation-harness's per-sample logs contain `NaN`).
/// - When an object repeats a key, the last value wins (Python's `dict`).
/// - Strings must be valid UTF-8 without raw control characters; escapes are decoded only
///   when a string is read. Nesting is limited to 512 levels.
///
/// Every problem is a ``BiasKitError`` naming the file, line and column (1-based, in
/// characters): malformed JSON, a line that is not an object, and the transform's own
/// complaints (``JSONRecord/problem(_:at:)``, ``JSONRecord/required(_:)``).
///
/// Corresponds to `[json.loads(line) for line in open(path)]` (and pandas'
/// `read_json(path, lines=True)`).
///
/// - Complexity: O(file size) time; O(size of the longest line) memory per core besides the
///   results.
public struct JSONLines: Sendable {
  /// The file as the user named it, for messages.
  public let path: String
  private let storage: Storage

  private enum Storage: @unchecked Sendable {
    case mapped(MappedFile)
    case owned([UInt8])
  }

  /// Maps the file at `path`.
  /// - Throws: ``BiasKitError`` when the file is missing, unreadable, a folder or empty.
  public init(path: String) throws {
    self.path = path
    storage = .mapped(try MappedFile(path: path))
  }

  /// Records held in memory (tests, small inputs); `name` is used in messages.
  public init(bytes: [UInt8], name: String) {
    path = name
    storage = .owned(bytes)
  }

  /// Size of the input in bytes.
  public var byteCount: Int {
    switch storage {
    case .mapped(let file): return file.bytes.count
    case .owned(let bytes): return bytes.count
    }
  }

  private func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    switch storage {
    case .mapped(let file): return try body(file.bytes)
    case .owned(let bytes): return try bytes.withUnsafeBufferPointer { try body($0) }
    }
  }

  /// Calls `transform` on every record, in parallel chunks, and returns its results in file
  /// order. The ``JSONRecord`` is valid only during the call.
  ///
  /// - Throws: the first problem in file order, as a ``BiasKitError`` with its location (the
  ///   transform's own errors that are not ``JSONRecord/Problem`` pass through unchanged).
  public func map<T>(_ transform: (JSONRecord) throws -> T) throws -> [T] {
    let parts = try mapChunks(state: ()) { _, record in try transform(record) }
    if parts.count == 1 { return parts[0].results }
    var all: [T] = []
    all.reserveCapacity(parts.reduce(0) { $0 + $1.results.count })
    for part in parts { all.append(contentsOf: part.results) }
    return all
  }

  /// Like ``map(_:)``, with a private `state` per chunk (an interner of category names, say),
  /// returned with that chunk's results; chunks are in file order.
  public func mapChunks<State, T>(
    state: @autoclosure () -> State, _ transform: (inout State, JSONRecord) throws -> T
  ) throws -> [(state: State, results: [T])] {
    try withBytes { bytes in
      let chunks = Self.chunks(bytes)
      var results = [(state: State, results: [T])?](repeating: nil, count: chunks.count)
      var failures = [Error?](repeating: nil, count: chunks.count)
      let initial = (0..<chunks.count).map { _ in state() }
      results.withUnsafeMutableBufferPointer { out in
        failures.withUnsafeMutableBufferPointer { failed in
          DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
            var parser = JSONTapeParser()
            var local: [T] = []
            var own = initial[k]
            do {
              try Self.scan(bytes, chunks[k], parser: &parser) { record in
                local.append(try transform(&own, record))
              }
            } catch { failed[k] = error }
            out[k] = (own, local)
          }
        }
      }
      if let failure = failures.lazy.compactMap({ $0 }).first {
        throw locate(failure, bytes)
      }
      return results.map { $0! }
    }
  }

  /// Calls `body` on every record in file order, on the calling thread.
  public func forEach(_ body: (JSONRecord) throws -> Void) throws {
    try withBytes { bytes in
      var parser = JSONTapeParser()
      do {
        try Self.scan(bytes, 0..<bytes.count, parser: &parser, body)
      } catch { throw locate(error, bytes) }
    }
  }

  /// The number of records (non-blank lines), parsing each.
  public func count() throws -> Int {
    var n = 0
    try forEach { _ in n += 1 }
    return n
  }

  /// The location (line, column) of byte `offset` of the input.
  public func location(ofByte offset: Int) -> SourceLocation {
    withBytes { Self.location(path, $0, offset) }
  }

  // MARK: Chunks and lines

  /// One range per core for inputs of a megabyte or more, cut after a line break.
  static func chunks(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
    let n = bytes.count
    let cores = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
    guard n >= 1 << 20, cores > 1, let base = bytes.baseAddress else { return [0..<n] }
    var cuts = [0]
    for k in 1..<cores {
      var at = max(cuts[cuts.count - 1], n * k / cores)
      if let p = memchr(base + at, 0x0A, n - at) {
        at = UnsafePointer<UInt8>(p.assumingMemoryBound(to: UInt8.self)) - base + 1
      } else {
        at = n
      }
      if at > cuts[cuts.count - 1] && at < n { cuts.append(at) }
    }
    cuts.append(n)
    return (0..<(cuts.count - 1)).map { cuts[$0]..<cuts[$0 + 1] }
  }

  /// Parses the lines of `range` and hands each record to `body`.
  private static func scan(
    _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, parser: inout JSONTapeParser,
    _ body: (JSONRecord) throws -> Void
  ) throws {
    guard let base = bytes.baseAddress, !range.isEmpty else { return }
    var start = range.lowerBound
    // A byte-order mark at the start of the file.
    if start == 0, bytes.count >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF {
      start = 3
    }
    let end = range.upperBound
    while start < end {
      var stop = end
      if let p = memchr(base + start, 0x0A, end - start) {
        stop = UnsafePointer<UInt8>(p.assumingMemoryBound(to: UInt8.self)) - base
      }
      var first = start
      while first < stop, base[first] == 0x20 || base[first] == 0x09 || base[first] == 0x0D {
        first += 1
      }
      if first < stop {
        try parser.parse(base, first..<stop)
        try parser.tape.withUnsafeBufferPointer { tape in
          try body(JSONRecord(bytes: base, tape: tape, line: start..<stop))
        }
      }
      start = stop + 1
    }
  }

  /// A failure with a byte offset turned into a ``BiasKitError`` with its line and column.
  private func locate(_ error: Error, _ bytes: UnsafeBufferPointer<UInt8>) -> Error {
    guard let problem = error as? JSONRecord.Problem else { return error }
    let location = Self.location(path, bytes, problem.offset)
    return BiasKitError(problem.code, "\(location): \(problem.message)")
  }

  static func location(
    _ path: String, _ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int
  ) -> SourceLocation {
    let offset = max(0, min(offset, bytes.count))
    var line = 1
    var lineStart = 0
    if let base = bytes.baseAddress {
      for i in 0..<offset where base[i] == 0x0A {
        line += 1
        lineStart = i + 1
      }
      // Characters, not bytes: count the bytes that start a UTF-8 sequence.
      var column = 1
      for i in lineStart..<offset where base[i] & 0xC0 != 0x80 { column += 1 }
      if lineStart == 0, bytes.count >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF {
        column -= 1
      }
      return SourceLocation(file: path, line: line, column: column)
    }
    return SourceLocation(file: path, line: line, column: 1)
  }
}

// MARK: - The tape

/// What a JSON value is.
public enum JSONKind: UInt8, Sendable {
  case object, array, string, number, bool, null
}

/// One value of a parsed line; containers are followed by their members (keys and values
/// alternating in objects).
struct JSONNode {
  var kind: JSONKind
  /// For strings: whether the text holds escapes. For bools: the value.
  var flag: Bool
  /// Members (objects: key-value pairs) or elements (arrays).
  var count: Int32
  /// Index of the first node after this value (and everything inside it).
  var next: Int32
  /// Byte range in the input: strings without their quotes, numbers and literals as written,
  /// containers from the opening to the closing bracket.
  var start: Int
  var end: Int
}

/// A validating parser of one JSON text into a ``JSONNode`` tape (iterative: deep nesting
/// cannot overflow the stack).
struct JSONTapeParser {
  var tape: [JSONNode] = []
  private var open: [Int32] = []
  static let maximumDepth = 512

  private typealias Failure = JSONRecord.Problem

  private static func failure(_ offset: Int, _ message: String) -> Failure {
    Failure(offset: offset, code: .malformedInput, message: message)
  }

  @inline(__always)
  private static func isSpace(_ b: UInt8) -> Bool {
    b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A
  }

  /// Parses `p[range]`, which must hold one JSON object and nothing else but spaces.
  mutating func parse(_ p: UnsafePointer<UInt8>, _ range: Range<Int>) throws {
    tape.removeAll(keepingCapacity: true)
    open.removeAll(keepingCapacity: true)
    let end = range.upperBound
    var i = range.lowerBound
    func skipSpace() {
      while i < end, Self.isSpace(p[i]) { i += 1 }
    }
    skipSpace()
    guard i < end, p[i] == UInt8(ascii: "{") else {
      throw Self.failure(i, "expected a JSON object ('{'), one record per line")
    }
    // States: after '{' or ',' in an object we want a key; after ':' or '[' or ',' in an array
    // we want a value.
    var expectingValue = true
    var expectingKey = false
    var valueOptional = false  // right after '[' or '{': ']' / '}' may close at once
    while true {
      skipSpace()
      if i >= end {
        if open.isEmpty && !expectingValue { break }
        throw Self.failure(i, open.isEmpty ? "the line is empty" : "the line ends inside a value")
      }
      let b = p[i]
      if !expectingValue {
        // After a value: ',' or a closing bracket, or the end of the record.
        guard let top = open.last else {
          throw Self.failure(i, "unexpected text after the end of the JSON object")
        }
        let container = tape[Int(top)]
        if b == UInt8(ascii: ",") {
          i += 1
          expectingValue = true
          expectingKey = container.kind == .object
          valueOptional = false
          continue
        }
        let closer = container.kind == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        guard b == closer else {
          throw Self.failure(
            i,
            container.kind == .object
              ? "expected ',' or '}' after an object member"
              : "expected ',' or ']' after an array element")
        }
        i += 1
        close(at: i)
        continue
      }
      if expectingKey {
        if valueOptional, b == UInt8(ascii: "}") {
          i += 1
          close(at: i)
          expectingValue = false
          expectingKey = false
          continue
        }
        guard b == UInt8(ascii: "\"") else {
          throw Self.failure(i, "expected a quoted key")
        }
        try string(p, &i, end)
        skipSpace()
        guard i < end, p[i] == UInt8(ascii: ":") else {
          throw Self.failure(i, "expected ':' after a key")
        }
        i += 1
        tape[Int(open[open.count - 1])].count += 1
        expectingKey = false
        valueOptional = false
        continue
      }
      // A value.
      if valueOptional, b == UInt8(ascii: "]") {
        i += 1
        close(at: i)
        expectingValue = false
        continue
      }
      if let top = open.last, tape[Int(top)].kind == .array { tape[Int(top)].count += 1 }
      switch b {
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        guard open.count < Self.maximumDepth else {
          throw Self.failure(i, "the value is nested more than \(Self.maximumDepth) levels deep")
        }
        open.append(Int32(tape.count))
        tape.append(
          JSONNode(
            kind: b == UInt8(ascii: "{") ? .object : .array, flag: false, count: 0, next: 0,
            start: i, end: i))
        i += 1
        expectingValue = true
        expectingKey = b == UInt8(ascii: "{")
        valueOptional = true
        continue
      case UInt8(ascii: "\""):
        try string(p, &i, end)
      case UInt8(ascii: "t"):
        try literal(p, &i, end, "true", .bool, flag: true)
      case UInt8(ascii: "f"):
        try literal(p, &i, end, "false", .bool, flag: false)
      case UInt8(ascii: "n"):
        try literal(p, &i, end, "null", .null, flag: false)
      case UInt8(ascii: "N"):
        try literal(p, &i, end, "NaN", .number, flag: false)
      case UInt8(ascii: "I"):
        try literal(p, &i, end, "Infinity", .number, flag: false)
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        if b == UInt8(ascii: "-"), i + 1 < end, p[i + 1] == UInt8(ascii: "I") {
          let start = i
          i += 1
          try literal(p, &i, end, "Infinity", .number, flag: false)
          tape[tape.count - 1].start = start
        } else {
          try number(p, &i, end)
        }
      default:
        throw Self.failure(
          i,
          b == UInt8(ascii: "]") || b == UInt8(ascii: "}") || b == UInt8(ascii: ",")
            ? "expected a value before '\(Character(Unicode.Scalar(b)))'"
            : "expected a JSON value")
      }
      expectingValue = false
      valueOptional = false
    }
  }

  private mutating func close(at i: Int) {
    let index = Int(open.removeLast())
    tape[index].end = i
    tape[index].next = Int32(tape.count)
  }

  private mutating func literal(
    _ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, _ word: StaticString, _ kind: JSONKind,
    flag: Bool
  ) throws {
    let n = word.utf8CodeUnitCount
    let w = word.utf8Start
    guard end - i >= n, memcmp(p + i, w, n) == 0 else {
      throw Self.failure(i, "expected a JSON value")
    }
    tape.append(
      JSONNode(
        kind: kind, flag: flag, count: 0, next: Int32(tape.count + 1), start: i, end: i + n))
    i += n
  }

  private mutating func number(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) throws {
    let start = i
    func digits() -> Int {
      let s = i
      while i < end, p[i] &- 0x30 < 10 { i += 1 }
      return i - s
    }
    if p[i] == UInt8(ascii: "-") { i += 1 }
    guard i < end, p[i] &- 0x30 < 10 else {
      throw Self.failure(start, "a number needs a digit after '-'")
    }
    if p[i] == UInt8(ascii: "0") {
      i += 1
      if i < end, p[i] &- 0x30 < 10 {
        throw Self.failure(start, "a number cannot start with 0 followed by digits")
      }
    } else {
      _ = digits()
    }
    if i < end, p[i] == UInt8(ascii: ".") {
      i += 1
      guard digits() > 0 else { throw Self.failure(start, "a number needs digits after '.'") }
    }
    if i < end, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
      i += 1
      if i < end, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
      guard digits() > 0 else {
        throw Self.failure(start, "a number needs digits in its exponent")
      }
    }
    tape.append(
      JSONNode(
        kind: .number, flag: false, count: 0, next: Int32(tape.count + 1), start: start, end: i))
  }

  /// A string starting at the quote `p[i]`; checks escapes, control characters and UTF-8.
  private mutating func string(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) throws {
    let quote = i
    i += 1
    let start = i
    var escaped = false
    while true {
      guard i < end else { throw Self.failure(quote, "a string is never closed (missing '\"')") }
      let b = p[i]
      if b == UInt8(ascii: "\"") { break }
      if b == UInt8(ascii: "\\") {
        escaped = true
        guard i + 1 < end else {
          throw Self.failure(i, "a string is never closed (missing '\"')")
        }
        switch p[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
          UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
          i += 2
        case UInt8(ascii: "u"):
          guard end - i >= 6, (2..<6).allSatisfy({ Self.hexValue(p[i + $0]) != nil }) else {
            throw Self.failure(i, "'\\u' must be followed by four hexadecimal digits")
          }
          i += 6
        default:
          throw Self.failure(i, "invalid escape in a string")
        }
        continue
      }
      if b < 0x20 {
        throw Self.failure(i, "a control character inside a string must be escaped")
      }
      if b < 0x80 {
        i += 1
        continue
      }
      // Multi-byte UTF-8: a valid lead byte followed by continuation bytes, no overlongs or
      // surrogates (as Python's UTF-8 decoder requires).
      let length: Int
      var low: UInt8 = 0x80
      var high: UInt8 = 0xBF
      switch b {
      case 0xC2...0xDF: length = 2
      case 0xE0:
        length = 3
        low = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF: length = 3
      case 0xED:
        length = 3
        high = 0x9F
      case 0xF0:
        length = 4
        low = 0x90
      case 0xF1...0xF3: length = 4
      case 0xF4:
        length = 4
        high = 0x8F
      default: throw Self.failure(i, "the text is not valid UTF-8")
      }
      guard end - i >= length, p[i + 1] >= low, p[i + 1] <= high,
        (2..<length).allSatisfy({ p[i + $0] & 0xC0 == 0x80 })
      else { throw Self.failure(i, "the text is not valid UTF-8") }
      i += length
    }
    tape.append(
      JSONNode(
        kind: .string, flag: escaped, count: 0, next: Int32(tape.count + 1), start: start, end: i))
    i += 1
  }

  @inline(__always)
  static func hexValue(_ b: UInt8) -> UInt32? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
    default: return nil
    }
  }
}

// MARK: - Records and values

/// One parsed line of a ``JSONLines`` file: a JSON object, valid only inside the closure that
/// received it.
public struct JSONRecord {
  let bytes: UnsafePointer<UInt8>
  let tape: UnsafeBufferPointer<JSONNode>
  /// Byte range of the line in the input.
  let line: Range<Int>

  /// A problem found in a record, located by byte offset; ``JSONLines`` turns it into a
  /// ``BiasKitError`` naming the line and column.
  public struct Problem: Error, Sendable {
    var offset: Int
    var code: BiasKitError.Code
    var message: String
  }

  /// The record's top-level object.
  public var root: JSONValueView { JSONValueView(record: self, index: 0) }

  /// The value at a dotted path of object keys (`"doc.category"`), or nil when a key is
  /// missing or a step is not an object. (A key containing '.' is reached with
  /// ``JSONValueView/subscript(_:)`` step by step.)
  public func value(at path: String) -> JSONValueView? {
    var current = root
    for key in path.split(separator: ".", omittingEmptySubsequences: false) {
      guard let next = current[Substring(key)] else { return nil }
      current = next
    }
    return current
  }

  /// The value at `path`, or a problem naming the missing field.
  public func required(_ path: String) throws -> JSONValueView {
    if let value = value(at: path) { return value }
    throw problem("the record has no field '\(path)'", at: nil)
  }

  /// A problem at `value` (or at the start of the line), reported with its line and column.
  public func problem(
    _ message: String, at value: JSONValueView?, code: BiasKitError.Code = .invalidValue
  ) -> Problem {
    let offset = value.map { v -> Int in
      let node = tape[v.index]
      // Point at the opening quote of a string.
      return node.kind == .string ? node.start - 1 : node.start
    }
    return Problem(offset: offset ?? line.lowerBound, code: code, message: message)
  }
}

/// A value inside a ``JSONRecord``.
public struct JSONValueView {
  let record: JSONRecord
  let index: Int

  private var node: JSONNode { record.tape[index] }

  /// What the value is.
  public var kind: JSONKind { node.kind }
  /// Whether it is `null`.
  public var isNull: Bool { node.kind == .null }
  /// Members of an object or elements of an array (0 for scalars).
  public var count: Int { Int(node.count) }

  /// The member `key` of an object (the last one when the key repeats), or nil.
  public subscript<S: StringProtocol>(_ key: S) -> JSONValueView? {
    guard node.kind == .object else { return nil }
    var k = index + 1
    var found: Int? = nil
    var wantedKey = String(key)
    wantedKey.withUTF8 { wanted in
      for _ in 0..<Int(node.count) {
        let keyNode = record.tape[k]
        let value = k + 1
        if keyNode.flag {
          if decodedString(keyNode).utf8.elementsEqual(wanted) { found = value }
        } else if keyNode.end - keyNode.start == wanted.count,
          wanted.count == 0
            || memcmp(record.bytes + keyNode.start, wanted.baseAddress!, wanted.count) == 0
        {
          found = value
        }
        k = Int(record.tape[value].next)
      }
    }
    return found.map { JSONValueView(record: record, index: $0) }
  }

  /// The elements of an array (empty for other values).
  public var elements: [JSONValueView] {
    guard node.kind == .array else { return [] }
    var result: [JSONValueView] = []
    result.reserveCapacity(Int(node.count))
    var k = index + 1
    for _ in 0..<Int(node.count) {
      result.append(JSONValueView(record: record, index: k))
      k = Int(record.tape[k].next)
    }
    return result
  }

  /// Calls `body` with each element of an array, without building an array of views.
  public func forEachElement(_ body: (JSONValueView) throws -> Void) rethrows {
    guard node.kind == .array else { return }
    var k = index + 1
    for _ in 0..<Int(node.count) {
      try body(JSONValueView(record: record, index: k))
      k = Int(record.tape[k].next)
    }
  }

  /// The members of an object as (key, value), in order.
  public var members: [(key: String, value: JSONValueView)] {
    guard node.kind == .object else { return [] }
    var result: [(key: String, value: JSONValueView)] = []
    var k = index + 1
    for _ in 0..<Int(node.count) {
      result.append((decodedString(record.tape[k]), JSONValueView(record: record, index: k + 1)))
      k = Int(record.tape[k + 1].next)
    }
    return result
  }

  /// A number (`NaN` and `±Infinity` included), or nil for other values.
  public var number: Double? {
    guard node.kind == .number else { return nil }
    return NumberParsing.parseDouble(record.bytes + node.start, node.end - node.start)
  }

  /// A number, or a string holding one (as lm-evaluation-harness logs its log-likelihoods).
  public var numberOrNumericString: Double? {
    if node.kind == .number { return number }
    guard node.kind == .string, !node.flag, node.end > node.start else { return nil }
    return NumberParsing.parseDouble(record.bytes + node.start, node.end - node.start)
  }

  /// A whole number: an integer literal or a number with an integral value in ±2⁵³.
  public var integer: Int? {
    guard let value = number, value.isFinite, value == value.rounded(), abs(value) <= 0x1p53
    else { return nil }
    return Int(value)
  }

  /// A boolean.
  public var bool: Bool? { node.kind == .bool ? node.flag : nil }

  /// A string, escapes decoded.
  public var string: String? {
    guard node.kind == .string else { return nil }
    return decodedString(node)
  }

  /// Whether the value is a string equal to `text` (no allocation for unescaped strings).
  public func isString(_ text: StaticString) -> Bool {
    guard node.kind == .string else { return false }
    if node.flag { return decodedString(node) == text.description }
    let n = text.utf8CodeUnitCount
    return node.end - node.start == n && memcmp(record.bytes + node.start, text.utf8Start, n) == 0
  }

  /// The raw bytes of a string without escapes, for hashing and interning (nil if escaped or
  /// not a string).
  public func withUnescapedBytes<R>(
    _ body: (UnsafeBufferPointer<UInt8>) throws -> R
  ) rethrows
    -> R?
  {
    guard node.kind == .string, !node.flag else { return nil }
    return try body(
      UnsafeBufferPointer(start: record.bytes + node.start, count: node.end - node.start))
  }

  /// The value as written in the file (for messages), shortened to `limit` characters.
  public func text(limit: Int = 40) -> String {
    let n = node
    let start = n.kind == .string ? n.start - 1 : n.start
    let end = n.kind == .string ? n.end + 1 : n.end
    let raw = String(
      decoding: UnsafeBufferPointer(start: record.bytes + start, count: end - start), as: UTF8.self)
    return raw.count > limit ? String(raw.prefix(limit)) + "…" : raw
  }

  private func decodedString(_ n: JSONNode) -> String {
    let raw = UnsafeBufferPointer(start: record.bytes + n.start, count: n.end - n.start)
    guard n.flag else { return String(decoding: raw, as: UTF8.self) }
    var scalars = String.UnicodeScalarView()
    var utf8: [UInt8] = []
    utf8.reserveCapacity(raw.count)
    var i = 0
    func flush() {
      if !utf8.isEmpty {
        scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
        utf8.removeAll(keepingCapacity: true)
      }
    }
    func hex4(_ at: Int) -> UInt32 {
      var v: UInt32 = 0
      for k in 0..<4 { v = v << 4 | (JSONTapeParser.hexValue(raw[at + k]) ?? 0) }
      return v
    }
    while i < raw.count {
      let b = raw[i]
      guard b == UInt8(ascii: "\\"), i + 1 < raw.count else {
        utf8.append(b)
        i += 1
        continue
      }
      let e = raw[i + 1]
      i += 2
      switch e {
      case UInt8(ascii: "b"): utf8.append(0x08)
      case UInt8(ascii: "f"): utf8.append(0x0C)
      case UInt8(ascii: "n"): utf8.append(0x0A)
      case UInt8(ascii: "r"): utf8.append(0x0D)
      case UInt8(ascii: "t"): utf8.append(0x09)
      case UInt8(ascii: "u"):
        guard i + 4 <= raw.count else { break }
        var v = hex4(i)
        i += 4
        if (0xD800..<0xDC00).contains(v), i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"),
          raw[i + 1] == UInt8(ascii: "u")
        {
          let low = hex4(i + 2)
          if (0xDC00..<0xE000).contains(low) {
            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
            i += 6
          }
        }
        flush()
        // A lone surrogate has no scalar: it becomes U+FFFD.
        scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
      default: utf8.append(e)
      }
    }
    flush()
    return String(scalars)
  }
}

// MARK: - As a table

extension TableFormat {
  /// JSON Lines (`.jsonl`, `.ndjson`): one object per line; a column is a top-level key or a
  /// dotted path into nested objects (`doc.category`).
  public static let jsonLines = TableFormat(rawValue: "jsonl")
}

extension JSONLines: FileTableSource {
  public static var format: TableFormat { .jsonLines }
  public static var fileExtensions: [String] { ["jsonl", "ndjson"] }

  public init(path: String, options: TableReadOptions) throws {
    try self.init(path: path)
  }

  public var name: String { path }

  /// The keys of the first record, nested objects flattened to dotted paths, in order.
  public var columnNames: [String] {
    var names: [String] = []
    var done = false
    try? forEach { record in
      guard !done else { return }
      done = true
      func walk(_ value: JSONValueView, _ prefix: String) {
        for (key, member) in value.members {
          let name = prefix.isEmpty ? key : prefix + "." + key
          if member.kind == .object { walk(member, name) } else { names.append(name) }
        }
      }
      walk(record.root, "")
    }
    return names
  }

  /// Reads the requested fields of every record as typed columns (a missing key or `null` is
  /// an empty field: NaN with `allowMissing`, the missing group, or an error).
  public func read(
    _ requests: [ColumnRequest], progress: (@Sendable (Double) -> Void)?
  ) throws -> Table {
    let known = Set(columnNames)
    for r in requests where !known.contains(r.name) {
      // A key absent from the first record may still occur later; only a name no record
      // has is unknown.
      let anywhere = try map { $0.value(at: r.name) != nil }.contains(true)
      if !anywhere { throw BiasKitError.unknownColumn(r.name, in: path, available: columnNames) }
    }
    enum Cell {
      case number(Double)
      case text(String?)
    }
    let rows = try map { record -> [Cell] in
      try requests.map { request in
        let value = record.value(at: request.name)
        let missing = value == nil || value!.isNull
        switch request.kind {
        case .number(let allowMissing):
          if missing {
            guard allowMissing else {
              throw record.problem(
                "the field '\(request.name)' is missing; expected a number", at: value)
            }
            return .number(.nan)
          }
          guard let x = value!.numberOrNumericString else {
            throw record.problem("'\(request.name)' is \(value!.text()), not a number", at: value)
          }
          return .number(x)
        case .label, .category:
          if missing { return .text(nil) }
          if let s = value!.string { return .text(s) }
          switch value!.kind {
          case .number, .bool: return .text(value!.text(limit: 64))
          default:
            throw record.problem(
              "'\(request.name)' is \(value!.text()), not a string, number or boolean", at: value)
          }
        }
      }
    }
    progress?(1)
    var columns: [Column] = []
    for (k, request) in requests.enumerated() {
      switch request.kind {
      case .number:
        columns.append(
          .numbers(rows.map { if case .number(let x) = $0[k] { return x } else { return .nan } }))
      case .category(let missingGroup):
        var index: [String: Int32] = [:]
        var levels: [String] = []
        var codes: [Int32] = []
        codes.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
          guard case .text(let t) = row[k], let text = t ?? missingGroup else {
            throw BiasKitError(
              .invalidValue,
              "\(location(row: i, column: request.name)): the field is missing; expected a group")
          }
          if let code = index[text] {
            codes.append(code)
          } else {
            index[text] = Int32(levels.count)
            codes.append(Int32(levels.count))
            levels.append(text)
          }
        }
        columns.append(.categories(CategoricalColumn(codes: codes, levels: levels)))
      case .label(let positive):
        var values: [UInt8] = []
        values.reserveCapacity(rows.count)
        var negativeName: String? = nil
        var positiveName: String? = nil
        for (i, row) in rows.enumerated() {
          guard case .text(let t) = row[k], let text = t else {
            throw BiasKitError(
              .invalidValue,
              "\(location(row: i, column: request.name)): the field is missing; expected a label")
          }
          let value: UInt8
          if let positive {
            if text == positive {
              value = 1
              positiveName = text
            } else {
              if let n = negativeName, n != text {
                throw BiasKitError(
                  .invalidValue,
                  "\(location(row: i, column: request.name)): '\(text)' is a third class; a binary label column may hold two (already seen: '\(positive)', '\(n)')"
                )
              }
              negativeName = text
              value = 0
            }
          } else {
            switch text.lowercased() {
            case "1", "1.0", "true": value = 1
            case "0", "0.0", "-1", "false": value = 0
            default:
              throw BiasKitError(
                .invalidValue,
                "\(location(row: i, column: request.name)): '\(text)' is not a binary label; expected 0/1, -1/1 or true/false"
              )
            }
            if value == 1 {
              positiveName = positiveName ?? text
            } else {
              negativeName = negativeName ?? text
            }
          }
          values.append(value)
        }
        columns.append(
          .labels(
            LabelColumn(values: values, negativeName: negativeName, positiveName: positiveName)))
      }
    }
    guard !rows.isEmpty else { throw BiasKitError.headerOnly(path) }
    return Table(rowCount: rows.count, names: requests.map(\.name), columns: columns)
  }

  /// The line of record `row` (0-based).
  public func location(row: Int, column: String) -> SourceLocation {
    var offset = 0
    var k = 0
    withBytes { bytes in
      var parser = JSONTapeParser()
      try? Self.scan(bytes, 0..<bytes.count, parser: &parser) { record in
        if k == row { offset = record.line.lowerBound }
        k += 1
      }
    }
    let line = location(ofByte: offset)
    return SourceLocation(file: path, line: line.line ?? 1, column: nil, columnName: column)
  }
}
