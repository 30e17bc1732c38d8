import Foundation
import Testing

@testable import BiasKit

@Suite("Language models: SEAT on all-MiniLM-L6-v2 sentence embeddings against NumPy and WEFE")
struct SEATTests {
  static let expected = LanguageModelFixtures.json("seat_expected.json")
  static let embeddings = try! SentenceEmbeddings(
    npy: LanguageModelFixtures.path("seat_embeddings.npy"),
    sentences: LanguageModelFixtures.path("seat_sentences.txt"))

  static func test(_ words: [String: [String]]) -> WEATWordSets {
    SEATTemplates.may2019.expand(
      WEATWordSets(
        firstTarget: WordSet(name: "X", words: words["first_target"]!),
        secondTarget: WordSet(name: "Y", words: words["second_target"]!),
        firstAttribute: WordSet(name: "A", words: words["first_attribute"]!),
        secondAttribute: WordSet(name: "B", words: words["second_attribute"]!)))
  }

  @Test(
    "statistic, associations and effect sizes (ddof 0 and 1) match NumPy and WEFE", arguments: 0..<2
  )
  func matchesNumPyAndWEFE(k: Int) throws {
    let numpy = (Self.expected["numpy"] as! [[String: Any]])[k]
    let wefe = (Self.expected["wefe"] as! [[String: Any]])[k]
    let test = Self.test(numpy["words"] as! [String: [String]])
    let sample = try SEAT(permutations: .sampled(10_000, seed: 1)).run(test, on: Self.embeddings)
    #expect(abs(sample.statistic - (numpy["statistic"] as! Double)) < 1e-9)
    #expect(abs(sample.effectSize - (numpy["effect_size_ddof1"] as! Double)) < 1e-9)
    for (a, b) in zip(sample.firstTargetAssociations, numpy["sx"] as! [Double]) {
      #expect(abs(a - b) < 1e-12)
    }
    for (a, b) in zip(sample.secondTargetAssociations, numpy["sy"] as! [Double]) {
      #expect(abs(a - b) < 1e-12)
    }
    let wefeLike = try SEAT(permutations: .sampled(100, seed: 1), ddof: 0).run(
      test, on: Self.embeddings)
    #expect(abs(wefeLike.effectSize - (numpy["effect_size_ddof0"] as! Double)) < 1e-9)
    #expect(abs(wefeLike.effectSize - (wefe["effect_size"] as! Double)) < 1e-9)
    #expect(abs(wefeLike.statistic - (wefe["weat"] as! Double)) < 1e-9)
    // Both Caliskan effects are strong: few random splits beat the observed one.
    #expect(sample.pValue < 0.01)
    #expect(sample.pValueMethod == "sampled 10000 permutations, seed 1")
  }

  @Test("templates: May et al.'s name and noun sentences")
  func templates() {
    #expect(
      SEATTemplates.may2019.sentences(for: "aster").prefix(2) == [
        "This is an aster.", "That is an aster.",
      ])
    #expect(SEATTemplates.may2019.sentences(for: "Katie").last == "The person's name is Katie.")
    #expect(SEATTemplates.may2019.sentences(for: "Katie").count == 8)
    #expect(
      SEATTemplates.custom(["{term} works here."]).sentences(for: "nurse") == ["Nurse works here."])
  }

  @Test("bad input: rows that do not match the sentences, sentences without an embedding")
  func badInput() throws {
    #expect {
      try SentenceEmbeddings(
        sentences: ["a", "b"], vectors: Matrix(rows: 3, columns: 2), source: "e.npy and s.txt")
    } throws: {
      ($0 as? BiasKitError)?.message
        == "e.npy and s.txt: the embeddings have 3 rows but there are 2 sentences; row i must embed sentence i"
    }
    var test = Self.test(
      (Self.expected["numpy"] as! [[String: Any]])[0]["words"] as! [String: [String]])
    test.firstTarget.words.append("An unseen sentence.")
    #expect {
      try SEAT().run(test, on: Self.embeddings)
    } throws: {
      ($0 as? BiasKitError)?.message.hasPrefix(
        "1 sentence has no embedding ('An unseen sentence.')") == true
    }
  }
}
