import Dispatch
import Foundation

/// A histogram gradient-boosted tree classifier for 0/1 labels: each iteration fits a
/// regression tree to the gradients and Hessians of the loss at the current raw prediction
/// (Newton boosting) and adds it, times the learning rate.
///
///     F₀ = logit(Σᵢ sᵢ yᵢ / Σᵢ sᵢ)                      (clipped to [10ε, 1 − 10ε] first)
///     gᵢ = sᵢ · ∂ℓ/∂F (yᵢ, F_{t−1}(xᵢ)),  hᵢ = sᵢ · ∂²ℓ/∂F²   (stored as float32)
///     F_t = F_{t−1} + η · tree_t(x),   tree_t grown best first on (g, h)
///     P(y = 1 | x) = 1 / (1 + e^{−F_T(x)})
///
/// The features are binned once (``FeatureBinning``, at most ``maxBins`` quantile bins each,
/// missing values (NaN) in their own bin and sent left or right as learned); the trees are
/// grown by ``TreeGrower`` with histograms and the subtraction trick.
///
/// Corresponds to scikit-learn 1.9's `HistGradientBoostingClassifier(loss="log_loss")` with the
/// same defaults (`learning_rate=0.1`, `max_iter=100`, `max_leaf_nodes=31`, `max_depth=None`,
/// `min_samples_leaf=20`, `l2_regularization=0`, `max_bins=255`), except that early stopping is
/// off unless asked (sklearn's `early_stopping="auto"` turns it on above 10,000 rows). With
/// the same inputs the bin thresholds, the trees and the predictions are scikit-learn's: the
/// same float32 gradients, the same order of every histogram sum, the same tie-breaking.
/// The other ``ClassificationLoss``es replace ℓ (the baseline stays the log-loss one).
///
/// - Complexity: O(p · n log n) to bin, then O(T · (n · p · d̄ + L · bins)) for T iterations of
///   L leaves, where d̄ ≈ 1–3 is the summed size of the smaller children relative to n; the
///   histograms are built on two workers. Prediction is O(T · depth) per row.
///
/// ## References
/// - Friedman. Greedy Function Approximation: A Gradient Boosting Machine. Ann. Stat. 2001.
/// - Chen, Guestrin. XGBoost: A Scalable Tree Boosting System. KDD 2016.
/// - Ke et al. LightGBM: A Highly Efficient Gradient Boosting Decision Tree. NeurIPS 2017.
public struct GradientBoostingClassifier: Sendable {
  /// Shrinkage of each tree (`learning_rate`), > 0.
  public var learningRate: Double
  /// Boosting iterations, one tree each (`max_iter`), ≥ 1.
  public var maxIterations: Int
  /// Leaves per tree at most (`max_leaf_nodes`), ≥ 2; nil for no limit.
  public var maxLeafNodes: Int?
  /// Depth per tree at most (`max_depth`: edges from the root), ≥ 1; nil for no limit.
  public var maxDepth: Int?
  /// Rows per leaf at least (`min_samples_leaf`), ≥ 1.
  public var minSamplesLeaf: Int
  /// L2 penalty λ on the leaf values (`l2_regularization`), ≥ 0.
  public var l2Regularization: Double
  /// Gain a split needs (the grower's `min_gain_to_split`), ≥ 0.
  public var minGainToSplit: Double
  /// Bins per feature for non-missing values (`max_bins`), 2…255.
  public var maxBins: Int
  /// Whether and how to stop early on a validation set.
  public var earlyStopping: EarlyStopping
  /// The loss the trees descend.
  public var loss: ClassificationLoss
  /// Seeds the binning subsample (over 200,000 rows) and the validation split.
  public var seed: UInt64

  public init(
    learningRate: Double = 0.1, maxIterations: Int = 100, maxLeafNodes: Int? = 31,
    maxDepth: Int? = nil, minSamplesLeaf: Int = 20, l2Regularization: Double = 0,
    minGainToSplit: Double = 0, maxBins: Int = 255, earlyStopping: EarlyStopping = .off,
    loss: ClassificationLoss = .logLoss, seed: UInt64 = 0
  ) {
    self.learningRate = learningRate
    self.maxIterations = maxIterations
    self.maxLeafNodes = maxLeafNodes
    self.maxDepth = maxDepth
    self.minSamplesLeaf = minSamplesLeaf
    self.l2Regularization = l2Regularization
    self.minGainToSplit = minGainToSplit
    self.maxBins = maxBins
    self.earlyStopping = earlyStopping
    self.loss = loss
    self.seed = seed
  }

