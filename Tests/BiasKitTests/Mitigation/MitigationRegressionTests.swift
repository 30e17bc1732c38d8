import Foundation
import Testing

@testable import BiasKit

/// Regression tests through the public API for the traps and the corrupting escaper of
/// issue 12: every entry point that takes arrays throws on a label of 2 or arrays of the
/// wrong length, `ExponentiatedGradient(maxIterations: 0)` throws, and a group name with a
/// line break survives `mitigate --output`.
@Suite("Mitigation: regressions (issue 12)", .heavy)
struct MitigationRegressionTests {
  static let x = Matrix(
    rows: 8, columns: 2, values: [0, 1, 1, 0, 2, 1, 3, 0, 0, 2, 1, 3, 2, 2, 3, 1])
  static let good: [UInt8] = [0, 1, 0, 1, 1, 0, 1, 0]
  static let two: [UInt8] = [0, 1, 0, 2, 1, 0, 1, 0]
  static let groups = Groups(["a", "b", "a", "b", "a", "b", "a", "b"])
  static let scores = [0.1, 0.9, 0.3, 0.7, 0.6, 0.2, 0.8, 0.4]

  @Test("ExponentiatedGradient(maxIterations: 0) throws instead of trapping")
  func noIterations() throws {
    var reduction = ExponentiatedGradient(constraint: .demographicParity())
    reduction.maxIterations = 0
    #expect(throws: BiasKitError.self) {
      _ = try reduction.fitted(features: Self.x, labels: Self.good, groups: Self.groups)
    }
    let data = try Dataset(labels: Self.good, features: Self.x, groups: Self.groups)
    #expect(throws: BiasKitError.self) { _ = try reduction.fitted(to: data) }
  }

  @Test("a label of 2 is an error for every mitigation and for LogisticRegression")
  func labelTwo() throws {
    let (x, y, g, s) = (Self.x, Self.two, Self.groups, Self.scores)
    func refused(_ what: String, _ body: () throws -> Void) {
      #expect(throws: BiasKitError.self, "\(what)") { try body() }
    }
    refused("LogisticRegression") {
      _ = try LogisticRegression().fitted(features: x, labels: y.map(Double.init))
    }
    refused("LogisticRegression (prepared)") {
      let learner = LogisticRegression()
      _ = try learner.fitted(learner.prepared(x), labels: y, weights: nil, startingFrom: nil)
    }
    refused("ExponentiatedGradient") {
      _ = try ExponentiatedGradient(constraint: .equalizedOdds()).fitted(
        features: x, labels: y, groups: g)
    }
    refused("GridSearch") {
      _ = try GridSearch(constraint: .demographicParity()).fitted(
        features: x, labels: y, groups: g)
    }
    refused("WorstGroupTraining") {
      _ = try WorstGroupLogisticRegression().fitted(features: x, labels: y, groups: g)
    }
    refused("FairnessRegularizedLogisticRegression") {
      _ = try FairnessRegularizedLogisticRegression().fitted(features: x, labels: y, groups: g)
    }
    refused("ThresholdOptimizer") {
      _ = try ThresholdOptimizer().fitted(scores: s, labels: y, groups: g)
    }
    refused("RejectOptionClassification") {
      _ = try RejectOptionClassification(privilegedGroup: "a").fitted(
        scores: s, labels: y, groups: g)
    }
    refused("EqualizedOddsPostprocessing labels") {
      _ = try EqualizedOddsPostprocessing(privilegedGroup: "a").fitted(
        predictions: Self.good, labels: y, groups: g)
    }
    refused("EqualizedOddsPostprocessing predictions") {
      _ = try EqualizedOddsPostprocessing(privilegedGroup: "a").fitted(
        predictions: y, labels: Self.good, groups: g)
    }
    refused("CalibratedEqualizedOdds") {
      _ = try CalibratedEqualizedOdds(privilegedGroup: "a").fitted(
        scores: s, labels: y, groups: g)
    }
    refused("Reweighing") { _ = try Reweighing().fitted(labels: y, groups: g) }
    refused("Reweighing weights") {
      _ = try Reweighing().fitted(labels: Self.good, groups: g).weights(labels: y, groups: g)
    }
    refused("ExpectedOutcome") {
      _ = try ExpectedOutcome(probabilities: s, labels: y, groups: g)
    }
    refused("Dataset") { _ = try Dataset(labels: y, features: x, groups: g) }
  }

  @Test("arrays of the wrong length are an error for every array entry point")
  func wrongLengths() throws {
    let (x, y, g, s) = (Self.x, Self.good, Self.groups, Self.scores)
    let short = Array(y.prefix(5))
    let fewGroups = Groups(["a", "b", "a"])
    func refused(_ what: String, _ body: () throws -> Void) {
      #expect(throws: BiasKitError.self, "\(what)") { try body() }
    }
    for (what, labels, groups) in [("labels", short, g), ("groups", y, fewGroups)] {
      refused("ExponentiatedGradient \(what)") {
        _ = try ExponentiatedGradient(constraint: .demographicParity()).fitted(
          features: x, labels: labels, groups: groups)
      }
      refused("GridSearch \(what)") {
        _ = try GridSearch(constraint: .demographicParity()).fitted(
          features: x, labels: labels, groups: groups)
      }
      refused("WorstGroupTraining \(what)") {
        _ = try WorstGroupLogisticRegression().fitted(features: x, labels: labels, groups: groups)
      }
      refused("FairnessRegularizedLogisticRegression \(what)") {
        _ = try FairnessRegularizedLogisticRegression().fitted(
          features: x, labels: labels, groups: groups)
      }
      refused("ThresholdOptimizer \(what)") {
        _ = try ThresholdOptimizer().fitted(scores: s, labels: labels, groups: groups)
      }
      refused("RejectOptionClassification \(what)") {
        _ = try RejectOptionClassification(privilegedGroup: "a").fitted(
          scores: s, labels: labels, groups: groups)
      }
      refused("EqualizedOddsPostprocessing \(what)") {
        _ = try EqualizedOddsPostprocessing(privilegedGroup: "a").fitted(
          predictions: y, labels: labels, groups: groups)
      }
      refused("CalibratedEqualizedOdds \(what)") {
        _ = try CalibratedEqualizedOdds(privilegedGroup: "a").fitted(
          scores: s, labels: labels, groups: groups)
      }
      refused("Reweighing \(what)") { _ = try Reweighing().fitted(labels: labels, groups: groups) }
      refused("ExpectedOutcome \(what)") {
        _ = try ExpectedOutcome(probabilities: s, labels: labels, groups: groups)
      }
    }
    refused("DisparateImpactRemover") {
      _ = try DisparateImpactRemover().repaired(x, groups: fewGroups)
    }
    refused("ExpectedOutcome weights") {
      _ = try ExpectedOutcome(probabilities: s, labels: y, groups: g, weights: [1, 2])
    }
    refused("Reweighing weights") {
      _ = try Reweighing().fitted(labels: y, groups: g, weights: [1])
    }
    refused("Reweighing initial weights") {
      _ = try Reweighing().fitted(labels: y, groups: g).weights(
        labels: y, groups: g, initial: [1, 2])
    }
    refused("instance weights") {
      _ = try CalibratedEqualizedOdds(privilegedGroup: "a").fitted(
        scores: s, labels: y, groups: g, weights: [1, 2, 3])
    }
    let optimizer = try ThresholdOptimizer().fitted(scores: s, labels: y, groups: g)
    refused("ThresholdOptimizer.Model") {
      _ = try optimizer.positiveProbabilities(scores: [0.5], groups: g)
    }
    refused("CorrelationRemover.Model") {
      _ = try CorrelationRemover().fitted(x, sensitiveColumns: [1]).transform(
        Matrix(rows: 2, columns: 3))
    }
  }

  @Test("CSVWriter quotes commas, quotes and line breaks (also a \\r\\n pair), and only those")
  func csvField() {
    #expect(CSVWriter.field("plain") == "plain")
    #expect(CSVWriter.field("0.25") == "0.25")
    #expect(CSVWriter.field("a,b") == "\"a,b\"")
    #expect(CSVWriter.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(CSVWriter.field("north\nside") == "\"north\nside\"")
    #expect(CSVWriter.field("south\rside") == "\"south\rside\"")
    #expect(CSVWriter.field("east\r\nside") == "\"east\r\nside\"")
    #expect(CSVText.escape("east\r\nside") == CSVWriter.field("east\r\nside"))
    var csv = CSVWriter(header: ["row", "group"])
    csv.append(["1", "a,b"])
    #expect(csv.text == "row,group\n1,\"a,b\"\n")
  }

  @Test("a group name with a line break round-trips through mitigate --output and CSVReader")
  func groupNameWithLineBreak() throws {
    let folder = try TestData.temporaryFolder()
    let names = ["north\nside", "east\r\nside", "plain, with comma"]
    var generator = SeededGenerator(seed: 9)
    var text = "x1,x2,group,y\n"
    var expected: [String] = []
    for i in 0..<240 {
      let name = names[i % 3]
      let x1 = generator.nextUniform() * 2 - 1
      let x2 = generator.nextUniform() * 2 - 1
      let y = generator.nextUniform() < 1 / (1 + exp(-(2 * x1 - x2))) ? 1 : 0
      text += "\(x1),\(x2),\(CSVWriter.field(name)),\(y)\n"
      expected.append(name)
    }
    let train = folder.appendingPathComponent("train.csv").path
    try text.write(toFile: train, atomically: true, encoding: .utf8)
    for method in ["threshold-optimizer", "exponentiated-gradient"] {
      let out = folder.appendingPathComponent("\(method).csv").path
      let r = try CLI.run([
        "mitigate", method, "--train", train, "--target", "y", "--sensitive", "group",
        "--output", out, "--format", "json",
      ])
      #expect(r.status == 0, "\(method): \(r.stderr)")
      let reader = try CSVReader(path: out)
      #expect(reader.header == ["row", "group", "label", "probability", "prediction"])
      let table = try reader.read([.category("group"), .number("row")])
      let groups = try #require(table.columns[0].categories)
      #expect(table.rowCount == expected.count, "\(method)")
      #expect(groups.codes.map { groups.levels[Int($0)] } == expected, "\(method)")
    }
  }
}

