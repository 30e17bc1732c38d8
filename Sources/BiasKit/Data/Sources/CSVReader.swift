import Foundation

/// Reads chosen columns of a delimited text file into typed columns.
///
/// The format is RFC 4180: a header row, fields separated by a delimiter (`,` by default, tab
/// for `.tsv` files), optional double quotes around a field with `""` for a quote inside one,
/// and lines ending in `\n` or `\r\n`. A UTF-8 byte-order mark is skipped. Blank lines are
/// skipped (as pandas does). Every row must have as many fields as the header.
///
/// Only the requested columns are kept, and they are typed while the bytes are scanned: no
/// `String` is built per field. Numbers parse straight from bytes (``NumberParsing``), and
/// categorical values are interned by their bytes. Memory is the mapped file (released as it is
/// scanned) plus the kept columns.
///
/// Large files without quote characters are split at line boundaries and scanned on all cores;
/// the result does not depend on the number of cores.
///
///     let reader = try CSVReader(path: "predictions.csv")
///     let table = try reader.read([.label("y_true"), .label("y_pred"), .category("sex")])
///
/// Errors name the file, the line and the column (``BiasKitError``): a missing or empty file,
/// a header without rows, an unknown column (listing those that exist), a ragged row, an
/// unterminated quote, an unparsable number, an empty field, a label that is not binary.
///
/// Corresponds to `pandas.read_csv(path, usecols=…, sep=…)` with its default quoting.
///
/// - Complexity: O(file size) time; O(rows × kept columns) memory.
public struct CSVReader: FileTableSource {
  /// The path as the user gave it (used in messages).
  public let path: String
  /// The field separator.
  public let delimiter: UInt8
  /// The column names, in file order.
  public let header: [String]

  /// Delimited text.
  public static let format = TableFormat.csv
  /// `.csv`, `.tsv`, `.tab`, `.txt` (tab-separated for `.tsv` and `.tab`).
  public static let fileExtensions = ["csv", "tsv", "tab", "txt"]
  /// The path.
  public var name: String { path }
  /// The header's names.
  public var columnNames: [String] { header }

  /// Opens `path` with the delimiter of `options` (``TableSource`` conformance).
  public init(path: String, options: TableReadOptions) throws {
    try self.init(path: path, delimiter: options.delimiter)
  }

  /// The line and field of data row `row` in `column`.
  public func location(row: Int, column: String) -> SourceLocation {
    let index = header.firstIndex(of: column) ?? 0
    return SourceLocation(
      file: path, line: line(ofRow: row), column: index + 1, columnName: column)
  }

  private let file: MappedFile
  private let bodyStart: Int

  /// The delimiter used for `path` when none is given: tab for `.tsv` and `.tab`, else comma.
  public static func defaultDelimiter(for path: String) -> UInt8 {
    let lower = path.lowercased()
    return lower.hasSuffix(".tsv") || lower.hasSuffix(".tab")
      ? UInt8(ascii: "\t") : UInt8(ascii: ",")
  }

