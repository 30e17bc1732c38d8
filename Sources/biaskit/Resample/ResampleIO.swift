import ArgumentParser
import BiasKit
import Foundation

/// The data a resampling run works on, with what is needed to write it back.
struct ResampleData {
  var features: Matrix
  var labels: [Int]
  /// The text of each class label as read (CSV), or nil for `.npy` (integers).
  var labelNames: [Int: String]?
  var targetName: String
  var groups: (codes: [Int32], names: [String], column: String?)?
  var categoricalColumns: [Int] = []
  /// Levels of each categorical CSV column (by feature index): the matrix holds level codes.
  var categoricalLevels: [Int: [String]] = [:]
}

struct ResampleInputOptions: ParsableArguments {
  @Option(help: "Input CSV file (with --target).")
  var input: String?

  @Option(help: "The target column of the CSV input.")
  var target: String?

  @Option(help: "Feature columns of the CSV input, comma-separated (default: every other column).")
  var features: String?

  @Option(
    help: "Feature matrix as a .npy file (2-D, little-endian float64/float32/integers, C order).")
  var x: String?

  @Option(help: "Target as a .npy file (1-D integers).")
  var y: String?

  @Option(
    help:
      "Categorical feature columns for smote-nc: CSV column names, or 0-based indices with --x, comma-separated."
  )
  var categorical: String?

  @Option(
    help:
      "Resample within each group of this CSV column (or, with --x, a 1-D integer .npy file), so that every group reaches the requested balance."
  )
  var sensitive: String?

  /// The files the command reads.
  var files: [String?] { [input, x, y, sensitive] }

  func validate() throws {
    switch (input, x) {
    case (nil, nil):
      throw ValidationError("give --input data.csv --target COLUMN, or --x X.npy --y y.npy")
    case (.some, .some):
      throw ValidationError("give either --input (CSV) or --x/--y (.npy), not both")
    case (.some, nil):
      if target == nil { throw ValidationError("--input needs --target COLUMN") }
      if y != nil { throw ValidationError("--y goes with --x, not with --input") }
    case (nil, .some):
      if y == nil { throw ValidationError("--x needs --y y.npy") }
      if target != nil || features != nil {
        throw ValidationError("--target and --features go with --input (CSV)")
      }
    }
  }

