import ArgumentParser
import BiasKit
import Foundation

/// `biaskit estimate`: unbiased estimates with valid intervals from a few gold labels and many
/// predictions (prediction-powered inference, PPI++, DSL), and `biaskit estimate plan`: how
/// many gold labels an interval of a given width needs.
///
///     biaskit estimate labelled.csv --unlabelled rest.csv --y-true y --y-pred llm
///     biaskit estimate all.csv --y-true y --y-pred llm --group sex --method ppi++
///     biaskit estimate all.csv --estimand logistic --covariates age,income --intercept
///     biaskit estimate all.csv --method dsl --sampling-prob pi --estimand ols --covariates x
///     biaskit estimate plan pilot.csv --y-true y --y-pred llm --target-width 0.02
struct EstimateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "estimate",
    abstract:
      "Unbiased estimates and intervals from model or LLM predictions and a few gold labels (PPI, PPI++, DSL).",
    discussion: """
      Conventions of ppi_py 0.2.3: alpha 0.1 (90% intervals), intervals estimate ± z·se, weights \
      rescaled to sum to their rows, no intercept added to the regressions (--intercept adds \
      one). The naive estimate treats the predictions as gold labels and is biased; it is shown \
      to measure how far off they are.
      """,
    subcommands: [EstimateRunCommand.self, EstimatePlanCommand.self],
    defaultSubcommand: EstimateRunCommand.self)
}

/// What is estimated.
enum EstimandChoice: String, CaseIterable, ExpressibleByArgument {
  case mean, proportion, quantile, ols, logistic
}

/// The estimators the command runs.
enum EstimatorChoice: String, CaseIterable, ExpressibleByArgument {
  case naive, classical, ppi
  case ppiPlusPlus = "ppi++"
  case stratified
  case crossPPI = "cross-ppi"
  case dsl
}

/// `--lambda auto` (PPI++'s power tuning) or a fixed λ.
enum LambdaChoice: ExpressibleByArgument, Equatable {
  case auto
  case fixed(Double)

  init?(argument: String) {
    if argument == "auto" {
      self = .auto
    } else if let value = Double(argument), value.isFinite {
      self = .fixed(value)
    } else {
      return nil
    }
  }

  static var allValueStrings: [String] { ["auto", "<number>"] }
}

/// Where DSL's outcome model comes from.
enum DSLOutcomeChoice: String, CaseIterable, ExpressibleByArgument {
  case surrogate
  case crossFitted = "cross-fitted"
}

/// How the result is written.
enum EstimateFormat: String, CaseIterable, ExpressibleByArgument {
  case table, json, csv
}

/// The intervals and the output.
struct EstimateOutputOptions: ParsableArguments {
  @Option(help: "Error level: the intervals cover 1 - alpha (ppi_py's default 0.1: 90%).")
  var alpha: Double = 0.1

  @Option(help: "two-sided, larger (a lower bound) or smaller (an upper bound).")
  var alternative: Alternative = .twoSided

  @Option(help: "table, json or csv.")
  var format: EstimateFormat = .table

  @Option(help: "Write to this file (atomically) instead of standard output.")
  var output: String?

  func interval() throws -> ZInterval {
    guard alpha > 0, alpha < 1 else {
      throw BiasKitError(
        .invalidArgument, "--alpha must be in (0, 1) (0.1 gives 90% intervals); got \(alpha)")
    }
    return try ZInterval(alpha: alpha, alternative: alternative)
  }

  func write(_ text: String) throws {
    if let output {
      try AtomicFileWriter.write(text, to: output)
    } else {
      FileHandle.standardOutput.write(Data(text.utf8))
    }
  }
}

extension Alternative: ExpressibleByArgument {}