  /// Opens `path` and reads its header.
  ///
  /// - Parameter delimiter: the separator; `nil` chooses by extension (``defaultDelimiter(for:)``).
  /// - Throws: ``BiasKitError`` when the file is missing, unreadable or empty, or its header is
  ///   malformed.
  public init(path: String, delimiter: UInt8? = nil) throws {
    self.path = path
    self.delimiter = delimiter ?? CSVReader.defaultDelimiter(for: path)
    self.file = try MappedFile(path: path)
    let bytes = file.bytes
    var start = 0
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
    // Skip blank lines before the header.
    while start < bytes.count, bytes[start] == 0x0A || bytes[start] == 0x0D { start += 1 }
    if start >= bytes.count { throw BiasKitError.emptyFile(path) }
    var parser = RecordParser(bytes: bytes, delimiter: self.delimiter)
    var fields: [String] = []
    var position = start
    do {
      position = try parser.parseRecord(from: start, end: bytes.count) { _, pointer, count in
        fields.append(
          String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self))
      }
    } catch let failure as ScanFailure {
      throw failure.error(file: path, bytes: bytes, header: [])
    }
    if position >= bytes.count, fields.contains(where: { $0.utf8.contains(0x0D) }),
      memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start) == nil
    {
      // No line feed at all, carriage returns inside the "header": CR-only line endings.
      throw BiasKitError.carriageReturnLineEndings(path)
    }
    self.header = fields
    self.bodyStart = position
  }

  /// The index of the column called `name`.
  /// - Throws: ``BiasKitError`` listing the columns that exist, or naming the two fields of a
  ///   header that names the column twice.
  public func columnIndex(of name: String) throws -> Int {
    guard let index = header.firstIndex(of: name) else {
      throw BiasKitError.unknownColumn(name, in: path, available: header)
    }
    if let second = header[(index + 1)...].firstIndex(of: name) {
      // Which of the two to read would be a guess: refuse, as `import` does.
      throw BiasKitError.duplicateColumn(name, in: path, fields: index + 1, second + 1)
    }
    return index
  }

  /// Reads the requested columns, calling `progress` with the fraction of the file scanned
  /// (from any thread, a few times per file).
  public func read(
    _ requests: [ColumnRequest], progress: (@Sendable (Double) -> Void)?
  ) throws -> Table {
    let indices = try requests.map { try columnIndex(of: $0.name) }
    var slotOf = [Int32](repeating: -1, count: header.count)
    for (slot, index) in indices.enumerated() {
      if slotOf[index] < 0 {
        slotOf[index] = Int32(slot)
      } else if requests[Int(slotOf[index])].kind != requests[slot].kind {
        // One pass types each field one way: a column cannot be both, say, labels and groups.
        throw BiasKitError.columnReadTwoWays(
          header[index], in: path, requests[Int(slotOf[index])].kind, requests[slot].kind)
      }
    }
    // A column asked for twice (as the same kind) is read once and copied.
    let firstSlot = indices.map { Int(slotOf[$0]) }

    let bytes = file.bytes
    let chunks = chunkRanges()
    let capacities = countRecordBounds(chunks)
    let capacity = capacities.reduce(0, +)

    var sinks = ColumnSinks(requests: requests, capacity: capacity)
    var workers = chunks.indices.map { _ in
      ChunkScanner(
        requests: requests, slotOf: slotOf, delimiter: delimiter, fieldCount: header.count)
    }
    var offsets: [Int] = []
    var running = 0
    for c in capacities {
      offsets.append(running)
      running += c
    }
    var counts = [Int](repeating: 0, count: chunks.count)
    var failures = [ScanFailure?](repeating: nil, count: chunks.count)
    let releaseMemory = chunks.count > 1
    let scanned = ProgressCounter(total: max(1, bytes.count - bodyStart))
    let rowOffsets = offsets
    let file = self.file
    sinks.withOutputs { outputs in
      workers.withUnsafeMutableBufferPointer { workerBuffer in
        counts.withUnsafeMutableBufferPointer { countBuffer in
          failures.withUnsafeMutableBufferPointer { failureBuffer in
            // Worker k scans chunk k into rows rowOffsets[k]..., and writes only slot k of
            // the scanners, counts and failures (WorkerShared's rules).
            let shared = WorkerShared((bytes, workerBuffer, countBuffer, failureBuffer))
            DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
              let (bytes, workerBuffer, countBuffer, failureBuffer) = shared.value
              do {
                countBuffer[k] = try workerBuffer[k].scan(
                  bytes: bytes, range: chunks[k], outputs: outputs, rowOffset: rowOffsets[k],
                  releasePages: releaseMemory ? file : nil)
                if let progress { progress(scanned.add(chunks[k].count)) }
              } catch let failure as ScanFailure {
                failureBuffer[k] = failure
              } catch {
                failureBuffer[k] = ScanFailure(
                  offset: chunks[k].lowerBound, field: nil, kind: .io("\(error)"))
              }
            }
          }
        }
      }
    }
    if let failure = failures.compactMap({ $0 }).min(by: { $0.offset < $1.offset }) {
      throw failure.error(file: path, bytes: bytes, header: header)
    }
    let rowCount = counts.reduce(0, +)
    if rowCount == 0 { throw BiasKitError.headerOnly(path) }
    let columns = try sinks.finish(
      workers: workers, counts: counts, offsets: offsets, path: path
    ) {
      // Chunks disagreed (each saw at most two label classes): scan again in one piece.
      var scanner = ChunkScanner(
        requests: requests, slotOf: slotOf, delimiter: delimiter, fieldCount: header.count)
      var sequential = ColumnSinks(requests: requests, capacity: capacity)
      var failure: Error? = nil
      sequential.withOutputs { outputs in
        do {
          _ = try scanner.scan(
            bytes: bytes, range: bodyStart..<bytes.count, outputs: outputs, rowOffset: 0,
            releasePages: nil)
        } catch { failure = error }
      }
      if let failure = failure as? ScanFailure {
        throw failure.error(file: path, bytes: bytes, header: header)
      }
    }
    return Table(
      rowCount: rowCount, names: requests.map(\.name), columns: firstSlot.map { columns[$0] })
  }

  /// The 1-based line on which data row `row` (0-based) starts, for error messages about values
  /// found after reading. (It rescans the file: use it on error paths only.)
  public func line(ofRow row: Int) -> Int { lineOfRow(row) }

  private func lineOfRow(_ row: Int) -> Int {
    let bytes = file.bytes
    let base = bytes.baseAddress!
    var parser = RecordParser(bytes: bytes, delimiter: delimiter)
    var position = bodyStart
    var seen = 0
    while position < bytes.count {
      if base[position] == 0x0A || base[position] == 0x0D {
        position += 1
        continue
      }
      if seen == row { break }
      guard
        let next = try? parser.parseRecord(from: position, end: bytes.count, field: { _, _, _ in })
      else { break }
      position = next
      seen += 1
    }
    var line = 1
    for i in 0..<position where base[i] == 0x0A { line += 1 }
    return line
  }

  // MARK: Chunking

  /// Splits the body at line boundaries for parallel scanning; one chunk when the file is small
  /// or contains a quote character (a quoted field may hold a line break).
  private func chunkRanges() -> [Range<Int>] {
    let bytes = file.bytes
    let size = bytes.count - bodyStart
    let workers = ProcessInfo.processInfo.activeProcessorCount
    if size < 4 << 20 || workers < 2 { return [bodyStart..<bytes.count] }
    let hasQuote = bytes.withUnsafeBufferPointer { buffer -> Bool in
      memchr(buffer.baseAddress! + bodyStart, 0x22, size) != nil
    }
    if hasQuote { return [bodyStart..<bytes.count] }
    // At least 2 chunks per core, and chunks of at most 64 MB so that memory is released
    // (and progress reported) as the scan goes.
    let parts = max(min(workers * 2, 16), min(4096, size / (64 << 20) + 1))
    var bounds = [bodyStart]
    for k in 1..<parts {
      var cut = max(bodyStart + size * k / parts, bounds.last!)
      while cut < bytes.count, bytes[cut - 1] != 0x0A { cut += 1 }
      bounds.append(cut)
    }
    bounds.append(bytes.count)
    return (0..<parts).map { bounds[$0]..<bounds[$0 + 1] }.filter { !$0.isEmpty }
  }

  /// An upper bound on the records in each chunk: its line breaks, plus one for an unterminated
  /// last line.
  private func countRecordBounds(_ chunks: [Range<Int>]) -> [Int] {
    let bytes = file.bytes
    let file = self.file
    var bounds = [Int](repeating: 0, count: chunks.count)
    bounds.withUnsafeMutableBufferPointer { out in
      // Worker k reads chunk k and writes bound k only (WorkerShared's rules).
      let shared = WorkerShared((bytes, out))
      DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
        let range = chunks[k]
        let (bytes, out) = shared.value
        var count = CSVReader.countNewlines(UnsafeBufferPointer(rebasing: bytes[range]))
        if let last = range.last, bytes[last] != 0x0A { count += 1 }
        out[k] = count
        if chunks.count > 1 { file.release(range) }
      }
    }
    return bounds
  }

  /// Number of `\n` bytes, eight at a time (SWAR: a byte equal to `\n` becomes zero after
  /// the XOR, and the classic zero-byte test flags it).
  static func countNewlines(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    guard let base = bytes.baseAddress else { return 0 }
    let n = bytes.count
    var count = 0
    var i = 0
    let highs: UInt64 = 0x8080_8080_8080_8080
    let pattern: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
    let raw = UnsafeRawPointer(base)
    while i + 8 <= n {
      let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
      // Exact zero-byte mask: high bit set exactly in the bytes that are zero.
      let mask = ~(((word & ~highs) &+ ~highs) | word | ~highs)
      count &+= mask.nonzeroBitCount
      i += 8
    }
    while i < n {
      if base[i] == 0x0A { count += 1 }
      i += 1
    }
    return count
  }

}

