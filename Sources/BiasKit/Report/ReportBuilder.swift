/// What every section of the audit page needs: the report, the options, and how to name,
/// isolate and select cells. Each section is an extension in its own file.
struct ReportBuilder {
  let report: AuditReport
  let options: HTMLReport.Options
  var frame: MetricFrame { report.frame }
  var layout: AuditLayout { frame.layout }

  /// `text` with its parameters named as ``HTMLReport/Options/naming`` names them.
  func text(_ message: BiasKitError.Message) -> String { message.rendered(naming: options.naming) }

  /// A sensitive group's levels joined for display.
  func groupLabel(_ group: Int) -> String { layout.groupKey(group).joined(separator: " | ") }
  /// A control level's levels joined for display.
  func controlLabel(_ control: Int) -> String {
    layout.controlKey(control).joined(separator: " | ")
  }

  /// Rows of `cell`.
  func rows(_ cell: AuditCell) -> Int { frame.statistics(of: cell).rows }
  /// Whether `cell` has fewer rows than ``HTMLReport/Options/minimumGroupSize``.
  func isSmall(_ cell: AuditCell) -> Bool { rows(cell) < options.minimumGroupSize }

  /// A label for HTML: isolated, with its own direction.
  func bdi(_ text: String) -> Markup { .node("bdi", ["dir": "auto"], text: text) }

  /// A cell's label for HTML: each level in its own `<bdi dir="auto">`, so a right-to-left
  /// level neither reorders nor is reordered by its neighbours ("عربي | 18–24" stays in order).
  func cellMarkup(_ cell: AuditCell) -> Markup {
    func levels(_ key: [String]) -> [Markup] {
      key.enumerated().flatMap { k, level in (k == 0 ? [] : [Markup.text(" | ")]) + [bdi(level)] }
    }
    let group = levels(layout.groupKey(cell.group))
    if !layout.hasControl { return .fragment(group) }
    return .fragment(levels(layout.controlKey(cell.control)) + [.text(" / ")] + group)
  }

  /// Text safe in an `id` attribute.
  static func idSafe(_ text: String) -> String {
    String(text.map { $0.isLetter || $0.isNumber ? $0 : "-" })
  }

  /// The cells a table or chart shows: all of `cells` when they are at most
  /// ``HTMLReport/Options/maximumGroupsShown``, else the largest (ties by position), in their
  /// original order; with the others (the smallest groups) to summarise.
  func shown(_ cells: [AuditCell]) -> (shown: [AuditCell], hidden: [AuditCell]) {
    let limit = max(1, options.maximumGroupsShown)
    guard cells.count > limit else { return (cells, []) }
    let sizes = cells.map(rows)
    let order = cells.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
    var keep = [Bool](repeating: false, count: cells.count)
    for k in order.prefix(limit) { keep[k] = true }
    return (
      cells.indices.filter { keep[$0] }.map { cells[$0] },
      cells.indices.filter { !keep[$0] }.map { cells[$0] }
    )
  }

  /// One line on the groups left out of a table or chart: how many, their largest size and
  /// their rows in all.
  func hiddenSummary(_ hidden: [AuditCell]) -> Markup? {
    guard !hidden.isEmpty else { return nil }
    let sizes = hidden.map(rows)
    let largest = sizes.max() ?? 0
    let total = sizes.reduce(0, +)
    return .node(
      "p", ["class": "note hidden-groups"],
      text:
        "\(ChartStyle.count(hidden.count)) smaller groups are not shown (at most \(ChartStyle.count(largest)) rows each, \(ChartStyle.count(total)) rows in all); every group is in the JSON and CSV output."
    )
  }
}

extension BiasKitError.Message {
  /// The message as text, each parameter named by `name` and followed by its value.
  public func rendered(naming name: (Parameter) -> String) -> String {
    var text = ""
    for part in parts {
      switch part {
      case .text(let piece): text += piece
      case .parameter(let parameter, let value):
        text += name(parameter)
        if let value { text += " " + value }
      }
    }
    return text
  }
}
