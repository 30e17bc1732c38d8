import Foundation

/// The read of a columnar file shared by ``ParquetReader`` and ``ArrowReader``: requests mapped
/// to the file's columns (each read once, as one kind), output columns reserved for every row,
/// one task per (part, column) on all cores writing straight into its rows, the first failure in
/// row order reported, and the parts merged (``ColumnarMerge``).
enum ColumnarTableRead {
  /// A column of the file as the read sees it.
  struct FileColumn {
    var name: String
    var kind: ColumnarValueKind?
    var refusal: String?
  }

  /// Raw output pointers, one per slot (rows of the whole file).
  private struct Outputs: @unchecked Sendable {
    var numbers: [UnsafeMutablePointer<Double>?]
    var labels: [UnsafeMutablePointer<UInt8>?]
    var codes: [UnsafeMutablePointer<Int32>?]
  }

  private struct Outcome {
    var part: ColumnarTarget.Part
    var failure: ParquetFailure?
  }

  /// Reads `requests` from a file of `columns` in parts of `partRowCounts` rows; `decode` types
  /// column `index` of part `p` into the target (from any thread) and returns its failure, if
  /// any; `cost` weighs the tasks for progress.
  static func read(
    path: String, partName: String, columns: [FileColumn], partRowCounts: [Int],
    requests: [ColumnRequest], progress: (@Sendable (Double) -> Void)?,
    cost: (Int, Int) -> Int,
    decode: (Int, Int, inout ColumnarTarget) -> ParquetFailure?
  ) throws -> Table {
    let names = columns.map(\.name)
    var slots: [Int] = []  // the file column of each slot
    var slotOf: [Int: Int] = [:]
    var slotRequests: [ColumnRequest] = []
    var requestSlot: [Int] = []
    for request in requests {
      guard let index = names.firstIndex(of: request.name) else {
        throw BiasKitError.unknownColumn(request.name, in: path, available: names)
      }
      if let refusal = columns[index].refusal {
        throw BiasKitError.unreadableColumn(request.name, in: path, refusal)
      }
      if let slot = slotOf[index] {
        if slotRequests[slot].kind != request.kind {
          throw BiasKitError.columnReadTwoWays(
            request.name, in: path, slotRequests[slot].kind, request.kind)
        }
        requestSlot.append(slot)
      } else {
        slotOf[index] = slots.count
        requestSlot.append(slots.count)
        slots.append(index)
        slotRequests.append(request)
      }
    }
    var starts: [Int] = []
    var rowCount = 0
    for rows in partRowCounts {
      starts.append(rowCount)
      rowCount += rows
    }
    if rowCount == 0 { throw BiasKitError.noDataRows(path) }

    var numbers: [[Double]] = slotRequests.map {
      if case .number = $0.kind { return uninitializedArray(count: rowCount) }
      return []
    }
    var labels: [[UInt8]] = slotRequests.map {
      if case .label = $0.kind { return uninitializedArray(count: rowCount) }
      return []
    }
    var codes: [[Int32]] = slotRequests.map {
      if case .category = $0.kind { return uninitializedArray(count: rowCount) }
      return []
    }
    // The arrays are not resized while these pointers are in use.
    let outputs = Outputs(
      numbers: numbers.indices.map { k in
        numbers[k].isEmpty ? nil : numbers[k].withUnsafeMutableBufferPointer { $0.baseAddress }
      },
      labels: labels.indices.map { k in
        labels[k].isEmpty ? nil : labels[k].withUnsafeMutableBufferPointer { $0.baseAddress }
      },
      codes: codes.indices.map { k in
        codes[k].isEmpty ? nil : codes[k].withUnsafeMutableBufferPointer { $0.baseAddress }
      })

    let partCount = partRowCounts.count
    var tasks: [(part: Int, slot: Int, cost: Int)] = []
    for p in 0..<partCount where partRowCounts[p] > 0 {
      for (s, index) in slots.enumerated() { tasks.append((p, s, max(0, cost(p, index)))) }
    }
    let done = ProgressCounter(total: max(1, tasks.reduce(0) { $0 &+ $1.cost }))
    var outcomes = [Outcome?](repeating: nil, count: tasks.count)
    outcomes.withUnsafeMutableBufferPointer { outcomes in
      DispatchQueue.concurrentPerform(iterations: tasks.count) { t in
        let (p, s, weight) = tasks[t]
        let start = starts[p]
        let index = slots[s]
        var target = ColumnarTarget(
          request: slotRequests[s], kind: columns[index].kind!,
          numbers: outputs.numbers[s].map { $0 + start },
          labels: outputs.labels[s].map { $0 + start },
          codes: outputs.codes[s].map { $0 + start })
        let failure = decode(p, index, &target)
        outcomes[t] = Outcome(
          part: target.finish(rowCount: failure == nil ? partRowCounts[p] : 0), failure: failure)
        if let progress { progress(done.add(weight)) }
      }
    }

    // The first failure in row order (then file column order), across tasks and label merges.
    var failure: (key: [Int], error: BiasKitError)? = nil
    func consider(_ key: [Int], _ error: @autoclosure () -> BiasKitError) {
      if failure == nil || key.lexicographicallyPrecedes(failure!.key) { failure = (key, error()) }
    }
    var parts = [[ColumnarTarget.Part]](
      repeating: [ColumnarTarget.Part](repeating: .init(), count: partCount), count: slots.count)
    for (t, task) in tasks.enumerated() {
      guard let outcome = outcomes[t] else { continue }
      parts[task.slot][task.part] = outcome.part
      if let f = outcome.failure {
        consider(
          [f.rowGroup, f.row ?? 0, slots[task.slot]],
          error(f, path: path, partName: partName, column: names[slots[task.slot]]))
      }
    }
    var labelNames: [Int: (String?, String?)] = [:]
    for (s, request) in slotRequests.enumerated() {
      guard case .label(let positive) = request.kind else { continue }
      switch ColumnarMerge.labelNames(parts[s], positive: positive) {
      case .success(let names): labelNames[s] = names
      case .failure(let f):
        consider(
          [f.part, f.row, slots[s]],
          BiasKitError.columnarValue(
            ColumnarLocation(
              file: path, partName: partName, part: f.part, row: f.row, column: names[slots[s]]),
            f.kind))
      }
    }
    if let failure { throw failure.error }

    var result: [Column] = []
    for (s, request) in slotRequests.enumerated() {
      switch request.kind {
      case .number:
        result.append(.numbers(numbers[s]))
        numbers[s] = []
      case .label:
        let names = labelNames[s] ?? (nil, nil)
        result.append(
          .labels(LabelColumn(values: labels[s], negativeName: names.0, positiveName: names.1)))
        labels[s] = []
      case .category:
        let levels = ColumnarMerge.categories(
          parts[s], codes: outputs.codes[s]!, starts: starts, counts: partRowCounts)
        result.append(.categories(CategoricalColumn(codes: codes[s], levels: levels)))
        codes[s] = []
      }
    }
    return Table(
      rowCount: rowCount, names: requests.map(\.name), columns: requestSlot.map { result[$0] })
  }

  static func error(
    _ failure: ParquetFailure, path: String, partName: String, column: String
  ) -> BiasKitError {
    var location = ColumnarLocation(
      file: path, partName: partName, part: failure.rowGroup, column: column, page: failure.page)
    switch failure.kind {
    case .malformed(let reason):
      return .malformedParquet(location, reason)
    case .value(let kind):
      location.row = failure.row
      switch kind {
      case .dictionaryIndex, .noDictionary: break
      default: location.page = nil
      }
      return .columnarValue(location, kind)
    }
  }
}
