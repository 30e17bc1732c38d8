import Foundation

/// A metric computed for the whole table and for each group.
///
/// Each metric follows the scikit-learn or fairlearn function named in its documentation, with
/// that library's conventions for degenerate groups: a ratio whose denominator is zero is 0
/// (`zero_division=0`), and a value that the library leaves undefined (it raises, or returns
/// NaN) is `nil` here, with the reason given by ``undefinedReason(_:)``. A group with no rows
/// has every metric undefined (fairlearn shows NaN for a missing combination of features).
///
/// The binary metrics read labels and predictions as 0/1 with 1 the positive class.
public enum Metric: String, CaseIterable, Sendable, Codable {
  /// Rows in the group (fairlearn `count`; never weighted).
  case count
  /// `Σw ŷ / Σw` (fairlearn `selection_rate`).
  case selectionRate = "selection_rate"
  /// `(TP + TN) / n` (sklearn `accuracy_score`).
  case accuracy
  /// Mean recall of the classes present (sklearn `balanced_accuracy_score`).
  case balancedAccuracy = "balanced_accuracy"
  /// `TP / (TP + FP)`, 0 when nothing is predicted positive (sklearn `precision_score`, `zero_division=0`).
  case precision
  /// `TP / (TP + FN)`, 0 without positives (sklearn `recall_score`).
  case recall
  /// `2TP / (2TP + FP + FN)`, 0 when that is 0/0 (sklearn `f1_score`, `zero_division=0`).
  case f1
  /// `TP / (TP + FN)` (fairlearn `true_positive_rate`; 0 without positives).
  case truePositiveRate = "true_positive_rate"
  /// `FP / (FP + TN)` (fairlearn `false_positive_rate`; 0 without negatives).
  case falsePositiveRate = "false_positive_rate"
  /// `TN / (TN + FP)` (fairlearn `true_negative_rate`).
  case trueNegativeRate = "true_negative_rate"
  /// `FN / (FN + TP)` (fairlearn `false_negative_rate`).
  case falseNegativeRate = "false_negative_rate"
  /// Matthews correlation (sklearn `matthews_corrcoef`; 0 when a marginal is constant).
  case matthewsCorrcoef = "matthews_corrcoef"
  /// Area under the ROC curve of the scores (sklearn `roc_auc_score`; undefined with one class).
  case rocAUC = "roc_auc"
  /// Area under the precision-recall curve, uninterpolated (sklearn `average_precision_score`).
  case averagePrecision = "average_precision"
  /// Mean squared error of the scores as probabilities (sklearn `brier_score_loss`).
  case brierScore = "brier_score"
  /// Cross-entropy of the scores (sklearn `log_loss(labels=[0, 1])`).
  case logLoss = "log_loss"
  /// Expected calibration error over equal-width bins (``AuditOptions/bins``).
  case expectedCalibrationError = "expected_calibration_error"
  /// AIF360 `generalized_entropy_index` of `b = ŷ − y + 1` with ``AuditOptions/alpha`` (unweighted).
  case generalizedEntropyIndex = "generalized_entropy_index"
  /// AIF360 `theil_index`: the generalized entropy index with α = 1 (unweighted).
  case theilIndex = "theil_index"
  /// AIF360 `coefficient_of_variation`: `√(2 GE(2))`, the standard deviation of the benefit over its mean (unweighted).
  case coefficientOfVariation = "coefficient_of_variation"
  /// `Σw |y − ŷ| / Σw` (sklearn `mean_absolute_error`).
  case meanAbsoluteError = "mean_absolute_error"
  /// `Σw (y − ŷ)² / Σw` (sklearn `mean_squared_error`).
  case meanSquaredError = "mean_squared_error"
  /// Coefficient of determination (sklearn `r2_score`).
  case r2Score = "r2_score"
  /// `Σw ŷ / Σw` of numeric predictions (fairlearn `mean_prediction`).
  case meanPrediction = "mean_prediction"
  /// Multiclass precision, unweighted mean over the classes present (sklearn `precision_score(average="macro")`).
  case precisionMacro = "precision_macro"
  /// Multiclass precision weighted by support (sklearn `average="weighted"`).
  case precisionWeighted = "precision_weighted"
  /// Multiclass precision of the pooled counts (sklearn `average="micro"`).
  case precisionMicro = "precision_micro"
  /// Multiclass recall, macro average (sklearn `recall_score(average="macro")`).
  case recallMacro = "recall_macro"
  /// Multiclass recall, weighted by support.
  case recallWeighted = "recall_weighted"
  /// Multiclass recall of the pooled counts.
  case recallMicro = "recall_micro"
  /// Multiclass F1, macro average (sklearn `f1_score(average="macro")`).
  case f1Macro = "f1_macro"
  /// Multiclass F1, weighted by support.
  case f1Weighted = "f1_weighted"
  /// Multiclass F1 of the pooled counts.
  case f1Micro = "f1_micro"
  /// One-vs-rest ROC AUC, macro average (sklearn `roc_auc_score(multi_class="ovr")`).
  case rocAUCOneVsRest = "roc_auc_ovr"
  /// One-vs-rest ROC AUC weighted by prevalence (`average="weighted"`).
  case rocAUCOneVsRestWeighted = "roc_auc_ovr_weighted"
  /// One-vs-one ROC AUC of Hand and Till (sklearn `roc_auc_score(multi_class="ovo")`; unweighted).
  case rocAUCOneVsOne = "roc_auc_ovo"
  /// One-vs-one ROC AUC weighted by the pairs' prevalence.
  case rocAUCOneVsOneWeighted = "roc_auc_ovo_weighted"
  /// Share of rows whose true class is among the k most probable (sklearn
  /// `top_k_accuracy_score`, k = ``AuditOptions/topK``).
  case topKAccuracy = "top_k_accuracy"

