import Foundation

/// ``GradientBoostingClassifier`` as a ``WeightedLearner``: the prepared features are the
/// binned matrix, so a reduction (ExponentiatedGradient, GridSearch) bins once for all its
/// oracle calls.
///
/// The bins are fitted once on the unweighted rows. scikit-learn refits its bins at every
/// `fit(X, y, sample_weight)` (weighted quantiles); the two agree whenever a feature has at most
/// `maxBins` distinct values (on Adult, every column but `fnlwgt`). A warm start is not used:
/// each call fits from the baseline, as a cloned scikit-learn estimator does.
extension GradientBoostingClassifier: WeightedLearner {
  /// Binned features and their bins.
  public struct PreparedFeatures: Sendable {
    public let binning: FeatureBinning
    public let binned: BinnedFeatures
    public var rows: Int { binned.rows }
  }

  public func prepared(_ features: Matrix) throws -> PreparedFeatures {
    try validate()
    try validateGradientBoostingFeatures(features)
    let binning = try FeatureBinning(fitting: features, maxBins: maxBins, seed: seed)
    return PreparedFeatures(binning: binning, binned: binning.binned(features))
  }

  public func fitted(
    _ features: PreparedFeatures, labels: [UInt8], weights: [Double]?,
    startingFrom previous: Model?
  ) throws -> Model {
    try validate()
    try validateGradientBoostingTargets(rows: features.rows, labels: labels, weights: weights)
    var plain = self
    plain.earlyStopping = .off
    return plain.boosted(
      binned: features.binned, binning: features.binning,
      baseline: baselinePrediction(labels, weights),
      objective: try loss.objective(labels: labels, weights: weights), validation: nil)
  }

  public func predictions(of model: Model, on features: PreparedFeatures) -> [UInt8] {
    return (0..<features.rows).map { i in
      var raw = model.baseline
      for tree in model.trees { raw += tree.predictBinned(features.binned, row: i) }
      let p = 1 / (1 + exp(-raw))
      return p > 1 - p ? 1 : 0
    }
  }
}

extension GradientBoostingClassifier.Model: FittedClassifier {
  /// `P(y = 1 | x)`.
  public func scores(_ features: Matrix) -> [Double] { probabilities(features) }
}
