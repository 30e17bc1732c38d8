/// A bound on an audit value for `biaskit check`: `NAME ≤ VALUE` or `NAME ≥ VALUE`.
///
/// NAME is anything ``AuditReport/values(named:)`` accepts. Every value it names must satisfy
/// the bound (every group for `by_group.METRIC`, every control level for an aggregate); an
/// undefined value breaks it.
public struct FairnessBound: Sendable, Equatable {
  public enum Kind: String, Sendable { case maximum = "≤", minimum = "≥" }

  public var name: String
  public var kind: Kind
  public var limit: Double

  public init(name: String, kind: Kind, limit: Double) {
    self.name = name
    self.kind = kind
    self.limit = limit
  }

  /// The metric a `SECTION.METRIC` bound needs, if any.
  public var metricName: String? {
    let parts = name.split(separator: ".", maxSplits: 1)
    return parts.count == 2 ? String(parts[1]) : nil
  }

  /// Parses `NAME=VALUE` options.
  public static func parse(maximums: [String], minimums: [String]) throws -> [FairnessBound] {
    func parse(_ text: String, _ kind: Kind) throws -> FairnessBound {
      let parts = text.split(separator: "=", maxSplits: 1).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard parts.count == 2, !parts[0].isEmpty, let limit = Double(parts[1]), limit.isFinite else {
        throw BiasKitError(
          .invalidArgument,
          "a bound is written NAME=VALUE (e.g. demographic_parity_difference=0.1), not '\(text)'")
      }
      return FairnessBound(name: parts[0], kind: kind, limit: limit)
    }
    return try maximums.map { try parse($0, .maximum) } + minimums.map { try parse($0, .minimum) }
  }

  /// The outcome of a bound on one audit.
  public struct Result: Sendable, CustomStringConvertible {
    public var bound: FairnessBound
    /// Each value the bound covers, and whether it holds.
    public var values: [(label: String, value: Double?, holds: Bool)]
    public var passed: Bool { values.allSatisfy(\.holds) }

    public var description: String {
      let broken = values.filter { !$0.holds }
      let shown = broken.isEmpty ? values : broken
      let list = shown.prefix(6).map { item in
        let text = item.value.map { "\($0)" } ?? "undefined"
        return shown.count == 1 && item.label == bound.name ? text : "\(item.label) = \(text)"
      }.joined(separator: "; ")
      let more = shown.count > 6 ? "; … \(shown.count - 6) more" : ""
      return "\(bound.name) \(bound.kind.rawValue) \(bound.limit): \(list)\(more)"
    }
  }

  public func evaluate(_ report: AuditReport) throws -> Result {
    guard let values = report.values(named: name) else {
      throw BiasKitError(
        .unknownName,
        "unknown bound '\(name)'; bounds name one of \(report.boundNames.joined(separator: ", ")) (METRIC among the audited metrics)"
      )
    }
    return Result(
      bound: self,
      values: values.map { item in
        let holds = item.value.map { kind == .maximum ? $0 <= limit : $0 >= limit } ?? false
        return (item.label, item.value, holds)
      })
  }

  /// A JUnit XML report: one test case per bound, a failure for each broken one.
  public static func junit(_ results: [Result], source: String) -> String {
    func escape(_ s: String) -> String {
      var out = ""
      for ch in s {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.append(ch)
        }
      }
      return out
    }
    let failures = results.filter { !$0.passed }.count
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    xml +=
      "<testsuites name=\"biaskit check\" tests=\"\(results.count)\" failures=\"\(failures)\">\n"
    xml +=
      "  <testsuite name=\"fairness bounds: \(escape(source))\" tests=\"\(results.count)\" failures=\"\(failures)\">\n"
    for result in results {
      let name = "\(result.bound.name) \(result.bound.kind.rawValue) \(result.bound.limit)"
      xml += "    <testcase classname=\"biaskit.check\" name=\"\(escape(name))\""
      if result.passed {
        xml += "/>\n"
      } else {
        xml += ">\n      <failure message=\"\(escape(result.description))\"/>\n    </testcase>\n"
      }
    }
    xml += "  </testsuite>\n</testsuites>\n"
    return xml
  }
}
