/// Assigns each row to a group: one categorical feature, or the intersection of several.
///
/// Levels of each feature are sorted as pandas sorts group keys (numerically when every level is
/// a number, else by Unicode code points), and the groups are every combination of levels in
/// that order, the first feature varying slowest: exactly the index of fairlearn's
/// `MetricFrame.by_group` for multi-column `sensitive_features` (built with
/// `pandas.MultiIndex.from_product`, so a combination without rows is still a group, with no
/// rows). Row `i` is in group `codes[i]`.
///
///     let groups = try GroupIndex(names: ["sex", "race"], columns: [sex, race])
///     groups.key(3)        // ["Female", "Other"]
///
/// - Complexity: O(n · features) to build; O(1) per row afterwards.
public struct GroupIndex: Sendable, Equatable {
  /// The feature names, in order.
  public let names: [String]
  /// The sorted levels of each feature.
  public let levels: [[String]]
  /// The group of each row.
  public let codes: [Int32]
  /// Number of groups (the product of the level counts).
  public let groupCount: Int

  /// The most combinations an intersection may have.
  public static let maximumGroups = 1 << 22

  /// Builds the index from one categorical column per feature.
  /// - Throws: ``BiasKitError`` when there is no feature, the columns differ in length, or the
  ///   intersection has more than ``maximumGroups`` combinations.
  public init(names: [String], columns: [CategoricalColumn]) throws {
    guard !columns.isEmpty, names.count == columns.count else {
      throw BiasKitError(.invalidArgument, "a group index needs at least one feature")
    }
    let n = columns[0].codes.count
    guard columns.allSatisfy({ $0.codes.count == n }) else {
      throw BiasKitError(.invalidArgument, "the group columns differ in length")
    }
    var sortedLevels: [[String]] = []
    var remaps: [[Int32]] = []
    var product = 1
    for column in columns {
      let order = GroupIndex.sortedOrder(column.levels)
      var remap = [Int32](repeating: 0, count: column.levels.count)
      for (rank, original) in order.enumerated() { remap[original] = Int32(rank) }
      sortedLevels.append(order.map { column.levels[$0] })
      remaps.append(remap)
      product *= max(column.levels.count, 1)
      if product > GroupIndex.maximumGroups {
        throw BiasKitError(
          .invalidArgument,
          "the features \(names.joined(separator: ", ")) have more than \(GroupIndex.maximumGroups) combinations of values"
        )
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
    self.names = names
    self.levels = sortedLevels
    self.codes = codes
    self.groupCount = product
  }

  /// The levels of group `group`, one per feature.
  public func key(_ group: Int) -> [String] { GroupIndex.key(group, levels: levels) }

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

  /// The group whose levels are `key`, if every level exists.
  public func group(of key: [String]) -> Int? {
    guard key.count == levels.count else { return nil }
    var code = 0
    for f in levels.indices {
      guard let rank = levels[f].firstIndex(of: key[f]) else { return nil }
      code = code * levels[f].count + rank
    }
    return code
  }

  /// Level order: numeric when every level is a number, else by Unicode scalars (as Python
  /// compares strings).
  static func sortedOrder(_ levels: [String]) -> [Int] {
    let numbers = levels.map { Double($0) }
    if numbers.allSatisfy({ $0 != nil }) {
      return levels.indices.sorted { numbers[$0]! < numbers[$1]! }
    }
    return levels.indices.sorted {
      levels[$0].unicodeScalars.lexicographicallyPrecedes(levels[$1].unicodeScalars)
    }
  }
}
