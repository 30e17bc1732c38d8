import Foundation

/// Maps byte strings to dense integer codes (0, 1, 2, … in order of first insertion).
///
/// The categorical columns of a CSV file have few distinct values and many rows; the reader
/// interns each field's bytes without building a `String`. A one-entry cache catches runs of the
/// same value; otherwise an open-addressing table over an append-only byte arena is probed.
/// (swift-collections has no byte-keyed table that avoids allocating a key per lookup.)
///
/// - Complexity: O(length) expected per lookup.
struct ByteInterner {
  private var arena: [UInt8] = []
  private var starts: [Int] = []
  private var lengths: [Int] = []
  private var hashes: [UInt64] = []
  private var slots: [Int32]
  private var mask: Int
  private var lastCode: Int32 = -1
  /// Values of at most 8 bytes packed into an integer (with their lengths), for the common case
  /// of few short values (labels, group names): found by a linear scan of integers.
  private var shortKeys: [UInt64] = []
  private var shortLengths: [Int] = []

  init() {
    slots = Array(repeating: -1, count: 64)
    mask = 63
  }

  /// Number of distinct values.
  var count: Int { starts.count }

  /// The bytes of value `code`.
  func bytes(of code: Int32) -> ArraySlice<UInt8> {
    arena[starts[Int(code)]..<(starts[Int(code)] + lengths[Int(code)])]
  }

  /// The value `code` as a String: its UTF-8 text, with each byte that is not part of valid
  /// UTF-8 written as `\xFF` (so that `\xFF` and `\xFE` stay two names, where decoding would
  /// make both "�").
  func string(of code: Int32) -> String { ByteInterner.text(of: bytes(of: code)) }

  /// `bytes` as text, invalid UTF-8 bytes escaped as `\xHH`.
  static func text<C: Collection>(of bytes: C) -> String where C.Element == UInt8 {
    let decoded = String(decoding: bytes, as: UTF8.self)
    guard decoded.unicodeScalars.contains("\u{FFFD}") else { return decoded }
    let b = Array(bytes)
    var result = ""
    var i = 0
    while i < b.count {
      if let (scalar, length) = scalar(in: b, at: i) {
        result.unicodeScalars.append(scalar)
        i += length
      } else {
        result += "\\x" + String(b[i], radix: 16, uppercase: true).leftPadded(to: 2)
        i += 1
      }
    }
    return result
  }

  /// The well-formed UTF-8 sequence at `i` (RFC 3629: no overlong forms, no surrogates, at most
  /// U+10FFFF) and its length, or nil.
  private static func scalar(in b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
    let lead = b[i]
    let length: Int
    var value: UInt32
    switch lead {
    case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
    case 0xC2...0xDF: (length, value) = (2, UInt32(lead & 0x1F))
    case 0xE0...0xEF: (length, value) = (3, UInt32(lead & 0x0F))
    case 0xF0...0xF4: (length, value) = (4, UInt32(lead & 0x07))
    default: return nil
    }
    guard i + length <= b.count else { return nil }
    for k in 1..<length {
      guard b[i + k] & 0xC0 == 0x80 else { return nil }
      value = value << 6 | UInt32(b[i + k] & 0x3F)
    }
    let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
    guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
    return (scalar, length)
  }

  /// All values as strings, in code order.
  var strings: [String] { (0..<Int32(count)).map { string(of: $0) } }

  /// Byte equality; short values (the usual group names) without a call to memcmp.
  @inline(__always)
  static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    if n > 16 { return memcmp(a, b, n) == 0 }
    for i in 0..<n where a[i] != b[i] { return false }
    return true
  }

  @inline(__always)
  private static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for i in 0..<n { h = (h ^ UInt64(p[i])) &* 0x0000_0100_0000_01b3 }
    return h ^ (h >> 29)
  }

  @inline(__always)
  private func equals(_ code: Int32, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    let c = Int(code)
    guard lengths[c] == n else { return false }
    if n == 0 { return true }
    return arena.withUnsafeBufferPointer { a in ByteInterner.same(a.baseAddress! + starts[c], p, n)
    }
  }

  /// The code of the bytes `p[0..<n]`, inserting them if new. `inserted` tells which.
  @inline(__always)
  mutating func code(_ p: UnsafePointer<UInt8>, _ n: Int, inserted: inout Bool) -> Int32 {
    inserted = false
    // Few distinct short values (labels, most sensitive features): compare packed integers.
    if n <= 8, shortKeys.count == starts.count, starts.count <= 16 {
      var key: UInt64 = 0
      for i in 0..<n { key |= UInt64(p[i]) << (8 * UInt64(i)) }
      let found: Int = shortKeys.withUnsafeBufferPointer { keys in
        shortLengths.withUnsafeBufferPointer { lengths in
          for c in 0..<keys.count where keys[c] == key && lengths[c] == n { return c }
          return -1
        }
      }
      if found >= 0 { return Int32(found) }
    } else if lastCode >= 0, equals(lastCode, p, n) {
      return lastCode
    }
    let h = ByteInterner.hash(p, n)
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let code = slots[slot]
      if code < 0 { break }
      if hashes[Int(code)] == h, equals(code, p, n) {
        lastCode = code
        return code
      }
      slot = (slot + 1) & mask
    }
    let code = Int32(starts.count)
    starts.append(arena.count)
    lengths.append(n)
    hashes.append(h)
    arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
    slots[slot] = code
    if n <= 8, shortKeys.count == starts.count - 1 {
      var key: UInt64 = 0
      for i in 0..<n { key |= UInt64(p[i]) << (8 * UInt64(i)) }
      shortKeys.append(key)
      shortLengths.append(n)
    }
    inserted = true
    lastCode = code
    if starts.count * 2 > mask { grow() }
    return code
  }

  /// The code of `bytes`, inserting them if new.
  mutating func code(_ bytes: [UInt8]) -> Int32 {
    var inserted = false
    return bytes.withUnsafeBufferPointer { b in
      code(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, b.count, inserted: &inserted)
    }
  }

  private mutating func grow() {
    let capacity = (mask + 1) * 2
    slots = Array(repeating: -1, count: capacity)
    mask = capacity - 1
    for code in 0..<starts.count {
      var slot = Int(truncatingIfNeeded: hashes[code]) & mask
      while slots[slot] >= 0 { slot = (slot + 1) & mask }
      slots[slot] = Int32(code)
    }
  }
}

extension String {
  /// The string with leading zeros up to `width` characters.
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
