import Foundation
import Testing

@testable import BiasKit

/// Expected values made by scikit-learn 1.9.1, SciPy 1.17.1 and NumPy 2.4.6
/// (Fixtures/Ranking/make_ranking_fixtures.py).
enum RankingFixture {
  static let reference: [String: Any] =
    (try? TestData.json(TestData.fixture("Ranking/ranking_reference.json"))) as? [String: Any]
    ?? [:]

  static func section(_ name: String) -> [String: Any] {
    reference[name] as? [String: Any] ?? [:]
  }

  /// Rows of dictionaries as ranked lists.
  static func lists(
    _ rows: [[String: Any]], order: String, queryGroup: String? = nil, sample: String? = nil,
    clicks: Bool = false, propensities: Bool = false
  ) throws -> RankedLists {
    func strings(_ key: String) -> [String] { rows.map { "\($0[key]!)" } }
    func numbers(_ key: String) -> [Double] { rows.map { ($0[key] as! NSNumber).doubleValue } }
    let values = numbers(order)
    return try RankedLists(
      queries: CategoricalColumn(strings("query")), items: CategoricalColumn(strings("item")),
      order: order == "rank" ? .ranks(values) : .scores(values),
      groups: Groups(strings("group")),
      relevance: rows.first?["relevance"] == nil ? nil : numbers("relevance"),
      clicks: clicks ? rows.map { UInt8(($0["click"] as! NSNumber).intValue) } : nil,
      propensities: propensities ? numbers("propensity") : nil,
      samples: sample.map { CategoricalColumn(strings($0)) },
      queryGroups: queryGroup.map { Groups(strings($0)) })
  }
}

/// `expected` is a number or NSNull (an undefined value, NaN here).
func expectClose(
  _ actual: Double?, _ expected: Any?, _ tolerance: Double, _ label: String,
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  if expected == nil || expected is NSNull {
    #expect(
      actual == nil || actual!.isNaN, "\(label): expected undefined, got \(actual ?? 0)",
      sourceLocation: sourceLocation)
    return
  }
  let e = (expected as! NSNumber).doubleValue
  guard let actual, !actual.isNaN else {
    Issue.record("\(label): got NaN, expected \(e)", sourceLocation: sourceLocation)
    return
  }
  #expect(
    abs(actual - e) <= tolerance * max(1, abs(e)), "\(label): \(actual) vs \(e)",
    sourceLocation: sourceLocation)
}

@Suite("Ranking.Reference")
struct RankingReferenceTests {
  @Test("NDCG@k equals sklearn.metrics.ndcg_score (ties averaged), overall and per item group")
  func ndcgMatchesScikitLearn() throws {
    let section = RankingFixture.section("ndcg")
    let lists = try RankingFixture.lists(section["rows"] as! [[String: Any]], order: "score")
    #expect(lists.hasTies)
    let cutoffs = [1, 3, 5, 10]
    let report = try RankingQuality(cutoffs: cutoffs).evaluated(lists)
    let expected = section["queries"] as! [[String: [String: Any]]]
    for (q, values) in report.queries.enumerated() {
      for (c, k) in cutoffs.enumerated() {
        let e = expected[q][String(k)]!
        let v = values[c]
        expectClose(v.ndcg, e["ndcg"], 1e-12, "q\(q) ndcg@\(k)")
        expectClose(v.precision, e["precision"], 1e-12, "q\(q) precision@\(k)")
        expectClose(v.recall, e["recall"], 1e-12, "q\(q) recall@\(k)")
        for (h, name) in lists.groupNames.enumerated() {
          expectClose(v.groupNDCG[h], e["ndcg_\(name)"], 1e-12, "q\(q) ndcg_\(name)@\(k)")
          expectClose(
            v.groupPrecision[h], e["precision_\(name)"], 1e-12, "q\(q) precision_\(name)@\(k)")
          expectClose(v.groupRecall[h], e["recall_\(name)"], 1e-12, "q\(q) recall_\(name)@\(k)")
        }
      }
    }
    // The mean over queries is sklearn's mean over samples.
    let meanNDCG10 = expected.map { ($0["10"]!["ndcg"] as! NSNumber).doubleValue }
    expectClose(
      report.mean[3].ndcg, meanNDCG10.reduce(0, +) / Double(meanNDCG10.count), 1e-12,
      "mean ndcg@10")
  }

