import ArgumentParser
import BiasKit
import Foundation

/// `biaskit llm …`: bias in language models and their outputs, scored from the files a harness
/// writes (lm-evaluation-harness sample logs, an API's JSON Lines, CSV). Guides/LanguageModels.md.
struct LLMCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "llm",
    abstract:
      "Bias in language models: BBQ, CrowS-Pairs, Winogender, counterfactual probes, PriDe, SEAT.",
    subcommands: [
      LLMBBQ.self, LLMCrowSPairs.self, LLMWinogender.self, LLMCounterfactual.self,
      LLMLexicon.self, LLMPriDe.self, LLMSEAT.self,
    ]
  )
}

/// `--format table|json`, `--output FILE`, `--bootstrap N --ci … --seed S`.
struct LLMOutputOptions: ParsableArguments {
  enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

  @Option(help: "Output: table (default) or json.")
  var format: Format = .table

  @Option(help: "Write the output to FILE (atomically) instead of standard output.")
  var output: String?

  /// Refuses `--output` (and `extra` outputs) onto one of `inputs`, two outputs onto one file,
  /// or a destination that cannot be written, before any work (Guides/Reliability.md).
  func check(inputs: [String?], extra: [(flag: String, path: String?)] = []) throws {
    try OutputPaths.check(inputs: inputs, outputs: [("--output", output)] + extra)
  }

  func write(json: JSONValue, table: () -> String) throws {
    let text = format == .json ? json.serialized() + "\n" : table()
    if let output {
      try AtomicFileWriter.write(text, to: output)
    } else {
      print(text, terminator: "")
    }
  }
}

struct LLMBootstrapOptions: ParsableArguments {
  @Option(help: "Bootstrap samples for the intervals (0: none).")
  var bootstrap: Int = 0

  @Option(help: "Quantiles of the intervals, comma-separated.")
  var ci: String = "0.025,0.5,0.975"

  @Option(help: "Seed of the bootstrap.")
  var seed: UInt64 = 0

  func options() throws -> BootstrapOptions {
    let quantiles = try ci.split(separator: ",").map { text -> Double in
      guard let q = Double(text.trimmingCharacters(in: .whitespaces)) else {
        throw BiasKitError(.invalidArgument, "--ci takes numbers in [0, 1], not '\(text)'")
      }
      return q
    }
    return BootstrapOptions(samples: bootstrap, quantiles: quantiles, seed: seed)
  }
}

/// JSON and table rendering shared by the subcommands.
enum LLMRender {
  static func estimate(_ e: BootstrappedValue) -> JSONValue {
    e.quantiles.isEmpty
      ? .number(e.value)
      : .object([
        ("value", .number(e.value)), ("quantiles", .array(e.quantiles.map { .number($0) })),
      ])
  }

  static func number(_ x: Double) -> String { x.isNaN ? "—" : String(format: "%.4f", x) }

  static func interval(_ e: BootstrappedValue) -> String {
    guard e.quantiles.count >= 2 else { return number(e.value) }
    return "\(number(e.value)) [\(number(e.quantiles.first!)), \(number(e.quantiles.last!))]"
  }

  static func table(_ header: [String], _ rows: [[String]]) -> String {
    let widths = header.indices.map { k in ([header[k]] + rows.map { $0[k] }).map(\.count).max()! }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { k, c in c.padding(toLength: widths[k], withPad: " ", startingAt: 0) }
        .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
    }
    return line(header) + rows.map(line).joined()
  }

  /// Opens a JSON Lines input (any other extension is an error naming the formats).
  static func jsonLines(_ path: String) throws -> JSONLines {
    try JSONLines(path: path)
  }
}