  func load(allCategorical: Bool = false) throws -> ResampleData {
    if let path = input, let target {
      return try loadCSV(path, target: target, allCategorical: allCategorical)
    }
    let matrix = try NumpyArray.readMatrix(path: x!)
    let labels = try NumpyArray.readLabels(path: y!)
    guard labels.count == matrix.rows else {
      throw BiasKitError(
        .malformedInput, "\(y!): \(labels.count) labels for the \(matrix.rows) rows of \(x!)")
    }
    try checkFinite(matrix, path: x!, line: nil)
    var data = ResampleData(
      features: matrix, labels: labels, labelNames: nil, targetName: "y", groups: nil)
    if let categorical {
      data.categoricalColumns = try categorical.split(separator: ",").map { item in
        let text = item.trimmingCharacters(in: .whitespaces)
        guard let j = Int(text), j >= 0, j < matrix.columns else {
          throw BiasKitError(
            .invalidArgument,
            "--categorical: '\(text)' is not a column index of \(x!) (0..<\(matrix.columns))")
        }
        return j
      }
    }
    if let sensitive {
      let codes = try NumpyArray.readLabels(path: sensitive)
      guard codes.count == matrix.rows else {
        throw BiasKitError(
          .malformedInput,
          "\(sensitive): \(codes.count) groups for the \(matrix.rows) rows of \(x!)")
      }
      let levels = Array(Set(codes)).sorted()
      let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, Int32($0)) })
      data.groups = (codes.map { index[$0]! }, levels.map(String.init), nil)
    }
    return data
  }

  private func loadCSV(_ path: String, target: String, allCategorical: Bool) throws -> ResampleData
  {
    let reader = try TableSources.open(path)
    try reader.requireColumn(target)
    if let sensitive { try reader.requireColumn(sensitive) }
    var names: [String]
    if let features {
      names = features.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      for name in names { try reader.requireColumn(name) }
    } else {
      names = reader.columnNames.filter { $0 != target && $0 != sensitive }
    }
    guard !names.isEmpty else {
      throw BiasKitError(.invalidArgument, "\(path): no feature columns besides the target")
    }
    let categoricalNames =
      allCategorical
      ? Set(names)
      : Set(
        (categorical ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
          .filter { !$0.isEmpty })
    for name in categoricalNames where !names.contains(name) {
      throw BiasKitError(
        .unknownName, "--categorical: '\(name)' is not a feature column of \(path)")
    }
    var requests = names.map {
      categoricalNames.contains($0) ? ColumnRequest.category($0) : ColumnRequest.number($0)
    }
    requests.append(.category(target))
    if let sensitive { requests.append(.category(sensitive)) }
    let table = try reader.read(requests)
    var categoricalLevels: [Int: [String]] = [:]
    let vectors: [[Double]] = table.columns.prefix(names.count).enumerated().map { j, column in
      if let numbers = column.numbers { return numbers }
      // Codes in sorted level order, as scikit-learn's encoders order categories.
      let categories = column.categories!
      let sorted = categories.levels.enumerated().sorted { $0.element < $1.element }
      var rank = [Int](repeating: 0, count: sorted.count)
      for (r, entry) in sorted.enumerated() { rank[entry.offset] = r }
      categoricalLevels[j] = sorted.map(\.element)
      return categories.codes.map { Double(rank[Int($0)]) }
    }
    let matrix = Matrix(columnVectors: vectors, columnNames: names)
    try checkFinite(
      matrix, path: path, line: { reader.location(row: $0, column: names[0]).withoutColumn })
    let targetColumn = table.columns[names.count].categories!
    // Classes in imbalanced-learn's order: numeric labels by value, text labels alphabetically.
    let numeric = targetColumn.levels.map { Int($0.trimmingCharacters(in: .whitespaces)) }
    var labelOfLevel: [Int]
    var labelNames: [Int: String] = [:]
    if numeric.allSatisfy({ $0 != nil }) && Set(numeric.map { $0! }).count == numeric.count {
      labelOfLevel = numeric.map { $0! }
    } else {
      let sorted = targetColumn.levels.enumerated().sorted { $0.element < $1.element }
      labelOfLevel = [Int](repeating: 0, count: sorted.count)
      for (rank, entry) in sorted.enumerated() { labelOfLevel[entry.offset] = rank }
    }
    for (level, label) in zip(targetColumn.levels, labelOfLevel) { labelNames[label] = level }
    let labels = targetColumn.codes.map { labelOfLevel[Int($0)] }
    var data = ResampleData(
      features: matrix, labels: labels, labelNames: labelNames, targetName: target, groups: nil)
    data.categoricalColumns = categoricalLevels.keys.sorted()
    data.categoricalLevels = categoricalLevels
    if let sensitive {
      let column = table.columns[names.count + 1].categories!
      data.groups = (column.codes, column.levels, sensitive)
    }
    return data
  }

  private func checkFinite(_ m: Matrix, path: String, line: ((Int) -> SourceLocation)?) throws {
    guard let bad = m.values.firstIndex(where: { !$0.isFinite }) else { return }
    let row = bad / m.columns
    let column = bad % m.columns
    let name = m.columnNames.isEmpty ? "column \(column)" : "column '\(m.columnNames[column])'"
    if let line {
      throw BiasKitError(
        .invalidValue,
        "\(line(row)): \(name) is \(m.values[bad]); resampling needs finite numbers (no NaN or infinity)"
      )
    }
    throw BiasKitError(
      .invalidValue,
      "\(path): row \(row), \(name) is \(m.values[bad]); resampling needs finite numbers (no NaN or infinity)"
    )
  }
}

struct ResampleOutputOptions: ParsableArguments {
  @Option(help: "Output CSV file (with --input).")
  var output: String?

  @Option(help: "Output feature matrix, .npy (with --x).")
  var outputX: String?

  @Option(help: "Output target, .npy (with --x).")
  var outputY: String?

  @Option(
    help:
      "Also write, as a 1-D int64 .npy (or one number per line for a .txt/.csv path), the input row of each output row; -1 for synthetic rows."
  )
  var indices: String?

  @Option(help: "Summary format: text or json.")
  var format: String = "text"

  /// The files the command writes, with their flags.
  var files: [(flag: String, path: String?)] {
    [
      ("--output", output), ("--output-x", outputX), ("--output-y", outputY),
      ("--indices", indices),
    ]
  }

  func validate(csv: Bool) throws {
    guard format == "text" || format == "json" else {
      throw ValidationError("--format must be text or json")
    }
    if csv {
      if output == nil { throw ValidationError("--input needs --output out.csv") }
      if outputX != nil || outputY != nil {
        throw ValidationError("--output-x/--output-y go with --x/--y; use --output with --input")
      }
    } else {
      if outputX == nil || outputY == nil {
        throw ValidationError("--x/--y need --output-x and --output-y")
      }
      if output != nil {
        throw ValidationError("--output goes with --input (CSV); use --output-x/--output-y")
      }
    }
  }

