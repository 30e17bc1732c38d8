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
  public func encode<S: Sequence>(_ values: S) throws -> SensitiveGroups where S.Element: StringProtocol {
    var index: [String: Int32] = [:]
    for (k, name) in names.enumerated() { index[name] = Int32(k) }
    var out: [Int32] = []
    for value in values {
      guard let code = index[String(value)] else {
        throw BiasKitError(.invalidValue,
          "the sensitive value '\(value)' does not occur in the training data (groups: \(names.joined(separator: ", ")))")
      }
      out.append(code)
    }
    return SensitiveGroups(codes: out, names: names)
  }
}

extension BiasKitError {
  /// Mitigation needs at least two groups to compare.
  static func oneSensitiveGroup(_ name: String) -> BiasKitError {
    BiasKitError(.degenerateData,
      "the sensitive feature has one group ('\(name)'); mitigation needs at least two groups to compare")
  }

  /// Sizes of parallel inputs differ.
  static func lengthMismatch(_ what: String, _ a: Int, _ b: Int) -> BiasKitError {
    BiasKitError(.invalidArgument, "\(what): \(a) values for \(b) rows")
  }
}