// MARK: - The README example: a mitigation with a custom WeightedLearner

/// The README's custom learner: `1[x₀ > t]`, `t` the value of feature 0 with the least
/// weighted error.
struct Stump: WeightedLearner {
  struct Model: FittedClassifier {
    var t: Double
    func scores(_ x: Matrix) -> [Double] { x.column(0).map { $0 > t ? 1 : 0 } }
    func predictions(_ x: Matrix) -> [UInt8] { x.column(0).map { $0 > t ? 1 : 0 } }
  }
  func fitted(_ x: Matrix, labels y: [UInt8], weights w: [Double]?, startingFrom: Model?) -> Model {
    let wrong = { (t: Double) in y.indices.filter { (x[$0, 0] > t) != (y[$0] == 1) } }
    let error = { (t: Double) in wrong(t).reduce(0) { $0 + (w?[$1] ?? 1) } }
    return Model(t: x.column(0).min { error($0) < error($1) } ?? 0)
  }
}

@Suite("Mitigation: the README example", .heavy)
struct ReadmeMitigationExampleTests {
  @Test("exponentiated gradient over a custom WeightedLearner, read from a CSV file")
  func customLearner() throws {
    let folder = try TestData.temporaryFolder()
    var generator = SeededGenerator(seed: 3)
    for name in ["train.csv", "test.csv"] {
      var text = "x,sex,y\n"
      for _ in 0..<200 {
        let sex = generator.nextUniform() < 0.5 ? "F" : "M"
        let x = generator.nextUniform() + (sex == "M" ? 0.3 : 0)
        text += "\(x),\(sex),\(generator.nextUniform() < x ? 1 : 0)\n"
      }
      try text.write(
        to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    let (train, test) = (
      folder.appendingPathComponent("train.csv").path,
      folder.appendingPathComponent("test.csv").path
    )

    // The README example (with `Stump` above), with the files' paths:
    let data = try MitigationData(
      readingTrain: train, test: test,
      schema: DatasetSchema(target: "y", sensitive: ["sex"], features: .allExcept([])))
    let run = try data.run(
      ExponentiatedGradient(learner: Stump(), constraint: .demographicParity()), seed: 7)

    #expect(data.train.featureNames == ["x"])
    #expect(run.train.expectedViolation < 0.05, "\(run.train.expected)")
    #expect(run.predictions.count == 200 && run.test?.rows == 200)
    let plain = try Stump().fitted(features: data.train.features, labels: data.train.labels!.values)
    let before = try ExpectedOutcome(
      probabilities: plain.predictions(data.train.features).map(Double.init),
      labels: data.train.labels!.values, groups: data.trainGroups)
    #expect(run.train.expectedViolation < before.demographicParityDifference)
  }
}
