import ArgumentParser
import BiasKit
import Foundation

/// The `biaskit` command: measures and mitigates bias in machine-learning systems.
///
/// Each subcommand only parses its options, calls the library and renders the result.
struct BiasKitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "biaskit",
    abstract: "Measure and mitigate bias in machine-learning systems.",
    version: BiasKit.version,
    subcommands: [
      AuditCommand.self, CheckCommand.self, MitigateCommand.self, ResampleCommand.self,
      EmbeddingsCommand.self, MergeCommand.self, ImportCommand.self, LLMCommand.self,
      EstimateCommand.self, RankCommand.self,
    ]
  )
}

/// Runs the tool with BiasKit's exit statuses: 0 success, 1 a `check` bound broken,
/// 2 bad input or bad options (one line on standard error, never a trap).
@main
enum Main {
  static func main() {
    do {
      var command = try BiasKitCommand.parseAsRoot()
      try command.run()
    } catch let error as BiasKitError {
      FileHandle.standardError.write(Data("biaskit: error: \(error.commandLineMessage)\n".utf8))
      exit(2)
    } catch let error as ExitCode {
      exit(error.rawValue)
    } catch {
      let code = BiasKitCommand.exitCode(for: error)
      if code == .success || code == .validationFailure && isHelpRequest(error) {
        BiasKitCommand.exit(withError: error)
      }
      if code == .validationFailure {
        // ArgumentParser's usage errors exit 64; BiasKit uses 2 for every bad input, with one
        // line (a bad option value names the flag, the value and why).
        let message = BiasKitCommand.message(for: error).split(separator: "\n").joined(
          separator: " ")
        FileHandle.standardError.write(
          Data("biaskit: error: \(message) (see --help)\n".utf8))
        exit(2)
      }
      BiasKitCommand.exit(withError: error)
    }
  }

  private static func isHelpRequest(_ error: Error) -> Bool {
    BiasKitCommand.exitCode(for: error) == .success
  }
}
