/// SMOTE, then ``EditedNearestNeighbours`` on every class of the result.
///
/// Corresponds to imbalanced-learn's `SMOTEENN` (its default cleaner is
/// `EditedNearestNeighbours(sampling_strategy="all")`). The output selects from the input rows
/// and the new rows, class by class (``Resampled/sources``).
///
/// - Complexity: that of SMOTE plus O((n + s)² · d).
///
/// ## References
/// - Batista, Prati, Monard. A Study of the Behavior of Several Methods for Balancing Machine
///   Learning Training Data. SIGKDD Explorations 6, 2004.
public struct SMOTEENN: Resampler, Sendable {
  public var smote: SMOTE
  public var enn: EditedNearestNeighbours
  public var strategy: SamplingStrategy { smote.strategy }
  public var kind: SamplingKind { .overSampling }

  public init(
    smote: SMOTE = SMOTE(), enn: EditedNearestNeighbours = EditedNearestNeighbours(strategy: .all)
  ) {
    self.smote = smote
    self.enn = enn
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let over = try smote.resample(data, targets: targets, generator: &generator)
    return try cleanAfterOverSampling(data, over, cleaner: enn, generator: &generator)
  }
}
