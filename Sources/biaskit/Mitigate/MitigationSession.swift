import BiasKit
import Foundation

/// The one run path of `biaskit mitigate METHOD`: each command builds its mitigator from its
/// flags and hands it here; this fits it on the training file (``MitigationData/run(_:seed:)``),
/// then renders the outcomes on train and test, the `--output` CSV, `--then-audit` and
/// `--report`.
struct MitigationSession {
  /// The subcommand's name (`exponentiated-gradient`, …).
  var method: String
  var input: MitigationInputOptions
  var output: MitigationOutputOptions
  var data: MitigationData
  /// Entries appended to the fitted summary (which sample weights were used).
  var provenance: [(String, JSONValue)] = []

  /// Fits and evaluates `mitigator`, then renders the result.
  func run<M: Mitigator>(_ mitigator: M) throws {
    try checkOutputs()
    let run = try data.run(mitigator, seed: output.seed)
    var result = Result(
      fitted: run.model.summary, train: run.train, test: run.test, warnings: run.model.warnings)
    result.decisions = (run.evaluated, run.evaluatedGroups, run.probabilities, run.predictions)
    if output.report != nil { result.tradeOff = try run.tradeOff() }
    try emit(result)
  }

  /// A post-processor of scores: on the `--score` column when there is one, else on the
  /// scores of the learner fitted first (``PostprocessedLearner``).
  func runPostprocessor<P: ScorePostprocessor>(_ postprocessor: P) throws {
    try checkOutputs()
    if data.train.scores != nil { return try run(postprocessor) }
    try input.requireFeatures(data)
    try postprocess(input.learner, postprocessor)
  }

  private func postprocess<L: WeightedLearner, P: ScorePostprocessor>(
    _ learner: L, _ postprocessor: P
  ) throws {
    try run(PostprocessedLearner(learner: learner, postprocessor: postprocessor))
  }

  /// A pre-processor: then the learner fitted to its output (``PreprocessedLearner``), or the
  /// step alone when no feature column is left for a learner. `--output` writes the transformed
  /// training rows with `csv`.
  func runPreprocessor<P: Preprocessor>(
    _ preprocessor: P, csv: @escaping (Dataset) -> CSVWriter
  ) throws {
    try checkOutputs()
    if data.train.features.columns > 0 {
      return try preprocess(input.learner, preprocessor, csv: csv)
    }
    let model = try preprocessor.fitted(to: data.train)
    var result = Result(fitted: model.summary, warnings: [])
    if output.output != nil { result.transformed = csv(try model.transformed(data.train)) }
    try emit(result)
  }

  private func preprocess<L: WeightedLearner, P: Preprocessor>(
    _ learner: L, _ preprocessor: P, csv: (Dataset) -> CSVWriter
  ) throws {
    let run = try data.run(PreprocessedLearner(preprocessor, learner: learner), seed: output.seed)
    var result = Result(
      fitted: run.model.summary, train: run.train, test: run.test, warnings: run.model.warnings)
    result.decisions = (run.evaluated, run.evaluatedGroups, run.probabilities, run.predictions)
    if output.output != nil { result.transformed = csv(run.model.transformedTraining) }
    try emit(result)
  }

  /// What one run renders.
  struct Result {
    var fitted: JSONValue
    var train: MitigationOutcome? = nil
    var test: MitigationOutcome? = nil
    var warnings: [String]
    /// The evaluated rows, their groups, and the model's probabilities and decisions on them.
    var decisions: (rows: Dataset, groups: Groups, probabilities: [Double], predictions: [UInt8])? =
      nil
    /// A reduction's candidate predictors, for the report's trade-off chart.
    var tradeOff:
      (
        candidates: [MitigationComparison.Candidate], chosen: (accuracy: Double, disparity: Double)
      )? = nil
    /// A pre-processor's transformed training rows, written by `--output` instead of decisions.
    var transformed: CSVWriter? = nil
  }

