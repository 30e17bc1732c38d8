import Foundation

/// The multiclass confusion matrix of one group, and with a probability matrix the sums of the
/// probabilistic metrics and each class column's scores split by the true class: the mergeable
/// sufficient statistic of a multiclass audit.
///
/// Classes are numbered `0..<classCount` in the audit's class order (``MulticlassTable``: the
/// classes sorted as NumPy's `np.unique`). `confusion[t · K + p]` is the weight of rows with
/// true class `t` predicted `p`; `counts` the same in rows.
///
/// - Complexity: O(K²) memory for the matrix; with probabilities O(K · n) for the score lists.
public struct MulticlassCounts: Sendable, Equatable, Codable {
  /// Number of classes K.
  public var classCount: Int
  /// Weighted K × K confusion matrix, row-major, rows the true class.
  public var confusion: [Double]
  /// Unweighted K × K confusion matrix.
  public var counts: [Int]
  /// Sums over the probability matrix, when the audit has one.
  public var probabilities: ProbabilitySums?

  /// An empty matrix of `classCount` classes.
  public init(classCount: Int) {
    self.classCount = classCount
    confusion = [Double](repeating: 0, count: classCount * classCount)
    counts = [Int](repeating: 0, count: classCount * classCount)
  }

  /// Adds another group's counts (same classes).
  public mutating func add(_ other: MulticlassCounts) {
    precondition(other.classCount == classCount, "class counts of different classes")
    for k in confusion.indices {
      confusion[k] += other.confusion[k]
      counts[k] += other.counts[k]
    }
    if let theirs = other.probabilities {
      if probabilities == nil { probabilities = theirs } else { probabilities!.add(theirs) }
    }
  }

  /// Rows in the group.
  public var rows: Int { counts.reduce(0, +) }
  /// Sum of the weights.
  public var total: Double { confusion.reduce(0, +) }

  /// Weight of rows of true class `t` (row sum).
  public func trueWeight(_ t: Int) -> Double {
    var s = 0.0
    for p in 0..<classCount { s += confusion[t * classCount + p] }
    return s
  }

  /// Weight of rows predicted `p` (column sum).
  public func predictedWeight(_ p: Int) -> Double {
    var s = 0.0
    for t in 0..<classCount { s += confusion[t * classCount + p] }
    return s
  }

  /// The binary confusion counts of class `c` against the rest (one-vs-rest: label and
  /// prediction are "is class `c`").
  public func oneVsRest(_ c: Int) -> ConfusionCounts {
    var result = ConfusionCounts()
    let k = classCount
    for t in 0..<k {
      for p in 0..<k {
        let w = confusion[t * k + p]
        let n = counts[t * k + p]
        switch (t == c, p == c) {
        case (true, true):
          result.truePositives += w
          result.countTruePositives += n
        case (false, true):
          result.falsePositives += w
          result.countFalsePositives += n
        case (true, false):
          result.falseNegatives += w
          result.countFalseNegatives += n
        case (false, false):
          result.trueNegatives += w
          result.countTrueNegatives += n
        }
      }
    }
    return result
  }

  /// The classes scikit-learn's label metrics see in this group: those that occur as a true or
  /// a predicted class (`unique_labels(y_true, y_pred)`).
  public var presentClasses: [Int] {
    (0..<classCount).filter { c in
      (0..<classCount).contains {
        counts[c * classCount + $0] > 0 || counts[$0 * classCount + c] > 0
      }
    }
  }

  /// Classes that occur as a true class in the group.
  public var trueClasses: [Int] {
    (0..<classCount).filter { c in (0..<classCount).contains { counts[c * classCount + $0] > 0 } }
  }

  // MARK: Label metrics

  /// How a per-class precision, recall or F1 is averaged (scikit-learn's `average=`).
  public enum Average: String, Sendable, CaseIterable, Codable {
    /// The unweighted mean over the classes present.
    case macro
    /// The mean weighted by each class's support (weight of true rows).
    case weighted
    /// The metric of the pooled counts of all classes.
    case micro
  }

  /// Which per-class score is averaged.
  public enum LabelScore: Sendable {
    case precision, recall, f1
  }

