import BiasKit
import Foundation

/// Benchmark jobs for the Embeddings capability; the Python side is
/// `scripts/bench/embeddings/bench_embeddings.py` (same jobs, real responsibly / WEFE).
///
///     biaskit-bench embeddings-load   [--runs 5] [--embeddings FILE]
///     biaskit-bench embeddings-weat   [--runs 3] [--permutations 10000]
///     biaskit-bench embeddings-debias [--runs 3]
///     biaskit-bench embeddings-analogies [--runs 1]
enum EmbeddingsBench {
  static let jobs: [BenchJob] = [
    BenchJob(name: "embeddings-load", summary: "load the shared word2vec binary (26,423 x 300)") {
      options in
      let path = try sharedPath(options, "GoogleNews-vectors-negative300-bolukbasi.bin")
      var count = 0
      var cpu: [Double] = []
      let seconds = try measure(runs: options.int("runs", default: 5)) {
        let before = MitigationBench.cpuSeconds()
        count = try WordEmbedding(contentsOf: path).count
        cpu.append(MitigationBench.cpuSeconds() - before)
      }
      // CPU time (user + system, all threads; MitigationBench.cpuSeconds) of each run.
      emit(
        task: "embeddings-load", rows: count, seconds: seconds,
        results: [
          "vocab_size": count, "cpu_seconds_all": cpu,
          "cpu_seconds_median": cpu.sorted()[cpu.count / 2],
        ])
    },
    BenchJob(
      name: "embeddings-weat",
      summary: "the 10 WEAT tests of weat.json, 10,000 sampled permutations each"
    ) { options in
      let embedding = try WordEmbedding(
        contentsOf: try sharedPath(options, "GoogleNews-vectors-negative300-bolukbasi.bin"))
      let tests = try WEATWordSets.load(contentsOf: try sharedPath(options, "weat.json"))
      let weat = WEAT(
        permutations: .sampled(options.int("permutations", default: 10_000), seed: 42))
      var results: [[Double]] = []
      let seconds = measure(runs: options.int("runs", default: 3)) {
        results = []
        for test in tests {
          // Test 9 has no target words in this vocabulary (responsibly returns None).
          guard let r = try? weat.run(test, on: embedding) else { continue }
          results.append([r.statistic, r.effectSize, r.pValue])
        }
      }
      emit(
        task: "embeddings-weat", rows: tests.count, seconds: seconds, results: ["tests": results])
    },
    BenchJob(
      name: "embeddings-debias",
      summary: "gender direction (PCA) + full hard debias of the shared file"
    ) { options in
      let embedding = try WordEmbedding(
        contentsOf: try sharedPath(options, "GoogleNews-vectors-negative300-bolukbasi.bin"))
      let lists = try GenderWordLists.load(contentsOf: try sharedPath(options, "bolukbasi.json"))
      var directBias = 0.0
      let seconds = try measure(runs: options.int("runs", default: 3)) {
        let g = try BiasDirection(.pca, pairs: lists.definitionalPairs, in: embedding)
        let result = try HardDebias.gender(embedding, direction: g, lists: lists)
        directBias = try DirectBias.compute(
          lists.neutralProfessions(in: embedding), direction: g, in: result.embedding
        ).value
      }
      emit(
        task: "embeddings-debias", rows: embedding.count, seconds: seconds,
        results: ["direct_bias_after": directBias])
    },
    BenchJob(
      name: "embeddings-analogies", summary: "top 10 she-he analogies over the whole vocabulary"
    ) { options in
      let embedding = try WordEmbedding(
        contentsOf: try sharedPath(options, "GoogleNews-vectors-negative300-bolukbasi.bin"))
      var first = ""
      let seconds = try measure(runs: options.int("runs", default: 1)) {
        let a = try AnalogyGenerator(count: 10).generate(
          positiveEnd: "she", negativeEnd: "he", in: embedding)
        first = a.map { "\($0.positive):\($0.negative)" }.joined(separator: " ")
      }
      emit(
        task: "embeddings-analogies", rows: embedding.count, seconds: seconds,
        results: ["analogies": first])
    },
  ]

  /// A file of the shared embeddings folder (`--shared DIR` overrides `../shared`).
  static func sharedPath(_ options: BenchOptions, _ name: String) throws -> String {
    let base = options.string(
      "shared", default: ProcessInfo.processInfo.environment["BIASKIT_SHARED"] ?? "../shared")
    let path = "\(base)/data/embeddings/\(name)"
    guard FileManager.default.fileExists(atPath: path) else {
      throw BiasKitError(.io, "\(path) not found (pass --shared DIR)")
    }
    return path
  }
}
