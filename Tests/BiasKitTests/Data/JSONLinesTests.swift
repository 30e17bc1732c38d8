import Foundation
import Testing

@testable import BiasKit

@Suite("Data: the JSON Lines reader")
struct JSONLinesTests {
  func parse(_ text: String) throws -> [String] {
    try LanguageModelFixtures.lines(text).map { record in
      record.root.members.map { "\($0.key)=\($0.value.text(limit: 100))" }.joined(separator: ";")
    }
  }

  func failure(_ text: String) -> String? {
    do {
      _ = try parse(text)
      return nil
    } catch let error as BiasKitError {
      return error.message
    } catch { return "\(error)" }
  }

  @Test(
    "values, nesting, escapes, Python's NaN and Infinity, blank lines, a BOM and no final newline")
  func values() throws {
    let file = LanguageModelFixtures.lines(
      "\u{FEFF}{\"a\": 1, \"b\": [true, false, null], \"c\": {\"d\": \"x\\ty\\u00e9\\ud83d\\ude00\"}}\n\n  \r\n{\"n\": NaN, \"i\": -Infinity, \"e\": 1.5e-3, \"a\": 2, \"a\": 3}"
    )
    let rows = try file.map { r -> [String: String] in
      var out: [String: String] = [:]
      if let a = r.root["a"]?.integer { out["a"] = String(a) }
      if let d = r.value(at: "c.d")?.string { out["d"] = d }
      if let n = r.root["n"]?.number { out["n"] = n.isNaN ? "nan" : "\(n)" }
      if let i = r.root["i"]?.number { out["i"] = "\(i)" }
      if let e = r.root["e"]?.number { out["e"] = "\(e)" }
      if let b = r.root["b"] {
        out["b"] = b.elements.map { $0.bool.map(String.init) ?? "null" }.joined(separator: ",")
      }
      return out
    }
    #expect(rows.count == 2)
    #expect(rows[0] == ["a": "1", "d": "x\ty\u{e9}\u{1F600}", "b": "true,false,null"])
    #expect(rows[1] == ["n": "nan", "i": "-inf", "e": "0.0015", "a": "3"])
  }

  @Test(
    "malformed lines name the line and column",
    arguments: [
      ("{\"a\": 1}\n{\"a\": }\n", "input.jsonl:2:7: expected a value before '}'"),
      ("{\"a\": 1,}\n", "input.jsonl:1:9: expected a quoted key"),
      ("[1, 2]\n", "input.jsonl:1:1: expected a JSON object ('{'), one record per line"),
      ("{\"a\": 1} x\n", "input.jsonl:1:10: unexpected text after the end of the JSON object"),
      (
        "{\"a\": \"é\t\"}\n", "input.jsonl:1:9: a control character inside a string must be escaped"
      ),
      ("{\"a\": 01}\n", "input.jsonl:1:7: a number cannot start with 0 followed by digits"),
      ("{\"a\": [1, 2\n", "input.jsonl:1:12: the line ends inside a value"),
      ("{\"a\": \"\\x\"}\n", "input.jsonl:1:8: invalid escape in a string"),
      ("{\"a\" 1}\n", "input.jsonl:1:6: expected ':' after a key"),
      ("{\"a\": tru}\n", "input.jsonl:1:7: expected a JSON value"),
    ])
  func malformed(text: String, message: String) {
    #expect(failure(text) == message)
  }

  @Test("invalid UTF-8 and deep nesting are errors, not traps")
  func hostileInput() {
    let bytes: [UInt8] = Array("{\"a\": \"".utf8) + [0xC3, 0x28] + Array("\"}\n".utf8)
    let invalid = JSONLines(bytes: bytes, name: "bad.jsonl")
    #expect(throws: BiasKitError.self) { try invalid.count() }
    let deep = "{\"a\": " + String(repeating: "[", count: 10_000) + "\n"
    #expect(failure(deep)?.contains("nested more than 512 levels") == true)
  }

  @Test("a missing field is named with its line; a file is read in parallel chunks, in order")
  func requiredAndChunks() throws {
    let missing = LanguageModelFixtures.lines("{\"a\": 1}\n{\"b\": 2}\n")
    #expect {
      try missing.map { try $0.required("a").integer! }
    } throws: { ($0 as? BiasKitError)?.message == "input.jsonl:2:1: the record has no field 'a'" }
    // Over a megabyte: several chunks.
    var text = ""
    for i in 0..<60_000 {
      text += "{\"i\": \(i), \"pad\": \"\(String(repeating: "x", count: i % 13))\"}\n"
    }
    let file = LanguageModelFixtures.lines(text)
    let values = try file.map { $0.root["i"]!.integer! }
    #expect(values == Array(0..<60_000))
    // An error in a later chunk is reported with its absolute line.
    let broken = text + "{\"i\": x}\n"
    #expect {
      try LanguageModelFixtures.lines(broken).map { $0.root["i"]?.integer ?? 0 }
    } throws: { ($0 as? BiasKitError)?.message == "input.jsonl:60001:7: expected a JSON value" }
  }

  @Test("a missing or empty file")
  func files() {
    #expect {
      try JSONLines(path: "/nonexistent/x.jsonl")
    } throws: { ($0 as? BiasKitError)?.message == "/nonexistent/x.jsonl: no such file" }
  }
}
