/// Checks shared by the public entry points that take arrays from the caller: a value outside
/// what a buffer is sized for must throw, never write past it.

/// Throws unless every label is 0 or 1.
func checkBinaryLabels(_ labels: [UInt8], _ algorithm: String) throws {
  if let row = labels.firstIndex(where: { $0 > 1 }) {
    throw BiasKitError.notBinaryLabel(algorithm, row: row, value: labels[row])
  }
}

extension BiasKitError {
  /// A 0/1 label array holds another value.
  static func notBinaryLabel(_ algorithm: String, row: Int, value: UInt8) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "\(algorithm): the label of row \(row + 1) is \(value); binary labels are 0 or 1")
  }
}
