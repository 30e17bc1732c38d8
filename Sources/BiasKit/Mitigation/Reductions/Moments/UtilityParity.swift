/// A parity constraint on a classifier's utility: within each event `e` (all rows, or the rows
/// with a given label), the mean utility of every group `a` must stay within a bound of the
/// event's overall mean.
///
///     γ(+, e, a) = r · M(e, a) − M(e)       γ(−, e, a) = r · M(e) − M(e, a)
///     γ(±, e, a) ≤ ε
///
/// `M(e)` is the mean utility over the rows of event `e`, `M(e, a)` over those also in group
/// `a`; the utility of prediction `h` is `u0 + (u1 − u0) · h` per row. With a difference bound,
/// `r = 1` and `ε` is the bound; with a ratio bound, `r` is the ratio and `ε` its slack.
///
/// fairlearn's moments differ only in the event and the utility (STYLE §7), so they are one
/// type and a table of presets:
///
/// | fairlearn                  | event            | utility       |
/// |----------------------------|------------------|---------------|
/// | `DemographicParity`        | every row        | h             |
/// | `TruePositiveRateParity`   | rows with y = 1  | h             |
/// | `FalsePositiveRateParity`  | rows with y = 0  | h             |
/// | `EqualizedOdds`            | each label       | h             |
/// | `ErrorRateParity`          | every row        | 1[h ≠ y]      |
///
/// Corresponds to fairlearn 0.15's `UtilityParity` (`gamma`, `signed_weights`,
/// `project_lambda` — the latter with 0.15's median shift per event, applied only for
/// difference bounds). The constraint index is fairlearn's: signs `+` then `−`, each over the
/// (event, group) cells that have rows, events and groups in sorted order.
///
/// Control features (fairlearn `control_features`): the parity then holds within each control
/// stratum, not between strata. Each event becomes `control=C,EVENT` (fairlearn's
/// `_merge_event_and_control_columns`), and events are ordered by those names as fairlearn
/// sorts them. One deliberate difference: fairlearn also turns the unconstrained rows of
/// `TruePositiveRateParity`/`FalsePositiveRateParity` (the other label, event NaN) into events
/// `control=C,nan` that it then constrains; BiasKit leaves them unconstrained, as without
/// control features.
///
/// - Complexity: O(n) per `gamma` or `signedWeights`, O(cells log cells) per projection.
///
/// ## References
/// - Agarwal, Beygelzimer, Dudík, Langford, Wallach. A Reductions Approach to Fair
///   Classification. ICML 2018.
public struct UtilityParity: Sendable, Equatable {
  /// The rows a rate is measured on.
  public enum Event: Sendable, Equatable {
    /// Every row (fairlearn event `all`).
    case all
    /// Rows whose label is the value (`label=1` or `label=0`); other rows are unconstrained.
    case label(UInt8)
    /// Each label is its own event (`label=0`, `label=1`).
    case eachLabel
  }

  /// How far the groups may differ.
  public enum Bound: Sendable, Equatable {
    /// `|M(e, a) − M(e)| ≤ ε` (fairlearn `difference_bound`).
    case difference(Double)
    /// `r · M(e, a) − M(e) ≤ slack` and `r · M(e) − M(e, a) ≤ slack` (`ratio_bound`,
    /// `ratio_bound_slack`).
    case ratio(Double, slack: Double = 0)
  }

  /// What is averaged.
  public enum Utility: Sendable, Equatable {
    /// The prediction itself (rates of predicting 1).
    case prediction
    /// Being wrong: `1[h ≠ y]` (error rates).
    case error
  }

  /// The rows each rate is measured on.
  public var event: Event
  /// How far the groups may differ.
  public var bound: Bound
  /// What is averaged.
  public var utility: Utility

  /// A parity on `utility` within `event`, up to `bound`.
  public init(event: Event, bound: Bound = .difference(0.01), utility: Utility = .prediction) {
    self.event = event
    self.bound = bound
    self.utility = utility
  }

