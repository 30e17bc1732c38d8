import Foundation

/// The curves of the ranking report: how exposure accumulates down the lists, per group, and
/// how many protected items each prefix holds.
///
///     share(G, i)     = mean over lists of  Σ_{j ≤ i, d_j ∈ G} v(j) / Σ_{j ≤ i} v(j)
///     protected(i)    = mean over lists of  |{ j ≤ i : d_j protected }|
///
/// (lists shorter than i are left out of the mean at i; positions in ranking order, ties broken
/// by input order). share(G, n) is G's share of all the exposure of lists of n items.
///
/// - Complexity: O(n) for n rows.
public struct RankingCurves: Sendable, Equatable {
  /// `exposureShare[g][i − 1]`: share(g, i), for i = 1…longest list.
  public var exposureShare: [[Double]]
  /// `protectedCount[i − 1]`: protected(i), for i = 1…longest list.
  public var protectedCount: [Double]

  /// The curves of `lists` under `weighting`, `protectedGroup` counted in the prefixes.
  public init(_ lists: RankedLists, weighting: PositionWeighting, protectedGroup: Int) throws {
    try weighting.validate()
    guard (0..<lists.groupCount).contains(protectedGroup) else {
      throw BiasKitError(.invalidArgument, "protected group \(protectedGroup) does not exist")
    }
    let n = lists.longestListLength
    let g = lists.groupCount
    let table = PositionWeights(weighting, length: n)
    var share = [Double](repeating: 0, count: g * n)
    var count = [Double](repeating: 0, count: n)
    var listsAt = [Double](repeating: 0, count: n)
    var running = [Double](repeating: 0, count: g)
    for l in 0..<lists.listCount {
      let start = lists.listStart[l]
      let m = lists.listStart[l + 1] - start
      for h in 0..<g { running[h] = 0 }
      var total = 0.0
      var protected = 0
      for i in 0..<m {
        let h = Int(lists.groups[start + i])
        running[h] += table[i + 1]
        total += table[i + 1]
        if h == protectedGroup { protected += 1 }
        for j in 0..<g { share[j * n + i] += running[j] / total }
        count[i] += Double(protected)
        listsAt[i] += 1
      }
    }
    exposureShare = (0..<g).map { h in (0..<n).map { share[h * n + $0] / listsAt[$0] } }
    protectedCount = (0..<n).map { count[$0] / listsAt[$0] }
  }
}

extension HTMLReport {
  /// The ids of the ranking page's sections, in page order.
  public enum RankingSectionID {
    public static let exposure = "exposure"
    public static let curves = "exposure-curves"
    public static let shares = "top-k-shares"
    public static let fair = "fair-test"
  }

