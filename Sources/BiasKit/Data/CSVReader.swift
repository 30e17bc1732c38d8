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
public struct CSVReader: Sendable {
  /// The path as the user gave it (used in messages).
  public let path: String
  /// The field separator.
  public let delimiter: UInt8
  /// The column names, in file order.
  public let header: [String]

  private let file: MappedFile
  private let bodyStart: Int

  /// The delimiter used for `path` when none is given: tab for `.tsv` and `.tab`, else comma.
  public static func defaultDelimiter(for path: String) -> UInt8 {
    let lower = path.lowercased()
    return lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") ? UInt8(ascii: "\t") : UInt8(ascii: ",")
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
        fields.append(String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self))
      }
    } catch let failure as ScanFailure {
      throw failure.error(file: path, bytes: bytes, header: [])
    }
    self.header = fields
    self.bodyStart = position
  }

  /// The index of the column called `name`.
  /// - Throws: ``BiasKitError`` listing the columns that exist.
  public func columnIndex(of name: String) throws -> Int {
    guard let index = header.firstIndex(of: name) else {
      throw BiasKitError.unknownColumn(name, in: path, available: header)
    }
    return index
  }

  /// Reads the requested columns, in request order.
  ///
  /// - Throws: ``BiasKitError`` naming file, line and column for the first bad field, or
  ///   `headerOnly` when there are no data rows.
  public func read(_ requests: [ColumnRequest]) throws -> Table {
    let indices = try requests.map { try columnIndex(of: $0.name) }
    var slotOf = [Int32](repeating: -1, count: header.count)
    for (slot, index) in indices.enumerated() where slotOf[index] < 0 { slotOf[index] = Int32(slot) }
    // A column asked for twice is read once and copied.
    let firstSlot = indices.map { Int(slotOf[$0]) }

    let bytes = file.bytes
    let chunks = chunkRanges()
    let capacities = countRecordBounds(chunks)
    let capacity = capacities.reduce(0, +)

    var sinks = ColumnSinks(requests: requests, capacity: capacity)
    var workers = chunks.indices.map { _ in
      ChunkScanner(requests: requests, slotOf: slotOf, delimiter: delimiter, fieldCount: header.count)
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
    sinks.withOutputs { outputs in
      workers.withUnsafeMutableBufferPointer { workerBuffer in
        counts.withUnsafeMutableBufferPointer { countBuffer in
          failures.withUnsafeMutableBufferPointer { failureBuffer in
            DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
              do {
                countBuffer[k] = try workerBuffer[k].scan(
                  bytes: bytes, range: chunks[k], outputs: outputs, rowOffset: offsets[k],
                  releasePages: releaseMemory ? file : nil)
              } catch let failure as ScanFailure {
                failureBuffer[k] = failure
              } catch {
                failureBuffer[k] = ScanFailure(offset: chunks[k].lowerBound, field: nil, kind: .io("\(error)"))
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
      workers: workers, counts: counts, offsets: offsets, file: path, bytes: bytes, header: header,
      headerIndex: indices, lineOfRow: lineOfRow)
    return Table(rowCount: rowCount, names: requests.map(\.name), columns: firstSlot.map { columns[$0] })
  }

  /// Reads the named columns as numbers into a row-major matrix.
  public func readMatrix(columns names: [String]) throws -> Matrix {
    let table = try read(names.map { ColumnRequest.number($0) })
    return Matrix(columnVectors: table.columns.map { $0.numbers ?? [] }, columnNames: names)
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
      guard let next = try? parser.parseRecord(from: position, end: bytes.count, field: { _, _, _ in }) else { break }
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
    let parts = min(workers * 2, 16)
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
    var bounds = [Int](repeating: 0, count: chunks.count)
    bounds.withUnsafeMutableBufferPointer { out in
      DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
        let range = chunks[k]
        var count = 0
        bytes.withUnsafeBufferPointer { buffer in
          let base = buffer.baseAddress!
          for i in range { count &+= base[i] == 0x0A ? 1 : 0 }
        }
        if let last = range.last, bytes[last] != 0x0A { count += 1 }
        out[k] = count
      }
    }
    return bounds
  }

  /// The columns read from a file.
  public struct Table: Sendable {
    /// Number of data rows.
    public let rowCount: Int
    /// The requested names, in request order.
    public let names: [String]
    /// The typed columns, in request order.
    public let columns: [Column]

    /// The column called `name`, if it was requested.
    public subscript(name: String) -> Column? {
      names.firstIndex(of: name).map { columns[$0] }
    }
  }
}

// MARK: - The mapped file

/// A read-only memory map of a whole file.
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
    if fstat(fd, &info) != 0 { throw BiasKitError.cannotRead(path, String(cString: strerror(errno))) }
    if (info.st_mode & S_IFMT) == S_IFDIR { throw BiasKitError.cannotRead(path, "it is a folder") }
    let size = Int(info.st_size)
    if size == 0 { throw BiasKitError.emptyFile(path) }
    guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
      throw BiasKitError.cannotRead(path, String(cString: strerror(errno)))
    }
    _ = madvise(address, size, MADV_SEQUENTIAL)
    bytes = UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size)
    mapped = true
  }

  /// Lets the kernel drop the pages of `range` from memory; they are read again if touched.
  func release(_ range: Range<Int>) {
    let page = Int(getpagesize())
    let start = (range.lowerBound + page - 1) / page * page
    let end = range.upperBound / page * page
    guard end > start, let base = bytes.baseAddress else { return }
    _ = madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
  }

  deinit {
    if mapped, let base = bytes.baseAddress {
      munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
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
    case missing(expected: String, hint: String)
    case invalidLabel(String)
    case tooManyClasses(String, [String])
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
    let location = SourceLocation(file: file, line: line, column: field.map { $0 + 1 }, columnName: name)
    switch kind {
    case .ragged(let expected, let found):
      return .raggedRow(SourceLocation(file: file, line: line), expected: expected, found: found)
    case .unterminatedQuote: return .unterminatedQuote(location)
    case .textAfterQuote: return .textAfterQuote(location)
    case .invalidNumber(let text): return .invalidNumber(location, text)
    case .missing(let expected, let hint): return .missingValue(location, expected: expected, hint: hint)
    case .invalidLabel(let text): return .invalidLabel(location, text)
    case .tooManyClasses(let text, let classes): return .tooManyClasses(location, text, classes: classes)
    case .io(let reason): return .cannotRead(file, reason)
    }
  }
}