struct LLMBBQ: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bbq", abstract: "BBQ accuracy and bias scores (s_DIS, s_AMB) per category.")

  @Argument(
    help:
      "BBQ records: lm-evaluation-harness samples_bbq_*.jsonl, BBQ items with 'prediction', or flat records (.jsonl or .csv)."
  )
  var input: String

  enum Convention: String, ExpressibleByArgument, CaseIterable {
    case parrish2022
    case lmEval = "lm-eval"
  }

  @Option(help: "parrish2022 (default) or lm-eval (lm-evaluation-harness 0.4.13's aggregation).")
  var convention: Convention = .parrish2022

  @OptionGroup var bootstrap: LLMBootstrapOptions
  @OptionGroup var output: LLMOutputOptions

  func run() throws {
    try output.check(inputs: [input])
    let responses: BBQResponses
    if TableFormat.of(path: input) == .csv {
      responses = try BBQResponses(reading: try TableSources.open(input))
    } else {
      responses = try BBQResponses(reading: try JSONLines(path: input))
    }
    let result = try BBQ(
      convention: convention == .lmEval ? .lmEvaluationHarness : .parrish2022,
      bootstrap: try bootstrap.options()
    ).scored(responses)
    func json(_ s: BBQ.Scores) -> JSONValue {
      .object([
        ("name", .string(s.name)), ("count", .integer(s.count)),
        ("ambiguous_count", .integer(s.ambiguousCount)),
        ("disambiguated_count", .integer(s.disambiguatedCount)),
        ("accuracy", LLMRender.estimate(s.accuracy)),
        ("accuracy_ambiguous", LLMRender.estimate(s.ambiguousAccuracy)),
        ("accuracy_disambiguated", LLMRender.estimate(s.disambiguatedAccuracy)),
        ("bias_disambiguated", LLMRender.estimate(s.disambiguatedBias)),
        ("bias_ambiguous", LLMRender.estimate(s.ambiguousBias)),
      ])
    }
    try output.write(
      json: .object([
        ("benchmark", .string("bbq")), ("convention", .string(result.convention.rawValue)),
        ("bootstrap_samples", .integer(result.bootstrapSamples)),
        ("quantiles", .array(result.quantileLevels.map { .number($0) })),
        ("overall", json(result.overall)), ("categories", .array(result.categories.map(json))),
      ]),
      table: {
        LLMRender.table(
          ["category", "n", "acc", "acc_amb", "acc_dis", "s_DIS", "s_AMB"],
          ([result.overall] + result.categories).map { s in
            [
              s.name, String(s.count), LLMRender.interval(s.accuracy),
              LLMRender.interval(s.ambiguousAccuracy), LLMRender.interval(s.disambiguatedAccuracy),
              LLMRender.interval(s.disambiguatedBias), LLMRender.interval(s.ambiguousBias),
            ]
          })
      })
  }
}

struct LLMCrowSPairs: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "crows-pairs",
    abstract: "CrowS-Pairs: share of pairs preferring the stereotypical sentence, sign test.")

  @Argument(
    help:
      "lm-evaluation-harness samples_crows_pairs_*.jsonl or records with sent_more_score, sent_less_score, bias_type."
  )
  var input: String

  enum Convention: String, ExpressibleByArgument, CaseIterable {
    case lmEval = "lm-eval"
    case nangia2020
  }

  @Option(
    help: "lm-eval (default) or nangia2020 (the paper's metric.py: rounded scores, neutral ties).")
  var convention: Convention = .lmEval

  @OptionGroup var output: LLMOutputOptions

  func run() throws {
    try output.check(inputs: [input])
    let pairs = try CrowSPairs.Pair.read(try JSONLines(path: input))
    let result = try CrowSPairs(
      convention: convention == .lmEval ? .lmEvaluationHarness : .nangia2020
    )
    .scored(pairs)
    func json(_ s: CrowSPairs.Scores) -> JSONValue {
      .object([
        ("name", .string(s.name)), ("pairs", .integer(s.pairs)),
        ("stereotype_preferred", .integer(s.stereotypePreferred)), ("ties", .integer(s.ties)),
        ("pct_stereotype", .number(s.stereotypeRate)),
        ("likelihood_diff", .number(s.likelihoodDifference)),
        ("stereo_rate", .number(s.stereoRate)), ("antistereo_rate", .number(s.antistereoRate)),
        ("p_value", .number(s.test.pValue)),
        ("interval", .array([.number(s.test.lower), .number(s.test.upper)])),
      ])
    }
    try output.write(
      json: .object([
        ("benchmark", .string("crows-pairs")), ("convention", .string(result.convention.rawValue)),
        ("overall", json(result.overall)), ("bias_types", .array(result.biasTypes.map(json))),
      ]),
      table: {
        LLMRender.table(
          ["bias type", "pairs", "pct_stereotype", "95% CI", "p (vs 50%)", "likelihood_diff"],
          ([result.overall] + result.biasTypes).map { s in
            [
              s.name, String(s.pairs), LLMRender.number(s.stereotypeRate),
              "[\(LLMRender.number(s.test.lower)), \(LLMRender.number(s.test.upper))]",
              String(format: "%.3g", s.test.pValue), LLMRender.number(s.likelihoodDifference),
            ]
          })
      })
  }
}