  /// What a metric reads besides labels and predictions.
  public enum Requirement: Sendable {
    /// Binary labels and predictions.
    case predictions
    /// A score column (binary), or a probability matrix for `log_loss` and `brier_score` of a
    /// multiclass audit.
    case scores
    /// Numeric targets and predictions.
    case regression
    /// Multiclass labels and predictions.
    case classLabels
    /// A multiclass probability matrix.
    case classScores
  }

  /// What the metric reads.
  public var requirement: Requirement {
    switch self {
    case .rocAUC, .averagePrecision, .brierScore, .logLoss, .expectedCalibrationError:
      return .scores
    case .meanAbsoluteError, .meanSquaredError, .r2Score, .meanPrediction: return .regression
    case .precisionMacro, .precisionWeighted, .precisionMicro, .recallMacro, .recallWeighted,
      .recallMicro, .f1Macro, .f1Weighted, .f1Micro:
      return .classLabels
    case .rocAUCOneVsRest, .rocAUCOneVsRestWeighted, .rocAUCOneVsOne, .rocAUCOneVsOneWeighted,
      .topKAccuracy:
      return .classScores
    default: return .predictions
    }
  }

  /// Whether the metric is defined for a multiclass audit: the multiclass metrics, and
  /// `count`, `accuracy`, `balanced_accuracy`, `matthews_corrcoef`, `log_loss` and
  /// `brier_score` in their multiclass forms.
  public var isMulticlass: Bool {
    switch requirement {
    case .classLabels, .classScores: return true
    default:
      return [.count, .accuracy, .balancedAccuracy, .matthewsCorrcoef, .logLoss, .brierScore]
        .contains(self)
    }
  }

  /// Whether sample weights change this metric (they do wherever scikit-learn or fairlearn
  /// accepts `sample_weight`).
  public var isWeighted: Bool {
    switch self {
    case .count, .generalizedEntropyIndex, .theilIndex, .coefficientOfVariation: return false
    default: return true
    }
  }

