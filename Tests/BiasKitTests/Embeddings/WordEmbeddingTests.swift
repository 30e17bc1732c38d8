import Foundation
import Testing

@testable import BiasKit

@Suite("Embeddings: loading and writing")
struct WordEmbeddingTests {
  // Its speed is measured by `biaskit-bench embeddings-load` (BENCHMARKS.md), not here: a
  // time limit in a unit test fails on a loaded machine or in a debug build.
  @Test(
    "the shared word2vec binary loads and matches gensim",
    .enabled(if: TestData.sharedIsAvailable))
  func loadsSharedBinary() throws {
    let e = try WordEmbedding(contentsOf: SharedEmbedding.path)
    #expect(e.count == 26_423)
    #expect(e.dimension == 300)
    #expect(
      Array(e.words.prefix(10)) == [
        "in", "for", "that", "is", "on", "with", "said", "was", "the", "at",
      ])
    // gensim's float32 values, exactly.
    let he = try #require(e.vector("he"))
    let expected: [Float] = [
      0.10925699770450592, 0.07265309989452362, -0.010884099639952183, -0.016638100147247314,
      0.017608700320124626,
    ]
    #expect(he.prefix(5).map { Float($0) } == expected)
    #expect(close(VectorMath.norm(he), 0.9999997615814209, 1e-7))
  }

  @Test("text, GloVe and binary forms of the same vectors load identically")
  func formatsAgree() throws {
    let text = try WordEmbedding(contentsOf: TestData.fixture("Embeddings/tiny.txt").path)
    let glove = try WordEmbedding(contentsOf: TestData.fixture("Embeddings/tiny.glove.txt").path)
    let binary = try WordEmbedding(contentsOf: TestData.fixture("Embeddings/tiny.bin").path)
    #expect(text.words == ["the", "she", "he", "nurse", "engineer", "Über"])
    #expect(text.dimension == 3)
    for e in [glove, binary] {
      #expect(e.words == text.words)
      #expect(e.vectors == text.vectors)
    }
    #expect(text.vector("she") == [1.0, -0.5, 0.0])
  }

  @Test("format detection")
  func detection() throws {
    for (file, format) in [
      ("tiny.txt", EmbeddingFormat.word2vecText), ("tiny.glove.txt", .gloveText),
      ("tiny.bin", .word2vecBinary),
    ] {
      let data = try Data(contentsOf: TestData.fixture("Embeddings/\(file)"))
      let detected = data.withUnsafeBytes { EmbeddingFormat.detect($0.bindMemory(to: UInt8.self)) }
      #expect(detected == format, "\(file)")
    }
  }

  @Test("limit keeps the first words; lowercase folds case")
  func limitAndLowercase() throws {
    let path = TestData.fixture("Embeddings/tiny.bin").path
    let limited = try WordEmbedding(contentsOf: path, options: .init(limit: 2))
    #expect(limited.words == ["the", "she"])
    let lower = try WordEmbedding(contentsOf: path, options: .init(lowercase: true))
    #expect(lower.contains("über"))
    #expect(!lower.contains("Über"))
  }

  @Test("binary and text writing round-trip exactly")
  func roundTrip() throws {
    let e = try WordEmbedding(contentsOf: TestData.fixture("Embeddings/tiny.txt").path)
    let folder = try TestData.temporaryFolder()
    for format in EmbeddingFormat.allCases {
      let out = folder.appendingPathComponent("out-\(format.rawValue)").path
      try e.write(to: out, format: format)
      let back = try WordEmbedding(contentsOf: out, options: .init(format: format))
      #expect(back.words == e.words)
      #expect(back.vectors == e.vectors)
    }
  }

  @Test("a truncated binary file is an error naming the byte offset")
  func truncatedBinary() throws {
    let path = TestData.fixture("Embeddings/truncated.bin").path
    let error = try #require(throws: BiasKitError.self) { try WordEmbedding(contentsOf: path) }
    #expect(error.code == .malformedInput)
    #expect(error.message.contains("truncated"))
    #expect(error.message.contains("byte offset 96"))
    #expect(error.message.contains("'Über'"))
  }

  @Test("a malformed text line is an error naming the line")
  func malformedText() throws {
    let path = TestData.fixture("Embeddings/malformed.txt").path
    let error = try #require(throws: BiasKitError.self) { try WordEmbedding(contentsOf: path) }
    #expect(error.message.contains("malformed.txt:3:"))
    #expect(error.message.contains("'zero'"))
  }

  @Test("a row of the wrong length is a dimension mismatch naming the line")
  func dimensionMismatch() throws {
    let path = TestData.fixture("Embeddings/dimension_mismatch.txt").path
    let error = try #require(throws: BiasKitError.self) { try WordEmbedding(contentsOf: path) }
    #expect(error.message.contains("dimension_mismatch.txt:4:"))
    #expect(error.message.contains("dimension mismatch: expected 3 values after the word, found 2"))
  }

  @Test("a missing file is an I/O error")
  func missingFile() throws {
    let error = try #require(throws: BiasKitError.self) {
      try WordEmbedding(contentsOf: "/nonexistent/x.bin")
    }
    #expect(error.code == .io)
  }

  @Test("CPython's random.sample is reproduced (seed 42 and 7)")
  func pythonSample() {
    var r = PythonRandom(seed: 42)
    #expect(r.sample(Array(0..<10), 3) == [1, 0, 4])
    r = PythonRandom(seed: 42)
    #expect(r.sample(Array(0..<100), 7) == [81, 14, 3, 94, 35, 31, 28])
    r = PythonRandom(seed: 7)
    #expect(r.sample(["a", "b", "c", "d", "e", "f"], 4) == ["c", "b", "d", "f"])
  }

  @Test("numpy's legacy RandomState(42) draws and shuffle are reproduced")
  func numpyLegacy() {
    var r = PythonRandom(numpyLegacySeed: 42)
    #expect(
      (0..<5).map { _ in r.nextUInt32() } == [
        1_608_637_542, 3_421_126_067, 4_083_286_876, 787_846_414, 3_143_890_026,
      ])
    r = PythonRandom(numpyLegacySeed: 42)
    var values = Array(0..<10)
    r.numpyShuffle(&values)
    #expect(values == [8, 1, 5, 0, 7, 2, 9, 4, 3, 6])
  }

  @Test("Python str.title() forms")
  func titleForms() {
    #expect(CaseForms.title("ex_girlfriend") == "Ex_Girlfriend")
    #expect(CaseForms.title("mcDONALD") == "Mcdonald")
    #expect(CaseForms.title("3d_x") == "3D_X")
  }
}