  /// Early stopping (scikit-learn's `early_stopping`, `scoring="loss"`): after each iteration
  /// the validation loss is computed, and fitting stops when none of the last `patience`
  /// scores (−loss) beats the score `patience + 1` iterations back by more than `tolerance`.
  public enum EarlyStopping: Sendable {
    /// Fit all ``GradientBoostingClassifier/maxIterations`` trees (`early_stopping=False`).
    case off
    /// Hold out a stratified `fraction` of the training rows (`validation_fraction`, 0.1):
    /// ⌈fraction · n⌉ rows, each class's share as scikit-learn's `train_test_split(stratify=y)`
    /// allocates it, drawn from the ``GradientBoostingClassifier/seed`` (so not the same rows as
    /// NumPy's generator draws). The bins are fitted on the remaining rows.
    case validationFraction(Double, patience: Int = 10, tolerance: Double = 1e-7)
    /// Score on given rows (`fit(X_val=, y_val=, sample_weight_val=)`), binned with the
    /// training bins.
    case validationSet(
      features: Matrix, labels: [UInt8], weights: [Double]?, patience: Int = 10,
      tolerance: Double = 1e-7)
  }

  /// A fitted model.
  public struct Model: Sendable, Equatable {
    /// The bins of the training features.
    public var binning: FeatureBinning
    /// The raw prediction before any tree (`_baseline_prediction`).
    public var baseline: Double
    /// One tree per iteration (`_predictors`).
    public var trees: [RegressionTree]
    /// Validation scores (−loss) before the first tree and after each (`validation_score_`);
    /// empty without early stopping.
    public var validationScores: [Double]

    /// Iterations fitted (`n_iter_`).
    public var iterations: Int { trees.count }

    /// Raw predictions F(x) (`decision_function`).
    public func decisionFunction(_ features: Matrix) -> [Double] {
      precondition(features.columns == binning.thresholds.count, "GradientBoosting: feature count")
      return FlatForest(trees).predict(features, baseline: baseline)
    }

    /// `P(y = 1 | x) = 1 / (1 + e^{−F(x)})` (`predict_proba[:, 1]`).
    public func probabilities(_ features: Matrix) -> [Double] {
      decisionFunction(features).map { 1 / (1 + exp(-$0)) }
    }

    /// Hard labels: 1 when `P(y = 1) > P(y = 0)` (`predict`, argmax of `predict_proba`).
    public func predictions(_ features: Matrix) -> [UInt8] {
      probabilities(features).map { $0 > 1 - $0 ? 1 : 0 }
    }
  }

  /// Fits the model to `features` (NaN = missing), 0/1 `labels` and optional non-negative
  /// sample `weights`.
  ///
  /// - Throws: ``BiasKitError`` for a bad hyperparameter (``maxIterations`` < 1, ``maxBins``
  ///   outside 2…255, a learning rate that is not a positive number, …), sizes that differ, a
  ///   label other than 0/1, a negative or non-finite weight, weights all zero, an infinite
  ///   feature, or one class among the rows of positive weight.
  public func fitted(features: Matrix, labels: [UInt8], weights: [Double]? = nil) throws -> Model {
    try validate()
    try validateGradientBoostingInputs(features: features, labels: labels, weights: weights)
    var trainFeatures = features
    var trainLabels = labels
    var trainWeights = weights
    var validation: Validation? = nil
    switch earlyStopping {
    case .off:
      break
    case .validationFraction(let fraction, let patience, let tolerance):
      let (trainRows, validationRows) = try stratifiedSplit(
        labels: labels, validationFraction: fraction, seed: seed)
      trainFeatures = features.rows(at: trainRows)
      trainLabels = trainRows.map { labels[$0] }
      trainWeights = weights.map { w in trainRows.map { w[$0] } }
      validation = Validation(
        features: features.rows(at: validationRows), labels: validationRows.map { labels[$0] },
        weights: weights.map { w in validationRows.map { w[$0] } }, patience: patience,
        tolerance: tolerance)
    case .validationSet(let vx, let vy, let vw, let patience, let tolerance):
      guard vx.columns == features.columns else {
        throw BiasKitError(
          .invalidArgument,
          "gradient boosting: the validation set has \(vx.columns) features, the training set \(features.columns)"
        )
      }
      try validateGradientBoostingInputs(features: vx, labels: vy, weights: vw, oneClassOK: true)
      validation = Validation(
        features: vx, labels: vy, weights: vw, patience: patience, tolerance: tolerance)
    }
    let binning = try FeatureBinning(
      fitting: trainFeatures, maxBins: maxBins, weights: trainWeights, seed: seed)
    let binned = binning.binned(trainFeatures)
    let objective = try loss.objective(labels: trainLabels, weights: trainWeights)
    return boosted(
      binned: binned, binning: binning, baseline: baselinePrediction(trainLabels, trainWeights),
      objective: objective, validation: validation)
  }

