import ArgumentParser
import BiasKit
import Foundation

/// `biaskit embeddings`: bias in word embeddings (WEAT, Bolukbasi direct bias and hard
/// debiasing, analogies, factual association, multiclass subspaces, WEFE metrics).
struct EmbeddingsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "embeddings",
    abstract: "Measure and remove bias in word embeddings.",
    subcommands: [
      EmbeddingsWEATCommand.self, EmbeddingsDirectBiasCommand.self, EmbeddingsDebiasCommand.self,
      EmbeddingsAnalogiesCommand.self, EmbeddingsAssociationCommand.self,
      EmbeddingsMulticlassCommand.self,
      EmbeddingsWEFECommand.self,
    ]
  )
}

// MARK: - weat

struct EmbeddingsWEATCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "weat",
    abstract: "Word Embedding Association Tests (Caliskan et al. 2017), as responsibly runs them.")

  @OptionGroup var input: EmbeddingInputOptions
  @OptionGroup var report: EmbeddingReportOptions

  @Option(help: "Word sets in the JSON form of weat.json (one test object or an array).")
  var tests: String

  @Option(help: "Run only this test (0-based index; repeat for several).")
  var test: [Int] = []

  @Option(
    help:
      "p-value: 'exact' (all splits), 'auto' (exact up to 40 target words), a number of sampled splits, or 'mlxtend' (responsibly's default: 1,000 numpy-seeded shuffles)."
  )
  var permutations = "auto"

  @Option(
    name: .customLong("seed"), parsing: .unconditional,
    help: "Seed of the sampled permutations (an integer from 0 to 2^64 - 1; default 42).")
  var seedOption: UInt64?

  var seed: UInt64 { seedOption ?? 42 }

  @Option(
    help:
      "Delta degrees of freedom of the effect size's standard deviation (0: responsibly, WEFE; 1: the paper)."
  )
  var ddof = 0

  @Option(
    help:
      "Word filtering: responsibly (drop missing words, equal-size sampling with seed 42), drop-missing, strict."
  )
  var filter: FilterMode = .responsibly

  enum FilterMode: String, ExpressibleByArgument, CaseIterable {
    case responsibly
    case dropMissing = "drop-missing"
    case strict
  }

  func permutationMethod() throws -> WEATPermutations {
    switch permutations {
    case "exact": return .exact
    case "auto": return .automatic(seed: seed)
    case "mlxtend":
      guard seed <= UInt64(UInt32.max) else {
        throw BiasKitError(
          .invalidArgument, "--seed must fit in 32 bits with --permutations mlxtend")
      }
      return .mlxtend(rounds: 1000, seed: UInt32(seed))
    default:
      // A count may be written as an integer or in scientific notation (1e6).
      let count =
        Int(permutations)
        ?? Double(permutations).flatMap { d in
          d.isFinite && d == d.rounded() && abs(d) < 9e18 ? Int(d) : nil
        }
      guard let count, count >= 1 else {
        throw BiasKitError(
          .invalidArgument,
          "--permutations must be 'exact', 'auto', 'mlxtend' or a positive number, got '\(permutations)'"
        )
      }
      return .sampled(count, seed: seed)
    }
  }

  func run() throws {
    guard ddof >= 0 else {
      throw BiasKitError(.invalidArgument, "--ddof must be 0 or more, got \(ddof)")
    }
    let method = try permutationMethod()
    if seedOption != nil && method == .exact {
      warn("--seed applies to sampled permutations; --permutations exact ignores it")
    }
    let sets = try WEATWordSets.load(contentsOf: tests)
    for index in test where !sets.indices.contains(index) {
      throw BiasKitError(
        .invalidArgument, "--test \(index): \(tests) has tests 0…\(sets.count - 1)")
    }
    let embedding = try input.load()
    let filtering: WordSetFiltering =
      switch filter {
      case .responsibly: .responsibly()
      case .dropMissing: .dropMissing
      case .strict: .strict
      }
    let weat = WEAT(permutations: method, ddof: ddof, filtering: filtering)
    let indices = test.isEmpty ? Array(sets.indices) : test
    var outcomes: [(Int, Result<WEAT.Result, BiasKitError>)] = []
    for index in indices {
      do { outcomes.append((index, .success(try weat.run(sets[index], on: embedding)))) } catch let
        error as BiasKitError
      {
        outcomes.append((index, .failure(error)))
      }
    }
    // A test that cannot run is reported beside the others; if none can run, it is an error.
    if !outcomes.contains(where: {
      if case .success = $0.1 { return true }
      return false
    }),
      case .failure(let error) = outcomes.first!.1
    {
      throw error
    }
    let keys = ["first_target", "second_target", "first_attribute", "second_attribute"]
    let json = JSONValue.object([
      (
        "tests",
        .array(
          outcomes.map { index, outcome in
            let t = sets[index]
            var fields: [(String, JSONValue)] = [
              ("index", .integer(index)),
              ("targets", .string("\(t.firstTarget.name) vs. \(t.secondTarget.name)")),
              ("attributes", .string("\(t.firstAttribute.name) vs. \(t.secondAttribute.name)")),
            ]
            switch outcome {
            case .failure(let error):
              fields += [
                ("statistic", .null), ("effect_size", .null), ("p_value", .null),
                ("error", .string(error.commandLineMessage)),
              ]
            case .success(let r):
              fields += [
                ("statistic", .number(r.statistic)), ("effect_size", .number(r.effectSize)),
                ("p_value", .number(r.pValue)),
                ("p_value_method", .string(r.pValueMethod)), ("ddof", .integer(ddof)),
                (
                  "words",
                  .object(
                    zip(keys, r.sets).map { key, set in
                      (
                        key,
                        .object([
                          ("name", .string(set.name)), ("used", jsonStrings(set.used)),
                          ("dropped_not_in_vocabulary", jsonStrings(set.notInVocabulary)),
                          ("dropped_to_equal_size", jsonStrings(set.droppedToEqualSize)),
                        ])
                      )
                    })
                ),
              ]
            }
            return .object(fields)
          })
      )
    ])
    report.print(json: json) {
      var notes = ""
      let rows = outcomes.map { index, outcome -> [String] in
        let t = sets[index]
        let names = [
          "\(index)", "\(t.firstTarget.name) vs. \(t.secondTarget.name)",
          "\(t.firstAttribute.name) vs. \(t.secondAttribute.name)",
        ]
        switch outcome {
        case .failure(let error):
          notes += "test \(index): \(error.commandLineMessage)\n"
          return names + ["-", "-", "n/a", "n/a", "n/a"]
        case .success(let r):
          return names + [
            "\(r.sets[0].used.count)x2", "\(r.sets[2].used.count)x2", embeddingsCell(r.statistic),
            embeddingsCell(r.effectSize), embeddingsCell(r.pValue),
          ]
        }
      }
      return embeddingsTable(
        ["test", "targets", "attributes", "Nt", "Na", "statistic", "effect_size", "p_value"], rows)
        + (notes.isEmpty ? "" : "\n" + notes)
    }
  }
}

