import ArgumentParser
import BiasKit

/// `biaskit embeddings`: placeholder until its issue lands.
struct EmbeddingsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "embeddings", abstract: "Not available yet.")

  func run() throws {
    throw BiasKitError(.invalidArgument, "'biaskit embeddings' is not implemented yet")
  }
}
