import BiasKit

/// The files one command reads and writes, checked together before anything is written.
///
/// Every command that writes files calls ``check(inputs:outputs:)`` once, before its work:
///
///     try OutputPaths.check(
///       inputs: [input.input, input.x, input.y],
///       outputs: [("--output", output), ("--output-x", outputX), ("--indices", indices)])
///
/// It refuses (one line, exit status 2):
/// - an output that is one of the command's inputs (the same file by device and inode, so
///   `./in.csv`, a symbolic link or a hard link to `in.csv` count: the data would be replaced);
/// - two outputs onto one file (one would replace the other);
/// - any destination that cannot be written (missing folder, a file used as a folder, a
///   folder, a folder without write permission) — all of them before the first is written, so
///   a bad second path never leaves the first file behind.
///
/// Devices and FIFOs (`/dev/null`, a named pipe) are written through and may be named twice;
/// `-` is standard output and may be named once. The writing itself is
/// ``AtomicFileWriter``'s (Guides/Reliability.md).
enum OutputPaths {
  /// Validates `outputs` (flag, path) against each other and against `inputs`; nil paths are
  /// skipped. Returns the validated destinations, in order.
  @discardableResult
  static func check(
    inputs: [String?], outputs: [(flag: String, path: String?)]
  ) throws -> [OutputDestination] {
    let given = outputs.compactMap { output in output.path.map { (output.flag, $0) } }
    var destinations: [(flag: String, destination: OutputDestination)] = []
    for (flag, path) in given {
      destinations.append((flag, try OutputDestination(path)))
    }
    let readFiles = inputs.compactMap { $0 }.filter { $0 != "-" }.compactMap { path in
      FileIdentity(path: path).map { (path, $0) }
    }
    for (flag, destination) in destinations {
      guard case .file = destination.kind, let identity = destination.identity else { continue }
      if let (input, _) = readFiles.first(where: { $0.1 == identity }) {
        throw BiasKitError.outputIsInput(flag: flag, path: destination.path, input: input)
      }
    }
    for (k, (flag, destination)) in destinations.enumerated() {
      for (otherFlag, other) in destinations[..<k] where other.isSameFile(as: destination) {
        throw BiasKitError.outputsCollide(
          otherFlag, other.path, flag, destination.path)
      }
    }
    return destinations.map(\.destination)
  }
}

extension BiasKitError {
  static func outputIsInput(flag: String, path: String, input: String) -> BiasKitError {
    let same = path == input ? "" : " (the same file as \(input))"
    return BiasKitError(
      .invalidArgument,
      "\(flag) \(path) is an input of this command\(same): writing it would replace the data; choose another file"
    )
  }

  static func outputsCollide(
    _ firstFlag: String, _ first: String, _ secondFlag: String, _ second: String
  ) -> BiasKitError {
    let same = first == second ? "" : " (\(first) and \(second) are the same file)"
    return BiasKitError(
      .invalidArgument,
      "\(firstFlag) and \(secondFlag) both write \(second)\(same): one would replace the other; give each output its own file"
    )
  }
}
