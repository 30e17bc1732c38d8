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
/// The aggregates come in ``Aggregate`` order. With control features, `overall` and each
/// aggregate become arrays of `{"control": [...], "metrics": {...}}`, and each `by_group` entry
/// carries its `control` key. `intervals` has the same shape with `[q₁, q₂, …]` arrays in place
/// of numbers, plus `quantiles`, `samples` and `seed`. A regression audit has no `fairness`,
/// `fairness_to_overall` or `inequality`.
///
/// - Complexity: O(cells × metrics) to render.
public struct AuditReport: Sendable {
  /// The audit.
  public let frame: MetricFrame
  /// The bootstrap intervals of every value, when the audit was bootstrapped.
  public let intervals: Bootstrap.Intervals?
  /// The one-vs-rest audits of a multiclass audit's classes.
  public let classAudit: ClassAudit?
  /// The confidence level of the Wilson intervals of the rates, when asked for
  /// (``WilsonInterval``; JSON `wilson_intervals`).
  public var wilsonConfidence: Double? = nil

  /// The report of `frame`, with its bootstrap intervals and class audits if any.
  public init(
    frame: MetricFrame, intervals: Bootstrap.Intervals? = nil, classAudit: ClassAudit? = nil
  ) {
    self.frame = frame
    self.intervals = intervals
    self.classAudit = classAudit
  }

  /// Why values are undefined, one line per (cell, metric).
  public var notes: [String] { notes(limit: .max).notes }

  /// The first `limit` notes of ``notes``, and how many there are in all.
  public func notes(limit: Int) -> (notes: [String], total: Int) {
    var notes: [String] = []
    var total = 0
    let layout = frame.layout
    for (index, cell) in layout.cells.enumerated() {
      for (m, metric) in frame.metrics.enumerated()
      where frame.values.value(at: m, cellIndex: index) == nil {
        total += 1
        guard notes.count < limit else { continue }
        notes.append(
          "\(metric.rawValue) is undefined for \(layout.label(of: cell)): \(metric.undefinedReason(frame.statistics[index]))"
        )
      }
    }
    return (notes, total)
  }

  // MARK: JSON

  /// The report as the JSON of the output contract.
  public func json() -> JSONValue {
    var members: [(String, JSONValue)] = [
      ("rows", .integer(frame.rowCount)),
      ("sensitive_features", .array(frame.sensitiveFeatures.map { .string($0) })),
      ("control_features", .array(frame.controlFeatures.map { .string($0) })),
      ("metrics", .array(frame.metrics.map { .string($0.rawValue) })),
    ]
    if frame.isMulticlass {
      members.append(("task", .string("multiclass")))
      members.append(("classes", .array(frame.classes.map { .string($0) })))
    }
    members += sections { value in .number(value(frame.values)) }
    if let classAudit { members += multiclassSections(classAudit) }
    members.append(("notes", .array(notes.map { .string($0) })))
    if let intervals {
      let bootstrap = intervals.bootstrap
      var section: [(String, JSONValue)] = [
        ("quantiles", .array(bootstrap.quantiles.map { .number($0) })),
        ("samples", .integer(bootstrap.samples)),
        ("seed", .integer(Int(truncatingIfNeeded: bootstrap.seed))),
      ]
      section += sections { value in .array(intervals.values.map { .number(value($0)) }) }
      members.append(("intervals", .object(section)))
    }
    if let wilsonConfidence, let section = wilsonSection(confidence: wilsonConfidence) {
      members.append(("wilson_intervals", section))
    }
    return .object(members)
  }

