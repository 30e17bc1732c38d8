import Foundation

/// The mergeable state of an audit: the ``GroupStatistics`` of every cell (control level ×
/// sensitive group) with the layout that names the cells.
///
/// A file audit, a database push-down (``AggregationQuery``) and a Spark job all produce this
/// value; audits of shards computed anywhere combine with ``merged(_:)``, and
/// ``frame(metrics:options:aggregation:)`` turns any state into the same ``MetricFrame`` the
/// file audit builds, so every metric, aggregate and fairness scalar is computed by one engine.
///
/// Merging is a union: the levels of each feature are the sorted union of the parts' levels (in
/// ``Groups``'s order), every part's cells are remapped into the union's mixed-radix layout,
/// and cells that meet are merged (``GroupStatistics/merge(_:)``). It is associative and
/// commutative up to floating-point order:
///
/// - exact (to the last bit): the unweighted confusion counts and the unweighted per-distinct-
///   score counts (integers held in doubles below 2⁵³), hence every confusion-matrix metric,
///   `roc_auc` and `average_precision` of unweighted data;
/// - last bit: weighted sums, and the compensated calibration and regression sums (Brier, log
///   loss, ECE bins, MAE/MSE/R²), whose value depends on the order of additions (each is within
///   a few ulps of the exact sum).
///
/// Scores: per distinct value (exact AUC) while no cell has two distinct scores in one bin of
/// the ``ScoreHistogram`` (`--max-distinct-scores` bins); past it, ``binningScores(_:)`` maps
/// them onto the histogram, whose ``ScoreHistogram/aucErrorBound(_:)`` bounds the AUC error.
///
/// - Complexity: merging k parts is O(Σ cells + Σ distinct scores · log k).
public struct AuditState: Sendable, Equatable, Codable {
  /// A fixed-width histogram of scores: bin `b` of `[lower, upper)` holds the scores with
  /// `⌊(s − lower) / (upper − lower) · bins⌋ = b`, clamped to `[0, bins − 1]`.
  ///
  /// Binning is monotone, so pairs of scores in different bins keep their order and only pairs
  /// inside one bin become ties (scored ½ instead of 0 or 1). The AUC of the histogram is
  /// therefore within `Σ_b P_b N_b / (2 P N)` of the exact AUC (P_b, N_b the positives and
  /// negatives of bin b): ``aucErrorBound(_:)``.
  public struct ScoreHistogram: Sendable, Equatable, Codable, Hashable {
    public var lower: Double
    public var upper: Double
    public var bins: Int

    public init(lower: Double = 0, upper: Double = 1, bins: Int) {
      self.lower = lower
      self.upper = upper
      self.bins = bins
    }

    /// The bin of score `s` (the same arithmetic as the SQL of ``AggregationQuery``).
    public func bin(_ s: Double) -> Int {
      let x = (s - lower) / (upper - lower) * Double(bins)
      if !(x >= 0) { return 0 }
      if x >= Double(bins) { return bins - 1 }
      return Int(x.rounded(.down))
    }

    /// The largest possible |AUC(histogram) − AUC(exact)| of a group with these counts.
    public func aucErrorBound(_ counts: ScoreCounts) -> Double? {
      var p = 0.0, n = 0.0, ties = 0.0
      for k in counts.values.indices {
        p += counts.positives[k]
        n += counts.negatives[k]
        ties += counts.positives[k] * counts.negatives[k]
      }
      guard p > 0, n > 0 else { return nil }
      return ties / (2 * p * n)
    }
  }

  /// Identifies the file format.
  public var format = "biaskit-audit-state"
  public var version = 1
  public var task: AuditColumns.Task
  public var sensitiveFeatures: [String]
  public var sensitiveLevels: [[String]]
  public var controlFeatures: [String]
  public var controlLevels: [[String]]
  /// Nil while scores are counted per distinct value.
  public var scoreHistogram: ScoreHistogram?
  /// The classes of a multiclass audit, in class order (nil otherwise).
  public var classes: [String]?
  /// The statistics of each cell, in ``layout``'s cell order (``AuditLayout/cells``).
  public var statistics: [GroupStatistics]

