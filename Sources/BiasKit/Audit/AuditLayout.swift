/// One cell of an audit: a sensitive group within a control level.
///
/// An audit without control features has one control level, 0. Groups are numbered in the
/// product order of ``Groups`` (every combination of the sensitive features' levels, the first
/// feature varying slowest), so `group` names the same combination in every control level.
public struct AuditCell: Hashable, Sendable, CustomStringConvertible {
  /// The control level (0 without control features).
  public let control: Int
  /// The sensitive group: a combination of levels of the sensitive features.
  public let group: Int

  /// The cell of sensitive group `group` in control level `control`.
  public init(control: Int = 0, group: Int) {
    self.control = control
    self.group = group
  }

  /// `group 3` or `control 1, group 3`.
  public var description: String {
    control == 0 ? "group \(group)" : "control \(control), group \(group)"
  }
}

/// The cells of an audit and their names: every combination of the sensitive features' levels
/// (the groups) within every combination of the control features' levels.
///
/// fairlearn's `MetricFrame.by_group` index, with `control_features` first: a cell is a control
/// level × sensitive group (``AuditCell``). Values of a cell, the statistics of a cell and the
/// cells of a saved ``AuditState`` are all stored in the order of ``cells`` (control levels
/// slowest); ``index(of:)`` is the one place that turns a cell into that position.
///
/// - Complexity: O(1) per lookup; ``cells`` is O(cells).
public struct AuditLayout: Sendable, Equatable {
  /// Names of the sensitive features, in order.
  public let sensitiveFeatures: [String]
  /// The sorted levels of each sensitive feature.
  public let sensitiveLevels: [[String]]
  /// Names of the control features (empty without).
  public let controlFeatures: [String]
  /// The sorted levels of each control feature (empty without).
  public let controlLevels: [[String]]
  /// Number of sensitive groups: the product of the sensitive features' level counts.
  public let groupCount: Int
  /// Number of control levels: the product of the control features' level counts (1 without).
  public let controlCount: Int

  /// The layout of these features and levels.
  public init(
    sensitiveFeatures: [String], sensitiveLevels: [[String]], controlFeatures: [String] = [],
    controlLevels: [[String]] = []
  ) {
    self.sensitiveFeatures = sensitiveFeatures
    self.sensitiveLevels = sensitiveLevels
    self.controlFeatures = controlFeatures
    self.controlLevels = controlLevels
    groupCount = sensitiveLevels.reduce(1) { $0 * $1.count }
    controlCount = controlLevels.reduce(1) { $0 * $1.count }
  }

  /// The layout of the product groups of `sensitive` within those of `control`.
  public init(sensitive: Groups, control: Groups? = nil) {
    self.init(
      sensitiveFeatures: sensitive.features, sensitiveLevels: sensitive.levels,
      controlFeatures: control?.features ?? [], controlLevels: control?.levels ?? [])
  }

  /// Whether there are control features.
  public var hasControl: Bool { !controlFeatures.isEmpty }

  /// Number of cells: control levels × groups.
  public var cellCount: Int { controlCount * groupCount }

  /// Every cell, control level by control level.
  public var cells: [AuditCell] {
    (0..<controlCount).flatMap { c in (0..<groupCount).map { AuditCell(control: c, group: $0) } }
  }

  /// The cells of control level `control`, in group order.
  public func cells(inControl control: Int) -> [AuditCell] {
    (0..<groupCount).map { AuditCell(control: control, group: $0) }
  }

  /// The position of `cell` in ``cells`` (and in every per-cell array of an audit).
  public func index(of cell: AuditCell) -> Int { cell.control * groupCount + cell.group }

  /// The positions of the cells of control level `control` in ``cells``.
  public func indices(inControl control: Int) -> Range<Int> {
    (control * groupCount)..<((control + 1) * groupCount)
  }

  /// The cell at position `index` of ``cells``.
  public func cell(at index: Int) -> AuditCell {
    AuditCell(control: index / groupCount, group: index % groupCount)
  }

  /// The levels of sensitive group `group`, one per sensitive feature.
  public func groupKey(_ group: Int) -> [String] { Groups.key(group, levels: sensitiveLevels) }

  /// The position of each of sensitive group `group`'s levels among its feature's levels.
  public func levelPositions(ofGroup group: Int) -> [Int] {
    var remainder = group
    var positions = [Int](repeating: 0, count: sensitiveLevels.count)
    for f in sensitiveLevels.indices.reversed() {
      positions[f] = remainder % sensitiveLevels[f].count
      remainder /= sensitiveLevels[f].count
    }
    return positions
  }

  /// The levels of control level `control`, one per control feature (empty without).
  public func controlKey(_ control: Int) -> [String] { Groups.key(control, levels: controlLevels) }

  /// The cell's levels joined with `separator`, control levels first: `Female|White`, or
  /// `Male|Female|White` with a control feature.
  public func label(of cell: AuditCell, separator: String = "|") -> String {
    ((hasControl ? controlKey(cell.control) : []) + groupKey(cell.group))
      .joined(separator: separator)
  }

  /// The cell position (in ``cells``) of each row: the rows' control level × group count + group.
  ///
  /// - Complexity: O(n).
  static func rowCells(sensitive: Groups, control: Groups?) -> [Int32] {
    let sensitive = sensitive.product()
    guard let control = control?.product() else { return sensitive.codes }
    let groups = Int32(sensitive.count)
    var cells = [Int32](repeating: 0, count: sensitive.codes.count)
    for i in cells.indices { cells[i] = control.codes[i] * groups + sensitive.codes[i] }
    return cells
  }
}
