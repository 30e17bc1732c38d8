import Foundation
import Testing

/// Locations of test inputs: the package's own fixtures and the read-only `../shared` folder.
enum TestData {
  /// The package root (the folder holding Package.swift).
  static let packageRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
      url.deleteLastPathComponent()
      if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        return url
      }
    }
    fatalError("Package.swift not found above \(#filePath)")
  }()

  /// A file under `Tests/BiasKitTests/Fixtures/`.
  static func fixture(_ relativePath: String) -> URL {
    packageRoot.appendingPathComponent("Tests/BiasKitTests/Fixtures").appendingPathComponent(
      relativePath)
  }

  /// The shared folder: `$BIASKIT_SHARED`, else `../shared` beside the package.
  static let shared: URL = {
    if let path = ProcessInfo.processInfo.environment["BIASKIT_SHARED"] {
      return URL(fileURLWithPath: path)
    }
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
  }()

  /// A file under the shared folder.
  static func shared(_ relativePath: String) -> URL { shared.appendingPathComponent(relativePath) }

  /// Whether the shared folder is present (it is on CI and on developers' machines).
  static var sharedIsAvailable: Bool {
    FileManager.default.fileExists(atPath: shared.appendingPathComponent("README.md").path)
  }

  /// Decodes a JSON fixture into `Any` (dictionaries, arrays, numbers, strings, NSNull).
  static func json(_ url: URL) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(contentsOf: url))
  }

  /// A fresh temporary folder for one test.
  static func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("biaskit-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

/// Runs the `biaskit` executable built next to the tests.
enum CLI {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static let executable: URL = {
    // The test bundle lives in the products folder, next to the `biaskit` binary.
    var folder = Bundle.main.bundleURL
    for _ in 0..<3 {
      let candidate = folder.appendingPathComponent("biaskit")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      folder.deleteLastPathComponent()
    }
    for bundle in Bundle.allBundles {
      let candidate = bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("biaskit")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    fatalError("the biaskit executable was not found near \(Bundle.main.bundleURL.path)")
  }()

  /// Runs `biaskit arguments…` in `directory` (default: the package root) and captures its output.
  @discardableResult
  static func run(
    _ arguments: [String], in directory: URL? = nil, stdin: Data? = nil
  ) throws -> Result {
    try runProcess(executable, arguments, in: directory ?? TestData.packageRoot, stdin: stdin)
  }
}

/// Runs `executable` with `arguments` and captures its output: both pipes are read at once, so
/// a large output cannot block the child; with a `timeout` the child is terminated after that
/// many seconds.
func runProcess(
  _ executable: URL, _ arguments: [String], in directory: URL? = nil, stdin: Data? = nil,
  timeout: TimeInterval? = nil
) throws -> CLI.Result {
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  if let directory { process.currentDirectoryURL = directory }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  if let stdin {
    let input = Pipe()
    process.standardInput = input
    try process.run()
    input.fileHandleForWriting.write(stdin)
    try input.fileHandleForWriting.close()
  } else {
    process.standardInput = FileHandle.nullDevice
    try process.run()
  }
  let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
  if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer) }
  let errData = SharedBox(Data())
  let group = DispatchGroup()
  group.enter()
  DispatchQueue.global().async {
    errData.value = err.fileHandleForReading.readDataToEndOfFile()
    group.leave()
  }
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  group.wait()
  process.waitUntilExit()
  killer.cancel()
  return CLI.Result(
    status: process.terminationStatus,
    stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData.value, as: UTF8.self))
}

/// A value written by one thread and read by another after a wait (a semaphore or a dispatch
/// group orders the two), for tests that read pipes or run a command on another thread.
final class SharedBox<Value>: @unchecked Sendable {
  var value: Value
  init(_ value: Value) { self.value = value }
}

/// How the tests were built: heavy numerical tests need an optimised library.
enum TestBuild {
  /// Whether the tests (and the library under test) were compiled with optimisation
  /// (`swift test -c release`, which `.ci/run` runs).
  static let isOptimized: Bool = {
    #if DEBUG
      return false
    #else
      return true
    #endif
  }()

  /// Whether the heavy numerical suites run: in optimised builds, or when
  /// `BIASKIT_HEAVY_TESTS=1` asks for them in a debug build.
  static var runsHeavyTests: Bool {
    isOptimized || ProcessInfo.processInfo.environment["BIASKIT_HEAVY_TESTS"] == "1"
  }
}

extension Trait where Self == ConditionTrait {
  /// A suite of numerical work on real data sets (the Adult design, COMPAS/German, the 26k-word
  /// embedding's analogies): seconds optimised, many minutes in an unoptimised debug build now
  /// that the package has no `-O`-in-debug flag (issue #18.1: SwiftPM refuses unsafe flags in
  /// dependencies). They run in `swift test -c release` (as `.ci/run` does) and, in a debug
  /// build, with `BIASKIT_HEAVY_TESTS=1`.
  static var heavy: Self {
    .enabled(
      if: TestBuild.runsHeavyTests,
      "a heavy numerical suite: runs in `swift test -c release` (as .ci/run does) or with BIASKIT_HEAVY_TESTS=1"
    )
  }
}