  /// A state of these cells.
  public init(
    task: AuditColumns.Task, sensitiveFeatures: [String], sensitiveLevels: [[String]],
    controlFeatures: [String] = [],
    controlLevels: [[String]] = [], scoreHistogram: ScoreHistogram? = nil,
    statistics: [GroupStatistics], classes: [String]? = nil
  ) {
    self.classes = classes
    self.task = task
    self.sensitiveFeatures = sensitiveFeatures
    self.sensitiveLevels = sensitiveLevels
    self.controlFeatures = controlFeatures
    self.controlLevels = controlLevels
    self.scoreHistogram = scoreHistogram
    self.statistics = statistics
  }

  /// The state of a frame computed from rows.
  public init(frame: MetricFrame, task: AuditColumns.Task) {
    self.init(
      task: task, sensitiveFeatures: frame.sensitiveFeatures,
      sensitiveLevels: frame.sensitiveLevels,
      controlFeatures: frame.controlFeatures, controlLevels: frame.controlLevels,
      statistics: frame.statistics, classes: frame.classes.isEmpty ? nil : frame.classes)
  }

  /// The cells and their names.
  public var layout: AuditLayout {
    AuditLayout(
      sensitiveFeatures: sensitiveFeatures, sensitiveLevels: sensitiveLevels,
      controlFeatures: controlFeatures, controlLevels: controlLevels)
  }
  /// Number of sensitive groups.
  public var groupCount: Int { sensitiveLevels.reduce(1) { $0 * $1.count } }
  /// Number of control levels (1 without control features).
  public var controlCount: Int { controlLevels.reduce(1) { $0 * $1.count } }
  /// (cell, distinct score) pairs held.
  public var distinctScoreCount: Int {
    statistics.reduce(0) { $0 + ($1.scores?.values.count ?? 0) }
  }

  /// The frame of `metrics` over this state.
  ///
  /// - Throws: ``BiasKitError`` when a metric needs statistics the state lacks (scores,
  ///   calibration sums, regression sums).
  public func frame(
    metrics: [Metric], options: AuditOptions = AuditOptions(),
    aggregation: FairnessMeasure.Aggregation = .worstCase
  ) throws -> MetricFrame {
    let needs = CountingPass.Needs(metrics: metrics)
    let have = statistics.first
    for metric in metrics {
      switch metric {
      case .rocAUC, .averagePrecision:
        if have?.scores == nil {
          throw BiasKitError.stateLacks(metric, "score counts (audit with \(.yScore))")
        }
      case .brierScore, .logLoss, .expectedCalibrationError:
        if task != .multiclass, have?.calibration == nil {
          throw BiasKitError.stateLacks(
            metric,
            scoreHistogram == nil
              ? "calibration sums (save the state with this metric requested)"
              : "exact scores (the scores were binned past \(.maxDistinctScores))")
        }
      case .meanAbsoluteError, .meanSquaredError, .r2Score, .meanPrediction:
        if have?.regression == nil {
          throw BiasKitError.stateLacks(metric, "regression sums (\(.task, "regression"))")
        }
      default: break
      }
    }
    if needs.calibration, let bins = have?.calibration?.binWeight.count, bins != options.bins {
      throw BiasKitError(
        .invalidArgument,
        "the state's calibration sums use \(bins) bins; audit it with \(.bins, "\(bins)")")
    }
    guard statistics.count == layout.cellCount else {
      throw BiasKitError(
        .malformedInput,
        "the audit state has \(statistics.count) cells; its levels make \(layout.cellCount)")
    }
    if task == .multiclass {
      let probabilities = have?.classes?.probabilities != nil
      for metric in metrics where !metric.isMulticlass {
        throw BiasKitError.binaryMetricInMulticlass(metric)
      }
      if !probabilities,
        let metric = metrics.first(where: {
          $0.requirement == .classScores || $0 == .logLoss || $0 == .brierScore
        })
      {
        throw BiasKitError.stateLacks(metric, "class probabilities")
      }
    }
    return MetricFrame(
      metrics: metrics, statistics: statistics, layout: layout, options: options,
      aggregation: aggregation, classes: classes ?? [])
  }

  /// The largest AUC error bound over the cells and the overall rows of each control level;
  /// nil when scores are exact.
  public var aucErrorBound: Double? {
    guard let histogram = scoreHistogram else { return nil }
    var worst = 0.0
    let layout = self.layout
    for c in 0..<layout.controlCount {
      let range = layout.indices(inControl: c)
      let cells = statistics[range.clamped(to: statistics.indices)]
      for cell in cells {
        if let s = cell.scores, let b = histogram.aucErrorBound(s) { worst = max(worst, b) }
      }
      let total = GroupStatistics.merged(cells)
      if let s = total.scores, let b = histogram.aucErrorBound(s) { worst = max(worst, b) }
    }
    return worst
  }

