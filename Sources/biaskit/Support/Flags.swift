import BiasKit

/// The command-line flag of each library ``Parameter``, so that the library's error messages
/// name what the user typed.
enum Flags {
  static func name(of parameter: Parameter) -> String {
    switch parameter {
    case .task: return "--task"
    case .yTrue: return "--y-true"
    case .yPred: return "--y-pred"
    case .yScore: return "--y-score"
    case .sensitive: return "--sensitive"
    case .control: return "--control"
    case .sampleWeight: return "--sample-weight"
    case .positiveLabel: return "--pos-label"
    case .missingGroup: return "--missing-group"
    case .bins: return "--bins"
    case .bootstrap: return "--bootstrap"
    case .quantiles: return "--ci"
    case .database: return "--db"
    case .maxDistinctScores: return "--max-distinct-scores"
    case .scoreRange: return "--score-range"
    case .maximum: return "--max"
    case .minimum: return "--min"
    case .replaceTable: return "--replace"
    case .permutations: return "--permutations"
    case .jsonFormat: return "--format json"
    }
  }
}

extension BiasKitError {
  /// The message as the command line says it: parameters named by their flags.
  var commandLineMessage: String { rendered(naming: Flags.name(of:)) }
}
