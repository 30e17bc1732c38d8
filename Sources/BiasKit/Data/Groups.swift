/// The group of each row: one categorical feature, or the intersection of several.
///
/// Levels of each feature are sorted as pandas sorts group keys (numerically when every level is
/// a number, else by Unicode code points). A `Groups` value has one of two layouts over those
/// levels, the two conventions of fairlearn:
///
/// - **product** (``init(features:columns:)``): every combination of levels is a group, in
///   mixed-radix order with the first feature varying slowest, so a combination without rows is
///   still a group, with no rows. This is the index of fairlearn's `MetricFrame.by_group` for
///   multi-column `sensitive_features` (`pandas.MultiIndex.from_product`); audits use it.
/// - **occurring** (``occurring()``): only the combinations that have rows, ordered by their
///   ``name(_:)``, the values joined with `,` (a backslash and a `,` inside a value escaped
///   with a backslash) and sorted as `np.unique` sorts strings. This is how fairlearn's
///   mitigation techniques see several sensitive columns (`_merge_columns`); mitigations use it.
///
/// With one feature whose levels all occur, both layouts are the same value. Row `i` is in group
/// ``codes``[i]; every code is in `0..<count`.
///
///     let groups = try Groups(features: ["sex", "race"], columns: [sex, race])
///     groups.key(3)                     // ["Female", "Other"]
///     groups.occurring().name(0)        // "Female,Amer-Indian-Eskimo"
///
/// - Complexity: O(n · features) to build; O(1) per row afterwards; ``occurring()`` is
///   O(n + g log g) for g occurring groups.
public struct Groups: Sendable, Equatable {
  /// The names of the features (the sensitive columns), in order.
  public let features: [String]
  /// The sorted levels of each feature.
  public let levels: [[String]]
  /// The group of each row, in `0..<count`.
  public let codes: [Int32]
  /// Number of groups.
  public let count: Int
  /// Occurring layout: the level combination (mixed radix, first feature slowest) of each
  /// group, and its name. `nil` in the product layout.
  private let table: OccurringTable?

  private struct OccurringTable: Sendable, Equatable {
    var combinations: [Int]
    var names: [String]
  }

  /// The most combinations a product layout may have.
  public static let maximumGroups = 1 << 22

  /// The product layout of one categorical column per feature.
  ///
  /// - Throws: ``BiasKitError`` when there is no feature, the names and columns differ in number,
  ///   the columns differ in length, a column's code is outside its levels or a level is listed
  ///   twice, or the intersection has more than ``maximumGroups`` combinations.
  public init(features: [String], columns: [CategoricalColumn]) throws {
    guard !columns.isEmpty, features.count == columns.count else {
      throw BiasKitError.noGroupFeature(features: features.count, columns: columns.count)
    }
    let n = columns[0].codes.count
    guard columns.allSatisfy({ $0.codes.count == n }) else {
      throw BiasKitError(.invalidArgument, "the group columns differ in length")
    }
    var sortedLevels: [[String]] = []
    var remaps: [[Int32]] = []
    var product = 1
    for (column, name) in zip(columns, features) {
      guard Set(column.levels).count == column.levels.count else {
        throw BiasKitError(.invalidArgument, "the levels of '\(name)' list a value twice")
      }
      let levelCount = Int32(column.levels.count)
      if column.codes.contains(where: { $0 < 0 || $0 >= levelCount }) {
        throw BiasKitError(
          .invalidArgument, "a code of '\(name)' is outside its \(levelCount) levels")
      }
      let order = Groups.sortedOrder(column.levels)
      var remap = [Int32](repeating: 0, count: column.levels.count)
      for (rank, original) in order.enumerated() { remap[original] = Int32(rank) }
      sortedLevels.append(order.map { column.levels[$0] })
      remaps.append(remap)
      product *= max(column.levels.count, 1)
      if product > Groups.maximumGroups {
        throw BiasKitError.tooManyGroups(features)
      }
    }
    var codes = [Int32](repeating: 0, count: n)
    var stride = 1
    for f in columns.indices.reversed() {
      let remap = remaps[f]
      let s = Int32(stride)
      columns[f].codes.withUnsafeBufferPointer { source in
        codes.withUnsafeMutableBufferPointer { target in
          for i in 0..<n { target[i] += remap[Int(source[i])] * s }
        }
      }
      stride *= max(columns[f].levels.count, 1)
    }
    self.init(features: features, levels: sortedLevels, codes: codes, count: product, table: nil)
  }