  // MARK: Scores

  /// The state with its scores on `histogram` (exact scores are binned; calibration sums, which
  /// were accumulated from the exact scores, are kept).
  public func binningScores(_ histogram: ScoreHistogram) throws -> AuditState {
    if let current = scoreHistogram {
      if current == histogram { return self }
      throw BiasKitError.histogramMismatch(current, histogram)
    }
    var copy = self
    copy.scoreHistogram = histogram
    for c in copy.statistics.indices {
      guard let scores = copy.statistics[c].scores else { continue }
      var binned = ScoreCounts()
      for k in scores.values.indices {
        let b = Double(histogram.bin(scores.values[k]))
        if binned.values.last == b {
          binned.positives[binned.positives.count - 1] += scores.positives[k]
          binned.negatives[binned.negatives.count - 1] += scores.negatives[k]
        } else {
          binned.values.append(b)
          binned.positives.append(scores.positives[k])
          binned.negatives.append(scores.negatives[k])
        }
      }
      copy.statistics[c].scores = binned
    }
    return copy
  }

  /// The state with its scores on `histogram` when some cell has two distinct scores of one
  /// label in one bin; else unchanged (its counts are then exact per distinct value). This is
  /// the rule a database's histogram result follows (``AggregatedRows``), so both give the same
  /// state.
  public func binningScoresIfNeeded(_ histogram: ScoreHistogram) throws -> AuditState {
    guard scoreHistogram == nil else { return try binningScores(histogram) }
    for cell in statistics {
      guard let s = cell.scores else { continue }
      for label in [s.negatives, s.positives] {
        var previous: Int? = nil
        for k in s.values.indices where label[k] != 0 {  // increasing, so equal bins are adjacent
          let b = histogram.bin(s.values[k])
          if b == previous { return try binningScores(histogram) }
          previous = b
        }
      }
    }
    return self
  }

  /// The state, exact when it has at most `bins` rows (so at most `bins` distinct scores) or
  /// when no cell has two distinct scores in one of `bins` bins of `[lower, upper)`; else on that
  /// histogram. ``DatabaseAudit`` follows the same rule.
  public func limitingDistinctScores(
    _ bins: Int, lower: Double = 0, upper: Double = 1
  ) throws -> AuditState {
    if scoreHistogram == nil, statistics.reduce(0, { $0 + $1.confusion.rows }) <= bins {
      return self
    }
    return try binningScoresIfNeeded(ScoreHistogram(lower: lower, upper: upper, bins: bins))
  }

  // MARK: Merge

