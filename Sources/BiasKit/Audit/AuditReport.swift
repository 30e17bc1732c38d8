/// An audit ready to be written: the frame, the optional bootstrap intervals and notes on
/// undefined values, with the JSON and CSV forms of the output contract.
///
/// JSON (`--format json`; keys in this order, doubles in full precision, undefined = `null`):
///
///     {"rows": N, "sensitive_features": ["sex","race"], "control_features": [],
///      "metrics": ["accuracy", …],
///      "overall": {"accuracy": 0.853, …},
///      "by_group": [{"group": ["Female","White"], "metrics": {"accuracy": …, "count": …}}, …],
///      "difference_between_groups": {…}, "difference_to_overall": {…},
///      "ratio_between_groups": {…}, "ratio_to_overall": {…},
///      "group_min": {…}, "group_max": {…},
///      "fairness": {"demographic_parity_difference": …, …},
///      "fairness_to_overall": {…}, "inequality": {"between_group_theil_index": …, …},
///      "notes": ["roc_auc is undefined for Female|Other: …"],
///      "intervals": {…}}            // only with --bootstrap
///
/// With control features, `overall` and each aggregate become arrays of
/// `{"control": [...], "metrics": {...}}`, and each `by_group` entry carries its `control` key.
/// `intervals` has the same shape with `[q₁, q₂, …]` arrays in place of numbers, plus
/// `quantiles`, `samples` and `seed`.
public struct AuditReport: Sendable {
  public let frame: MetricFrame
  /// One set of values per bootstrap quantile.
  public var intervals: [AuditValues]?
  public var bootstrap: Bootstrap?

  public init(frame: MetricFrame, intervals: [AuditValues]? = nil, bootstrap: Bootstrap? = nil) {
    self.frame = frame
    self.intervals = intervals
    self.bootstrap = bootstrap
  }

  /// The sections of aggregates, as named in the output.
  public static let aggregateSections: [(name: String, path: KeyPath<AuditValues, [[Double?]]>)] = [
    ("difference_between_groups", \.differenceBetweenGroups),
    ("difference_to_overall", \.differenceToOverall),
    ("ratio_between_groups", \.ratioBetweenGroups), ("ratio_to_overall", \.ratioToOverall),
    ("group_min", \.groupMin), ("group_max", \.groupMax),
  ]

  /// Why values are undefined, one line per (group, metric).
  public var notes: [String] {
    var notes: [String] = []
    for cell in frame.statistics.indices {
      let label = cellLabel(cell)
      for (m, metric) in frame.metrics.enumerated() where frame.values.byGroup[cell][m] == nil {
        notes.append(
          "\(metric.rawValue) is undefined for \(label): \(metric.undefinedReason(frame.statistics[cell]))"
        )
      }
    }
    return notes
  }

  func cellLabel(_ cell: Int) -> String {
    let g = cell % frame.groupCount
    let c = cell / frame.groupCount
    return (frame.controlFeatures.isEmpty ? [] : frame.controlKey(c)).joined(separator: "|")
      + (frame.controlFeatures.isEmpty ? "" : "|") + frame.groupKey(g).joined(separator: "|")
  }

  // MARK: JSON

  public func json() -> JSONValue {
    var members: [(String, JSONValue)] = [
      ("rows", .integer(frame.rowCount)),
      ("sensitive_features", .array(frame.sensitiveFeatures.map { .string($0) })),
      ("control_features", .array(frame.controlFeatures.map { .string($0) })),
      ("metrics", .array(frame.metrics.map { .string($0.rawValue) })),
    ]
    members += sections(frame.values) { .number($0) }
    members.append(("notes", .array(notes.map { .string($0) })))
    if let intervals, let bootstrap {
      var section: [(String, JSONValue)] = [
        ("quantiles", .array(bootstrap.quantiles.map { .number($0) })),
        ("samples", .integer(bootstrap.samples)),
        ("seed", .integer(Int(truncatingIfNeeded: bootstrap.seed))),
      ]
      let combined = intervalValues(intervals)
      section += sections(combined.template) { index in combined.lookup(index) }
      members.append(("intervals", .object(section)))
    }
    return .object(members)
  }

