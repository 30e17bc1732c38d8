import Foundation
import Testing

@testable import BiasKit

/// A simulated click log where the truth is known: items are relevant with probability 0.3, a
/// logged ranker shows 10 of each query's 20 items in sessions (in a random order when
/// `shuffled`, the randomized intervention that identifies the click model), positions are
/// examined with probability θ_k = 1 / k^0.8, and a click is examined ∧ relevant.
struct SimulatedClickLog {
  var lists: RankedLists
  /// Scores of a second ranker (relevance + noise), aligned with the input rows.
  var otherScores: [Double]
  var theta: [Double]

  init(seed: UInt64, queries: Int = 400, sessions: Int = 5, shuffled: Bool = false) throws {
    var rng = SeededGenerator(seed: seed)
    let items = 20
    let length = 10
    theta = (1...length).map { 1 / pow(Double($0), 0.8) }
    var query: [String] = []
    var item: [String] = []
    var session: [String] = []
    var rank: [Double] = []
    var click: [UInt8] = []
    var relevance: [Double] = []
    var propensity: [Double] = []
    var group: [String] = []
    var other: [Double] = []
    for q in 0..<queries {
      let relevant = (0..<items).map { _ in rng.nextUniform() < 0.3 }
      let groups = (0..<items).map { _ in rng.nextUniform() < 0.4 ? "g1" : "g0" }
      // The logged ranker prefers group g0 and is only weakly informed by relevance.
      let logged = (0..<items).map { d in
        rng.nextUniform() + (relevant[d] ? 0.3 : 0) + (groups[d] == "g0" ? 0.3 : 0)
      }
      let good = (0..<items).map { d in rng.nextUniform() + (relevant[d] ? 1.0 : 0) }
      for s in 0..<sessions {
        // Each session shows the top 10 of the logged scores perturbed.
        let noisy = logged.map { $0 + 0.3 * rng.nextUniform() }
        var shown = Array((0..<items).sorted { noisy[$0] > noisy[$1] }.prefix(length))
        if shuffled { shown.shuffle(using: &rng) }
        for (position, d) in shown.enumerated() {
          query.append("q\(q)")
          item.append("d\(d)")
          session.append("s\(s)")
          rank.append(Double(position + 1))
          let examined = rng.nextUniform() < theta[position]
          click.append(examined && relevant[d] ? 1 : 0)
          relevance.append(relevant[d] ? 1 : 0)
          propensity.append(theta[position])
          group.append(groups[d])
          other.append(good[d])
        }
      }
    }
    lists = try RankedLists(
      queries: CategoricalColumn(query), items: CategoricalColumn(item), order: .ranks(rank),
      groups: Groups(group), relevance: relevance, clicks: click,
      propensities: propensity, samples: CategoricalColumn(session))
    otherScores = other
  }
}

@Suite("Ranking.InversePropensityEvaluation")
struct InversePropensityEvaluationTests {
  @Test("IPS recovers the true DCG within its interval; the naive estimate does not")
  func ipsRecoversTheTruth() throws {
    let log = try SimulatedClickLog(seed: 16)
    let evaluation = InversePropensityEvaluation(
      cutoff: 5, bootstrapSamples: 400, quantiles: [0.005, 0.995], seed: 3)
    let report = try evaluation.evaluated(
      log.lists, rankers: [.logged, .init(name: "other", order: .scores(log.otherScores))])
    for (r, name) in report.rankers.enumerated() {
      for estimate in report.estimates[r] {
        guard let truth = estimate.truth else {
          Issue.record("no truth")
          continue
        }
        let label = "\(name) \(estimate.measure)"
        // The estimator that targets this measure.
        let (value, interval) =
          estimate.measure == .dcg
          ? (estimate.ips!, estimate.ipsInterval!)
          : (estimate.selfNormalized!, estimate.selfNormalizedInterval!)
        #expect(interval[0] <= truth && truth <= interval[1], "\(label): \(truth) ∉ \(interval)")
        #expect(abs(value - truth) < 0.1 * max(abs(truth), 0.1), "\(label)")
        // Clicks as relevance under-count what the logged ranker showed low: its DCG (and any
        // ranker's) and its DCG per relevant item are off.
        if estimate.measure == .dcg || (estimate.measure == .dcgPerRelevant && name == "logged") {
          let naive = estimate.naiveInterval!
          #expect(!(naive[0] <= truth && truth <= naive[1]), "\(label): naive covers the truth")
        }
      }
    }
  }

  @Test("the click model's propensities recover the examination curve")
  func clickModelRecoversPropensities() throws {
    let log = try SimulatedClickLog(seed: 7, queries: 200, sessions: 50, shuffled: true)
    let model = try PositionBasedClickModel(tolerance: 1e-6).fitted(to: log.lists)
    #expect(model.converged)
    for k in 1..<log.theta.count {
      #expect(abs(model.propensities[k] - log.theta[k] / log.theta[0]) < 0.05, "rank \(k + 1)")
    }
    // IPS with the estimated propensities is close to IPS with the true ones.
    let evaluation = InversePropensityEvaluation(cutoff: 10)
    let given = try evaluation.evaluated(log.lists)
    let estimated = try evaluation.evaluated(log.lists, propensities: .model(model))
    let a = given.estimates[0][2].selfNormalized!
    let b = estimated.estimates[0][2].selfNormalized!
    #expect(abs(a - b) < 0.05)
  }

  @Test("bootstrap intervals do not depend on the number of cores, only on the seed")
  func bootstrapIsReproducible() throws {
    let log = try SimulatedClickLog(seed: 1, queries: 50, sessions: 2)
    let evaluation = InversePropensityEvaluation(bootstrapSamples: 50, seed: 9)
    let a = try evaluation.evaluated(log.lists)
    let b = try evaluation.evaluated(log.lists)
    #expect(a == b)
    var other = evaluation
    other.seed = 10
    #expect(try other.evaluated(log.lists) != a)
  }

  @Test("without clicks or propensities the evaluation says what is missing")
  func missingInputs() throws {
    let lists = try RankedLists(
      queries: CategoricalColumn(["q", "q"]), order: .ranks([1, 2]), clicks: [1, 0])
    #expect(throws: BiasKitError.self) { try InversePropensityEvaluation().evaluated(lists) }
    let noClicks = try RankedLists(
      queries: CategoricalColumn(["q", "q"]), items: CategoricalColumn(["a", "b"]),
      order: .ranks([1, 2]), clicks: [0, 0])
    #expect(throws: BiasKitError.self) { try PositionBasedClickModel().fitted(to: noClicks) }
  }
}
