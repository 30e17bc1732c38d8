import Foundation

/// A bound on audit values for `biaskit check` and the report's scorecard: `NAME ≤ VALUE` or
/// `NAME ≥ VALUE`.
///
/// NAME names a ``Target``: a fairness scalar (`demographic_parity_difference`, with
/// `_to_overall` for `method="to_overall"`), a between-group inequality index, or
/// `SECTION.METRIC` with SECTION one of `overall`, `by_group` and the ``Aggregate`` tables (a bare
/// METRIC is `overall.METRIC`). Every value the target covers must satisfy the bound (every group
/// for `by_group.METRIC`, every control level otherwise); an undefined value breaks it.
///
/// - Complexity: O(cells) to evaluate.
public struct FairnessBound: Sendable, Equatable {
  /// Which side the limit is on.
  public enum Kind: String, Sendable {
    /// The values must be at most the limit.
    case maximum = "≤"
    /// The values must be at least the limit.
    case minimum = "≥"
  }

  /// The audit values a bound constrains.
  public enum Target: Sendable, Hashable, CustomStringConvertible {
    /// A fairness scalar, between groups or to overall (one value per control level); of a
    /// multiclass audit, its worst value over the classes.
    case fairness(FairnessMeasure, method: AggregateMethod)
    /// A fairness scalar of one class of a multiclass audit (one-vs-rest), written
    /// `demographic_parity_difference[CLASS]`.
    case classFairness(FairnessMeasure, method: AggregateMethod, class: String)
    /// A between-group inequality index (one value per control level).
    case inequality(BetweenGroupIndex)
    /// A metric on all rows (one value per control level).
    case overall(Metric)
    /// A metric in every cell that has rows.
    case byGroup(Metric)
    /// An aggregate of a metric over the groups (one value per control level).
    case aggregate(Aggregate, Metric)

    /// The target called `name` (see ``FairnessBound``).
    ///
    /// - Throws: ``BiasKitError`` listing the names when `name` is none of them.
    public init(parsing name: String) throws {
      if name.hasSuffix("]"), let open = name.firstIndex(of: "[") {
        let base = String(name[..<open])
        let label = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
        if case .fairness(let measure, let method)? = try? Target(parsing: base), !label.isEmpty {
          self = .classFairness(measure, method: method, class: label)
          return
        }
      }
      if let measure = FairnessMeasure(rawValue: name) {
        self = .fairness(measure, method: .betweenGroups)
        return
      }
      if name.hasSuffix("_to_overall"),
        let measure = FairnessMeasure(rawValue: String(name.dropLast("_to_overall".count)))
      {
        self = .fairness(measure, method: .toOverall)
        return
      }
      if let index = BetweenGroupIndex(rawValue: name) {
        self = .inequality(index)
        return
      }
      if let metric = Metric(name: name) {
        self = .overall(metric)
        return
      }
      let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
      if parts.count == 2, let metric = Metric(name: parts[1]) {
        if parts[0] == "overall" {
          self = .overall(metric)
          return
        }
        if parts[0] == "by_group" {
          self = .byGroup(metric)
          return
        }
        if let aggregate = Aggregate(rawValue: parts[0]) {
          self = .aggregate(aggregate, metric)
          return
        }
      }
      throw BiasKitError.unknownBound(name)
    }

    /// Every name ``init(parsing:)`` accepts, for messages.
    public static var names: [String] {
      FairnessMeasure.allCases.map(\.rawValue) + BetweenGroupIndex.allCases.map(\.rawValue)
        + (["overall", "by_group"] + Aggregate.allCases.map(\.rawValue)).map { "\($0).METRIC" }
        + ["FAIRNESS[CLASS]"]
    }

    /// The canonical name (metric aliases spelled out).
    public var name: String {
      switch self {
      case .fairness(let measure, .betweenGroups): return measure.rawValue
      case .fairness(let measure, .toOverall): return measure.rawValue + "_to_overall"
      case .classFairness(let measure, let method, let label):
        return Target.fairness(measure, method: method).name + "[\(label)]"
      case .inequality(let index): return index.rawValue
      case .overall(let metric): return "overall.\(metric.rawValue)"
      case .byGroup(let metric): return "by_group.\(metric.rawValue)"
      case .aggregate(let aggregate, let metric): return "\(aggregate.rawValue).\(metric.rawValue)"
      }
    }