  /// Rows held out for early stopping.
  struct Validation {
    var features: Matrix
    var labels: [UInt8]
    var weights: [Double]?
    var patience: Int
    var tolerance: Double
  }

  /// The boosting loop on binned training rows.
  func boosted(
    binned: BinnedFeatures, binning: FeatureBinning, baseline: Double,
    objective: any BoostingObjective, validation: Validation?
  ) -> Model {
    let n = binned.rows
    var raw = [Double](repeating: baseline, count: n)
    var gradients = [Float](repeating: 0, count: n)
    var hessians = [Float](repeating: 0, count: n)
    var scratch: [Double] = []
    let builder = HistogramBuilder(binned: binned)
    let grower = TreeGrower(
      binned: binned, histogramBuilder: builder, l2Regularization: l2Regularization,
      minSamplesLeaf: minSamplesLeaf, minGainToSplit: minGainToSplit, maxLeafNodes: maxLeafNodes,
      maxDepth: maxDepth, shrinkage: learningRate)
    var trees: [RegressionTree] = []
    var scores: [Double] = []
    var validationRaw: [Double] = []
    var validationBinned: BinnedFeatures? = nil
    if let validation {
      validationBinned = binning.binned(validation.features)
      validationRaw = [Double](repeating: baseline, count: validation.labels.count)
      scores.append(-logLoss(validation.labels, validationRaw, validation.weights))
    }
    for iteration in 0..<maxIterations {
      objective.gradients(
        raw: raw, gradients: &gradients, hessians: &hessians, iteration: iteration,
        iterations: maxIterations)
      let grown = grower.grow(gradients: gradients, hessians: hessians, scratch: &scratch)
      let tree = RegressionTree(grown: grown, binning: binning)
      trees.append(tree)
      grown.partition.withUnsafeBufferPointer { part in
        raw.withUnsafeMutableBufferPointer { r in
          for leaf in grown.leaves {
            let node = grown.nodes[leaf]
            for k in node.start..<node.stop { r[Int(part[k])] += node.value }
          }
        }
      }
      if let validation, let validationBinned {
        for i in 0..<validationRaw.count {
          validationRaw[i] += tree.predictBinned(validationBinned, row: i)
        }
        scores.append(-logLoss(validation.labels, validationRaw, validation.weights))
        if shouldStop(scores, patience: validation.patience, tolerance: validation.tolerance) {
          break
        }
      }
    }
    return Model(binning: binning, baseline: baseline, trees: trees, validationScores: scores)
  }

  /// scikit-learn's `_should_stop`: stop when none of the last `patience` scores beats the
  /// score before them by more than `tolerance`.
  func shouldStop(_ scores: [Double], patience: Int, tolerance: Double) -> Bool {
    let reference = patience + 1
    if scores.count < reference { return false }
    let referenceScore = scores[scores.count - reference] + tolerance
    for score in scores[(scores.count - reference + 1)...] where score > referenceScore {
      return false
    }
    return true
  }

  /// Checks the hyperparameters.
  func validate() throws {
    guard maxIterations >= 1 else {
      throw BiasKitError.badHyperparameter("max iterations", "\(maxIterations)", "at least 1")
    }
    guard learningRate.isFinite && learningRate > 0 else {
      throw BiasKitError.badHyperparameter("learning rate", "\(learningRate)", "a positive number")
    }
    if let maxLeafNodes, maxLeafNodes < 2 {
      throw BiasKitError.badHyperparameter("max leaf nodes", "\(maxLeafNodes)", "at least 2")
    }
    if let maxDepth, maxDepth < 1 {
      throw BiasKitError.badHyperparameter("max depth", "\(maxDepth)", "at least 1")
    }
    guard minSamplesLeaf >= 1 else {
      throw BiasKitError.badHyperparameter(
        "min samples per leaf", "\(minSamplesLeaf)", "at least 1")
    }
    guard l2Regularization.isFinite && l2Regularization >= 0 else {
      throw BiasKitError.badHyperparameter(
        "L2 regularization", "\(l2Regularization)", "a number ≥ 0")
    }
    guard minGainToSplit.isFinite && minGainToSplit >= 0 else {
      throw BiasKitError.badHyperparameter("min gain to split", "\(minGainToSplit)", "a number ≥ 0")
    }
    try BiasKitError.validateMaxBins(maxBins)
    switch earlyStopping {
    case .off: break
    case .validationFraction(let fraction, let patience, let tolerance):
      guard fraction > 0 && fraction < 1 else {
        throw BiasKitError.badHyperparameter(
          "validation fraction", "\(fraction)", "strictly between 0 and 1")
      }
      try validatePatience(patience, tolerance)
    case .validationSet(_, _, _, let patience, let tolerance):
      try validatePatience(patience, tolerance)
    }
    try loss.validate()
  }

