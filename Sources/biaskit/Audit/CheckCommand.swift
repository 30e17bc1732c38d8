import ArgumentParser
import BiasKit
import Foundation

/// `biaskit check`: the audit as a CI gate. Exits 1 and lists the broken bounds when any bound
/// fails, 0 when all hold; `--junit` writes a JUnit XML report for CI systems.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Fail (exit 1) when fairness bounds are broken: a CI gate.",
    discussion: """
      Bounds name a fairness scalar (demographic_parity_difference, \
      equalized_odds_ratio, …), an inequality index, or SECTION.METRIC with \
      SECTION one of overall, by_group, group_min, group_max, \
      difference_between_groups, difference_to_overall, ratio_between_groups, \
      ratio_to_overall. An undefined value breaks its bound.

      Exit status: 0 when every bound holds, 1 when one is broken, 2 for bad \
      input or options.

      Example:
        biaskit check preds.csv --sensitive sex,race \\
          --max demographic_parity_difference=0.1 \\
          --min ratio_between_groups.recall=0.8
      """)

  @OptionGroup var input: AuditInputOptions
  @OptionGroup var metrics: MetricOptions
  @OptionGroup var bootstrap: BootstrapFlags

  @Option(
    help: ArgumentHelp("An upper bound NAME=VALUE (repeatable).", valueName: "max"),
    transform: Flags.parsing { try FairnessBound(parsing: $0, kind: .maximum) })
  var max: [FairnessBound] = []

  @Option(
    help: ArgumentHelp("A lower bound NAME=VALUE (repeatable).", valueName: "min"),
    transform: Flags.parsing { try FairnessBound(parsing: $0, kind: .minimum) })
  var min: [FairnessBound] = []

  @Option(help: "Write a JUnit XML report of the bounds to this file.")
  var junit: String?

  func run() throws {
    let bounds = max + min
    guard !bounds.isEmpty else {
      throw BiasKitError(
        .invalidArgument, "give at least one bound: --max NAME=VALUE or --min NAME=VALUE")
    }
    try OutputPaths.check(inputs: input.readPaths, outputs: [("--junit", junit)])
    // The bounds' metrics are computed even when --metrics leaves them out.
    let request = try input.request(metrics: metrics, bootstrap: bootstrap, bounds: bounds)
    let progress = AuditProgress()
    let report = try request.evaluated(progress: progress.callback).report
    progress.finish()
    let results = try bounds.map { try $0.evaluate(report) }
    if let junit {
      try AtomicFileWriter.write(
        FairnessBound.junit(results, source: request.source.name), to: junit)
    }
    let failures = results.filter { !$0.passed }
    for result in results {
      let mark = result.passed ? "ok  " : "FAIL"
      print("\(mark) \(TerminalText.escaped(result.description))")
    }
    if failures.isEmpty {
      print("all \(results.count) bound\(results.count == 1 ? "" : "s") hold")
    } else {
      print("\(failures.count) of \(results.count) bound\(results.count == 1 ? "" : "s") broken")
      throw ExitCode(1)
    }
  }
}
