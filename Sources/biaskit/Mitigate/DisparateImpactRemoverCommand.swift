import ArgumentParser
import BiasKit
import Foundation

/// `biaskit mitigate disparate-impact-remover`: AIF360's DisparateImpactRemover on the feature
/// columns of the training (and test) file.
struct DisparateImpactRemoverCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "disparate-impact-remover",
    abstract: "Repair the feature columns so their distribution does not depend on the sensitive group, keeping the order within groups (AIF360 DisparateImpactRemover).")
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions
  @Option(help: "How far to repair, in [0, 1]: 0 changes nothing, 1 is full repair.")
  var repairLevel: Double = 1

  func run() throws {
    let data = try input.load()
    let remover = DisparateImpactRemover(repairLevel: repairLevel)
    let out = try remover.repaired(data.train.features, groups: data.train.groups)
    var warnings: [String] = []
    var result = MitigationResult(method: "disparate-impact-remover", fitted: ["repair_level": repairLevel], warnings: [])
    if let test = data.test, out.columns > 0 {
      // As AIF360's note asks, the test file is repaired on its own (same procedure).
      let outTest = try remover.repaired(test.features, groups: test.groups)
      let lr = try LogisticRegression(inverseRegularization: input.learnerC, maxIterations: input.learnerMaxIter)
        .fitted(features: out, labels: data.train.labels.map(Double.init))
      warnings.append(contentsOf: lr.warnings)
      result.train = outcomeJSON(lr.predictions(out).map(Double.init), data.train, violation: "demographic_parity")
      result.test = outcomeJSON(lr.predictions(outTest).map(Double.init), test, violation: "demographic_parity")
    }
    result.warnings = warnings
    if let path = output.output {
      var text = data.train.featureNames.joined(separator: ",") + ",\(input.target),\(input.sensitive)\n"
      for i in 0..<out.rows {
        text += out.row(i).map { "\($0)" }.joined(separator: ",")
        text += ",\(data.train.labels[i]),\(data.train.groups.names[Int(data.train.groups.codes[i])])\n"
      }
      try AtomicFileWriter.write(text, to: path)
    }
    var rest = output
    rest.output = nil
    try result.emit(rest, data: data, learner: input.learner)
  }
}
