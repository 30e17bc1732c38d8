import Foundation

/// What a sampler does to the classes it targets (imbalanced-learn's `sampling_type`).
public enum SamplingKind: String, Sendable, Equatable {
  /// Adds rows to the targeted classes (`"over-sampling"`).
  case overSampling = "over-sampling"
  /// Removes rows from the targeted classes down to a count (`"under-sampling"`).
  case underSampling = "under-sampling"
  /// Removes the rows a rule flags, without a target count (`"clean-sampling"`).
  case cleaning = "clean-sampling"
}

/// The number of rows of each class, in increasing class order (`np.unique(y, return_counts)`).
public struct ClassCounts: Sendable, Equatable, CustomStringConvertible {
  /// The class labels, increasing.
  public var classes: [Int]
  /// `counts[i]` rows have label `classes[i]`.
  public var counts: [Int]

  public init(labels: [Int]) {
    var table: [Int: Int] = [:]
    for y in labels { table[y, default: 0] += 1 }
    classes = table.keys.sorted()
    counts = classes.map { table[$0]! }
  }

  public init(classes: [Int], counts: [Int]) {
    self.classes = classes
    self.counts = counts
  }

  /// Rows of class `label` (0 when absent).
  public subscript(label: Int) -> Int {
    guard let i = classes.firstIndex(of: label) else { return 0 }
    return counts[i]
  }

  /// The majority class: the first (lowest) class with the largest count, as Python's
  /// `max(stats, key=stats.get)` picks it.
  public var majority: Int {
    classes[
      counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }!]
  }
  /// The minority class: the first (lowest) class with the smallest count.
  public var minority: Int {
    classes[
      counts.indices.min { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }!]
  }

  public var description: String {
    zip(classes, counts).map { "\($0): \($1)" }.joined(separator: ", ")
  }
}

/// Which classes a sampler resamples and to how many rows: imbalanced-learn's
/// `sampling_strategy`, resolved by ``targets(for:kind:)`` as its `check_sampling_strategy` does.
///
/// | case | over-sampling: rows to add | under-sampling: rows to keep |
/// |---|---|---|
/// | `.auto` | = `.notMajority` | = `.notMinority` |
/// | `.minority` | majority − minority count, for the minority class | (error) |
/// | `.majority` | (error) | minority count, for the majority class |
/// | `.notMinority`, `.notMajority`, `.all` | majority − count, for those classes | minority count, for those classes |
/// | `.ratio(α)` (binary only, 0 < α ≤ 1) | `int(α · N_majority − N_c)` for each non-majority class | `int(N_minority / α)` for each non-minority class |
/// | `.counts([c: n])` | `n − N_c` (n ≥ N_c) | `n` (n ≤ N_c) |
/// | `.classes([c])` | (error) | cleaning samplers only: the listed classes |
///
/// For cleaning samplers the value is the minority count and only the keys matter.
/// The majority (minority) class is the lowest class label among those with the largest
/// (smallest) count.
public enum SamplingStrategy: Sendable, Equatable, CustomStringConvertible {
  case auto
  case minority
  case majority
  case notMinority
  case notMajority
  case all
  /// A float ratio between the minority and majority counts (binary targets only).
  case ratio(Double)
  /// The desired number of rows of each listed class.
  case counts([Int: Int])
  /// The classes a cleaning sampler may remove rows from.
  case classes([Int])

  /// Parses the command-line spelling: `auto`, `minority`, `majority`, `not-minority` (or
  /// `not minority`), `not-majority`, `all`, a ratio such as `0.5`, per-class counts such as
  /// `0:500,1:500`, or a class list such as `classes:0,2`.
  public init(parsing text: String) throws {
    let t = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(
      of: "_", with: "-")
    switch t {
    case "auto": self = .auto
    case "minority": self = .minority
    case "majority": self = .majority
    case "not-minority", "not minority": self = .notMinority
    case "not-majority", "not majority": self = .notMajority
    case "all": self = .all
    default:
      if t.hasPrefix("classes:") {
        let items = t.dropFirst("classes:".count).split(separator: ",")
        let values = items.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.count == items.count else {
          throw BiasKitError.badSamplingStrategy(text)
        }
        self = .classes(values)
      } else if t.contains(":") {
        var table: [Int: Int] = [:]
        for item in t.split(separator: ",") {
          let parts = item.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
          guard parts.count == 2, let c = Int(parts[0]), let n = Int(parts[1]) else {
            throw BiasKitError.badSamplingStrategy(text)
          }
          table[c] = n
        }
        self = .counts(table)
      } else if let value = Double(t) {
        self = .ratio(value)
      } else {
        throw BiasKitError.badSamplingStrategy(text)
      }
    }
  }