  /// The audit state of the union of the parts' rows.
  ///
  /// - Throws: ``BiasKitError`` when the parts differ in task or feature names, or hold scores
  ///   on different histograms.
  public static func merged(_ parts: [AuditState]) throws -> AuditState {
    guard let first = parts.first else { throw BiasKitError(.invalidArgument, "nothing to merge") }
    for (k, part) in parts.enumerated().dropFirst() {
      guard part.task == first.task else {
        throw BiasKitError.stateMismatch(
          k, "task \(part.task.rawValue), not \(first.task.rawValue)")
      }
      guard part.sensitiveFeatures == first.sensitiveFeatures else {
        throw BiasKitError.stateMismatch(
          k, "sensitive features \(part.sensitiveFeatures), not \(first.sensitiveFeatures)")
      }
      guard part.controlFeatures == first.controlFeatures else {
        throw BiasKitError.stateMismatch(
          k, "control features \(part.controlFeatures), not \(first.controlFeatures)")
      }
      if let difference = AuditState.contentDifference(part, first) {
        throw BiasKitError.stateMismatch(k, difference)
      }
      if part.classes != first.classes, part.statistics.first?.classes?.probabilities != nil {
        throw BiasKitError.stateMismatch(
          k,
          "the classes \((part.classes ?? []).joined(separator: ", ")), not \((first.classes ?? []).joined(separator: ", ")), and class probabilities (whose columns must be the same classes)"
        )
      }
    }
    // Classes: the sorted union, every part's matrices remapped into it.
    var parts = parts
    if let firstClasses = first.classes {
      let all = Array(Set(parts.flatMap { $0.classes ?? [] }))
      let union = Groups.sortedOrder(all).map { all[$0] }
      if union != firstClasses || parts.contains(where: { $0.classes != union }) {
        parts = parts.map { $0.remappingClasses(into: union) }
      }
    }
    // Scores: one histogram for all, or exact for all.
    let histograms = Set(parts.compactMap(\.scoreHistogram))
    if histograms.count > 1 {
      throw BiasKitError.histogramMismatch(histograms.first!, histograms.dropFirst().first!)
    }
    if let histogram = histograms.first {
      parts = try parts.map { try $0.binningScores(histogram) }
    }
    let sensitive = union(parts.map(\.sensitiveLevels), features: first.sensitiveFeatures.count)
    let control = union(parts.map(\.controlLevels), features: first.controlFeatures.count)
    let union = AuditLayout(
      sensitiveFeatures: first.sensitiveFeatures, sensitiveLevels: sensitive,
      controlFeatures: first.controlFeatures, controlLevels: control)
    guard union.cellCount <= Groups.maximumGroups else {
      throw BiasKitError(
        .invalidArgument, "the merged states' features have too many combinations")
    }
    var statistics = [GroupStatistics?](repeating: nil, count: union.cellCount)
    for part in parts {
      let sensitiveMap = remap(part.sensitiveLevels, into: sensitive)
      let controlMap = remap(part.controlLevels, into: control)
      let partLayout = part.layout
      for (index, stats) in part.statistics.enumerated() {
        let cell = partLayout.cell(at: index)
        let g = code(cell.group, from: part.sensitiveLevels, map: sensitiveMap, into: sensitive)
        let c = code(cell.control, from: part.controlLevels, map: controlMap, into: control)
        let target = union.index(of: AuditCell(control: c, group: g))
        if statistics[target] == nil {
          statistics[target] = stats
        } else {
          statistics[target]!.merge(stats)
        }
      }
    }
    // Cells no part has: empty, with the same optional statistics as the others.
    var empty = GroupStatistics()
    if let some = statistics.lazy.compactMap({ $0 }).first {
      if some.scores != nil { empty.scores = ScoreCounts() }
      if let calibration = some.calibration {
        empty.calibration = CalibrationStatistics(bins: calibration.binWeight.count)
      }
      if some.regression != nil { empty.regression = RegressionStatistics() }
      if let classes = some.classes {
        empty.classes = MulticlassCounts(classCount: classes.classCount)
        if classes.probabilities != nil {
          empty.classes?.probabilities = ProbabilitySums(classCount: classes.classCount)
        }
      }
    }
    var result = first
    result.classes = parts.first?.classes
    result.sensitiveLevels = sensitive
    result.controlLevels = control
    result.scoreHistogram = histograms.first
    result.statistics = statistics.map { $0 ?? empty }
    return result
  }

  /// What `part` carries that `first` does not (or the other way round): score counts,
  /// calibration sums (and their bins), regression sums. Nil when they carry the same.
  static func contentDifference(_ part: AuditState, _ first: AuditState) -> String? {
    guard let a = part.statistics.first, let b = first.statistics.first else { return nil }
    func has(_ present: Bool) -> String { present ? "has" : "has no" }
    if (a.scores == nil) != (b.scores == nil) {
      return
        "\(a.scores != nil ? "score counts (roc_auc, average_precision)" : "no score counts") and the first \(has(b.scores != nil)) (save both with the same score column and metrics)"
    }
    if (a.calibration == nil) != (b.calibration == nil) {
      return
        "\(a.calibration != nil ? "calibration sums (brier_score, log_loss, expected_calibration_error)" : "no calibration sums") and the first \(has(b.calibration != nil)) (save both with the same metrics)"
    }
    if let x = a.calibration?.binWeight.count, let y = b.calibration?.binWeight.count, x != y {
      return
        "calibration sums over \(x) bins and the first over \(y) (save both with the same bins)"
    }
    if (a.classes == nil) != (b.classes == nil) {
      return
        "\(a.classes != nil ? "multiclass counts" : "no multiclass counts") and the first \(has(b.classes != nil))"
    }
    if (a.classes?.probabilities == nil) != (b.classes?.probabilities == nil) {
      return
        "\(a.classes?.probabilities != nil ? "class probabilities" : "no class probabilities") and the first \(has(b.classes?.probabilities != nil)) (save both with the same probability columns and metrics)"
    }
    if (a.regression == nil) != (b.regression == nil) {
      return
        "\(a.regression != nil ? "regression sums" : "no regression sums") and the first \(has(b.regression != nil))"
    }
    return nil
  }

