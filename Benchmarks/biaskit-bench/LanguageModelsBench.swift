import BiasKit
import Foundation

/// Benchmark jobs for the language-model scorers; the Python side is `scripts/bench/llm/`.
///
///     biaskit-bench llm-bbq   --input bbq_1m.jsonl [--bootstrap 1000] [--runs 3]
///     biaskit-bench llm-pride [--questions 100000] [--options 4] [--runs 5]
///     biaskit-bench llm-seat  [--sentences 64] [--dimension 384] [--permutations 10000] [--runs 5]
enum LanguageModelsBench {
  static let jobs: [BenchJob] = [
    BenchJob(
      name: "llm-bbq",
      summary: "read BBQ records (JSON Lines) and score them with bootstrap intervals"
    ) { options in
      let path = options.string("input", default: "bbq_1m.jsonl")
      let scorer = BBQ(
        convention: .lmEvaluationHarness,
        bootstrap: BootstrapOptions(samples: options.int("bootstrap", default: 1_000), seed: 1))
      var count = 0
      var result: BBQ.Result? = nil
      let seconds = try measure(runs: options.int("runs", default: 3)) {
        let responses = try BBQResponses(reading: JSONLines(path: path))
        count = responses.count
        result = try scorer.scored(responses)
      }
      let o = result!.overall
      emit(
        task: "llm-bbq", rows: count, seconds: seconds,
        results: [
          "acc": o.accuracy.value, "accuracy_amb": o.ambiguousAccuracy.value,
          "accuracy_disamb": o.disambiguatedAccuracy.value,
          "amb_bias_score": o.ambiguousBias.value, "disamb_bias_score": o.disambiguatedBias.value,
          "acc_interval": o.accuracy.quantiles,
        ])
    },
    BenchJob(
      name: "llm-pride",
      summary: "PriDe on synthetic questions (5% answered under every cyclic permutation)"
    ) { options in
      let n = options.int("questions", default: 100_000)
      let m = options.int("options", default: 4)
      let questions = try syntheticQuestions(n: n, m: m, seed: 11)
      var model: PriDe.Model? = nil
      let seconds = try measure(runs: options.int("runs", default: 5)) {
        model = try PriDe(estimation: .fraction(0.05, seed: 1)).fitted(to: questions)
      }
      emit(
        task: "llm-pride", rows: n, seconds: seconds,
        results: [
          "prior": model!.prior, "accuracy_before": model!.before.accuracy,
          "accuracy_after": model!.after.accuracy,
          "rstd_before": model!.before.recallStandardDeviation,
          "rstd_after": model!.after.recallStandardDeviation,
        ])
    },
    BenchJob(
      name: "llm-seat",
      summary: "SEAT on random 384-d sentence embeddings, 10,000 sampled permutations"
    ) { options in
      let perSet = options.int("sentences", default: 64)
      let d = options.int("dimension", default: 384)
      var rng = SeededGenerator(seed: 5)
      var sentences: [String] = []
      var values: [Double] = []
      for set in 0..<4 {
        for i in 0..<perSet {
          sentences.append("set \(set) sentence \(i).")
          for _ in 0..<d { values.append(rng.nextUniform() - 0.5 + (set == 0 ? 0.01 : 0)) }
        }
      }
      let embeddings = try SentenceEmbeddings(
        sentences: sentences, vectors: Matrix(rows: sentences.count, columns: d, values: values))
      func set(_ k: Int) -> WordSet {
        WordSet(name: "S\(k)", words: Array(sentences[(k * perSet)..<((k + 1) * perSet)]))
      }
      let test = WEATWordSets(
        firstTarget: set(0), secondTarget: set(1), firstAttribute: set(2), secondAttribute: set(3))
      let seat = SEAT(permutations: .sampled(options.int("permutations", default: 10_000), seed: 1))
      var result: WEAT.Result? = nil
      let seconds = try measure(runs: options.int("runs", default: 5)) {
        result = try seat.run(test, on: embeddings)
      }
      emit(
        task: "llm-seat", rows: sentences.count, seconds: seconds,
        results: [
          "effect_size": result!.effectSize, "p_value": result!.pValue,
          "statistic": result!.statistic,
        ])
    },
  ]

  /// n questions of m options with a prior towards the first option; every 20th question is
  /// also answered under all m cyclic permutations.
  static func syntheticQuestions(n: Int, m: Int, seed: UInt64) throws -> MultipleChoiceQuestions {
    var rng = SeededGenerator(seed: seed)
    let prior = (0..<m).map { 1.0 / Double($0 + 2) }
    var answers: [Int] = []
    var probabilities: [Double] = []
    var permuted: [Int: [Double]] = [:]
    for q in 0..<n {
      let answer = rng.nextInt(below: m)
      answers.append(answer)
      var content = (0..<m).map { _ in 0.2 + rng.nextUniform() }
      content[answer] += 1
      func observed(_ p: Int) -> [Double] {
        let v = (0..<m).map { prior[$0] * content[($0 + p) % m] }
        let s = v.reduce(0, +)
        return v.map { $0 / s }
      }
      probabilities += observed(0)
      if q % 20 == 0 { permuted[q] = (0..<m).flatMap { observed($0) } }
    }
    return try MultipleChoiceQuestions(
      optionCount: m, answers: answers, probabilities: probabilities, permuted: permuted)
  }
}