  /// A self-contained page of the exposure of ranked lists: each group's mean exposure with
  /// the parity, disparate treatment and impact ratios; the exposure-share curve of every group
  /// down the lists (``RankingCurves``); each group's share of the top k with FA*IR's test; and
  /// FA*IR's prefix test — the mean protected count of each prefix against the m-table — when a
  /// table is given. The same skeleton, style and escaping as the audit page.
  ///
  /// - Throws: ``BiasKitError`` when the protected group does not exist.
  public init(
    ranking lists: RankedLists, exposure: GroupExposure.Report, shares: TopKShares.Report?,
    table: FAIR.MTable?, protectedGroup: Int, provenance: Provenance,
    maximumCurveGroups: Int = 6
  ) throws {
    let curves = try RankingCurves(
      lists, weighting: exposure.weighting, protectedGroup: protectedGroup)
    let names = lists.groupNames
    let protectedName = names[protectedGroup]
    func number(_ value: Double?) -> String { ChartStyle.format(value, digits: 3) }
    var sections: [Section] = []

    // Mean exposure per group.
    let m = exposure.mean
    let bars = names.indices.map { g in
      BarChart.Bar(
        label: names[g], value: m.exposure[g].isFinite ? m.exposure[g] : nil,
        note: m.relevance.map { "relevance \(number($0[g]))" } ?? "")
    }
    var exposureChart = BarChart(
      id: "exposure-bars",
      title: "Mean exposure of each group's items (\(exposure.weighting.name))",
      bars: bars)
    exposureChart.domain = 0...max(1e-12, m.exposure.filter(\.isFinite).max() ?? 1)
    var summary =
      "Exposure difference \(number(m.exposureDifference)), ratio \(number(m.exposureRatio)) (1 = parity)"
    if let dtr = m.disparateTreatmentRatio, let dir = m.disparateImpactRatio {
      summary +=
        "; disparate treatment ratio \(number(dtr)), disparate impact ratio \(number(dir))"
    }
    summary += " — means over \(ChartStyle.count(m.queryCount)) queries."
    sections.append(
      Section(
        id: RankingSectionID.exposure, title: "Exposure by group",
        content: .fragment([.node("p", [:], text: summary), exposureChart.svg()])))

    // Exposure-share curves.
    let longest = lists.longestListLength
    let shown = Array(names.indices.prefix(maximumCurveGroups))
    var curveChart = LineChart(
      id: "exposure-curves", title: "Share of the exposure of the top i held by each group",
      xLabel: "position i", yLabel: "share of exposure",
      series: shown.map { g in
        LineChart.Series(
          name: names[g],
          points: curves.exposureShare[g].enumerated().map {
            LineChart.Point(x: Double($0.offset + 1), y: $0.element)
          })
      })
    curveChart.xDomain = 1...Double(max(2, longest))
    var curveNotes: [Markup] = [curveChart.svg()]
    if names.count > shown.count {
      curveNotes.append(
        .node(
          "p", ["class": "note"],
          text: "The first \(shown.count) of \(names.count) groups are drawn."))
    }
    sections.append(
      Section(
        id: RankingSectionID.curves, title: "Exposure by position",
        content: .fragment(curveNotes)))

    // Top-k shares.
    if let shares {
      var items: [Markup] = []
      var overall = 0.0
      for code in lists.groups where Int(code) == protectedGroup { overall += 1 }
      overall /= Double(max(1, lists.rowCount))
      for (c, k) in shares.cutoffs.enumerated() {
        let v = shares.mean[c]
        var chart = BarChart(
          id: "top-\(k)-shares", title: "Share of the top \(k)",
          bars: names.indices.map { g in
            BarChart.Bar(label: names[g], value: v.shares[g])
          },
          reference: BarChart.Reference(label: "\(protectedName) overall", value: overall),
          domain: 0...1)
        chart.flagNote = ""
        items.append(chart.svg())
        items.append(
          .node(
            "p", [:],
            text:
              "Top \(k): \(number(v.protectedCount)) \(protectedName) items on average; p-value \(number(v.pValue)); \(String(format: "%.0f", v.passes * 100))% of queries pass FA*IR's test."
          ))
      }
      sections.append(
        Section(id: RankingSectionID.shares, title: "Top-k shares", content: .fragment(items)))
    }

    // FA*IR's prefix test.
    if let table {
      let k = min(table.minimumProtected.count, longest)
      var chart = LineChart(
        id: "fair-prefix", title: "Protected items in the top i against FA*IR's minimum m(i)",
        xLabel: "prefix length i", yLabel: "\(protectedName) items",
        series: [
          LineChart.Series(
            name: "mean over lists",
            points: (0..<k).map { LineChart.Point(x: Double($0 + 1), y: curves.protectedCount[$0]) }
          ),
          LineChart.Series(
            name: "m(i), alpha_c \(number(table.adjustedSignificance))",
            points: (0..<k).map {
              LineChart.Point(x: Double($0 + 1), y: Double(table.minimumProtected[$0]))
            }),
        ])
      chart.xDomain = 1...Double(max(2, k))
      chart.yDomain = 0...Double(max(1, k))
      chart.markers = k <= 40
      sections.append(
        Section(id: RankingSectionID.fair, title: "FA*IR prefix test", content: chart.svg()))
    }

    self.title = "BiasKit ranking: \((provenance.inputFile as NSString).lastPathComponent)"
    self.provenance = provenance
    self.rowCount = lists.rowCount
    self.sections = sections
  }
}