  /// `{confidence, metrics, overall: {metric: [lo, hi]}, by_group: [{group, metric: [lo, hi]}]}`
  /// (with control features, `overall` is a list with each level's `control`), for the
  /// audited metrics that are rates; nil when there is none or the audit is not binary.
  func wilsonSection(confidence: Double) -> JSONValue? {
    let layout = frame.layout
    let metrics = frame.metrics.filter { WilsonInterval.rates.contains($0) }
    guard frame.isBinary, !metrics.isEmpty else { return nil }
    func interval(_ metric: Metric, _ counts: ConfusionCounts) -> JSONValue {
      guard let (x, n) = WilsonInterval.rateCounts(metric, of: counts),
        let w = try? WilsonInterval(successes: x, trials: n, confidence: confidence)
      else { return .null }
      return .array([.number(w.lower), .number(w.upper)])
    }
    func controlKey(_ c: Int) -> JSONValue { .array(layout.controlKey(c).map { .string($0) }) }
    var overall: [JSONValue] = []
    for c in 0..<layout.controlCount {
      var total = ConfusionCounts()
      for index in layout.indices(inControl: c) { total.add(frame.statistics[index].confusion) }
      let values: [(String, JSONValue)] = metrics.map { ($0.rawValue, interval($0, total)) }
      overall.append(.object((layout.hasControl ? [("control", controlKey(c))] : []) + values))
    }
    let byGroup: [JSONValue] = layout.cells.enumerated().map { index, cell in
      var entry: [(String, JSONValue)] = []
      if layout.hasControl { entry.append(("control", controlKey(cell.control))) }
      entry.append(("group", .array(layout.groupKey(cell.group).map { .string($0) })))
      entry += metrics.map { ($0.rawValue, interval($0, frame.statistics[index].confusion)) }
      return .object(entry)
    }
    return .object([
      ("confidence", .number(confidence)), ("method", .string("wilson")),
      ("counts", .string("unweighted rows")),
      ("metrics", .array(metrics.map { .string($0.rawValue) })),
      ("overall", layout.hasControl ? .array(overall) : overall[0]),
      ("by_group", .array(byGroup)),
    ])
  }

  /// The value sections, each number rendered by `render`, which receives the lookup of the
  /// value in an ``AuditValues`` (the frame's own, or each interval quantile's).
  func sections(
    _ render: ((AuditValues) -> Double?) -> JSONValue
  ) -> [(String, JSONValue)] {
    let layout = frame.layout
    let metrics = frame.metrics
    func controlKey(_ c: Int) -> JSONValue { .array(layout.controlKey(c).map { .string($0) }) }
    func metricObject(_ value: @escaping (AuditValues, Int) -> Double?) -> JSONValue {
      .object(metrics.indices.map { m in (metrics[m].rawValue, render { value($0, m) }) })
    }
    func perControl(_ value: @escaping (AuditValues, Int, Int) -> Double?) -> JSONValue {
      if !layout.hasControl { return metricObject { value($0, $1, 0) } }
      return .array(
        (0..<layout.controlCount).map { c in
          .object([("control", controlKey(c)), ("metrics", metricObject { value($0, $1, c) })])
        })
    }
    var out: [(String, JSONValue)] = []
    out.append(("overall", perControl { $0.overall(at: $1, control: $2) }))
    out.append(
      (
        "by_group",
        .array(
          layout.cells.enumerated().map { index, cell in
            var entry: [(String, JSONValue)] = []
            if layout.hasControl { entry.append(("control", controlKey(cell.control))) }
            entry.append(("group", .array(layout.groupKey(cell.group).map { .string($0) })))
            entry.append(("metrics", metricObject { $0.value(at: $1, cellIndex: index) }))
            return .object(entry)
          })
      ))
    for aggregate in Aggregate.allCases {
      out.append(
        (aggregate.rawValue, perControl { $0.aggregate(aggregate, at: $1, control: $2) }))
    }
    guard frame.isBinary else { return out }
    func named<Name: RawRepresentable>(
      _ names: [Name], _ value: @escaping (AuditValues, Name, Int) -> Double?
    ) -> JSONValue where Name.RawValue == String {
      func object(_ c: Int) -> JSONValue {
        .object(names.map { name in (name.rawValue, render { value($0, name, c) }) })
      }
      if !layout.hasControl { return object(0) }
      return .array(
        (0..<layout.controlCount).map { c in
          .object([("control", controlKey(c)), ("values", object(c))])
        })
    }
    out.append(("fairness", named(FairnessMeasure.allCases) { $0.fairness($1, control: $2) }))
    out.append(
      (
        "fairness_to_overall",
        named(FairnessMeasure.allCases) { $0.fairness($1, method: .toOverall, control: $2) }
      ))
    out.append(
      ("inequality", named(BetweenGroupIndex.allCases) { $0.inequality($1, control: $2) }))
    return out
  }