  /// scikit-learn's `precision_score`, `recall_score` or `f1_score` with `average=` and
  /// `zero_division=0`, over the classes present in the group (its `labels=None`).
  public func labelScore(_ score: LabelScore, average: Average) -> Double? {
    let labels = presentClasses
    guard !labels.isEmpty else { return nil }
    let k = classCount
    func sums(_ c: Int) -> (tp: Double, predicted: Double, actual: Double) {
      (confusion[c * k + c], predictedWeight(c), trueWeight(c))
    }
    func value(_ tp: Double, _ predicted: Double, _ actual: Double) -> Double {
      switch score {
      case .precision: return predicted == 0 ? 0 : tp / predicted
      case .recall: return actual == 0 ? 0 : tp / actual
      case .f1:
        let denominator = actual + predicted
        return denominator == 0 ? 0 : 2 * tp / denominator
      }
    }
    switch average {
    case .micro:
      var tp = 0.0
      var predicted = 0.0
      var actual = 0.0
      for c in labels {
        let s = sums(c)
        tp += s.tp
        predicted += s.predicted
        actual += s.actual
      }
      return value(tp, predicted, actual)
    case .macro:
      var total = 0.0
      for c in labels {
        let s = sums(c)
        total += value(s.tp, s.predicted, s.actual)
      }
      return total / Double(labels.count)
    case .weighted:
      var weighted = 0.0
      var weights = 0.0
      var plain = 0.0
      for c in labels {
        let s = sums(c)
        let v = value(s.tp, s.predicted, s.actual)
        weighted += v * s.actual
        weights += s.actual
        plain += v
      }
      // numpy.average with zero weights raises; scikit-learn then averages unweighted.
      return weights == 0 ? plain / Double(labels.count) : weighted / weights
    }
  }

  /// `Σ_t C[t, t] / Σ C` (scikit-learn `accuracy_score`).
  public var accuracy: Double? {
    let total = self.total
    guard rows > 0 else { return nil }
    var correct = 0.0
    for c in 0..<classCount { correct += confusion[c * classCount + c] }
    return total == 0 ? 0 : correct / total
  }

  /// Mean recall of the classes present as true classes (scikit-learn `balanced_accuracy_score`).
  public var balancedAccuracy: Double? {
    var recalls = 0.0
    var present = 0
    for t in 0..<classCount {
      let support = trueWeight(t)
      guard support > 0 else { continue }
      recalls += confusion[t * classCount + t] / support
      present += 1
    }
    return present == 0 ? nil : recalls / Double(present)
  }

  /// Matthews correlation of the K × K matrix (scikit-learn `matthews_corrcoef`; 0 when a
  /// marginal is constant).
  public var matthewsCorrelation: Double? {
    guard rows > 0 else { return nil }
    let k = classCount
    let t = (0..<k).map(trueWeight)
    let p = (0..<k).map(predictedWeight)
    var correct = 0.0
    for c in 0..<k { correct += confusion[c * k + c] }
    var samples = 0.0
    for c in 0..<k { samples += p[c] }
    var tp = 0.0
    var pp = 0.0
    var tt = 0.0
    for c in 0..<k {
      tp += t[c] * p[c]
      pp += p[c] * p[c]
      tt += t[c] * t[c]
    }
    let covYtYp = correct * samples - tp
    let covYpYp = samples * samples - pp
    let covYtYt = samples * samples - tt
    if covYpYp * covYtYt == 0 { return 0 }
    return covYtYp / (covYtYt * covYpYp).squareRoot()
  }
}

/// Sums over a group's rows of a probability matrix (one column per class): the multiclass log
/// loss and Brier score, top-k hits, and each class column's distinct scores split by the
/// rows' true class (for one-vs-rest and one-vs-one ROC AUC).
///
/// - Log loss (scikit-learn `log_loss(labels=classes)`): `−Σ w log clip(p_y, ε, 1 − ε) / Σ w`,
///   ε = 2⁻⁵² (no renormalisation, as scikit-learn 1.9).
/// - Brier score (scikit-learn `brier_score_loss(labels=classes)`): `Σ w Σ_k (1[y = k] − p_k)² /
///   Σ w`, halved with fewer than three classes (`scale_by_half="auto"`).
/// - Top-k hits: the weight of rows whose true class is among the k highest probabilities
///   (`top_k_accuracy_score`; ties ordered as NumPy's stable argsort reversed: of equal
///   probabilities, the later class ranks first).
///
/// - Complexity: O(K) per row; the score lists O(K · n).
public struct ProbabilitySums: Sendable, Equatable, Codable {
  /// Sum of the weights.
  public var weight = CompensatedSum()
  /// Sum of the weighted log losses.
  public var logLoss = CompensatedSum()
  /// Sum of the weighted squared errors of the one-hot rows.
  public var squaredError = CompensatedSum()
  /// `topHits[k − 1]`: weight of the rows whose true class is among their k highest scores.
  public var topHits: [Double]
  /// `scores[c][t]`: the distinct values of class column `c` among rows of true class `t`
  /// (ascending) with their weights, as ``ScoreCounts`` whose `positives` hold the weights.
  public var scores: [[ScoreCounts]]

