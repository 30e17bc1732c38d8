import ArgumentParser
import BiasKit
import Foundation

/// `biaskit rank evaluate`: IPS and SNIPS estimates of DCG@k, recall@k and each group's
/// exposure from a click log, beside the naive clicks-as-relevance estimate.
struct RankEvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Unbiased evaluation from clicks: IPS/SNIPS beside the naive estimate.",
    discussion: """
      Needs --clicked and either --propensity or --estimate-propensity (the position-based \
      click model fitted by EM, which needs --item). The logged ranking is evaluated, and each \
      --compare column as the scores of another ranker of the same rows. With --relevance the \
      estimates are shown beside the truth (a simulation).
      """)

  @OptionGroup var input: RankInputOptions

  @Flag(
    name: .customLong("estimate-propensity"),
    help: "Estimate the propensity of each rank by the position-based click model's EM.")
  var estimatePropensity = false

  @Option(
    help: "Score columns of other rankers to evaluate on the same log, comma-separated.")
  var compare: [String] = []

  @Option(help: "The cut-off k of DCG@k and recall@k.")
  var k: Int = 10

  @Option(help: "Position weights of the group exposure: logarithmic, geometric or reciprocal.")
  var weighting: WeightingChoice = .logarithmic

  @Option(help: "Patience of the geometric weights, in (0, 1].")
  var patience: Double = 0.5

  @Option(help: "Bootstrap samples of the intervals (queries resampled; 0 for none).")
  var bootstrap: Int = 0

  @Option(help: "Seed of the bootstrap.")
  var seed: UInt64 = 0

  @Option(help: "table, json or csv.")
  var format: RankFormat = .table

  @Option(help: "Write to this file (atomically) instead of standard output.")
  var output: String?

  func run() throws {
    guard input.clicked != nil else {
      throw BiasKitError(.invalidArgument, "rank evaluate needs --clicked COLUMN")
    }
    switch (input.propensity != nil, estimatePropensity) {
    case (false, false):
      throw BiasKitError(
        .invalidArgument, "give --propensity COLUMN or --estimate-propensity (needs --item)")
    case (true, true):
      throw BiasKitError(.invalidArgument, "give --propensity or --estimate-propensity, not both")
    default: break
    }
    if estimatePropensity && input.item == nil {
      throw BiasKitError(.invalidArgument, "--estimate-propensity needs --item COLUMN")
    }
    guard k >= 1 else { throw BiasKitError(.invalidArgument, "--k must be at least 1; got \(k)") }
    guard bootstrap >= 0 else {
      throw BiasKitError(.invalidArgument, "--bootstrap must be 0 or more; got \(bootstrap)")
    }
    try RankOutput.check(patience: patience)
    let table = try input.load(compared: AuditInputOptions.split(compare))
    let lists = table.lists
    for l in 0..<lists.listCount where lists.listStart[l + 1] - lists.listStart[l] < k {
      throw BiasKitError(
        .invalidArgument,
        "--k \(k) is larger than the \(lists.listStart[l + 1] - lists.listStart[l]) items of \(lists.listName(l))"
      )
    }
    var model: PositionBasedClickModel.Model? = nil
    if estimatePropensity { model = try PositionBasedClickModel().fitted(to: lists) }
    let evaluation = InversePropensityEvaluation(
      cutoff: k, weighting: weighting.weighting(patience: patience), bootstrapSamples: bootstrap,
      seed: seed)
    let report = try evaluation.evaluated(
      lists, rankers: [.logged] + table.comparedRankers,
      propensities: model.map { .model($0) } ?? .given)
    let rendering = RankEvaluateRendering(table: table, report: report, model: model)
    let text: String
    switch format {
    case .json: text = rendering.json().serialized() + "\n"
    case .csv: text = rendering.csv().text
    case .table: text = rendering.terminalText()
    }
    try RankOutput.write(text, to: output)
  }
}

/// The outputs of `rank evaluate`.
struct RankEvaluateRendering {
  var table: RankingTable
  var report: InversePropensityEvaluation.Report
  var model: PositionBasedClickModel.Model?

  func name(_ measure: InversePropensityEvaluation.Measure) -> String {
    switch measure {
    case .dcg: return "dcg@\(report.cutoff)"
    case .dcgPerRelevant: return "dcg@\(report.cutoff)/relevant"
    case .recall: return "recall@\(report.cutoff)"
    case .exposure(let group): return "exposure(\(report.groupNames[group]))"
    }
  }