  private func validatePatience(_ patience: Int, _ tolerance: Double) throws {
    guard patience >= 1 else {
      throw BiasKitError.badHyperparameter("early-stopping patience", "\(patience)", "at least 1")
    }
    guard tolerance.isFinite else {
      throw BiasKitError.badHyperparameter(
        "early-stopping tolerance", "\(tolerance)", "a finite number")
    }
  }
}

extension RegressionTree {
  /// The prediction for row `row` of binned features (`predict_binned`).
  func predictBinned(_ binned: BinnedFeatures, row: Int) -> Double {
    var node = nodes[0]
    while !node.isLeaf {
      let code = Int(binned.codes[row * binned.columns + node.feature])
      let left =
        code == binned.nonMissingBinCounts[node.feature]
        ? node.missingGoesLeft : code <= node.binThreshold
      node = nodes[left ? node.left : node.right]
    }
    return node.value
  }
}

/// The raw prediction of the best constant model: `logit(average(y, weights))`, clipped to
/// [10ε, 1 − 10ε] (scikit-learn's `HalfBinomialLoss.fit_intercept_only`, NumPy's `average`
/// and SciPy's `logit`).
func baselinePrediction(_ labels: [UInt8], _ weights: [Double]?) -> Double {
  var mean: Double
  if let weights {
    let products = (0..<labels.count).map { Double(labels[$0]) * weights[$0] }
    mean = numpySum(products) / numpySum(weights)
  } else {
    mean = numpySum(labels.map { Double($0) }) / Double(labels.count)
  }
  let eps = 10 * Double.ulpOfOne
  mean = min(max(mean, eps), 1 - eps)
  return scipyLogit(mean)
}

/// SciPy's `logit`: `log(p / (1 − p))`, and `log1p(2(p − ½)) − log1p(−2(p − ½))` on
/// [0.3, 0.65] where that is more accurate.
func scipyLogit(_ p: Double) -> Double {
  if p < 0.3 || p > 0.65 { return log(p / (1 - p)) }
  let s = 2 * (p - 0.5)
  return log1p(s) - log1p(-s)
}

/// The weighted mean log-loss of raw predictions (scikit-learn's `HalfBinomialLoss.__call__`:
/// `log1pexp(F) − y F`, averaged with NumPy).
func logLoss(_ labels: [UInt8], _ raw: [Double], _ weights: [Double]?) -> Double {
  var losses = [Double](repeating: 0, count: labels.count)
  for i in 0..<labels.count {
    let z = raw[i]
    let y = Double(labels[i])
    let softplus: Double
    if z <= -37 {
      softplus = exp(z)
    } else if z <= -2 {
      softplus = log1p(exp(z))
    } else if z <= 18 {
      softplus = log(1 + exp(z))
    } else if z <= 33.3 {
      softplus = z + exp(-z)
    } else {
      softplus = z
    }
    losses[i] = softplus - y * z
  }
  if let weights {
    let products = (0..<losses.count).map { losses[$0] * weights[$0] }
    return numpySum(products) / numpySum(weights)
  }
  return numpySum(losses) / Double(losses.count)
}

