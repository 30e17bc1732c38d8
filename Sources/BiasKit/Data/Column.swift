/// What to read from one column of a table, and how to type it.
///
/// A reader validates every field once, at the edge, and hands back typed, contiguous columns
/// (``Column``); nothing downstream looks at text again.
public struct ColumnRequest: Sendable, Equatable {
  /// How a column's fields are typed.
  public enum Kind: Sendable, Equatable {
    /// Floating-point numbers. An empty field is an error unless `allowMissing`, which reads it
    /// as NaN.
    case number(allowMissing: Bool)
    /// A binary label read as 0 or 1. Without `positive`, the values must be `0`/`1`, `-1`/`1`
    /// or `true`/`false` (any case); with it, that value is 1 and one other value is 0.
    case label(positive: String?)
    /// Category names, coded as small integers in order of first appearance. An empty field is
    /// an error unless `missingGroup` names the group it joins.
    case category(missingGroup: String?)
  }

  /// The column's name in the header.
  public var name: String
  /// How to type it.
  public var kind: Kind
  /// For a category column: whether the error about an empty field suggests naming a missing
  /// group (``Parameter/missingGroup``). False for callers that offer no such option, so that
  /// the message does not send the user to an option that does not exist.
  public var suggestsMissingGroup = true

  /// A request for column `name`, typed as `kind`.
  public init(_ name: String, _ kind: Kind) {
    self.name = name
    self.kind = kind
  }

  /// A numeric column (no missing values).
  public static func number(_ name: String) -> Self { .init(name, .number(allowMissing: false)) }
  /// A binary label column.
  public static func label(_ name: String, positive: String? = nil) -> Self {
    .init(name, .label(positive: positive))
  }
  /// A categorical column.
  public static func category(_ name: String, missingGroup: String? = nil) -> Self {
    .init(name, .category(missingGroup: missingGroup))
  }
}

/// A typed column read from a table.
public enum Column: Sendable, Equatable {
  case numbers([Double])
  case labels(LabelColumn)
  case categories(CategoricalColumn)

  /// Number of rows.
  public var count: Int {
    switch self {
    case .numbers(let values): return values.count
    case .labels(let column): return column.values.count
    case .categories(let column): return column.codes.count
    }
  }

  /// The numbers, if this is a numeric column.
  public var numbers: [Double]? {
    if case .numbers(let values) = self { return values }
    return nil
  }

  /// The labels, if this is a label column.
  public var labels: LabelColumn? {
    if case .labels(let column) = self { return column }
    return nil
  }

  /// The categories, if this is a categorical column.
  public var categories: CategoricalColumn? {
    if case .categories(let column) = self { return column }
    return nil
  }
}

/// A binary label column: `values[i]` is 1 for the positive class and 0 otherwise.
public struct LabelColumn: Sendable, Equatable {
  /// 0 or 1 per row.
  public var values: [UInt8]
  /// The text of the negative and positive classes as they appeared (`nil` if one never did).
  public var negativeName: String?
  /// The text of the positive class as it appeared (`nil` if it never did).
  public var positiveName: String?

  /// A label column of 0/1 `values` and the classes' text.
  public init(values: [UInt8], negativeName: String? = "0", positiveName: String? = "1") {
    self.values = values
    self.negativeName = negativeName
    self.positiveName = positiveName
  }
}

/// A categorical column: `levels[codes[i]]` is the value of row `i`.
///
/// Levels are in order of first appearance; ``Groups`` sorts them as pandas does.
public struct CategoricalColumn: Sendable, Equatable {
  /// One code per row, indexing ``levels``.
  public var codes: [Int32]
  /// The distinct values.
  public var levels: [String]

  /// A column of `codes` into `levels` (``Groups`` checks the codes when it reads them).
  public init(codes: [Int32], levels: [String]) {
    self.codes = codes
    self.levels = levels
  }

  /// A column from string values (convenient for tests and small data).
  public init<S: Sequence>(_ values: S) where S.Element: StringProtocol {
    var index: [String: Int32] = [:]
    var levels: [String] = []
    var codes: [Int32] = []
    for value in values {
      let key = String(value)
      if let code = index[key] {
        codes.append(code)
      } else {
        let code = Int32(levels.count)
        index[key] = code
        levels.append(key)
        codes.append(code)
      }
    }
    self.init(codes: codes, levels: levels)
  }
}
