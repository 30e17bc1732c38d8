/// Copies of a dataset with one role replaced, validated as ``Dataset/init(name:rowCount:labels:predictions:targets:predictedValues:scores:weights:features:groups:control:)``
/// validates arrays: what the mitigation wrappers hand to the step after theirs (the learner's
/// scores to a post-processor, a pre-processor's weights or features to the learner).
///
/// The copy keeps the name, the rows' labels, predictions, targets, scores, weights, features
/// and groups (the arrays are shared, not copied, until one side changes them), but not the
/// link to the source file: locations of later errors are row numbers, and the label classes'
/// text is `0`/`1`.
///
/// - Complexity: O(rows × columns) for the validation of the copy.
extension Dataset {
  /// The same rows with `weights` as sample weights (nil: unit weights).
  ///
  /// - Throws: ``BiasKitError`` when the count differs from ``rowCount`` or a weight is negative
  ///   or not finite.
  public func replacing(weights: [Double]?) throws -> Dataset {
    try copy(weights: .some(weights))
  }

  /// The same rows with `features` as feature columns.
  ///
  /// - Throws: ``BiasKitError`` when the row count differs or a value is not finite.
  public func replacing(features: Matrix) throws -> Dataset {
    try copy(features: features)
  }

  /// The same rows with `scores` as the model scores (nil: none).
  ///
  /// - Throws: ``BiasKitError`` when the count differs or a score is not finite.
  public func replacing(scores: [Double]?) throws -> Dataset {
    try copy(scores: .some(scores))
  }

  private func copy(
    scores newScores: [Double]?? = nil, weights newWeights: [Double]?? = nil,
    features newFeatures: Matrix? = nil
  ) throws -> Dataset {
    try Dataset(
      name: name, rowCount: rowCount, labels: labels?.values, predictions: predictedLabels,
      targets: targets, predictedValues: predictedValues, scores: newScores ?? scores,
      weights: newWeights ?? weights, features: newFeatures ?? features, groups: groups,
      control: control)
  }
}
