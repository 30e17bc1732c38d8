/// The two groups AIF360's post-processors compare: one privileged group and the rest.
///
/// AIF360 describes them as `privileged_groups=[{"sex": 1}]`, `unprivileged_groups=[{"sex": 0}]`;
/// here the sensitive feature must have exactly two groups and the privileged one is named.
///
/// - Complexity: O(n) to split n rows.
struct PrivilegedSplit {
  /// Code of the privileged group in the ``SensitiveGroups`` table.
  var privilegedCode: Int32
  /// `true` for rows of the privileged group.
  var isPrivileged: [Bool]

  init(groups: SensitiveGroups, privileged: String, algorithm: String) throws {
    guard groups.count == 2 else {
      throw BiasKitError.notTwoGroups(algorithm, groups.names)
    }
    guard let code = groups.names.firstIndex(of: privileged) else {
      throw BiasKitError.unknownPrivilegedGroup(algorithm, privileged, groups.names)
    }
    privilegedCode = Int32(code)
    isPrivileged = groups.codes.map { $0 == Int32(code) }
  }
}

/// Counts of one group's rows by true label and (possibly fractional) prediction.
struct GroupCounts {
  var rows = 0.0
  var positives = 0.0
  var negatives = 0.0
  var truePositives = 0.0
  var falsePositives = 0.0
  var trueNegatives = 0.0
  var falseNegatives = 0.0

  var baseRate: Double { positives / rows }
  var truePositiveRate: Double { truePositives / positives }
  var falsePositiveRate: Double { falsePositives / negatives }
  var trueNegativeRate: Double { trueNegatives / negatives }
  var falseNegativeRate: Double { falseNegatives / positives }
  var selectionRate: Double { (truePositives + falsePositives) / rows }

  /// Adds a row with label `y` and prediction (or score) `p ∈ [0, 1]`.
  @inline(__always) mutating func add(label y: UInt8, prediction p: Double) {
    rows += 1
    if y == 1 {
      positives += 1
      truePositives += p
      falseNegatives += 1 - p
    } else {
      negatives += 1
      falsePositives += p
      trueNegatives += 1 - p
    }
  }
}

extension BiasKitError {
  /// AIF360's post-processors compare exactly two groups.
  static func notTwoGroups(_ algorithm: String, _ names: [String]) -> BiasKitError {
    BiasKitError(.invalidArgument,
      "\(algorithm) compares a privileged and an unprivileged group; the sensitive feature has \(names.count) groups (\(names.joined(separator: ", ")))")
  }

  /// The privileged group's name is not among the groups.
  static func unknownPrivilegedGroup(_ algorithm: String, _ name: String, _ names: [String]) -> BiasKitError {
    BiasKitError(.unknownName,
      "\(algorithm): the privileged group '\(name)' is not one of the groups (\(names.joined(separator: ", ")))")
  }

  /// Two parallel inputs of a post-processor have different lengths.
  static func postprocessingLengths(_ algorithm: String, _ what: String, _ a: Int, _ b: Int) -> BiasKitError {
    BiasKitError(.invalidArgument, "\(algorithm): \(a) \(what) for \(b) rows")
  }
}