  /// IPS for DCG, SNIPS for the per-relevant-item measures.
  func unbiased(_ e: InversePropensityEvaluation.Estimate) -> (String, Double?, [Double]?) {
    if let ips = e.ips { return ("ips", ips, e.ipsInterval) }
    return ("snips", e.selfNormalized, e.selfNormalizedInterval)
  }

  func json() -> JSONValue {
    var out = RankOutput.summary(table)
    out += [
      ("k", .integer(report.cutoff)), ("clicks", .integer(report.clickCount)),
      ("propensities", .string(model == nil ? "given" : "estimated")),
    ]
    if let model {
      out.append(
        (
          "click_model",
          .object([
            ("propensities", RankOutput.numbers(model.propensities)),
            ("iterations", .integer(model.iterations)), ("converged", .bool(model.converged)),
          ])
        ))
    }
    out.append(
      (
        "rankers",
        .array(
          zip(report.rankers, report.estimates).map { ranker, estimates in
            .object([
              ("ranker", .string(ranker)),
              (
                "measures",
                .array(
                  estimates.map { e in
                    let (kind, value, interval) = unbiased(e)
                    var entry: [(String, JSONValue)] = [
                      ("measure", .string(name(e.measure))), ("naive", .number(e.naive)),
                      (kind, .number(value)),
                    ]
                    if let truth = e.truth { entry.append(("truth", .number(truth))) }
                    if let i = e.naiveInterval {
                      entry.append(("naive_interval", RankOutput.numbers(i)))
                    }
                    if let interval {
                      entry.append(("\(kind)_interval", RankOutput.numbers(interval)))
                    }
                    return .object(entry)
                  })
              ),
            ])
          })
      ))
    return .object(out)
  }

  func csv() -> CSVWriter {
    var csv = CSVWriter(
      header: ["ranker", "measure", "estimator", "value", "lower", "upper", "truth"])
    for (ranker, estimates) in zip(report.rankers, report.estimates) {
      for e in estimates {
        let (kind, value, interval) = unbiased(e)
        func text(_ v: Double?) -> String { v.map { $0.isFinite ? "\($0)" : "" } ?? "" }
        csv.append([
          ranker, name(e.measure), "naive", text(e.naive), text(e.naiveInterval?.first),
          text(e.naiveInterval?.last), text(e.truth),
        ])
        csv.append([
          ranker, name(e.measure), kind, text(value), text(interval?.first), text(interval?.last),
          text(e.truth),
        ])
      }
    }
    return csv
  }

  func terminalText() -> String {
    let n = RankOutput.number
    var out = RankOutput.header(table)
    out +=
      "\(report.clickCount) clicks; propensities \(model == nil ? "given" : "estimated by the position-based click model (EM)")\n"
    if let model {
      let shown = model.propensities.prefix(10).map { n($0) }.joined(separator: " ")
      out += "propensity by rank: \(shown)\(model.propensities.count > 10 ? " …" : "")\n"
    }
    out += "\n"
    let hasTruth = report.estimates.first?.first?.truth != nil
    let hasIntervals = report.estimates.first?.first?.naiveInterval != nil
    var header = ["ranker", "measure", "naive", "ips/snips"]
    if hasIntervals { header += ["naive interval", "ips/snips interval"] }
    if hasTruth { header.append("truth") }
    var rows = [header]
    func interval(_ i: [Double]?) -> String {
      guard let i, let lo = i.first, let hi = i.last else { return "-" }
      return "[\(n(lo)), \(n(hi))]"
    }
    for (ranker, estimates) in zip(report.rankers, report.estimates) {
      for e in estimates {
        let (_, value, unbiasedInterval) = unbiased(e)
        var row = [ranker, name(e.measure), n(e.naive), n(value)]
        if hasIntervals { row += [interval(e.naiveInterval), interval(unbiasedInterval)] }
        if hasTruth { row.append(n(e.truth)) }
        rows.append(row)
      }
    }
    out += EstimateTable.table(rows)
    out +=
      "naive: clicks taken for relevance (biased towards the top); ips/snips: clicks / propensity\n"
    return out
  }
}
