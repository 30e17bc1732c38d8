import Foundation
import Testing

@testable import BiasKit

/// Every text reader of the embeddings commands accepts CRLF line endings and a byte-order
/// mark, and what was read silently wrong is reported (issues #18 item 2, #20 items 7 and 8).
@Suite("Embeddings: input files (CRLF, BOM, lying headers, streams, JSON errors)")
struct EmbeddingInputTests {
  static let rows = [
    ("she", [1.0, -0.5, 0.0]), ("he", [1.5, -0.75, 1.0]), ("nurse", [2.0, -1.0, -1.0]),
  ]

  static func text(header: Bool, newline: String, bom: Bool = false) -> String {
    var text = bom ? "\u{FEFF}" : ""
    if header { text += "\(rows.count) 3" + newline }
    for (word, values) in rows {
      text += word + values.map { " \($0)" }.joined() + newline
    }
    return text
  }

  static func write(_ text: String, name: String) throws -> String {
    try writeTemporary(text, name: name)
  }

  static func expectRows(
    _ embedding: WordEmbedding, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    #expect(embedding.words == rows.map(\.0), sourceLocation: sourceLocation)
    #expect(embedding.dimension == 3, sourceLocation: sourceLocation)
    #expect(
      embedding.vector("nurse") == [2.0, -1.0, -1.0],
      sourceLocation: sourceLocation)
  }

  func message(_ body: () throws -> Void) -> String {
    do {
      try body()
      return ""
    } catch let error as BiasKitError {
      return error.message
    } catch { return "\(error)" }
  }

  @Test("word2vec text with CRLF line endings is recognised by --input-format auto")
  func word2vecTextCRLF() throws {
    let path = try Self.write(Self.text(header: true, newline: "\r\n"), name: "vectors.txt")
    Self.expectRows(try WordEmbedding(contentsOf: path))
    // The exact reproducer: the header line as a Windows editor writes it.
    let bytes = Array(Self.text(header: true, newline: "\r\n").utf8)
    #expect(bytes.withUnsafeBufferPointer { EmbeddingFormat.detect($0) } == .word2vecText)
  }

  @Test("GloVe text with CRLF line endings")
  func gloveCRLF() throws {
    let path = try Self.write(Self.text(header: false, newline: "\r\n"), name: "glove.txt")
    Self.expectRows(try WordEmbedding(contentsOf: path))
  }

  @Test("word2vec binary with a CRLF header line")
  func binaryCRLFHeader() throws {
    let embedding = try WordEmbedding(
      words: Self.rows.map(\.0), dimension: 3,
      vectors: Self.rows.flatMap { $0.1.map(Float.init) })
    var data = embedding.word2vecBinaryData()
    let newline = data.firstIndex(of: 10)!
    data.insert(13, at: newline)
    let folder = try TestData.temporaryFolder()
    let path = folder.appendingPathComponent("v.bin").path
    try data.write(to: URL(fileURLWithPath: path))
    Self.expectRows(try WordEmbedding(contentsOf: path))
  }

  @Test("a byte-order mark is not part of the first word (GloVe and word2vec text)")
  func byteOrderMark() throws {
    for header in [false, true] {
      let path = try Self.write(
        Self.text(header: header, newline: "\n", bom: true), name: "bom.txt")
      let embedding = try WordEmbedding(contentsOf: path)
      Self.expectRows(embedding)
      #expect(embedding.contains("she"))
    }
  }

  @Test("a word2vec binary word containing a space is reported, not misread")
  func binaryWordWithSpace() throws {
    let embedding = try WordEmbedding(
      words: ["new york", "paris", "rome"], dimension: 4,
      vectors: (0..<12).map { Float($0) / 7 })
    let folder = try TestData.temporaryFolder()
    let path = folder.appendingPathComponent("spaces.bin").path
    try embedding.word2vecBinaryData().write(to: URL(fileURLWithPath: path))
    let error = message { _ = try WordEmbedding(contentsOf: path) }
    #expect(error.contains("a word contains a space"), "\(error)")
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let parsing = message {
      _ = try bytes.withUnsafeBufferPointer { try WordEmbedding(parsing: $0, path: "spaces.bin") }
    }
    #expect(parsing.contains("a word contains a space"), "\(parsing)")
  }

  @Test("a header count smaller than the rows is reported (text and binary); --limit reads fewer")
  func headerCountTooSmall() throws {
    var text = Self.text(header: true, newline: "\n")
    text = "2 3" + text.drop(while: { $0 != "\n" })
    let path = try Self.write(text, name: "short-header.txt")
    let error = message { _ = try WordEmbedding(contentsOf: path) }
    #expect(
      error.contains("short-header.txt:4: malformed embedding file: the header declares 2 words"),
      "\(error)")
    #expect(try WordEmbedding(contentsOf: path, options: .init(limit: 2)).count == 2)
    // Binary: declare 2 of 3 rows.
    let embedding = try WordEmbedding(
      words: Self.rows.map(\.0), dimension: 3,
      vectors: Self.rows.flatMap { $0.1.map(Float.init) })
    var data = embedding.word2vecBinaryData()
    data.replaceSubrange(0..<1, with: Array("2".utf8))
    let folder = try TestData.temporaryFolder()
    let binary = folder.appendingPathComponent("short.bin").path
    try data.write(to: URL(fileURLWithPath: binary))
    let binaryError = message { _ = try WordEmbedding(contentsOf: binary) }
    #expect(binaryError.contains("the header's count is smaller"), "\(binaryError)")
    #expect(try WordEmbedding(contentsOf: binary, options: .init(limit: 2)).count == 2)
    // A trailing newline after the last row is fine.
    data.replaceSubrange(0..<1, with: Array("3".utf8))
    data.append(10)
    try data.write(to: URL(fileURLWithPath: binary))
    #expect(try WordEmbedding(contentsOf: binary).count == 3)
  }

  @Test("an embedding read from a FIFO (no size to stream by)")
  func fifo() throws {
    let folder = try TestData.temporaryFolder()
    let fifo = folder.appendingPathComponent("vectors.txt").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let text = Self.text(header: true, newline: "\n")
    Thread {
      if let handle = FileHandle(forWritingAtPath: fifo) {
        handle.write(Data(text.utf8))
        try? handle.close()
      }
    }.start()
    Self.expectRows(try WordEmbedding(contentsOf: fifo))
  }

  @Test("word lists: JSON and one word per line, with CRLF and a BOM")
  func wordListsCRLF() throws {
    let lists =
      "{\r\n  \"gender\": {\r\n    \"definitional_pairs\": [[\"she\", \"he\"]],\r\n"
      + "    \"professions\": [[\"nurse\", 0.0, 0.0]], \"specific_full\": [],\r\n"
      + "    \"equalize_pairs\": []\r\n  }\r\n}\r\n"
    let path = try Self.write("\u{FEFF}" + lists, name: "lists.json")
    let decoded = try GenderWordLists.load(contentsOf: path)
    #expect(decoded.definitionalPairs.map { [$0.0, $0.1] } == [["she", "he"]])
    #expect(decoded.professions == ["nurse"])
    // WEAT tests JSON with CRLF.
    let tests = try String(
      contentsOf: TestData.fixture("Embeddings/tiny_weat.json"), encoding: .utf8)
    let crlf = try Self.write(
      tests.replacingOccurrences(of: "\n", with: "\r\n"), name: "tests.json")
    #expect(
      try WEATWordSets.load(contentsOf: crlf)
        == WEATWordSets.load(contentsOf: TestData.fixture("Embeddings/tiny_weat.json").path))
  }

  @Test("a malformed JSON file names the line and column of the problem")
  func jsonErrorLocation() throws {
    let path = try Self.write(
      "[\n  {\"first_target\": {\"name\": \"a\", \"words\": [\"x\", \"y\",]}\n]\n", name: "t.json")
    let error = message { _ = try WEATWordSets.load(contentsOf: path) }
    #expect(error.contains("t.json:2:53: not valid JSON: expected a value, found ']'"), "\(error)")
    let lists = try Self.write(
      "{\"gender\": {\"definitional_pairs\": [[\"she\" \"he\"]]}}", name: "l.json")
    let listError = message { _ = try GenderWordLists.load(contentsOf: lists) }
    #expect(
      listError.contains("l.json:1:43: not valid JSON: expected ',' or ']' after an array element"),
      "\(listError)")
    let unterminated = try Self.write("{\n\"a\": \"never closed\n}", name: "u.json")
    #expect(
      message { _ = try WEATWordSets.load(contentsOf: unterminated) }.contains(
        "u.json:2:6: not valid JSON: the string starting here is never closed"))
  }

  @Test("JSON syntax scanner: well-formed texts pass, deep nesting does not overflow the stack")
  func jsonScanner() {
    for text in [
      "{}", "[]", "[1, -2.5e3, true, false, null, \"\\u00e9\\n\"]", "{\"a\": {\"b\": [[]]}}",
    ] {
      let bytes = Array(text.utf8)
      #expect(bytes.withUnsafeBufferPointer { JSONSyntax.firstProblem(in: $0) } == nil, "\(text)")
    }
    let deep = Array(repeating: UInt8(ascii: "["), count: 1_000_000)
    let problem = deep.withUnsafeBufferPointer { JSONSyntax.firstProblem(in: $0) }
    #expect(problem?.reason == "the file ends inside an array")
  }

  @Test(
    "the built-in Bolukbasi lists are the shared bolukbasi.json",
    .enabled(if: TestData.sharedIsAvailable))
  func builtInListsEqualTheFile() throws {
    let file = try GenderWordLists.load(
      contentsOf: TestData.shared("data/embeddings/bolukbasi.json").path)
    #expect(GenderWordLists.bolukbasi == file)
    #expect(GenderWordLists.bolukbasi.definitionalPairs.count == 10)
    #expect(GenderWordLists.bolukbasi.professions.count == 320)
  }
}
