import Foundation

/// Parses decimal numbers straight from bytes.
///
/// Fast path (Clinger): at most 19 significant digits whose value is below 2⁵³ and a decimal
/// exponent within ±22 give an exactly-rounded result from one multiplication or division of two
/// exact doubles. Anything else (more digits, large exponents) falls back to `strtod`, which is
/// correctly rounded. Either way the result equals what Python's `float()` and pandas give.
/// `nan`, `inf` and `infinity` (any case, optional sign) parse to NaN and ±∞ so that callers can
/// report them by name.
enum NumberParsing {
  private static let powersOfTen: [Double] = (0...22).map { pow(10.0, Double($0)) }

  /// The number in `p[0..<n]` (surrounding ASCII spaces allowed), or nil if it is not one.
  static func parseDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
    // Fast path: [-]digits[.digits], at most 19 digits, nothing else.
    if n > 0 && n <= 20 {
      var i = 0
      let negative = p[0] == UInt8(ascii: "-")
      if negative { i = 1 }
      var mantissa: UInt64 = 0
      var digits = 0
      var fraction = -1
      while i < n {
        let d = p[i] &- 0x30
        if d < 10 {
          mantissa = mantissa &* 10 &+ UInt64(d)
          digits += 1
        } else if p[i] == UInt8(ascii: "."), fraction < 0 {
          fraction = 0
          i += 1
          continue
        } else {
          break
        }
        if fraction >= 0 { fraction += 1 }
        i += 1
      }
      if i == n, digits > 0, digits <= 19, mantissa < (1 << 53), fraction <= 22 {
        var value = Double(mantissa)
        if fraction > 0 { value /= exactPowerOfTen(fraction) }
        return negative ? -value : value
      }
    }
    return parseGeneral(p, n)
  }

  /// 10^k for 0 ≤ k ≤ 22 (all exact doubles).
  @inline(__always)
  private static func exactPowerOfTen(_ k: Int) -> Double {
    var result = 1.0
    var base = 10.0
    var e = k
    // Exact: every intermediate product is an exact power of ten below 10^22.
    while e > 0 {
      if e & 1 == 1 { result *= base }
      base *= base
      e >>= 1
    }
    return result
  }

  private static func parseGeneral(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
    var start = 0
    var end = n
    while start < end, p[start] == 0x20 { start += 1 }
    while end > start, p[end - 1] == 0x20 { end -= 1 }
    if start == end { return nil }
    var i = start
    var negative = false
    if p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
      negative = p[i] == UInt8(ascii: "-")
      i += 1
    }
    var mantissa: UInt64 = 0
    var digits = 0
    var significant = 0
    var exponent = 0
    var sawDigit = false
    while i < end, p[i] &- 0x30 < 10 {
      sawDigit = true
      let d = UInt64(p[i] &- 0x30)
      if significant > 0 || d != 0 {
        significant += 1
      }
      if significant <= 19 { mantissa = mantissa &* 10 &+ d } else { exponent += 1 }
      digits += 1
      i += 1
    }
    if i < end, p[i] == UInt8(ascii: ".") {
      i += 1
      while i < end, p[i] &- 0x30 < 10 {
        sawDigit = true
        let d = UInt64(p[i] &- 0x30)
        if significant > 0 || d != 0 { significant += 1 }
        if significant <= 19 {
          mantissa = mantissa &* 10 &+ d
          exponent -= 1
        }
        digits += 1
        i += 1
      }
    }
    if !sawDigit { return parseSpecial(p + start, end - start) }
    if i < end, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
      i += 1
      var expNegative = false
      if i < end, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
        expNegative = p[i] == UInt8(ascii: "-")
        i += 1
      }
      var e = 0
      var expDigits = 0
      while i < end, p[i] &- 0x30 < 10 {
        if e < 100_000 { e = e * 10 + Int(p[i] &- 0x30) }
        expDigits += 1
        i += 1
      }
      if expDigits == 0 { return nil }
      exponent += expNegative ? -e : e
    }
    if i != end { return nil }
    if significant <= 19, mantissa < (1 << 53), exponent >= -22, exponent <= 22 {
      var value = Double(mantissa)
      if exponent < 0 {
        value /= powersOfTen[-exponent]
      } else if exponent > 0 {
        value *= powersOfTen[exponent]
      }
      return negative ? -value : value
    }
    return slowParse(p + start, end - start)
  }

  private static func slowParse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buffer in
      for k in 0..<n { buffer[k] = CChar(bitPattern: p[k]) }
      buffer[n] = 0
      var endPointer: UnsafeMutablePointer<CChar>? = nil
      let value = strtod(buffer.baseAddress!, &endPointer)
      guard let endPointer, endPointer == buffer.baseAddress! + n else { return nil }
      return value
    }
  }

  private static func parseSpecial(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
    var text = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self).lowercased()
    var sign = 1.0
    if text.hasPrefix("-") || text.hasPrefix("+") {
      sign = text.hasPrefix("-") ? -1 : 1
      text.removeFirst()
    }
    switch text {
    case "nan": return .nan
    case "inf", "infinity": return sign * .infinity
    default: return nil
    }
  }
}