extension UnsafeBufferPointer {
  @inline(__always)
  fileprivate func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
    try body(self)
  }
}

/// Splits records into fields (RFC 4180), handing each field's unescaped bytes to a callback.
struct RecordParser {
  let bytes: UnsafeBufferPointer<UInt8>
  let delimiter: UInt8
  private var scratch: [UInt8] = []

  init(bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8) {
    self.bytes = bytes
    self.delimiter = delimiter
    scratch.reserveCapacity(256)
  }

  /// Parses one record starting at `start` (which must not be a blank line). Calls `field` with
  /// each field's index and bytes; returns the offset just past the record's line break.
  @inline(__always)
  mutating func parseRecord(
    from start: Int, end: Int,
    field: (Int, UnsafePointer<UInt8>, Int) throws -> Void
  ) throws -> Int {
    let base = bytes.baseAddress!
    let delimiter = self.delimiter
    var position = start
    var index = 0
    while true {
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
          scratch.append(contentsOf: UnsafeBufferPointer(start: base + position, count: quote - position))
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
        try scratch.withUnsafeBufferPointer { s in
          try field(index, s.baseAddress ?? base, s.count)
        }
      } else {
        let fieldStart = position
        while position < end {
          let b = base[position]
          if b == delimiter || b == 0x0A { break }
          position += 1
        }
        var length = position - fieldStart
        if length > 0, base[fieldStart + length - 1] == 0x0D, position == end || base[position] == 0x0A {
          length -= 1
        }
        try field(index, base + fieldStart, length)
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

  init(requests: [ColumnRequest], slotOf: [Int32], delimiter: UInt8, fieldCount: Int) {
    self.requests = requests
    self.slotOf = slotOf
    self.delimiter = delimiter
    self.fieldCount = fieldCount
    interners = requests.map { _ in ByteInterner() }
    labelClass = requests.map { _ in [] }
    labelKinds = requests.map { _ in [] }
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
    let kinds = requests.map(\.kind)
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
      var fields = 0
      position = try parser.parseRecord(from: position, end: end) { index, pointer, count in
        fields = index + 1
        guard index < slotOf.count else { return }
        let slot = Int(slotOf[index])
        if slot < 0 { return }
        switch kinds[slot] {
        case .number(let allowMissing):
          outputs.numbers[slot]![output] = try number(pointer, count, allowMissing, recordStart, index)
        case .category(let missingGroup):
          outputs.codes[slot]![output] = try category(slot, pointer, count, missingGroup, recordStart, index)
        case .label(let positive):
          outputs.codes[slot]![output] = try label(slot, pointer, count, positive, recordStart, index)
        }
      }
      if fields != fieldCount {
        throw ScanFailure(offset: recordStart, field: nil, kind: .ragged(expected: fieldCount, found: fields))
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
      throw ScanFailure(offset: record, field: field, kind: .missing(expected: "a number", hint: ""))
    }
    throw ScanFailure(offset: record, field: field, kind: .invalidNumber(text(p, n)))
  }

  @inline(__always)
  private mutating func category(
    _ slot: Int, _ p: UnsafePointer<UInt8>, _ n: Int, _ missingGroup: String?, _ record: Int, _ field: Int
  ) throws -> Int32 {
    var inserted = false
    if n == 0 {
      guard let missingGroup else {
        throw ScanFailure(
          offset: record, field: field,
          kind: .missing(expected: "a group name", hint: " (use --missing-group NAME to make empty values a group)"))
      }
      return interners[slot].code(Array(missingGroup.utf8))
    }
    return interners[slot].code(p, n, inserted: &inserted)
  }

  @inline(__always)
  private mutating func label(
    _ slot: Int, _ p: UnsafePointer<UInt8>, _ n: Int, _ positive: String?, _ record: Int, _ field: Int
  ) throws -> Int32 {
    var inserted = false
    let code = interners[slot].code(p, n, inserted: &inserted)
    if inserted {
      let spelling = text(p, n)
      if spelling.trimmingCharacters(in: .whitespaces).isEmpty {
        throw ScanFailure(offset: record, field: field, kind: .missing(expected: "a label", hint: ""))
      }
      let seen = interners[slot].strings.dropLast()
      if let positive {
        if interners[slot].count > 2 {
          throw ScanFailure(offset: record, field: field, kind: .tooManyClasses(spelling, Array(seen)))
        }
        labelClass[slot].append(spelling == positive ? 1 : 0)
      } else {
        guard let kind = LabelSpelling.kind(of: spelling) else {
          throw ScanFailure(offset: record, field: field, kind: .invalidLabel(spelling))
        }
        labelKinds[slot].insert(kind)
        if labelKinds[slot].contains(0) && labelKinds[slot].contains(-1) {
          throw ScanFailure(offset: record, field: field, kind: .tooManyClasses(spelling, Array(seen)))
        }
        labelClass[slot].append(kind == 1 ? 1 : 0)
      }
    }
    return code
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

  init(requests: [ColumnRequest], capacity: Int) {
    self.requests = requests
    numbers = requests.map {
      if case .number = $0.kind { return [Double](repeating: 0, count: capacity) }
      return []
    }
    codes = requests.map {
      if case .number = $0.kind { return [] }
      return [Int32](repeating: 0, count: capacity)
    }
  }

  mutating func withOutputs(_ body: (SlotOutputs) -> Void) {
    var numberPointers: [UnsafeMutablePointer<Double>?] = []
    var codePointers: [UnsafeMutablePointer<Int32>?] = []
    // The arrays are not resized while the pointers are in use.
    for k in numbers.indices {
      numberPointers.append(numbers[k].isEmpty ? nil : numbers[k].withUnsafeMutableBufferPointer { $0.baseAddress })
      codePointers.append(codes[k].isEmpty ? nil : codes[k].withUnsafeMutableBufferPointer { $0.baseAddress })
    }
    body(SlotOutputs(numbers: numberPointers, codes: codePointers))
  }

  /// Closes the gaps between chunks, merges the chunks' interned values and builds the columns.
  mutating func finish(
    workers: [ChunkScanner], counts: [Int], offsets: [Int], file: String,
    bytes: UnsafeBufferPointer<UInt8>, header: [String], headerIndex: [Int], lineOfRow: (Int) -> Int
  ) throws -> [Column] {
    let rows = counts.reduce(0, +)
    var columns: [Column] = []
    for (slot, request) in requests.enumerated() {
      switch request.kind {
      case .number:
        var values = numbers[slot]
        numbers[slot] = []
        compact(&values, counts: counts, offsets: offsets)
        columns.append(.numbers(values))
      case .category, .label:
        var values = codes[slot]
        codes[slot] = []
        compact(&values, counts: counts, offsets: offsets)
        // Merge each chunk's interned values into the first chunk's codes.
        var global = workers[0].interners[slot]
        var globalClass = workers[0].labelClass[slot]
        for k in 1..<workers.count {
          let local = workers[k].interners[slot]
          var map = [Int32](repeating: 0, count: local.count)
          for code in 0..<Int32(local.count) {
            let before = global.count
            map[Int(code)] = global.code(Array(local.bytes(of: code)))
            if global.count > before, case .label = request.kind {
              globalClass.append(workers[k].labelClass[slot][Int(code)])
            }
          }
          let start = offsets.prefix(k).isEmpty ? 0 : counts.prefix(k).reduce(0, +)
          values.withUnsafeMutableBufferPointer { buffer in
            for i in start..<(start + counts[k]) { buffer[i] = map[Int(buffer[i])] }
          }
        }
        if case .label(let positive) = request.kind {
          try checkClasses(global, classes: globalClass, positive: positive, values: values,
                           file: file, header: header, field: headerIndex[slot], lineOfRow: lineOfRow)
          var labels = [UInt8](repeating: 0, count: rows)
          var negativeName: String? = nil
          var positiveName: String? = nil
          for code in 0..<Int32(global.count) {
            if globalClass[Int(code)] == 1 { positiveName = positiveName ?? global.string(of: code) } else {
              negativeName = negativeName ?? global.string(of: code)
            }
          }
          if positiveName == nil, let positive { positiveName = positive }
          values.withUnsafeBufferPointer { codes in
            for i in 0..<rows { labels[i] = globalClass[Int(codes[i])] }
          }
          columns.append(.labels(LabelColumn(values: labels, negativeName: negativeName, positiveName: positiveName)))
        } else {
          columns.append(.categories(CategoricalColumn(codes: values, levels: global.strings)))
        }
      }
    }
    return columns
  }

  /// Across chunks, a label column may still hold more than two classes (each chunk saw two).
  private func checkClasses(
    _ interner: ByteInterner, classes: [UInt8], positive: String?, values: [Int32],
    file: String, header: [String], field: Int, lineOfRow: (Int) -> Int
  ) throws {
    let names = interner.strings
    let tooMany: Int?
    if positive != nil {
      tooMany = names.count > 2 ? 2 : nil
    } else {
      let kinds = names.map { LabelSpelling.kind(of: $0) ?? 1 }
      let firstMinusOne = kinds.firstIndex(of: -1)
      let firstZero = kinds.firstIndex(of: 0)
      tooMany = (firstMinusOne != nil && firstZero != nil) ? max(firstMinusOne!, firstZero!) : nil
    }
    guard let code = tooMany, let row = values.firstIndex(of: Int32(code)) else { return }
    // Rare (only when chunks disagree): find the row's line again.
    throw BiasKitError.tooManyClasses(
      SourceLocation(file: file, line: lineOfRow(row), column: field + 1, columnName: header[field]),
      names[code], classes: Array(names.prefix(code)))
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

