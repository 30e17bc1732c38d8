/// A dense matrix of doubles stored row by row (C order), with optional column names.
///
/// The shared numeric container: design matrices for the learners, feature matrices for the
/// resamplers, embedding tables. Element (i, j) is `values[i * columns + j]`.
///
/// - Complexity: O(1) element access; `rows * columns` doubles of storage.
public struct Matrix: Sendable, Equatable {
  /// Number of rows.
  public private(set) var rows: Int
  /// Number of columns.
  public let columns: Int
  /// The elements, row-major: `values.count == rows * columns`.
  public var values: [Double]
  /// Column names (empty when the source had none).
  public var columnNames: [String]

  /// A matrix over `values` in row-major order.
  /// - Precondition: `values.count == rows * columns`.
  public init(rows: Int, columns: Int, values: [Double], columnNames: [String] = []) {
    precondition(
      values.count == rows * columns, "Matrix: \(values.count) values for \(rows)x\(columns)")
    precondition(columnNames.isEmpty || columnNames.count == columns)
    self.rows = rows
    self.columns = columns
    self.values = values
    self.columnNames = columnNames
  }

  /// A `rows x columns` matrix of `value`.
  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    self.init(rows: rows, columns: columns, values: Array(repeating: value, count: rows * columns))
  }

  /// Builds a row-major matrix from column vectors of equal length.
  public init(columnVectors: [[Double]], columnNames: [String] = []) {
    let rows = columnVectors.first?.count ?? 0
    let columns = columnVectors.count
    var values = [Double](repeating: 0, count: rows * columns)
    for (j, column) in columnVectors.enumerated() {
      precondition(column.count == rows, "Matrix: columns of unequal length")
      for i in 0..<rows { values[i * columns + j] = column[i] }
    }
    self.init(rows: rows, columns: columns, values: values, columnNames: columnNames)
  }

  /// Element at row `i`, column `j`.
  @inlinable public subscript(i: Int, j: Int) -> Double {
    get { values[i * columns + j] }
    set { values[i * columns + j] = newValue }
  }

  /// A copy of row `i`.
  public func row(_ i: Int) -> ArraySlice<Double> { values[(i * columns)..<((i + 1) * columns)] }

  /// A copy of column `j`.
  public func column(_ j: Int) -> [Double] { (0..<rows).map { values[$0 * columns + j] } }

  /// Appends one row.
  /// - Precondition: `row.count == columns`.
  public mutating func appendRow<C: Collection>(_ row: C) where C.Element == Double {
    precondition(row.count == columns)
    values.append(contentsOf: row)
    rows += 1
  }

  /// The rows at `indices`, in that order.
  public func rows<S: Sequence>(at indices: S) -> Matrix where S.Element == Int {
    var out: [Double] = []
    var count = 0
    for i in indices {
      out.append(contentsOf: values[(i * columns)..<((i + 1) * columns)])
      count += 1
    }
    return Matrix(rows: count, columns: columns, values: out, columnNames: columnNames)
  }
}