  /// The state with its class matrices over `union` (a superset of its classes, sorted).
  func remappingClasses(into union: [String]) -> AuditState {
    guard let classes, classes != union else { return self }
    let position = classes.map { name in union.firstIndex(of: name) ?? 0 }
    let k = classes.count
    let target = union.count
    var copy = self
    copy.classes = union
    for i in copy.statistics.indices {
      guard let old = copy.statistics[i].classes else { continue }
      var new = MulticlassCounts(classCount: target)
      for t in 0..<k {
        for p in 0..<k {
          new.confusion[position[t] * target + position[p]] = old.confusion[t * k + p]
          new.counts[position[t] * target + position[p]] = old.counts[t * k + p]
        }
      }
      copy.statistics[i].classes = new
    }
    return copy
  }

  static func union(_ levels: [[[String]]], features: Int) -> [[String]] {
    (0..<features).map { f in
      let all = Array(Set(levels.flatMap { $0[f] }))
      return Groups.sortedOrder(all).map { all[$0] }
    }
  }

  static func remap(_ levels: [[String]], into union: [[String]]) -> [[Int]] {
    levels.indices.map { f in
      var position: [String: Int] = [:]
      for (k, level) in union[f].enumerated() { position[level] = k }
      return levels[f].map { position[$0]! }
    }
  }

  /// The code in the union layout of the cell whose code is `code` in the part's layout.
  static func code(
    _ code: Int, from levels: [[String]], map: [[Int]], into union: [[String]]
  ) -> Int {
    var remainder = code
    var digits = [Int](repeating: 0, count: levels.count)
    for f in levels.indices.reversed() {
      digits[f] = map[f][remainder % levels[f].count]
      remainder /= levels[f].count
    }
    var result = 0
    for f in union.indices { result = result * union[f].count + digits[f] }
    return result
  }

  // MARK: JSON