  /// The multiclass sections: each cell's confusion matrix, each class's one-vs-rest audit,
  /// and each fairness scalar per class with its worst.
  private func multiclassSections(_ classAudit: ClassAudit) -> [(String, JSONValue)] {
    let layout = frame.layout
    func controlKey(_ c: Int) -> JSONValue { .array(layout.controlKey(c).map { .string($0) }) }
    let weighted = frame.statistics.contains { cell in
      guard let c = cell.classes else { return false }
      return zip(c.confusion, c.counts).contains { $0 != Double($1) }
    }
    func matrix(_ counts: MulticlassCounts) -> [(String, JSONValue)] {
      let k = counts.classCount
      var out: [(String, JSONValue)] = [
        (
          "matrix",
          .array(
            (0..<k).map { t in .array((0..<k).map { .integer(counts.counts[t * k + $0]) }) })
        )
      ]
      if weighted {
        out.append(
          (
            "weighted_matrix",
            .array(
              (0..<k).map { t in .array((0..<k).map { .number(counts.confusion[t * k + $0]) }) })
          ))
      }
      return out
    }
    var overall: [JSONValue] = []
    for c in 0..<layout.controlCount {
      var total = MulticlassCounts(classCount: frame.classes.count)
      for index in layout.indices(inControl: c) {
        if let counts = frame.statistics[index].classes {
          var labelsOnly = counts
          labelsOnly.probabilities = nil
          total.add(labelsOnly)
        }
      }
      overall.append(
        .object((layout.hasControl ? [("control", controlKey(c))] : []) + matrix(total)))
    }
    let byGroup: [JSONValue] = layout.cells.enumerated().map { index, cell in
      var entry: [(String, JSONValue)] = []
      if layout.hasControl { entry.append(("control", controlKey(cell.control))) }
      entry.append(("group", .array(layout.groupKey(cell.group).map { .string($0) })))
      entry += matrix(frame.statistics[index].classes ?? MulticlassCounts(classCount: 0))
      return .object(entry)
    }
    var out: [(String, JSONValue)] = [
      (
        "confusion_matrix",
        .object([
          ("rows", .string("true class")), ("columns", .string("predicted class")),
          ("overall", layout.hasControl ? .array(overall) : overall[0]),
          ("by_group", .array(byGroup)),
        ])
      )
    ]
    out.append(
      (
        "one_vs_rest",
        .array(
          classAudit.oneVsRest.enumerated().map { c, ovr in
            let report = AuditReport(frame: ovr)
            return .object(
              [
                ("class", .string(classAudit.classes[c])),
                ("metrics", .array(ovr.metrics.map { .string($0.rawValue) })),
              ] + report.sections { value in .number(value(ovr.values)) })
          })
      ))
    func perClass(_ method: AggregateMethod, _ c: Int) -> JSONValue {
      .object(
        FairnessMeasure.allCases.map { measure in
          (
            measure.rawValue,
            .object([
              (
                "by_class",
                .object(
                  classAudit.classes.indices.map {
                    (
                      classAudit.classes[$0],
                      .number(classAudit.fairness(measure, class: $0, method: method, control: c))
                    )
                  })
              ),
              ("worst", .number(classAudit.fairness(measure, method: method, control: c))),
              (
                "worst_class",
                classAudit.worstClass(measure, method: method, control: c).map {
                  .string(classAudit.classes[$0])
                } ?? .null
              ),
            ])
          )
        })
    }
    for method in AggregateMethod.allCases {
      let name = method == .betweenGroups ? "class_fairness" : "class_fairness_to_overall"
      out.append(
        (
          name,
          layout.hasControl
            ? .array(
              (0..<layout.controlCount).map { c in
                .object([("control", controlKey(c)), ("values", perClass(method, c))])
              }) : perClass(method, 0)
        ))
    }
    return out
  }

