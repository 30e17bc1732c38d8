import Foundation
import Testing

@testable import BiasKit

@Suite("Report: Markup and SVG charts")
struct ReportChartTests {
  @Test func markupEscapesTextAndAttributes() {
    let node = Markup.node("p", ["title": "a\"b'c<d>&"], text: "<script>alert('x')</script> & more")
    #expect(
      node.rendered()
        == "<p title=\"a&quot;b&#39;c&lt;d&gt;&amp;\">&lt;script&gt;alert('x')&lt;/script&gt; &amp; more</p>"
    )
    #expect(Markup.node("meta", ["charset": "utf-8"]).rendered() == "<meta charset=\"utf-8\">")
    // Right-to-left and combining text pass through unchanged.
    #expect(Markup.text("עברית عربي").rendered() == "עברית عربي")
  }

  @Test func rightToLeftLevelsAreIsolatedInSVGText() {
    #expect(ChartStyle.isolated("Female | White") == "Female | White")
    #expect(ChartStyle.isolated("עברית | 18–24") == "\u{2068}עברית\u{2069} | \u{2068}18–24\u{2069}")
    #expect(ChartStyle.hasRightToLeft("عربي") && !ChartStyle.hasRightToLeft("Río de la Plata"))
  }

  @Test func labelsWrapIntoAtMostTheGivenLines() {
    #expect(ChartStyle.wrap("short", width: 10, lines: 2) == ["short"])
    let wrapped = ChartStyle.wrap(
      "North-Eastern Metropolitan Region | 45–54 years, employed", width: 20, lines: 2)
    #expect(wrapped.count == 2)
    #expect(wrapped.allSatisfy { $0.count <= 20 })
    #expect(wrapped[1].hasSuffix("…"))
    #expect(ChartStyle.wrap("Female | White", width: 34, lines: 2) == ["Female | White"])
  }

  @Test func ticksAreRoundNumbersCoveringTheDomain() {
    let unit = ChartStyle.ticks(low: 0, high: 1)
    #expect(unit.count == 6 && unit.first == 0 && abs(unit.last! - 1) < 1e-12)
    let t = ChartStyle.ticks(low: -0.3, high: 2.7)
    #expect(t.first! >= -0.3 && t.last! <= 2.7 && t == [0, 1, 2])
    #expect(ChartStyle.format(nil) == "—")
    #expect(ChartStyle.format(0.12345) == "0.123")
    #expect(ChartStyle.count(1234567) == "1,234,567")
  }

  @Test func barChartDrawsOneBarPerDefinedValueWithWhiskersAndFlags() {
    var chart = BarChart(
      id: "t", title: "accuracy",
      bars: [
        .init(label: "A", value: 0.5, interval: (0.4, 0.6), note: "n = 100"),
        .init(label: "B", value: 0.9, flagged: true, note: "n = 3"),
        .init(label: "C", value: nil, note: "n = 0"),
      ])
    chart.reference = .init(label: "overall", value: 0.7)
    let svg = chart.svg()
    let rects = svg.elements(named: "rect").filter {
      ($0.attribute("class") ?? "").hasPrefix("bar")
    }
    #expect(rects.filter { $0.attribute("class") == "bar" }.count == 1)
    #expect(rects.filter { $0.attribute("class") == "bar flagged" }.count == 1)
    #expect(rects.filter { $0.attribute("class") == "bar-hatch" }.count == 1)
    #expect(svg.elements(named: "g").filter { $0.attribute("class") == "whisker" }.count == 1)
    let text = svg.rendered()
    #expect(text.contains("undefined"))
    #expect(text.contains("overall 0.700"))
    #expect(text.contains("small group"))
    // Bar lengths are proportional: on [0, 1], B's bar is 1.8 × A's.
    let widths = rects.filter { $0.attribute("class") != "bar-hatch" }.compactMap {
      Double($0.attribute("width")!)
    }
    #expect(abs(widths[1] / widths[0] - 1.8) < 0.01)
  }

  @Test func barChartDomainIncludesZeroAndNegativeValues() {
    let chart = BarChart(
      id: "n", title: "mcc", bars: [.init(label: "A", value: -0.2), .init(label: "B", value: 0.5)])
    #expect(chart.resolvedDomain.lowerBound < -0.2)
    #expect(chart.resolvedDomain.upperBound > 0.5)
    #expect(
      BarChart(id: "r", title: "rate", bars: [.init(label: "A", value: 0.2)]).resolvedDomain
        == 0...1)
  }

  @Test func longLabelsWrapAndRowsGrowWithTheGroups() {
    let labels = (0..<64).map { "Island Territories (overseas) | 45–54 years, employed #\($0)" }
    let chart = BarChart(id: "long", title: "x", bars: labels.map { .init(label: $0, value: 0.5) })
    let svg = chart.svg()
    let tspans = svg.elements(named: "tspan").compactMap { node -> String? in
      guard case .element(_, _, let children) = node, case .text(let text)? = children.first else {
        return nil
      }
      return text
    }
    #expect(!tspans.isEmpty)
    #expect(tspans.allSatisfy { $0.count <= chart.labelCharacters })
    // Two-line rows are 32 px apart: 64 rows need at least 64 × 32 px.
    let height = Double(svg.attribute("height")!)!
    #expect(height >= 64 * 32)
    // The full label stays available as a tooltip.
    #expect(
      svg.rendered().contains(
        "<title>Island Territories (overseas) | 45–54 years, employed #63</title>"))
  }

  @Test func lineChartDrawsEverySeriesWithItsOwnDashAndLegend() {
    let points = (0...1000).map {
      LineChart.Point(x: Double($0) / 1000, y: sqrt(Double($0) / 1000))
    }
    var chart = LineChart(
      id: "roc", title: "ROC", xLabel: "fpr", yLabel: "tpr",
      series: [
        .init(name: "overall", points: points), .init(name: "G1", points: points),
        .init(name: "G2", points: []),
      ])
    chart.diagonal = true
    let svg = chart.svg()
    let lines = svg.elements(named: "polyline")
    #expect(lines.count == 3)
    #expect(Set(lines.map { $0.attribute("stroke-dasharray") ?? "solid" }).count == 3)
    #expect(Set(lines.map { $0.attribute("stroke") ?? "" }).count == 3)
    // 1001 points on a 300 px plot are thinned to about one per pixel.
    let drawn = lines[0].attribute("points")!.split(separator: " ").count
    #expect(drawn < 600 && drawn > 100)
    #expect(svg.elements(named: "g").filter { $0.attribute("class") == "legend" }.count == 3)
  }

  @Test func heatMapColoursAndPrintsEveryCell() {
    let map = HeatMap(
      id: "h", title: "selection_rate", rowTitle: "sex", columnTitle: "race",
      rowLabels: ["F", "M"], columnLabels: ["a", "b", "c"],
      values: [[0.1, 0.5, nil], [0.9, 0.0, 1.0]])
    let svg = map.svg()
    let cells = svg.elements(named: "rect").filter {
      ($0.attribute("class") ?? "").hasPrefix("cell")
    }
    #expect(cells.count == 6)
    #expect(cells.filter { $0.attribute("class") == "cell undefined" }.count == 1)
    let text = svg.rendered()
    for value in ["0.10", "0.50", "0.90", "0.00", "1.00", "—"] {
      #expect(text.contains(">\(value)<"), "\(value)")
    }
    // The ramp is monotone in lightness: the low end is light, the high end dark.
    #expect(!ChartStyle.sequential(0).darkBackground && ChartStyle.sequential(1).darkBackground)
  }

  @Test func curvesFromScoreCountsMatchScikitLearn() throws {
    // y = [0, 0, 1, 1], s = [0.1, 0.4, 0.35, 0.8]: sklearn roc_curve(drop_intermediate=False) gives
    // fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1].
    let counts = ScoreCounts(
      values: [0.1, 0.35, 0.4, 0.8], positives: [0, 1, 0, 1], negatives: [1, 0, 1, 0])
    let roc = counts.rocCurve()
    #expect(roc.map(\.x) == [0, 0, 0.5, 0.5, 1])
    #expect(roc.map(\.y) == [0, 0.5, 0.5, 1, 1])
    // precision_recall_curve, reversed to descending thresholds: recall [0, .5, .5, 1, 1],
    // precision [1, 1, .5, 2/3, .5].
    let pr = counts.precisionRecallCurve()
    #expect(pr.map(\.x) == [0, 0.5, 0.5, 1, 1])
    #expect(pr.map(\.y) == [1, 1, 0.5, 2.0 / 3, 0.5])
    #expect(ScoreCounts(values: [0.3], positives: [0], negatives: [2]).rocCurve().isEmpty)
    var calibration = CalibrationStatistics(bins: 2)
    for (y, p) in [(0, 0.1), (1, 0.3), (1, 0.8), (1, 0.9)] as [(UInt8, Double)] {
      calibration.add(label: y, score: p)
    }
    let curve = calibration.calibrationCurve()
    #expect(curve.count == 2)
    #expect(abs(curve[0].x - 0.2) < 1e-12 && curve[0].y == 0.5)
    #expect(abs(curve[1].x - 0.85) < 1e-12 && curve[1].y == 1)
  }
}
