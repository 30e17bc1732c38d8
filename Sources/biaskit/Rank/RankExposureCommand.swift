import ArgumentParser
import BiasKit
import Foundation

/// `biaskit rank exposure`: group exposure with DTR/DIR, expected exposure, rND/rKL/rRD,
/// top-k shares with FA*IR's test and NDCG/precision/recall@k by group.
struct RankExposureCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "exposure",
    abstract:
      "Exposure by group (DTR/DIR), expected exposure, rND/rKL/rRD, top-k shares, NDCG@k by group.")

  @OptionGroup var input: RankInputOptions

  @Option(
    help: "Position weights: logarithmic (1/log2(1+rank)), geometric (--patience) or reciprocal.")
  var weighting: WeightingChoice = .logarithmic

  @Option(help: "Patience of the geometric weights, in (0, 1].")
  var patience: Double = 0.5

  @Option(
    help: "Cut-offs k of the top-k shares and NDCG/precision/recall, comma-separated.",
    transform: Flags.parsing(RankExposureCommand.parseCutoffs))
  var k: [Int] = [10]

  @Option(help: "Distance between the cut-offs of rND/rKL/rRD (10, 20, …).")
  var step: Int = 10

  @Option(help: "The protected item group (default: the group with the fewest rows).")
  var protected: String?

  @Option(help: "Target protected proportion of FA*IR's top-k test (default: each list's own).")
  var p: Double?

  @Option(help: "Significance of FA*IR's top-k test, in (0, 0.5].")
  var alpha: Double = 0.1

  @Option(
    help:
      "table, json, csv (one row per measure, group and cut-off) or html (a page, with --output).")
  var format: ExposureFormat = .table

  @Option(help: "Write to this file (atomically) instead of standard output.")
  var output: String?

  static func parseCutoffs(_ text: String) throws -> [Int] {
    try text.split(separator: ",").map { part -> Int in
      let trimmed = part.trimmingCharacters(in: .whitespaces)
      guard let value = Int(trimmed), value >= 1 else {
        throw BiasKitError(.invalidArgument, "a cut-off k is a whole number ≥ 1, not '\(trimmed)'")
      }
      return value
    }
  }

  func run() throws {
    try RankOutput.check(patience: patience)
    try RankOutput.check(alpha: alpha)
    if let p { try RankOutput.check(p: p) }
    guard step >= 2 else {
      throw BiasKitError(.invalidArgument, "--step must be at least 2; got \(step)")
    }
    let cutoffs = try RankOutput.cutoffs(k.isEmpty ? [10] : k)
    let table = try input.load()
    let report = try RankExposureReport(
      table: table, weighting: weighting.weighting(patience: patience), cutoffs: cutoffs,
      step: step, protectedName: protected, proportion: p, alpha: alpha)
    let text: String
    switch format {
    case .json: text = report.json().serialized() + "\n"
    case .csv: text = report.csv().text
    case .table: text = report.terminalText()
    case .html:
      text = try report.html(
        provenance: HTMLReport.Provenance(
          commandLine: CommandLine.arguments, inputFile: input.input))
    }
    try RankOutput.write(text, to: output)
  }
}

/// How `rank exposure` writes its report.
enum ExposureFormat: String, CaseIterable, ExpressibleByArgument {
  case table, json, csv, html
}

/// Every exposure measure of one input, computed by the library.
struct RankExposureReport {
  var table: RankingTable
  var exposure: GroupExposure.Report
  var expected: ExpectedExposure.Report?
  var divergence: RankedGroupDivergence.Report?
  var shares: TopKShares.Report?
  var quality: RankingQuality.Report?
  var protectedGroup: Int
  var alpha: Double
  var proportion: Double?

