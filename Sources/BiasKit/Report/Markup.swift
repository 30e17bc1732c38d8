/// A tree of HTML or SVG elements that escapes every piece of text it renders.
///
/// Text and attribute values are escaped when the tree is rendered (`&`, `<`, `>`, `"`, `'`),
/// so a group label such as `<script>` or `A & "B"` can never become markup. The only
/// unescaped content is ``trusted(_:)``, which takes a `StaticString`: a literal written in
/// BiasKit's source (the report's style sheet), never data.
///
/// Why a hand-written builder rather than JohnSundell/Plot (available in the mirror): the
/// report is mostly SVG, for which Plot has no element or attribute types (every chart would
/// be written with `.element(named:)` / `.attribute(named:)`, i.e. strings anyway); the only
/// thing Plot would add is escaping, which is the 30 lines below; and it would add a
/// dependency to the library target, which has none. Rendering is deterministic (attributes
/// keep their order), so tests can compare output.
///
/// - Complexity: rendering is O(size of the output).
public indirect enum Markup: Sendable, Equatable {
  /// An element with ordered attributes and children.
  case element(name: String, attributes: [Attribute], children: [Markup])
  /// Text, escaped when rendered.
  case text(String)
  /// Literal markup from BiasKit's own source (never data).
  case trustedLiteral(String)
  /// Several nodes without a wrapping element.
  case fragment([Markup])

  /// One `name="value"` pair; the value is escaped when rendered.
  public struct Attribute: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
      self.name = name
      self.value = value
    }
  }

  /// Literal markup; only compile-time constants are accepted.
  public static func trusted(_ literal: StaticString) -> Markup { .trustedLiteral("\(literal)") }

  /// An element: `Markup.node("rect", ["x": "1", "class": "bar"], [...])` keeps attributes in order.
  public static func node(
    _ name: String, _ attributes: KeyValuePairs<String, String> = [:], _ children: [Markup] = []
  )
    -> Markup
  {
    .element(
      name: name, attributes: attributes.map { Attribute($0.key, $0.value) }, children: children)
  }

  /// An element with one text child.
  public static func node(
    _ name: String, _ attributes: KeyValuePairs<String, String> = [:], text: String
  ) -> Markup {
    node(name, attributes, [.text(text)])
  }

  /// The empty fragment.
  public static let empty = Markup.fragment([])

  /// HTML elements that have no end tag.
  static let voidElements: Set<String> = ["meta", "br", "hr", "img", "link", "col", "wbr", "input"]

  /// The markup as text.
  public func rendered() -> String {
    var out = ""
    render(into: &out)
    return out
  }

  public func render(into out: inout String) {
    switch self {
    case .text(let text): Markup.escape(text, into: &out, quotes: false)
    case .trustedLiteral(let literal): out += literal
    case .fragment(let nodes): for node in nodes { node.render(into: &out) }
    case .element(let name, let attributes, let children):
      out += "<" + name
      for attribute in attributes {
        out += " " + attribute.name + "=\""
        Markup.escape(attribute.value, into: &out, quotes: true)
        out += "\""
      }
      out += ">"
      if Markup.voidElements.contains(name) { return }
      for child in children { child.render(into: &out) }
      out += "</" + name + ">"
    }
  }

  /// Escapes `&`, `<`, `>` (and in attributes `"` and `'`).
  public static func escape(_ text: String, into out: inout String, quotes: Bool) {
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"" where quotes: out += "&quot;"
      case "'" where quotes: out += "&#39;"
      default: out.unicodeScalars.append(scalar)
      }
    }
  }

  /// `text` escaped for use as text content.
  public static func escaped(_ text: String) -> String {
    var out = ""
    escape(text, into: &out, quotes: true)
    return out
  }

  /// Every element named `name` in the tree (depth first), for tests.
  public func elements(named name: String) -> [Markup] {
    switch self {
    case .text, .trustedLiteral: return []
    case .fragment(let nodes): return nodes.flatMap { $0.elements(named: name) }
    case .element(let own, _, let children):
      return (own == name ? [self] : []) + children.flatMap { $0.elements(named: name) }
    }
  }

  /// The value of attribute `name` of an element.
  public func attribute(_ name: String) -> String? {
    guard case .element(_, let attributes, _) = self else { return nil }
    return attributes.first { $0.name == name }?.value
  }
}