  /// fairlearn `DemographicParity`.
  public static func demographicParity(_ bound: Bound = .difference(0.01)) -> Self {
    .init(event: .all, bound: bound)
  }
  /// fairlearn `TruePositiveRateParity`.
  public static func truePositiveRateParity(_ bound: Bound = .difference(0.01)) -> Self {
    .init(event: .label(1), bound: bound)
  }
  /// fairlearn `FalsePositiveRateParity`.
  public static func falsePositiveRateParity(_ bound: Bound = .difference(0.01)) -> Self {
    .init(event: .label(0), bound: bound)
  }
  /// fairlearn `EqualizedOdds`.
  public static func equalizedOdds(_ bound: Bound = .difference(0.01)) -> Self {
    .init(event: .eachLabel, bound: bound)
  }
  /// fairlearn `ErrorRateParity`.
  public static func errorRateParity(_ bound: Bound = .difference(0.01)) -> Self {
    .init(event: .all, bound: bound, utility: .error)
  }

  var ratio: Double {
    if case .ratio(let r, _) = bound { return r }
    return 1
  }
  var epsilon: Double {
    switch bound {
    case .difference(let e): return e
    case .ratio(_, let slack): return slack
    }
  }

  func validate() throws {
    switch bound {
    case .difference(let e):
      guard e >= 0, e.isFinite else {
        throw BiasKitError(.invalidArgument, "the difference bound must be ≥ 0 (got \(e))")
      }
    case .ratio(let r, let slack):
      guard r > 0 && r <= 1 else {
        throw BiasKitError(.invalidArgument, "the ratio bound must be in (0, 1] (got \(r))")
      }
      guard slack >= 0 else {
        throw BiasKitError(.invalidArgument, "the ratio bound slack must be ≥ 0 (got \(slack))")
      }
    }
  }

  /// The moment loaded with data: event/group cells and their probabilities.
  struct Loaded: Sendable {
    let parity: UtilityParity
    let n: Int
    /// Event of each row, or -1 for none.
    let eventOf: [Int32]
    let groupOf: [Int32]
    let groupCount: Int
    let eventCount: Int
    /// Per row: u0 and u1 − u0.
    let baseUtility: [Double]
    let utilityDifference: [Double]
    /// Present cells (event, group), sorted; cell index of (e, g) or -1.
    let cells: [(event: Int, group: Int)]
    let cellIndex: [[Int]]
    let probabilityEvent: [Double]
    let probabilityCell: [Double]
    /// fairlearn's name of each event (`all`, `label=1`, `control=C,all`, …).
    let eventNames: [String]

    /// Number of constraints (2 × cells).
    var count: Int { 2 * cells.count }

    init(
      parity: UtilityParity, labels: [UInt8], groups: Groups,
      controls: Groups? = nil
    ) {
      self.parity = parity
      n = labels.count
      groupCount = groups.count
      groupOf = groups.codes
      var baseNames: [String]
      var baseOf: [Int32]
      switch parity.event {
      case .all:
        baseNames = ["all"]
        baseOf = [Int32](repeating: 0, count: n)
      case .label(let v):
        baseNames = ["label=\(v)"]
        baseOf = labels.map { $0 == v ? 0 : -1 }
      case .eachLabel:
        baseNames = ["label=0", "label=1"]
        baseOf = labels.map { Int32($0) }
      }
      if let controls {
        // Events `control=C,EVENT`, numbered in fairlearn's (string) order of those names.
        let b = baseNames.count
        var names: [String] = []
        for c in controls.names { for e in baseNames { names.append("control=\(c),\(e)") } }
        let order = names.indices.sorted {
          names[$0].unicodeScalars.lexicographicallyPrecedes(names[$1].unicodeScalars)
        }
        var rank = [Int32](repeating: 0, count: names.count)
        for (position, k) in order.enumerated() { rank[k] = Int32(position) }
        baseOf = zip(baseOf, controls.codes).map { e, c in e < 0 ? -1 : rank[Int(c) * b + Int(e)] }
        baseNames = order.map { names[$0] }
      }
      eventCount = baseNames.count
      eventOf = baseOf
      switch parity.utility {
      case .prediction:
        baseUtility = [Double](repeating: 0, count: n)
        utilityDifference = [Double](repeating: 1, count: n)
      case .error:
        baseUtility = labels.map { Double($0) }
        utilityDifference = labels.map { 1 - 2 * Double($0) }
      }
      var eventCounts = [Int](repeating: 0, count: eventCount)
      var cellCounts = [[Int]](repeating: [Int](repeating: 0, count: groupCount), count: eventCount)
      for i in 0..<n where eventOf[i] >= 0 {
        eventCounts[Int(eventOf[i])] += 1
        cellCounts[Int(eventOf[i])][Int(groupOf[i])] += 1
      }
      var cells: [(event: Int, group: Int)] = []
      var cellIndex = [[Int]](repeating: [Int](repeating: -1, count: groupCount), count: eventCount)
      var pCell: [Double] = []
      for e in 0..<eventCount {
        for g in 0..<groupCount where cellCounts[e][g] > 0 {
          cellIndex[e][g] = cells.count
          cells.append((e, g))
          pCell.append(Double(cellCounts[e][g]) / Double(labels.count))
        }
      }
      self.cells = cells
      self.cellIndex = cellIndex
      self.eventNames = baseNames
      probabilityCell = pCell
      let rows = Double(labels.count)
      probabilityEvent = eventCounts.map { Double($0) / rows }
    }

