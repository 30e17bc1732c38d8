/// One estimate per group (a level of a sensitive column), and the differences between every
/// two groups with their intervals.
///
/// Each group's estimate is its estimator run on that group's rows alone (so PPI++ tunes a λ
/// per group). Groups are disjoint samples, so for groups a and b and each coordinate
///
///     θ̂ₐ − θ̂_b,   se = √(se(θ̂ₐ)² + se(θ̂_b)²),   interval (θ̂ₐ − θ̂_b) ± z·se
///
/// at the estimates' α and alternative. Quantile estimates have no standard error (their
/// intervals invert a test), so they have no differences.
///
/// - Complexity: the estimator's on each group, plus O(g²·d) for g groups.
public struct GroupEstimates: Sendable, Equatable {
  /// A group's estimate.
  public struct Group: Sendable, Equatable {
    public var name: String
    public var estimate: Estimate
  }

  /// The difference of one coordinate between two groups, `first − second`.
  public struct Difference: Sendable, Equatable {
    public var first: String
    public var second: String
    /// The coordinate (`mean`, a covariate's name).
    public var parameter: String
    public var value: Double
    public var standardError: Double
    public var interval: ConfidenceInterval
  }

  /// The groups in the partition's order.
  public var groups: [Group]
  /// Every pair (a, b) with a before b, for every coordinate.
  public var differences: [Difference]

  /// Runs `estimator` on each part of `partition` of `sample`.
  ///
  /// A group without labelled rows is an error naming it; an error inside a group's estimate is
  /// rethrown with the group's name in front.
  public init(
    partition: SamplePartition, sample: PredictionSample, interval: ZInterval,
    estimator: (PredictionSample) throws -> Estimate
  ) throws {
    guard partition.labelled.count == sample.labelledCount,
      partition.unlabelled.count == sample.unlabelledCount
    else {
      throw BiasKitError.countMismatch(
        "group codes", partition.labelled.count + partition.unlabelled.count,
        expected: sample.labelledCount + sample.unlabelledCount, of: "rows")
    }
    let rows = try partition.rows()
    var groups: [Group] = []
    for (k, r) in rows.enumerated() {
      let name = partition.names[k]
      guard !r.labelled.isEmpty else { throw BiasKitError.groupWithoutLabelledRows(name) }
      do {
        let estimate = try estimator(sample.rows(labelled: r.labelled, unlabelled: r.unlabelled))
        groups.append(Group(name: name, estimate: estimate))
      } catch let error as BiasKitError {
        throw BiasKitError(error.code, "group '\(name)': \(error.message)")
      }
    }
    var differences: [Difference] = []
    for a in groups.indices {
      for b in groups.indices where b > a {
        for (pa, pb) in zip(groups[a].estimate.parameters, groups[b].estimate.parameters) {
          guard let sa = pa.standardError, let sb = pb.standardError else { continue }
          let value = pa.value - pb.value
          let se = (sa * sa + sb * sb).squareRoot()
          differences.append(
            Difference(
              first: groups[a].name, second: groups[b].name, parameter: pa.name, value: value,
              standardError: se, interval: interval.interval(value, standardError: se)))
        }
      }
    }
    self.groups = groups
    self.differences = differences
  }
}

extension BiasKitError {
  static func groupWithoutLabelledRows(_ name: String) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "group '\(name)' has no labelled rows: its estimate needs gold labels in the group")
  }
}
