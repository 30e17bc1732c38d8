import Foundation

/// How the stored values of a column of a columnar file (Parquet, Arrow) are to be understood,
/// whatever encoding brought them: the physical type with its logical annotation.
enum ColumnarValueKind: Sendable, Equatable {
  /// One byte per value, 0 or 1.
  case boolean
  /// Little-endian integers of `byteWidth` (1, 2, 4 or 8) bytes; with a `scale` > 0, the
  /// unscaled value of a decimal (value = integer / 10^scale).
  case integer(byteWidth: Int, signed: Bool, scale: Int)
  /// IEEE half, single and double precision.
  case float16
  case float32
  case float64
  /// A decimal as a two's-complement integer of the value's bytes (Parquet: big-endian,
  /// FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY; Arrow: little-endian, 16 or 32 bytes).
  case decimalBytes(scale: Int, bigEndian: Bool)
  /// Byte strings: UTF-8 text (or binary, read as UTF-8 with invalid bytes repaired).
  case text

  /// The width of one stored value for the fixed-width kinds.
  var fixedWidth: Int? {
    switch self {
    case .boolean: return 1
    case .integer(let w, _, _): return w
    case .float16: return 2
    case .float32: return 4
    case .float64: return 8
    case .decimalBytes, .text: return nil
    }
  }

  /// Whether values are byte strings (``ColumnarBytes``).
  var isBytes: Bool {
    switch self {
    case .decimalBytes, .text: return true
    default: return false
    }
  }
}

/// Byte-string values: value `i` is `base[start(i) ..< start(i) + length(i)]`.
struct ColumnarBytes {
  var base: UnsafeRawPointer
  /// Per-value starts and lengths, or nil for values of one fixed width laid end to end.
  var starts: UnsafePointer<Int>?
  var lengths: UnsafePointer<Int>?
  var fixedWidth: Int
  var count: Int

  @inline(__always)
  func value(_ i: Int) -> UnsafeRawBufferPointer {
    if let starts, let lengths {
      return UnsafeRawBufferPointer(start: base + starts[i], count: lengths[i])
    }
    return UnsafeRawBufferPointer(start: base + i * fixedWidth, count: fixedWidth)
  }
}

/// The non-null values of one page, dictionary or array, in their stored form.
enum ColumnarBatch {
  /// Fixed-width little-endian values, end to end (possibly unaligned).
  case fixed(UnsafeRawPointer, count: Int)
  /// Byte strings.
  case bytes(ColumnarBytes)
  /// Indices into the current dictionary.
  case indices(UnsafePointer<Int32>, count: Int)

  var count: Int {
    switch self {
    case .fixed(_, let count): return count
    case .bytes(let values): return values.count
    case .indices(_, let count): return count
    }
  }
}

/// Conversions of stored values to numbers and to the text a CSV file would hold.
enum ColumnarSpelling {
  /// The raw bits of fixed-width value `i` (zero-extended).
  @inline(__always)
  static func bits(_ base: UnsafeRawPointer, _ i: Int, width: Int) -> UInt64 {
    switch width {
    case 1: return UInt64(base.load(fromByteOffset: i, as: UInt8.self))
    case 2: return UInt64(base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)
    case 4: return UInt64(base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)
    default: return base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian
    }
  }

  /// Sign-extends the low `width` bytes of `bits`.
  @inline(__always)
  static func signed(_ bits: UInt64, width: Int) -> Int64 {
    let shift = UInt64(64 - 8 * width)
    return Int64(bitPattern: bits << shift) >> Int64(shift)
  }

