import Foundation

/// A problem with one value, found while typing a part (row group, record batch) of a column.
struct ValueFailure: Error {
  enum Kind {
    case invalidNumber(String)
    case missing(expected: String, hint: String)
    case invalidLabel(String)
    case tooManyClasses(String, [String])
    case dictionaryIndex(Int64, count: Int)
    case noDictionary
  }
  /// The row within the part (0-based); while a batch is typed, the index of the value among the
  /// batch's non-null values, mapped to its row before the failure leaves the target.
  var row: Int
  var kind: Kind
}

/// Types the values of one requested column in one part of a columnar file (a Parquet row group
/// or an Arrow record batch) into its slice of the output column, with the semantics
/// ``CSVReader`` gives the same request:
///
/// - `.number`: integers, floats, decimals (unscaled / 10^scale, correctly rounded) and booleans
///   (0/1) as doubles; text parsed as a CSV field is; a null (or blank text) is NaN with
///   `allowMissing`, else an error naming the row.
/// - `.label`: each distinct value is spelled as pandas writes it to CSV (`1`, `1.0`, `True`,
///   the text) and classed by that spelling exactly as a CSV field is (`0/1`, `-1/1`,
///   `true/false`, or `positive` against one other value); a null is an error.
/// - `.category`: codes in order of first appearance, levels spelled as above; a null or empty
///   text joins `missingGroup`, else is an error.
///
/// Dictionary-encoded values are typed once per dictionary entry, when the entry is first used:
/// a category's code (or a label's class) comes straight from the index, with no string per
/// row. Codes are local to the part; ``ColumnarMerge`` renumbers them across parts.
///
/// - Complexity: O(rows) per part, plus O(distinct values) for spellings.
struct ColumnarTarget {
  let request: ColumnRequest
  let kind: ColumnarValueKind
  /// Output for row 0 of the part (one of the three, by the request's kind).
  let numbers: UnsafeMutablePointer<Double>?
  let labels: UnsafeMutablePointer<UInt8>?
  let codes: UnsafeMutablePointer<Int32>?

  // Levels of labels and categories, local to the part.
  private var byteKeys = ByteInterner()
  private var valueKeys = ValueKeyTable()
  /// Labels: the class and first row of each local code.
  private var classes: [UInt8] = []
  private var firstRows: [Int] = []
  private var labelKinds: Set<Int8> = []
  private var missingCode: Int32 = -1

  // The current dictionary.
  private var dictionaryCount = -1
  private var dictionaryBits: [UInt64] = []
  private var dictionaryArena: [UInt8] = []
  private var dictionaryStarts: [Int] = []
  private var dictionaryLengths: [Int] = []
  private var dictionaryNumbers: [Double] = []
  /// Numbers: 0 a number, 1 blank, 2 not a number.
  private var dictionaryStatus: [UInt8] = []
  private var dictionaryAllNumbers = true
  /// Labels and categories: the local code of each entry (labels: its class), -1 until used.
  private var dictionaryCodes: [Int32] = []

  init(
    request: ColumnRequest, kind: ColumnarValueKind, numbers: UnsafeMutablePointer<Double>?,
    labels: UnsafeMutablePointer<UInt8>?, codes: UnsafeMutablePointer<Int32>?
  ) {
    self.request = request
    self.kind = kind
    self.numbers = numbers
    self.labels = labels
    self.codes = codes
  }

  /// Whether a null can be stored (as NaN or the missing group).
  private var acceptsMissing: Bool {
    switch request.kind {
    case .number(let allowMissing): return allowMissing
    case .category(let group): return group != nil
    case .label: return false
    }
  }

  private var missingKind: ValueFailure.Kind {
    switch request.kind {
    case .number: return .missing(expected: "a number", hint: "")
    case .label: return .missing(expected: "a label", hint: "")
    case .category:
      return .missing(
        expected: "a group name", hint: " (use --missing-group NAME to make empty values a group)")
    }
  }

  // MARK: Dictionaries

