// Stress tests of the streaming word2vec loader: streamed, in-memory and a naive parser agree bit for bit.
import Foundation
import Testing

@testable import BiasKit

@Suite("Embeddings.StreamingLoader")
struct WordEmbeddingStreamingTests {
  /// An independent, naive parser: the reference.
  func naive(_ d: [UInt8], limit: Int? = nil) -> (words: [String], vectors: [Float]) {
    var p = d.firstIndex(of: 10)! + 1
    let header = String(decoding: d[0..<(p - 1)], as: UTF8.self).split(separator: " ")
    let n = min(Int(header[0])!, limit ?? Int.max), dim = Int(header[1])!
    var words: [String] = [], vectors: [Float] = []
    for _ in 0..<n {
      while d[p] == 10 { p += 1 }
      let s = p
      while d[p] != 32 { p += 1 }
      words.append(String(decoding: d[s..<p], as: UTF8.self))
      p += 1
      for j in 0..<dim {
        let b =
          UInt32(d[p + 4 * j]) | UInt32(d[p + 4 * j + 1]) << 8 | UInt32(d[p + 4 * j + 2]) << 16
          | UInt32(d[p + 4 * j + 3]) << 24
        vectors.append(Float(bitPattern: b))
      }
      p += 4 * dim
    }
    return (words, vectors)
  }

  func file(
    _ words: [[UInt8]], dim: Int, newline: Bool, count: Int? = nil, seed: UInt64 = 1,
    value: ((Int, Int) -> Float)? = nil
  ) -> [UInt8] {
    var rng = SeededGenerator(seed: seed)
    var d = Array("\(count ?? words.count) \(dim)\n".utf8)
    for (i, w) in words.enumerated() {
      d += w; d.append(32)
      for j in 0..<dim {
        let v = value?(i, j) ?? Float(Double.random(in: -1...1, using: &rng))
        withUnsafeBytes(of: v.bitPattern.littleEndian) { d += $0 }
      }
      if newline { d.append(10) }
    }
    return d
  }

  func write(_ d: [UInt8], _ name: String) throws -> String {
    let path = try TestData.temporaryFolder().appendingPathComponent(name).path
    try Data(d).write(to: URL(fileURLWithPath: path))
    return path
  }

  func check(_ d: [UInt8], limit: Int? = nil, _ note: String) throws {
    let path = try write(d, "x.bin")
    let streamed = try WordEmbedding(contentsOf: path, options: .init(limit: limit))
    let parsed = try d.withUnsafeBufferPointer {
      try WordEmbedding(parsing: $0, path: path, options: .init(limit: limit))
    }
    let ref = naive(d, limit: limit)
    #expect(streamed.words == ref.words, "\(note)")
    #expect(streamed.vectors.map(\.bitPattern) == ref.vectors.map(\.bitPattern), "\(note)")
    #expect(parsed.words == ref.words, "\(note)")
    #expect(parsed.vectors.map(\.bitPattern) == ref.vectors.map(\.bitPattern), "\(note)")
    // first wins lookups
    var first: [String: Int] = [:]
    for (i, w) in ref.words.enumerated() where first[w] == nil { first[w] = i }
    for (w, i) in first {
      #expect(streamed.index(of: w) == i, "\(note) \(w)")
      #expect(parsed.index(of: w) == i, "\(note) \(w)")
    }
    #expect(streamed.index(of: "definitely-not-there") == nil)
  }

  @Test func manyRowsAcrossChunks() throws {
    // ~3 MB with dim 300 and varying word lengths, with and without newlines
    var words: [[UInt8]] = []
    for i in 0..<2600 { words.append(Array("w\(i)_\(String(repeating: "x", count: i % 37))".utf8)) }
    words[100] = Array("Über".utf8); words[101] = Array("Über".utf8)  // duplicate non-ASCII
    words[200] = Array("w5_xxxxx".utf8)  // duplicate of row 5
    words[300] = [0xFF, 0x41]  // invalid UTF-8
    words[301] = [0xFE, 0x41]  // another invalid, decodes to the same String
    words[400] = Array("é".utf8)  // NFC
    words[401] = Array("e\u{301}".utf8)  // NFD: distinct bytes
    for nl in [false, true] {
      try check(file(words, dim: 300, newline: nl), "nl=\(nl)")
      try check(file(words, dim: 300, newline: nl), limit: 1234, "limit nl=\(nl)")
      try check(file(words, dim: 7, newline: nl), "dim7 nl=\(nl)")
    }
    let path = try write(file(words, dim: 3, newline: false), "y.bin")
    let e = try WordEmbedding(contentsOf: path)
    #expect(e.index(of: "\u{FFFD}A") == 300)
    #expect(e.index(of: "é") == 400)
    #expect(e.index(of: "e\u{301}") == 401)
    let lower = try WordEmbedding(contentsOf: path, options: .init(lowercase: true))
    #expect(lower.index(of: "über") == 100)
  }

  @Test func bigFilesWithLongWordsAndNewlines() throws {
    var words: [[UInt8]] = []
    for i in 0..<9000 {
      words.append(Array("w\(i)_\(String(repeating: "y", count: (i * 7919) % 3000))".utf8))
    }
    try check(file(words, dim: 300, newline: true), "big nl")
    try check(file(words, dim: 300, newline: false), limit: 8000, "big limit")
    words[8000] = [UInt8](repeating: 0x62, count: 200_000)  // longer than the carry room
    try check(file(words, dim: 300, newline: false), "big long")
  }

