import Foundation
import Testing

@testable import BiasKit

/// The one battery every ``Mitigator`` passes (as `ResamplerContractTests` for the resamplers,
/// and scikit-learn's estimator checks): reproducible for a seed, probabilities in [0, 1], one
/// 0/1 decision per row, and bad input (an unseen group, one group, one class, a missing role,
/// another number of feature columns) an error, never a trap.
@Suite("Mitigation: the Mitigator contract")
struct MitigatorContractTests {
  static let learner = LogisticRegression()

  static let all: [(String, any Mitigator)] = [
    ("ExponentiatedGradient(DP)", ExponentiatedGradient(constraint: .demographicParity())),
    (
      "ExponentiatedGradient(EO, difference 0.05)",
      ExponentiatedGradient(constraint: .equalizedOdds(.difference(0.05)))
    ),
    (
      "ExponentiatedGradient(bounded group loss)",
      ExponentiatedGradient(constraint: BoundedGroupLoss(upperBound: 0.4))
    ),
    ("GridSearch(DP)", GridSearch(constraint: .demographicParity())),
    ("GridSearch(TPR)", GridSearch(constraint: .truePositiveRateParity())),
    ("ThresholdOptimizer(DP)", ThresholdOptimizer(gridSize: 100)),
    ("ThresholdOptimizer(EO)", ThresholdOptimizer(constraint: .equalizedOdds, gridSize: 100)),
    (
      "ThresholdOptimizer(TPR, tol 0.05)",
      ThresholdOptimizer(constraint: .truePositiveRateParity, gridSize: 100, tolerance: 0.05)
    ),
    (
      "PostprocessedLearner(LR, ThresholdOptimizer(EO))",
      PostprocessedLearner(
        learner: learner, postprocessor: ThresholdOptimizer(constraint: .equalizedOdds))
    ),
    (
      "RejectOptionClassification",
      RejectOptionClassification(privilegedGroup: "a", thresholdCount: 20, marginCount: 10)
    ),
    ("EqualizedOddsPostprocessing", EqualizedOddsPostprocessing(privilegedGroup: "a")),
    ("CalibratedEqualizedOdds", CalibratedEqualizedOdds(privilegedGroup: "a")),
    (
      "PostprocessedLearner(LR, CalibratedEqualizedOdds(fnr))",
      PostprocessedLearner(
        learner: learner,
        postprocessor: CalibratedEqualizedOdds(
          costConstraint: .falseNegativeRate, privilegedGroup: "b"))
    ),
    ("PreprocessedLearner(Reweighing, LR)", PreprocessedLearner(Reweighing(), learner: learner)),
    (
      "PreprocessedLearner(CorrelationRemover, LR)",
      PreprocessedLearner(CorrelationRemover(alpha: 0.7), learner: learner)
    ),
    (
      "PreprocessedLearner(DisparateImpactRemover, LR)",
      PreprocessedLearner(DisparateImpactRemover(repairLevel: 0.8), learner: learner)
    ),
    (
      "WorstGroupTraining(LR)",
      { () -> any Mitigator in
        var training = WorstGroupTraining(learner: learner)
        training.rounds = 5
        return training
      }()
    ),
    ("FairnessRegularizedLogisticRegression", FairnessRegularizedLogisticRegression()),
  ]
  static let names = all.map(\.0)
  static func mitigator(_ name: String) -> any Mitigator {
    all.first { $0.0 == name }?.1 ?? ThresholdOptimizer()
  }

  /// Mitigators that read only the rows' scores and groups (not their features).
  static let readsOnlyScores: Set<String> = [
    "ThresholdOptimizer(DP)", "ThresholdOptimizer(EO)", "ThresholdOptimizer(TPR, tol 0.05)",
    "RejectOptionClassification", "EqualizedOddsPostprocessing", "CalibratedEqualizedOdds",
  ]