  /// Replaces the dictionary (a dictionary page, an Arrow dictionary batch) with `batch`.
  mutating func setDictionary(_ batch: ColumnarBatch) throws {
    let n = batch.count
    dictionaryCount = n
    dictionaryBits = []
    dictionaryArena = []
    dictionaryStarts = []
    dictionaryLengths = []
    dictionaryNumbers = []
    dictionaryStatus = []
    dictionaryAllNumbers = true
    var isNumber = false
    if case .number = request.kind { isNumber = true }
    // Labels and categories resolve entries when first used; numbers convert them all now.
    dictionaryCodes = isNumber ? [] : [Int32](repeating: -1, count: n)
    switch batch {
    case .fixed(let base, _):
      if isNumber {
        var converted: [Double] = uninitializedArray(count: n)
        try converted.withUnsafeMutableBufferPointer { out in
          try writeNumbers(
            batch, count: n, into: out.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)
        }
        dictionaryNumbers = converted
        dictionaryStatus = [UInt8](repeating: 0, count: n)
      } else {
        let width = kind.fixedWidth ?? 8
        dictionaryBits = (0..<n).map { ColumnarSpelling.bits(base, $0, width: width) }
      }
    case .bytes(let values):
      for i in 0..<n {
        let v = values.value(i)
        dictionaryStarts.append(dictionaryArena.count)
        dictionaryLengths.append(v.count)
        dictionaryArena.append(contentsOf: v)
      }
      if isNumber {
        dictionaryNumbers = [Double](repeating: .nan, count: n)
        dictionaryStatus = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
          let (value, status) = number(bytes: values.value(i))
          dictionaryNumbers[i] = value
          dictionaryStatus[i] = status
          if status != 0 { dictionaryAllNumbers = false }
        }
      }
    case .indices:
      preconditionFailure("a dictionary of indices")
    }
  }

  /// Appends `batch` to the current dictionary (an Arrow delta dictionary batch).
  mutating func appendDictionary(_ batch: ColumnarBatch) throws {
    guard dictionaryCount >= 0 else { return try setDictionary(batch) }
    var previous = self
    try previous.setDictionary(batch)
    dictionaryCount += previous.dictionaryCount
    dictionaryBits += previous.dictionaryBits
    for (s, l) in zip(previous.dictionaryStarts, previous.dictionaryLengths) {
      dictionaryStarts.append(dictionaryArena.count + s)
      dictionaryLengths.append(l)
    }
    dictionaryArena += previous.dictionaryArena
    dictionaryNumbers += previous.dictionaryNumbers
    dictionaryStatus += previous.dictionaryStatus
    dictionaryAllNumbers = dictionaryAllNumbers && previous.dictionaryAllNumbers
    dictionaryCodes += previous.dictionaryCodes
  }

  // MARK: Writing

  /// Types `batch` (the non-null values of `rows` rows; `validity[i]` is 1 for a row that has a
  /// value, nil when all do) into rows `rowStart ..< rowStart + rows` of the part.
  mutating func write(
    _ batch: ColumnarBatch, validity: UnsafePointer<UInt8>?, rows: Int, rowStart: Int
  ) throws {
    let present = batch.count
    precondition(present <= rows, "more values than rows")
    guard let validity, present < rows else {
      try typeDense(batch, count: present, rowStart: rowStart) { $0 }
      return
    }
    var firstNull = 0
    while firstNull < rows, validity[firstNull] != 0 { firstNull += 1 }
    if !acceptsMissing {
      // The values before the first null may hold an earlier error.
      try typeDense(batch, count: firstNull, rowStart: rowStart) { $0 }
      throw ValueFailure(row: rowStart + firstNull, kind: missingKind)
    }
    try typeDense(batch, count: present, rowStart: rowStart) { j in
      var seen = 0
      for i in 0..<rows where validity[i] != 0 {
        if seen == j { return i }
        seen += 1
      }
      return rows
    }
    // Spread the values over their rows, from the end, filling the gaps.
    if let numbers {
      let out = numbers + rowStart
      var j = present - 1
      for i in stride(from: rows - 1, through: 0, by: -1) {
        if validity[i] != 0 {
          out[i] = out[j]
          j -= 1
        } else {
          out[i] = .nan
        }
      }
    } else if let codes {
      let missing = try missingGroupCode()
      let out = codes + rowStart
      var j = present - 1
      for i in stride(from: rows - 1, through: 0, by: -1) {
        if validity[i] != 0 {
          out[i] = out[j]
          j -= 1
        } else {
          out[i] = missing
        }
      }
    }
  }

  /// Types the first `count` values of `batch` into consecutive rows from `rowStart`, then maps
  /// value indices (of a failure, of first appearances) to rows with `rowOf`.
  private mutating func typeDense(
    _ batch: ColumnarBatch, count: Int, rowStart: Int, rowOf: (Int) -> Int
  ) throws {
    if count == 0 { return }
    let marked = firstRows.count
    do {
      switch request.kind {
      case .number: try writeNumbers(batch, count: count, into: numbers! + rowStart)
      case .label, .category: try writeLevels(batch, count: count, rowStart: rowStart)
      }
    } catch var failure as ValueFailure {
      failure.row = rowStart + rowOf(failure.row)
      throw failure
    }
    for k in marked..<firstRows.count { firstRows[k] = rowStart + rowOf(firstRows[k]) }
  }

  /// The local code of the missing group.
  private mutating func missingGroupCode() throws -> Int32 {
    if missingCode >= 0 { return missingCode }
    guard case .category(let group?) = request.kind else {
      throw ValueFailure(row: 0, kind: missingKind)
    }
    if kind.isBytes {
      missingCode = byteKeys.code(Array(group.utf8))
    } else {
      missingCode = valueKeys.missingCode()
    }
    return missingCode
  }

  // MARK: Numbers

  private func number(bytes: UnsafeRawBufferPointer) -> (Double, UInt8) {
    if case .decimalBytes(let scale, let bigEndian) = kind {
      return (ColumnarSpelling.decimalNumber(bytes, scale: scale, bigEndian: bigEndian), 0)
    }
    guard let base = bytes.baseAddress, bytes.count > 0 else { return (.nan, 1) }
    let p = base.assumingMemoryBound(to: UInt8.self)
    if let value = NumberParsing.parseDouble(p, bytes.count) { return (value, 0) }
    for i in 0..<bytes.count where p[i] != 0x20 { return (.nan, 2) }
    return (.nan, 1)
  }

  private func writeNumbers(
    _ batch: ColumnarBatch, count n: Int, into out: UnsafeMutablePointer<Double>
  ) throws {
    let allowMissing: Bool
    if case .number(let allow) = request.kind { allowMissing = allow } else { allowMissing = false }
    switch batch {
    case .fixed(let base, _):
      switch kind {
      case .float64:
        UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: n * 8)
      case .float32:
        for i in 0..<n {
          out[i] = Double(
            Float(bitPattern: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        }
      case .integer(4, true, 0):
        for i in 0..<n {
          out[i] = Double(base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
        }
      case .integer(8, true, 0):
        for i in 0..<n {
          out[i] = Double(base.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
        }
      case .integer(1, true, 0):
        for i in 0..<n { out[i] = Double(base.load(fromByteOffset: i, as: Int8.self)) }
      case .boolean:
        for i in 0..<n { out[i] = base.load(fromByteOffset: i, as: UInt8.self) == 0 ? 0 : 1 }
      default:
        let width = kind.fixedWidth ?? 8
        for i in 0..<n {
          out[i] = ColumnarSpelling.number(
            bits: ColumnarSpelling.bits(base, i, width: width), kind: kind)
        }
      }
    case .bytes(let values):
      for i in 0..<n {
        let v = values.value(i)
        let (value, status) = number(bytes: v)
        if status != 0 {
          if status == 1 && allowMissing {
            out[i] = .nan
            continue
          }
          throw ValueFailure(
            row: i,
            kind: status == 1
              ? .missing(expected: "a number", hint: "")
              : .invalidNumber(String(decoding: v, as: UTF8.self)))
        }
        out[i] = value
      }
    case .indices(let indices, _):
      guard dictionaryCount >= 0 else { throw ValueFailure(row: 0, kind: .noDictionary) }
      let count = dictionaryCount
      try dictionaryNumbers.withUnsafeBufferPointer { dictionary in
        for i in 0..<n {
          let index = Int(indices[i])
          guard index >= 0, index < count else {
            throw ValueFailure(row: i, kind: .dictionaryIndex(Int64(index), count: count))
          }
          out[i] = dictionary[index]
        }
      }
      if !dictionaryAllNumbers {
        for i in 0..<n {
          let index = Int(indices[i])
          let status = dictionaryStatus[index]
          if status == 0 || (status == 1 && allowMissing) { continue }
          let text = String(
            decoding: dictionaryArena[
              dictionaryStarts[index]..<(dictionaryStarts[index] + dictionaryLengths[index])],
            as: UTF8.self)
          throw ValueFailure(
            row: i,
            kind: status == 1 ? .missing(expected: "a number", hint: "") : .invalidNumber(text))
        }
      }
    }
  }

  // MARK: Labels and categories

  /// Registers a new local level first seen at value `index` (labels: checks its spelling and
  /// records its class and first appearance).
  private mutating func inserted(text spelling: String, index: Int) throws {
    guard case .label(let positive) = request.kind else { return }
    if spelling.trimmingCharacters(in: .whitespaces).isEmpty {
      throw ValueFailure(row: index, kind: .missing(expected: "a label", hint: ""))
    }
    let seen = Array(levelSpellings.dropLast())
    if let positive {
      if classes.count >= 2 {
        throw ValueFailure(row: index, kind: .tooManyClasses(spelling, seen))
      }
      var isPositive = spelling == positive
      if case .boolean = kind {
        // Booleans are spelled True/False; any case of either (or 1/0) names one.
        switch positive.lowercased() {
        case "true", "1": isPositive = spelling == "True"
        case "false", "0": isPositive = spelling == "False"
        default: break
        }
      }
      classes.append(isPositive ? 1 : 0)
    } else {
      guard let labelKind = LabelSpelling.kind(of: spelling) else {
        throw ValueFailure(row: index, kind: .invalidLabel(spelling))
      }
      labelKinds.insert(labelKind)
      if labelKinds.contains(0) && labelKinds.contains(-1) {
        throw ValueFailure(row: index, kind: .tooManyClasses(spelling, seen))
      }
      classes.append(labelKind == 1 ? 1 : 0)
    }
    firstRows.append(index)
  }

  /// The local levels' spellings, in code order.
  var levelSpellings: [String] {
    let group: String?
    if case .category(let g) = request.kind { group = g } else { group = nil }
    if kind.isBytes {
      return (0..<Int32(byteKeys.count)).map { code in
        if code == missingCode, let group { return group }
        return byteKeys.bytesBuffer(of: code).withUnsafeBytes {
          ColumnarSpelling.text(bytes: $0, kind: kind)
        }
      }
    }
    return (0..<valueKeys.count).map { valueText(Int32($0)) }
  }

  private func valueText(_ code: Int32) -> String {
    if let bits = valueKeys.bits(of: code) { return ColumnarSpelling.text(bits: bits, kind: kind) }
    if case .category(let group?) = request.kind { return group }
    return ""
  }

  private mutating func writeLevels(_ batch: ColumnarBatch, count n: Int, rowStart: Int) throws {
    let isLabel = labels != nil
    switch batch {
    case .fixed(let base, _):
      let width = kind.fixedWidth ?? 8
      for i in 0..<n {
        let bits = ColumnarSpelling.bits(base, i, width: width)
        var isNew = false
        let code = valueKeys.code(bits, inserted: &isNew)
        if isNew {
          try inserted(text: ColumnarSpelling.text(bits: bits, kind: kind), index: i)
        }
        if isLabel {
          labels![rowStart + i] = classes[Int(code)]
        } else {
          codes![rowStart + i] = code
        }
      }
    case .bytes(let values):
      for i in 0..<n {
        let v = values.value(i)
        let code: Int32
        if v.count == 0, !isLabel {
          guard case .category(_?) = request.kind else {
            throw ValueFailure(row: i, kind: missingKind)
          }
          code = try missingGroupCode()
        } else {
          var isNew = false
          code = byteKeys.code(
            v.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!,
            v.count, inserted: &isNew)
          if isNew {
            try inserted(text: ColumnarSpelling.text(bytes: v, kind: kind), index: i)
          }
        }
        if isLabel {
          labels![rowStart + i] = classes[Int(code)]
        } else {
          codes![rowStart + i] = code
        }
      }
    case .indices(let indices, _):
      guard dictionaryCount >= 0 else { throw ValueFailure(row: 0, kind: .noDictionary) }
      let count = UInt(dictionaryCount)
      var i = 0
      while i < n {
        // Runs of entries already resolved: a table lookup per row.
        let stop: Int = dictionaryCodes.withUnsafeBufferPointer { table in
          var j = i
          if let labels {
            let out = labels + rowStart
            while j < n {
              let index = UInt(bitPattern: Int(indices[j]))
              guard index < count else { break }
              let code = table[Int(index)]
              if code < 0 { break }
              out[j] = UInt8(truncatingIfNeeded: code)
              j += 1
            }
          } else if let codes {
            let out = codes + rowStart
            while j < n {
              let index = UInt(bitPattern: Int(indices[j]))
              guard index < count else { break }
              let code = table[Int(index)]
              if code < 0 { break }
              out[j] = code
              j += 1
            }
          }
          return j
        }
        if stop == n { break }
        let index = Int(indices[stop])
        guard index >= 0, UInt(index) < count else {
          throw ValueFailure(row: stop, kind: .dictionaryIndex(Int64(index), count: Int(count)))
        }
        // An entry used for the first time: typed once, then looked up.
        dictionaryCodes[index] = try resolveEntry(index, valueIndex: stop)
        i = stop
      }
    }
  }

  /// The local code (labels: the class) of dictionary entry `index`, first used by value
  /// `valueIndex`.
  private mutating func resolveEntry(_ index: Int, valueIndex: Int) throws -> Int32 {
    var code: Int32
    if kind.isBytes {
      let start = dictionaryStarts[index]
      let length = dictionaryLengths[index]
      let entry = Array(dictionaryArena[start..<(start + length)])
      if length == 0, labels == nil {
        guard case .category(_?) = request.kind else {
          throw ValueFailure(row: valueIndex, kind: missingKind)
        }
        return try missingGroupCode()
      }
      let known = byteKeys.count
      code = byteKeys.code(entry)
      if byteKeys.count > known {
        try entry.withUnsafeBytes { raw in
          try inserted(text: ColumnarSpelling.text(bytes: raw, kind: kind), index: valueIndex)
        }
      }
    } else {
      let bits = dictionaryBits[index]
      var isNew = false
      code = valueKeys.code(bits, inserted: &isNew)
      if isNew {
        try inserted(text: ColumnarSpelling.text(bits: bits, kind: kind), index: valueIndex)
      }
    }
    if labels != nil { return Int32(classes[Int(code)]) }
    return code
  }

  // MARK: Finishing

  /// What the part contributes to the merged column.
  struct Part {
    /// Categories: the local levels' spellings, in code (= first appearance) order.
    var levels: [String] = []
    /// Labels: the local spellings with their classes and first rows, in first-appearance order.
    var labelSpellings: [String] = []
    var labelClasses: [UInt8] = []
    var labelFirstRows: [Int] = []
  }

  /// Finishes the part of `rowCount` rows: renumbers category codes by first appearance (the
  /// missing group takes its place where its first null is) and spells the levels.
  mutating func finish(rowCount: Int) -> Part {
    var part = Part()
    switch request.kind {
    case .number: break
    case .label:
      part.labelSpellings = Array(levelSpellings.prefix(classes.count))
      part.labelClasses = classes
      part.labelFirstRows = firstRows
    case .category:
      var levels = levelSpellings
      if missingCode >= 0, let codes {
        // Nulls were filled after the values of their batch: restore first-appearance order.
        var order = [Int32](repeating: -1, count: levels.count)
        var next: Int32 = 0
        for i in 0..<rowCount {
          let c = Int(codes[i])
          if order[c] < 0 {
            order[c] = next
            next += 1
          }
          codes[i] = order[c]
        }
        var renumbered = [String](repeating: "", count: Int(next))
        for (old, new) in order.enumerated() where new >= 0 { renumbered[Int(new)] = levels[old] }
        levels = renumbered
      }
      part.levels = levels
    }
    return part
  }
}

/// Codes for fixed-width keys (the bits of an integer, float or boolean), in order of insertion;
/// a linear scan while there are few (labels, most groups), a hash table after.
struct ValueKeyTable {
  private var keys: [UInt64] = []
  /// Codes that stand for the missing group rather than a key.
  private var missing: [Bool] = []
  private var table: [UInt64: Int32] = [:]
  private var lastKey: UInt64 = 0
  private var lastCode: Int32 = -1

  var count: Int { keys.count }

  @inline(__always)
  mutating func code(_ key: UInt64, inserted: inout Bool) -> Int32 {
    inserted = false
    if lastCode >= 0, key == lastKey { return lastCode }
    var found: Int32 = -1
    if keys.count <= 16 {
      for (c, k) in keys.enumerated() where k == key && !missing[c] {
        found = Int32(c)
        break
      }
    } else if let c = table[key] {
      found = c
    }
    if found < 0 {
      found = Int32(keys.count)
      keys.append(key)
      missing.append(false)
      table[key] = found
      inserted = true
    }
    lastKey = key
    lastCode = found
    return found
  }

  /// A new code for the missing group.
  mutating func missingCode() -> Int32 {
    keys.append(0)
    missing.append(true)
    return Int32(keys.count - 1)
  }

  /// The key of `code`, or nil for the missing group.
  func bits(of code: Int32) -> UInt64? { missing[Int(code)] ? nil : keys[Int(code)] }
}

extension ByteInterner {
  /// The bytes of value `code`, contiguous.
  func bytesBuffer(of code: Int32) -> [UInt8] { Array(bytes(of: code)) }
}
