/// Fair resampling: runs a resampler separately inside each group of a sensitive attribute,
/// so that every group reaches the requested class balance, not only the pooled data.
///
/// For each group `g` (in code order) the base sampler resamples the rows of `g` alone, with
/// the seed `SeededGenerator(seed: seed).stream(g)`; so a group's result does not depend on the
/// other groups. The output keeps the selected input rows in increasing input order (over-
/// samplers: every input row, unchanged and first), then the new rows group by group
/// (``Resampled/syntheticGroups`` says which).
///
/// A group with a single class cannot be balanced and is an error naming the group.
///
/// - Complexity: the base sampler's, summed over the groups (for k-NN samplers, less than on
///   the pooled data).
public struct GroupwiseResampling<Base: Resampler>: Sendable {
  public var base: Base

  public init(base: Base) { self.base = base }

  public func fitResample(
    _ data: LabeledRows, groups: [Int32], groupNames: [String], seed: UInt64
  )
    throws -> Resampled
  {
    precondition(groups.count == data.labels.count)
    let n = data.labels.count
    let d = data.features.columns
    var members = [[Int]](repeating: [], count: groupNames.count)
    for (i, g) in groups.enumerated() { members[Int(g)].append(i) }
    var selected: [Int] = []
    var synthetic: [Double] = []
    var syntheticLabels: [Int] = []
    var syntheticGroups: [Int] = []
    let root = SeededGenerator(seed: seed)
    for (g, rows) in members.enumerated() where !rows.isEmpty {
      let subset = data.subset(rows)
      if subset.stats.classes.count < 2 {
        throw BiasKitError(
          .degenerateData,
          "group '\(groupNames[g])' has only class \(subset.stats.classes[0]) (\(rows.count) rows); every group needs at least two classes to be rebalanced"
        )
      }
      let result: Resampled
      do {
        result = try base.fitResample(subset, seed: root.stream(UInt64(g)).seed)
      } catch let error as BiasKitError {
        throw BiasKitError(error.code, "group '\(groupNames[g])': \(error.message)")
      }
      for s in result.sources {
        if s < rows.count {
          selected.append(rows[s])
        } else {
          synthetic += result.synthetic.row(s - rows.count)
          syntheticLabels.append(result.syntheticLabels[s - rows.count])
          syntheticGroups.append(g)
        }
      }
    }
    selected.sort()
    let s = syntheticLabels.count
    return Resampled(
      sources: selected + Array(n..<(n + s)), inputRows: n,
      synthetic: Matrix(rows: s, columns: d, values: synthetic), syntheticLabels: syntheticLabels,
      syntheticGroups: syntheticGroups)
  }
}

extension GroupwiseResampling where Base == AnyResampler {
  public init(base: any Resampler) { self.base = AnyResampler(base) }
}

/// A type-erased ``Resampler`` (for choosing the sampler at run time).
public struct AnyResampler: Resampler, Sendable {
  let wrapped: any Resampler
  public init(_ wrapped: any Resampler) { self.wrapped = wrapped }
  public var kind: SamplingKind { wrapped.kind }
  public var strategy: SamplingStrategy { wrapped.strategy }
  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    try wrapped.resample(data, targets: targets, generator: &generator)
  }
}