  /// Rows with two features, groups `a`/`b`, labels that depend on both, and scores.
  static func rows(
    _ count: Int, seed: UInt64, groupNames: [String] = ["a", "b"], extraColumn: Bool = false,
    labels labelOverride: UInt8? = nil
  ) throws -> Dataset {
    var generator = SeededGenerator(seed: seed)
    var values: [Double] = []
    var labels: [UInt8] = []
    var scores: [Double] = []
    var groups: [String] = []
    for _ in 0..<count {
      let g = generator.nextUniform() < 0.4 ? groupNames[0] : groupNames[1]
      let x1 = generator.nextUniform() * 2 - 1
      let x2 = generator.nextUniform() * 2 - 1
      let z = 1.5 * x1 - x2 + (g == groupNames[0] ? 0.8 : -0.8)
      let p = 1 / (1 + exp(-z))
      labels.append(labelOverride ?? (generator.nextUniform() < p ? 1 : 0))
      scores.append(min(max(p + 0.1 * (generator.nextUniform() - 0.5), 0), 1))
      values += extraColumn ? [x1, x2, x1 * x2] : [x1, x2]
      groups.append(g)
    }
    let columns = extraColumn ? 3 : 2
    return try Dataset(
      name: "rows-\(seed)", labels: labels, scores: scores,
      features: Matrix(rows: count, columns: columns, values: values),
      groups: Groups(groups, feature: "group"))
  }

  static let train = try! rows(240, seed: 1)
  static let test = try! rows(120, seed: 2)

  @Test(
    "reproducible for a seed; probabilities in [0, 1]; one 0/1 decision per row", arguments: names)
  func wellFormed(name: String) throws {
    let mitigator = Self.mitigator(name)
    let a = try mitigator.fitted(to: Self.train)
    let b = try mitigator.fitted(to: Self.train)
    let p = try a.positiveProbabilities(on: Self.test)
    #expect(p == (try b.positiveProbabilities(on: Self.test)), "\(name): same fit, same p")
    #expect(p.count == Self.test.rowCount)
    // A mixture Σ Q_t·h_t may pass 1 by the rounding of Σ Q_t = 1 (fairlearn's too).
    #expect(p.allSatisfy { $0 >= 0 && $0 <= 1 + 1e-12 }, "\(name): p outside [0, 1]")
    for seed: UInt64 in [0, 7] {
      var g1 = SeededGenerator(seed: seed)
      var g2 = SeededGenerator(seed: seed)
      let d1 = try a.predictions(on: Self.test, using: &g1)
      let d2 = try b.predictions(on: Self.test, using: &g2)
      #expect(d1 == d2, "\(name) seed \(seed): same seed, same decisions")
      #expect(d1.count == Self.test.rowCount)
      #expect(d1.allSatisfy { $0 <= 1 })
      // A decision of 1 needs a positive probability, a 0 a probability below 1.
      #expect(zip(d1, p).allSatisfy { $1 > 0 || $0 == 0 }, "\(name): 1 with p = 0")
    }
    let summary = a.summary.serialized()
    #expect(summary.hasPrefix("{") && summary.count > 2, "\(name): summary \(summary)")
  }

  @Test("the shared run path reproduces the model's own numbers", arguments: names)
  func runPath(name: String) throws {
    try Self.checkRunPath(Self.mitigator(name), name: name)
  }

  static func checkRunPath<M: Mitigator>(_ mitigator: M, name: String) throws {
    let data = try MitigationData(train: train, test: test)
    let run = try data.run(mitigator, seed: 3)
    let model = try mitigator.fitted(to: train)
    #expect(run.probabilities == (try model.positiveProbabilities(on: test)), "\(name)")
    var generator = SeededGenerator(seed: 3)
    #expect(run.predictions == (try model.predictions(on: test, using: &generator)), "\(name)")
    #expect(run.test?.rows == test.rowCount)
    #expect(run.train.violation == mitigator.violation)
    #expect(run.evaluated.name == test.name && run.evaluatedGroups.rowCount == test.rowCount)
  }