struct EstimateRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Estimate a mean, proportion, quantile or regression with intervals.")

  @OptionGroup var input: EstimateInputOptions
  @OptionGroup var output: EstimateOutputOptions

  @Option(help: "mean, proportion (a mean of 0/1 labels), quantile, ols or logistic.")
  var estimand: EstimandChoice = .mean

  @Option(help: "The quantile level q in (0, 1), with --estimand quantile.")
  var q: Double = 0.5

  @Option(
    name: .customLong("method"),
    help:
      "Estimators, repeatable: naive, classical, ppi, ppi++, stratified (--strata), cross-ppi (--folds), dsl (--sampling-prob). Default: naive, classical, ppi++ (and dsl with --sampling-prob, stratified with --strata)."
  )
  var methods: [EstimatorChoice] = []

  @Option(help: "PPI++'s power tuning: auto (estimated, clipped to [0, 1]) or a fixed value.")
  var lambda: LambdaChoice = .auto

  @Option(help: "The coefficient whose variance PPI++'s lambda minimises (default: all).")
  var coefficient: String?

  @Option(help: "Folds of the cross-fitted learners (cross-ppi, dsl --dsl-outcome cross-fitted).")
  var folds: Int = 10

  @Option(help: "Seed of the fold assignment (cross-ppi keeps the row order without it).")
  var seed: UInt64?

  @Option(
    name: .customLong("dsl-outcome"),
    help:
      "DSL's outcome model: the surrogate (--y-pred) or a learner cross-fitted on the gold rows.")
  var dslOutcome: DSLOutcomeChoice = .surrogate

  @Option(help: "Quantile grid: linear (5000 points, ppi_py's default) or exact (every value).")
  var grid: String = "linear"

  /// The options' own checks (in run(), so that they are BiasKit errors: one line, exit 2).
  func check() throws {
    if case .quantile = estimand, !(q > 0 && q < 1) {
      throw BiasKitError(.invalidArgument, "--q must be in (0, 1); got \(q)")
    }
    if !(output.alpha > 0 && output.alpha < 1) {
      throw BiasKitError(
        .invalidArgument, "--alpha must be in (0, 1) (0.1 gives 90% intervals); got \(output.alpha)"
      )
    }
    if (estimand == .ols || estimand == .logistic) && input.covariateNames.isEmpty
      && !input.intercept
    {
      throw BiasKitError(
        .invalidArgument, "--estimand \(estimand.rawValue) needs --covariates (or --intercept)")
    }
    if grid != "linear" && grid != "exact" {
      throw BiasKitError(.invalidArgument, "--grid must be linear or exact; got '\(grid)'")
    }
  }

  var chosenMethods: [EstimatorChoice] {
    if !methods.isEmpty { return methods }
    var out: [EstimatorChoice] = [.naive, .classical, .ppiPlusPlus]
    if input.strata != nil { out.append(.stratified) }
    if input.samplingProb != nil { out.append(.dsl) }
    return out
  }

  var libraryEstimand: Estimand {
    switch estimand {
    case .mean, .proportion: return .mean
    case .quantile: return .quantile(q)
    case .ols: return .linearRegression
    case .logistic: return .logisticRegression
    }
  }

  func run() throws {
    try check()
    try OutputPaths.check(
      inputs: [input.input, input.unlabelled], outputs: [("--output", output.output)])
    let interval = try output.interval()
    let methods = chosenMethods
    if methods.contains(.dsl) && input.samplingProb == nil {
      throw BiasKitError(
        .invalidArgument,
        "--method dsl needs --sampling-prob (each gold row's probability of being labelled)")
    }
    if methods.contains(.stratified) && input.strata == nil {
      throw BiasKitError(.invalidArgument, "--method stratified needs --strata COLUMN")
    }
    let crossFeatures =
      input.featureNames.isEmpty ? input.covariateNames : input.featureNames
    if methods.contains(.crossPPI) && crossFeatures.isEmpty {
      throw BiasKitError(
        .invalidArgument, "--method cross-ppi needs --features (or --covariates) for its learner")
    }
    let needsPredictions = methods.contains { $0 != .classical && $0 != .crossPPI }
    let needsLearnerInputs =
      methods.contains(.crossPPI) || (methods.contains(.dsl) && dslOutcome == .crossFitted)
    let estimand = libraryEstimand
    let data = try EstimateData.load(
      input, predictions: needsPredictions, logistic: estimand == .logisticRegression,
      featureColumns: needsLearnerInputs ? crossFeatures : [])
    if case .proportion = self.estimand,
      let bad = data.sample.labels.firstIndex(where: { $0 != 0 && $0 != 1 })
    {
      throw BiasKitError(
        .invalidValue,
        "\(data.files): --estimand proportion needs 0/1 labels; a gold label is \(data.sample.labels[bad]) (labelled row \(bad + 1))"
      )
    }
    let quantileGrid: QuantileGrid = grid == "exact" ? .exact : .ppiDefault
    var coordinate: Int? = nil
    if let coefficient {
      guard let k = data.sample.covariateNames.firstIndex(of: coefficient) else {
        throw BiasKitError(
          .unknownName,
          "--coefficient '\(coefficient)' is not a covariate (\(data.sample.covariateNames.joined(separator: ", ")))"
        )
      }
      coordinate = k
    }
    let sampleCount = (
      data.sample.labelledCount,
      max(data.sample.unlabelledCount, data.unlabelledFeatures?.rows ?? 0)
    )
    /// The estimator as a function of the (whole or one group's) sample; `whole` passes the
    /// learners' feature matrices, which belong to the whole sample's rows.
    func estimator(
      _ method: EstimatorChoice, whole: Bool = true
    ) -> (PredictionSample) throws
      -> Estimate
    {
      switch method {
      case .naive:
        return {
          try NaiveEstimator(interval: interval, quantileGrid: quantileGrid).estimate(
            estimand, from: $0)
        }
      case .classical:
        return {
          try ClassicalEstimator(interval: interval, quantileGrid: quantileGrid).estimate(
            estimand, from: $0)
        }
      case .ppi:
        return {
          try PredictionPoweredInference(interval: interval, quantileGrid: quantileGrid).estimate(
            estimand, from: $0)
        }
      case .ppiPlusPlus:
        if case .fixed(let value) = lambda {
          return {
            try PredictionPoweredInference(
              lambda: value, interval: interval, quantileGrid: quantileGrid
            )
            .estimate(estimand, from: $0)
          }
        }
        return {
          try PowerTunedPredictionPoweredInference(
            interval: interval, quantileGrid: quantileGrid, coordinate: coordinate
          ).estimate(estimand, from: $0)
        }
      case .dsl:
        let model: DesignBasedSupervisedLearning.OutcomeModel =
          dslOutcome == .surrogate
          ? .surrogate : .crossFitted(folds: folds, learner: nil, seed: seed ?? 0)
        let features = data.features.map { Self.prepend(data.sample.predictions, $0) }
        let unlabelledFeatures = data.unlabelledFeatures.map {
          Self.prepend(data.sample.unlabelledPredictions, $0)
        }
        return {
          try DesignBasedSupervisedLearning(outcomeModel: model, interval: interval).estimate(
            estimand, from: $0, features: whole ? features : nil,
            unlabelledFeatures: whole ? unlabelledFeatures : nil)
        }
      case .stratified:
        return { _ in
          try StratifiedPredictionPoweredInference(interval: interval).estimate(
            estimand, from: data.sample, strata: data.strata!)
        }
      case .crossPPI:
        return { _ in
          try CrossPredictionPoweredInference(
            folds: folds, seed: seed, interval: interval, quantileGrid: quantileGrid
          ).estimate(
            estimand, labels: data.sample.labels, features: data.features!,
            unlabelledFeatures: data.unlabelledFeatures!, covariates: data.sample.covariates,
            unlabelledCovariates: data.sample.unlabelledCovariates)
        }
      }
    }
    let report: EstimationReport
    do {
      // The gold rows' problems first, whatever the order of the estimators.
      if needsPredictions { try data.sample.validate(for: estimand, unlabelled: false) }
      // The naive estimate last: an error about the gold rows is the one to report.
      var byMethod: [EstimatorChoice: Estimate] = [:]
      for method in methods.filter({ $0 != .naive }) + methods.filter({ $0 == .naive }) {
        byMethod[method] = try estimator(method)(data.sample)
      }
      let estimates = methods.map { byMethod[$0]! }
      var grouped: [(method: EstimationMethod, groups: GroupEstimates)] = []
      if let partition = data.groups {
        for (method, estimate) in zip(methods, estimates)
        where method != .stratified && method != .crossPPI {
          grouped.append(
            (
              estimate.method,
              try GroupEstimates(
                partition: partition, sample: data.sample, interval: interval,
                estimator: estimator(method, whole: false))
            ))
        }
      }
      report = EstimationReport(
        estimand: estimand, interval: interval, labelledCount: sampleCount.0,
        unlabelledCount: sampleCount.1, estimates: estimates, grouped: grouped)
    } catch let error as BiasKitError {
      throw BiasKitError(error.code, "\(data.files): \(error.commandLineMessage)")
    }
    switch output.format {
    case .json: try output.write(report.json().serialized() + "\n")
    case .csv: try output.write(report.csv())
    case .table: try output.write(EstimateTable.render(report, groupColumn: input.group))
    }
  }

  /// The surrogate as the learner's first feature (DSL's ĝ sees the prediction).
  static func prepend(_ column: [Double], _ m: Matrix) -> Matrix {
    Matrix(
      columnVectors: [column] + (0..<m.columns).map { m.column($0) },
      columnNames: ["prediction"] + m.columnNames)
  }
}