/// An array of `count` trivial values whose contents the caller overwrites before reading
/// (skips zero-filling buffers of millions of values).
func uninitializedArray<T: BitwiseCopyable>(count: Int) -> [T] {
  [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}

/// Counts finished work across threads.
final class ProgressCounter: @unchecked Sendable {
  private let total: Int
  private var done = 0
  private let lock = NSLock()
  init(total: Int) { self.total = total }
  func add(_ amount: Int) -> Double {
    lock.lock()
    defer { lock.unlock() }
    done += amount
    return Double(done) / Double(total)
  }
}

// MARK: - The mapped file

/// A read-only memory map of a whole file (or, for a stream that cannot be mapped, a copy of
/// its bytes).
final class MappedFile: @unchecked Sendable {
  let bytes: UnsafeBufferPointer<UInt8>
  private let mapped: Bool

  init(path: String) throws {
    let fd = open(path, O_RDONLY)
    if fd < 0 {
      if errno == ENOENT { throw BiasKitError.fileNotFound(path) }
      throw BiasKitError.cannotRead(path, String(cString: strerror(errno)))
    }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) != 0 {
      throw BiasKitError.cannotRead(path, String(cString: strerror(errno)))
    }
    if (info.st_mode & S_IFMT) == S_IFDIR { throw BiasKitError.cannotRead(path, "it is a folder") }
    let size = Int(info.st_size)
    if (info.st_mode & S_IFMT) != S_IFREG || size == 0 {
      // A FIFO, /dev/stdin, a /proc file (size 0): not mappable, read to its end instead.
      let contents = try InputFile.read(descriptor: fd, path: path, what: "the file")
      if contents.isEmpty { throw BiasKitError.emptyFile(path) }
      let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: contents.count)
      _ = copy.initialize(from: contents)
      bytes = UnsafeBufferPointer(copy)
      mapped = false
      return
    }
    guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
      throw BiasKitError.cannotRead(path, String(cString: strerror(errno)))
    }
    _ = madvise(address, size, MADV_SEQUENTIAL)
    bytes = UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size)
    mapped = true
  }

  /// Lets the kernel drop the pages of `range` from memory; they are read again if touched.
  func release(_ range: Range<Int>) {
    guard mapped else { return }  // read into memory: the pages are the only copy
    let page = Int(getpagesize())
    let start = (range.lowerBound + page - 1) / page * page
    let end = range.upperBound / page * page
    guard end > start, let base = bytes.baseAddress else { return }
    _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
  }

  deinit {
    if mapped, let base = bytes.baseAddress {
      munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
    } else {
      UnsafeMutableBufferPointer(mutating: bytes).deallocate()
    }
  }
}

