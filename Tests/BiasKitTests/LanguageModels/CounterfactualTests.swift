import Foundation
import Testing

@testable import BiasKit

@Suite("Language models: counterfactual probes against SciPy's permutation_test")
struct CounterfactualTests {
  static let expected = LanguageModelFixtures.json("counterfactual_expected.json")

  @Test("gaps, flip rates and paired permutation p-values (exact for small cases)")
  func matchesSciPy() throws {
    let records = try CounterfactualRecord.read(
      JSONLines(path: LanguageModelFixtures.path("counterfactual_records.jsonl")))
    let result = try CounterfactualProbes(seed: 3).scored(records)
    let table = Self.expected["templates"] as! [String: [String: Any]]
    #expect(result.templates.count == table.count)
    for t in result.templates {
      let e = table[t.template]!
      #expect(t.instances == e["instances"] as! Int)
      #expect(matches(t.gap, e["gap"], 1e-12), "\(t.template) gap")
      #expect(matches(t.flipRate, e["flip_rate"]), "\(t.template) flip rate")
      #expect(
        Set(t.meanScores.map { ($0 * 1e9).rounded() })
          == Set((e["means"] as! [Double]).map { ($0 * 1e9).rounded() }))
      let p = e["p_value"] as! Double
      if e["exact"] as! Bool {
        #expect(t.pValueMethod.hasPrefix("exact"), "\(t.template)")
        #expect(abs(t.pValue - p) < 1e-12, "\(t.template): \(t.pValue) vs SciPy \(p)")
      } else {
        // 9,999 random relabellings each: both estimate the same p within a few 1e-3.
        #expect(t.pValueMethod.hasPrefix("sampled"))
        #expect(abs(t.pValue - p) < 0.012, "\(t.template): \(t.pValue) vs SciPy \(p)")
      }
    }
    #expect(result.templates[result.worst[0]].template == "pair30")
    #expect(abs(result.flipRate - 0.7) < 1e-15 && result.instances == 10)
    // Reproducible for a seed.
    #expect(
      try CounterfactualProbes(seed: 3).scored(records).templates.map(\.pValue)
        == result.templates.map(\.pValue))
  }

  @Test("a template with one filler, unpaired instances and missing outputs are errors")
  func badTemplates() throws {
    let one = [
      CounterfactualRecord(template: "t", filler: "she", score: 1),
      CounterfactualRecord(template: "t", filler: "she", score: 2),
    ]
    #expect {
      try CounterfactualProbes().scored(one)
    } throws: {
      ($0 as? BiasKitError)?.message
        == "template 't' has one filler ('she'); a counterfactual needs at least two"
    }
    let ragged = [
      CounterfactualRecord(template: "t", filler: "she", score: 1),
      CounterfactualRecord(template: "t", filler: "he", score: 2),
      CounterfactualRecord(template: "t", filler: "he", score: 3),
    ]
    #expect {
      try CounterfactualProbes().scored(ragged)
    } throws: {
      ($0 as? BiasKitError)?.message.contains("different numbers of records (2, 1)") == true
    }
    let file = LanguageModelFixtures.lines("{\"template\": \"t\", \"filler\": \"a\"}\n")
    #expect {
      try CounterfactualRecord.read(file)
    } throws: {
      ($0 as? BiasKitError)?.message
        == "input.jsonl:1:1: the record has no output: give 'label', 'score' or 'text'"
    }
  }

  @Test(
    "lexicon rates per 1,000 words by filler, differences from the reference, texts with a match")
  func lexiconRates() throws {
    let records = try CounterfactualRecord.read(
      JSONLines(path: LanguageModelFixtures.path("counterfactual_texts.jsonl")))
    let lexicons = try ["lexicon_agentic.txt", "lexicon_refusal.txt"].map {
      try Lexicon(contentsOf: LanguageModelFixtures.path($0))
    }
    #expect(lexicons.map(\.name) == ["lexicon_agentic", "lexicon_refusal"])
    let result = try LexiconRates(
      lexicons: lexicons, reference: "Kelly", bootstrap: BootstrapOptions(samples: 200, seed: 1)
    ).scored(records)
    let table = Self.expected["lexicons"] as! [String: [String: [String: Any]]]
    for (l, name) in ["agentic", "refusal"].enumerated() {
      let groups = result.lexicons[l].groups
      #expect(groups.map(\.filler) == ["Joseph", "Kelly"])
      for g in groups {
        let e = table[name]![g.filler]!
        #expect(
          g.words == e["words"] as! Int && g.matches == e["matches"] as! Int, "\(name) \(g.filler)")
        #expect(matches(g.rate.value, e["rate"]), "\(name) \(g.filler)")
        #expect(matches(g.textsWithMatch, e["texts_with_match"]))
        #expect(g.rate.quantiles.count == 3)
      }
      let joseph = table[name]!["Joseph"]!["rate"] as! Double
      let kelly = table[name]!["Kelly"]!["rate"] as! Double
      #expect(abs(groups[0].difference.value - (joseph - kelly)) < 1e-12)
      #expect(groups[1].difference.value == 0)
    }
    #expect(
      LexiconRates.words("I'm well-known -- it's 2nd.") == ["i'm", "well-known", "it's", "2nd"])
  }
}
