import ArgumentParser
import BiasKit

/// `biaskit mitigate`: placeholder until its issue lands.
struct MitigateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mitigate", abstract: "Not available yet.")

  func run() throws {
    throw BiasKitError(.invalidArgument, "'biaskit mitigate' is not implemented yet")
  }
}