  /// Whether the metric is a rate in [0, 1] that a model should not give groups unequally
  /// (selection rate, accuracy, the confusion rates, AUC, average precision): the metrics for
  /// which the usual screening thresholds (a difference above 0.1, a ratio below 0.8, the
  /// four-fifths rule) mean something. Errors on an unbounded scale (MAE, MSE, log loss),
  /// calibration errors, inequality indices, R² and the Matthews coefficient are not.
  public var isBoundedRate: Bool {
    switch self {
    case .selectionRate, .accuracy, .balancedAccuracy, .precision, .recall, .f1, .truePositiveRate,
      .falsePositiveRate, .trueNegativeRate, .falseNegativeRate, .rocAUC, .averagePrecision,
      .precisionMacro, .precisionWeighted, .precisionMicro, .recallMacro, .recallWeighted,
      .recallMicro, .f1Macro, .f1Weighted, .f1Micro, .rocAUCOneVsRest, .rocAUCOneVsRestWeighted,
      .rocAUCOneVsOne, .rocAUCOneVsOneWeighted, .topKAccuracy:
      return true
    default: return false
    }
  }

  /// The confusion-matrix set: the default for a classifier.
  public static let confusionMetrics: [Metric] = [
    .count, .selectionRate, .accuracy, .balancedAccuracy, .precision, .recall, .f1,
    .truePositiveRate, .falsePositiveRate, .trueNegativeRate, .falseNegativeRate, .matthewsCorrcoef,
  ]
  /// The metrics computed from a score column, added to the default when one is given.
  public static let scoreMetrics: [Metric] = [
    .rocAUC, .averagePrecision, .brierScore, .logLoss, .expectedCalibrationError,
  ]
  /// AIF360's inequality indices.
  public static let inequalityMetrics: [Metric] = [
    .generalizedEntropyIndex, .theilIndex, .coefficientOfVariation,
  ]
  /// The default for `--task regression`.
  public static let regressionMetrics: [Metric] = [
    .count, .meanAbsoluteError, .meanSquaredError, .r2Score, .meanPrediction,
  ]
  /// The default for `--task multiclass` (labels).
  public static let multiclassMetrics: [Metric] = [
    .count, .accuracy, .balancedAccuracy, .precisionMacro, .recallMacro, .f1Macro,
    .precisionWeighted, .recallWeighted, .f1Weighted, .precisionMicro, .recallMicro, .f1Micro,
    .matthewsCorrcoef,
  ]
  /// The multiclass metrics of a probability matrix, added to the default when there is one.
  public static let multiclassScoreMetrics: [Metric] = [
    .rocAUCOneVsRest, .rocAUCOneVsRestWeighted, .rocAUCOneVsOne, .rocAUCOneVsOneWeighted,
    .logLoss, .brierScore, .topKAccuracy,
  ]
  /// The one-vs-rest rates reported for each class of a multiclass audit.
  public static let oneVsRestMetrics: [Metric] = [
    .count, .selectionRate, .truePositiveRate, .falsePositiveRate, .precision, .recall, .f1,
  ]

  /// The metric called `name` (its scikit-learn or fairlearn name; `tpr`, `fpr`, `tnr`, `fnr`,
  /// `auc` and `ece` are accepted too).
  public init?(name: String) {
    let aliases: [String: Metric] = [
      "tpr": .truePositiveRate, "fpr": .falsePositiveRate, "tnr": .trueNegativeRate,
      "fnr": .falseNegativeRate, "auc": .rocAUC, "ece": .expectedCalibrationError,
      "mcc": .matthewsCorrcoef, "brier_score_loss": .brierScore, "f1_score": .f1,
      "accuracy_score": .accuracy, "precision_score": .precision, "recall_score": .recall,
      "roc_auc_score": .rocAUC, "average_precision_score": .averagePrecision,
      "balanced_accuracy_score": .balancedAccuracy, "r2": .r2Score,
    ]
    if let metric = Metric(rawValue: name) ?? aliases[name] { self = metric } else { return nil }
  }

