import Foundation
import Testing

@testable import BiasKit

/// The audit with few gold labels: its PPI++ rates are the PPI++ estimators of their estimating
/// equations, and on Adult with 10% of the labels kept they land near the full-label values.
@Suite("Estimation: the audit with a gold-label sample")
struct GoldSampleAuditTests {
  /// A seeded population: a group, a calibrated score, a prediction, a label; the label kept
  /// on a random `fraction` of the rows.
  static func population(
    rows: Int, fraction: Double, seed: UInt64
  ) -> (
    labels: [Double], full: [Double], predictions: [UInt8], scores: [Double], groups: [Int32]
  ) {
    var rng = SeededGenerator(seed: seed)
    var labels: [Double] = []
    var full: [Double] = []
    var predictions: [UInt8] = []
    var scores: [Double] = []
    var groups: [Int32] = []
    for _ in 0..<rows {
      let g: Int32 = rng.nextUniform() < 0.6 ? 0 : 1
      let s = min(max(rng.nextUniform() * (g == 0 ? 1 : 0.8) + (g == 0 ? 0 : 0.1), 0), 1)
      let y: Double = rng.nextUniform() < s ? 1 : 0
      full.append(y)
      labels.append(rng.nextUniform() < fraction ? y : .nan)
      predictions.append(s > 0.5 ? 1 : 0)
      scores.append(s)
      groups.append(g)
    }
    return (labels, full, predictions, scores, groups)
  }

  @Test("accuracy is PPI++'s mean of 1[ŷ = y] with the surrogate ŷs + (1 − ŷ)(1 − s)")
  func accuracyIsPowerTunedMean() throws {
    let p = Self.population(rows: 4000, fraction: 0.1, seed: 3)
    let result = try GoldSampleAudit().audit(
      labels: p.labels, predictions: p.predictions, scores: p.scores,
      groupCodes: p.groups, names: ["a", "b"])
    let rows = (0..<p.labels.count).filter { p.groups[$0] == 0 }
    let labelled = rows.filter { !p.labels[$0].isNaN }
    let unlabelled = rows.filter { p.labels[$0].isNaN }
    func correct(_ y: Double, _ i: Int) -> Double {
      let yhat = Double(p.predictions[i])
      return yhat * y + (1 - yhat) * (1 - y)
    }
    let sample = PredictionSample(
      labels: labelled.map { correct(p.labels[$0], $0) },
      predictions: labelled.map { correct(p.scores[$0], $0) },
      unlabelledPredictions: unlabelled.map { correct(p.scores[$0], $0) })
    let reference = try PowerTunedPredictionPoweredInference().estimate(.mean, from: sample)
    let ours = try #require(result.groups[0].values[.accuracy])
    #expect(isClose(ours.estimate, reference.values[0], 1e-12))
    #expect(isClose(ours.lambda!, reference.lambda!, 1e-12))
    // The M-estimation sandwich (ddof 1) against the mean's ddof 0: a factor √(n/(n−1)).
    let n = Double(labelled.count)
    let expectedSE = reference.standardErrors[0]
    #expect(abs(ours.standardError / expectedSE - 1) < 1 / n)
    #expect(result.groups[0].labelledRows == labelled.count)
  }

  @Test("without unlabelled rows the rates are the classical ones")
  func classicalWithoutUnlabelled() throws {
    let p = Self.population(rows: 500, fraction: 1, seed: 5)
    let result = try GoldSampleAudit().audit(
      labels: p.full, predictions: p.predictions, scores: p.scores, groupCodes: p.groups,
      names: ["a", "b"])
    let rows = (0..<500).filter { p.groups[$0] == 1 }
    let positives = rows.filter { p.full[$0] == 1 }
    let truePositives = positives.filter { p.predictions[$0] == 1 }
    let tpr = try #require(result.groups[1].values[.truePositiveRate])
    #expect(isClose(tpr.estimate, Double(truePositives.count) / Double(positives.count), 1e-14))
    #expect(tpr.lambda == 0)
  }

  @Test(
    "the intervals cover the full-label values; the disparities' intervals hold their estimates")
  func coversFullLabelValues() throws {
    let p = Self.population(rows: 20_000, fraction: 0.05, seed: 11)
    let result = try GoldSampleAudit().audit(
      labels: p.labels, predictions: p.predictions, scores: p.scores, groupCodes: p.groups,
      names: ["a", "b"])
    var covered = 0
    var total = 0
    for (k, group) in result.groups.enumerated() {
      let rows = (0..<p.full.count).filter { p.groups[$0] == Int32(k) }
      let positives = rows.filter { p.full[$0] == 1 }
      let truth: [GoldSampleAudit.Metric: Double] = [
        .accuracy: Double(rows.filter { Double(p.predictions[$0]) == p.full[$0] }.count)
          / Double(rows.count),
        .truePositiveRate: Double(positives.filter { p.predictions[$0] == 1 }.count)
          / Double(positives.count),
      ]
      for (metric, value) in truth {
        total += 1
        if group.values[metric]!.interval.contains(value) { covered += 1 }
      }
    }
    #expect(covered >= total - 1, "\(covered) of \(total) intervals cover")
    for d in result.disparities {
      #expect(d.interval.lower <= d.estimate && d.estimate <= d.interval.upper)
      #expect(d.interval.lower >= 0)
    }
    #expect(result.disparities.map(\.name).contains("equalized_odds_difference"))
  }

  @Test("a group without gold labels is named")
  func groupWithoutLabels() {
    #expect(throws: BiasKitError.self) {
      _ = try GoldSampleAudit().audit(
        labels: [1, 0, .nan], predictions: [1, 0, 1], scores: nil, groupCodes: [0, 0, 1],
        names: ["a", "b"])
    }
    do {
      _ = try GoldSampleAudit().audit(
        labels: [1, 0, .nan], predictions: [1, 0, 1], scores: nil, groupCodes: [0, 0, 1],
        names: ["a", "b"])
    } catch let error as BiasKitError {
      #expect(error.message.contains("group 'b' has no labelled rows"))
    } catch {
      Issue.record("\(error)")
    }
  }
}
