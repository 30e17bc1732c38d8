import Foundation

/// A sampler that rebalances the classes of a labelled feature matrix: imbalanced-learn's
/// `BaseSampler.fit_resample`, as one template method.
///
/// ``fitResample(features:labels:seed:)`` validates the input once (equal lengths, finite
/// values, at least two classes), resolves ``strategy`` into per-class targets with
/// ``SamplingStrategy/targets(for:kind:)``, and calls the one step each sampler fills in,
/// ``resample(_:targets:generator:)``.
///
/// Every sampler's output has the same shape (``Resampled``): rows in the order
/// imbalanced-learn returns them, each an input row (``Resampled/sampleIndices`` is its
/// `sample_indices_`) or a synthetic one. Over-samplers keep every input row, unchanged and
/// first, then add the synthetic rows class by class in increasing class order.
public protocol Resampler: Sendable {
  /// Whether the sampler adds rows, removes rows to a count, or cleans.
  var kind: SamplingKind { get }
  /// Which classes to resample and to how many rows.
  var strategy: SamplingStrategy { get }
  /// The sampler's own step, on validated input and resolved targets.
  func resample(
    _ data: LabeledRows, targets: [(label: Int, count: Int)], generator: inout SeededGenerator
  ) throws -> Resampled
}

/// Validated input of a resampler: finite features, one label per row, at least two classes.
public struct LabeledRows: Sendable {
  public let features: Matrix
  public let labels: [Int]
  public let stats: ClassCounts

  /// Validates `features` and `labels`.
  /// - Throws: ``BiasKitError`` for a length mismatch, a NaN or infinite value (naming the row
  ///   and column), or an empty input.
  public init(features: Matrix, labels: [Int]) throws {
    guard features.rows == labels.count else {
      throw BiasKitError.lengthMismatch(rows: features.rows, labels: labels.count)
    }
    guard features.rows > 0 else { throw BiasKitError(.degenerateData, "the input has no rows") }
    if let bad = features.values.firstIndex(where: { !$0.isFinite }) {
      throw BiasKitError.nonFiniteFeature(
        row: bad / features.columns, column: bad % features.columns, value: features.values[bad],
        name: features.columnNames.isEmpty ? nil : features.columnNames[bad % features.columns])
    }
    self.features = features
    self.labels = labels
    self.stats = ClassCounts(labels: labels)
  }

  /// Already validated rows (internal: subsets of validated rows).
  init(trusted features: Matrix, labels: [Int]) {
    self.features = features
    self.labels = labels
    self.stats = ClassCounts(labels: labels)
  }

  /// Row indices of class `label`, increasing (`np.flatnonzero(y == label)`).
  public func rows(of label: Int) -> [Int] {
    var out: [Int] = []
    out.reserveCapacity(stats[label])
    for (i, y) in labels.enumerated() where y == label { out.append(i) }
    return out
  }
}

/// The output of a resampler: a sequence of rows, each either an input row or a new one.
///
/// Output row `r` is input row `sources[r]` when `sources[r] < inputRows`, else synthetic row
/// `sources[r] − inputRows`. Over-samplers give `sources == 0..<(inputRows + synthetic.rows)`
/// (every input row unchanged and first, then the new rows); under-samplers select input rows
/// only; combinations (`SMOTEENN`) select from both.
public struct Resampled: Sendable, Equatable {
  /// Where each output row comes from (see the type's documentation).
  public var sources: [Int]
  /// Number of input rows.
  public var inputRows: Int
  /// New rows.
  public var synthetic: Matrix
  /// The class of each synthetic row.
  public var syntheticLabels: [Int]
  /// The group of each synthetic row, for group-wise resampling (else nil).
  public var syntheticGroups: [Int]?

  public init(
    sources: [Int], inputRows: Int, synthetic: Matrix, syntheticLabels: [Int],
    syntheticGroups: [Int]? = nil
  ) {
    precondition(synthetic.rows == syntheticLabels.count)
    self.sources = sources
    self.inputRows = inputRows
    self.synthetic = synthetic
    self.syntheticLabels = syntheticLabels
    self.syntheticGroups = syntheticGroups
  }

  /// A selection of input rows, nothing synthetic.
  public init(selecting indices: [Int], inputRows: Int, columns: Int) {
    self.init(
      sources: indices, inputRows: inputRows,
      synthetic: Matrix(rows: 0, columns: columns, values: []),
      syntheticLabels: [])
  }

  /// Every input row, then every synthetic row (the over-samplers' layout).
  public init(appending synthetic: Matrix, labels: [Int], toInputRows n: Int) {
    self.init(
      sources: Array(0..<(n + synthetic.rows)), inputRows: n, synthetic: synthetic,
      syntheticLabels: labels)
  }

