import Foundation

/// Reads and writes NumPy `.npy` files: the feature matrix and target of the resamplers, so
/// Python users can hand arrays over without a text round trip.
///
/// The format (NumPy Enhancement Proposal 1, versions 1.0–3.0): the magic `\x93NUMPY`, a
/// version, a little-endian header length, then a Python dict literal such as
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (1000, 20), }` padded to a multiple of
/// 64 bytes, then the raw elements.
///
/// Accepted element types: little-endian float64 (`<f8`) and float32 (`<f4`), signed and
/// unsigned integers of 1, 2, 4 and 8 bytes, and booleans (`|b1`), in C (row-major) order.
/// Anything else is a ``BiasKitError`` naming the file and what was found: a big-endian type
/// (`>f8`), Fortran order, complex, string or object arrays, a shape of the wrong rank, a
/// truncated file. Written files are version 1.0, `<f8` for features and `<i8` for labels,
/// always through ``AtomicFileWriter``.
///
/// Corresponds to `numpy.load` / `numpy.save` (`allow_pickle=False`).
///
/// - Complexity: O(file size); `<f8` data is read straight into the result without a copy.
public enum NumpyArray {
  /// An element type this reader understands.
  public enum ElementType: Sendable, Equatable {
    case float64, float32
    case signed(bytes: Int)
    case unsigned(bytes: Int)
    case bool

    var size: Int {
      switch self {
      case .float64: return 8
      case .float32: return 4
      case .signed(let b), .unsigned(let b): return b
      case .bool: return 1
      }
    }
  }

  /// The parsed header of a `.npy` file.
  public struct Header: Sendable, Equatable {
    /// The element type (`descr`).
    public var elementType: ElementType
    /// The array's shape (`shape`).
    public var shape: [Int]
    /// Byte offset of the first element.
    public var dataOffset: Int
    /// The element count (checked by the reader not to overflow).
    public var count: Int { shape.contains(0) ? 0 : shape.reduce(1, *) }
  }

  // MARK: Reading

  /// Reads a 2-D array (rows × columns) of any accepted type as doubles.
  /// - Throws: ``BiasKitError`` for a bad header, a shape that is not 2-D, or a short file.
  public static func readMatrix(path: String) throws -> Matrix {
    let file = try OpenFile(path: path)
    let header = try readHeader(file)
    guard header.shape.count == 2 else {
      throw BiasKitError.npyShape(
        path, header.shape, expected: "a 2-D array (rows, columns) of features")
    }
    let values = try readDoubles(file, header)
    return Matrix(rows: header.shape[0], columns: header.shape[1], values: values)
  }

  /// Reads a 1-D array of class labels (integers, booleans, or floats with integral values).
  /// - Throws: ``BiasKitError`` for a bad header, a shape that is not 1-D, or a value that is
  ///   not a whole number.
  public static func readLabels(path: String) throws -> [Int] {
    let file = try OpenFile(path: path)
    let header = try readHeader(file)
    guard header.shape.count == 1 else {
      throw BiasKitError.npyShape(
        path, header.shape, expected: "a 1-D array (rows,) of class labels")
    }
    switch header.elementType {
    case .float64, .float32:
      let values = try readDoubles(file, header)
      var out = [Int](repeating: 0, count: values.count)
      for (i, v) in values.enumerated() {
        guard v.isFinite, v == v.rounded(), abs(v) < 1e15 else {
          throw BiasKitError(
            .invalidValue,
            "\(path): label \(i) is \(v); class labels must be whole numbers (a continuous target cannot be resampled)"
          )
        }
        out[i] = Int(v)
      }
      return out
    default:
      let bytes = try readBytes(file, header)
      return convertIntegers(bytes, header.elementType)
    }
  }

  /// Parses the header and checks that the file holds all the data it announces.
  public static func readHeader(path: String) throws -> Header {
    try readHeader(try OpenFile(path: path))
  }

  static func readHeader(_ file: OpenFile) throws -> Header {
    let path = file.path
    let prefix = try file.read(10)
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    guard prefix.count == 10, Array(prefix[0..<6]) == magic else {
      throw BiasKitError(
        .malformedInput, "\(path): not a NumPy .npy file (the magic string \\x93NUMPY is missing)")
    }
    let major = prefix[6]
    var headerLength: Int
    var offset: Int
    switch major {
    case 1:
      headerLength = Int(prefix[8]) | Int(prefix[9]) << 8
      offset = 10
    case 2, 3:
      let more = try file.read(2)
      guard more.count == 2 else { throw BiasKitError.npyTruncated(path, what: "header") }
      headerLength = Int(prefix[8]) | Int(prefix[9]) << 8 | Int(more[0]) << 16 | Int(more[1]) << 24
      offset = 12
    default:
      throw BiasKitError(
        .malformedInput, "\(path): .npy format version \(major) is not supported (1, 2 or 3 are)")
    }
    guard headerLength < 1 << 20 else {
      throw BiasKitError(.malformedInput, "\(path): the .npy header is too long")
    }
    let raw = try file.read(headerLength)
    guard raw.count == headerLength else { throw BiasKitError.npyTruncated(path, what: "header") }
    offset += headerLength
    let text = String(decoding: raw, as: UTF8.self)
    let header = try parseHeaderText(text, path: path, offset: offset)
    // A lying shape can overflow Int: the sizes are checked before any arithmetic trusts them.
    // (A zero dimension makes an empty array whatever the others say.)
    var expected = header.shape.contains(0) ? 0 : header.elementType.size
    var overflow = false
    for dimension in header.shape where !overflow {
      (expected, overflow) = expected.multipliedReportingOverflow(by: dimension)
    }
    if !overflow { (expected, overflow) = expected.addingReportingOverflow(header.dataOffset) }
    if overflow {
      throw BiasKitError(
        .malformedInput,
        "\(path): the shape \(shapeText(header.shape)) in the .npy header is too large for any file"
      )
    }
    if file.size < expected {
      throw BiasKitError(
        .malformedInput,
        "\(path): the file is truncated: shape \(shapeText(header.shape)) needs \(expected) bytes, the file has \(file.size)"
      )
    }
    return header
  }

  static func parseHeaderText(_ text: String, path: String, offset: Int) throws -> Header {
    func value(of key: String) -> Substring? {
      guard let k = text.range(of: "'\(key)'") ?? text.range(of: "\"\(key)\"") else { return nil }
      var rest = text[k.upperBound...].drop { $0 == " " }
      guard rest.first == ":" else { return nil }
      rest = rest.dropFirst().drop { $0 == " " }
      return rest
    }
    guard let descrPart = value(of: "descr"), let quote = descrPart.first,
      quote == "'" || quote == "\"",
      let end = descrPart.dropFirst().firstIndex(of: quote)
    else {
      throw BiasKitError(
        .malformedInput,
        "\(path): the .npy header has no 'descr' string: \(text.trimmingCharacters(in: .whitespacesAndNewlines))"
      )
    }
    let descr = String(descrPart[descrPart.index(after: descrPart.startIndex)..<end])
    guard let fortranPart = value(of: "fortran_order") else {
      throw BiasKitError(.malformedInput, "\(path): the .npy header has no 'fortran_order'")
    }
    if fortranPart.hasPrefix("True") {
      throw BiasKitError(
        .malformedInput,
        "\(path): the array is stored in Fortran (column-major) order; save it in C order (np.save(path, np.ascontiguousarray(a)))"
      )
    }
    guard let shapePart = value(of: "shape"), shapePart.first == "(",
      let close = shapePart.firstIndex(of: ")")
    else {
      throw BiasKitError(.malformedInput, "\(path): the .npy header has no 'shape' tuple")
    }
    let items = shapePart[shapePart.index(after: shapePart.startIndex)..<close]
      .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    var shape: [Int] = []
    for item in items {
      guard let n = Int(item.hasSuffix("L") ? String(item.dropLast()) : item), n >= 0 else {
        throw BiasKitError(.malformedInput, "\(path): bad dimension '\(item)' in the .npy shape")
      }
      shape.append(n)
    }
    return Header(elementType: try elementType(descr, path: path), shape: shape, dataOffset: offset)
  }

  static func elementType(_ descr: String, path: String) throws -> ElementType {
    guard descr.count >= 3 else { throw BiasKitError.npyType(path, descr) }
    let order = descr.first!
    let kind = descr.dropFirst().first!
    guard let size = Int(descr.dropFirst(2)) else { throw BiasKitError.npyType(path, descr) }
    if order == ">" && size > 1 {
      throw BiasKitError(
        .malformedInput,
        "\(path): the array is big-endian ('\(descr)'); save it little-endian (a.astype('<\(descr.dropFirst())'))"
      )
    }
    guard order == "<" || order == "|" || order == "=" || (order == ">" && size == 1) else {
      throw BiasKitError.npyType(path, descr)
    }
    switch (kind, size) {
    case ("f", 8): return .float64
    case ("f", 4): return .float32
    case ("i", 1), ("i", 2), ("i", 4), ("i", 8): return .signed(bytes: size)
    case ("u", 1), ("u", 2), ("u", 4), ("u", 8): return .unsigned(bytes: size)
    case ("b", 1): return .bool
    default: throw BiasKitError.npyType(path, descr)
    }
  }

  static func readDoubles(_ file: OpenFile, _ header: Header) throws -> [Double] {
    let n = header.count
    switch header.elementType {
    case .float64:
      var values = [Double](repeating: 0, count: n)
      try values.withUnsafeMutableBytes { try file.read(into: $0, at: header.dataOffset) }
      return values
    case .float32:
      var floats = [Float](repeating: 0, count: n)
      try floats.withUnsafeMutableBytes { try file.read(into: $0, at: header.dataOffset) }
      return floats.map(Double.init)
    default:
      return convertIntegers(try readBytes(file, header), header.elementType).map(Double.init)
    }
  }

  static func readBytes(_ file: OpenFile, _ header: Header) throws -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: header.count * header.elementType.size)
    try bytes.withUnsafeMutableBytes { try file.read(into: $0, at: header.dataOffset) }
    return bytes
  }

  static func convertIntegers(_ bytes: [UInt8], _ type: ElementType) -> [Int] {
    bytes.withUnsafeBytes { raw -> [Int] in
      let n = raw.count / type.size
      switch type {
      case .signed(1): return (0..<n).map { Int(Int8(bitPattern: raw[$0])) }
      case .unsigned(1), .bool: return (0..<n).map { Int(raw[$0]) }
      case .signed(2):
        return (0..<n).map {
          Int(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self)))
        }
      case .unsigned(2):
        return (0..<n).map {
          Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))
        }
      case .signed(4):
        return (0..<n).map {
          Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)))
        }
      case .unsigned(4):
        return (0..<n).map {
          Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
        }
      case .signed(8):
        return (0..<n).map {
          Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)))
        }
      case .unsigned(8):
        return (0..<n).map {
          Int(
            truncatingIfNeeded: UInt64(
              littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)))
        }
      default: preconditionFailure("not an integer type")
      }
    }
  }

  static func shapeText(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
  }

  // MARK: Writing

  /// The version 1.0 preamble for `descr` and `shape`, padded to 64 bytes.
  static func preamble(descr: String, shape: [Int]) -> Data {
    var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText(shape)), }"
    let unpadded = 10 + dict.utf8.count + 1
    dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
    let length = dict.utf8.count
    data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
    data.append(contentsOf: Array(dict.utf8))
    return data
  }

  /// Writes `matrix` as a 2-D `<f8` array.
  public static func write(_ matrix: Matrix, to path: String) throws {
    try writeFloat64(rows: matrix.rows, columns: matrix.columns, to: path) { emit in
      try matrix.values.withUnsafeBytes { try emit($0) }
    }
  }

  /// Writes a `rows × columns` `<f8` array whose elements `body` emits in row-major order, in
  /// as many pieces as it likes, atomically.
  public static func writeFloat64(
    rows: Int, columns: Int, to path: String,
    _ body: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
  ) throws {
    try AtomicFileWriter.write(to: path) { output in
      try output.write(preamble(descr: "<f8", shape: [rows, columns]))
      var written = 0
      try body { bytes in
        try output.write(bytes)
        written += bytes.count
      }
      precondition(
        written == rows * columns * 8, "NumpyArray: wrote \(written) bytes for \(rows)x\(columns)")
    }
  }

  /// Writes labels as a 1-D `<i8` array.
  public static func write(labels: [Int], to path: String) throws {
    try AtomicFileWriter.write(to: path) { output in
      try output.write(preamble(descr: "<i8", shape: [labels.count]))
      try labels.map { Int64($0).littleEndian }.withUnsafeBytes { try output.write($0) }
    }
  }
}

/// A file opened for reading with its size, for the `.npy` reader.
struct OpenFile {
  let path: String
  let descriptor: Int32
  let size: Int
  private final class Closer {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { close(fd) }
  }
  private let closer: Closer

  init(path: String) throws {
    self.path = path
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
      if errno == ENOENT { throw BiasKitError(.io, "\(path): no such file") }
      throw BiasKitError(.io, "\(path): cannot read the file: \(String(cString: strerror(errno)))")
    }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      close(fd)
      throw BiasKitError(.io, "\(path): cannot read the file: \(String(cString: strerror(errno)))")
    }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      close(fd)
      throw BiasKitError(.io, "\(path): is a folder, not a file")
    }
    descriptor = fd
    size = Int(info.st_size)
    closer = Closer(fd)
  }

  /// Reads up to `count` bytes at the current position.
  func read(_ count: Int) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    let n = out.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, count) }
    guard n >= 0 else {
      throw BiasKitError(.io, "\(path): cannot read the file: \(String(cString: strerror(errno)))")
    }
    return Array(out.prefix(n))
  }

  /// Fills `buffer` from byte `offset`.
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
    var done = 0
    while done < buffer.count {
      let n = pread(
        descriptor, buffer.baseAddress! + done, min(buffer.count - done, 1 << 30),
        off_t(offset + done))
      guard n > 0 else {
        if n == 0 { throw BiasKitError.npyTruncated(path, what: "data") }
        throw BiasKitError(
          .io, "\(path): cannot read the file: \(String(cString: strerror(errno)))")
      }
      done += n
    }
  }
}

extension BiasKitError {
  static func npyShape(_ path: String, _ shape: [Int], expected: String) -> BiasKitError {
    BiasKitError(
      .malformedInput,
      "\(path): the array has shape \(NumpyArray.shapeText(shape)); expected \(expected)")
  }

  static func npyType(_ path: String, _ descr: String) -> BiasKitError {
    BiasKitError(
      .malformedInput,
      "\(path): element type '\(descr)' is not supported; expected little-endian float64 ('<f8'), float32 ('<f4'), integers or booleans"
    )
  }

  static func npyTruncated(_ path: String, what: String) -> BiasKitError {
    BiasKitError(.malformedInput, "\(path): the .npy file is truncated (its \(what) ends early)")
  }
}