  public var description: String {
    switch self {
    case .auto: return "auto"
    case .minority: return "minority"
    case .majority: return "majority"
    case .notMinority: return "not minority"
    case .notMajority: return "not majority"
    case .all: return "all"
    case .ratio(let r): return "\(r)"
    case .counts(let c): return c.keys.sorted().map { "\($0):\(c[$0]!)" }.joined(separator: ",")
    case .classes(let c): return "classes:" + c.map(String.init).joined(separator: ",")
    }
  }

  /// The targeted classes, increasing, with the number of rows to add (over-sampling) or to
  /// keep (under-sampling; the minority count for cleaning).
  ///
  /// - Throws: ``BiasKitError`` `.degenerateData` for a one-class target, `.invalidArgument`
  ///   for a strategy the sampler kind does not accept, an unknown class, a ratio out of
  ///   (0, 1], a ratio on a multiclass target, or a ratio that would remove rows while
  ///   over-sampling (or add rows while under-sampling).
  public func targets(
    for stats: ClassCounts, kind: SamplingKind
  ) throws -> [(
    label: Int, count: Int
  )] {
    guard stats.classes.count > 1 else { throw BiasKitError.oneClassTarget(stats) }
    let maxCount = stats.counts.max()!
    let minCount = stats.counts.min()!
    let majority = stats.majority
    let minority = stats.minority
    func select(_ include: (Int) -> Bool) -> [(label: Int, count: Int)] {
      zip(stats.classes, stats.counts).filter { include($0.0) }.map { c, n in
        (c, kind == .overSampling ? maxCount - n : minCount)
      }
    }
    switch self {
    case .auto:
      return kind == .overSampling ? select { $0 != majority } : select { $0 != minority }
    case .minority:
      guard kind == .overSampling else { throw BiasKitError.strategyNotFor(self, kind) }
      return select { $0 == minority }
    case .majority:
      guard kind != .overSampling else { throw BiasKitError.strategyNotFor(self, kind) }
      return select { $0 == majority }
    case .notMinority: return select { $0 != minority }
    case .notMajority: return select { $0 != majority }
    case .all: return select { _ in true }
    case .ratio(let alpha):
      guard alpha > 0, alpha <= 1 else { throw BiasKitError.ratioOutOfRange(alpha) }
      guard stats.classes.count == 2 else {
        throw BiasKitError.ratioNeedsBinary(classes: stats.classes.count)
      }
      switch kind {
      case .overSampling:
        let out = zip(stats.classes, stats.counts).filter { $0.0 != majority }.map { c, n in
          (label: c, count: Int((Double(maxCount) * alpha - Double(n)).rounded(.towardZero)))
        }
        if let bad = out.first(where: { $0.count <= 0 }) {
          throw BiasKitError.ratioRemovesRows(
            alpha, label: bad.label, has: stats[bad.label], majority: maxCount)
        }
        return out
      case .underSampling:
        let out = zip(stats.classes, stats.counts).filter { $0.0 != minority }.map { c, _ in
          (label: c, count: Int((Double(minCount) / alpha).rounded(.towardZero)))
        }
        if let bad = out.first(where: { $0.count > stats[$0.label] }) {
          throw BiasKitError.ratioAddsRows(
            alpha, label: bad.label, has: stats[bad.label], asked: bad.count)
        }
        return out
      case .cleaning:
        throw BiasKitError.strategyNotFor(self, kind)
      }
    case .counts(let table):
      if let unknown = table.keys.sorted().first(where: { !stats.classes.contains($0) }) {
        throw BiasKitError.unknownClass(unknown, stats)
      }
      if let negative = table.keys.sorted().first(where: { table[$0]! < 0 }) {
        throw BiasKitError.negativeCount(label: negative, table[negative]!)
      }
      switch kind {
      case .overSampling:
        return try table.keys.sorted().map { c in
          let n = table[c]!
          guard n >= stats[c] else {
            throw BiasKitError.countBelowOriginal(label: c, asked: n, has: stats[c])
          }
          return (c, n - stats[c])
        }
      case .underSampling:
        return try table.keys.sorted().map { c in
          let n = table[c]!
          guard n <= stats[c] else {
            throw BiasKitError.countAboveOriginal(label: c, asked: n, has: stats[c])
          }
          return (c, n)
        }
      case .cleaning:
        throw BiasKitError.strategyNotFor(self, kind)
      }
    case .classes(let list):
      guard kind == .cleaning else { throw BiasKitError.strategyNotFor(self, kind) }
      if let unknown = list.first(where: { !stats.classes.contains($0) }) {
        throw BiasKitError.unknownClass(unknown, stats)
      }
      return Set(list).sorted().map { ($0, minCount) }
    }
  }
}
