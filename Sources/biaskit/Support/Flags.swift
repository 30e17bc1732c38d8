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
    case .input: return "FILE"
    case .table: return "--table"
    case .query: return "--query"
    case .stateFrom: return "--state-from"
    case .emitSQL: return "--emit-sql"
    case .exactScores: return "--exact-scores"
    case .metrics: return "--metrics"
    case .alpha: return "--alpha"
    case .heatMap: return "--heat-map"
    case .format: return "--format"
    case .connectTimeout: return "--connect-timeout"
    case .yScorePrefix: return "--y-score-prefix"
    case .topKAccuracy: return "--top-k-accuracy"
    case .threshold: return "--threshold"
    case .thresholds: return "--thresholds"
    case .groupThreshold: return "--group-threshold"
    case .topK: return "--top-k"
    case .topFraction: return "--top-fraction"
    case .referenceGroup: return "--reference-group"
    case .correction: return "--correction"
    case .minGroupSize: return "--min-group-size"
    case .excludeSmallGroups: return "--exclude-small-groups"
    case .smoothing: return "--smoothing"
    case .confidence: return "--confidence"
    case .compare: return "--compare"
    case .baseline: return "--baseline"
    case .maxIncrease: return "--max-increase"
    case .maxDecrease: return "--max-decrease"
    case .limit: return "--limit"
    case .samplingStrategy: return "--sampling-strategy"
    case .neighborCount: return "--k-neighbors"
    }
  }
}

extension BiasKitError {
  /// The message as the command line says it: parameters named by their flags.
  var commandLineMessage: String { rendered(naming: Flags.name(of:)) }
}

extension Flags {
  /// ``name(of:)`` as a sendable function, for the library's `naming` options.
  static let naming: @Sendable (Parameter) -> String = { name(of: $0) }

  /// `parse` for an option's `transform:`: a library error it throws is described with the
  /// command line's names (ArgumentParser shows it after the flag and value).
  static func parsing<T>(_ parse: @escaping (String) throws -> T) -> (String) throws -> T {
    { text in
      do { return try parse(text) } catch let error as BiasKitError {
        throw ArgumentValueError(error: error)
      }
    }
  }
}

/// A library error about an option's value, described as the command line names parameters.
struct ArgumentValueError: Error, CustomStringConvertible {
  var error: BiasKitError
  var description: String { error.commandLineMessage }
}
