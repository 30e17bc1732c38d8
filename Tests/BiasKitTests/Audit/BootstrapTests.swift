import Foundation
import Testing

@testable import BiasKit

@Suite("Bootstrap")
struct BootstrapTests {
  static func adultFrame(_ metrics: [Metric]) throws -> (MetricFrame, AuditTable) {
    let table = try AuditTable(
      path: TestData.packageRoot.appendingPathComponent("Examples/adult-predictions.csv").path,
      columns: AuditColumns(
        yTrue: "y_true", yPred: "y_pred", yScore: "y_score", sensitive: ["sex", "race"]))
    return (try MetricFrame(metrics: metrics, data: table.data, sensitive: table.sensitive), table)
  }

  /// fairlearn's intervals (n_boot 1000, numpy streams) against ours (n_boot 1000, our
  /// streams): two Monte-Carlo estimates of the same quantiles must agree within their standard
  /// error, about 0.085·sd at 2.5%/97.5% and 0.040·sd at the median (√2 for the difference),
  /// with 5 standard errors of slack plus a lattice step for small groups' discrete values.
  @Test func intervalsAgreeWithFairlearnStatistically() throws {
    let root = try #require(
      try TestData.json(TestData.fixture("Audit/bootstrap-adult.json")) as? [String: Any])
    let spec = try #require(
      (root["cases"] as? [String: Any])?["adult-sex-race-bootstrap"] as? [String: Any])
    let metrics: [Metric] = [.accuracy, .selectionRate, .truePositiveRate, .falsePositiveRate]
    let (frame, table) = try Self.adultFrame(metrics)
    let bootstrap = Bootstrap(samples: 1000, quantiles: [0.025, 0.5, 0.975], seed: 12345)
    let intervals = try bootstrap.intervals(
      for: frame, data: table.data, sensitive: table.sensitive
    ).values
    let fairlearn = try #require(spec["intervals"] as? [String: [String: Any]])
    let sd = try #require(spec["bootstrap_sd"] as? [String: Any])
    var compared = 0
    var worst = 0.0
    for (qIndex, q) in bootstrap.quantiles.enumerated() {
      let c = q == 0.5 ? 0.040 : 0.085
      for section in [
        "overall", "by_group", "difference_between_groups", "difference_to_overall",
        "ratio_between_groups", "ratio_to_overall", "group_min", "group_max",
      ] {
        let expected = try #require(fairlearn["\(section)_ci"]?["\(q)"] as? [String: Any])
        let spread = try #require(sd[section] as? [String: Any])
        for (name, raw) in expected {
          let metric = try #require(Metric(name: name))
          #expect(metrics.contains(metric))
          var pairs: [(Double?, Any?, Any?, String, Int)] = []
          let smallest = frame.statistics.map(\.confusion.rows).min()!
          if section == "by_group" {
            for (key, value) in raw as? [String: Any] ?? [:] {
              let g = try #require(
                (0..<frame.groupCount).first { frame.groupKey($0).joined(separator: "|") == key })
              pairs.append(
                (
                  intervals[qIndex].value(metric, in: AuditCell(group: g)), value,
                  (spread[name] as? [String: Any])?[key],
                  "\(section) \(name) \(key)", frame.statistics[g].confusion.rows
                ))
            }
          } else {
            let value =
              section == "overall"
              ? intervals[qIndex].overall(metric)
              : intervals[qIndex].aggregate(try #require(Aggregate(rawValue: section)), metric)
            pairs.append(
              (
                value, raw, spread[name], "\(section) \(name)",
                section == "overall" ? frame.rowCount : smallest
              ))
          }
          for (ours, theirs, sdValue, label, rows) in pairs {
            guard let theirs = theirs as? Double, let s = sdValue as? Double else { continue }
            let value = try #require(ours, "\(label) q\(q) undefined")
            // Values of a group of r rows move in steps of about 1/r.
            let lattice = 1.0 / Double(max(rows, 1))
            let tolerance = 5 * 2.0.squareRoot() * c * s + lattice
            worst = max(worst, abs(value - theirs) / max(tolerance, 1e-12))
            #expect(
              abs(value - theirs) <= tolerance,
              "\(label) q\(q): \(value) vs fairlearn \(theirs) (sd \(s))")
            compared += 1
          }
        }
      }
    }
    #expect(compared > 150)
    print(
      "bootstrap vs fairlearn: \(compared) quantiles, worst |difference| / tolerance = \(worst)")
  }

  @Test func pooledAndRowResamplingAgree() throws {
    // With unit weights the row resampler must give the same distribution as the pooled one.
    let metrics: [Metric] = [.accuracy, .selectionRate]
    let (frame, table) = try Self.adultFrame(metrics)
    let weighted = AuditData.classification(
      labels: {
        if case .classification(let y, _, _) = table.data.outcomes { return y }; return []
      }(),
      predictions: {
        if case .classification(_, let p, _) = table.data.outcomes { return p }; return []
      }(),
      weights: [Double](repeating: 1, count: table.rowCount))
    let rowFrame = try MetricFrame(metrics: metrics, data: weighted, sensitive: table.sensitive)
    let bootstrap = Bootstrap(samples: 400, quantiles: [0.025, 0.975], seed: 3)
    let pooled = try bootstrap.intervals(for: frame, data: table.data, sensitive: table.sensitive)
    let rows = try bootstrap.intervals(for: rowFrame, data: weighted, sensitive: table.sensitive)
    for q in 0..<2 {
      let a = pooled.values[q].overall(.accuracy)!
      let b = rows.values[q].overall(.accuracy)!
      #expect(abs(a - b) < 0.0015, "accuracy q\(q): pooled \(a) vs rows \(b)")
    }
  }

  @Test func sameSeedSameIntervalsWhateverTheCores() throws {
    let (frame, table) = try Self.adultFrame([.accuracy, .truePositiveRate])
    let a = try Bootstrap(samples: 64, seed: 9).intervals(
      for: frame, data: table.data, sensitive: table.sensitive)
    let b = try Bootstrap(samples: 64, seed: 9).intervals(
      for: frame, data: table.data, sensitive: table.sensitive)
    #expect(a.values == b.values)
    let c = try Bootstrap(samples: 64, seed: 10).intervals(
      for: frame, data: table.data, sensitive: table.sensitive)
    #expect(a.values != c.values)
  }

  @Test(
    "binomial draws have the right mean and variance",
    arguments: [(20, 0.3), (1000, 0.02), (100_000, 0.4), (50, 0.9)])
  func binomialMoments(n: Int, p: Double) {
    var rng = SeededGenerator(seed: 42)
    let draws = 20_000
    var sum = 0.0
    var squares = 0.0
    for _ in 0..<draws {
      let k = Double(Binomial.sample(trials: n, probability: p, using: &rng))
      sum += k
      squares += k * k
    }
    let mean = sum / Double(draws)
    let variance = squares / Double(draws) - mean * mean
    let expectedVariance = Double(n) * p * (1 - p)
    #expect(abs(mean - Double(n) * p) < 5 * (expectedVariance / Double(draws)).squareRoot())
    #expect(abs(variance / expectedVariance - 1) < 0.05)
  }

  @Test func multinomialConservesTheTotal() {
    var rng = SeededGenerator(seed: 1)
    for _ in 0..<100 {
      let counts = Binomial.multinomial(
        total: 16_281, weights: [5, 0, 100, 3, 7000, 1], using: &rng)
      #expect(counts.reduce(0, +) == 16_281)
      #expect(counts[1] == 0)
    }
  }

  @Test func quantileIsNumpyLinear() {
    var values = [4.0, 1, 3, 2]
    #expect(Bootstrap.quantile(&values, 0.5) == 2.5)
    #expect(Bootstrap.quantile(&values, 0.025) == 1.075)
    var one = [7.0]
    #expect(Bootstrap.quantile(&one, 0.975) == 7)
  }
}