  @Test("rows of a group the model was not fitted on are an error", arguments: names)
  func unseenGroup(name: String) throws {
    let model = try Self.mitigator(name).fitted(to: Self.train)
    let other = try Self.rows(60, seed: 4, groupNames: ["a", "c"])
    #expect(throws: BiasKitError.self, "\(name)") {
      _ = try model.positiveProbabilities(on: other)
    }
    var generator = SeededGenerator(seed: 0)
    #expect(throws: BiasKitError.self, "\(name)") {
      _ = try model.predictions(on: other, using: &generator)
    }
    #expect(throws: BiasKitError.self, "\(name): MitigationData refuses the test rows") {
      _ = try MitigationData(train: Self.train, test: other)
    }
  }

  @Test("one group, one class, no labels or no groups are an error at fit", arguments: names)
  func degenerateTraining(name: String) throws {
    let mitigator = Self.mitigator(name)
    let oneGroup = try Self.rows(100, seed: 5, groupNames: ["a", "a"])
    #expect(throws: BiasKitError.self, "\(name): one group") {
      _ = try mitigator.fitted(to: oneGroup)
    }
    let oneClass = try Self.rows(100, seed: 5, labels: 1)
    #expect(throws: BiasKitError.self, "\(name): one class") {
      _ = try mitigator.fitted(to: oneClass)
    }
    let unlabeled = try Dataset(
      scores: Self.train.scores, features: Self.train.features, groups: Self.train.groups)
    #expect(throws: BiasKitError.self, "\(name): no labels") {
      _ = try mitigator.fitted(to: unlabeled)
    }
    let ungrouped = try Dataset(
      labels: Self.train.labels?.values, scores: Self.train.scores, features: Self.train.features)
    #expect(throws: BiasKitError.self, "\(name): no groups") {
      _ = try mitigator.fitted(to: ungrouped)
    }
  }

  @Test("rows with another number of feature columns: an error, never a trap", arguments: names)
  func otherFeatureCount(name: String) throws {
    let model = try Self.mitigator(name).fitted(to: Self.train)
    let wide = try Self.rows(50, seed: 6, extraColumn: true)
    do {
      _ = try model.positiveProbabilities(on: wide)
      #expect(Self.readsOnlyScores.contains(name), "\(name) read 3 columns after fitting on 2")
    } catch is BiasKitError {
      #expect(!Self.readsOnlyScores.contains(name), "\(name) does not read features")
    }
  }

  @Test("arrays of the wrong length do not make a Dataset")
  func wrongLengths() {
    let x = Matrix(rows: 4, columns: 1, values: [0, 1, 2, 3])
    #expect(throws: BiasKitError.self) { _ = try Dataset(labels: [0, 1, 0], features: x) }
    #expect(throws: BiasKitError.self) {
      _ = try Dataset(labels: [0, 1, 0, 1], scores: [0.5], features: x)
    }
    #expect(throws: BiasKitError.self) {
      _ = try Dataset(labels: [0, 1, 0, 1], features: x, groups: Groups(["a", "b"]))
    }
    #expect(throws: BiasKitError.self) { _ = try Dataset(labels: [0, 1, 2, 1], features: x) }
  }

  @Test("the replacing helpers validate the new role")
  func replacing() throws {
    let data = Self.train
    #expect(throws: BiasKitError.self) { _ = try data.replacing(weights: [1, 2]) }
    #expect(throws: BiasKitError.self) {
      _ = try data.replacing(weights: [Double](repeating: -1, count: data.rowCount))
    }
    #expect(throws: BiasKitError.self) {
      _ = try data.replacing(scores: [Double](repeating: .nan, count: data.rowCount))
    }
    #expect(throws: BiasKitError.self) {
      _ = try data.replacing(features: Matrix(rows: 3, columns: 2))
    }
    let reweighed = try data.replacing(weights: [Double](repeating: 2, count: data.rowCount))
    #expect(reweighed.weights?.first == 2)
    #expect(reweighed.features == data.features && reweighed.groups == data.groups)
    #expect(reweighed.labels?.values == data.labels?.values && reweighed.scores == data.scores)
  }
}