  init(
    table: RankingTable, weighting: PositionWeighting, cutoffs: [Int], step: Int,
    protectedName: String?, proportion: Double?, alpha: Double
  ) throws {
    let lists = table.lists
    self.table = table
    self.alpha = alpha
    self.proportion = proportion
    protectedGroup = try RankOutput.protectedGroup(protectedName, in: lists)
    // The cut-offs first: a k longer than a list is the user's mistake to report.
    let kMax = cutoffs.max() ?? 1
    for l in 0..<lists.listCount where lists.listStart[l + 1] - lists.listStart[l] < kMax {
      throw BiasKitError(
        .invalidArgument,
        "--k \(kMax) is larger than the \(lists.listStart[l + 1] - lists.listStart[l]) items of \(lists.listName(l))"
      )
    }
    exposure = try GroupExposure(weighting: weighting).evaluated(lists)
    if lists.items != nil, lists.relevance != nil {
      expected = try ExpectedExposure(weighting: weighting).evaluated(lists)
    }
    if lists.groupCount >= 2 {
      divergence = try RankedGroupDivergence(step: step).evaluated(
        lists, protectedGroup: protectedGroup)
      shares = try TopKShares(cutoffs: cutoffs, proportion: proportion, significance: alpha)
        .evaluated(lists, protectedGroup: protectedGroup)
    }
    if lists.relevance != nil {
      quality = try RankingQuality(cutoffs: cutoffs).evaluated(lists)
    }
  }

  var groupNames: [String] { table.lists.groupNames }

  /// The page: exposure bars and curves, top-k shares, and FA*IR's prefix test at the largest
  /// k with --p (or the protected group's overall share).
  func html(provenance: HTMLReport.Provenance) throws -> String {
    let lists = table.lists
    var fairTable: FAIR.MTable? = nil
    if let shares, let k = shares.cutoffs.max() {
      var p = proportion
      if p == nil {
        let protectedRows = lists.groups.lazy.filter { Int($0) == protectedGroup }.count
        p = Double(protectedRows) / Double(lists.rowCount)
      }
      if let p, p > 0, p < 1 {
        fairTable = try FAIR(length: k, proportion: p, significance: alpha).table()
      }
    }
    let page = try HTMLReport(
      ranking: lists, exposure: exposure, shares: shares, table: fairTable,
      protectedGroup: protectedGroup, provenance: provenance)
    return page.html()
  }

  func exposureJSON(_ v: GroupExposure.Values) -> JSONValue {
    .object([
      ("queries", .integer(v.queryCount)),
      ("exposure", RankOutput.byGroup(groupNames, v.exposure)),
      ("relevance", RankOutput.byGroup(groupNames, v.relevance)),
      ("click_through", RankOutput.byGroup(groupNames, v.clickThrough)),
      ("exposure_difference", .number(v.exposureDifference)),
      ("exposure_ratio", .number(v.exposureRatio)),
      ("treatment", RankOutput.byGroup(groupNames, v.treatment)),
      ("impact", RankOutput.byGroup(groupNames, v.impact)),
      ("disparate_treatment_ratio", .number(v.disparateTreatmentRatio)),
      ("disparate_impact_ratio", .number(v.disparateImpactRatio)),
    ])
  }

  func qualityJSON(_ values: [RankingQuality.Values], cutoffs: [Int]) -> JSONValue {
    .array(
      zip(cutoffs, values).map { k, v in
        .object([
          ("k", .integer(k)), ("ndcg", .number(v.ndcg)), ("precision", .number(v.precision)),
          ("recall", .number(v.recall)),
          ("ndcg_by_group", RankOutput.byGroup(groupNames, v.groupNDCG)),
          ("precision_by_group", RankOutput.byGroup(groupNames, v.groupPrecision)),
          ("recall_by_group", RankOutput.byGroup(groupNames, v.groupRecall)),
        ])
      })
  }

