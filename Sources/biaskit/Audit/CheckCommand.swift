import ArgumentParser
import BiasKit

struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "check", abstract: "Not available yet.")
  func run() throws { throw BiasKitError(.invalidArgument, "'biaskit check' is not implemented yet") }
}
