/// A running sum with Neumaier's compensation, so that a sum of many terms is accurate to about
/// one rounding regardless of their order (numpy's pairwise sums are accurate to O(log n)
/// roundings; both agree far below the 1e-12 BiasKit promises).
///
/// - Complexity: O(1) per term; mergeable (``add(_:)-(CompensatedSum)``).
public struct CompensatedSum: Sendable, Equatable, Codable {
  /// The running sum of the terms (rounded).
  public private(set) var sum: Double = 0
  /// The accumulated rounding errors of ``sum``.
  public private(set) var compensation: Double = 0

  /// An empty sum (0).
  public init() {}

  /// The compensated total: `sum + compensation`.
  public var value: Double { sum + compensation }

  /// Adds one term (Neumaier's step: the rounding error of `sum + x` goes to ``compensation``).
  public mutating func add(_ x: Double) {
    let t = sum + x
    if abs(sum) >= abs(x) { compensation += (sum - t) + x } else { compensation += (x - t) + sum }
    sum = t
  }

  /// Adds another sum (merging two partial sums).
  public mutating func add(_ other: CompensatedSum) {
    add(other.sum)
    add(other.compensation)
  }
}
