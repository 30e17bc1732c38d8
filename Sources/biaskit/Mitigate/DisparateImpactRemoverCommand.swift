import ArgumentParser
import BiasKit
import Foundation

/// `biaskit mitigate disparate-impact-remover`: AIF360's DisparateImpactRemover on the feature
/// columns of the training (and test) file.
struct DisparateImpactRemoverCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "disparate-impact-remover",
    abstract:
      "Repair the feature columns so their distribution does not depend on the sensitive group, keeping the order within groups (AIF360 DisparateImpactRemover)."
  )
  @OptionGroup var input: MitigationInputOptions
  @OptionGroup var output: MitigationOutputOptions
  @Option(help: "How far to repair, in [0, 1]: 0 changes nothing, 1 is full repair.")
  var repairLevel: Double = 1

  func run() throws {
    let data = try input.load()
    let remover = DisparateImpactRemover(repairLevel: repairLevel)
    let out = try remover.repaired(data.train.features, groups: data.train.groups)
    var result = MitigationResult(
      method: "disparate-impact-remover", fitted: ["repair_level": repairLevel], warnings: [])
    // As AIF360's note asks, the test file is repaired on its own (same procedure).
    try emitTransformed(
      &result, train: out,
      test: out.columns > 0
        ? try data.test.map { try remover.repaired($0.features, groups: $0.groups) } : nil,
      data: data, input: input, output: output)
  }
}