  /// One feature from one value per row (convenient for tests and small data): the levels are
  /// the distinct values, sorted.
  public init<S: Sequence>(_ values: S, feature: String = "group") where S.Element: StringProtocol {
    // A column built from values has valid codes and distinct levels, and one feature has at
    // most as many groups as rows: the checks of the designated initialiser cannot fail.
    let column = CategoricalColumn(values)
    var sortedLevels: [String] = []
    var remap = [Int32](repeating: 0, count: column.levels.count)
    for (rank, original) in Groups.sortedOrder(column.levels).enumerated() {
      remap[original] = Int32(rank)
      sortedLevels.append(column.levels[original])
    }
    self.init(
      features: [feature], levels: [sortedLevels], codes: column.codes.map { remap[Int($0)] },
      count: sortedLevels.count, table: nil)
  }

  private init(
    features: [String], levels: [[String]], codes: [Int32], count: Int, table: OccurringTable?
  ) {
    self.features = features
    self.levels = levels
    self.codes = codes
    self.count = count
    self.table = table
  }

  /// Number of rows.
  public var rowCount: Int { codes.count }

  /// Whether every combination of levels is a group (the product layout).
  public var isProduct: Bool { table == nil }

  /// The levels of group `group`, one per feature.
  public func key(_ group: Int) -> [String] {
    Groups.key(table?.combinations[group] ?? group, levels: levels)
  }

  /// The group's name: its level with one feature; with several, the levels joined as fairlearn
  /// joins them (``joinedName(_:)``).
  public func name(_ group: Int) -> String {
    if let table { return table.names[group] }
    return Groups.joinedName(key(group))
  }

  /// The name of every group, in group order.
  public var names: [String] { table?.names ?? (0..<count).map(name) }

  /// Rows per group.
  public func sizes() -> [Int] {
    var sizes = [Int](repeating: 0, count: count)
    for c in codes { sizes[Int(c)] += 1 }
    return sizes
  }

  /// The group whose levels are `key`, if it is one.
  public func group(of key: [String]) -> Int? {
    guard key.count == levels.count else { return nil }
    var code = 0
    for f in levels.indices {
      guard let rank = levels[f].firstIndex(of: key[f]) else { return nil }
      code = code * levels[f].count + rank
    }
    guard let table else { return code }
    return table.combinations.firstIndex(of: code)
  }

  /// The combinations that have rows, ordered by name as fairlearn's mitigation techniques order
  /// the groups of merged sensitive columns. Idempotent.
  public func occurring() -> Groups {
    if table != nil { return self }
    var used = [Bool](repeating: false, count: count)
    for c in codes { used[Int(c)] = true }
    let combinations = used.indices.filter { used[$0] }
    let names = combinations.map { Groups.joinedName(Groups.key($0, levels: levels)) }
    let order = Groups.sortedOrder(names)
    if combinations.count == count, order.elementsEqual(order.indices) { return self }
    var recode = [Int32](repeating: -1, count: count)
    for (rank, k) in order.enumerated() { recode[combinations[k]] = Int32(rank) }
    return Groups(
      features: features, levels: levels, codes: codes.map { recode[Int($0)] },
      count: order.count,
      table: OccurringTable(
        combinations: order.map { combinations[$0] }, names: order.map { names[$0] }))
  }

  /// The same rows in the product layout (every combination of levels a group).
  public func product() -> Groups {
    guard let table else { return self }
    let total = levels.reduce(1) { $0 * max($1.count, 1) }
    return Groups(
      features: features, levels: levels, codes: codes.map { Int32(table.combinations[Int($0)]) },
      count: total, table: nil)
  }

  /// The groups of rows `indices`, in that order, keeping the group table.
  public func rows<S: Sequence>(at indices: S) -> Groups where S.Element == Int {
    Groups(
      features: features, levels: levels, codes: indices.map { codes[$0] }, count: count,
      table: table)
  }

  /// Other rows (a test set) in this group table: one column per feature.
  ///
  /// - Throws: ``BiasKitError`` when the number of columns differs from ``features``, the
  ///   columns differ in length, or a row's values are not a group of this table (listing the
  ///   groups).
  public func encoding(_ columns: [CategoricalColumn]) throws -> Groups {
    guard columns.count == features.count else {
      throw BiasKitError.noGroupFeature(features: features.count, columns: columns.count)
    }
    let n = columns.first?.codes.count ?? 0
    guard columns.allSatisfy({ $0.codes.count == n }) else {
      throw BiasKitError(.invalidArgument, "the group columns differ in length")
    }
    // Rank of each of the columns' levels among this table's levels (-1 if unseen).
    let ranks: [[Int]] = zip(columns, levels).map { column, known in
      var index: [String: Int] = [:]
      for (rank, level) in known.enumerated() { index[level] = rank }
      return column.levels.map { index[$0] ?? -1 }
    }
    var groupOfCombination: [Int: Int32] = [:]
    if let table {
      for (g, combination) in table.combinations.enumerated() {
        groupOfCombination[combination] = Int32(g)
      }
    }
    var out = [Int32](repeating: 0, count: n)
    for i in 0..<n {
      var combination = 0
      var known = true
      for f in columns.indices {
        let code = Int(columns[f].codes[i])
        let rank = code >= 0 && code < ranks[f].count ? ranks[f][code] : -1
        if rank < 0 { known = false }
        combination = combination * levels[f].count + max(rank, 0)
      }
      if known, table == nil {
        out[i] = Int32(combination)
      } else if known, let g = groupOfCombination[combination] {
        out[i] = g
      } else {
        let key = columns.indices.map { f -> String in
          let code = Int(columns[f].codes[i])
          return code >= 0 && code < columns[f].levels.count ? columns[f].levels[code] : "?"
        }
        throw BiasKitError.unseenGroup(Groups.joinedName(key), groups: names)
      }
    }
    return Groups(features: features, levels: levels, codes: out, count: count, table: table)
  }

