/// BiasKit measures and mitigates bias in machine-learning systems.
///
/// The library is organised by capability: `Data` (CSV and array readers, the group index),
/// `Metrics` (confusion counts and the metric definitions), `Audit` (MetricFrame, aggregates,
/// bootstrap), `Mitigation`, `Resampling`, `Embeddings` and `Report`.
public enum BiasKit {
  /// The version printed by `biaskit --version` and written into reports.
  public static let version = "0.1.0"
}
