import ArgumentParser
import BiasKit
import Foundation

/// The files and columns of `biaskit estimate`: a labelled file (gold `--y-true`, predictions
/// `--y-pred`, covariates) and optionally an unlabelled file (`--unlabelled`, predictions and
/// covariates), or one file whose `--y-true` is empty on the unlabelled rows.
struct EstimateInputOptions: ParsableArguments {
  @Argument(
    help: ArgumentHelp(
      "The labelled rows (CSV or another registered format); rows with an empty --y-true are unlabelled.",
      valueName: "file"))
  var input: String

  @Option(help: "A second file of unlabelled rows (predictions and covariates, no gold labels).")
  var unlabelled: String?

  @Option(name: .customLong("y-true"), help: "Column of gold labels (empty: an unlabelled row).")
  var yTrue: String = "y_true"

  @Option(
    name: .customLong("y-pred"),
    help: "Column of the model's or LLM's predictions (values or probabilities).")
  var yPred: String = "y_pred"

  @Option(
    help:
      "Covariates of the regression estimands, comma-separated (no intercept is added; see --intercept)."
  )
  var covariates: [String] = []

  @Flag(help: "Add a column of ones named 'intercept' before the covariates.")
  var intercept = false

  @Option(name: .customLong("sample-weight"), help: "Column of sample weights.")
  var sampleWeight: String?

  @Option(help: "Estimate per level of this column, with the differences between levels.")
  var group: String?

  @Option(help: "Strata of the stratified estimator (a column).")
  var strata: String?

  @Option(
    name: .customLong("sampling-prob"),
    help: "Column of each labelled row's known probability of gold labelling, in (0, 1] (DSL).")
  var samplingProb: String?

  @Option(
    help:
      "Features of the cross-fitted learners, comma-separated (default: the covariates; DSL adds --y-pred)."
  )
  var features: [String] = []

  @Option(help: "Field separator (one character; `tab` for tab). Default: by extension.")
  var delimiter: String?

  var covariateNames: [String] { AuditInputOptions.split(covariates) }
  var featureNames: [String] { AuditInputOptions.split(features) }
}

/// The rows `biaskit estimate` read, split into labelled and unlabelled, with where each came
/// from (for messages).
struct EstimateData {
  var sample: PredictionSample
  var groups: SamplePartition?
  var strata: SamplePartition?
  var features: Matrix?
  var unlabelledFeatures: Matrix?
  /// The files, for messages about the data as a whole.
  var files: String