  /// Other rows in this group table, given each row's group code.
  ///
  /// - Throws: ``BiasKitError`` when a code is outside `0..<count`.
  public func assigning(_ codes: [Int32]) throws -> Groups {
    if let bad = codes.firstIndex(where: { $0 < 0 || Int($0) >= count }) {
      throw BiasKitError(
        .invalidArgument,
        "the group code of row \(bad + 1) is \(codes[bad]); there are \(count) groups")
    }
    return Groups(features: features, levels: levels, codes: codes, count: count, table: table)
  }

  /// Other rows of a one-feature table from their values.
  public func encoding<S: Sequence>(_ values: S) throws -> Groups where S.Element: StringProtocol {
    try encoding([CategoricalColumn(values)])
  }

  /// The rows' codes in a table whose groups are `names` (a fitted model's groups): the codes as
  /// they are when the names are this table's, else each group looked up by name.
  ///
  /// - Throws: ``BiasKitError`` naming a group of these rows that is not among `names`.
  public func codes(matching names: [String]) throws -> [Int32] {
    let mine = self.names
    if mine == names { return codes }
    var index: [String: Int32] = [:]
    for (k, name) in names.enumerated() { index[name] = Int32(k) }
    // Groups of this table without rows need no counterpart.
    let sizes = self.sizes()
    let remap = try mine.enumerated().map { g, name -> Int32 in
      if let code = index[name] { return code }
      if sizes[g] == 0 { return -1 }
      throw BiasKitError.unseenGroup(name, groups: names)
    }
    return codes.map { remap[Int($0)] }
  }

  /// The levels of combination `code` of `levels` (the first feature varying slowest).
  public static func key(_ code: Int, levels: [[String]]) -> [String] {
    var remainder = code
    var key = [String](repeating: "", count: levels.count)
    for f in levels.indices.reversed() {
      key[f] = levels[f][remainder % levels[f].count]
      remainder /= levels[f].count
    }
    return key
  }

  /// One value per feature joined as fairlearn's `_merge_columns` joins multi-column sensitive
  /// features: a backslash and a `,` in a value are escaped with a backslash, and the values are
  /// joined with `,`. One value is returned as it is.
  public static func joinedName(_ key: [String]) -> String {
    guard key.count > 1 else { return key.first ?? "" }
    return key.map {
      $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ",", with: "\\,")
    }.joined(separator: ",")
  }

  /// The values of each of `features` features in a name made by ``joinedName(_:)`` (the
  /// inverse of its escaping).
  public static func key(ofName name: String, features: Int) -> [String] {
    guard features > 1 else { return [name] }
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

  /// Level order: numeric when every level is a number, else by Unicode scalars (as Python
  /// compares strings). The one ordering rule of group keys in BiasKit.
  static func sortedOrder(_ levels: [String]) -> [Int] {
    let numbers = levels.map { Double($0) }
    if numbers.allSatisfy({ $0 != nil }) {
      return levels.indices.sorted { numbers[$0]! < numbers[$1]! }
    }
    return levels.indices.sorted {
      levels[$0].unicodeScalars.lexicographicallyPrecedes(levels[$1].unicodeScalars)
    }
  }

  /// Levels sorted by the one ordering rule.
  static func sorted(_ levels: [String]) -> [String] { sortedOrder(levels).map { levels[$0] } }
}

extension BiasKitError {
  static func noGroupFeature(features: Int, columns: Int) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      features == 0 && columns == 0
        ? "groups need at least one feature"
        : "groups need one column per feature (\(features) features, \(columns) columns)")
  }

  static func tooManyGroups(_ features: [String]) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "the features \(features.joined(separator: ", ")) have more than \(Groups.maximumGroups) combinations of values"
    )
  }

  /// A row's group (a test set's) is not among the fitted groups.
  static func unseenGroup(_ name: String, groups: [String]) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "the sensitive value '\(name)' does not occur in the training data (groups: \(groups.joined(separator: ", ")))"
    )
  }

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