  /// The values of every section, rendering each number with `render` (numbers or intervals).
  /// `render` receives the value for plain output, or the flat index for intervals.
  private func sections<T>(_ values: AuditValues, render: (T) -> JSONValue) -> [(String, JSONValue)]
  where T: IntervalIndexable {
    var flatIndex = 0
    func cell(_ value: Double?) -> JSONValue {
      defer { flatIndex += 1 }
      return render(T.make(value: value, index: flatIndex))
    }
    let metrics = frame.metrics
    let hasControl = !frame.controlFeatures.isEmpty
    func metricObject(_ row: [Double?]) -> JSONValue {
      .object(zip(metrics, row).map { ($0.rawValue, cell($1)) })
    }
    func perControl(_ table: [[Double?]]) -> JSONValue {
      if !hasControl { return metricObject(table[0]) }
      return .array(
        table.enumerated().map { c, row in
          .object([
            ("control", .array(frame.controlKey(c).map { .string($0) })),
            ("metrics", metricObject(row)),
          ])
        })
    }
    var out: [(String, JSONValue)] = []
    out.append(("overall", perControl(values.overall)))
    out.append(
      (
        "by_group",
        .array(
          values.byGroup.enumerated().map { index, row in
            var entry: [(String, JSONValue)] = []
            if hasControl {
              entry.append(
                ("control", .array(frame.controlKey(index / frame.groupCount).map { .string($0) })))
            }
            entry.append(
              ("group", .array(frame.groupKey(index % frame.groupCount).map { .string($0) })))
            entry.append(("metrics", metricObject(row)))
            return .object(entry)
          })
      ))
    let order = AuditValues.aggregatesInFlatOrder
    var rendered: [String: JSONValue] = [:]
    for (name, path) in order { rendered[name] = perControl(values[keyPath: path]) }
    for (name, _) in AuditReport.aggregateSections { out.append((name, rendered[name]!)) }
    let isRegression = frame.statistics.contains { $0.regression != nil }
    func named(_ table: [[Double?]], _ names: [String]) -> JSONValue {
      func object(_ row: [Double?]) -> JSONValue { .object(zip(names, row).map { ($0, cell($1)) }) }
      if !hasControl { return object(table[0]) }
      return .array(
        table.enumerated().map { c, row in
          .object([
            ("control", .array(frame.controlKey(c).map { .string($0) })), ("values", object(row)),
          ])
        })
    }
    let measures = FairnessMeasure.allCases.map(\.rawValue)
    let fairness = named(values.fairness, measures)
    let toOverall = named(values.fairnessToOverall, measures)
    let inequality = named(values.betweenGroupInequality, AuditValues.betweenGroupInequalityNames)
    if !isRegression {
      out.append(("fairness", fairness))
      out.append(("fairness_to_overall", toOverall))
      out.append(("inequality", inequality))
    }
    return out
  }

  private func intervalValues(
    _ intervals: [AuditValues]
  ) -> (template: AuditValues, lookup: (Int) -> JSONValue) {
    let flats = intervals.map(\.flattened)
    return (frame.values, { index in .array(flats.map { .number($0[index]) }) })
  }

  // MARK: CSV