  /// The metric called `name` (as ``init(name:)``).
  ///
  /// - Throws: ``BiasKitError`` listing the metrics when `name` is none of them.
  public init(parsing name: String) throws {
    guard let metric = Metric(name: name) else {
      throw BiasKitError(
        .unknownName,
        "unknown metric '\(name)'; the metrics are \(Metric.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
    self = metric
  }

  /// The metrics of a comma-separated list (spaces around names and empty items are ignored).
  ///
  /// - Throws: ``BiasKitError`` for a name that is not a metric.
  public static func list(parsing text: String) throws -> [Metric] {
    try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }.map { try Metric(parsing: $0) }
  }

  /// The value for a group with these statistics, or nil where the reference leaves it undefined.
  public func value(
    from statistics: GroupStatistics, options: AuditOptions = AuditOptions()
  ) -> Double? {
    let c = statistics.confusion
    if c.rows == 0 { return nil }
    if let classes = statistics.classes { return multiclassValue(classes, options: options) }
    func divide(_ a: Double, _ b: Double) -> Double { b == 0 ? 0 : a / b }
    switch self {
    case .count: return Double(c.rows)
    case .selectionRate: return divide(c.predictedPositives, c.total)
    case .accuracy: return divide(c.truePositives + c.trueNegatives, c.total)
    case .balancedAccuracy:
      // sklearn: mean of the per-class recalls of the classes present in y_true.
      var recalls: [Double] = []
      if c.negatives > 0 { recalls.append(c.trueNegatives / c.negatives) }
      if c.positives > 0 { recalls.append(c.truePositives / c.positives) }
      return recalls.isEmpty ? nil : recalls.reduce(0, +) / Double(recalls.count)
    case .precision: return divide(c.truePositives, c.predictedPositives)
    case .recall, .truePositiveRate: return divide(c.truePositives, c.positives)
    case .f1: return divide(2 * c.truePositives, c.positives + c.predictedPositives)
    case .falsePositiveRate: return divide(c.falsePositives, c.negatives)
    case .trueNegativeRate: return divide(c.trueNegatives, c.negatives)
    case .falseNegativeRate: return divide(c.falseNegatives, c.positives)
    case .matthewsCorrcoef:
      // sklearn's formula on the 2x2 confusion matrix C (rows: truth, columns: prediction).
      let t = [c.negatives, c.positives]
      let p = [c.trueNegatives + c.falseNegatives, c.predictedPositives]
      let correct = c.truePositives + c.trueNegatives
      let samples = c.total
      let covYtYp = correct * samples - (t[0] * p[0] + t[1] * p[1])
      let covYpYp = samples * samples - (p[0] * p[0] + p[1] * p[1])
      let covYtYt = samples * samples - (t[0] * t[0] + t[1] * t[1])
      if covYpYp * covYtYt == 0 { return 0 }
      return covYtYp / (covYtYt * covYpYp).squareRoot()
    case .rocAUC: return statistics.scores?.rocAUC()
    case .averagePrecision: return statistics.scores?.averagePrecision()
    case .brierScore: return statistics.calibration?.brierScore
    case .logLoss: return statistics.calibration?.meanLogLoss
    case .expectedCalibrationError: return statistics.calibration?.expectedCalibrationError
    case .generalizedEntropyIndex:
      return InequalityIndex.generalizedEntropy(c, alpha: options.alpha)
    case .theilIndex: return InequalityIndex.generalizedEntropy(c, alpha: 1)
    case .coefficientOfVariation:
      return InequalityIndex.generalizedEntropy(c, alpha: 2).map { (2 * $0).squareRoot() }
    case .meanAbsoluteError: return statistics.regression?.meanAbsoluteError
    case .meanSquaredError: return statistics.regression?.meanSquaredError
    case .r2Score: return statistics.regression?.r2
    case .meanPrediction: return statistics.regression?.meanPrediction
    case .precisionMacro, .precisionWeighted, .precisionMicro, .recallMacro, .recallWeighted,
      .recallMicro, .f1Macro, .f1Weighted, .f1Micro, .rocAUCOneVsRest, .rocAUCOneVsRestWeighted,
      .rocAUCOneVsOne, .rocAUCOneVsOneWeighted, .topKAccuracy:
      return nil
    }
  }

  /// The value of a multiclass group (scikit-learn's multiclass forms).
  func multiclassValue(_ classes: MulticlassCounts, options: AuditOptions) -> Double? {
    let k = classes.classCount
    switch self {
    case .count: return Double(classes.rows)
    case .accuracy: return classes.accuracy
    case .balancedAccuracy: return classes.balancedAccuracy
    case .matthewsCorrcoef: return classes.matthewsCorrelation
    case .precisionMacro: return classes.labelScore(.precision, average: .macro)
    case .precisionWeighted: return classes.labelScore(.precision, average: .weighted)
    case .precisionMicro: return classes.labelScore(.precision, average: .micro)
    case .recallMacro: return classes.labelScore(.recall, average: .macro)
    case .recallWeighted: return classes.labelScore(.recall, average: .weighted)
    case .recallMicro: return classes.labelScore(.recall, average: .micro)
    case .f1Macro: return classes.labelScore(.f1, average: .macro)
    case .f1Weighted: return classes.labelScore(.f1, average: .weighted)
    case .f1Micro: return classes.labelScore(.f1, average: .micro)
    case .logLoss: return classes.probabilities?.meanLogLoss
    case .brierScore: return classes.probabilities?.brierScore(classCount: k)
    case .topKAccuracy: return classes.probabilities?.topKAccuracy(options.topK)
    case .rocAUCOneVsRest, .rocAUCOneVsRestWeighted:
      return classes.probabilities?.rocAUCOneVsRest(
        classCount: k, weighted: self == .rocAUCOneVsRestWeighted,
        trueWeights: (0..<k).map(classes.trueWeight))
    case .rocAUCOneVsOne, .rocAUCOneVsOneWeighted:
      let rows = (0..<k).map { t in (0..<k).reduce(0) { $0 + classes.counts[t * k + $1] } }
      return classes.probabilities?.rocAUCOneVsOne(
        trueClasses: classes.trueClasses, rowCounts: rows,
        weighted: self == .rocAUCOneVsOneWeighted)
    default: return nil
    }
  }

  /// Why ``value(from:options:)`` is nil for these statistics, in a few words.
  public func undefinedReason(_ statistics: GroupStatistics) -> String {
    let c = statistics.confusion
    if c.rows == 0 { return "no rows in this group" }
    switch self {
    case .rocAUC:
      return "only one class in y_true (scikit-learn raises: ROC AUC is not defined)"
    case .balancedAccuracy: return "no rows with weight"
    case .generalizedEntropyIndex, .theilIndex, .coefficientOfVariation:
      return "the mean benefit is 0 (every row is a false negative)"
    case .r2Score: return "fewer than two rows"
    case .rocAUCOneVsRest:
      return "a class has no true row in this group (scikit-learn's macro average is NaN)"
    case .rocAUCOneVsRestWeighted, .rocAUCOneVsOne, .rocAUCOneVsOneWeighted:
      return "fewer than two true classes in this group"
    default: return "not computable from these rows"
    }
  }
}

/// Settings of the metrics that take parameters.
public struct AuditOptions: Sendable, Equatable, Codable {
  /// Equal-width bins of `expected_calibration_error` (`--bins`).
  public var bins: Int = 10
  /// α of `generalized_entropy_index` (`--alpha`; AIF360's default is 2).
  public var alpha: Double = 2
  /// k of `top_k_accuracy` (scikit-learn's default is 2).
  public var topK: Int = 2

  /// The metrics' parameters.
  public init(bins: Int = 10, alpha: Double = 2, topK: Int = 2) {
    self.bins = bins
    self.alpha = alpha
    self.topK = topK
  }

  enum CodingKeys: String, CodingKey { case bins, alpha, topK }

  /// Decodes options saved by any version (`topK` defaults to 2).
  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    bins = try container.decode(Int.self, forKey: .bins)
    alpha = try container.decode(Double.self, forKey: .alpha)
    topK = try container.decodeIfPresent(Int.self, forKey: .topK) ?? 2
  }
}
