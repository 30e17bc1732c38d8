import Foundation
import Testing

@testable import BiasKit

/// Expected values: scikit-learn 1.9.1 `HistGradientBoostingClassifier(early_stopping=False)`,
/// made by `Fixtures/Learners/make_learner_fixtures.py`.
@Suite("Learners.GradientBoosting", .heavy)
struct GradientBoostingTests {
  /// The fixtures are read with `JSONDecoder` (correctly rounded), not `JSONSerialization`
  /// (which can be an ulp off on Linux).
  struct SyntheticCase: Decodable {
    var name: String
    var params: [String: Double?]
    var x: [[Double?]]
    var y: [Int]
    var weights: [Double]?
    var test_x: [[Double?]]
    var thresholds: [[Double]]
    var baseline: Double
    var trees: [[[Double]]]
    var test_proba: [Double]
    var test_raw: [Double]
  }
  struct EarlyStoppingCase: Decodable {
    var x: [[Double?]]
    var y: [Int]
    var val_x: [[Double?]]
    var val_y: [Int]
    var n_iter: Int
    var validation_score: [Double]
  }
  struct SyntheticFixture: Decodable {
    var cases: [SyntheticCase]
    var early_stopping: EarlyStoppingCase
  }

  static func decode<T: Decodable>(_ type: T.Type, _ name: String) -> T? {
    guard let data = try? Data(contentsOf: TestData.fixture("Learners/\(name)")) else { return nil }
    return try? JSONDecoder().decode(T.self, from: data)
  }

  static let synthetic = decode(SyntheticFixture.self, "gbm_synthetic.json")!

  static func matrix(_ rows: [[Double?]]) -> Matrix {
    Matrix(
      rows: rows.count, columns: rows.first?.count ?? 0,
      values: rows.flatMap { $0.map { $0 ?? .nan } })
  }

  static func learner(_ params: [String: Double?]) -> GradientBoostingClassifier {
    var learner = GradientBoostingClassifier()
    for (key, value) in params {
      switch key {
      case "max_iter": learner.maxIterations = Int(value!)
      case "max_leaf_nodes": learner.maxLeafNodes = value.map { Int($0) }
      case "max_depth": learner.maxDepth = value.map { Int($0) }
      case "min_samples_leaf": learner.minSamplesLeaf = Int(value!)
      case "learning_rate": learner.learningRate = value!
      case "l2_regularization": learner.l2Regularization = value!
      case "max_bins": learner.maxBins = Int(value!)
      default: Issue.record("unknown parameter \(key)")
      }
    }
    return learner
  }

  static var caseNames: [String] { synthetic.cases.map(\.name) }