  /// The state as JSON (doubles written to round-trip exactly).
  public func encoded() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(self)
  }

  /// Reads a state written by ``encoded()``.
  public init(contentsOf path: String) throws {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw BiasKitError(
        .io, "\(path): cannot read the audit state (\(error.localizedDescription))")
    }
    do {
      self = try JSONDecoder().decode(AuditState.self, from: data)
    } catch {
      throw BiasKitError(
        .malformedInput, "\(path): not a BiasKit audit state (\(AuditState.describe(error)))")
    }
    guard format == "biaskit-audit-state", version == 1 else {
      throw BiasKitError(
        .malformedInput, "\(path): not a BiasKit audit state (format \(format) version \(version))")
    }
    try validate(path)
  }

  /// The largest row count a cell of a loaded state may hold (2⁴⁸): far beyond any data set,
  /// and low enough that merging tens of thousands of states cannot overflow `Int`.
  static let maximumCount = 1 << 48

  /// Checks the invariants a decoded state must hold.
  func validate(_ path: String) throws {
    let broken = { (what: String) in
      BiasKitError(.malformedInput, "\(path): invalid audit state: \(what)")
    }
    guard sensitiveLevels.count == sensitiveFeatures.count,
      controlLevels.count == controlFeatures.count,
      !sensitiveFeatures.isEmpty
    else { throw broken("features and levels differ in number") }
    guard (sensitiveLevels + controlLevels).allSatisfy({ !$0.isEmpty && Set($0).count == $0.count })
    else {
      throw broken("a feature has no levels or a repeated level")
    }
    // The product of the level counts, without overflow (each count is at least 1, so the
    // product only grows: stop once it passes the cells the file holds).
    var cells = 1
    for levels in sensitiveLevels + controlLevels {
      let (product, overflow) = cells.multipliedReportingOverflow(by: levels.count)
      guard !overflow, product <= statistics.count else {
        throw broken("\(statistics.count) cells; the levels make more")
      }
      cells = product
    }
    guard statistics.count == cells else {
      throw broken("\(statistics.count) cells; the levels make \(cells)")
    }
    // Counts are non-negative and small enough that summing every cell of many merged states
    // cannot overflow; every cell's calibration sums use the same bins (they are added).
    let counts = { (c: ConfusionCounts) in
      [c.countTruePositives, c.countFalsePositives, c.countTrueNegatives, c.countFalseNegatives]
    }
    let calibrationBins = statistics.lazy.compactMap { $0.calibration?.binWeight.count }.first
    // Every cell carries the same sums (the metrics read the first cell to know what there is).
    if let first = statistics.first {
      let carries = { (s: GroupStatistics) in
        [
          s.scores != nil, s.calibration != nil, s.regression != nil, s.classes != nil,
          s.classes?.probabilities != nil,
        ]
      }
      guard statistics.allSatisfy({ carries($0) == carries(first) }) else {
        throw broken(
          "cells differ in the sums they carry (scores, calibration, regression, classes)")
      }
    }
    for cell in statistics {
      guard
        (counts(cell.confusion) + [cell.regression?.rows ?? 0]).allSatisfy({
          0 <= $0 && $0 <= AuditState.maximumCount
        })
      else { throw broken("a row count is negative or above \(AuditState.maximumCount)") }
      if let c = cell.calibration, c.binWeight.count != calibrationBins {
        throw broken("cells hold calibration sums over different numbers of bins")
      }
      if let s = cell.scores {
        guard s.positives.count == s.values.count, s.negatives.count == s.values.count,
          zip(s.values, s.values.dropFirst()).allSatisfy({ $0 < $1 })
        else { throw broken("score counts are not sorted or differ in length") }
      }
      if let c = cell.calibration {
        guard c.binLabels.count == c.binWeight.count, c.binScores.count == c.binWeight.count else {
          throw broken("calibration bins differ in length")
        }
      }
    }
    try validateClasses(broken)
    if let h = scoreHistogram,
      !(h.bins >= 1 && h.lower < h.upper && h.lower.isFinite && h.upper.isFinite)
    {
      throw broken("score histogram \(h)")
    }
  }

  /// Checks the multiclass invariants: classes exactly for a multiclass task, at least two and
  /// distinct, and every cell's matrices and score lists of that many classes.
  func validateClasses(_ broken: (String) -> BiasKitError) throws {
    guard let classes else {
      if task == .multiclass || statistics.contains(where: { $0.classes != nil }) {
        throw broken("a multiclass state without its classes")
      }
      return
    }
    let k = classes.count
    guard task == .multiclass, k >= 2, Set(classes).count == k, k <= 1 << 12 else {
      throw broken("classes \(classes.prefix(8)) for task \(task.rawValue)")
    }
    for cell in statistics {
      guard let counts = cell.classes, counts.classCount == k, counts.confusion.count == k * k,
        counts.counts.count == k * k,
        counts.counts.allSatisfy({ 0 <= $0 && $0 <= AuditState.maximumCount })
      else { throw broken("a cell's class matrix is not \(k) × \(k) counts") }
      if let p = counts.probabilities {
        guard p.topHits.count == k, p.scores.count == k, p.scores.allSatisfy({ $0.count == k })
        else { throw broken("a cell's class probabilities are not over \(k) classes") }
        for column in p.scores {
          for s in column {
            guard s.positives.count == s.values.count, s.negatives.count == s.values.count,
              zip(s.values, s.values.dropFirst()).allSatisfy({ $0 < $1 })
            else { throw broken("class score counts are not sorted or differ in length") }
          }
        }
      }
    }
  }

  static func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
    case DecodingError.dataCorrupted(let context): return context.debugDescription
    default: return "\(error)"
    }
  }
}

extension BiasKitError {
  static func stateLacks(_ metric: Metric, _ what: BiasKitError.Message) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "the metric '\(metric.rawValue)' needs " + what + "; the audit state has none")
  }
  static func stateMismatch(_ index: Int, _ what: String) -> BiasKitError {
    BiasKitError(
      .invalidArgument, "audit state \(index + 1) cannot be merged with the first: it has \(what)")
  }
  static func histogramMismatch(
    _ a: AuditState.ScoreHistogram, _ b: AuditState.ScoreHistogram
  ) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "the states bin scores differently ([\(a.lower), \(a.upper)) in \(a.bins) bins vs [\(b.lower), \(b.upper)) in \(b.bins)); use the same \(.maxDistinctScores) and \(.scoreRange)"
    )
  }
}
