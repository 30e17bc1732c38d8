import ArgumentParser
import BiasKit
import Foundation

// MARK: - multiclass

struct EmbeddingsMulticlassCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "multiclass",
    abstract: "Multiclass bias subspace, MAC and hard debiasing (Manzini et al. 2019).")

  @OptionGroup var input: EmbeddingInputOptions
  @OptionGroup var report: EmbeddingReportOptions

  @Option(
    name: .customLong("defining-sets"),
    help: "JSON: a list of defining sets (lists of words, one per class).")
  var definingSets: String

  @Option(help: "Dimension k of the bias subspace.")
  var components = 1

  @Option(help: "A target set for MAC, comma-separated (repeatable).")
  var targets: [String] = []

  @Option(help: "An attribute set for MAC, comma-separated (repeatable).")
  var attributes: [String] = []

  @Option(help: "Also hard-debias in the subspace and write the embedding here (word2vec binary).")
  var output: String?

  func run() throws {
    try OutputPaths.check(inputs: [input.path, definingSets], outputs: [("--output", output)])
    let json = try readJSON(definingSets, what: "the defining sets")
    let raw = (json as? [String: Any])?["defining_sets"] ?? json
    guard let sets = raw as? [[String]] else {
      throw BiasKitError(
        .malformedInput,
        "\(definingSets): expected a JSON list of lists of words (or {\"defining_sets\": …})")
    }
    let embedding = try input.load()
    let subspace = try BiasSubspace(definingSets: sets, components: components, in: embedding)
    func split(_ items: [String]) -> [[String]] {
      items.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
    }
    var fields: [(String, JSONValue)] = [
      ("components", .integer(subspace.basis.count)),
      ("explained_variance_ratio", .array(subspace.explainedVarianceRatio.map { .number($0) })),
      ("defining_sets_used", .array(subspace.definingSets.map(jsonStrings))),
    ]
    var macBefore: Double?
    var query: WEFEQuery?
    if !targets.isEmpty || !attributes.isEmpty {
      guard !targets.isEmpty, !attributes.isEmpty else {
        throw BiasKitError(
          .invalidArgument, "MAC needs at least one --targets and one --attributes set")
      }
      let q = try WEFEQuery(
        targets: split(targets).enumerated().map {
          WordSet(name: "targets \($0.offset + 1)", words: $0.element)
        },
        attributes: split(attributes).enumerated().map {
          WordSet(name: "attributes \($0.offset + 1)", words: $0.element)
        },
        in: embedding, lostVocabularyThreshold: 1)
      query = q
      macBefore = WEFEMetrics.mac(
        targets: q.targets.map(\.words), attributes: q.attributes.map(\.words), in: embedding)
      fields.append(("mac", .number(macBefore!)))
    }
    var macAfter: Double?
    var neutralized = 0
    if let output {
      let specific = Set(subspace.definingSets.flatMap { $0 })
      let words = embedding.words
      let result = try HardDebias.apply(
        to: embedding, basis: subspace.basis, isNeutral: { !specific.contains(words[$0]) },
        equalitySets: subspace.definingSets)
      try result.embedding.write(to: output)
      neutralized = result.neutralizedCount
      if let q = query {
        macAfter = WEFEMetrics.mac(
          targets: q.targets.map(\.words), attributes: q.attributes.map(\.words),
          in: result.embedding)
        fields.append(("mac_after_debias", .number(macAfter!)))
      }
      fields.append(("output", .string(output)))
      fields.append(("neutralized_words", .integer(neutralized)))
    }
    report.print(json: .object(fields)) {
      var text =
        "bias subspace: \(subspace.basis.count) component(s) from \(subspace.definingSets.count) defining sets; explained variance "
        + subspace.explainedVarianceRatio.map { embeddingsCell($0, digits: 4) }.joined(
          separator: ", ") + "\n"
      if let macBefore { text += "MAC = \(embeddingsCell(macBefore))\n" }
      if let output { text += "wrote \(output): \(neutralized) words neutralized\n" }
      if let macAfter { text += "MAC after debiasing = \(embeddingsCell(macAfter))\n" }
      return text
    }
  }
}

// MARK: - wefe