  @Test("trees equal scikit-learn's on small synthetic data", arguments: caseNames)
  func treesEqualScikitLearn(name: String) throws {
    let c = GradientBoostingTests.synthetic.cases.first { $0.name == name }!
    let x = GradientBoostingTests.matrix(c.x)
    let y = c.y.map(UInt8.init)
    let learner = GradientBoostingTests.learner(c.params)
    let model = try learner.fitted(features: x, labels: y, weights: c.weights)
    #expect(model.binning.thresholds == c.thresholds, "\(name): bin thresholds")
    #expect(model.baseline == c.baseline)
    // trees: structure exactly, values to 1e-10
    #expect(model.trees.count == c.trees.count)
    for (t, (tree, expected)) in zip(model.trees, c.trees).enumerated() {
      #expect(tree.nodes.count == expected.count, "\(name) tree \(t): node count")
      guard tree.nodes.count == expected.count else { continue }
      for (k, (node, e)) in zip(tree.nodes, expected).enumerated() {
        let label = "\(name) tree \(t) node \(k)"
        #expect(node.isLeaf == (e[8] == 1), "\(label): leaf")
        #expect(node.count == Int(e[1]), "\(label): count")
        #expect(abs(node.value - e[0]) <= 1e-10, "\(label): value \(node.value) vs \(e[0])")
        if node.isLeaf { continue }
        #expect(node.feature == Int(e[2]), "\(label): feature")
        #expect(node.threshold == e[3], "\(label): threshold")
        #expect(node.binThreshold == Int(e[4]), "\(label): bin")
        #expect(node.missingGoesLeft == (e[5] == 1), "\(label): missing")
        #expect(node.left == Int(e[6]) && node.right == Int(e[7]), "\(label): children")
      }
    }
    let testX = GradientBoostingTests.matrix(c.test_x)
    let raw = model.decisionFunction(testX)
    let worst = zip(raw, c.test_raw).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 1e-10, "\(name): raw predictions differ by \(worst)")
    let probabilities = model.probabilities(testX)
    #expect(zip(probabilities, c.test_proba).allSatisfy { abs($0 - $1) <= 1e-12 })
  }

  @Test("early stopping on a validation set stops at scikit-learn's iteration")
  func earlyStoppingMatches() throws {
    let e = GradientBoostingTests.synthetic.early_stopping
    var learner = GradientBoostingClassifier(learningRate: 0.3, maxIterations: 200)
    learner.earlyStopping = .validationSet(
      features: GradientBoostingTests.matrix(e.val_x), labels: e.val_y.map(UInt8.init),
      weights: nil, patience: 5, tolerance: 1e-4)
    let model = try learner.fitted(
      features: GradientBoostingTests.matrix(e.x), labels: e.y.map(UInt8.init))
    #expect(model.iterations == e.n_iter)
    #expect(model.validationScores.count == e.validation_score.count)
    #expect(zip(model.validationScores, e.validation_score).allSatisfy { abs($0 - $1) <= 1e-10 })
  }

  @Test("a validation fraction holds out a stratified tenth and stops")
  func validationFraction() throws {
    let e = GradientBoostingTests.synthetic.early_stopping
    var learner = GradientBoostingClassifier(learningRate: 0.3, maxIterations: 200)
    learner.earlyStopping = .validationFraction(0.1, patience: 5, tolerance: 1e-4)
    let y = e.y.map(UInt8.init)
    let model = try learner.fitted(features: GradientBoostingTests.matrix(e.x), labels: y)
    #expect(model.iterations < 200)
    #expect(model.validationScores.count == model.iterations + 1)
    let (train, validation) = try stratifiedSplit(labels: y, validationFraction: 0.1, seed: 0)
    #expect(validation.count == 100 && train.count == 900)
    #expect(Set(train).isDisjoint(with: validation))
  }

  struct AdultBins: Decodable {
    var thresholds: [[Double]]
    var max_bins_16: [[Double]]
  }
  struct AdultFit: Decodable {
    var baseline: Double
    var leaves: Int
    var test_accuracy: Double
    var test_log_loss: Double
  }

  @Test(
    "bin thresholds equal scikit-learn's on Adult's 108 design columns",
    .enabled(if: TestData.sharedIsAvailable))
  func adultBinsEqualScikitLearn() throws {
    let expected = GradientBoostingTests.decode(AdultBins.self, "gbm_adult_bins.json")!
    let x = AdultDesign.train.features
    let binning = try FeatureBinning(fitting: x)
    let thresholds = expected.thresholds
    #expect(binning.thresholds.count == 108)
    for j in 0..<108 { #expect(binning.thresholds[j] == thresholds[j], "column \(j)") }
    let small = try FeatureBinning(fitting: x, maxBins: 16)
    #expect(small.thresholds == expected.max_bins_16)
  }

  @Test(
    "Adult: test probabilities, accuracy and log-loss equal scikit-learn's",
    .enabled(if: TestData.sharedIsAvailable))
  func adultMatchesScikitLearn() throws {
    let expected = GradientBoostingTests.decode(AdultFit.self, "gbm_adult.json")!
    let text = try String(
      contentsOf: TestData.fixture("Learners/gbm_adult_test_proba.csv"), encoding: .utf8)
    let reference = text.split(separator: "\n").dropFirst().map { Double($0)! }
    let train = AdultDesign.train
    let test = AdultDesign.test
    let model = try GradientBoostingClassifier().fitted(
      features: train.features, labels: train.labels.map { UInt8($0) })
    #expect(model.baseline == expected.baseline)
    #expect(model.trees.map(\.leafCount).reduce(0, +) == expected.leaves)
    let p = model.probabilities(test.features)
    #expect(p.count == reference.count)
    let close = zip(p, reference).filter { abs($0 - $1) <= 1e-6 }.count
    let exact = zip(p, reference).filter { $0 == $1 }.count
    print("GBM Adult: \(close) of \(p.count) within 1e-6, \(exact) identical")
    #expect(Double(close) >= 0.99 * Double(p.count))
    let predictions = model.predictions(test.features)
    let accuracy =
      Double(zip(predictions, test.labels).filter { Double($0) == $1 }.count) / Double(p.count)
    var loss = 0.0
    for (q, y) in zip(p, test.labels) {
      loss -= y == 1 ? log(max(q, 1e-15)) : log(max(1 - q, 1e-15))
    }
    loss /= Double(p.count)
    #expect(abs(accuracy - expected.test_accuracy) <= 1e-4)
    #expect(abs(loss - expected.test_log_loss) <= 1e-4)
  }

  @Test("rows with a missing value follow the learned side at prediction")
  func missingValuesPredict() throws {
    var values: [Double] = []
    var labels: [UInt8] = []
    for i in 0..<400 {
      let missing = i % 4 == 0
      values.append(missing ? .nan : Double(i % 50))
      labels.append(missing ? 1 : (i % 50 > 25 ? 1 : 0))
    }
    let x = Matrix(rows: 400, columns: 1, values: values)
    let model = try GradientBoostingClassifier(maxIterations: 20).fitted(
      features: x, labels: labels)
    let p = model.probabilities(Matrix(rows: 2, columns: 1, values: [.nan, 3]))
    #expect(p[0] > 0.9 && p[1] < 0.1)
  }

  @Test("integer sample weights equal repeated rows (same bins kept)")
  func weightsEqualRepetition() throws {
    var generator = SeededGenerator(seed: 3)
    let n = 300
    let x = Matrix(
      rows: n, columns: 2,
      values: (0..<(2 * n)).map { _ in Double(Int.random(in: 0..<40, using: &generator)) })
    let y = (0..<n).map { i in UInt8(x[i, 0] + x[i, 1] > 40 ? 1 : 0) }
    let w = (0..<n).map { i in Double(1 + i % 3) }
    var rows: [Int] = []
    for i in 0..<n { for _ in 0..<Int(w[i]) { rows.append(i) } }
    let learner = GradientBoostingClassifier(maxIterations: 5, minSamplesLeaf: 1)
    let weighted = try learner.fitted(features: x, labels: y, weights: w)
    let repeated = try learner.fitted(features: x.rows(at: rows), labels: rows.map { y[$0] })
    let a = weighted.decisionFunction(x)
    let b = repeated.decisionFunction(x)
    #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-5 })
  }

  @Test("bad hyperparameters and inputs are library errors")
  func badInputs() {
    let x = Matrix(rows: 4, columns: 1, values: [0, 1, 2, 3])
    let y: [UInt8] = [0, 1, 0, 1]
    func fails(
      _ fragment: String, _ learner: GradientBoostingClassifier = GradientBoostingClassifier(),
      labels: [UInt8] = [0, 1, 0, 1], weights: [Double]? = nil, features: Matrix? = nil
    ) {
      do {
        _ = try learner.fitted(features: features ?? x, labels: labels, weights: weights)
        Issue.record("expected an error containing \(fragment)")
      } catch let error as BiasKitError {
        #expect(error.message.contains(fragment), "\(error.message)")
        #expect(!error.message.contains("\n"))
      } catch {
        Issue.record("not a BiasKitError: \(error)")
      }
    }
    fails("max iterations must be at least 1", GradientBoostingClassifier(maxIterations: 0))
    fails("max bins must be between 2 and 255", GradientBoostingClassifier(maxBins: 1))
    fails("max bins must be between 2 and 255", GradientBoostingClassifier(maxBins: 256))
    fails("learning rate must be a positive number", GradientBoostingClassifier(learningRate: .nan))
    fails("learning rate", GradientBoostingClassifier(learningRate: -0.1))
    fails("every sample weight is 0", weights: [0, 0, 0, 0])
    fails("sample weight -1.0 at row 2", weights: [1, -1, 1, 1])
    fails("label 2 at row 2", labels: [0, 2, 0, 1])
    fails("one class", labels: [1, 1, 1, 1])
    fails("infinite at row 2", features: Matrix(rows: 4, columns: 1, values: [0, .infinity, 1, 2]))
    fails("focal gamma", GradientBoostingClassifier(loss: .focal(gamma: -1)))
    #expect(throws: BiasKitError.lossNeedsBothClasses("LDAM")) {
      _ = try ClassificationLoss.ldam().prepared(labels: [1, 1, 1], weights: nil)
    }
    _ = y
  }
}