// MARK: - Scanning

/// A problem found while scanning, located by byte offset; turned into a line and column only
/// when reported.
struct ScanFailure: Error {
  enum Kind {
    case ragged(expected: Int, found: Int)
    case unterminatedQuote
    case textAfterQuote
    case invalidNumber(String)
    case missing(expected: String, suggestMissingGroup: Bool)
    case invalidLabel(String)
    case tooManyClasses(String, [String])
    case missingGroupIsValue(String)
    case io(String)
  }
  /// Offset of the start of the record (or of the field) in the file.
  var offset: Int
  /// 0-based field index, if the problem is about one field.
  var field: Int?
  var kind: Kind

  func error(file: String, bytes: UnsafeBufferPointer<UInt8>, header: [String]) -> BiasKitError {
    var line = 1
    bytes.withUnsafeBufferPointer { buffer in
      let base = buffer.baseAddress!
      for i in 0..<min(offset, bytes.count) where base[i] == 0x0A { line += 1 }
    }
    let name = field.flatMap { $0 < header.count ? header[$0] : nil }
    let location = SourceLocation(
      file: file, line: line, column: field.map { $0 + 1 }, columnName: name)
    switch kind {
    case .ragged(let expected, let found):
      return .raggedRow(SourceLocation(file: file, line: line), expected: expected, found: found)
    case .unterminatedQuote: return .unterminatedQuote(location)
    case .textAfterQuote: return .textAfterQuote(location)
    case .invalidNumber(let text): return .invalidNumber(location, text)
    case .missing(let expected, let suggest):
      return .missingValue(location, expected: expected, suggestMissingGroup: suggest)
    case .invalidLabel(let text): return .invalidLabel(location, text)
    case .tooManyClasses(let text, let classes):
      return .tooManyClasses(location, text, classes: classes)
    case .missingGroupIsValue(let name): return .missingGroupIsValue(location, name)
    case .io(let reason): return .cannotRead(file, reason)
    }
  }
}