    /// γ of predictions `h` (0/1 per row), in the constraint order.
    func gamma(_ h: [UInt8]) -> [Double] {
      var sumEvent = [Double](repeating: 0, count: eventCount)
      var sumCell = [Double](repeating: 0, count: cells.count)
      for i in 0..<n where eventOf[i] >= 0 {
        let u = utilityDifference[i] * Double(h[i]) + baseUtility[i]
        let e = Int(eventOf[i])
        sumEvent[e] += u
        sumCell[cellIndex[e][Int(groupOf[i])]] += u
      }
      let r = parity.ratio
      let c = cells.count
      var gamma = [Double](repeating: 0, count: 2 * c)
      for (k, cell) in cells.enumerated() {
        let eventMean = sumEvent[cell.event] / probabilityEvent[cell.event] / Double(n)
        let cellMean = sumCell[k] / probabilityCell[k] / Double(n)
        gamma[k] = -(eventMean - r * cellMean)
        gamma[c + k] = -(-r * eventMean + cellMean)
      }
      return gamma
    }

    /// The bound ε of every constraint.
    var bound: Double { parity.epsilon }

    /// Per-row signed weights `(u1 − u0) · U λ` (fairlearn `signed_weights`).
    func signedWeights(_ lambda: [Double]) -> [Double] {
      let c = cells.count
      let r = parity.ratio
      var eventTerm = [Double](repeating: 0, count: eventCount)
      for (k, cell) in cells.enumerated() {
        eventTerm[cell.event] += lambda[k] - r * lambda[c + k]
      }
      var cellTerm = [Double](repeating: 0, count: c)
      for (k, cell) in cells.enumerated() {
        cellTerm[k] =
          eventTerm[cell.event] / probabilityEvent[cell.event]
          + (lambda[c + k] - r * lambda[k]) / probabilityCell[k]
      }
      var out = [Double](repeating: 0, count: n)
      for i in 0..<n where eventOf[i] >= 0 {
        let e = Int(eventOf[i])
        out[i] = utilityDifference[i] * cellTerm[cellIndex[e][Int(groupOf[i])]]
      }
      return out
    }

    /// fairlearn 0.15 `project_lambda`: for difference bounds, shift the signed multipliers of
    /// each event by their probability-weighted median, then split into + and − parts.
    func projectLambda(_ lambda: [Double]) -> [Double] {
      guard parity.ratio == 1 else { return lambda }
      let c = cells.count
      var signed = (0..<c).map { lambda[$0] - lambda[c + $0] }
      for e in 0..<eventCount {
        let members = (0..<c).filter { cells[$0].event == e }
        if members.isEmpty { continue }
        let prob = members.map { probabilityCell[$0] / probabilityEvent[e] }
        let normalized = members.indices.map { signed[members[$0]] / prob[$0] }
        let order = normalized.indices.sorted {
          normalized[$0] != normalized[$1] ? normalized[$0] < normalized[$1] : $0 < $1
        }
        var cumulative: [Double] = []
        var running = 0.0
        for o in order {
          running += prob[o]
          cumulative.append(running)
        }
        var total = 0.0
        for p in prob { total += p }
        let half = total / 2
        var position = 0  // searchsorted, side="left"
        while position < cumulative.count && cumulative[position] < half { position += 1 }
        position = min(position, order.count - 1)
        let shift = normalized[order[position]]
        for (j, m) in members.enumerated() { signed[m] = signed[m] - prob[j] * shift }
      }
      var out = [Double](repeating: 0, count: 2 * c)
      for k in 0..<c {
        out[k] = max(signed[k], 0)
        out[c + k] = max(-signed[k], 0)
      }
      return out
    }
  }
}
