import ArgumentParser
import BiasKit
import Foundation

/// `biaskit mitigate METHOD …`: fits a bias mitigation method on a training CSV and reports
/// its expected accuracy, selection rate and fairness violation on the training and test files.
struct MitigateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mitigate",
    abstract: "Mitigate bias: pre-processing, reductions and post-processing.",
    discussion: """
      Examples:
        biaskit mitigate exponentiated-gradient \\
          --train train.csv --test test.csv --target y \\
          --sensitive sex_raw --drop race_raw \\
          --constraint demographic_parity --format json
        biaskit mitigate threshold-optimizer \\
          --train train.csv --test test.csv --target y \\
          --sensitive sex_raw,race_raw --constraint equalized_odds \\
          --output predictions.csv --then-audit
      """,
    subcommands: [
      ReweighingCommand.self, CorrelationRemoverCommand.self, DisparateImpactRemoverCommand.self,
      ThresholdOptimizerCommand.self,
      ExponentiatedGradientCommand.self, GridSearchCommand.self, WorstGroupCommand.self,
      FairnessRegularizedCommand.self,
      RejectOptionCommand.self, EqualizedOddsPostprocessingCommand.self,
      CalibratedEqualizedOddsCommand.self,
    ])
}
