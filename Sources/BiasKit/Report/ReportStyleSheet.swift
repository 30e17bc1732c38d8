/// The page's style sheet.
extension HTMLReport {
  /// The style sheet: system fonts only, colour-blind-safe colours, print rules.
  static let styleSheet = Markup.trusted(
    """
    :root { --ink: #1a1a1a; --muted: #5a5a5a; --rule: #d0d0d0; --bar: #0072B2; --pass: #009E73; --fail: #D55E00; }
    * { box-sizing: border-box; }
    body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
      color: var(--ink); margin: 0 auto; max-width: 1000px; padding: 24px; background: #fff; }
    h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.25em; border-bottom: 2px solid var(--rule); padding-bottom: 4px; margin-top: 2em; }
    h3 { font-size: 1.05em; margin: 1.6em 0 0.4em; }
    .subtitle, .note { color: var(--muted); } .note { font-size: 0.92em; }
    nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 8px 0 0; }
    nav a { color: var(--bar); }
    code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
    code.command { display: block; white-space: pre-wrap; word-break: break-all; background: #f4f4f4; padding: 8px; }
    table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 0.92em; }
    th, td { border-bottom: 1px solid var(--rule); padding: 4px 8px; text-align: left; vertical-align: top; }
    td.number, th.number { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
    .table-wrap { overflow-x: auto; }
    .status { font-weight: 700; white-space: nowrap; padding: 1px 8px; border-radius: 3px; border: 2px solid; }
    .status.pass { color: #006b4f; border-color: var(--pass); }
    .status.fail { color: #fff; background: var(--fail); border-color: var(--fail);
      background-image: repeating-linear-gradient(45deg, transparent 0 4px, rgba(255,255,255,0.25) 4px 7px); }
    .summary { font-size: 1.1em; margin: 8px 0; }
    tr.small td { background: #fff4e0; }
    .flag-text { color: #8a4b00; font-weight: 600; }
    figure { margin: 12px 0 24px; } figcaption { color: var(--muted); font-size: 0.9em; }
    svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }
    svg.chart text { fill: var(--ink); }
    svg.chart .tick, svg.chart .value { fill: var(--muted); font-size: 11px; }
    svg.chart .flag { fill: #8a4b00; font-weight: 600; }
    svg.chart .axis-label { font-weight: 600; }
    svg.chart .grid { stroke: #e6e6e6; stroke-width: 1; }
    svg.chart .frame { fill: none; stroke: #999; }
    svg.chart .bar { fill: var(--bar); }
    svg.chart .bar.flagged { fill: #56B4E9; stroke: #8a4b00; stroke-width: 1.5; }
    svg.chart .undefined { fill: var(--muted); font-style: italic; }
    svg.chart .whisker line { stroke: var(--ink); stroke-width: 1.5; }
    svg.chart .reference line { stroke: var(--ink); stroke-width: 1.5; stroke-dasharray: 5 3; }
    svg.chart .reference text { font-size: 11px; font-weight: 600; }
    svg.chart .series { stroke-width: 2; }
    svg.chart .legend-line { stroke-width: 2.5; }
    svg.chart .diagonal { stroke: #999; stroke-dasharray: 3 3; }
    svg.chart .cell { stroke: #fff; stroke-width: 1; }
    svg.chart .cell.undefined { stroke: #bbb; }
    svg.chart .cell-text { font-size: 11px; font-variant-numeric: tabular-nums; }
    svg.chart .cell-text.dark { fill: #fff; }
    .curves { display: flex; flex-wrap: wrap; gap: 16px; } .curves figure { flex: 1 1 400px; }
    footer { margin-top: 3em; font-size: 0.9em; } footer dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
    footer dt { font-weight: 600; } footer dd { margin: 0; }
    @media print {
      body { max-width: none; padding: 0; font-size: 11pt; }
      nav { display: none; }
      h2 { break-after: avoid; } figure, tr, .scorecard-row { break-inside: avoid; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      a { color: inherit; text-decoration: none; }
    }
    """)
}