struct EmbeddingsWEFECommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "wefe",
    abstract: "WEFE metrics (WEAT, RND, ECT, MAC, RNSB) for tests in the weat.json form.")

  enum Metric: String, ExpressibleByArgument, CaseIterable { case weat, rnd, ect, mac, rnsb }

  @OptionGroup var input: EmbeddingInputOptions
  @OptionGroup var report: EmbeddingReportOptions

  @Option(help: "Word sets in the JSON form of weat.json.") var tests: String
  @Option(help: "Run only this test (repeatable).") var test: [Int] = []
  @Option(help: "Metrics, comma-separated: weat,rnd,ect,mac,rnsb (default: all).") var metrics =
    "weat,rnd,ect,mac,rnsb"
  @Option(
    name: .customLong("lost-vocabulary-threshold"),
    help: "Largest share of a set's words that may be missing (WEFE: 0.2).")
  var lostVocabularyThreshold = 0.2
  @Option(help: "RND distance: norm or cos.") var distance: WEFEMetrics.Distance = .norm
  @Flag(help: "Normalize vectors before RND.") var normalize = false
  @Flag(help: "RNSB: train on a stratified 80% of the attribute words (WEFE's default).")
  var holdout = false
  @Option(help: "Seed of RNSB's holdout split and WEAT's sampled p-value.") var seed: UInt64 = 42

  func run() throws {
    let chosen = try metrics.split(separator: ",").map { name -> Metric in
      guard let m = Metric(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased()) else {
        throw BiasKitError(
          .invalidArgument,
          "--metrics: unknown metric '\(name)'; choose from weat, rnd, ect, mac, rnsb")
      }
      return m
    }
    guard (0...1).contains(lostVocabularyThreshold) else {
      throw BiasKitError(.invalidArgument, "--lost-vocabulary-threshold must be in [0, 1]")
    }
    let sets = try WEATWordSets.load(contentsOf: tests)
    for index in test where !sets.indices.contains(index) {
      throw BiasKitError(
        .invalidArgument, "--test \(index): \(tests) has tests 0…\(sets.count - 1)")
    }
    let embedding = try input.load()
    var results: [JSONValue] = []
    var rows: [[String]] = []
    for index in test.isEmpty ? Array(sets.indices) : test {
      let t = sets[index]
      let q = try WEFEQuery(
        targets: [t.firstTarget, t.secondTarget],
        attributes: [t.firstAttribute, t.secondAttribute], in: embedding,
        lostVocabularyThreshold: lostVocabularyThreshold)
      let (x, y, a, b) = (
        q.targets[0].words, q.targets[1].words, q.attributes[0].words, q.attributes[1].words
      )
      var fields: [(String, JSONValue)] = [
        ("index", .integer(index)), ("targets", .array(q.targets.map { jsonStrings($0.words) })),
        ("attributes", .array(q.attributes.map { jsonStrings($0.words) })),
      ]
      var row = ["\(index)"]
      for metric in chosen {
        switch metric {
        case .weat:
          let filtered = WEATWordSets(
            firstTarget: q.targets[0], secondTarget: q.targets[1], firstAttribute: q.attributes[0],
            secondAttribute: q.attributes[1])
          let r = try WEAT(permutations: .automatic(seed: seed), filtering: .dropMissing).run(
            filtered, on: embedding)
          fields += [
            ("statistic", .number(r.statistic)), ("effect_size", .number(r.effectSize)),
            ("p_value", .number(r.pValue)),
            ("p_value_method", .string(r.pValueMethod)),
          ]
          row += [
            "weat \(embeddingsCell(r.statistic)) d \(embeddingsCell(r.effectSize)) p \(embeddingsCell(r.pValue))"
          ]
        case .rnd:
          let values = [a, b].map {
            WEFEMetrics.rnd(
              first: x, second: y, attribute: $0, in: embedding, distance: distance,
              normalize: normalize
            ).value
          }
          fields.append(("rnd", .object(zip(q.attributes, values).map { ($0.name, .number($1)) })))
          row += ["rnd " + values.map { embeddingsCell($0) }.joined(separator: " / ")]
        case .ect:
          let values = [a, b].map {
            WEFEMetrics.ect(first: x, second: y, attribute: $0, in: embedding)
          }
          fields.append(("ect", .object(zip(q.attributes, values).map { ($0.name, .number($1)) })))
          row += ["ect " + values.map { embeddingsCell($0) }.joined(separator: " / ")]
        case .mac:
          let value = WEFEMetrics.mac(targets: [x, y], attributes: [a, b], in: embedding)
          fields.append(("mac", .number(value)))
          row += ["mac \(embeddingsCell(value))"]
        case .rnsb:
          let value = try WEFEMetrics.rnsb(
            targets: [x, y], positive: a, negative: b, in: embedding, holdout: holdout, seed: seed
          ).value
          fields.append(("rnsb", .number(value)))
          row += ["rnsb \(embeddingsCell(value))"]
        }
      }
      results.append(.object(fields))
      rows.append(row)
    }
    report.print(json: .object([("tests", .array(results))])) {
      embeddingsTable(["test"] + chosen.map(\.rawValue), rows)
    }
  }
}

extension WEFEMetrics.Distance: ExpressibleByArgument {}