// MARK: - direct-bias

struct EmbeddingsDirectBiasCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "direct-bias",
    abstract:
      "Gender direction (PCA of definitional pairs) and DirectBias_c of neutral words (Bolukbasi et al. 2016)."
  )

  @OptionGroup var input: EmbeddingInputOptions
  @OptionGroup var direction: GenderDirectionOptions
  @OptionGroup var report: EmbeddingReportOptions

  @Option(
    name: .customLong("neutral-words"),
    help: "Neutral words (JSON array or one per line); default: the lists' neutral professions.")
  var neutralWords: String?

  @Option(help: "Strictness c of DirectBias_c.")
  var strictness = 1.0

  @Option(
    name: .customLong("most-biased"),
    help: "Also list the N words of the vocabulary with the most extreme projections.")
  var mostBiased = 0

  @Option(help: "Indirect bias between two words, 'w,v' (repeatable).")
  var indirect: [String] = []

  func run() throws {
    let embedding = try input.load()
    let lists = try direction.lists()
    let g = try direction.identify(in: embedding, lists: lists)
    let words = try neutralWords.map(readWordList) ?? lists.neutralProfessions(in: embedding)
    let result = try DirectBias.compute(words, direction: g, in: embedding, strictness: strictness)
    var pairs: [(String, String, Double)] = []
    for item in indirect {
      let parts = item.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2 else {
        throw BiasKitError(.invalidArgument, "--indirect expects 'w,v', got '\(item)'")
      }
      pairs.append(
        (
          parts[0], parts[1],
          try DirectBias.indirect(parts[0], parts[1], direction: g, in: embedding)
        ))
    }
    let extremes =
      mostBiased > 0
      ? DirectBias.mostBiased(count: mostBiased, direction: g, in: embedding) : ([], [])
    var fields: [(String, JSONValue)] = [
      ("direct_bias", .number(result.value)), ("strictness", .number(strictness)),
      ("word_lists", .string(direction.listsDescription)), ("direction", direction.json(g)),
      ("n_words", .integer(result.projections.count)),
      ("dropped_not_in_vocabulary", jsonStrings(result.missing)),
      ("projections", .object(result.projections.map { ($0.word, .number($0.projection)) })),
    ]
    if mostBiased > 0 {
      fields.append(
        (
          "most_biased",
          .object([
            (g.positiveEnd, .object(extremes.0.map { ($0.word, .number($0.projection)) })),
            (g.negativeEnd, .object(extremes.1.map { ($0.word, .number($0.projection)) })),
          ])
        ))
    }
    if !pairs.isEmpty {
      fields.append(
        (
          "indirect_bias",
          .array(
            pairs.map {
              .object([("words", jsonStrings([$0.0, $0.1])), ("value", .number($0.2))])
            })
        ))
    }
    report.print(json: .object(fields)) {
      var text =
        "DirectBias_\(embeddingsCell(strictness)) = \(embeddingsCell(result.value, digits: 10)) over \(result.projections.count) neutral words"
      if !result.missing.isEmpty { text += " (\(result.missing.count) not in the vocabulary)" }
      text +=
        "\ndirection: \(direction.direction.rawValue), \(g.positiveEnd) (+) / \(g.negativeEnd) (−)"
      if let first = g.explainedVarianceRatio.first {
        text += ", explained variance of PC1 \(embeddingsCell(first))"
      }
      text += "\nword lists: \(direction.listsDescription)\n"
      let top = result.projections.sorted { abs($0.projection) > abs($1.projection) }.prefix(10)
      text +=
        "\n"
        + embeddingsTable(
          ["most biased neutral words", "projection"],
          top.map { [$0.word, embeddingsCell($0.projection)] })
      if mostBiased > 0 {
        text +=
          "\n"
          + embeddingsTable(
            ["\(g.positiveEnd) end", "projection"],
            extremes.0.map { [$0.word, embeddingsCell($0.projection)] })
        text +=
          "\n"
          + embeddingsTable(
            ["\(g.negativeEnd) end", "projection"],
            extremes.1.map { [$0.word, embeddingsCell($0.projection)] })
      }
      if !pairs.isEmpty {
        text +=
          "\n"
          + embeddingsTable(
            ["w", "v", "indirect bias"], pairs.map { [$0.0, $0.1, embeddingsCell($0.2)] })
      }
      return text
    }
  }
}