  /// Reads and validates the columns `needs` asks for.
  static func load(
    _ options: EstimateInputOptions, predictions needsPredictions: Bool, logistic: Bool,
    featureColumns: [String]
  ) throws -> EstimateData {
    let delimiter = try options.delimiter.map { try AuditInputOptions.delimiterByte($0) }
    let first = try TableSources.open(
      options.input, options: TableReadOptions(delimiter: delimiter))
    let second = try options.unlabelled.map {
      try TableSources.open($0, options: TableReadOptions(delimiter: delimiter))
    }
    let covariates = options.covariateNames
    var requests: [ColumnRequest] = [ColumnRequest(options.yTrue, .number(allowMissing: true))]
    func add(_ request: ColumnRequest) -> Int {
      if let k = requests.firstIndex(where: { $0.name == request.name }) {
        guard requests[k].kind == request.kind else {
          return -1
        }
        return k
      }
      requests.append(request)
      return requests.count - 1
    }
    let predictionSlot = needsPredictions ? add(.number(options.yPred)) : nil
    let covariateSlots = covariates.map { add(.number($0)) }
    let featureSlots = featureColumns.map { add(.number($0)) }
    let weightSlot = options.sampleWeight.map { add(.number($0)) }
    let groupSlot = options.group.map { add(.category($0)) }
    let strataSlot = options.strata.map { add(.category($0)) }
    let probabilitySlot = options.samplingProb.map {
      add(ColumnRequest($0, .number(allowMissing: true)))
    }
    for slot in [predictionSlot, weightSlot, groupSlot, strataSlot, probabilitySlot]
      + covariateSlots.map(Optional.some) + featureSlots.map(Optional.some)
    where slot == -1 {
      throw BiasKitError(
        .invalidArgument,
        "a column is given two roles (a number and a group, or the gold labels and another role)")
    }
    for request in requests { try first.requireColumn(request.name) }
    let table = try first.read(requests)
    // The unlabelled file: the same columns except the gold labels and the probabilities.
    let secondRequests = requests.filter {
      $0.name != options.yTrue && $0.name != options.samplingProb
    }
    var secondTable: Table? = nil
    if let second {
      for request in secondRequests { try second.requireColumn(request.name) }
      secondTable = try second.read(secondRequests)
    }
    func secondColumn(_ slot: Int) -> Column? {
      guard let secondTable else { return nil }
      return secondTable[requests[slot].name]
    }

    let y = table.columns[0].numbers!
    let labelledRows = y.indices.filter { !y[$0].isNaN }
    let unlabelledRows = y.indices.filter { y[$0].isNaN }
    let secondCount = secondTable?.rowCount ?? 0
    guard !labelledRows.isEmpty else {
      throw BiasKitError(
        .degenerateData,
        "\(first.name): column '\(options.yTrue)' is empty on every row: there are no labelled rows to estimate with"
      )
    }
    /// Where labelled row k or unlabelled row k is.
    func location(labelled: Bool, _ k: Int, _ column: String) -> SourceLocation {
      if labelled { return first.location(row: labelledRows[k], column: column) }
      if k < unlabelledRows.count { return first.location(row: unlabelledRows[k], column: column) }
      return second!.location(row: k - unlabelledRows.count, column: column)
    }
    func numbers(_ slot: Int) -> (labelled: [Double], unlabelled: [Double]) {
      let values = table.columns[slot].numbers ?? []
      var other = unlabelledRows.map { values[$0] }
      if let column = secondColumn(slot)?.numbers { other += column }
      return (labelledRows.map { values[$0] }, other)
    }
    func checkFinite(_ values: [Double], labelled: Bool, _ column: String) throws {
      if let bad = values.firstIndex(where: { !$0.isFinite }) {
        throw BiasKitError(
          .invalidValue,
          "\(location(labelled: labelled, bad, column)): \(values[bad]) is not a finite number")
      }
    }
    let labels = labelledRows.map { y[$0] }
    try checkFinite(labels, labelled: true, options.yTrue)
    if logistic, let bad = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
      throw BiasKitError(
        .invalidValue,
        "\(location(labelled: true, bad, options.yTrue)): the label \(labels[bad]) is not 0 or 1 (the logistic estimand needs 0/1 labels)"
      )
    }
    var predictions: (labelled: [Double], unlabelled: [Double]) = ([], [])
    if let predictionSlot {
      predictions = numbers(predictionSlot)
      for (set, values) in [(true, predictions.labelled), (false, predictions.unlabelled)] {
        try checkFinite(values, labelled: set, options.yPred)
        if logistic, let bad = values.firstIndex(where: { !(0...1).contains($0) }) {
          throw BiasKitError(
            .invalidValue,
            "\(location(labelled: set, bad, options.yPred)): the prediction \(values[bad]) is outside [0, 1] (the logistic estimand needs probabilities or 0/1 predictions)"
          )
        }
      }
    }
    func matrix(_ slots: [Int], _ names: [String], ones: Bool) throws -> (Matrix, Matrix)? {
      guard !slots.isEmpty || ones else { return nil }
      var left: [[Double]] = []
      var right: [[Double]] = []
      if ones {
        left.append([Double](repeating: 1, count: labelledRows.count))
        right.append([Double](repeating: 1, count: unlabelledRows.count + secondCount))
      }
      for (slot, name) in zip(slots, names) {
        let (l, u) = numbers(slot)
        try checkFinite(l, labelled: true, name)
        try checkFinite(u, labelled: false, name)
        left.append(l)
        right.append(u)
      }
      let columnNames = (ones ? ["intercept"] : []) + names
      return (
        Matrix(columnVectors: left, columnNames: columnNames),
        Matrix(columnVectors: right, columnNames: columnNames)
      )
    }
    let design = try matrix(covariateSlots, covariates, ones: options.intercept)
    let learnerInputs = try matrix(featureSlots, featureColumns, ones: false)
    var weights: (labelled: [Double], unlabelled: [Double])? = nil
    if let weightSlot, let name = options.sampleWeight {
      let w = numbers(weightSlot)
      for (set, values) in [(true, w.labelled), (false, w.unlabelled)] {
        if let bad = values.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
          throw BiasKitError(
            .invalidValue,
            "\(location(labelled: set, bad, name)): the sample weight \(values[bad]) is not a finite number ≥ 0"
          )
        }
      }
      weights = w
    }
    var probabilities: [Double]? = nil
    if let probabilitySlot, let name = options.samplingProb {
      let p = numbers(probabilitySlot).labelled
      if let bad = p.firstIndex(where: { !($0 > 0 && $0 <= 1) }) {
        throw BiasKitError(
          .invalidValue,
          "\(location(labelled: true, bad, name)): the sampling probability \(p[bad]) is not in (0, 1]"
        )
      }
      probabilities = p
    }
    func partition(_ slot: Int?, _ name: String?) throws -> SamplePartition? {
      guard let slot, let name else { return nil }
      let column = table.columns[slot].categories!
      // One level table over both files: codes remapped by level name.
      var levels = column.levels
      var index = [String: Int32]()
      for (k, level) in levels.enumerated() { index[level] = Int32(k) }
      var codes = column.codes
      if let other = secondColumn(slot)?.categories {
        let map = other.levels.map { level -> Int32 in
          if let code = index[level] { return code }
          let code = Int32(levels.count)
          levels.append(level)
          index[level] = code
          return code
        }
        codes += other.codes.map { map[Int($0)] }
      }
      let groups = try Groups(
        features: [name], columns: [CategoricalColumn(codes: codes, levels: levels)])
      let all = groups.codes
      let labelled = labelledRows.map { all[$0] }
      var unlabelled = unlabelledRows.map { all[$0] }
      if secondCount > 0 { unlabelled += all[column.codes.count...] }
      return SamplePartition(labelled: labelled, unlabelled: unlabelled, names: groups.names)
    }
    let sample = PredictionSample(
      labels: labels, predictions: predictions.labelled,
      unlabelledPredictions: predictions.unlabelled, covariates: design?.0,
      unlabelledCovariates: design?.1, weights: weights?.labelled,
      unlabelledWeights: weights?.unlabelled, samplingProbabilities: probabilities)
    let files = [first.name] + (second.map { [$0.name] } ?? [])
    return EstimateData(
      sample: sample, groups: try partition(groupSlot, options.group),
      strata: try partition(strataSlot, options.strata), features: learnerInputs?.0,
      unlabelledFeatures: learnerInputs?.1, files: files.joined(separator: " + "))
  }
}