  func json() -> JSONValue {
    var out = RankOutput.summary(table)
    out.append(("weighting", .string(exposure.weighting.name)))
    out.append(("protected_group", .string(groupNames[protectedGroup])))
    var exposureOut: [(String, JSONValue)] = [("mean", exposureJSON(exposure.mean))]
    if let groups = exposure.byQueryGroup, let names = exposure.queryGroupNames {
      exposureOut.append(
        ("by_query_group", .object(zip(names, groups).map { ($0, exposureJSON($1)) })))
    }
    out.append(("exposure", .object(exposureOut)))
    if let expected {
      let v = expected.mean
      out.append(
        (
          "expected_exposure",
          .object([
            ("weighting", .string(expected.weighting.name)), ("loss", .number(v.loss)),
            ("disparity", .number(v.disparity)), ("relevance", .number(v.relevance)),
            ("group_loss", .number(v.groupLoss)), ("group_disparity", .number(v.groupDisparity)),
            ("group_relevance", .number(v.groupRelevance)),
            ("group_exposure", RankOutput.byGroup(groupNames, v.groupExposure)),
            ("group_target", RankOutput.byGroup(groupNames, v.groupTarget)),
          ])
        ))
    }
    if let divergence {
      out.append(
        (
          "divergence",
          .object([
            ("step", .integer(divergence.step)), ("rND", .number(divergence.mean.rND)),
            ("rKL", .number(divergence.mean.rKL)), ("rRD", .number(divergence.mean.rRD)),
          ])
        ))
    }
    if let shares {
      out.append(
        (
          "top_k",
          .array(
            shares.cutoffs.indices.map { c in
              let v = shares.mean[c]
              var entry: [(String, JSONValue)] = [
                ("k", .integer(shares.cutoffs[c])),
                ("shares", RankOutput.byGroup(groupNames, v.shares)),
                ("protected_count", .number(v.protectedCount)), ("p_value", .number(v.pValue)),
                ("passes", .number(v.passes)),
                ("passes_every_prefix", .number(v.passesEveryPrefix)),
              ]
              if let tables = shares.tables {
                entry.append(("alpha_adjusted", .number(tables[c].adjustedSignificance)))
              }
              return .object(entry)
            })
        ))
    }
    if let quality {
      var q: [(String, JSONValue)] = [("mean", qualityJSON(quality.mean, cutoffs: quality.cutoffs))]
      if let groups = quality.byQueryGroup, let names = quality.queryGroupNames {
        q.append(
          (
            "by_query_group",
            .object(zip(names, groups).map { ($0, qualityJSON($1, cutoffs: quality.cutoffs)) })
          ))
      }
      out.append(("quality", .object(q)))
    }
    return .object(out)
  }

  /// One row per (section, query group, measure, item group, cut-off).
  func csv() -> CSVWriter {
    var csv = CSVWriter(header: ["section", "query_group", "measure", "group", "k", "value"])
    func add(
      _ section: String, _ scope: String, _ measure: String, _ group: String, _ k: Int?,
      _ value: Double?
    ) {
      let text = value.map { $0.isFinite ? "\($0)" : "" } ?? ""
      csv.append([section, scope, measure, group, k.map(String.init) ?? "", text])
    }
    func addExposure(_ scope: String, _ v: GroupExposure.Values) {
      for (g, name) in groupNames.enumerated() {
        add("exposure", scope, "exposure", name, nil, v.exposure[g])
        add("exposure", scope, "relevance", name, nil, v.relevance?[g])
        add("exposure", scope, "treatment", name, nil, v.treatment?[g])
        add("exposure", scope, "impact", name, nil, v.impact?[g])
      }
      add("exposure", scope, "exposure_difference", "", nil, v.exposureDifference)
      add("exposure", scope, "exposure_ratio", "", nil, v.exposureRatio)
      add("exposure", scope, "disparate_treatment_ratio", "", nil, v.disparateTreatmentRatio)
      add("exposure", scope, "disparate_impact_ratio", "", nil, v.disparateImpactRatio)
    }
    addExposure("all", exposure.mean)
    if let groups = exposure.byQueryGroup, let names = exposure.queryGroupNames {
      for (name, v) in zip(names, groups) { addExposure(name, v) }
    }
    if let expected {
      let v = expected.mean
      add("expected_exposure", "all", "loss", "", nil, v.loss)
      add("expected_exposure", "all", "disparity", "", nil, v.disparity)
      add("expected_exposure", "all", "relevance", "", nil, v.relevance)
      add("expected_exposure", "all", "group_loss", "", nil, v.groupLoss)
    }
    if let divergence {
      let protectedName = groupNames[protectedGroup]
      for m in RankedGroupDivergence.Measure.allCases {
        add("divergence", "all", m.rawValue, protectedName, divergence.step, divergence.mean[m])
      }
    }
    if let shares {
      for (c, k) in shares.cutoffs.enumerated() {
        for (g, name) in groupNames.enumerated() {
          add("top_k", "all", "share", name, k, shares.mean[c].shares[g])
        }
        add("top_k", "all", "p_value", groupNames[protectedGroup], k, shares.mean[c].pValue)
        add("top_k", "all", "passes", groupNames[protectedGroup], k, shares.mean[c].passes)
      }
    }
    func addQuality(_ scope: String, _ values: [RankingQuality.Values], _ cutoffs: [Int]) {
      for (k, v) in zip(cutoffs, values) {
        add("quality", scope, "ndcg", "", k, v.ndcg)
        add("quality", scope, "precision", "", k, v.precision)
        add("quality", scope, "recall", "", k, v.recall)
        for (g, name) in groupNames.enumerated() {
          add("quality", scope, "ndcg", name, k, v.groupNDCG[g])
          add("quality", scope, "precision", name, k, v.groupPrecision[g])
          add("quality", scope, "recall", name, k, v.groupRecall[g])
        }
      }
    }
    if let quality {
      addQuality("all", quality.mean, quality.cutoffs)
      if let groups = quality.byQueryGroup, let names = quality.queryGroupNames {
        for (name, v) in zip(names, groups) { addQuality(name, v, quality.cutoffs) }
      }
    }
    return csv
  }

