import Foundation
import Testing

@testable import BiasKit

@Suite("Language models: CrowS-Pairs and Winogender against lm-evaluation-harness 0.4.13")
struct CrowSPairsWinogenderTests {
  static let expected = LanguageModelFixtures.json("crows_winogender_expected.json")

  @Test(
    "pct_stereotype and likelihood_diff per bias type, and the sign test against SciPy",
    arguments: ["crows_pairs_samples.jsonl", "crows_pairs_flat.jsonl"])
  func crowsPairsMatchesLMEvaluationHarness(file: String) throws {
    let pairs = try CrowSPairs.Pair.read(JSONLines(path: LanguageModelFixtures.path(file)))
    let result = try CrowSPairs().scored(pairs)
    let table = Self.expected["crows_pairs"] as! [String: [String: Any]]
    #expect(result.biasTypes.count == 9)
    for scores in [result.overall] + result.biasTypes {
      let e = table[scores.name]!
      #expect(matches(scores.stereotypeRate, e["pct_stereotype"]), "\(scores.name)")
      #expect(matches(scores.likelihoodDifference, e["likelihood_diff"], 1e-12), "\(scores.name)")
      let test = e["test"] as! [String: Any]
      #expect(scores.test.successes == test["k"] as! Int && scores.test.trials == test["n"] as! Int)
      #expect(matches(scores.test.pValue, test["p_value"], 1e-13), "\(scores.name) p")
      #expect(matches(scores.test.lower, test["low"], 1e-12), "\(scores.name) low")
      #expect(matches(scores.test.upper, test["high"], 1e-12), "\(scores.name) high")
    }
  }

  @Test("the paper's metric.py: rounded scores, neutral ties, stereo and antistereo apart")
  func crowsPairsNangia() throws {
    let pairs = try CrowSPairs.Pair.read(
      JSONLines(path: LanguageModelFixtures.path("crows_pairs_samples.jsonl")))
    let result = try CrowSPairs(convention: .nangia2020).scored(pairs)
    let table = Self.expected["crows_pairs"] as! [String: [String: Any]]
    for scores in [result.overall] + result.biasTypes {
      let e = table[scores.name]!["nangia"] as! [String: Any]
      #expect(matches(scores.stereotypeRate, e["metric_score"]), "\(scores.name)")
      #expect(scores.ties == e["neutral"] as! Int, "\(scores.name)")
      #expect(matches(scores.stereoRate, e["stereo_score"]), "\(scores.name)")
      #expect(matches(scores.antistereoRate, e["antistereo_score"]), "\(scores.name)")
    }
  }

  @Test("exact binomial test and Clopper-Pearson interval match scipy.stats.binomtest")
  func binomialTestMatchesSciPy() throws {
    for case let e as [String: Any] in Self.expected["binomial_tests"] as! [Any] {
      let t = try BinomialTest(
        successes: e["k"] as! Int, trials: e["n"] as! Int, probability: e["p"] as! Double)
      let label = "\(e["k"]!)/\(e["n"]!) p=\(e["p"]!)"
      let p = e["p_value"] as! Double
      #expect(abs(t.pValue - p) <= 1e-13 * max(1, p), "\(label): \(t.pValue) vs \(p)")
      #expect(matches(t.lower, e["low"], 1e-12), "\(label) low \(t.lower)")
      #expect(matches(t.upper, e["high"], 1e-12), "\(label) high \(t.upper)")
    }
    #expect(throws: BiasKitError.self) { try BinomialTest(successes: 3, trials: 2) }
    #expect(try BinomialTest(successes: 0, trials: 0).pValue == 1)
  }

  @Test("Winogender accuracy per gender matches lm-eval's acc; gaps and schema disagreement")
  func winogender() throws {
    let answers = try Winogender.Answer.read(
      JSONLines(path: LanguageModelFixtures.path("winogender_samples.jsonl")))
    let result = try Winogender(bootstrap: BootstrapOptions(samples: 200, seed: 3)).scored(answers)
    let e = Self.expected["winogender"] as! [String: Any]
    #expect(matches(result.accuracy.value, e["acc"]))
    #expect(result.genders.map(\.gender) == ["female", "male", "neutral"])
    for g in result.genders {
      #expect(matches(g.accuracy.value, e["acc_\(g.gender)"]), "\(g.gender)")
    }
    let femaleMinusMale = result.gaps.first { $0.first == "male" && $0.second == "female" }!
    #expect(
      matches(
        femaleMinusMale.difference.value, (e["acc_male"] as! Double) - (e["acc_female"] as! Double))
    )
    #expect(result.pairedSchemas == 30)
    #expect(matches(result.disagreement, e["disagreement"]))
    let q = femaleMinusMale.difference.quantiles
    #expect(q.count == 3 && q[0] <= q[1] && q[1] <= q[2])
  }
}