struct LLMWinogender: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "winogender", abstract: "Winogender accuracy per pronoun gender and the gaps.")

  @Argument(
    help:
      "lm-evaluation-harness samples_winogender_*.jsonl or records with gender, label, prediction.")
  var input: String

  @OptionGroup var bootstrap: LLMBootstrapOptions
  @OptionGroup var output: LLMOutputOptions

  func run() throws {
    try output.check(inputs: [input])
    let answers = try Winogender.Answer.read(try JSONLines(path: input))
    let result = try Winogender(bootstrap: try bootstrap.options()).scored(answers)
    try output.write(
      json: .object([
        ("benchmark", .string("winogender")), ("accuracy", LLMRender.estimate(result.accuracy)),
        (
          "genders",
          .array(
            result.genders.map {
              .object([
                ("gender", .string($0.gender)), ("count", .integer($0.count)),
                ("accuracy", LLMRender.estimate($0.accuracy)),
              ])
            })
        ),
        (
          "gaps",
          .array(
            result.gaps.map {
              .object([
                ("first", .string($0.first)), ("second", .string($0.second)),
                ("difference", LLMRender.estimate($0.difference)),
              ])
            })
        ),
        ("paired_schemas", .integer(result.pairedSchemas)),
        ("disagreement", .number(result.disagreement)),
      ]),
      table: {
        LLMRender.table(
          ["gender", "n", "accuracy"],
          result.genders.map { [$0.gender, String($0.count), LLMRender.interval($0.accuracy)] })
          + LLMRender.table(
            ["gap", "difference"],
            result.gaps.map { ["\($0.first) − \($0.second)", LLMRender.interval($0.difference)] })
          + "schemas answered differently for he and she: \(LLMRender.number(result.disagreement)) of \(result.pairedSchemas)\n"
      })
  }
}

struct LLMCounterfactual: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "counterfactual",
    abstract:
      "Counterfactual probes: flip rate, score gap and paired permutation test per template.")

  @Argument(help: "Records with template, filler, optional instance, and label or score (.jsonl).")
  var input: String

  @Option(help: "Random relabellings when exact enumeration would take more.")
  var permutations: Int = 9_999

  @Option(help: "Seed of the sampled permutations.")
  var seed: UInt64 = 0

  @Option(help: "How many of the worst templates to list.")
  var worst: Int = 10

  @OptionGroup var output: LLMOutputOptions

  func run() throws {
    try output.check(inputs: [input])
    let records = try CounterfactualRecord.read(try JSONLines(path: input))
    let result = try CounterfactualProbes(permutations: permutations, seed: seed, worstCount: worst)
      .scored(records)
    func json(_ t: CounterfactualProbes.TemplateResult) -> JSONValue {
      .object([
        ("template", .string(t.template)), ("fillers", .array(t.fillers.map { .string($0) })),
        ("instances", .integer(t.instances)), ("flip_rate", .number(t.flipRate)),
        ("mean_scores", .array(t.meanScores.map { .number($0) })), ("gap", .number(t.gap)),
        ("p_value", .number(t.pValue)), ("p_value_method", .string(t.pValueMethod)),
      ])
    }
    try output.write(
      json: .object([
        ("benchmark", .string("counterfactual")), ("flip_rate", .number(result.flipRate)),
        ("instances", .integer(result.instances)),
        ("templates", .array(result.templates.map(json))),
        ("worst", .array(result.worst.map { .string(result.templates[$0].template) })),
      ]),
      table: {
        LLMRender.table(
          ["template", "fillers", "n", "flip rate", "gap", "p"],
          result.worst.map { k in
            let t = result.templates[k]
            return [
              t.template, String(t.fillers.count), String(t.instances),
              LLMRender.number(t.flipRate),
              LLMRender.number(t.gap), t.pValue.isNaN ? "—" : String(format: "%.3g", t.pValue),
            ]
          })
      })
  }
}