  func terminalText() -> String {
    let n = RankOutput.number
    var out = RankOutput.header(table)
    out += "protected group: \(groupNames[protectedGroup]); weights \(exposure.weighting.name)\n\n"
    func exposureRows(_ scope: String, _ v: GroupExposure.Values) -> [[String]] {
      groupNames.indices.map { g in
        [
          scope, groupNames[g], n(v.exposure[g]), n(v.relevance?[g]), n(v.clickThrough?[g]),
          n(v.treatment?[g]), n(v.impact?[g]),
        ]
      }
    }
    var rows = [["queries", "group", "exposure", "relevance", "click-through", "T", "I"]]
    rows += exposureRows("all", exposure.mean)
    if let groups = exposure.byQueryGroup, let names = exposure.queryGroupNames {
      for (name, v) in zip(names, groups) { rows += exposureRows(name, v) }
    }
    out += EstimateTable.table(rows)
    let m = exposure.mean
    out +=
      "exposure difference \(n(m.exposureDifference)), ratio \(n(m.exposureRatio)); disparate treatment ratio \(n(m.disparateTreatmentRatio)), disparate impact ratio \(n(m.disparateImpactRatio))\n"
    if let expected {
      let v = expected.mean
      out +=
        "\nexpected exposure (\(expected.weighting.name)): loss \(n(v.loss)), disparity \(n(v.disparity)), relevance \(n(v.relevance)); by group: loss \(n(v.groupLoss)), disparity \(n(v.groupDisparity)), relevance \(n(v.groupRelevance))\n"
    }
    if let divergence {
      out +=
        "\nrND \(n(divergence.mean.rND)), rKL \(n(divergence.mean.rKL)), rRD \(n(divergence.mean.rRD)) (cut-offs every \(divergence.step))\n"
    }
    if let shares {
      var shareRows = [["k", "protected"] + groupNames + ["p-value", "passes"]]
      for (c, k) in shares.cutoffs.enumerated() {
        let v = shares.mean[c]
        shareRows.append(
          [String(k), n(v.protectedCount)] + v.shares.map(n) + [n(v.pValue), n(v.passes)])
      }
      out += "\ntop-k shares (FA*IR's test, alpha \(n(alpha))):\n"
      out += EstimateTable.table(shareRows)
    }
    if let quality {
      var qualityRows = [["queries", "k", "group", "ndcg", "precision", "recall"]]
      func add(_ scope: String, _ values: [RankingQuality.Values]) {
        for (k, v) in zip(quality.cutoffs, values) {
          qualityRows.append([scope, String(k), "all", n(v.ndcg), n(v.precision), n(v.recall)])
          for (g, name) in groupNames.enumerated() {
            qualityRows.append([
              scope, String(k), name, n(v.groupNDCG[g]), n(v.groupPrecision[g]),
              n(v.groupRecall[g]),
            ])
          }
        }
      }
      add("all", quality.mean)
      if let groups = quality.byQueryGroup, let names = quality.queryGroupNames {
        for (name, v) in zip(names, groups) { add(name, v) }
      }
      out += "\n" + EstimateTable.table(qualityRows)
    }
    return out
  }
}
