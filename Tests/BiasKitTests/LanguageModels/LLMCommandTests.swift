import Foundation
import Testing

@testable import BiasKit

@Suite("CLI: biaskit llm, and its bad input")
struct LLMCommandTests {
  static func write(_ text: String, _ name: String, in folder: URL) throws -> String {
    let url = folder.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  @Test("each subcommand scores its fixture and writes JSON")
  func scores() throws {
    let folder = try TestData.temporaryFolder()
    let out = folder.appendingPathComponent("out.json").path
    let runs: [[String]] = [
      [
        "bbq", LanguageModelFixtures.path("bbq_samples.jsonl"), "--convention", "lm-eval",
        "--bootstrap", "50",
      ],
      ["bbq", LanguageModelFixtures.path("bbq_flat.jsonl")],
      ["crows-pairs", LanguageModelFixtures.path("crows_pairs_samples.jsonl")],
      ["winogender", LanguageModelFixtures.path("winogender_samples.jsonl")],
      ["counterfactual", LanguageModelFixtures.path("counterfactual_records.jsonl")],
      [
        "lexicon", LanguageModelFixtures.path("counterfactual_texts.jsonl"), "--lexicon",
        LanguageModelFixtures.path("lexicon_agentic.txt") + ","
          + LanguageModelFixtures.path("lexicon_refusal.txt"),
      ],
      ["pride", LanguageModelFixtures.path("pride_questions.jsonl"), "--all-permuted"],
    ]
    for arguments in runs {
      let r = try CLI.run(["llm"] + arguments + ["--format", "json", "--output", out])
      #expect(r.status == 0, "\(arguments[0]): \(r.stderr)")
      let json = try TestData.json(URL(fileURLWithPath: out)) as? [String: Any]
      #expect(json?["benchmark"] as? String == arguments[0])
    }
    let table = try CLI.run(["llm", "bbq", LanguageModelFixtures.path("bbq_flat.jsonl")])
    #expect(
      table.status == 0 && table.stdout.contains("s_DIS") && table.stdout.contains("Religion"))
  }

  @Test("bad input: one line on standard error, exit status 2, no output file")
  func badInput() throws {
    let folder = try TestData.temporaryFolder()
    let out = folder.appendingPathComponent("out.json").path
    // The first bad record decides the message: a syntax error before any field is looked up.
    let notJSON = try Self.write(
      "{\"category\": Age}\n{\"category\": \"Age\"}\n", "bad.jsonl", in: folder)
    let missing = try Self.write(
      "{\"context_condition\": \"ambig\", \"label\": 0, \"prediction\": 1}\n", "missing.jsonl",
      in: folder)
    let outside = try Self.write(
      "{\"answer\": 5, \"probs\": [0.25, 0.25, 0.25, 0.25]}\n", "q.jsonl", in: folder)
    let sums = try Self.write(
      "{\"answer\": 1, \"probs\": [0.2, 0.25, 0.25, 0.25]}\n", "s.jsonl", in: folder)
    let oneFiller = try Self.write(
      "{\"template\": \"t1\", \"filler\": \"she\", \"score\": 0.4}\n{\"template\": \"t1\", \"filler\": \"she\", \"score\": 0.5}\n",
      "one.jsonl", in: folder)
    let sentences = try Self.write(
      "This is an aster.\nThat is an aster.\n", "sentences.txt", in: folder)
    let seatTest = try Self.write(
      "{\"targ1\": {\"category\": \"X\", \"examples\": [\"This is an aster.\"]}, \"targ2\": {\"category\": \"Y\", \"examples\": [\"That is an aster.\"]}, \"attr1\": {\"category\": \"A\", \"examples\": [\"This is an aster.\"]}, \"attr2\": {\"category\": \"B\", \"examples\": [\"That is an aster.\"]}}",
      "test.jsonl", in: folder)
    let cases: [([String], String)] = [
      (["bbq", notJSON], "bad.jsonl:1:14: expected a JSON value"),
      (["bbq", missing], "missing.jsonl:1:1: the record has no field 'category'"),
      (["pride", outside], "q.jsonl:1:12: the answer 5 is outside the 4 options (0–3)"),
      (["pride", sums], "the option probabilities sum to 0.95, not 1 (tolerance 1e-06)"),
      (
        ["counterfactual", oneFiller],
        "template 't1' has one filler ('she'); a counterfactual needs at least two"
      ),
      (
        [
          "seat", "--embeddings", LanguageModelFixtures.path("seat_embeddings.npy"), "--sentences",
          sentences,
          "--tests", seatTest,
        ],
        "the embeddings have 312 rows but there are 2 sentences"
      ),
    ]
    for (arguments, message) in cases {
      let r = try CLI.run(["llm"] + arguments + ["--output", out])
      #expect(r.status == 2, "\(arguments): \(r.stderr)")
      let lines = r.stderr.split(separator: "\n")
      #expect(lines.count == 1, "\(arguments): \(r.stderr)")
      #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out))
    }
  }
}