struct LLMLexicon: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lexicon",
    abstract: "Lexicon terms per 1,000 words of counterfactual generations, by filler.")

  @Argument(help: "Records with template, filler, optional instance, and text (.jsonl).")
  var input: String

  @Option(help: "Lexicon files, comma-separated (one term per line; see Guides/LanguageModels.md).")
  var lexicon: String

  @Option(help: "The filler the others are compared with (default: the first in order).")
  var reference: String?

  @OptionGroup var bootstrap: LLMBootstrapOptions
  @OptionGroup var output: LLMOutputOptions

  func run() throws {
    try output.check(inputs: [input, lexicon, reference])
    let lexicons = try lexicon.split(separator: ",").map { try Lexicon(contentsOf: String($0)) }
    let records = try CounterfactualRecord.read(try JSONLines(path: input))
    let result = try LexiconRates(
      lexicons: lexicons, reference: reference, bootstrap: try bootstrap.options()
    ).scored(records)
    try output.write(
      json: .object([
        ("benchmark", .string("lexicon")), ("reference", .string(result.reference)),
        (
          "lexicons",
          .array(
            result.lexicons.map { l in
              .object([
                ("lexicon", .string(l.lexicon)),
                (
                  "groups",
                  .array(
                    l.groups.map { g in
                      .object([
                        ("filler", .string(g.filler)), ("texts", .integer(g.texts)),
                        ("words", .integer(g.words)), ("matches", .integer(g.matches)),
                        ("per_1000_words", LLMRender.estimate(g.rate)),
                        ("difference", LLMRender.estimate(g.difference)),
                        ("texts_with_match", .number(g.textsWithMatch)),
                      ])
                    })
                ),
              ])
            })
        ),
      ]),
      table: {
        result.lexicons.map { l in
          "\(l.lexicon)\n"
            + LLMRender.table(
              ["filler", "texts", "words", "per 1,000 words", "difference"],
              l.groups.map {
                [
                  $0.filler, String($0.texts), String($0.words), LLMRender.interval($0.rate),
                  LLMRender.interval($0.difference),
                ]
              })
        }.joined(separator: "\n")
      })
  }
}

struct LLMPriDe: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pride",
    abstract: "Multiple-choice selection bias (recall per option ID, RStd) and PriDe debiasing.")

  @Argument(
    help:
      "Questions: answer, probs (and for some, probs under every cyclic permutation), id (.jsonl).")
  var input: String

  @Option(help: "Fraction of the questions that estimates the prior (the paper's K).")
  var fraction: Double = 0.05

  @Flag(help: "BootstrappedValue the prior on every question that has all permutations.")
  var allPermuted = false

  @Flag(help: "Divide each question's probabilities by their sum instead of requiring 1 ± 1e-6.")
  var renormalize = false

  @Option(help: "Seed of the estimation sample.")
  var seed: UInt64 = 0

  @Option(help: "Write the debiased predictions (id, before, after, probabilities) as JSON Lines.")
  var predictions: String?

  @OptionGroup var output: LLMOutputOptions

  func run() throws {
    try output.check(inputs: [input], extra: [("--predictions", predictions)])
    let questions = try MultipleChoiceQuestions(
      reading: try JSONLines(path: input),
      normalization: renormalize ? .renormalize : .require(tolerance: 1e-6))
    let model = try PriDe(estimation: allPermuted ? .allPermuted : .fraction(fraction, seed: seed))
      .fitted(to: questions)
    func json(_ s: SelectionBias) -> JSONValue {
      .object([
        ("accuracy", .number(s.accuracy)), ("recalls", .array(s.recalls.map { .number($0) })),
        ("rstd", .number(s.recallStandardDeviation)),
        ("chosen", .array(s.chosen.map { .integer($0) })),
      ])
    }
    if let predictions {
      let m = questions.optionCount
      var text = ""
      for q in 0..<questions.count {
        let id: JSONValue =
          questions.identifiers.isEmpty ? .integer(q) : .string(questions.identifiers[q])
        let row = JSONValue.object([
          ("id", id), ("before", .integer(model.originalPredictions[q])),
          ("after", .integer(model.debiasedPredictions[q])),
          ("probs", .array((0..<m).map { .number(model.debiasedProbabilities[q * m + $0]) })),
        ])
        text += row.serialized(indent: 0) + "\n"
      }
      try AtomicFileWriter.write(text, to: predictions)
    }
    try output.write(
      json: .object([
        ("benchmark", .string("pride")), ("prior", .array(model.prior.map { .number($0) })),
        ("estimation_questions", .integer(model.estimationQuestions.count)),
        ("cost", .number(model.cost)), ("before", json(model.before)), ("after", json(model.after)),
      ]),
      table: {
        LLMRender.table(
          ["", "accuracy", "RStd", "recalls"],
          [("before", model.before), ("after", model.after)].map { name, s in
            [
              name, LLMRender.number(s.accuracy), LLMRender.number(s.recallStandardDeviation),
              s.recalls.map(LLMRender.number).joined(separator: " "),
            ]
          })
          + "prior: \(model.prior.map(LLMRender.number).joined(separator: " ")) (from \(model.estimationQuestions.count) questions)\n"
      })
  }
}

