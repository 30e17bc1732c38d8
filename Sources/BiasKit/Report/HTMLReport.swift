import Foundation

/// A self-contained HTML page of an audit: scorecard, bar charts per metric, a heat map for
/// intersectional groups, ROC / precision-recall / calibration curves, and how to reproduce it.
///
/// The page is inline SVG and CSS only: no script, no font or image fetched from anywhere (its
/// Content-Security-Policy forbids both), readable offline and printable (`@media print`).
/// Every label goes through ``Markup``, which escapes it; group labels in the HTML parts are
/// wrapped in `<bdi dir="auto">`, so Arabic or Hebrew group names keep their direction without
/// reordering the text around them.
///
/// The page is a list of ``Section`` values, in order, one file per section under
/// `Sources/BiasKit/Report/` (`ScorecardSection.swift`, `GroupsSection.swift`, …; the page
/// skeleton is `ReportPage.swift`, its style sheet `ReportStyleSheet.swift`). Other stages add
/// their own: mitigation (before/after bars, the accuracy–disparity trade-off of the candidate
/// predictors) builds a ``Section`` with ``BarChart``/``LineChart`` and calls
/// ``insert(_:before:)`` with ``SectionID/notes`` (or appends it), then ``html()``:
///
///     var page = try HTMLReport(report: audit, bounds: bounds, provenance: provenance)
///     page.insert(HTMLReport.Section(id: "mitigation", title: "Mitigation", content: chart.svg()),
///                 before: HTMLReport.SectionID.notes)
///     try AtomicFileWriter.write(page.html(), to: path)
///
/// Scorecard: each bound (``FairnessBound``, as `biaskit check --max/--min`) is evaluated on the
/// audit; without bounds, the conventional ones are shown, marked "default": a difference
/// ≤ 0.1 and a ratio ≥ 0.8 (the four-fifths rule) for every fairness scalar. For each bound the
/// page names the groups that drive the value (the lowest and highest group of the underlying
/// metric between groups, the group farthest from overall for `*_to_overall`).
///
/// Many groups: tables and charts show the ``Options/maximumGroupsShown`` largest groups and
/// summarise the others in one line, so the page stays small whatever the number of groups.
///
/// Text that names a parameter (`--bootstrap N`, `--y-score COL`) names it with
/// ``Options/naming`` (the library's names by default; the command-line tool passes its flags).
///
/// - Complexity: O(cells × metrics + distinct scores) to build; the page is
///   O(min(cells, maximumGroupsShown) × metrics) in size.
public struct HTMLReport: Sendable {
  /// One part of the page: a heading with an anchor, and its content.
  public struct Section: Sendable, Equatable {
    /// The anchor (`id` attribute).
    public var id: String
    /// The heading.
    public var title: String
    /// What the section shows.
    public var content: Markup

    /// A section with heading `title` and anchor `id`.
    public init(id: String, title: String, content: Markup) {
      self.id = id
      self.title = title
      self.content = content
    }
  }

  /// The ids of the sections the audit produces, in page order.
  public enum SectionID {
    /// The bounds and whether they hold.
    public static let scorecard = "scorecard"
    /// The groups and their sizes.
    public static let groups = "groups"
    /// A bar chart per metric.
    public static let metrics = "metrics"
    /// The intersection of the first two sensitive features.
    public static let heatMap = "heat-map"
    /// ROC, precision-recall and calibration curves.
    public static let curves = "curves"
    /// Why values are undefined.
    public static let notes = "notes"
  }

  /// What produced the page: shown in its footer so that it can be reproduced.
  public struct Provenance: Sendable, Equatable {
    /// The command line, one argument per element (as `CommandLine.arguments`).
    public var commandLine: [String]
    /// What was audited (a path, or a database and table).
    public var inputFile: String
    /// When the page was made.
    public var generated: Date
    /// The BiasKit version that made it.
    public var version: String

    /// The provenance of a page made now by this version of BiasKit.
    public init(
      commandLine: [String], inputFile: String, generated: Date = Date(),
      version: String = BiasKit.version
    ) {
      self.commandLine = commandLine
      self.inputFile = inputFile
      self.generated = generated
      self.version = version
    }

    /// The command line quoted for a POSIX shell.
    public var shellCommand: String {
      commandLine.map { argument in
        let safe =
          !argument.isEmpty
          && argument.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-_./=,:@%+".unicodeScalars.contains($0)
          }
        return safe ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
      }.joined(separator: " ")
    }
  }

  /// Choices of what to show.
  public struct Options: Sendable {
    /// Groups with fewer rows are flagged in every chart and table.
    public var minimumGroupSize = 30
    /// The metric of the heat map (default: selection rate when audited, else the first metric).
    public var heatMapMetric: Metric?
    /// Curves are drawn for the overall rows and this many of the largest groups (6 + overall:
    /// one colour each in the palette).
    public var maximumCurveGroups = 6
    /// Tables and charts show at most this many groups (the largest); the others are summarised.
    public var maximumGroupsShown = 200
    /// The heat map is drawn when it has at most this many cells.
    public var maximumHeatMapCells = 2_500
    /// How text names a parameter (the library's names by default; the command line passes its
    /// flags, so that the page says `--bootstrap N`).
    public var naming: @Sendable (Parameter) -> String = { $0.libraryName }

    /// The defaults.
    public init() {}
  }

  /// The page title.
  public var title: String
  /// The sections, in page order.
  public var sections: [Section]
  /// What produced the page.
  public var provenance: Provenance
  /// Rows of the audited input (shown in the footer).
  public var rowCount: Int

  /// Builds the page of `report`, with the scorecard of `bounds` (or the default bounds).
  ///
  /// `notes` are shown first in the notes section (e.g. that scores were counted in histogram
  /// bins).
  ///
  /// - Throws: ``BiasKitError`` when a bound reads a metric the audit does not have.
  public init(
    report: AuditReport, bounds: [FairnessBound] = [], provenance: Provenance,
    options: Options = Options(), notes: [String] = []
  ) throws {
    let builder = ReportBuilder(report: report, options: options)
    let isRegression = report.frame.isRegression
    let defaultBounds = bounds.isEmpty && (report.frame.isBinary || report.classAudit != nil)
    let used = defaultBounds ? HTMLReport.defaultBounds : bounds
    let results = try used.map { try $0.evaluate(report) }
    self.title = "BiasKit audit: \((provenance.inputFile as NSString).lastPathComponent)"
    self.provenance = provenance
    self.rowCount = report.frame.rowCount
    self.sections = [
      builder.scorecard(results, isDefault: defaultBounds, isRegression: isRegression),
      builder.groups(), builder.metricCharts(),
    ]
    if let heat = builder.heatMap() { sections.append(heat) }
    sections.append(builder.curves())
    sections.append(builder.notes(extra: notes))
  }

  /// A difference ≤ 0.1 and a ratio ≥ 0.8 for every fairness scalar.
  public static let defaultBounds: [FairnessBound] = FairnessMeasure.allCases.map {
    $0.isRatio
      ? FairnessBound(.fairness($0, method: .betweenGroups), .minimum, 0.8)
      : FairnessBound(.fairness($0, method: .betweenGroups), .maximum, 0.1)
  }

  /// Inserts `section` before the section with id `id` (at the end when there is none).
  public mutating func insert(_ section: Section, before id: String) {
    let index = sections.firstIndex { $0.id == id } ?? sections.endIndex
    sections.insert(section, at: index)
  }

  /// The page as text.
  public func html() -> String { document().rendered() + "\n" }
}
