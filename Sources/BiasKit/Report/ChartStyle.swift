import Foundation

/// Colours, dash patterns, number formats and label fitting shared by the SVG charts.
///
/// Colours follow Okabe and Ito's palette, distinguishable under the common forms of colour
/// blindness; charts never rely on colour alone: series also differ by dash pattern and are
/// named in a legend, flagged bars are hatched and labelled, heat-map cells print their value.
///
/// ## References
/// - Okabe, Ito. Color Universal Design (CUD): how to make figures and presentations that are
///   friendly to colorblind people. 2008.
public enum ChartStyle {
  /// Okabe-Ito, without yellow (too light on white): blue, vermillion, bluish green, reddish
  /// purple, orange, sky blue, black.
  public static let palette = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
  ]
  /// SVG `stroke-dasharray` values, one per series (cycled with a different period than the colours).
  public static let dashes = ["", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 4 1 4", "3 6"]

  /// The colour and dash pattern of series `index`.
  public static func series(_ index: Int) -> (color: String, dash: String) {
    (palette[index % palette.count], dashes[index % dashes.count])
  }

  /// A number with `digits` decimals (at most), "—" when undefined. Locale-independent.
  public static func format(_ value: Double?, digits: Int = 3) -> String {
    guard let value, value.isFinite else { return "—" }
    if abs(value) >= 1e6 || (abs(value) < 1e-3 && value != 0) {
      return String(format: "%.2e", value)
    }
    return String(format: "%.\(digits)f", value)
  }

  /// A count with thousands separators (`12,345`).
  public static func count(_ value: Int) -> String {
    let digits = String(abs(value))
    var out = ""
    for (i, ch) in digits.enumerated() {
      if i > 0, (digits.count - i) % 3 == 0 { out += "," }
      out.append(ch)
    }
    return (value < 0 ? "-" : "") + out
  }

  /// A coordinate with at most two decimals (keeps the SVG small).
  static func coordinate(_ x: Double) -> String {
    let rounded = (x * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(format: "%.2f", rounded)
  }

  /// Splits `label` into at most `lines` lines of at most `width` characters, breaking at
  /// spaces, `|` or `/` where possible; the last line ends in "…" when the label is cut.
  /// Characters are counted as grapheme clusters, so Arabic or Hebrew text is never split
  /// inside a letter.
  public static func wrap(_ label: String, width: Int, lines: Int) -> [String] {
    precondition(width >= 2 && lines >= 1)
    var rest = Substring(label)
    var out: [String] = []
    while !rest.isEmpty && out.count < lines {
      if rest.count <= width {
        out.append(String(rest))
        rest = ""
        break
      }
      if out.count == lines - 1 {
        out.append(String(rest.prefix(width - 1)) + "…")
        rest = ""
        break
      }
      let head = rest.prefix(width)
      if let cut = head.lastIndex(where: { $0 == " " || $0 == "|" || $0 == "/" || $0 == "-" }),
        head.distance(from: head.startIndex, to: cut) >= width / 3
      {
        let after = rest.index(after: cut)
        out.append(String(rest[..<after]).trimmingCharacters(in: .whitespaces))
        rest = rest[after...].drop { $0 == " " }
      } else {
        out.append(String(head))
        rest = rest.dropFirst(width)
      }
    }
    return out
  }

  /// Whether `text` holds a right-to-left letter (Hebrew, Arabic, Syriac, Thaana, N'Ko, …).
  public static func hasRightToLeft(_ text: String) -> Bool {
    text.unicodeScalars.contains {
      (0x0590...0x08FF).contains($0.value) || (0xFB1D...0xFDFF).contains($0.value)
        || (0xFE70...0xFEFF).contains($0.value)
    }
  }

  /// One line of a label for SVG text: when it holds right-to-left text, each level (the parts
  /// between " | ") is wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (U+2068, U+2069),
  /// the plain-text equivalent of `<bdi>`, so "المنطقة | 18–24 years" is not reordered into
  /// "24–18 | المنطقة years" by the bidirectional algorithm. Left-to-right lines are unchanged.
  public static func isolated(_ line: String) -> String {
    guard hasRightToLeft(line) else { return line }
    return line.components(separatedBy: " | ").map { "\u{2068}" + $0 + "\u{2069}" }.joined(
      separator: " | ")
  }

  /// "Nice" tick values covering `[low, high]` (steps of 1, 2 or 5 × 10^k), about `count` of them.
  public static func ticks(low: Double, high: Double, count: Int = 5) -> [Double] {
    guard high > low, low.isFinite, high.isFinite else { return [low] }
    let raw = (high - low) / Double(max(1, count))
    let magnitude = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
    var ticks: [Double] = []
    var t = (low / step).rounded(.up) * step
    while t <= high + step * 1e-9 {
      ticks.append(abs(t) < step * 1e-9 ? 0 : t)
      t += step
    }
    return ticks
  }

  /// A sequential colour for `t` in [0, 1]: from light yellow to dark blue through green
  /// (a viridis-like ramp, ordered in lightness, readable under colour blindness), and whether
  /// text on it should be white.
  public static func sequential(_ t: Double) -> (fill: String, darkBackground: Bool) {
    let stops: [(Double, Double, Double)] = [
      (253, 231, 37), (122, 209, 81), (34, 168, 132), (42, 120, 142), (65, 68, 135), (68, 1, 84),
    ]
    let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
    let k = min(Int(x), stops.count - 2)
    let f = x - Double(k)
    let (r0, g0, b0) = stops[k]
    let (r1, g1, b1) = stops[k + 1]
    let r = r0 + (r1 - r0) * f, g = g0 + (g1 - g0) * f, b = b0 + (b1 - b0) * f
    let luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return (
      String(format: "#%02X%02X%02X", Int(r.rounded()), Int(g.rounded()), Int(b.rounded())),
      luminance < 128
    )
  }

  /// A `<pattern>` of diagonal hatching with id `id` (used for flagged and undefined cells).
  static func hatch(id: String, color: String = "#000000") -> Markup {
    .node(
      "pattern",
      [
        "id": id, "width": "6", "height": "6", "patternUnits": "userSpaceOnUse",
        "patternTransform": "rotate(45)",
      ],
      [
        .node("rect", ["width": "6", "height": "6", "fill": "#ffffff", "fill-opacity": "0"]),
        .node(
          "line",
          [
            "x1": "0", "y1": "0", "x2": "0", "y2": "6", "stroke": color, "stroke-width": "2",
            "stroke-opacity": "0.55",
          ]),
      ])
  }

  /// A text element in chart coordinates.
  static func text(
    _ content: String, x: Double, y: Double, anchor: String = "start", className: String? = nil,
    extra: [Markup.Attribute] = []
  ) -> Markup {
    var attributes = [Markup.Attribute("x", coordinate(x)), Markup.Attribute("y", coordinate(y))]
    if anchor != "start" { attributes.append(Markup.Attribute("text-anchor", anchor)) }
    if let className { attributes.append(Markup.Attribute("class", className)) }
    attributes += extra
    return .element(name: "text", attributes: attributes, children: [.text(content)])
  }

  /// An element with attributes given as (name, value) pairs built at run time.
  static func element(
    _ name: String, _ attributes: [(String, String)], _ children: [Markup] = []
  ) -> Markup {
    .element(
      name: name, attributes: attributes.map { Markup.Attribute($0.0, $0.1) }, children: children)
  }
}