// MARK: - debias

struct EmbeddingsDebiasCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "debias",
    abstract: "Hard debiasing (neutralize + equalize) writing a debiased embedding file.")

  enum Method: String, ExpressibleByArgument, CaseIterable { case hard }
  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case word2vecBinary = "word2vec-binary"
    case word2vecText = "word2vec-text"
    case glove
  }

  @OptionGroup var input: EmbeddingInputOptions
  @OptionGroup var direction: GenderDirectionOptions
  @OptionGroup var report: EmbeddingReportOptions

  @Option(help: "Debiasing method (hard: neutralize + equalize).")
  var method: Method = .hard

  @Option(help: "Where to write the debiased embedding.")
  var output: String

  @Option(
    name: .customLong("output-format"), help: "word2vec-binary (default), word2vec-text, glove.")
  var outputFormat: OutputFormat = .word2vecBinary

  func run() throws {
    try OutputPaths.check(
      inputs: [input.path, direction.wordLists], outputs: [("--output", output)])
    let embedding = try input.load()
    let lists = try direction.lists()
    let g = try direction.identify(in: embedding, lists: lists)
    let neutralProfessions = lists.neutralProfessions(in: embedding)
    let before =
      neutralProfessions.isEmpty
      ? nil : try DirectBias.compute(neutralProfessions, direction: g, in: embedding)
    let result = try HardDebias.gender(embedding, direction: g, lists: lists)
    let after =
      neutralProfessions.isEmpty
      ? nil : try DirectBias.compute(neutralProfessions, direction: g, in: result.embedding)
    let format: EmbeddingFormat =
      switch outputFormat {
      case .word2vecBinary: .word2vecBinary
      case .word2vecText: .word2vecText
      case .glove: .gloveText
      }
    try result.embedding.write(to: output, format: format)
    let json = JSONValue.object([
      ("method", .string(method.rawValue)), ("output", .string(output)),
      ("word_lists", .string(direction.listsDescription)), ("direction", direction.json(g)),
      ("neutralized_words", .integer(result.neutralizedCount)),
      ("equalized_pairs", .array(result.equalizedSets.map(jsonStrings))),
      ("direct_bias_before", before.map { .number($0.value) } ?? .null),
      ("direct_bias_after", after.map { .number($0.value) } ?? .null),
    ])
    report.print(json: json) {
      var text =
        "wrote \(output): \(result.embedding.count) words, \(result.neutralizedCount) neutralized, \(result.equalizedSets.count) pairs equalized\n"
        + "word lists: \(direction.listsDescription)\n"
      if let before, let after {
        text +=
          "DirectBias_1 over \(before.projections.count) neutral professions: \(embeddingsCell(before.value)) → \(embeddingsCell(after.value))\n"
      }
      return text
    }
  }
}

