import ArgumentParser
import BiasKit

struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "audit", abstract: "Not available yet.")
  func run() throws { throw BiasKitError(.invalidArgument, "'biaskit audit' is not implemented yet") }
}