  @Test func hugeWordGrowsBuffer() throws {
    let long = [UInt8](repeating: 0x61, count: 3_000_000)
    let words: [[UInt8]] = [Array("a".utf8), long, Array("b".utf8), long]
    try check(file(words, dim: 5, newline: true), "long")
    let e = try WordEmbedding(contentsOf: try write(file(words, dim: 5, newline: false), "l.bin"))
    #expect(e.index(of: String(repeating: "a", count: 3_000_000)) == 1)
  }

  @Test func truncationsMatchInMemoryParser() throws {
    var words: [[UInt8]] = []
    for i in 0..<5000 { words.append(Array("word\(i)".utf8)) }
    let d = file(words, dim: 300, newline: false)
    for cut in [
      20, 1199, 4_194_304, 4_194_305, 4_500_000, 5_242_880, 5_242_881, 5_243_000, 1_048_570,
      1_048_576, 1_048_577, 1_048_590, 2_097_160, d.count - 1, d.count - 1200, d.count - 1201,
    ] {
      let t = Array(d[0..<cut])
      let path = try write(t, "t.bin")
      let e1 = try #require(throws: BiasKitError.self) { try WordEmbedding(contentsOf: path) }
      let e2 = try #require(throws: BiasKitError.self) {
        try t.withUnsafeBufferPointer { try WordEmbedding(parsing: $0, path: path) }
      }
      #expect(e1 == e2, "cut \(cut)")
      if cut > 20 { #expect(e1.message.contains("truncated"), "\(e1.message)") }
    }
  }

  @Test func lyingHeadersAndEdgeCases() throws {
    let words: [[UInt8]] = [Array("a".utf8), Array("b".utf8)]
    // header claims 10^12 rows
    let big = file(words, dim: 4, newline: false, count: 1_000_000_000_000)
    let e1 = try #require(throws: BiasKitError.self) {
      try WordEmbedding(contentsOf: try write(big, "b.bin"))
    }
    #expect(e1.message.contains("expected word 3 of 1000000000000"), "\(e1.message)")
    // header dimension huge
    var d = Array("2 4611686018427387904\n".utf8) + [0x61, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    let e2 = try #require(throws: BiasKitError.self) {
      try WordEmbedding(contentsOf: try write(d, "c.bin"), options: .init(format: .word2vecBinary))
    }
    #expect(e2.code == .malformedInput, "\(e2.message)")
    d = Array("2 1000000000000\n".utf8) + [0x61, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    let e3 = try #require(throws: BiasKitError.self) {
      try WordEmbedding(contentsOf: try write(d, "c2.bin"), options: .init(format: .word2vecBinary))
    }
    #expect(e3.message.contains("needs 4000000000000 bytes"), "\(e3.message)")
    // zero rows
    let zero = try WordEmbedding(
      contentsOf: try write(Array("0 5\n".utf8), "z.bin"), options: .init(format: .word2vecBinary))
    #expect(zero.count == 0 && zero.dimension == 5)
    // empty file
    let e4 = try #require(throws: BiasKitError.self) {
      try WordEmbedding(contentsOf: try write([], "e.bin"))
    }
    #expect(e4.message.contains("holds no word vectors"), "\(e4.message)")
    // non-finite
    let nan = file(
      words + [Array("c".utf8)], dim: 40, newline: false,
      value: { i, j in i == 2 && j == 33 ? .nan : 1 })
    let e5 = try #require(throws: BiasKitError.self) {
      try WordEmbedding(contentsOf: try write(nan, "n.bin"))
    }
    #expect(
      e5.message.contains("the vector of 'c' has a non-finite value at position 34"),
      "\(e5.message)")
    for (row, col, v) in [(0, 5, Float.infinity), (1, 39, -Float.infinity), (2, 16, Float.nan)] {
      let bad = file(
        words + [Array("c".utf8)], dim: 40, newline: false,
        value: { i, j in i == row && j == col ? v : 1 })
      let e = try #require(throws: BiasKitError.self) {
        try WordEmbedding(contentsOf: try write(bad, "n2.bin"))
      }
      #expect(e.message.contains("has a non-finite value at position \(col + 1)"), "\(e.message)")
    }
    // empty word
    let ew = Array("1 2\n".utf8) + [32] + [UInt8](repeating: 0, count: 8)
    let e6 = try #require(throws: BiasKitError.self) {
      try WordEmbedding(contentsOf: try write(ew, "w.bin"), options: .init(format: .word2vecBinary))
    }
    #expect(e6.message.contains("byte offset 4: word 1 is empty"), "\(e6.message)")
    // folder
    let e7 = try #require(throws: BiasKitError.self) {
      try WordEmbedding(contentsOf: try TestData.temporaryFolder().path)
    }
    #expect(e7.code == .io, "\(e7.message)")
    // public init(words:) lookups, duplicates
    let m = try WordEmbedding(words: ["x", "y", "x", ""], dimension: 1, vectors: [1, 2, 3, 4])
    #expect(
      m.index(of: "x") == 0 && m.index(of: "y") == 1 && m.index(of: "") == 3
        && m.index(of: "z") == nil)
  }

  @Test(.enabled(if: TestData.sharedIsAvailable)) func sharedFileMatchesNaive() throws {
    let path = SharedEmbedding.path
    let d = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    try check(d, "shared")
  }
}