    public var description: String { name }

    /// The metric the target reads, if it names one (fairness scalars are computed from the
    /// confusion counts whatever the metrics are).
    public var metric: Metric? {
      switch self {
      case .fairness, .classFairness, .inequality: return nil
      case .overall(let metric), .byGroup(let metric), .aggregate(_, let metric): return metric
      }
    }

    /// The values the target covers in `report`, each with its control level (and cell for
    /// `by_group`).
    ///
    /// - Throws: ``BiasKitError`` when the target's metric is not among the audit's, or names a
    ///   class the audit does not have.
    public func values(in report: AuditReport) throws -> [FairnessBound.Value] {
      let frame = report.frame
      let layout = frame.layout
      if let metric, !frame.metrics.contains(metric) {
        throw BiasKitError.boundMetricNotAudited(name, metric)
      }
      func label(_ c: Int) -> String {
        layout.hasControl ? "\(name) [\(layout.controlKey(c).joined(separator: "|"))]" : name
      }
      func perControl(_ value: (Int) -> Double?) -> [FairnessBound.Value] {
        (0..<layout.controlCount).map {
          FairnessBound.Value(label: label($0), value: value($0), control: $0, cell: nil)
        }
      }
      switch self {
      case .fairness(let measure, let method):
        if let classAudit = report.classAudit {
          return perControl { classAudit.fairness(measure, method: method, control: $0) }
        }
        return perControl { frame.fairness(measure, method: method, control: $0) }
      case .classFairness(let measure, let method, let label):
        guard let classAudit = report.classAudit else {
          throw BiasKitError(
            .invalidArgument,
            "the bound '\(name)' names a class; it is for \(.task, "multiclass") audits")
        }
        guard let c = classAudit.index(of: label) else {
          throw BiasKitError(
            .unknownName,
            "the bound '\(name)' names the class '\(label)'; the classes are \(classAudit.classes.joined(separator: ", "))"
          )
        }
        return perControl {
          classAudit.fairness(measure, class: c, method: method, control: $0)
        }
      case .inequality(let index): return perControl { frame.inequality(index, control: $0) }
      case .overall(let metric): return perControl { frame.overall(metric, control: $0) }
      case .aggregate(let aggregate, let metric):
        return perControl { frame.aggregate(aggregate, metric, control: $0) }
      case .byGroup(let metric):
        return layout.cells.enumerated().compactMap { index, cell in
          frame.statistics[index].confusion.rows == 0
            ? nil
            : FairnessBound.Value(
              label: "\(name) [\(layout.label(of: cell))]", value: frame.value(metric, in: cell),
              control: cell.control, cell: cell)
        }
      }
    }
  }

  /// One value a bound covers.
  public struct Value: Sendable, Equatable {
    /// The target's name, with the control level or cell in brackets when there are several.
    public var label: String
    /// The value; nil when undefined.
    public var value: Double?
    /// The control level the value belongs to.
    public var control: Int
    /// The cell, for `by_group` targets.
    public var cell: AuditCell?
  }

  /// What the bound constrains.
  public let target: Target
  /// Which side the limit is on.
  public let kind: Kind
  /// The limit.
  public let limit: Double

  /// `target` ≤ `limit` (``Kind/maximum``) or ≥ it.
  public init(_ target: Target, _ kind: Kind, _ limit: Double) {
    self.target = target
    self.kind = kind
    self.limit = limit
  }

  /// The target's canonical name.
  public var name: String { target.name }

  /// Parses `NAME=VALUE`.
  ///
  /// - Throws: ``BiasKitError`` when the text is not `NAME=VALUE` with a finite VALUE, or NAME is
  ///   not a ``Target``.
  public init(parsing text: String, kind: Kind) throws {
    let parts = text.split(separator: "=", maxSplits: 1).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    guard parts.count == 2, !parts[0].isEmpty, let limit = Double(parts[1]), limit.isFinite else {
      throw BiasKitError(
        .invalidArgument,
        "a bound is written NAME=VALUE (e.g. demographic_parity_difference=0.1), not '\(text)'")
    }
    self.init(try Target(parsing: parts[0]), kind, limit)
  }

