/// Fits a learner, then post-processes its scores: a ``WeightedLearner`` followed by a
/// ``ScorePostprocessor``, as one ``Mitigator``.
///
///     fit:      h = learner fitted to (X, y);   q = post-processor fitted to (h.scores(X), y, A)
///     predict:  q(h.scores(x), a)
///
/// The learner is fitted to the training features and labels without sample weights (the
/// weights of the data, AIF360's `instance_weights`, are the post-processor's); its scores
/// (``FittedClassifier/scores(_:)``, `P(y = 1 | x)`) replace the rows' ``Dataset/scores`` for
/// the post-processor, at fit and at prediction.
///
///     let optimizer = PostprocessedLearner(
///       learner: LogisticRegression(), postprocessor: ThresholdOptimizer(constraint: .equalizedOdds))
///     let model = try optimizer.fitted(to: train)           // fits both
///
/// Corresponds to fairlearn's `ThresholdOptimizer(estimator=…, prefit=False)` (the estimator
/// fitted first, then the thresholds on its `predict_proba`), and to AIF360's post-processors
/// applied to a classifier's scores.
///
/// - Complexity: one learner fit plus the post-processor's fit; prediction is the learner's
///   scores plus the post-processor's prediction.
public struct PostprocessedLearner<Learner: WeightedLearner, Postprocessor: ScorePostprocessor>:
  Mitigator
{
  /// The learner whose scores are post-processed.
  public var learner: Learner
  /// The post-processor.
  public var postprocessor: Postprocessor

  /// `learner`, then `postprocessor` on its scores.
  public init(learner: Learner, postprocessor: Postprocessor) {
    self.learner = learner
    self.postprocessor = postprocessor
  }

  /// The fitted learner and post-processor.
  public struct Model: MitigatedModel {
    /// The learner fitted to the training rows.
    public var learnerModel: Learner.Model
    /// The post-processor fitted to its scores.
    public var postprocessing: Postprocessor.Model
    /// Feature columns of the training rows.
    public var featureCount: Int

    /// The rows with the learner's scores.
    public func scored(_ data: Dataset) throws -> Dataset {
      guard data.features.columns == featureCount else {
        throw BiasKitError.featureCountMismatch(
          "PostprocessedLearner", data.features.columns, featureCount)
      }
      return try data.replacing(scores: learnerModel.scores(data.features))
    }

    /// The post-processor's probabilities on the learner's scores.
    public func positiveProbabilities(on data: Dataset) throws -> [Double] {
      try postprocessing.positiveProbabilities(on: scored(data))
    }

    /// The post-processor's decisions on the learner's scores.
    public func predictions<G: RandomNumberGenerator>(
      on data: Dataset, using generator: inout G
    ) throws -> [UInt8] {
      try postprocessing.predictions(on: scored(data), using: &generator)
    }

    /// The post-processor's state (the learner's is ``learnerModel``'s
    /// ``FittedClassifier/summary``).
    public var summary: JSONValue { postprocessing.summary }

    /// The learner's warnings, then the post-processor's.
    public var warnings: [String] { learnerModel.warnings + postprocessing.warnings }
  }

  /// Fits the learner to `data`, then the post-processor to its scores.
  ///
  /// - Throws: when the data has no labels or groups, one class or one group, or as the
  ///   learner and the post-processor do.
  public func fitted(to data: Dataset) throws -> Model {
    let (labels, _) = try data.mitigationTarget("PostprocessedLearner")
    let model = try learner.fitted(features: data.features, labels: labels)
    let postprocessing = try postprocessor.fitted(
      to: data.replacing(scores: model.scores(data.features)))
    return Model(
      learnerModel: model, postprocessing: postprocessing, featureCount: data.features.columns)
  }

  /// The post-processor's violation.
  public var violation: ExpectedOutcome.Violation { postprocessor.violation }
}

extension PostprocessedLearner.Model: DecidesByRule where Postprocessor.Model: DecidesByRule {
  var decisionRule: DecisionRule { postprocessing.decisionRule }
}
