/// Checks shared by the public entry points that take arrays from the caller: a value outside
/// what a buffer is sized for must throw, never write past it.

/// Throws unless every label is 0 or 1.
func checkBinaryLabels(_ labels: [UInt8], _ algorithm: String) throws {
  if let row = labels.firstIndex(where: { $0 > 1 }) {
    throw BiasKitError.notBinaryLabel(algorithm, row: row, value: labels[row])
  }
}

/// Throws when sample weights (already finite and ≥ 0) sum to zero, or to infinity: each below
/// the largest double, yet together they overflow (1e308 + 1e308), and every weighted rate would
/// then be 0 or NaN. `source` names the data in the message.
func checkWeightSum(_ weights: [Double], source: String) throws {
  var total = 0.0
  for (row, weight) in weights.enumerated() {
    total += weight
    if total == .infinity { throw BiasKitError.weightSumOverflows(source, row: row) }
  }
  if total == 0 && !weights.isEmpty { throw BiasKitError.weightsAllZero(source) }
}

extension BiasKitError {
  static func weightSumOverflows(_ source: String, row: Int) -> BiasKitError {
    BiasKitError(
      .invalidValue,
      "\(source): the sample weights (\(.sampleWeight)) sum to more than the largest double by row \(row + 1); divide them by a common factor"
    )
  }

  static func weightsAllZero(_ source: String) -> BiasKitError {
    BiasKitError(
      .invalidValue, "\(source): every sample weight (\(.sampleWeight)) is 0; no row would count")
  }

  /// A 0/1 label array holds another value.
  static func notBinaryLabel(_ algorithm: String, row: Int, value: UInt8) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "\(algorithm): the label of row \(row + 1) is \(value); binary labels are 0 or 1")
  }
}
