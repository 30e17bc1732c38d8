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
    // As AIF360's note asks, the test file is repaired on its own (same procedure).
    try MitigationSession(
      method: "disparate-impact-remover", input: input, output: output, data: data
    ).runPreprocessor(DisparateImpactRemover(repairLevel: repairLevel)) { [input] in
      transformedTrainingCSV($0, data: data, input: input)
    }
  }
}