  /// Refuses, before the fit, an output onto an input (the training or test file), `--output`
  /// and `--report` onto one file, and any destination that cannot be written
  /// (Guides/Reliability.md).
  private func checkOutputs() throws {
    try OutputPaths.check(
      inputs: [input.train, input.test],
      outputs: [("--output", output.output), ("--report", output.report)])
  }

  /// Writes warnings to standard error, the `--output` CSV, the report, and the summary.
  private func emit(_ result: Result) throws {
    for w in result.warnings {
      FileHandle.standardError.write(Data("biaskit: warning: \(w)\n".utf8))
    }
    var audit: MitigationAudit? = nil
    if output.thenAudit || output.report != nil {
      guard let decisions = result.decisions else {
        throw BiasKitError(
          .invalidArgument,
          "--then-audit needs predictions; '\(method)' makes none without a feature column to fit the learner on"
        )
      }
      if decisions.rows.scores == nil { try input.requireFeatures(data) }
      let baseline = try data.baselinePredictions(on: decisions.rows, learner: input.learner)
      audit = try MitigationAudit(
        labels: decisions.rows.labels?.values ?? [], groups: decisions.groups, before: baseline,
        after: decisions.predictions, source: decisions.rows.name)
    }
    if let path = output.output {
      if let transformed = result.transformed {
        try transformed.write(to: path)
      } else if let decisions = result.decisions {
        try predictionsCSV(decisions).write(to: path)
      }
    }
    if let path = output.report, let audit {
      var reportOptions = HTMLReport.Options()
      reportOptions.naming = Flags.naming
      var page = try HTMLReport(
        report: audit.after,
        provenance: HTMLReport.Provenance(
          commandLine: CommandLine.arguments, inputFile: audit.source),
        options: reportOptions)
      page.title = "BiasKit mitigation: \(method)"
      let comparison = MitigationComparison(
        method: method, before: audit.before, after: audit.after,
        candidates: result.tradeOff?.candidates ?? [], chosen: result.tradeOff?.chosen)
      page.insert(comparison.section(), before: HTMLReport.SectionID.scorecard)
      try AtomicFileWriter.write(page.html(), to: path)
    }
    let fitted = JSONValue.object(result.fitted.objectMembers + provenance)
    switch output.format {
    case .json:
      var summary: [(String, JSONValue)] = [("method", .string(method)), ("fitted", fitted)]
      if let train = result.train { summary.append(("train", train.json)) }
      if let test = result.test { summary.append(("test", test.json)) }
      summary.append(("warnings", .array(result.warnings.map { .string($0) })))
      if let audit { summary.append(("audit", audit.json)) }
      FileHandle.standardOutput.write(Data((JSONValue.object(summary).serialized() + "\n").utf8))
    case .table:
      var lines = ["biaskit mitigate \(method)"]
      for (name, split) in [("train", result.train), ("test", result.test)] {
        guard let split else { continue }
        func f(_ value: Double) -> String { String(format: "%.4f", value) }
        let e = split.expected
        lines.append(
          "  \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) expected accuracy \(f(e.accuracy))  selection rate \(f(e.selectionRate))  \(split.violation.rawValue) violation \(f(split.expectedViolation))"
        )
      }
      for w in result.warnings { lines.append("  warning: \(w)") }
      if let audit { lines.append(audit.comparisonTable()) }
      FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
  }

  /// `row,group,label,probability,prediction` for each evaluated row.
  private func predictionsCSV(
    _ decisions: (rows: Dataset, groups: Groups, probabilities: [Double], predictions: [UInt8])
  ) -> CSVWriter {
    var csv = CSVWriter(header: ["row", "group", "label", "probability", "prediction"])
    let labels = decisions.rows.labels?.values ?? []
    let names = decisions.groups.names
    for i in decisions.probabilities.indices {
      csv.append([
        "\(i + 1)", names[Int(decisions.groups.codes[i])], "\(labels[i])",
        "\(decisions.probabilities[i])", "\(decisions.predictions[i])",
      ])
    }
    return csv
  }
}

extension JSONValue {
  /// The members of an object (none for another value).
  fileprivate var objectMembers: [(String, JSONValue)] {
    if case .object(let members) = self { return members }
    return []
  }
}
