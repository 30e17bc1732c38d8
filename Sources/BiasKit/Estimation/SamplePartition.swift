/// A partition of a sample's rows into named parts (strata, or the groups of a per-group
/// estimate): a part code for every labelled and every unlabelled row.
public struct SamplePartition: Sendable, Equatable {
  /// The part of each labelled row, in 0..<names.count.
  public var labelled: [Int32]
  /// The part of each unlabelled row.
  public var unlabelled: [Int32]
  /// The parts' names.
  public var names: [String]

  public init(labelled: [Int32], unlabelled: [Int32], names: [String]) {
    self.labelled = labelled
    self.unlabelled = unlabelled
    self.names = names
  }

  /// The rows of each part: (labelled rows, unlabelled rows) per part.
  func rows() throws -> [(labelled: [Int], unlabelled: [Int])] {
    var out = [(labelled: [Int], unlabelled: [Int])](
      repeating: ([], []), count: names.count)
    for (i, code) in labelled.enumerated() {
      guard code >= 0, Int(code) < names.count else {
        throw BiasKitError.badPartCode(Int(code), names.count)
      }
      out[Int(code)].labelled.append(i)
    }
    for (i, code) in unlabelled.enumerated() {
      guard code >= 0, Int(code) < names.count else {
        throw BiasKitError.badPartCode(Int(code), names.count)
      }
      out[Int(code)].unlabelled.append(i)
    }
    return out
  }
}

extension BiasKitError {
  static func badPartCode(_ code: Int, _ count: Int) -> BiasKitError {
    BiasKitError(.invalidArgument, "group or stratum code \(code) is outside 0..<\(count)")
  }
}