  // MARK: CSV

  /// Long form: `section,control,group,metric,value` (plus `q…` columns with intervals), the
  /// sections in the JSON order.
  public func csv() -> String {
    var lines = [
      "section,control,group,metric,value"
        + (intervals?.bootstrap.quantiles.map { ",q\($0)" }.joined() ?? "")
    ]
    func add(
      _ section: String, _ control: String, _ group: String, _ metric: String,
      _ value: (AuditValues) -> Double?
    ) {
      var line = [section, control, group, metric].map(CSVText.escape).joined(separator: ",")
      line += "," + CSVText.number(value(frame.values))
      for quantile in intervals?.values ?? [] { line += "," + CSVText.number(value(quantile)) }
      lines.append(line)
    }
    let layout = frame.layout
    func controlName(_ c: Int) -> String {
      layout.hasControl ? layout.controlKey(c).joined(separator: "|") : ""
    }
    let metrics = frame.metrics
    for c in 0..<layout.controlCount {
      for (m, metric) in metrics.enumerated() {
        add("overall", controlName(c), "", metric.rawValue) { $0.overall(at: m, control: c) }
      }
    }
    for (index, cell) in layout.cells.enumerated() {
      for (m, metric) in metrics.enumerated() {
        add(
          "by_group", controlName(cell.control), layout.groupKey(cell.group).joined(separator: "|"),
          metric.rawValue
        ) { $0.value(at: m, cellIndex: index) }
      }
    }
    for aggregate in Aggregate.allCases {
      for c in 0..<layout.controlCount {
        for (m, metric) in metrics.enumerated() {
          add(aggregate.rawValue, controlName(c), "", metric.rawValue) {
            $0.aggregate(aggregate, at: m, control: c)
          }
        }
      }
    }
    for method in AggregateMethod.allCases {
      let section = method == .betweenGroups ? "fairness" : "fairness_to_overall"
      for c in 0..<layout.controlCount {
        for measure in FairnessMeasure.allCases {
          add(section, controlName(c), "", measure.rawValue) {
            $0.fairness(measure, method: method, control: c)
          }
        }
      }
    }
    for c in 0..<layout.controlCount {
      for index in BetweenGroupIndex.allCases {
        add("inequality", controlName(c), "", index.rawValue) { $0.inequality(index, control: c) }
      }
    }
    if let classAudit {
      // Each class's one-vs-rest rows, the section prefixed with the class.
      for (k, ovr) in classAudit.oneVsRest.enumerated() {
        let prefix = "one_vs_rest[\(classAudit.classes[k])]."
        for line in AuditReport(frame: ovr).csv().split(separator: "\n").dropFirst() {
          lines.append(
            CSVText.escape(prefix + CSVText.unescapedFirstField(String(line)))
              + CSVText.afterFirstField(String(line))
              + String(repeating: ",", count: intervals?.values.count ?? 0))
        }
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// Text helpers for CSV output.
public enum CSVText {
  /// Quotes a field when it holds a comma, quote or line break (``CSVWriter/field(_:)``).
  public static func escape(_ field: String) -> String { CSVWriter.field(field) }

  /// The first field of a CSV line (the section names written here never need quotes).
  static func unescapedFirstField(_ line: String) -> String {
    String(line.prefix { $0 != "," })
  }

  /// The CSV line after its first field, comma included.
  static func afterFirstField(_ line: String) -> String {
    String(line.drop { $0 != "," })
  }

  /// A number in full precision, or empty when undefined.
  public static func number(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "" }
    return "\(value)"
  }
}