  /// Number of output rows.
  public var count: Int { sources.count }

  /// The input rows kept, in output order (imbalanced-learn's `sample_indices_`).
  public var sampleIndices: [Int] { sources.filter { $0 < inputRows } }

  /// Whether the output is every input row then every synthetic row, in order.
  public var isAppendOnly: Bool {
    sources.count == inputRows + synthetic.rows && sources.elementsEqual(0..<sources.count)
  }

  /// The values of output row `r`.
  public func row(_ r: Int, from input: Matrix) -> ArraySlice<Double> {
    let s = sources[r]
    return s < inputRows ? input.row(s) : synthetic.row(s - inputRows)
  }

  /// The output feature matrix.
  public func features(from input: Matrix) -> Matrix {
    var out = [Double]()
    out.reserveCapacity(count * input.columns)
    for r in 0..<count { out.append(contentsOf: row(r, from: input)) }
    return Matrix(rows: count, columns: input.columns, values: out, columnNames: input.columnNames)
  }

  /// The output labels.
  public func labels(from input: [Int]) -> [Int] {
    sources.map { $0 < inputRows ? input[$0] : syntheticLabels[$0 - inputRows] }
  }

  /// Class counts of the output.
  public func stats(from input: [Int]) -> ClassCounts { ClassCounts(labels: labels(from: input)) }
}

extension Resampler {
  /// Resamples `features` / `labels`: validation, targets, then the sampler's step.
  ///
  /// - Parameter seed: seeds the ``SeededGenerator`` of randomized samplers (ignored by the
  ///   deterministic ones).
  public func fitResample(features: Matrix, labels: [Int], seed: UInt64 = 0) throws -> Resampled {
    let data = try LabeledRows(features: features, labels: labels)
    return try fitResample(data, seed: seed)
  }

  /// Resamples already validated rows.
  public func fitResample(_ data: LabeledRows, seed: UInt64 = 0) throws -> Resampled {
    let targets = try strategy.targets(for: data.stats, kind: kind)
    if kind == .overSampling {
      try ResamplingMemory.check(
        syntheticRows: targets.reduce(0.0) { $0 + Double($1.count) },
        columns: data.features.columns, inputRows: data.features.rows, strategy: strategy)
    }
    var generator = SeededGenerator(seed: seed)
    return try resample(data, targets: targets, generator: &generator)
  }
}

/// The memory a resampling run may ask for: the new rows must fit in the machine's physical
/// memory. A per-class count such as `1:1000000000000` is refused with the memory it would
/// need, rather than aborting in an allocation.
public enum ResamplingMemory {
  /// Bytes a run adding `syntheticRows` rows of `columns` features needs: the new values, their
  /// labels and the output's row map (8 bytes each).
  public static func bytes(syntheticRows: Double, columns: Int, inputRows: Int) -> Double {
    syntheticRows * Double(columns + 2) * 8 + Double(inputRows) * 8
  }

  /// The ceiling: the machine's physical memory.
  public static var limit: Double { Double(ProcessInfo.processInfo.physicalMemory) }

  static func check(
    syntheticRows: Double, columns: Int, inputRows: Int, strategy: SamplingStrategy
  ) throws {
    let needed = bytes(syntheticRows: syntheticRows, columns: columns, inputRows: inputRows)
    guard needed <= limit else {
      throw BiasKitError(
        .invalidArgument,
        "\(.samplingStrategy, "\(strategy)") asks for \(String(format: "%.0f", syntheticRows)) new rows of \(columns) features: about \(formatBytes(needed)) of memory, more than this machine's \(formatBytes(limit))"
      )
    }
  }
}

/// `12.3 GB`-style sizes for messages.
func formatBytes(_ bytes: Double) -> String {
  let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
  var value = bytes
  var unit = 0
  while value >= 1000 && unit < units.count - 1 {
    value /= 1000
    unit += 1
  }
  return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.3g", value) + " " + units[unit]
}

/// Appends synthetic rows class by class to all input rows: the output shape shared by the
/// over-samplers (`np.vstack([X, X_new_class_1, X_new_class_2, …])`).
struct SyntheticRows {
  var values: [Double] = []
  var labels: [Int] = []
  let columns: Int

  init(columns: Int) { self.columns = columns }

  mutating func reserve(_ rows: Int) {
    values.reserveCapacity(rows * columns)
    labels.reserveCapacity(rows)
  }

  func result(inputRows n: Int) -> Resampled {
    Resampled(
      appending: Matrix(rows: labels.count, columns: columns, values: values), labels: labels,
      toInputRows: n)
  }
}
