/// Why values are undefined: the first 50 notes (after the caller's), and how many more.
extension ReportBuilder {
  func notes(extra: [String] = []) -> HTMLReport.Section {
    let (notes, total) = report.notes(limit: 50)
    var items: [Markup] = (extra + notes).map { .node("li", [:], [bdi($0)]) }
    if total > notes.count {
      items.append(
        .node(
          "li", [:],
          text: text("… and \(total - notes.count) more (see \(.jsonFormat)).")))
    }
    let content: Markup =
      items.isEmpty
      ? .node("p", ["class": "note"], text: "Every value is defined.")
      : .node("ul", ["class": "notes"], items)
    return HTMLReport.Section(
      id: HTMLReport.SectionID.notes, title: "Notes on undefined values", content: content)
  }
}
