/// A pre-processing step: fitted to training rows, it changes what a learner is fitted to (new
/// sample weights, as ``Reweighing``; new features, as ``CorrelationRemover`` and
/// ``DisparateImpactRemover``). ``PreprocessedLearner`` runs one, then fits a learner to its
/// output: the mitigation as AIF360's and fairlearn's pre-processing pipelines run it.
///
/// - Complexity: that of the conforming step.
public protocol Preprocessor: Sendable {
  /// The fitted step.
  associatedtype Model: PreprocessorModel

  /// Fits the step to the training rows `data`.
  ///
  /// - Throws: ``BiasKitError`` when `data` lacks what the step reads (labels, groups), has one
  ///   group or one class, or the configuration is invalid.
  func fitted(to data: Dataset) throws -> Model
}

/// A fitted pre-processing step.
///
/// - Complexity: that of the conforming step.
public protocol PreprocessorModel: Sendable {
  /// Rows as a learner is fitted to them: the same rows with new sample weights or new features
  /// (labels are read where the step needs them, as ``Reweighing``'s weights do).
  ///
  /// - Throws: ``BiasKitError`` when `data` lacks what the step reads or has a group it was not
  ///   fitted on.
  func transformed(_ data: Dataset) throws -> Dataset

  /// The features of rows a learner decides on (no labels needed).
  ///
  /// - Throws: as ``transformed(_:)``.
  func transformedFeatures(_ data: Dataset) throws -> Matrix

  /// The fitted state as JSON, for reports.
  var summary: JSONValue { get }
}