  func write(_ result: Resampled, data: ResampleData) throws {
    let input = data.features
    let d = input.columns
    // Every destination was validated before the work (OutputPaths.check in run()).
    let labels = result.labels(from: data.labels)
    if let outputX, let outputY {
      try NumpyArray.writeFloat64(rows: result.count, columns: d, to: outputX) { emit in
        if result.isAppendOnly {
          try input.values.withUnsafeBytes { try emit($0) }
          try result.synthetic.values.withUnsafeBytes { try emit($0) }
          return
        }
        var chunk: [Double] = []
        chunk.reserveCapacity(1 << 16)
        for r in 0..<result.count {
          chunk.append(contentsOf: result.row(r, from: input))
          if chunk.count >= 1 << 16 {
            try chunk.withUnsafeBytes { try emit($0) }
            chunk.removeAll(keepingCapacity: true)
          }
        }
        try chunk.withUnsafeBytes { try emit($0) }
      }
      try NumpyArray.write(labels: labels, to: outputY)
    } else if let output {
      try writeCSV(result, labels: labels, data: data, to: output)
    }
    if let indices {
      let rows = result.sources.map { $0 < result.inputRows ? $0 : -1 }
      if indices.hasSuffix(".npy") {
        try NumpyArray.write(labels: rows, to: indices)
      } else {
        try AtomicFileWriter.write(
          rows.map(String.init).joined(separator: "\n") + "\n", to: indices)
      }
    }
  }

  private func writeCSV(
    _ result: Resampled, labels: [Int], data: ResampleData, to path: String
  )
    throws
  {
    let input = data.features
    func field(_ s: String) -> String { CSVWriter.field(s) }
    func number(_ v: Double) -> String {
      v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)"
    }
    var groupOfRow: [String]? = nil
    if let groups = data.groups {
      groupOfRow = result.sources.map { s in
        s < result.inputRows
          ? groups.names[Int(groups.codes[s])]
          : groups.names[result.syntheticGroups?[s - result.inputRows] ?? 0]
      }
    }
    try AtomicFileWriter.write(to: path) { output in
      var header = input.columnNames.map(field) + [field(data.targetName)]
      if let column = data.groups?.column { header.append(field(column)) }
      var buffer = header.joined(separator: ",") + "\n"
      for r in 0..<result.count {
        let values = result.row(r, from: input)
        var line = values.enumerated().map { j, v in
          data.categoricalLevels[j].map { field($0[Int(v)]) } ?? number(v)
        }.joined(separator: ",")
        line += "," + field(data.labelNames?[labels[r]] ?? String(labels[r]))
        if let groupOfRow { line += "," + field(groupOfRow[r]) }
        buffer += line + "\n"
        if buffer.utf8.count > 1 << 20 {
          try output.write(buffer)
          buffer = ""
        }
      }
      try output.write(buffer)
    }
  }

  func printSummary(
    method: ResampleMethod, before: ClassCounts, after: ClassCounts, data: ResampleData,
    result: Resampled
  ) {
    let classes = Array(Set(before.classes + after.classes)).sorted()
    func name(_ c: Int) -> String { data.labelNames?[c] ?? String(c) }
    if format == "json" {
      var beforeTable: [String: Int] = [:]
      var afterTable: [String: Int] = [:]
      for c in classes {
        beforeTable[name(c)] = before[c]
        afterTable[name(c)] = after[c]
      }
      let object: [String: Any] = [
        "method": method.rawValue,
        "rows_before": data.labels.count,
        "rows_after": result.count,
        "synthetic_rows": result.synthetic.rows,
        "kept_input_rows": result.sources.filter { $0 < result.inputRows }.count,
        "class_counts_before": beforeTable,
        "class_counts_after": afterTable,
      ]
      let json = try! JSONSerialization.data(
        withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
      print(String(decoding: json, as: UTF8.self))
    } else {
      print(
        "\(method.rawValue): \(data.labels.count) rows -> \(result.count) rows (\(result.synthetic.rows) synthetic)"
      )
      let width = max(5, classes.map { name($0).count }.max() ?? 5)
      print("class".padding(toLength: width, withPad: " ", startingAt: 0) + "   before    after")
      for c in classes {
        let b = String(before[c])
        let a = String(after[c])
        print(
          name(c).padding(toLength: width, withPad: " ", startingAt: 0)
            + String(repeating: " ", count: max(1, 9 - b.count)) + b
            + String(repeating: " ", count: max(1, 9 - a.count)) + a)
      }
    }
  }
}