extension UnsafeBufferPointer {
  @inline(__always)
  fileprivate func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Element>) throws -> R
  ) rethrows -> R {
    try body(self)
  }
}

/// Splits records into fields (RFC 4180).
struct RecordParser {
  let bytes: UnsafeBufferPointer<UInt8>
  let delimiter: UInt8
  private var scratch: [UInt8] = []

  init(bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8) {
    self.bytes = bytes
    self.delimiter = delimiter
    scratch.reserveCapacity(256)
  }

  /// Parses the field starting at `position` (field number `index` of its record). Calls
  /// `body` with the field's unescaped bytes and returns the offset of the byte that ended it
  /// (a delimiter, a line break or `end`).
  @inline(__always)
  mutating func parseField<R>(
    at position: Int, end: Int, index: Int, _ body: (UnsafePointer<UInt8>, Int) throws -> R
  ) throws -> (Int, R) {
    let base = bytes.baseAddress!
    var position = position
    if position < end, base[position] == 0x22 {
      // Quoted field: copy into scratch, turning "" into ".
      scratch.removeAll(keepingCapacity: true)
      let fieldStart = position
      position += 1
      while true {
        guard let q = memchr(base + position, 0x22, end - position) else {
          throw ScanFailure(offset: fieldStart, field: index, kind: .unterminatedQuote)
        }
        let quote = UnsafePointer<UInt8>(q.assumingMemoryBound(to: UInt8.self)) - base
        scratch.append(
          contentsOf: UnsafeBufferPointer(start: base + position, count: quote - position))
        if quote + 1 < end, base[quote + 1] == 0x22 {
          scratch.append(0x22)
          position = quote + 2
        } else {
          position = quote + 1
          break
        }
      }
      if position < end, base[position] == 0x0D, position + 1 < end, base[position + 1] == 0x0A {
        position += 1
      }
      if position < end, base[position] != delimiter, base[position] != 0x0A {
        throw ScanFailure(offset: position, field: index, kind: .textAfterQuote)
      }
      let result = try scratch.withUnsafeBufferPointer { s in
        try body(s.baseAddress ?? base, s.count)
      }
      return (position, result)
    }
    let fieldStart = position
    let delimiter = self.delimiter
    while position < end {
      let b = base[position]
      if b == delimiter || b == 0x0A { break }
      position &+= 1
    }
    var length = position - fieldStart
    if length > 0, base[fieldStart + length - 1] == 0x0D, position == end || base[position] == 0x0A
    {
      length -= 1
    }
    return (position, try body(base + fieldStart, length))
  }

  /// Parses one record starting at `start` (which must not be a blank line). Calls `field` with
  /// each field's index and bytes; returns the offset just past the record's line break.
  mutating func parseRecord(
    from start: Int, end: Int,
    field: (Int, UnsafePointer<UInt8>, Int) throws -> Void
  ) throws -> Int {
    let base = bytes.baseAddress!
    var position = start
    var index = 0
    while true {
      (position, _) = try parseField(at: position, end: end, index: index) {
        try field(index, $0, $1)
      }
      index += 1
      if position < end, base[position] == delimiter {
        position += 1
        continue
      }
      if position < end { position += 1 }  // the line break
      return position
    }
  }
}

/// Where the scanners write: one raw output buffer per requested slot.
struct SlotOutputs: @unchecked Sendable {
  var numbers: [UnsafeMutablePointer<Double>?]
  var codes: [UnsafeMutablePointer<Int32>?]
  var labels: [UnsafeMutablePointer<UInt8>?]
}