  /// An IEEE half-precision value as a Float (exact).
  static func half(_ bits: UInt16) -> Float {
    let sign: UInt32 = UInt32(bits & 0x8000) << 16
    let exponent = Int((bits >> 10) & 0x1F)
    let mantissa = UInt32(bits & 0x3FF)
    if exponent == 0x1F {
      return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
    }
    if exponent == 0 {
      let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
      return sign != 0 ? -magnitude : magnitude
    }
    return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | (mantissa << 13))
  }

  /// The number a fixed-width key of `kind` stands for.
  static func number(bits: UInt64, kind: ColumnarValueKind) -> Double {
    switch kind {
    case .boolean: return bits == 0 ? 0 : 1
    case .integer(let w, let isSigned, let scale):
      if isSigned {
        let v = signed(bits, width: w)
        return scale == 0
          ? Double(v) : decimal(negative: v < 0, magnitude: v.magnitude, scale: scale)
      }
      return scale == 0 ? Double(bits) : decimal(negative: false, magnitude: bits, scale: scale)
    case .float16: return Double(half(UInt16(truncatingIfNeeded: bits)))
    case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
    case .float64: return Double(bitPattern: bits)
    case .decimalBytes, .text: return .nan
    }
  }

  /// The text of a fixed-width key, as pandas would write it to a CSV file: integers in
  /// decimal, decimals with their scale's digits, floats in the shortest round-trip form
  /// (`1.0`, `0.1`, `nan`), booleans `True`/`False`.
  static func text(bits: UInt64, kind: ColumnarValueKind) -> String {
    switch kind {
    case .boolean: return bits == 0 ? "False" : "True"
    case .integer(let w, let isSigned, let scale):
      if isSigned {
        let v = signed(bits, width: w)
        return decimalText(negative: v < 0, digits: String(v.magnitude), scale: scale)
      }
      return decimalText(negative: false, digits: String(bits), scale: scale)
    case .float16: return "\(half(UInt16(truncatingIfNeeded: bits)))"
    case .float32: return "\(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))"
    case .float64: return "\(Double(bitPattern: bits))"
    case .decimalBytes, .text: return ""
    }
  }

  /// `digits` (an unsigned integer's decimal digits) with a decimal point `scale` digits from
  /// the right, as Python's `str(Decimal)` writes it (`-0.05`, `12.50`).
  static func decimalText(negative: Bool, digits: String, scale: Int) -> String {
    var text = digits
    if scale > 0 {
      if text.count <= scale { text = String(repeating: "0", count: scale - text.count + 1) + text }
      text.insert(".", at: text.index(text.endIndex, offsetBy: -scale))
    }
    return negative ? "-" + text : text
  }

  private static let exactPowers: [Double] = (0...22).map { pow(10.0, Double($0)) }

  /// magnitude / 10^scale, correctly rounded (one exact division when both are exact doubles,
  /// else the decimal text through the correctly rounded parser).
  static func decimal(negative: Bool, magnitude: UInt64, scale: Int) -> Double {
    if magnitude < (1 << 53), scale <= 22 {
      let v = Double(magnitude) / exactPowers[scale]
      return negative ? -v : v
    }
    return parse(decimalText(negative: negative, digits: String(magnitude), scale: scale))
  }

  static func parse(_ text: String) -> Double {
    var text = text
    return text.withUTF8 { NumberParsing.parseDouble($0.baseAddress!, $0.count) } ?? .nan
  }

  /// A two's-complement integer in `bytes` as (negative, decimal digits of the magnitude).
  static func bigInteger(_ bytes: UnsafeRawBufferPointer, bigEndian: Bool) -> (Bool, String) {
    let n = bytes.count
    if n == 0 { return (false, "0") }
    // Most significant byte first.
    var magnitude = (0..<n).map { bigEndian ? bytes[$0] : bytes[n - 1 - $0] }
    let negative = magnitude[0] & 0x80 != 0
    if negative {
      // Two's complement: invert and add one.
      var carry: UInt16 = 1
      for k in stride(from: n - 1, through: 0, by: -1) {
        let v = UInt16(~magnitude[k]) + carry
        magnitude[k] = UInt8(truncatingIfNeeded: v)
        carry = v >> 8
      }
    }
    var digits: [UInt8] = []
    var start = magnitude.firstIndex { $0 != 0 } ?? n
    while start < n {
      var remainder: UInt16 = 0
      for k in start..<n {
        let v = remainder << 8 | UInt16(magnitude[k])
        magnitude[k] = UInt8(v / 10)
        remainder = v % 10
      }
      digits.append(UInt8(remainder) + 0x30)
      while start < n, magnitude[start] == 0 { start += 1 }
    }
    if digits.isEmpty { digits = [0x30] }
    return (negative, String(decoding: digits.reversed(), as: UTF8.self))
  }

  /// A byte-string decimal as a number.
  static func decimalNumber(_ bytes: UnsafeRawBufferPointer, scale: Int, bigEndian: Bool) -> Double
  {
    if bytes.count <= 8 {
      var bits: UInt64 = 0
      for k in 0..<bytes.count {
        let b = UInt64(bigEndian ? bytes[k] : bytes[bytes.count - 1 - k])
        bits = bits << 8 | b
      }
      let v = bytes.count == 0 ? 0 : signed(bits, width: bytes.count)
      return decimal(negative: v < 0, magnitude: v.magnitude, scale: scale)
    }
    let (negative, digits) = bigInteger(bytes, bigEndian: bigEndian)
    return parse(decimalText(negative: negative, digits: digits, scale: scale))
  }

  /// The text of a byte-string value of `kind`.
  static func text(bytes: UnsafeRawBufferPointer, kind: ColumnarValueKind) -> String {
    if case .decimalBytes(let scale, let bigEndian) = kind {
      let (negative, digits) = bigInteger(bytes, bigEndian: bigEndian)
      return decimalText(negative: negative, digits: digits, scale: scale)
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
