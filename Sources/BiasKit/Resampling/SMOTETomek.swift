/// SMOTE, then the removal of Tomek links from every class of the result.
///
/// Corresponds to imbalanced-learn's `SMOTETomek` (its default cleaner is
/// `TomekLinks(sampling_strategy="all")`). The output selects from the input rows and the new
/// rows (``Resampled/sources``).
///
/// - Complexity: that of SMOTE plus O((n + s)² · d).
///
/// ## References
/// - Batista, Prati, Monard. A Study of the Behavior of Several Methods for Balancing Machine
///   Learning Training Data. SIGKDD Explorations 6, 2004.
public struct SMOTETomek: Resampler, Sendable {
  public var smote: SMOTE
  public var tomek: TomekLinks
  public var strategy: SamplingStrategy { smote.strategy }
  public var kind: SamplingKind { .overSampling }

  public init(smote: SMOTE = SMOTE(), tomek: TomekLinks = TomekLinks(strategy: .all)) {
    self.smote = smote
    self.tomek = tomek
  }

  public func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled {
    let over = try smote.resample(data, targets: targets, generator: &generator)
    return try cleanAfterOverSampling(data, over, cleaner: tomek, generator: &generator)
  }
}

/// Runs `cleaner` on the output of an over-sampler and composes the two selections.
func cleanAfterOverSampling(
  _ data: LabeledRows, _ over: Resampled, cleaner: some Resampler, generator: inout SeededGenerator
) throws -> Resampled {
  let rows = LabeledRows(
    trusted: over.features(from: data.features), labels: over.labels(from: data.labels))
  let cleaned = try cleaner.fitResample(rows, seed: generator.next())
  var result = over
  result.sources = cleaned.sources.map { over.sources[$0] }
  return result
}