// MARK: - analogies

struct EmbeddingsAnalogiesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analogies",
    abstract: "Generate she-he analogies along the ends' direction (Bolukbasi et al. 2016).")

  @OptionGroup var input: EmbeddingInputOptions
  @OptionGroup var report: EmbeddingReportOptions

  @Option(name: .customLong("positive-end")) var positiveEnd = "she"
  @Option(name: .customLong("negative-end")) var negativeEnd = "he"
  @Option(help: "Number of analogies.") var count = 10
  @Option(help: "Maximal distance between the words of a pair (1: angle below 60°).") var delta =
    1.0
  @Option(name: .customLong("restrict-vocab"), help: "Use only the first N words.")
  var restrictVocab = 30_000
  @Flag(name: .customLong("allow-repeats"), help: "Let a word appear in several analogies.")
  var allowRepeats = false

  func run() throws {
    let embedding = try input.load()
    guard restrictVocab >= 2 else {
      throw BiasKitError(.invalidArgument, "--restrict-vocab must be at least 2")
    }
    let analogies = try AnalogyGenerator(
      count: count, delta: delta, vocabularyLimit: restrictVocab, allowRepeats: allowRepeats
    )
    .generate(positiveEnd: positiveEnd, negativeEnd: negativeEnd, in: embedding)
    report.print(
      json: .object([
        (
          "analogies",
          .array(
            analogies.map {
              .object([
                (positiveEnd, .string($0.positive)), (negativeEnd, .string($0.negative)),
                ("distance", .number($0.distance)), ("score", .number($0.score)),
              ])
            })
        )
      ])
    ) {
      embeddingsTable(
        [positiveEnd, negativeEnd, "distance", "score"],
        analogies.map {
          [$0.positive, $0.negative, embeddingsCell($0.distance), embeddingsCell($0.score)]
        })
    }
  }
}

// MARK: - association

struct EmbeddingsAssociationCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "association",
    abstract:
      "Correlate a factual property of words with their projection on the gender direction (Pearson r, p)."
  )

  @OptionGroup var input: EmbeddingInputOptions
  @OptionGroup var direction: GenderDirectionOptions
  @OptionGroup var report: EmbeddingReportOptions

  @Option(help: "JSON object word → value (e.g. occupational_female_precentage.json).")
  var facts: String

  func run() throws {
    guard let object = try readJSON(facts, what: "the facts") as? [String: Any] else {
      throw BiasKitError(.malformedInput, "\(facts): expected a JSON object of word → number")
    }
    var values: [(String, Double)] = []
    for key in object.keys.sorted() {
      guard let number = object[key] as? NSNumber else {
        throw BiasKitError(.invalidValue, "\(facts): the value of '\(key)' is not a number")
      }
      values.append((key, number.doubleValue))
    }
    let embedding = try input.load()
    let lists = try direction.lists()
    let g = try direction.identify(in: embedding, lists: lists)
    let result = try FactualAssociation.compute(values, direction: g, in: embedding)
    report.print(
      json: .object([
        ("pearson_r", .number(result.r)), ("p_value", .number(result.pValue)),
        ("n_words", .integer(result.points.count)),
        ("dropped_not_in_vocabulary", jsonStrings(result.missing)),
        ("direction", direction.json(g)),
        (
          "points",
          .array(
            result.points.map {
              .object([
                ("word", .string($0.word)), ("value", .number($0.value)),
                ("projection", .number($0.projection)),
              ])
            })
        ),
      ])
    ) {
      "Pearson r = \(embeddingsCell(result.r)), p = \(embeddingsCell(result.pValue)) (two-sided) over \(result.points.count) words"
        + (result.missing.isEmpty
          ? "" : "; not in the vocabulary: \(result.missing.joined(separator: ", "))") + "\n"
    }
  }
}