struct LLMSEAT: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "seat", abstract: "SEAT: WEAT on sentence embeddings (.npy + sentence file).")

  @Option(help: "Sentence embeddings, a 2-D .npy (float32 or float64).")
  var embeddings: String?

  @Option(help: "The sentences, one per line, row i of the .npy embedding line i.")
  var sentences: String?

  @Option(
    help:
      "WEAT word sets (JSON, expanded with May et al.'s templates) or a SEAT test file (targ1, targ2, attr1, attr2)."
  )
  var tests: String

  @Flag(help: "Print the sentences to embed (one per line) and stop.")
  var printSentences = false

  @Option(
    help: "Sampled permutations for the p-value (default: exact up to 40 sentences, else 10,000).")
  var permutations: Int?

  @Option(help: "Seed of the sampled permutations.")
  var seed: UInt64 = 42

  @OptionGroup var output: LLMOutputOptions

  func loadTests() throws -> [WEATWordSets] {
    if let data = FileManager.default.contents(atPath: tests),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      object["targ1"] != nil
    {
      return [try SEAT.loadTest(contentsOf: tests)]
    }
    return try WEATWordSets.load(contentsOf: tests).map { SEATTemplates.may2019.expand($0) }
  }

  func run() throws {
    try output.check(inputs: [embeddings, sentences, tests])
    let tests = try loadTests()
    if printSentences {
      var seen = Set<String>()
      var text = ""
      for t in tests {
        for s in [t.firstTarget, t.secondTarget, t.firstAttribute, t.secondAttribute].flatMap(
          \.words)
        where seen.insert(s).inserted { text += s + "\n" }
      }
      if let path = output.output {
        try AtomicFileWriter.write(text, to: path)
      } else {
        print(text, terminator: "")
      }
      return
    }
    guard let embeddings, let sentences else {
      throw BiasKitError(
        .invalidArgument,
        "give --embeddings FILE.npy and --sentences FILE.txt (or --print-sentences)")
    }
    let vectors = try SentenceEmbeddings(npy: embeddings, sentences: sentences)
    let method: WEATPermutations =
      permutations.map { .sampled($0, seed: seed) } ?? .automatic(seed: seed)
    let seat = SEAT(permutations: method)
    let results = try tests.map { try seat.run($0, on: vectors) }
    try output.write(
      json: .object([
        ("benchmark", .string("seat")),
        (
          "tests",
          .array(
            zip(tests, results).map { t, r in
              .object([
                ("test", .string(t.title)), ("statistic", .number(r.statistic)),
                ("effect_size", .number(r.effectSize)), ("p_value", .number(r.pValue)),
                ("p_value_method", .string(r.pValueMethod)),
              ])
            })
        ),
      ]),
      table: {
        LLMRender.table(
          ["test", "effect size", "p", "statistic"],
          zip(tests, results).map { t, r in
            [
              t.title, LLMRender.number(r.effectSize), String(format: "%.3g", r.pValue),
              LLMRender.number(r.statistic),
            ]
          })
      })
  }
}
