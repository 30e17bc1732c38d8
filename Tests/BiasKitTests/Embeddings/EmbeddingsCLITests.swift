import Foundation
import Testing

@testable import BiasKit

@Suite("Embeddings: the biaskit embeddings command")
struct EmbeddingsCLITests {
  static let shared = TestData.shared("data/embeddings").path + "/"
  static let bin = shared + "GoogleNews-vectors-negative300-bolukbasi.bin"

  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test(
    "weat runs the 10 tests; the one without target words is reported, not fatal",
    .enabled(if: TestData.sharedIsAvailable))
  func weatAll() throws {
    let r = try CLI.run([
      "embeddings", "weat", "--embeddings", Self.bin, "--tests", Self.shared + "weat.json",
      "--format", "json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let tests = try json(r.stdout)["tests"] as! [[String: Any]]
    #expect(tests.count == 10)
    #expect(close(tests[0]["statistic"] as! Double, 0.0455986820, 1e-6))
    #expect(close(tests[0]["effect_size"] as! Double, 1.24610019, 1e-6))
    #expect(tests[0]["p_value"] as! Double == 1.0 / 6.0)
    let words = tests[0]["words"] as! [String: [String: Any]]
    #expect(words["second_target"]!["used"] as! [String] == ["ant", "flea"])
    #expect((words["second_target"]!["dropped_to_equal_size"] as! [String]).count == 6)
    #expect(tests[9]["statistic"] is NSNull)
    #expect((tests[9]["error"] as! String).contains("Tiffany"))
  }

  @Test(
    "weat --test 9 alone is an error: exit 2 listing the missing words",
    .enabled(if: TestData.sharedIsAvailable))
  func weatSingleEmpty() throws {
    let r = try CLI.run([
      "embeddings", "weat", "--embeddings", Self.bin, "--tests", Self.shared + "weat.json",
      "--test", "9",
    ])
    #expect(r.status == 2)
    #expect(r.stderr.hasPrefix("biaskit: error: "))
    #expect(r.stderr.contains("'Tiffany'"))
  }

  @Test("direct-bias prints the direct_bias key", .enabled(if: TestData.sharedIsAvailable))
  func directBias() throws {
    let r = try CLI.run([
      "embeddings", "direct-bias", "--embeddings", Self.bin, "--word-lists",
      Self.shared + "bolukbasi.json", "--format", "json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(close(try json(r.stdout)["direct_bias"] as! Double, 0.0730790533, 1e-6))
  }

  @Test(
    "debias writes a word2vec binary whose neutral words have no projection",
    .enabled(if: TestData.sharedIsAvailable))
  func debias() throws {
    let folder = try TestData.temporaryFolder()
    let out = folder.appendingPathComponent("debiased.bin").path
    let r = try CLI.run([
      "embeddings", "debias", "--method", "hard", "--embeddings", Self.bin, "--word-lists",
      Self.shared + "bolukbasi.json", "--output", out,
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let debiased = try WordEmbedding(contentsOf: out)
    #expect(debiased.count == 26_423)
    #expect(abs(SharedEmbedding.direction.projection(of: "nurse", in: debiased)!) < 1e-6)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["debiased.bin"])
  }

  @Test("analogies, association and wefe run", .enabled(if: TestData.sharedIsAvailable))
  func otherCommands() throws {
    let a = try CLI.run([
      "embeddings", "association", "--embeddings", Self.bin, "--word-lists",
      Self.shared + "bolukbasi.json",
      "--facts", Self.shared + "occupational_female_precentage.json", "--format", "json",
    ])
    #expect(a.status == 0, "\(a.stderr)")
    #expect(close(try json(a.stdout)["pearson_r"] as! Double, 0.7070401535, 1e-6))
    let w = try CLI.run([
      "embeddings", "wefe", "--embeddings", Self.bin, "--tests", Self.shared + "weat.json",
      "--test", "1",
      "--lost-vocabulary-threshold", "1", "--format", "json",
    ])
    #expect(w.status == 0, "\(w.stderr)")
    let test = (try json(w.stdout)["tests"] as! [[String: Any]])[0]
    #expect(close(test["mac"] as! Double, 0.9237949461, 1e-6))
    let g = try CLI.run([
      "embeddings", "analogies", "--embeddings", Self.bin, "--restrict-vocab", "3000", "--count",
      "3", "--format", "json",
    ])
    #expect(g.status == 0, "\(g.stderr)")
    let first = (try json(g.stdout)["analogies"] as! [[String: Any]])[0]
    #expect(first["she"] as? String == "she" && first["he"] as? String == "he")
  }

  // MARK: Bad input: exit 2, one line, no output file.

  func expectFailure(
    _ arguments: [String], contains fragments: [String],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws {
    let r = try CLI.run(arguments)
    #expect(r.status == 2, "\(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr.hasPrefix("biaskit: error: "), sourceLocation: sourceLocation)
    for fragment in fragments {
      #expect(r.stderr.contains(fragment), "\(r.stderr)", sourceLocation: sourceLocation)
    }
    #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
  }

  static let fixtures = "Tests/BiasKitTests/Fixtures/Embeddings/"

  @Test("a truncated binary: exit 2 naming the byte offset, and no output file")
  func truncated() throws {
    let folder = try TestData.temporaryFolder()
    let out = folder.appendingPathComponent("out.bin").path
    try expectFailure(
      [
        "embeddings", "debias", "--embeddings", Self.fixtures + "truncated.bin", "--word-lists",
        Self.fixtures + "tiny_lists.json", "--output", out,
      ],
      contains: ["truncated.bin", "byte offset 96"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
  }

  @Test("a malformed text line: exit 2 naming the line")
  func malformed() throws {
    try expectFailure(
      [
        "embeddings", "weat", "--embeddings", Self.fixtures + "malformed.txt", "--tests",
        Self.fixtures + "tiny_weat.json",
      ],
      contains: ["malformed.txt:3:"])
  }

  @Test("a dimension mismatch: exit 2 naming the line")
  func dimensionMismatch() throws {
    try expectFailure(
      [
        "embeddings", "weat", "--embeddings", Self.fixtures + "dimension_mismatch.txt", "--tests",
        Self.fixtures + "tiny_weat.json",
      ],
      contains: ["dimension_mismatch.txt:4:", "dimension mismatch"])
  }

  @Test("too few words in the vocabulary: exit 2 listing the missing words")
  func missingWords() throws {
    try expectFailure(
      [
        "embeddings", "weat", "--embeddings", Self.fixtures + "tiny.txt", "--tests",
        Self.fixtures + "tiny_weat.json", "--test", "1",
      ],
      contains: ["'Absent'", "'zebra'", "'yak'"])
  }

  @Test("empty defining sets: exit 2, and no output file")
  func emptyDefiningSets() throws {
    let folder = try TestData.temporaryFolder()
    let out = folder.appendingPathComponent("out.bin").path
    try expectFailure(
      [
        "embeddings", "multiclass", "--embeddings", Self.fixtures + "tiny.txt", "--defining-sets",
        Self.fixtures + "empty_defining_sets.json",
        "--output", out,
      ], contains: ["defining sets"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
  }

  @Test("small embeddings: weat on the tiny text file, debias round trip in every format")
  func tinyFiles() throws {
    let r = try CLI.run([
      "embeddings", "weat", "--embeddings", Self.fixtures + "tiny.bin", "--tests",
      Self.fixtures + "tiny_weat.json", "--test", "0",
      "--permutations", "exact", "--format", "json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let folder = try TestData.temporaryFolder()
    for format in ["word2vec-binary", "word2vec-text", "glove"] {
      let out = folder.appendingPathComponent("d-\(format)").path
      let d = try CLI.run([
        "embeddings", "debias", "--embeddings", Self.fixtures + "tiny.txt", "--word-lists",
        Self.fixtures + "tiny_lists.json",
        "--output", out, "--output-format", format,
      ])
      #expect(d.status == 0, "\(d.stderr)")
      let back = try WordEmbedding(contentsOf: out)
      #expect(back.count == 6)
    }
  }

  @Test("bad options: exit 2")
  func badOptions() throws {
    try expectFailure(
      [
        "embeddings", "weat", "--embeddings", Self.fixtures + "tiny.txt", "--tests",
        Self.fixtures + "tiny_weat.json", "--permutations", "lots",
      ],
      contains: ["--permutations"])
    try expectFailure(
      [
        "embeddings", "weat", "--embeddings", Self.fixtures + "tiny.txt", "--tests",
        Self.fixtures + "tiny_weat.json", "--test", "7",
      ],
      contains: ["--test 7"])
  }
}
