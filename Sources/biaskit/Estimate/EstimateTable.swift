import BiasKit
import Foundation

/// The terminal table of `biaskit estimate`.
enum EstimateTable {
  static func render(_ report: EstimationReport, groupColumn: String?) -> String {
    let coverage = (1 - report.interval.alpha) * 100
    var out =
      "\(report.estimand): \(format(coverage, digits: 4))% intervals (\(report.interval.alternative.rawValue)), "
      + "\(report.labelledCount) labelled rows, \(report.unlabelledCount) unlabelled rows\n\n"
    var rows: [[String]] = [
      ["method", "parameter", "estimate", "std.error", "lower", "upper", "lambda"]
    ]
    var notes: [String] = []
    for estimate in report.estimates {
      let name = estimate.method.rawValue + (estimate.isBiased ? "*" : "")
      for p in estimate.parameters { rows.append(row(name, p, estimate)) }
      notes += estimate.notes.filter { !$0.hasPrefix("biased") }.map {
        "\(estimate.method.rawValue): \($0)"
      }
    }
    out += table(rows)
    if report.estimates.contains(where: \.isBiased) {
      out +=
        "* biased: the predictions are treated as gold labels (shown to measure how far off they are)\n"
    }
    for entry in report.grouped {
      out += "\n\(entry.method.rawValue) by \(groupColumn ?? "group"):\n"
      var groupRows: [[String]] = [
        [
          "group", "labelled", "unlabelled", "parameter", "estimate", "std.error", "lower", "upper",
          "lambda",
        ]
      ]
      for g in entry.groups.groups {
        for p in g.estimate.parameters {
          groupRows.append(
            [g.name, String(g.estimate.labelledCount), String(g.estimate.unlabelledCount)]
              + Array(row("", p, g.estimate).dropFirst()))
        }
        notes += g.estimate.notes.filter { !$0.hasPrefix("biased") }.map {
          "\(entry.method.rawValue), \(g.name): \($0)"
        }
      }
      out += table(groupRows)
      if !entry.groups.differences.isEmpty {
        var differenceRows: [[String]] = [
          ["difference", "parameter", "estimate", "std.error", "lower", "upper"]
        ]
        for d in entry.groups.differences {
          differenceRows.append([
            "\(d.first) - \(d.second)", d.parameter, number(d.value), number(d.standardError),
            number(d.interval.lower), number(d.interval.upper),
          ])
        }
        out += "\n" + table(differenceRows)
      }
    }
    if !notes.isEmpty { out += "\n" + notes.map { "note: \($0)" }.joined(separator: "\n") + "\n" }
    return out
  }

  static func row(_ method: String, _ p: ParameterEstimate, _ e: Estimate) -> [String] {
    [
      method, p.name, number(p.value), p.standardError.map(number) ?? "-", number(p.interval.lower),
      number(p.interval.upper), e.lambda.map { number($0) } ?? "-",
    ]
  }

  static func number(_ value: Double) -> String {
    if value == .infinity { return "inf" }
    if value == -.infinity { return "-inf" }
    if value.isNaN { return "-" }
    return format(value, digits: 6)
  }

  static func format(_ value: Double, digits: Int) -> String {
    String(format: "%.\(digits)g", value)
  }

  /// Left-aligned first column, right-aligned numbers.
  static func table(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    var widths = [Int](repeating: 0, count: first.count)
    for row in rows {
      for (j, cell) in row.enumerated() { widths[j] = max(widths[j], cell.count) }
    }
    return rows.map { row in
      row.enumerated().map { j, cell in
        let pad = String(repeating: " ", count: widths[j] - cell.count)
        return j <= 1 || (j == 0) ? cell + pad : pad + cell
      }.joined(separator: "  ").replacingOccurrences(
        of: "\\s+$", with: "", options: .regularExpression)
    }.joined(separator: "\n") + "\n"
  }
}
