import Foundation
import Testing

@testable import BiasKit

@Suite("Compression")
struct CompressionTests {
  /// `BiasKit reads Parquet. ` × 20, then the bytes 0…255, compressed by pyarrow 26's codecs
  /// (`pyarrow.Codec(name).compress`).
  static let plain: [UInt8] =
    Array(String(repeating: "BiasKit reads Parquet. ", count: 20).utf8)
    + (0...255).map { UInt8($0) }
  static let vectors: [(CompressionCodec, String)] = [
    (
      .snappy,
      "cc0558426961734b697420726561647320506172717565742e20fe1700fe1700fe1700fe1700fe1700fe1700"
        + "d21700f0ff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223242526"
        + "2728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152"
        + "535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e"
        + "7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aa"
        + "abacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6"
        + "d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
    ),
    (
      .gzip,
      "1f8b080000000000020373ca4c2cf6ce2c51284a4d4c295608482c2a2c4d2dd153701a151e7ac20c8c4ccc2c"
        + "ac6cec1c9c5cdc3cbc7cfc028242c222a262e2129252d232b272f20a8a4aca2aaa6aea1a9a5ada3aba7afa06"
        + "8646c626a666e6169656d636b676f60e8e4ece2eae6eee1e9e5ede3ebe7efe018141c121a161e1119151d131"
        + "b171f1098949c929a969e9199959d939b979f9058545c525a565e5159555d535b575f50d8d4dcd2dad6ded1d"
        + "9d5ddd3dbd7dfd13264e9a3c65eab4e93366ce9a3d67eebcf90b162e5abc64e9b2e52b56ae5abd66edbaf51b"
        + "366edabc65ebb6ed3b76eedabd67efbefd070e1e3a7ce4e8b1e3274e9e3a7de6ecb9f3172e5eba7ce5eab5eb"
        + "376edeba7de7eebdfb0f1e3e7afce4e9b3e72f5ebe7afde6edbbf71f3e7efafce5ebb7ef3f7efefafde7efbf"
        + "ff006e327750cc020000",
    ),
    (
      .zstd,
      "28b52ffd60cc01fd08007411426961734b697420726561647320506172717565742e20000102030405060708"
        + "090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334"
        + "35363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60"
        + "6162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c"
        + "8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8"
        + "b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4"
        + "e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff010065559d4d",
    ),
    (
      .lz4Frame,
      "04224d186040821f010000ff08426961734b697420726561647320506172717565742e201700ffa3f0f10001"
        + "02030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d"
        + "2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f50515253545556575859"
        + "5a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485"
        + "868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1"
        + "b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
        + "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00000000",
    ),
    (
      .lz4Raw,
      "ff08426961734b697420726561647320506172717565742e201700ffa3f0f1000102030405060708090a0b0c"
        + "0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738"
        + "393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6061626364"
        + "65666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f90"
        + "9192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbc"
        + "bdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8"
        + "e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
    ),
  ]

  static func bytes(hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      out.append(UInt8(hex[index..<next], radix: 16)!)
      index = next
    }
    return out
  }

  static func decompress(_ codec: CompressionCodec, _ data: [UInt8], size: Int) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: size)
    try data.withUnsafeBytes { source in
      try out.withUnsafeMutableBytes { try codec.decompress(source, into: $0) }
    }
    return out
  }

  @Test func decompressesWhatPyarrowCompressed() throws {
    for (codec, hex) in Self.vectors {
      #expect(
        try Self.decompress(codec, Self.bytes(hex: hex), size: Self.plain.count) == Self.plain,
        "\(codec)")
      // A declared size that is one byte off is an error, never a short or overlong read.
      for size in [Self.plain.count - 1, Self.plain.count + 1] {
        #expect(throws: DecompressionFailure.self, "\(codec) \(size)") {
          try Self.decompress(codec, Self.bytes(hex: hex), size: size)
        }
      }
    }
  }

  @Test("Snappy compression round-trips", arguments: [0, 1, 15, 16, 100, 70_000, 300_000])
  func snappyRoundTrip(count: Int) throws {
    var generator = SeededGenerator(seed: UInt64(count))
    // Half repetitive text, half random bytes.
    let data: [UInt8] = (0..<count).map { i in
      i % 1000 < 500
        ? UInt8(ascii: "a") + UInt8(i % 7) : UInt8.random(in: 0...255, using: &generator)
    }
    let compressed = data.withUnsafeBytes { Snappy.compress($0) }
    #expect(compressed.count <= Snappy.maximumCompressedLength(count))
    if count > 1000 { #expect(compressed.count < count * 3 / 4) }
    #expect(try Self.decompress(.snappy, compressed, size: count) == data)
  }

  @Test func corruptSnappyAndLZ4AreErrors() throws {
    // A copy reaching before the output's start; a literal longer than the data.
    for bad: [UInt8] in [[4, 0x01, 0x05], [8, 0x1C, 0x41], [0x80], [3, 0xF0]] {
      #expect(throws: DecompressionFailure.self) {
        try Self.decompress(.snappy, bad, size: Int(bad[0]))
      }
    }
    for bad: [UInt8] in [[0x10], [0x0F, 0x01, 0x00], [0x00, 0x10, 0x00]] {
      #expect(throws: DecompressionFailure.self) { try Self.decompress(.lz4Raw, bad, size: 20) }
    }
    #expect(throws: DecompressionFailure.self) {
      try Self.decompress(.gzip, [0x1f, 0x8b, 0x08], size: 4)
    }
    #expect(throws: DecompressionFailure.self) {
      try Self.decompress(.zstd, [0x28, 0xb5, 0x2f], size: 4)
    }
    #expect(throws: DecompressionFailure.self) {
      try Self.decompress(.lz4Frame, [4, 0x22, 0x4d, 0x19], size: 4)
    }
  }
}