  /// Long form: `section,control,group,metric,value` (plus `q…` columns with intervals).
  public func csv() -> String {
    var lines = [
      "section,control,group,metric,value" + (bootstrap?.quantiles.map { ",q\($0)" }.joined() ?? "")
    ]
    let flats = intervals?.map(\.flattened)
    var flatIndex = 0
    func add(
      _ section: String, _ control: String, _ group: String, _ metric: String, _ value: Double?
    ) {
      var line = [section, control, group, metric].map(CSVText.escape).joined(separator: ",")
      line += "," + CSVText.number(value)
      if let flats {
        for f in flats { line += "," + CSVText.number(f[flatIndex].isNaN ? nil : f[flatIndex]) }
      }
      flatIndex += 1
      lines.append(line)
    }
    let v = frame.values
    let controls = frame.controlCount
    func controlName(_ c: Int) -> String {
      frame.controlFeatures.isEmpty ? "" : frame.controlKey(c).joined(separator: "|")
    }
    for c in 0..<controls {
      for (m, metric) in frame.metrics.enumerated() {
        add("overall", controlName(c), "", metric.rawValue, v.overall[c][m])
      }
    }
    for (cell, row) in v.byGroup.enumerated() {
      for (m, metric) in frame.metrics.enumerated() {
        add(
          "by_group", controlName(cell / frame.groupCount),
          frame.groupKey(cell % frame.groupCount).joined(separator: "|"),
          metric.rawValue, row[m])
      }
    }
    let order = AuditValues.aggregatesInFlatOrder
    for (name, path) in order {
      for c in 0..<controls {
        for (m, metric) in frame.metrics.enumerated() {
          add(name, controlName(c), "", metric.rawValue, v[keyPath: path][c][m])
        }
      }
    }
    let measures = FairnessMeasure.allCases.map(\.rawValue)
    for (section, table, names) in [
      ("fairness", v.fairness, measures), ("fairness_to_overall", v.fairnessToOverall, measures),
      ("inequality", v.betweenGroupInequality, AuditValues.betweenGroupInequalityNames),
    ] {
      for c in 0..<controls {
        for (k, name) in names.enumerated() { add(section, controlName(c), "", name, table[c][k]) }
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: Lookup (for bounds)

  /// The values a bound names: a fairness scalar (`demographic_parity_difference`), an
  /// inequality index, `SECTION.METRIC` for an aggregate or `overall` (one value per control
  /// level), or `by_group.METRIC` (every group). Nil if the name is unknown.
  public func values(named name: String) -> [(label: String, value: Double?)]? {
    let v = frame.values
    func label(_ c: Int) -> String {
      frame.controlFeatures.isEmpty
        ? name : "\(name) [\(frame.controlKey(c).joined(separator: "|"))]"
    }
    func perControl(_ table: [[Double?]], _ k: Int) -> [(label: String, value: Double?)] {
      table.indices.map { (label($0), table[$0][k]) }
    }
    if let k = FairnessMeasure.allCases.firstIndex(where: { $0.rawValue == name }) {
      return perControl(v.fairness, k)
    }
    if name.hasSuffix("_to_overall"),
      let k = FairnessMeasure.allCases.firstIndex(where: { $0.rawValue + "_to_overall" == name })
    {
      return perControl(v.fairnessToOverall, k)
    }
    if let k = AuditValues.betweenGroupInequalityNames.firstIndex(of: name) {
      return perControl(v.betweenGroupInequality, k)
    }
    let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
    guard parts.count == 2, let metric = Metric(name: parts[1]),
      let m = frame.metrics.firstIndex(of: metric)
    else {
      return nil
    }
    if parts[0] == "overall" { return v.overall.indices.map { (label($0), v.overall[$0][m]) } }
    if parts[0] == "by_group" {
      return v.byGroup.indices.compactMap { cell in
        frame.statistics[cell].confusion.rows == 0
          ? nil : ("\(name) [\(cellLabel(cell))]", v.byGroup[cell][m])
      }
    }
    guard let section = AuditReport.aggregateSections.first(where: { $0.name == parts[0] }) else {
      return nil
    }
    let table = v[keyPath: section.path]
    return table.indices.map { (label($0), table[$0][m]) }
  }

  /// Every name ``values(named:)`` accepts, for error messages.
  public var boundNames: [String] {
    FairnessMeasure.allCases.map(\.rawValue) + AuditValues.betweenGroupInequalityNames
      + (["overall", "by_group"] + AuditReport.aggregateSections.map(\.name)).map { "\($0).METRIC" }
  }
}

/// Lets one renderer serve plain values and interval indices.
protocol IntervalIndexable { static func make(value: Double?, index: Int) -> Self }
extension Optional: IntervalIndexable where Wrapped == Double {
  static func make(value: Double?, index: Int) -> Double? { value }
}
extension Int: IntervalIndexable {
  static func make(value: Double?, index: Int) -> Int { index }
}

/// Text helpers for CSV output.
public enum CSVText {
  /// Quotes a field when it holds a comma, quote or line break (``CSVWriter/field(_:)``).
  public static func escape(_ field: String) -> String { CSVWriter.field(field) }

  /// A number in full precision, or empty when undefined.
  public static func number(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "" }
    return "\(value)"
  }
}
