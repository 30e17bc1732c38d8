import Foundation
import Testing

@testable import BiasKit

@Suite("Language models: BBQ against lm-evaluation-harness 0.4.13")
struct BBQTests {
  static let expected = LanguageModelFixtures.json("bbq_expected.json")

  /// lm-eval's metric names for one result.
  static func check(_ result: BBQ.Result, against values: [String: Any], file: String) {
    #expect(matches(result.overall.accuracy.value, values["acc"]), "\(file) acc")
    #expect(matches(result.overall.ambiguousAccuracy.value, values["accuracy_amb"]), "\(file)")
    #expect(matches(result.overall.disambiguatedAccuracy.value, values["accuracy_disamb"]))
    #expect(matches(result.overall.ambiguousBias.value, values["amb_bias_score"]), "\(file)")
    #expect(matches(result.overall.disambiguatedBias.value, values["disamb_bias_score"]))
    var seen = 0
    for scores in result.categories {
      let amb = values["amb_bias_score_\(scores.name)"]
      let dis = values["disamb_bias_score_\(scores.name)"]
      #expect(
        matches(scores.ambiguousBias.value, amb),
        "\(file) \(scores.name) s_AMB \(scores.ambiguousBias.value) vs \(amb ?? "nil")")
      #expect(
        matches(scores.disambiguatedBias.value, dis),
        "\(file) \(scores.name) s_DIS \(scores.disambiguatedBias.value) vs \(dis ?? "nil")")
      seen += 1
    }
    #expect(seen == 11)
  }

  @Test(
    "lm-eval sample logs (multiple choice and generated text) and BBQ items score as lm-eval aggregates them",
    arguments: [
      ("bbq_samples.jsonl", "multiple_choice"), ("bbq_generate_samples.jsonl", "generate"),
      ("bbq_items.jsonl", "items"),
    ])
  func matchesLMEvaluationHarness(file: String, key: String) throws {
    let responses = try BBQResponses(reading: JSONLines(path: LanguageModelFixtures.path(file)))
    let result = try BBQ(convention: .lmEvaluationHarness).scored(responses)
    Self.check(result, against: Self.expected[key] as! [String: Any], file: file)
  }

  @Test("flat records (target_loc, unknown_loc) under both conventions, per category")
  func flatRecordsBothConventions() throws {
    let responses = try BBQResponses(
      reading: JSONLines(path: LanguageModelFixtures.path("bbq_flat.jsonl")))
    let own = Self.expected["own"] as! [String: [String: [String: Any]]]
    for convention in BBQ.Convention.allCases {
      let result = try BBQ(convention: convention).scored(responses)
      let table = own[convention.rawValue]!
      for scores in [result.overall] + result.categories {
        let e = table[scores.name]!
        #expect(scores.count == e["count"] as! Int)
        #expect(matches(scores.accuracy.value, e["accuracy"]))
        #expect(matches(scores.ambiguousAccuracy.value, e["ambiguous_accuracy"]))
        #expect(matches(scores.disambiguatedAccuracy.value, e["disambiguated_accuracy"]))
        #expect(
          matches(scores.disambiguatedBias.value, e["disambiguated_bias"]),
          "\(convention) \(scores.name)")
        #expect(
          matches(scores.ambiguousBias.value, e["ambiguous_bias"]), "\(convention) \(scores.name)")
        let counts = e["counts"] as! [Int]
        #expect(
          [
            scores.ambiguousCount, scores.disambiguatedCount, scores.ambiguousBiased,
            scores.ambiguousNonUnknown, scores.disambiguatedBiased, scores.disambiguatedNonUnknown,
          ] == counts)
      }
    }
  }

  @Test("process_docs: the biased answers derived from answer_info match lm-eval's")
  func biasedAnswersMatchProcessDocs() throws {
    let expected = Self.expected["biased_answers"] as! [String: [String]]
    let file = try JSONLines(path: LanguageModelFixtures.path("bbq_items.jsonl"))
    let derived = try file.map { record -> (Int, [String]) in
      let answers = try BBQRecordReader.answers(record, doc: record.root)
      let processed = try BBQRecordReader.processedDoc(record, doc: record.root, answers: answers)
      return (record.root["example_id"]!.integer!, processed.biased)
    }
    #expect(derived.count == expected.count)
    for (id, biased) in derived { #expect(biased == expected[String(id)], "example \(id)") }
  }

  @Test("the two conventions differ only where lm-eval returns 0 for no biased answers")
  func conventionsDiffer() throws {
    // Two disambiguated answers, both non-UNKNOWN and neither biased: the paper gives -1.
    let flags = BBQResponses.flags(
      disambiguated: true, correct: true, unknown: false, biased: false)
    let responses = try BBQResponses(categories: ["Age"], codes: [0, 0], flags: [flags, flags])
    #expect(
      try BBQ(convention: .parrish2022).scored(responses).overall.disambiguatedBias.value == -1)
    #expect(
      try BBQ(convention: .lmEvaluationHarness).scored(responses).overall.disambiguatedBias.value
        == 0)
    // No ambiguous items: s_AMB is undefined in both.
    #expect(try BBQ().scored(responses).overall.ambiguousBias.value.isNaN)
    // Every ambiguous answer UNKNOWN: the paper's s_AMB is 0 (accuracy 1).
    let unknown = BBQResponses.flags(
      disambiguated: false, correct: true, unknown: true, biased: false)
    let allUnknown = try BBQResponses(categories: ["Age"], codes: [0], flags: [unknown])
    #expect(try BBQ(convention: .parrish2022).scored(allUnknown).overall.ambiguousBias.value == 0)
    #expect(
      try BBQ(convention: .parrish2022).scored(allUnknown).overall.disambiguatedBias.value.isNaN)
  }

  @Test(
    "bootstrap intervals are reproducible for a seed, bracket the median and skip undefined samples"
  )
  func bootstrapIntervals() throws {
    let responses = try BBQResponses(
      reading: JSONLines(path: LanguageModelFixtures.path("bbq_flat.jsonl")))
    let scorer = BBQ(bootstrap: BootstrapOptions(samples: 300, seed: 7))
    let a = try scorer.scored(responses)
    let b = try scorer.scored(responses)
    #expect(a == b)
    #expect(a.quantileLevels == [0.025, 0.5, 0.975])
    for s in [a.overall] + a.categories {
      for e in [s.accuracy, s.ambiguousAccuracy, s.disambiguatedAccuracy, s.disambiguatedBias] {
        guard !e.value.isNaN else { continue }
        #expect(e.quantiles.count == 3)
        #expect(e.quantiles[0] <= e.quantiles[1] && e.quantiles[1] <= e.quantiles[2], "\(s.name)")
      }
    }
    let other = try BBQ(bootstrap: BootstrapOptions(samples: 300, seed: 8)).scored(responses)
    #expect(other.overall.accuracy.quantiles != a.overall.accuracy.quantiles)
    // The overall accuracy's interval covers the point value with ~350 items.
    let acc = a.overall.accuracy
    #expect(acc.quantiles[0] < acc.value && acc.value < acc.quantiles[2])
  }
}
