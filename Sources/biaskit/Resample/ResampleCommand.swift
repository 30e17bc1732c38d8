import ArgumentParser
import BiasKit

/// `biaskit resample`: placeholder until its issue lands.
struct ResampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resample", abstract: "Not available yet.")

  func run() throws {
    throw BiasKitError(.invalidArgument, "'biaskit resample' is not implemented yet")
  }
}