  @Test(
    "exposure, parity, DTR and DIR equal the NumPy reference",
    arguments: [
      ("logarithmic", PositionWeighting.logarithmic),
      ("geometric", PositionWeighting.geometric(patience: 0.5)),
      ("reciprocal", PositionWeighting.reciprocal),
    ])
  func exposureMatchesNumPy(name: String, weighting: PositionWeighting) throws {
    let section = RankingFixture.section("exposure")
    let lists = try RankingFixture.lists(
      section["rows"] as! [[String: Any]], order: "rank", queryGroup: "query_group")
    let report = try GroupExposure(weighting: weighting).evaluated(lists)
    let expected = (section["queries"] as! [String: Any])[name] as! [[String: Any]]
    #expect(report.queries.count == expected.count)
    for (q, values) in report.queries.enumerated() {
      let e = expected[q]
      for (h, group) in lists.groupNames.enumerated() {
        let g = e[group] as? [String: Any]
        expectClose(values.exposure[h], g?["exposure"], 1e-12, "\(name) q\(q) exposure \(group)")
        expectClose(values.relevance?[h], g?["relevance"], 1e-12, "q\(q) relevance \(group)")
        expectClose(values.clickThrough?[h], g?["ctr"], 1e-12, "q\(q) ctr \(group)")
        expectClose(values.treatment?[h], g?["treatment"], 1e-12, "q\(q) treatment \(group)")
        expectClose(values.impact?[h], g?["impact"], 1e-12, "q\(q) impact \(group)")
      }
      expectClose(values.exposureDifference, e["difference"], 1e-12, "\(name) q\(q) difference")
      expectClose(values.exposureRatio, e["ratio"], 1e-12, "\(name) q\(q) ratio")
      expectClose(values.disparateTreatmentRatio, e["dtr"], 1e-12, "\(name) q\(q) DTR")
      expectClose(values.disparateImpactRatio, e["dir"], 1e-12, "\(name) q\(q) DIR")
    }
    let means = (section["means"] as! [String: [String: Any]])[name]!
    expectClose(report.mean.exposure[0], means["exposure_F"], 1e-12, "mean exposure F")
    expectClose(report.mean.exposure[1], means["exposure_M"], 1e-12, "mean exposure M")
    expectClose(report.mean.exposureDifference, means["difference"], 1e-12, "mean difference")
    expectClose(report.mean.exposureRatio, means["ratio"], 1e-12, "mean ratio")
    expectClose(report.mean.disparateTreatmentRatio, means["dtr"], 1e-12, "mean DTR")
    expectClose(report.mean.disparateImpactRatio, means["dir"], 1e-12, "mean DIR")
    let byGroup = try #require(report.byQueryGroup)
    #expect(report.queryGroupNames == ["old", "young"])
    expectClose(byGroup[0].exposureRatio, means["ratio_old"], 1e-12, "ratio old")
    expectClose(byGroup[1].exposureRatio, means["ratio_young"], 1e-12, "ratio young")
  }

  @Test("tied scores give the exposure of a uniformly random tie-break")
  func tiedExposureIsTheMeanOverTieBreaks() throws {
    let section = RankingFixture.section("ties")
    let scores = (section["score"] as! [NSNumber]).map(\.doubleValue)
    let groups = section["group"] as! [String]
    let lists = try RankedLists(
      queries: CategoricalColumn(Array(repeating: "q", count: scores.count)),
      order: .scores(scores), groups: Groups(groups))
    let report = try GroupExposure().evaluated(lists)
    let expected = section["exposure"] as! [String: NSNumber]
    for (h, name) in lists.groupNames.enumerated() {
      expectClose(report.queries[0].exposure[h], expected[name], 1e-12, "group \(name)")
    }
  }

