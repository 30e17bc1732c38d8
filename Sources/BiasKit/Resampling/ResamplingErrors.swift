extension BiasKitError {
  static func tooFewSamples(
    _ count: Int, label: Int, neighbors: Int, sampler: String, option: String = "k_neighbors"
  ) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "\(sampler) needs at least \(neighbors + 1) rows (\(option) + 1) in each class it uses as "
        + "neighbours; class \(label) has \(count)")
  }

  /// Too few rows in the whole data set for a neighbour search over all classes.
  static func tooFewRows(
    _ count: Int, neighbors: Int, sampler: String, option: String = "k_neighbors"
  ) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "\(sampler) needs at least \(neighbors + 1) rows (\(option) + 1) among all classes, as its "
        + "neighbours are searched in every class; the data has \(count)")
  }

  static func oneClassTarget(_ stats: ClassCounts) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "the target has only one class (\(stats)); resampling needs at least two classes")
  }

  static func badSamplingStrategy(_ text: String) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "bad sampling strategy '\(text)': expected auto, minority, majority, not-minority, "
        + "not-majority, all, a ratio in (0, 1], per-class counts like 0:500,1:500, or classes:0,1")
  }

  static func strategyNotFor(_ strategy: SamplingStrategy, _ kind: SamplingKind) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "sampling strategy '\(strategy)' cannot be used with a \(kind.rawValue) method")
  }

  static func ratioOutOfRange(_ alpha: Double) -> BiasKitError {
    BiasKitError(.invalidArgument, "a sampling ratio must be in (0, 1]; got \(alpha)")
  }

  static func ratioNeedsBinary(classes: Int) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "a sampling ratio needs a binary target; this one has \(classes) classes (give per-class counts)"
    )
  }

  static func ratioRemovesRows(_ alpha: Double, label: Int, has: Int, majority: Int) -> BiasKitError
  {
    BiasKitError(
      .invalidArgument,
      "sampling ratio \(alpha) asks for \(Int((Double(majority) * alpha).rounded(.towardZero))) rows "
        + "of class \(label), which already has \(has): over-sampling cannot remove rows; increase the ratio"
    )
  }

  static func ratioAddsRows(_ alpha: Double, label: Int, has: Int, asked: Int) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "sampling ratio \(alpha) asks to keep \(asked) rows of class \(label), which has only \(has): "
        + "under-sampling cannot add rows; increase the ratio")
  }

  static func unknownClass(_ label: Int, _ stats: ClassCounts) -> BiasKitError {
    BiasKitError(
      .unknownName,
      "class \(label) is not in the target (classes: \(stats.classes.map(String.init).joined(separator: ", ")))"
    )
  }

  static func negativeCount(label: Int, _ n: Int) -> BiasKitError {
    BiasKitError(.invalidArgument, "the number of rows asked for class \(label) is negative (\(n))")
  }

  static func countBelowOriginal(label: Int, asked: Int, has: Int) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "over-sampling cannot remove rows: class \(label) has \(has) rows and \(asked) were asked")
  }

  static func countAboveOriginal(label: Int, asked: Int, has: Int) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "under-sampling cannot add rows: class \(label) has \(has) rows and \(asked) were asked")
  }

  static func lengthMismatch(rows: Int, labels: Int) -> BiasKitError {
    BiasKitError(
      .malformedInput, "the features have \(rows) rows but the target has \(labels) values")
  }

  static func nonFiniteFeature(row: Int, column: Int, value: Double, name: String?) -> BiasKitError
  {
    let where_ = name.map { "column '\($0)'" } ?? "column \(column)"
    return BiasKitError(
      .invalidValue,
      "feature row \(row), \(where_) is \(value); resampling needs finite values (no NaN or infinity)"
    )
  }

  static func badParameter(_ name: String, _ value: Any, expected: String) -> BiasKitError {
    BiasKitError(.invalidArgument, "\(name) must be \(expected); got \(value)")
  }
}