/// Scans one chunk of the body, typing the requested fields.
struct ChunkScanner {
  let requests: [ColumnRequest]
  let slotOf: [Int32]
  let delimiter: UInt8
  let fieldCount: Int
  /// Interned values of each categorical or label slot (unused for numbers).
  var interners: [ByteInterner]
  /// For label slots: the class (0 or 1) of each interned value.
  var labelClass: [[UInt8]]
  /// For label slots without a positive value: which spellings were seen (1, 0, -1).
  var labelKinds: [Set<Int8>]
  /// For category slots with a missing group: the code empty fields got (-1: none seen yet).
  var missingCodes: [Int32]
  /// For category slots with a missing group: whether a non-empty field spelled its name.
  var valueIsMissingGroup: [Bool]

  init(requests: [ColumnRequest], slotOf: [Int32], delimiter: UInt8, fieldCount: Int) {
    self.requests = requests
    self.slotOf = slotOf
    self.delimiter = delimiter
    self.fieldCount = fieldCount
    interners = requests.map { _ in ByteInterner() }
    labelClass = requests.map { _ in [] }
    labelKinds = requests.map { _ in [] }
    missingCodes = requests.map { _ in -1 }
    valueIsMissingGroup = requests.map { _ in false }
  }

  /// Scans `range`, writing row `r` of the chunk at `rowOffset + r`. Returns the row count.
  mutating func scan(
    bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, outputs: SlotOutputs, rowOffset: Int,
    releasePages file: MappedFile?
  ) throws -> Int {
    let base = bytes.baseAddress!
    let end = range.upperBound
    var parser = RecordParser(bytes: bytes, delimiter: delimiter)
    var position = range.lowerBound
    var row = 0
    var released = position
    // 0: skip, 1: number, 2: number or missing, 3: category, 4: label
    let action: [UInt8] = slotOf.map { slot in
      guard slot >= 0 else { return 0 }
      switch requests[Int(slot)].kind {
      case .number(let allowMissing): return allowMissing ? 2 : 1
      case .category: return 3
      case .label: return 4
      }
    }
    let fieldCount = self.fieldCount
    let delimiter = self.delimiter
    while position < end {
      let b = base[position]
      if b == 0x0A {
        position += 1
        continue
      }
      if b == 0x0D, position + 1 < end, base[position + 1] == 0x0A {
        position += 2
        continue
      }
      let recordStart = position
      let output = rowOffset + row
      var index = 0
      while true {
        let todo = index < fieldCount ? action[index] : 0
        switch todo {
        case 0:
          (position, _) = try parser.parseField(at: position, end: end, index: index) { _, _ in () }
        case 1, 2:
          let slot = Int(slotOf[index])
          let value: Double
          (position, value) = try parser.parseField(at: position, end: end, index: index) { p, n in
            try number(p, n, todo == 2, recordStart, index)
          }
          outputs.numbers[slot]![output] = value
        case 3:
          let slot = Int(slotOf[index])
          let code: Int32
          (position, code) = try parser.parseField(at: position, end: end, index: index) { p, n in
            try category(slot, p, n, recordStart, index)
          }
          outputs.codes[slot]![output] = code
        default:
          let slot = Int(slotOf[index])
          let value: UInt8
          (position, value) = try parser.parseField(at: position, end: end, index: index) { p, n in
            try label(slot, p, n, recordStart, index)
          }
          outputs.labels[slot]![output] = value
        }
        index += 1
        if position < end, base[position] == delimiter {
          position += 1
          continue
        }
        if position < end { position += 1 }  // the line break
        break
      }
      if index != fieldCount {
        throw ScanFailure(
          offset: recordStart, field: nil, kind: .ragged(expected: fieldCount, found: index))
      }
      row += 1
      if let file, position - released > 32 << 20 {
        file.release(released..<position)
        released = position
      }
    }
    file?.release(released..<end)
    return row
  }

  @inline(__always)
  private func number(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ allowMissing: Bool, _ record: Int, _ field: Int
  ) throws -> Double {
    if let value = NumberParsing.parseDouble(p, n) { return value }
    if isBlank(p, n) {
      if allowMissing { return .nan }
      throw ScanFailure(
        offset: record, field: field,
        kind: .missing(expected: "a number", suggestMissingGroup: false))
    }
    throw ScanFailure(offset: record, field: field, kind: .invalidNumber(text(p, n)))
  }