  /// Empty sums for `classCount` classes.
  public init(classCount: Int) {
    topHits = [Double](repeating: 0, count: classCount)
    scores = [[ScoreCounts]](
      repeating: [ScoreCounts](repeating: ScoreCounts(), count: classCount), count: classCount)
  }

  /// Adds another group's sums.
  public mutating func add(_ other: ProbabilitySums) {
    weight.add(other.weight)
    logLoss.add(other.logLoss)
    squaredError.add(other.squaredError)
    for k in topHits.indices { topHits[k] += other.topHits[k] }
    for c in scores.indices {
      for t in scores[c].indices { scores[c][t] = scores[c][t].merged(with: other.scores[c][t]) }
    }
  }

  /// The mean log loss; nil without weight.
  public var meanLogLoss: Double? { weight.value > 0 ? logLoss.value / weight.value : nil }

  /// The Brier score; nil without weight.
  public func brierScore(classCount: Int) -> Double? {
    guard weight.value > 0 else { return nil }
    let score = squaredError.value / weight.value
    return classCount < 3 ? 0.5 * score : score
  }

  /// Top-k accuracy; nil without weight.
  public func topKAccuracy(_ k: Int) -> Double? {
    guard weight.value > 0, !topHits.isEmpty else { return nil }
    return topHits[min(max(k, 1), topHits.count) - 1] / weight.value
  }

  /// The score counts of class column `column` with true class `positive` as positives and
  /// true classes `negatives` as negatives.
  public func counts(column: Int, positive: Int, negatives: [Int]) -> ScoreCounts {
    var parts = [scores[column][positive]]
    for t in negatives {
      let part = scores[column][t]
      parts.append(
        ScoreCounts(
          values: part.values, positives: [Double](repeating: 0, count: part.values.count),
          negatives: part.positives))
    }
    return ScoreCounts.merged(parts)
  }

  /// scikit-learn's `roc_auc_score(multi_class="ovr", average=…, labels=classes)`: the AUC of
  /// each class column against the rest, averaged (macro: undefined when a class has no true
  /// row in the group; weighted by the classes' true weight).
  public func rocAUCOneVsRest(classCount k: Int, weighted: Bool, trueWeights: [Double]) -> Double? {
    var values: [Double?] = []
    for c in 0..<k {
      let others = (0..<k).filter { $0 != c }
      values.append(counts(column: c, positive: c, negatives: others).rocAUC())
    }
    if !weighted {
      var sum = 0.0
      for v in values {
        guard let v else { return nil }  // NaN in the mean
        sum += v
      }
      return sum / Double(k)
    }
    let total = trueWeights.reduce(0, +)
    guard total != 0 else { return 0 }
    var sum = 0.0
    for c in 0..<k where trueWeights[c] != 0 {
      guard let v = values[c] else { return nil }
      sum += v * trueWeights[c]
    }
    return sum / total
  }

  /// scikit-learn's `roc_auc_score(multi_class="ovo", average=…)` (Hand and Till): for each pair
  /// of classes present as true classes, the mean of the AUC of each one's column on the rows
  /// of the pair; averaged (weighted by the pair's share of the rows).
  public func rocAUCOneVsOne(trueClasses: [Int], rowCounts: [Int], weighted: Bool) -> Double? {
    var pairScores: [Double] = []
    var prevalence: [Double] = []
    let total = Double(rowCounts.reduce(0, +))
    for (i, a) in trueClasses.enumerated() {
      for b in trueClasses[(i + 1)...] {
        guard let ab = counts(column: a, positive: a, negatives: [b]).rocAUC(),
          let ba = counts(column: b, positive: b, negatives: [a]).rocAUC()
        else { return nil }
        pairScores.append((ab + ba) / 2)
        prevalence.append(Double(rowCounts[a] + rowCounts[b]) / total)
      }
    }
    guard !pairScores.isEmpty else { return nil }
    if !weighted { return pairScores.reduce(0, +) / Double(pairScores.count) }
    var sum = 0.0
    var weights = 0.0
    for (s, w) in zip(pairScores, prevalence) {
      sum += s * w
      weights += w
    }
    return sum / weights
  }
}