  @Test("rND, rKL and rRD equal the reference written from the paper's formulas")
  func divergenceMatchesReference() throws {
    let section = RankingFixture.section("divergence")
    let cases = section["lists"] as! [[String: Any]]
    var queries: [String] = []
    var groups: [String] = []
    var ranks: [Double] = []
    for (q, c) in cases.enumerated() {
      for (i, flag) in (c["protected"] as! [Int]).enumerated() {
        queries.append("q\(q)")
        groups.append(flag == 1 ? "protected" : "other")
        ranks.append(Double(i + 1))
      }
    }
    let lists = try RankedLists(
      queries: CategoricalColumn(queries), order: .ranks(ranks), groups: Groups(groups))
    let protected = lists.groupNames.firstIndex(of: "protected")!
    let report = try RankedGroupDivergence().evaluated(lists, protectedGroup: protected)
    for (q, c) in cases.enumerated() {
      let e = c["values"] as? [String: Any]
      let v = report.queries[q]
      for (j, m) in RankedGroupDivergence.Measure.allCases.enumerated() {
        expectClose(v[m], e?[m.rawValue], 1e-12, "q\(q) \(m.rawValue)")
        if e != nil {
          expectClose(v.rawSums[j], e?["raw_\(m.rawValue)"], 1e-12, "q\(q) raw \(m.rawValue)")
          expectClose(v.normalizers[j], e?["z_\(m.rawValue)"], 1e-12, "q\(q) Z \(m.rawValue)")
        }
      }
    }
    // Z is the brute-force maximum over all rankings on small lists.
    for c in section["normalizers"] as! [[String: Any]] {
      let n = c["n"] as! Int
      let total = c["protected"] as! Int
      let step = c["step"] as! Int
      let z = c["z"] as! [String: NSNumber]
      for m in RankedGroupDivergence.Measure.allCases {
        let actual = RankedGroupDivergence(step: step).normalizer(m, count: n, protected: total)
        expectClose(actual, z[m.rawValue], 1e-12, "Z \(m.rawValue) n=\(n) protected=\(total)")
      }
    }
  }

  @Test("top-k shares and FA*IR's binomial test equal SciPy's binom.cdf and binom.ppf")
  func topKMatchesSciPy() throws {
    let cases = RankingFixture.section("topk")["lists"] as! [[String: Any]]
    var queries: [String] = []
    var groups: [String] = []
    var ranks: [Double] = []
    for (q, c) in cases.enumerated() {
      for (i, flag) in (c["protected"] as! [Int]).enumerated() {
        queries.append("q\(q)")
        groups.append(flag == 1 ? "protected" : "other")
        ranks.append(Double(i + 1))
      }
    }
    let lists = try RankedLists(
      queries: CategoricalColumn(queries), order: .ranks(ranks), groups: Groups(groups))
    let protected = lists.groupNames.firstIndex(of: "protected")!
    let cutoffs = [5, 10, 20]
    let own = try TopKShares(cutoffs: cutoffs).evaluated(lists, protectedGroup: protected)
    let fixed = try TopKShares(cutoffs: cutoffs, proportion: 0.4).evaluated(
      lists, protectedGroup: protected)
    for (q, c) in cases.enumerated() {
      let byK = c["cutoffs"] as! [String: [String: Any]]
      for (ci, k) in cutoffs.enumerated() {
        let e = byK[String(k)]!
        expectClose(own.queries[q][ci].shares[protected], e["share"], 1e-15, "q\(q) share@\(k)")
        expectClose(own.queries[q][ci].pValue, e["p_value_list"], 1e-13, "q\(q) p@\(k)")
        expectClose(fixed.queries[q][ci].pValue, e["p_value_fixed"], 1e-13, "q\(q) p fixed@\(k)")
        let tau = Int(own.queries[q][ci].protectedCount)
        #expect((own.queries[q][ci].passes == 1) == (tau >= e["m_list"] as! Int), "q\(q) @\(k)")
        #expect((fixed.queries[q][ci].passes == 1) == (tau >= e["m_fixed"] as! Int), "q\(q) @\(k)")
      }
    }
    #expect(fixed.tables?.count == 3)
  }