  /// Parses `NAME=VALUE` texts: the upper bounds, then the lower ones.
  public static func parse(maximums: [String], minimums: [String]) throws -> [FairnessBound] {
    try maximums.map { try FairnessBound(parsing: $0, kind: .maximum) }
      + minimums.map { try FairnessBound(parsing: $0, kind: .minimum) }
  }

  /// Whether `value` satisfies the bound (an undefined value does not).
  public func holds(_ value: Double?) -> Bool {
    value.map { kind == .maximum ? $0 <= limit : $0 >= limit } ?? false
  }

  /// The outcome of a bound on one audit.
  public struct Result: Sendable, CustomStringConvertible {
    /// The bound.
    public var bound: FairnessBound
    /// Each value the bound covers, and whether it holds.
    public var values: [(value: Value, holds: Bool)]
    /// Whether every value holds.
    public var passed: Bool { values.allSatisfy(\.holds) }

    /// `NAME ≤ LIMIT: value`, or the broken values (at most six) with their labels.
    public var description: String {
      let broken = values.filter { !$0.holds }
      let shown = broken.isEmpty ? values : broken
      let list = shown.prefix(6).map { item in
        let text = item.value.value.map { "\($0)" } ?? "undefined"
        return shown.count == 1 && item.value.label == bound.name
          ? text : "\(item.value.label) = \(text)"
      }.joined(separator: "; ")
      let more = shown.count > 6 ? "; … \(shown.count - 6) more" : ""
      return "\(bound.name) \(bound.kind.rawValue) \(bound.limit): \(list)\(more)"
    }
  }

  /// The bound on `report`'s audit.
  ///
  /// - Throws: ``BiasKitError`` when the bound's metric is not audited.
  public func evaluate(_ report: AuditReport) throws -> Result {
    Result(bound: self, values: try target.values(in: report).map { ($0, holds($0.value)) })
  }

  /// A JUnit XML report: one test case per bound, a failure for each broken one. Every text is
  /// escaped for XML, and characters XML 1.0 forbids (control characters other than tab, line
  /// feed and carriage return; U+FFFE, U+FFFF) are written as `\u{…}` escapes.
  public static func junit(_ results: [Result], source: String) -> String {
    let failures = results.filter { !$0.passed }.count
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    xml +=
      "<testsuites name=\"biaskit check\" tests=\"\(results.count)\" failures=\"\(failures)\">\n"
    xml +=
      "  <testsuite name=\"fairness bounds: \(XMLText.attribute(source))\" tests=\"\(results.count)\" failures=\"\(failures)\">\n"
    for result in results {
      let name = "\(result.bound.name) \(result.bound.kind.rawValue) \(result.bound.limit)"
      xml += "    <testcase classname=\"biaskit.check\" name=\"\(XMLText.attribute(name))\""
      if result.passed {
        xml += "/>\n"
      } else {
        xml +=
          ">\n      <failure message=\"\(XMLText.attribute(result.description))\"/>\n    </testcase>\n"
      }
    }
    xml += "  </testsuite>\n</testsuites>\n"
    return xml
  }
}

/// Text for XML 1.0 documents.
package enum XMLText {
  /// `text` as an attribute value: `& < > " '` as entities, tab, line feed and carriage return
  /// as character references (attribute normalisation would turn them into spaces), and every
  /// character XML 1.0 forbids as a visible `\u{…}` escape.
  package static func attribute(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t": out += "&#9;"
      case "\n": out += "&#10;"
      case "\r": out += "&#13;"
      default:
        if isAllowed(scalar) {
          out.unicodeScalars.append(scalar)
        } else {
          out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        }
      }
    }
    return out
  }

  /// Whether XML 1.0 allows `scalar` in a document (`Char` production).
  package static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    return v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v)
      || (0xE000...0xFFFD).contains(v) || v >= 0x10000
  }
}

extension BiasKitError {
  static func unknownBound(_ name: String) -> BiasKitError {
    BiasKitError(
      .unknownName,
      "unknown bound '\(name)'; bounds name one of \(FairnessBound.Target.names.joined(separator: ", ")) (METRIC among the audited metrics)"
    )
  }
  static func boundMetricNotAudited(_ name: String, _ metric: Metric) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "the bound '\(name)' reads the metric '\(metric.rawValue)', which the audit does not compute (\(.metrics))"
    )
  }
}