  @inline(__always)
  private mutating func category(
    _ slot: Int, _ p: UnsafePointer<UInt8>, _ n: Int, _ record: Int, _ field: Int
  ) throws -> Int32 {
    var inserted = false
    if n == 0 {
      guard case .category(let missingGroup?) = requests[slot].kind else {
        throw ScanFailure(
          offset: record, field: field,
          kind: .missing(
            expected: "a group name",
            suggestMissingGroup: requests[slot].suggestsMissingGroup))
      }
      let bytes = Array(missingGroup.utf8)
      let code = bytes.withUnsafeBufferPointer { b in
        interners[slot].code(b.baseAddress ?? p, b.count, inserted: &inserted)
      }
      if missingCodes[slot] < 0 {
        // The name was already interned from a non-empty field: the groups would merge.
        if !inserted {
          throw ScanFailure(offset: record, field: field, kind: .missingGroupIsValue(missingGroup))
        }
        missingCodes[slot] = code
      }
      return code
    }
    let code = interners[slot].code(p, n, inserted: &inserted)
    if code == missingCodes[slot], case .category(let missingGroup?) = requests[slot].kind {
      throw ScanFailure(offset: record, field: field, kind: .missingGroupIsValue(missingGroup))
    }
    if inserted, case .category(let missingGroup?) = requests[slot].kind,
      missingGroup.utf8.elementsEqual(UnsafeBufferPointer(start: p, count: n))
    {
      valueIsMissingGroup[slot] = true
    }
    return code
  }

  /// The class (0 or 1) of a label field; new spellings are checked when first seen.
  @inline(__always)
  private mutating func label(
    _ slot: Int, _ p: UnsafePointer<UInt8>, _ n: Int, _ record: Int, _ field: Int
  ) throws -> UInt8 {
    var inserted = false
    let code = interners[slot].code(p, n, inserted: &inserted)
    if inserted {
      let spelling = text(p, n)
      if spelling.trimmingCharacters(in: .whitespaces).isEmpty {
        throw ScanFailure(
          offset: record, field: field,
          kind: .missing(expected: "a label", suggestMissingGroup: false))
      }
      let seen = interners[slot].strings.dropLast()
      if case .label(let positive?) = requests[slot].kind {
        if interners[slot].count > 2 {
          throw ScanFailure(
            offset: record, field: field, kind: .tooManyClasses(spelling, Array(seen)))
        }
        labelClass[slot].append(spelling == positive ? 1 : 0)
      } else {
        guard let kind = LabelSpelling.kind(of: spelling) else {
          throw ScanFailure(offset: record, field: field, kind: .invalidLabel(spelling))
        }
        labelKinds[slot].insert(kind)
        if labelKinds[slot].contains(0) && labelKinds[slot].contains(-1) {
          throw ScanFailure(
            offset: record, field: field, kind: .tooManyClasses(spelling, Array(seen)))
        }
        labelClass[slot].append(kind == 1 ? 1 : 0)
      }
    }
    return labelClass[slot][Int(code)]
  }

  private func isBlank(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    for i in 0..<n where p[i] != 0x20 { return false }
    return true
  }

  private func text(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
    String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
  }
}

/// The spellings of binary labels accepted without `--pos-label`.
enum LabelSpelling {
  /// 1 for a positive spelling, 0 for `0`/`false`, -1 for `-1`; nil otherwise.
  static func kind(of text: String) -> Int8? {
    switch text.trimmingCharacters(in: .whitespaces).lowercased() {
    case "1", "1.0", "+1", "true": return 1
    case "0", "0.0", "false": return 0
    case "-1", "-1.0": return -1
    default: return nil
    }
  }
}

/// The output columns being filled, owned until ``finish``.
struct ColumnSinks {
  let requests: [ColumnRequest]
  private var numbers: [[Double]]
  private var codes: [[Int32]]
  private var labels: [[UInt8]]

  init(requests: [ColumnRequest], capacity: Int) {
    self.requests = requests
    // Every row below the final count is written by a scanner before it is read.
    numbers = requests.map {
      if case .number = $0.kind { return uninitializedArray(count: capacity) }
      return []
    }
    codes = requests.map {
      if case .category = $0.kind { return uninitializedArray(count: capacity) }
      return []
    }
    labels = requests.map {
      if case .label = $0.kind { return uninitializedArray(count: capacity) }
      return []
    }
  }