  @Test("expected exposure (EE-L, EE-D, EE-R, by group) equals the NumPy reference")
  func expectedExposureMatchesNumPy() throws {
    let cases = RankingFixture.section("expected_exposure")["queries"] as! [[String: Any]]
    var queries: [String] = []
    var items: [String] = []
    var samples: [String] = []
    var ranks: [Double] = []
    var groups: [String] = []
    var relevance: [Double] = []
    for (q, c) in cases.enumerated() {
      let rel = (c["relevance"] as! [NSNumber]).map(\.doubleValue)
      let group = c["group"] as! [String]
      for (s, order) in (c["samples"] as! [[Int]]).enumerated() {
        for (position, item) in order.enumerated() {
          queries.append("q\(q)")
          items.append("d\(item)")
          samples.append("s\(s)")
          ranks.append(Double(position + 1))
          groups.append(group[item])
          relevance.append(rel[item])
        }
      }
    }
    let lists = try RankedLists(
      queries: CategoricalColumn(queries), items: CategoricalColumn(items), order: .ranks(ranks),
      groups: Groups(groups), relevance: relevance,
      samples: CategoricalColumn(samples))
    let report = try ExpectedExposure().evaluated(lists)
    for (q, c) in cases.enumerated() {
      let v = report.queries[q]
      expectClose(v.loss, c["loss"], 1e-12, "q\(q) EE-L")
      expectClose(v.disparity, c["disparity"], 1e-12, "q\(q) EE-D")
      expectClose(v.relevance, c["relevance_measure"], 1e-12, "q\(q) EE-R")
      expectClose(v.idealNorm, c["ideal_norm"], 1e-12, "q\(q) ideal")
      expectClose(v.groupLoss, c["group_loss"], 1e-12, "q\(q) group EE-L")
      let ge = c["group_exposure"] as! [NSNumber]
      let gt = c["group_target"] as! [NSNumber]
      for h in 0..<2 {
        expectClose(v.groupExposure[h], ge[h], 1e-12, "q\(q) group exposure \(h)")
        expectClose(v.groupTarget[h], gt[h], 1e-12, "q\(q) group target \(h)")
      }
      #expect(abs(v.loss - (v.disparity - 2 * v.relevance + v.idealNorm)) < 1e-12)
    }
  }

  @Test("the click model's EM equals the NumPy EM; IPS and SNIPS equal the NumPy estimates")
  func clickModelAndIPSMatchNumPy() throws {
    let section = RankingFixture.section("click_model")
    let rows = section["rows"] as! [[String: Any]]
    let lists = try RankingFixture.lists(
      rows, order: "rank", sample: "session", clicks: true, propensities: true)
    let iterations = section["iterations"] as! Int
    let model = try PositionBasedClickModel(maximumIterations: iterations, tolerance: 0)
      .fitted(to: lists)
    #expect(model.iterations == iterations)
    let theta = (section["theta"] as! [NSNumber]).map(\.doubleValue)
    for k in theta.indices { expectClose(model.examination[k], theta[k], 1e-12, "theta \(k)") }
    let gammaByPair = section["gamma_by_pair"] as! [String: NSNumber]
    let itemCount = section["n_items"] as! Int
    for p in 0..<lists.rowCount {
      let row = rows[Int(lists.rows[p])]
      let q = Int(String("\(row["query"]!)".dropFirst()))!
      let d = Int(String("\(row["item"]!)".dropFirst()))!
      let expected = gammaByPair[String(q * itemCount + d)]
      expectClose(model.attractiveness[Int(model.pairOfPosition[p])], expected, 1e-12, "gamma")
    }
    let other = rows.map { ($0["other_score"] as! NSNumber).doubleValue }
    let cutoff = section["cutoff"] as! Int
    let report = try InversePropensityEvaluation(cutoff: cutoff).evaluated(
      lists, rankers: [.logged, .init(name: "other", order: .scores(other))])
    let estimates = section["estimates"] as! [String: [String: [String: NSNumber]]]
    for (r, name) in ["logged", "other"].enumerated() {
      let e = estimates[name]!
      for estimate in report.estimates[r] {
        let key: String
        switch estimate.measure {
        case .dcg: key = "dcg"
        case .dcgPerRelevant: key = "dcg_per_relevant"
        case .recall: key = "recall"
        case .exposure(let h): key = "exposure_\(lists.groupNames[h])"
        }
        expectClose(estimate.naive, e["naive"]![key], 1e-12, "\(name) naive \(key)")
        expectClose(estimate.truth, e["truth"]![key], 1e-12, "\(name) truth \(key)")
        if let ips = estimate.ips {
          expectClose(ips, e["ips"]![key], 1e-12, "\(name) IPS \(key)")
        }
        if let snips = estimate.selfNormalized {
          expectClose(snips, e["ips"]![key], 1e-12, "\(name) SNIPS \(key)")
        }
      }
    }
  }
}
