/// The learner that predicts the gold label from features when an estimator makes its own
/// predictions by cross-fitting (cross-prediction PPI, cross-fitted DSL).
public enum OutcomeLearner: Sendable {
  /// The built-in logistic regression (``LogisticRegression``, scikit-learn's defaults: L2
  /// with C = 1 and an intercept); its predictions are the probabilities P(y = 1 | x). For
  /// 0/1 labels.
  case logisticRegression(LogisticRegression)
  /// Ordinary least squares with an intercept; its predictions are the fitted values. For
  /// numeric labels.
  case leastSquares

  /// Logistic regression when every label is 0 or 1, least squares otherwise.
  public static func automatic(for labels: [Double]) -> OutcomeLearner {
    labels.allSatisfy { $0 == 0 || $0 == 1 }
      ? .logisticRegression(LogisticRegression()) : .leastSquares
  }

  /// Fits to (`features`, `labels`) and predicts each matrix of `targets`.
  /// - Throws: ``BiasKitError`` when the fit is impossible (one class, collinear features).
  func fittedPredictions(
    features: Matrix, labels: [Double], targets: [Matrix], names: [String]
  ) throws -> [[Double]] {
    switch self {
    case .logisticRegression(let learner):
      let model = try learner.fitted(features: features, labels: labels)
      return targets.map { model.probabilities($0) }
    case .leastSquares:
      let design = Self.withIntercept(features)
      let d = design.columns
      let gram = DesignPasses.gram(design, coefficients: nil)
      let factor = try CholeskyFactor.factored(
        gram, dimension: d, names: ["intercept"] + names, rows: "training")
      let theta = factor.solve(DesignPasses.transposedProduct(design, labels))
      return targets.map { DesignPasses.products(Self.withIntercept($0), theta) }
    }
  }

  private static func withIntercept(_ x: Matrix) -> Matrix {
    var values = [Double](repeating: 1, count: x.rows * (x.columns + 1))
    for i in 0..<x.rows {
      for j in 0..<x.columns { values[i * (x.columns + 1) + j + 1] = x.values[i * x.columns + j] }
    }
    return Matrix(rows: x.rows, columns: x.columns + 1, values: values)
  }
}

/// K-fold splits for cross-fitting.
enum CrossFitting {
  /// The fold of each of `count` rows: contiguous blocks whose sizes differ by at most one,
  /// the larger first (scikit-learn `KFold(n_splits=k, shuffle=False)`), over the rows in
  /// order or, with a `seed`, over a seeded random permutation of them.
  static func foldAssignment(count: Int, folds k: Int, seed: UInt64?) -> [Int] {
    var order = Array(0..<count)
    if let seed {
      var generator = SeededGenerator(seed: seed)
      var i = count - 1
      while i > 0 {
        let j = generator.nextInt(below: i + 1)
        order.swapAt(i, j)
        i -= 1
      }
    }
    var fold = [Int](repeating: 0, count: count)
    var start = 0
    for f in 0..<k {
      let size = count / k + (f < count % k ? 1 : 0)
      for position in start..<(start + size) { fold[order[position]] = f }
      start += size
    }
    return fold
  }

  static func validate(folds k: Int, rows n: Int) throws {
    guard k >= 2, k <= n else { throw BiasKitError.foldsOutOfRange(k, rows: n) }
  }
}

extension BiasKitError {
  static func foldsOutOfRange(_ folds: Int, rows: Int) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "cross-fitting needs between 2 and the number of labelled rows (\(rows)) folds; got \(folds)")
  }
}
