import Foundation

/// A fitted binary classifier: scores and hard predictions for rows of features.
public protocol FittedClassifier: Sendable {
  /// `P(y = 1 | x)` for each row (scikit-learn `predict_proba(X)[:, 1]`).
  func scores(_ features: Matrix) -> [Double]
  /// Hard 0/1 predictions for each row, by the model's own rule (`predict`).
  func predictions(_ features: Matrix) -> [UInt8]
  /// Problems of the fit worth telling the user (e.g. "did not converge").
  var warnings: [String] { get }
  /// The fitted state as JSON (coefficients, trees, …), for reports.
  var summary: JSONValue { get }
  /// The log loss `−[y log p + (1 − y) log(1 − p)]` of each row for 0/1 `labels`
  /// (``WorstGroupTraining`` averages it per group).
  func logLosses(_ features: Matrix, labels: [UInt8]) -> [Double]
}

extension FittedClassifier {
  /// No warnings.
  public var warnings: [String] { [] }
  /// An empty object.
  public var summary: JSONValue { .object([]) }
  /// From ``scores(_:)``, each probability clipped to `[ε, 1 − ε]` (ε = 2⁻⁵², scikit-learn's
  /// `log_loss` clipping).
  public func logLosses(_ features: Matrix, labels: [UInt8]) -> [Double] {
    let epsilon = Double.ulpOfOne
    return zip(scores(features), labels).map { p, y in
      let q = min(max(p, epsilon), 1 - epsilon)
      return y == 1 ? -log(q) : -log(1 - q)
    }
  }
}

/// A learner fitted to 0/1 labels with sample weights: what every mitigation takes.
///
/// A reduction (``ExponentiatedGradient``, ``GridSearch``) fits the same features many times
/// with new labels and weights, so a learner prepares the features once
/// (``prepared(_:)``: a sparse design for logistic regression, bins for gradient boosting) and
/// fits on the prepared form, optionally starting from a previous model (warm start).
///
/// Conform your own model in a few lines:
///
///     struct Stump: WeightedLearner {
///       struct Model: FittedClassifier {
///         var feature: Int, threshold: Double
///         func scores(_ x: Matrix) -> [Double] { (0..<x.rows).map { x[$0, feature] > threshold ? 1 : 0 } }
///         func predictions(_ x: Matrix) -> [UInt8] { scores(x).map { $0 > 0.5 ? 1 : 0 } }
///       }
///       func fitted(_ x: Matrix, labels: [UInt8], weights: [Double]?, startingFrom: Model?) -> Model { … }
///     }
///
/// (A learner that fits on the matrix itself gets ``prepared(_:)`` and
/// ``predictions(of:on:)`` from the extension on `PreparedFeatures == Matrix`.)
///
/// Corresponds to scikit-learn's estimator contract as fairlearn uses it: `fit(X, y,
/// sample_weight=…)` on a fresh clone, then `predict` / `predict_proba`.
public protocol WeightedLearner: Sendable {
  /// The fitted model.
  associatedtype Model: FittedClassifier
  /// The features as the learner fits on them, prepared once for many fits.
  associatedtype PreparedFeatures: Sendable = Matrix

  /// Prepares `features` for ``fitted(_:labels:weights:startingFrom:)``.
  /// - Throws: ``BiasKitError`` when a feature value is not usable (e.g. not finite).
  func prepared(_ features: Matrix) throws -> PreparedFeatures

  /// Fits to 0/1 `labels` with non-negative sample `weights` (nil: all 1), starting from
  /// `previous` when given (a warm start; learners that cannot warm-start ignore it).
  ///
  /// - Throws: ``BiasKitError`` when the sizes differ, a label is not 0 or 1, or a weight is
  ///   negative or not finite.
  func fitted(
    _ features: PreparedFeatures, labels: [UInt8], weights: [Double]?, startingFrom previous: Model?
  ) throws -> Model

  /// The model's hard predictions on prepared features (the rows it was prepared from).
  func predictions(of model: Model, on features: PreparedFeatures) -> [UInt8]
}

extension WeightedLearner {
  /// Prepares `features` and fits to them.
  public func fitted(
    features: Matrix, labels: [UInt8], weights: [Double]? = nil
  ) throws -> Model {
    try fitted(prepared(features), labels: labels, weights: weights, startingFrom: nil)
  }
}

extension WeightedLearner where PreparedFeatures == Matrix {
  /// The features as they are.
  public func prepared(_ features: Matrix) throws -> Matrix { features }

  /// The model's own ``FittedClassifier/predictions(_:)``.
  public func predictions(of model: Model, on features: Matrix) -> [UInt8] {
    model.predictions(features)
  }
}

extension LogisticRegression.Model: FittedClassifier {
  /// `P(y = 1 | x)` for each row (``probabilities(_:)``).
  public func scores(_ features: Matrix) -> [Double] { probabilities(features) }

  /// `intercept`, `coefficients` and `iterations`.
  public var summary: JSONValue {
    .object([
      ("intercept", .number(intercept)), ("coefficients", .array(coefficients.map { .number($0) })),
      ("iterations", .integer(iterations)),
    ])
  }

  /// From the decision function `z`, stably: `max(z, 0) + log(1 + e^{−|z|}) − y·z`.
  public func logLosses(_ features: Matrix, labels: [UInt8]) -> [Double] {
    zip(decisionFunction(features), labels).map { z, y in
      (z > 0 ? z : 0) + log1p(exp(-abs(z))) - Double(y) * z
    }
  }
}

extension LogisticRegression: WeightedLearner {
  /// The design of ``LogisticRegression``: dense rows, or compressed sparse rows when most
  /// entries are zero.
  public struct PreparedFeatures: Sendable {
    let design: Design
    /// Number of rows.
    public var rows: Int { design.rows }
  }

  /// The design of `features` (sparse when fewer than a third of the entries are non-zero).
  /// - Throws: when a feature is not finite.
  public func prepared(_ features: Matrix) throws -> PreparedFeatures {
    for v in features.values where !v.isFinite {
      throw BiasKitError(.invalidValue, "LogisticRegression: a feature value is not finite")
    }
    return PreparedFeatures(design: Design(features))
  }

  /// Fits as ``fitted(features:labels:weights:initial:)`` does, on a prepared design. Labels with
  /// positive weight may have one class (a reduction's relabelled problem can), unlike the
  /// public matrix entry point.
  public func fitted(
    _ features: PreparedFeatures, labels: [UInt8], weights: [Double]?,
    startingFrom previous: Model?
  ) throws -> Model {
    let n = features.rows
    guard labels.count == n else {
      throw BiasKitError(
        .invalidArgument, "LogisticRegression: \(labels.count) labels for \(n) rows")
    }
    try checkBinaryLabels(labels, "LogisticRegression")
    if let weights {
      guard weights.count == n else {
        throw BiasKitError(
          .invalidArgument, "LogisticRegression: \(weights.count) sample weights for \(n) rows")
      }
      if let bad = weights.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
        throw BiasKitError(
          .invalidValue, "LogisticRegression: sample weight \(weights[bad]) at row \(bad + 1)")
      }
    }
    if let previous, previous.coefficients.count != features.design.columns {
      throw BiasKitError(
        .invalidArgument,
        "LogisticRegression: warm start has \(previous.coefficients.count) coefficients for \(features.design.columns) features"
      )
    }
    return fitted(
      design: features.design, labels: labels.map { Double($0) }, weights: weights,
      initial: previous)
  }

  /// `1[z > 0]` on the prepared rows.
  public func predictions(of model: Model, on features: PreparedFeatures) -> [UInt8] {
    model.predictions(features.design)
  }
}
