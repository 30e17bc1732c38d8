import ArgumentParser
import BiasKit
import Foundation

/// `biaskit estimate plan`: how many gold labels a PPI++ interval of a given width needs, from a
/// pilot sample of labelled rows with predictions (ppi_py's power analysis).
struct EstimatePlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "How many gold labels a PPI++ interval of a given width needs (power analysis).",
    discussion: """
      From the pilot's labelled rows: the classical per-row variance and the PPI correlation \
      between the losses' gradients on the labels and on the predictions (ppi_py \
      _get_ppi_corr). The classical estimate needs n0 = variance·(2z/width)² labels; PPI++ with \
      N unlabelled rows needs the n whose effective size n(n+N)/(n+(1-ρ²)N) is n0. With \
      --cost-label and --cost-prediction, also ppi_py's cheapest (n, N) pair of that precision.
      """)

  @OptionGroup var input: EstimateInputOptions

  @Option(name: .customLong("target-width"), help: "The interval width wanted (upper − lower).")
  var targetWidth: Double

  @Option(help: "Error level (0.1: 90% intervals).")
  var alpha: Double = 0.1

  @Option(help: "mean, proportion, ols or logistic.")
  var estimand: EstimandChoice = .mean

  @Option(help: "The regression coefficient to plan for (a covariate's name).")
  var coefficient: String?

  @Option(
    name: .customLong("unlabelled-count"),
    help: "Unlabelled rows available (default: those of the input files).")
  var unlabelledCount: Int?

  @Option(name: .customLong("cost-label"), help: "Cost of one gold label (ppi_py cost_Y).")
  var costLabel: Double?

  @Option(name: .customLong("cost-prediction"), help: "Cost of one prediction (cost_Yhat).")
  var costPrediction: Double?

  @Option(name: .customLong("cost-row"), help: "Cost of one unlabelled row's data (cost_X).")
  var costRow: Double = 0

  @Option(help: "table or json.")
  var format: EstimateFormat = .table

  @Option(help: "Write to this file (atomically) instead of standard output.")
  var output: String?

  /// The options' own checks (in run(), so that they are BiasKit errors: one line, exit 2).
  func check() throws {
    guard targetWidth > 0, targetWidth.isFinite else {
      throw BiasKitError(.invalidArgument, "--target-width must be positive; got \(targetWidth)")
    }
    guard alpha > 0, alpha < 1 else {
      throw BiasKitError(
        .invalidArgument, "--alpha must be in (0, 1) (0.1 gives 90% intervals); got \(alpha)")
    }
    if estimand == .quantile {
      throw BiasKitError(.invalidArgument, "plan covers mean, proportion, ols and logistic")
    }
    if (costLabel == nil) != (costPrediction == nil) {
      throw BiasKitError(.invalidArgument, "--cost-label and --cost-prediction go together")
    }
    if let costLabel, let costPrediction, !(costLabel > 0 && costPrediction > 0 && costRow >= 0) {
      throw BiasKitError(.invalidArgument, "the costs must be positive (--cost-row may be 0)")
    }
    if format == .csv { throw BiasKitError(.invalidArgument, "plan writes table or json") }
  }

  func run() throws {
    try check()
    try OutputPaths.check(
      inputs: [input.input, input.unlabelled], outputs: [("--output", output)])
    let library: Estimand =
      estimand == .ols ? .linearRegression : estimand == .logistic ? .logisticRegression : .mean
    let data = try EstimateData.load(
      input, predictions: true, logistic: library == .logisticRegression, featureColumns: [])
    var coordinate: Int? = nil
    if library.isRegression {
      let names = data.sample.covariateNames
      guard let coefficient, let k = names.firstIndex(of: coefficient) else {
        throw BiasKitError(
          .invalidArgument,
          "--coefficient names the regression coefficient to plan for, one of: \(names.joined(separator: ", "))"
        )
      }
      coordinate = k
    }
    let analysis: PowerAnalysis
    let need: PowerAnalysis.LabelRequirement
    do {
      analysis = try PowerAnalysis(library, pilot: data.sample, coordinate: coordinate)
      need = try analysis.requiredLabels(
        targetWidth: targetWidth, alpha: alpha,
        unlabelledCount: unlabelledCount ?? data.sample.unlabelledCount)
    } catch let error as BiasKitError {
      throw BiasKitError(error.code, "\(data.files): \(error.commandLineMessage)")
    }
    var plan: PowerAnalysis.Plan? = nil
    if let costLabel, let costPrediction {
      plan = analysis.cheapestPair(
        effectiveSize: Double(need.classical),
        costs: PowerAnalysis.Costs(row: costRow, label: costLabel, prediction: costPrediction))
    }
    let text: String
    if format == .json {
      var fields: [(String, JSONValue)] = [
        ("estimand", .string(library.description)),
        ("coefficient", coefficient.map { .string($0) } ?? .null),
        ("target_width", .number(targetWidth)), ("alpha", .number(alpha)),
        ("pilot_labelled_rows", .integer(analysis.pilotCount)),
        ("ppi_correlation", .number(analysis.correlation)),
        ("classical_variance", .number(analysis.variance)),
        ("classical_labels", .integer(need.classical)),
        ("unlabelled_rows", need.unlabelledCount.map { .integer($0) } ?? .null),
        ("ppi_plus_plus_labels", .integer(need.powerTuned)),
      ]
      if let plan {
        fields.append(
          (
            "cheapest_pair",
            .object([
              ("labelled", .integer(plan.labelled)), ("unlabelled", .integer(plan.unlabelled)),
              ("cost", .number(plan.cost)), ("effective_size", .integer(plan.effectiveSize)),
            ])
          ))
      }
      text = JSONValue.object(fields).serialized() + "\n"
    } else {
      var lines = [
        "pilot: \(analysis.pilotCount) labelled rows; PPI correlation \(EstimateTable.number(analysis.correlation)), classical variance \(EstimateTable.number(analysis.variance))",
        "for a \(EstimateTable.format((1 - alpha) * 100, digits: 4))% interval of width \(targetWidth):",
        "  classical (gold labels only): \(need.classical) labels",
        "  PPI++ with \(need.unlabelledCount.map(String.init) ?? "unlimited") unlabelled rows: \(need.powerTuned) labels",
      ]
      if let plan {
        lines.append(
          "  cheapest pair (ppi_py ppi_power): \(plan.labelled) labels and \(plan.unlabelled) predictions, cost \(EstimateTable.number(plan.cost))"
        )
      }
      text = lines.joined(separator: "\n") + "\n"
    }
    if let output {
      try AtomicFileWriter.write(text, to: output)
    } else {
      FileHandle.standardOutput.write(Data(text.utf8))
    }
  }
}
