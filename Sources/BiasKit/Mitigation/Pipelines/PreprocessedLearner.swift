/// Pre-processes the training rows, then fits a learner to them: a ``Preprocessor`` followed by
/// a ``WeightedLearner``, as one ``Mitigator``.
///
///     fit:      step = preprocessor fitted to train;   h = learner fitted to step(train)
///     predict:  ŷ = h(step.features(x))                 (deterministic)
///
/// The learner is fitted to the transformed rows' features, labels and sample weights:
/// ``Reweighing``'s weights, or the rows' own weights with the features that
/// ``CorrelationRemover`` or ``DisparateImpactRemover`` made. Rows it decides on are
/// transformed the same way first (their features only; no labels needed).
///
///     let reweighed = PreprocessedLearner(Reweighing(), learner: LogisticRegression())
///     let model = try reweighed.fitted(to: train)
///     let weights = model.transformedTraining.weights     // AIF360 Reweighing's
///
/// Corresponds to the pipelines of AIF360 (`Reweighing().fit_transform(train)` then
/// `LogisticRegression().fit(X, y, sample_weight=train.instance_weights)`) and fairlearn
/// (`make_pipeline(CorrelationRemover(…), LogisticRegression())`).
///
/// - Complexity: one pre-processing step plus one learner fit; prediction is one
///   transformation plus the learner's prediction.
public struct PreprocessedLearner<Transform: Preprocessor, Learner: WeightedLearner>: Mitigator {
  /// The pre-processing step.
  public var preprocessor: Transform
  /// The learner fitted to its output.
  public var learner: Learner

  /// `preprocessor`, then `learner`.
  public init(_ preprocessor: Transform, learner: Learner) {
    self.preprocessor = preprocessor
    self.learner = learner
  }

  /// The fitted step and learner.
  public struct Model: MitigatedModel, DecidesByRule {
    /// The fitted pre-processing step.
    public var preprocessing: Transform.Model
    /// The learner fitted to the transformed training rows.
    public var learnerModel: Learner.Model
    /// The training rows as the learner saw them (new weights or features).
    public var transformedTraining: Dataset
    /// Feature columns of the training rows.
    public var featureCount: Int
    /// The training groups (occurring layout).
    public var groupNames: [String]

    /// The learner's hard predictions on the transformed rows, as 0 or 1.
    public func positiveProbabilities(on data: Dataset) throws -> [Double] {
      try decisions(data).map(Double.init)
    }

    /// The learner's hard predictions on the transformed rows; draws nothing.
    public func predictions<G: RandomNumberGenerator>(
      on data: Dataset, using generator: inout G
    ) throws -> [UInt8] {
      try decisions(data)
    }

    private func decisions(_ data: Dataset) throws -> [UInt8] {
      try data.checkApplicable(
        featureCount: featureCount, groupNames: groupNames, "PreprocessedLearner")
      return learnerModel.predictions(try preprocessing.transformedFeatures(data))
    }

    var decisionRule: DecisionRule { .deterministic }

    /// The pre-processing step's state (the learner's is ``learnerModel``'s
    /// ``FittedClassifier/summary``).
    public var summary: JSONValue { preprocessing.summary }

    /// The learner's warnings.
    public var warnings: [String] { learnerModel.warnings }
  }

  /// Fits the step to `data`, then the learner to the step's output.
  ///
  /// - Throws: when the data has no labels or groups, one class or one group, or as the step
  ///   and the learner do.
  public func fitted(to data: Dataset) throws -> Model {
    let (labels, groups) = try data.mitigationTarget("PreprocessedLearner")
    let step = try preprocessor.fitted(to: data)
    let training = try step.transformed(data)
    let model = try learner.fitted(
      features: training.features, labels: labels, weights: training.weights)
    return Model(
      preprocessing: step, learnerModel: model, transformedTraining: training,
      featureCount: data.features.columns, groupNames: groups.names)
  }
}
