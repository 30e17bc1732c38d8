import Foundation

/// The sensitive-feature group of each row, as small integer codes over sorted group names.
///
/// Built once at the edge from strings or a ``CategoricalColumn``; the mitigation algorithms
/// work on ``codes`` only. Names are sorted as pandas/numpy sort them (`np.unique`), which fixes
/// the order of groups in every table (fairlearn orders groups the same way).
///
/// - Complexity: O(n log g) to build for n rows in g groups.
public struct SensitiveGroups: Sendable, Equatable {
  /// Group code of each row, in `0..<names.count`.
  public var codes: [Int32]
  /// Group names, sorted.
  public var names: [String]

  /// Groups from one name per row.
  public init<S: Sequence>(_ values: S) where S.Element: StringProtocol {
    self.init(column: CategoricalColumn(values))
  }

  /// Groups from a categorical column (levels re-coded in sorted order).
  public init(column: CategoricalColumn) {
    // The one ordering rule of group keys (``GroupIndex``): numeric when every level is a
    // number, else by Unicode scalars, as pandas and fairlearn order groups.
    let order = GroupIndex.sortedOrder(column.levels)
    var recode = [Int32](repeating: 0, count: column.levels.count)
    for (newCode, old) in order.enumerated() { recode[old] = Int32(newCode) }
    codes = column.codes.map { recode[Int($0)] }
    names = order.map { column.levels[$0] }
  }

  /// The intersection of several sensitive columns as one categorical column: each row's
  /// values joined with `,` after escaping a backslash and `,` with a backslash, exactly as fairlearn
  /// merges a multi-column `sensitive_features` (`_merge_columns`), so the group names and
  /// their sorted order are fairlearn's. Only combinations that occur are levels. One column
  /// is returned as it is.
  ///
  /// - Complexity: O(n·c) for n rows and c columns, plus one string per occurring combination.
  public static func intersection(_ columns: [CategoricalColumn]) -> CategoricalColumn {
    guard columns.count > 1 else { return columns[0] }
    let n = columns[0].codes.count
    var combination: [[Int32]: Int32] = [:]
    var levels: [String] = []
    var codes = [Int32](repeating: 0, count: n)
    var key = [Int32](repeating: 0, count: columns.count)
    for i in 0..<n {
      for (c, column) in columns.enumerated() { key[c] = column.codes[i] }
      if let code = combination[key] {
        codes[i] = code
      } else {
        let code = Int32(levels.count)
        combination[key] = code
        levels.append(
          zip(columns, key).map { column, k in
            column.levels[Int(k)].replacingOccurrences(of: "\\", with: "\\\\")
              .replacingOccurrences(of: ",", with: "\\,")
          }.joined(separator: ","))
        codes[i] = code
      }
    }
    return CategoricalColumn(codes: codes, levels: levels)
  }

  /// The values of each column in a group name made by ``intersection(_:)`` from `columns`
  /// columns (the inverse of its escaping); one column's name is its value.
  public static func key(of name: String, columns: Int) -> [String] {
    guard columns > 1 else { return [name] }
    var parts: [String] = []
    var current = ""
    var escaped = false
    for ch in name {
      if escaped {
        current.append(ch)
        escaped = false
      } else if ch == "\\" {
        escaped = true
      } else if ch == "," {
        parts.append(current)
        current = ""
      } else {
        current.append(ch)
      }
    }
    parts.append(current)
    return parts
  }

  /// Groups from codes and names as they are.
  public init(codes: [Int32], names: [String]) {
    self.codes = codes
    self.names = names
  }

  /// Number of groups.
  public var count: Int { names.count }
  /// Number of rows.
  public var rowCount: Int { codes.count }

  /// Rows per group.
  public func sizes() -> [Int] {
    var sizes = [Int](repeating: 0, count: names.count)
    for c in codes { sizes[Int(c)] += 1 }
    return sizes
  }

  /// The groups of rows `indices`, keeping all names.
  public func rows<S: Sequence>(at indices: S) -> SensitiveGroups where S.Element == Int {
    SensitiveGroups(codes: indices.map { codes[$0] }, names: names)
  }

  /// Codes for other rows' names in this group table (for a test set); an unseen name throws.
  public func encode<S: Sequence>(_ values: S) throws -> SensitiveGroups
  where S.Element: StringProtocol {
    var index: [String: Int32] = [:]
    for (k, name) in names.enumerated() { index[name] = Int32(k) }
    var out: [Int32] = []
    for value in values {
      guard let code = index[String(value)] else {
        throw BiasKitError(
          .invalidValue,
          "the sensitive value '\(value)' does not occur in the training data (groups: \(names.joined(separator: ", ")))"
        )
      }
      out.append(code)
    }
    return SensitiveGroups(codes: out, names: names)
  }
}

extension BiasKitError {
  /// Mitigation needs at least two groups to compare.
  static func oneSensitiveGroup(_ name: String) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "the sensitive feature has one group ('\(name)'); mitigation needs at least two groups to compare"
    )
  }

  /// Sizes of parallel inputs differ.
  static func lengthMismatch(_ what: String, _ a: Int, _ b: Int) -> BiasKitError {
    BiasKitError(.invalidArgument, "\(what): \(a) values for \(b) rows")
  }
}
