/// The learner's side of a reduction: the rows relabelled and reweighted from the signed costs
/// of a moment at multipliers λ, and the learner fitted to them.
///
///     w_i = objective_i + (u1 − u0)_i · (Uλ)_i
///     classification moments: ỹ_i = 1[w_i > 0], weight |w_i|
///     loss moments:           ỹ_i = y_i,         weight |w_i| (Lagrangian) or the constraint part (grid)
///
/// ``ExponentiatedGradient`` normalises the weights to sum to n (fairlearn's
/// `_Lagrangian._call_oracle`); ``GridSearch`` does not, and for loss moments weighs rows by the
/// constraint's signed weights alone (fairlearn's `GridSearch.fit`). When the relabelled rows
/// have one class, the best response is that constant and no learner is fitted, as fairlearn's
/// `_ConstantPredictor`.
///
/// - Complexity: O(n) plus one learner fit.
struct ReductionOracle<Learner: WeightedLearner> {
  /// How the signed costs become sample weights.
  enum Weighting {
    /// fairlearn's `_Lagrangian`: `|objective + constraints|`, normalised to sum to n.
    case lagrangian
    /// fairlearn's `GridSearch`: `|objective + constraints|` (classification moments) or the
    /// constraints' signed weights (loss moments), not normalised.
    case grid
  }

  let learner: Learner
  let features: Learner.PreparedFeatures
  let labels: [UInt8]
  let moment: any LoadedMoment
  let weighting: Weighting

  init(
    learner: Learner, features: Matrix, labels: [UInt8], moment: any LoadedMoment,
    weighting: Weighting
  ) throws {
    self.learner = learner
    self.features = try learner.prepared(features)
    self.labels = labels
    self.moment = moment
    self.weighting = weighting
  }

  /// The relabelled, reweighted problem at `lambda`.
  func reducedProblem(_ lambda: [Double]) -> (labels: [UInt8], weights: [Double]) {
    let constraintWeights = moment.signedWeights(lambda)
    let n = labels.count
    var redY = [UInt8](repeating: 0, count: n)
    var redW = [Double](repeating: 0, count: n)
    switch weighting {
    case .lagrangian:
      var sum = 0.0
      for i in 0..<n {
        let w = moment.objectiveWeight(label: labels[i]) + constraintWeights[i]
        redY[i] = moment.relabels ? (w > 0 ? 1 : 0) : labels[i]
        redW[i] = abs(w)
        sum += redW[i]
      }
      for i in 0..<n { redW[i] = Double(n) * redW[i] / sum }
    case .grid:
      for i in 0..<n {
        if moment.relabels {
          // The objective is not in the span of the constraints: add its weights, relabel.
          let w = constraintWeights[i] + moment.objectiveWeight(label: labels[i])
          redY[i] = w > 0 ? 1 : 0
          redW[i] = abs(w)
        } else {
          // Loss moments: the objective is in the span (λ sums to the grid limit); keep labels.
          redY[i] = labels[i]
          redW[i] = constraintWeights[i]
        }
      }
    }
    return (redY, redW)
  }

  /// The best response at `lambda`: the fitted predictor (a constant when the relabelled rows
  /// have one class), its predictions on the training rows, and the model when one was fitted.
  func bestResponse(
    _ lambda: [Double], startingFrom previous: Learner.Model? = nil
  ) throws -> (
    predictor: RandomizedClassifier<Learner.Model>.Predictor, predictions: [UInt8],
    model: Learner.Model?
  ) {
    let problem = reducedProblem(lambda)
    let n = labels.count
    let first = problem.labels.first ?? 0
    if !problem.labels.contains(where: { $0 != first }) {
      return (.constant(first), [UInt8](repeating: first, count: n), nil)
    }
    let model = try learner.fitted(
      features, labels: problem.labels, weights: problem.weights, startingFrom: previous)
    return (.model(model), learner.predictions(of: model, on: features), model)
  }
}