  mutating func withOutputs(_ body: (SlotOutputs) -> Void) {
    var numberPointers: [UnsafeMutablePointer<Double>?] = []
    var codePointers: [UnsafeMutablePointer<Int32>?] = []
    var labelPointers: [UnsafeMutablePointer<UInt8>?] = []
    // The arrays are not resized while the pointers are in use.
    for k in numbers.indices {
      numberPointers.append(
        numbers[k].isEmpty ? nil : numbers[k].withUnsafeMutableBufferPointer { $0.baseAddress })
      codePointers.append(
        codes[k].isEmpty ? nil : codes[k].withUnsafeMutableBufferPointer { $0.baseAddress })
      labelPointers.append(
        labels[k].isEmpty ? nil : labels[k].withUnsafeMutableBufferPointer { $0.baseAddress })
    }
    body(SlotOutputs(numbers: numberPointers, codes: codePointers, labels: labelPointers))
  }

  /// Closes the gaps between chunks, merges the chunks' interned values and builds the columns.
  /// `rescan` re-reads the file sequentially to locate a problem that only shows across chunks.
  mutating func finish(
    workers: [ChunkScanner], counts: [Int], offsets: [Int], path: String,
    rescan: () throws -> Void
  ) throws -> [Column] {
    var columns: [Column] = []
    for (slot, request) in requests.enumerated() {
      switch request.kind {
      case .number:
        var values = numbers[slot]
        numbers[slot] = []
        compact(&values, counts: counts, offsets: offsets)
        columns.append(.numbers(values))
      case .category(let missingGroup):
        if missingGroup != nil, workers.contains(where: { $0.missingCodes[slot] >= 0 }),
          workers.contains(where: { $0.valueIsMissingGroup[slot] })
        {
          // Empty fields in one chunk, the name spelled out in another: locate it.
          try rescan()
        }
        var values = codes[slot]
        codes[slot] = []
        compact(&values, counts: counts, offsets: offsets)
        // Merge each chunk's interned values into the first chunk's codes.
        var global = workers[0].interners[slot]
        var start = counts[0]
        for k in 1..<workers.count {
          let local = workers[k].interners[slot]
          var map = [Int32](repeating: 0, count: local.count)
          for code in 0..<Int32(local.count) {
            map[Int(code)] = global.code(Array(local.bytes(of: code)))
          }
          values.withUnsafeMutableBufferPointer { buffer in
            for i in start..<(start + counts[k]) { buffer[i] = map[Int(buffer[i])] }
          }
          start += counts[k]
        }
        columns.append(.categories(CategoricalColumn(codes: values, levels: global.strings)))
      case .label(let positive):
        var values = labels[slot]
        labels[slot] = []
        compact(&values, counts: counts, offsets: offsets)
        // The spellings seen by all chunks, with their classes.
        var names: [String] = []
        var classes: [UInt8] = []
        for worker in workers {
          for (code, name) in worker.interners[slot].strings.enumerated()
          where !names.contains(name) {
            names.append(name)
            classes.append(worker.labelClass[slot][code])
          }
        }
        let kinds = names.map { LabelSpelling.kind(of: $0) }
        let tooMany = positive != nil ? names.count > 2 : (kinds.contains(0) && kinds.contains(-1))
        if tooMany { try rescan() }  // throws at the first offending row
        if let positive, !names.contains(positive),
          names.count == 2 || names.contains(where: { $0.lowercased() == positive.lowercased() })
        {
          // Two classes, neither the positive one: a misspelt (usually miscased) label.
          throw BiasKitError.positiveLabelNotFound(
            positive, column: request.name, in: path, seen: names)
        }
        let negativeName = zip(names, classes).first { $0.1 == 0 }?.0
        let positiveName = zip(names, classes).first { $0.1 == 1 }?.0 ?? positive
        columns.append(
          .labels(
            LabelColumn(values: values, negativeName: negativeName, positiveName: positiveName)))
      }
    }
    return columns
  }

  private func compact<T>(_ values: inout [T], counts: [Int], offsets: [Int]) {
    var write = counts.first ?? 0
    for k in 1..<max(1, counts.count) {
      if offsets[k] != write {
        for i in 0..<counts[k] { values[write + i] = values[offsets[k] + i] }
      }
      write += counts[k]
    }
    values.removeLast(values.count - write)
  }
}