/// Training rows and validation rows: ⌈fraction · n⌉ held out, each class's share allocated as
/// scikit-learn's `StratifiedShuffleSplit` (`_approximate_mode`), rows drawn from `seed`.
func stratifiedSplit(
  labels: [UInt8], validationFraction: Double, seed: UInt64
) throws -> (train: [Int], validation: [Int]) {
  let n = labels.count
  let testCount = Int((validationFraction * Double(n)).rounded(.up))
  let trainCount = n - testCount
  var byClass: [[Int]] = [[], []]
  for i in 0..<n { byClass[Int(labels[i])].append(i) }
  guard trainCount >= 2, testCount >= 2, byClass[0].count >= 2, byClass[1].count >= 2 else {
    throw BiasKitError(
      .degenerateData,
      "gradient boosting: early stopping holds out \(testCount) of \(n) rows; each class needs at least 2 rows in the data and the split needs at least 2 rows on each side"
    )
  }
  var generator = SeededGenerator(seed: seed)
  let counts = byClass.map(\.count)
  let trainPerClass = approximateMode(counts, draws: trainCount, using: &generator)
  let rest = zip(counts, trainPerClass).map { $0 - $1 }
  let testPerClass = approximateMode(rest, draws: testCount, using: &generator)
  var train: [Int] = []
  var validation: [Int] = []
  for c in 0..<2 {
    var rows = byClass[c]
    rows.shuffle(using: &generator)
    train.append(contentsOf: rows[0..<trainPerClass[c]])
    validation.append(contentsOf: rows[trainPerClass[c]..<(trainPerClass[c] + testPerClass[c])])
  }
  train.sort()
  validation.sort()
  return (train, validation)
}

/// scikit-learn's `_approximate_mode`: the floor of each class's proportional share, the rest
/// given to the largest remainders (ties drawn at random).
func approximateMode<G: RandomNumberGenerator>(
  _ counts: [Int], draws: Int, using generator: inout G
) -> [Int] {
  let total = Double(counts.reduce(0, +))
  let continuous = counts.map { Double($0) * Double(draws) / total }
  var floored = continuous.map { Int($0.rounded(.down)) }
  var needed = draws - floored.reduce(0, +)
  let remainders = zip(continuous, floored).map { $0 - Double($1) }
  for value in Set(remainders).sorted(by: >) where needed > 0 {
    var indices = remainders.indices.filter { remainders[$0] == value }
    indices.shuffle(using: &generator)
    for index in indices.prefix(needed) {
      floored[index] += 1
      needed -= 1
    }
  }
  return floored
}

/// Sizes, labels, weights and features of a fit.
func validateGradientBoostingInputs(
  features: Matrix, labels: [UInt8], weights: [Double]?, oneClassOK: Bool = false
) throws {
  guard features.rows > 0 else {
    throw BiasKitError(.degenerateData, "gradient boosting: no rows to fit")
  }
  try validateGradientBoostingTargets(
    rows: features.rows, labels: labels, weights: weights, oneClassOK: oneClassOK)
  try validateGradientBoostingFeatures(features)
}

/// Throws unless there are `rows` labels, each 0 or 1, and `rows` finite non-negative weights
/// (when given) with a positive one, and (unless `oneClassOK`) both classes among the rows of
/// positive weight.
func validateGradientBoostingTargets(
  rows n: Int, labels: [UInt8], weights: [Double]?, oneClassOK: Bool = false
) throws {
  guard labels.count == n else {
    throw BiasKitError(.invalidArgument, "gradient boosting: \(labels.count) labels for \(n) rows")
  }
  if let weights, weights.count != n {
    throw BiasKitError(
      .invalidArgument, "gradient boosting: \(weights.count) sample weights for \(n) rows")
  }
  var seen = [false, false]
  var anyPositive = false
  for i in 0..<n {
    guard labels[i] <= 1 else {
      throw BiasKitError(
        .invalidValue,
        "gradient boosting: label \(labels[i]) at row \(i + 1); labels must be 0 or 1")
    }
    let w = weights?[i] ?? 1
    guard w.isFinite && w >= 0 else {
      throw BiasKitError(.invalidValue, "gradient boosting: sample weight \(w) at row \(i + 1)")
    }
    if w > 0 {
      anyPositive = true
      seen[Int(labels[i])] = true
    }
  }
  guard anyPositive else { throw BiasKitError.allWeightsZero() }
  if !oneClassOK && !(seen[0] && seen[1]) { throw BiasKitError.oneClassLabel(seen[1] ? 1 : 0) }
}

extension BiasKitError {
  /// A hyperparameter out of its range.
  static func badHyperparameter(
    _ name: String, _ value: String, _ expected: String
  )
    -> BiasKitError
  {
    BiasKitError(.invalidArgument, "\(name) must be \(expected) (got \(value))")
  }

  /// Every sample weight is zero: nothing to fit.
  static func allWeightsZero() -> BiasKitError {
    BiasKitError(
      .degenerateData, "every sample weight is 0; at least one row needs a positive weight")
  }
}
