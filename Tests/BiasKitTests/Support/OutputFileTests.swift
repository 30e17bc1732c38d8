import Foundation
import Testing

@testable import BiasKit

/// What BiasKit promises about the files it writes (Guides/Reliability.md): atomic
/// replacement, symbolic links followed, modes kept, devices and FIFOs written through, never
/// over an input, never two outputs onto one file, every destination checked before the first
/// write, no temporary file left by an error or a signal.
@Suite("Reliability: output files")
struct OutputFileTests {
  static func mode(_ path: String) -> mode_t {
    var status = stat()
    _ = stat(path, &status)
    return status.st_mode & 0o7777
  }

  static func isSymbolicLink(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
  }

  static func temporaryFiles(in folder: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
      .filter { $0.contains(".tmp-") }
  }

  // MARK: The writer (library)

  @Test("an existing file keeps its mode (0600 stays 0600); a new file gets 0666 minus the umask")
  func modeIsKept() throws {
    let folder = try TestData.temporaryFolder()
    let path = folder.appendingPathComponent("secret.json").path
    try "old".write(toFile: path, atomically: false, encoding: .utf8)
    chmod(path, 0o600)
    try AtomicFileWriter.write("new", to: path)
    #expect(Self.mode(path) == 0o600)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
    let fresh = folder.appendingPathComponent("fresh.json").path
    try AtomicFileWriter.write("x", to: fresh)
    let mask = umask(0)
    umask(mask)
    #expect(Self.mode(fresh) == 0o666 & ~mask)
  }

  @Test("a symbolic link is followed: its target is replaced, the link stays a link")
  func symbolicLinkIsFollowed() throws {
    let folder = try TestData.temporaryFolder()
    let elsewhere = folder.appendingPathComponent("real")
    try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
    let target = elsewhere.appendingPathComponent("out.csv").path
    try "old".write(toFile: target, atomically: false, encoding: .utf8)
    let link = folder.appendingPathComponent("link.csv").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
    try AtomicFileWriter.write("new", to: link)
    #expect(Self.isSymbolicLink(link))
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
    // A dangling link: the file it names is created.
    let dangling = folder.appendingPathComponent("dangling.csv").path
    let missing = elsewhere.appendingPathComponent("created.csv").path
    try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: missing)
    try AtomicFileWriter.write("made", to: dangling)
    #expect(Self.isSymbolicLink(dangling))
    #expect(try String(contentsOfFile: missing, encoding: .utf8) == "made")
    #expect(Self.temporaryFiles(in: folder).isEmpty && Self.temporaryFiles(in: elsewhere).isEmpty)
  }

  @Test("a character device is written through, never replaced (/dev/null stays a device)")
  func deviceIsWrittenThrough() throws {
    try AtomicFileWriter.write("discarded", to: "/dev/null")
    var status = stat()
    #expect(stat("/dev/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
    #expect(try OutputDestination("/dev/null").kind == .stream)
    #expect(try OutputDestination("-").kind == .standardOutput)
  }

  @Test("a FIFO is written through: its reader gets the bytes, the FIFO stays a FIFO")
  func fifoIsWrittenThrough() throws {
    let folder = try TestData.temporaryFolder()
    let fifo = folder.appendingPathComponent("pipe").path
    #expect(mkfifo(fifo, 0o600) == 0)
    let received = SharedBox(Data())
    let done = DispatchSemaphore(value: 0)
    Thread {
      // Read to the end (FileManager.contents reads a FIFO's stat size: 0 bytes).
      received.value = FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile() ?? Data()
      done.signal()
    }.start()
    try AtomicFileWriter.write("through the pipe\n", to: fifo)
    #expect(done.wait(timeout: .now() + 30) == .success)
    #expect(String(decoding: received.value, as: UTF8.self) == "through the pipe\n")
    var status = stat()
    #expect(lstat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
  }

  @Test("an error in the producer leaves the destination as it was and no temporary file")
  func errorLeavesNothing() throws {
    struct Failure: Error {}
    let folder = try TestData.temporaryFolder()
    let path = folder.appendingPathComponent("out.csv").path
    try "kept".write(toFile: path, atomically: false, encoding: .utf8)
    #expect(throws: Failure.self) {
      try AtomicFileWriter.write(to: path) { output in
        try output.write("partial")
        throw Failure()
      }
    }
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "kept")
    #expect(Self.temporaryFiles(in: folder).isEmpty)
    #expect(TemporaryFiles.registered.isEmpty)
  }

  @Test("bad destinations: missing folder, a file used as a folder, a folder")
  func badDestinations() throws {
    let folder = try TestData.temporaryFolder()
    let file = folder.appendingPathComponent("good.csv").path
    try "x".write(toFile: file, atomically: false, encoding: .utf8)
    func message(_ path: String) -> String {
      do {
        _ = try OutputDestination(path)
        return ""
      } catch let error as BiasKitError {
        #expect(error.code == .io)
        return error.message
      } catch { return "\(error)" }
    }
    #expect(message(file + "/x").contains("'\(file)' is a file, not a folder"))
    #expect(message(file + "/x/y.csv").contains("'\(file)' is a file, not a folder"))
    #expect(
      message(folder.path + "/nodir/o.csv").contains(
        "the folder '\(folder.path)/nodir' does not exist"))
    #expect(message(folder.path).contains("it is a folder"))
  }

  // MARK: The commands

  static func resampleFolder() throws -> URL {
    try ResamplingTests.ResampleCommandTests.npyFolder()
  }

  static func expectRefused(
    _ result: CLI.Result, _ fragments: [String],
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    #expect(result.status == 2, "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.hasPrefix("biaskit: error: "), sourceLocation: sourceLocation)
    #expect(
      result.stderr.split(separator: "\n").count == 1, "\(result.stderr)",
      sourceLocation: sourceLocation)
    for fragment in fragments {
      #expect(result.stderr.contains(fragment), "\(result.stderr)", sourceLocation: sourceLocation)
    }
  }

  @Test("resample: an output onto an input is refused, however the path is spelt")
  func resampleOutputOntoInput() throws {
    let folder = try Self.resampleFolder()
    let original = try Data(contentsOf: folder.appendingPathComponent("X.npy"))
    try FileManager.default.createSymbolicLink(
      atPath: folder.appendingPathComponent("alias.npy").path, withDestinationPath: "X.npy")
    for spelling in ["X.npy", "./X.npy", "alias.npy", folder.appendingPathComponent("X.npy").path] {
      let r = try CLI.run(
        [
          "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", spelling,
          "--output-y", "yr.npy",
        ], in: folder)
      Self.expectRefused(r, ["--output-x \(spelling) is an input of this command"])
    }
    #expect(try Data(contentsOf: folder.appendingPathComponent("X.npy")) == original)
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("yr.npy").path))
    // CSV: --output onto --input.
    let csv = try ResamplingTests.ResampleCommandTests.csvFolder(
      ResamplingTests.ResampleCommandTests.binaryCSV())
    let before = try Data(contentsOf: csv.appendingPathComponent("data.csv"))
    let r = try CLI.run(
      [
        "resample", "tomek-links", "--input", "data.csv", "--target", "label", "--output",
        "./data.csv",
      ], in: csv)
    Self.expectRefused(r, ["--output ./data.csv is an input of this command"])
    #expect(try Data(contentsOf: csv.appendingPathComponent("data.csv")) == before)
  }

  @Test(
    "resample: two outputs onto one file are refused (--output-x/--output-y, --output/--indices)")
  func resampleOutputsCollide() throws {
    let folder = try Self.resampleFolder()
    let r = try CLI.run(
      [
        "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", "a.npy",
        "--output-y", "a.npy",
      ], in: folder)
    Self.expectRefused(r, ["--output-x and --output-y both write a.npy"])
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("a.npy").path))
    let csv = try ResamplingTests.ResampleCommandTests.csvFolder(
      ResamplingTests.ResampleCommandTests.binaryCSV())
    let s = try CLI.run(
      [
        "resample", "tomek-links", "--input", "data.csv", "--target", "label", "--output",
        "o.csv", "--indices", "./o.csv",
      ], in: csv)
    Self.expectRefused(s, ["--output and --indices both write ./o.csv"])
    #expect(!FileManager.default.fileExists(atPath: csv.appendingPathComponent("o.csv").path))
    // Devices may be named twice: nothing is lost writing to /dev/null.
    let t = try CLI.run(
      [
        "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", "/dev/null",
        "--output-y", "/dev/null",
      ], in: folder)
    #expect(t.status == 0, "\(t.stderr)")
  }

  @Test("resample: a bad second destination is found before the first file is written")
  func resampleValidatesEveryDestinationFirst() throws {
    let folder = try Self.resampleFolder()
    let r = try CLI.run(
      [
        "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", "Xr.npy",
        "--output-y", "nodir/yr.npy",
      ], in: folder)
    Self.expectRefused(
      r, ["nodir/yr.npy: cannot write the output: the folder 'nodir' does not exist"])
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Xr.npy").path))
    try "x".write(
      to: folder.appendingPathComponent("good.csv"), atomically: false, encoding: .utf8)
    let s = try CLI.run(
      [
        "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", "Xr.npy",
        "--output-y", "yr.npy", "--indices", "good.csv/x",
      ], in: folder)
    Self.expectRefused(
      s, ["good.csv/x: cannot write the output: 'good.csv' is a file, not a folder"])
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Xr.npy").path))
    #expect(Self.temporaryFiles(in: folder).isEmpty)
  }

  @Test("resample: --output-y /dev/stdout and - write through to standard output")
  func resampleToStandardOutput() throws {
    let folder = try Self.resampleFolder()
    let r = try CLI.run(
      [
        "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", "Xr.npy",
        "--output-y", "-", "--indices", "/dev/null",
      ], in: folder)
    #expect(r.status == 0, "\(r.stderr)")
    // The .npy magic (0x93, decoded as U+FFFD in the captured text) reaches standard output,
    // before the summary.
    #expect(r.stdout.hasPrefix("\u{FFFD}NUMPY"), "\(r.stdout.prefix(20))")
  }

  @Test("embeddings debias and multiclass: --output onto an input is refused")
  func embeddingsOutputOntoInput() throws {
    let folder = try TestData.temporaryFolder()
    let source = TestData.fixture("Embeddings/tiny.txt")
    let copy = folder.appendingPathComponent("tiny.txt")
    try FileManager.default.copyItem(at: source, to: copy)
    let before = try Data(contentsOf: copy)
    let d = try CLI.run(
      [
        "embeddings", "debias", "--embeddings", "tiny.txt", "--word-lists",
        TestData.fixture("Embeddings/tiny_lists.json").path, "--output", "./tiny.txt",
      ], in: folder)
    Self.expectRefused(d, ["--output ./tiny.txt is an input of this command"])
    let m = try CLI.run(
      [
        "embeddings", "multiclass", "--embeddings", "tiny.txt", "--defining-sets",
        TestData.fixture("Embeddings/empty_defining_sets.json").path, "--output", "tiny.txt",
      ], in: folder)
    Self.expectRefused(m, ["--output tiny.txt is an input of this command"])
    #expect(try Data(contentsOf: copy) == before)
  }

  @Test("SIGTERM and SIGINT while an output is written: no temporary file is left")
  func signalsRemoveTemporaryFiles() throws {
    for signal in [SIGTERM, SIGINT] {
      let folder = try TestData.temporaryFolder()
      // 100 rows → 400,000 synthetic ones as CSV text: a few seconds of writing.
      var text = "a,b,c,d,e,f,label\n"
      for i in 0..<100 {
        let values = (0..<6).map { j in "\(Double(i * 7 + j) / 13.0)" }
        text += values.joined(separator: ",") + (i < 80 ? ",0\n" : ",1\n")
      }
      try text.write(
        to: folder.appendingPathComponent("in.csv"), atomically: false, encoding: .utf8)
      let process = Process()
      process.executableURL = CLI.executable
      process.arguments = [
        "resample", "random-over", "--input", "in.csv", "--target", "label",
        "--sampling-strategy", "0:80,1:400000", "--output", "out.csv",
      ]
      process.currentDirectoryURL = folder
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      let deadline = Date().addingTimeInterval(120)
      while Self.temporaryFiles(in: folder).isEmpty && process.isRunning && Date() < deadline {
        usleep(2_000)
      }
      let caught = !Self.temporaryFiles(in: folder).isEmpty && process.isRunning
      kill(process.processIdentifier, signal)
      process.waitUntilExit()
      // When the write finished before the signal could be sent, the case proves nothing.
      guard caught else { continue }
      if process.terminationReason == .uncaughtSignal {
        #expect(process.terminationStatus == signal)
        #expect(
          !FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.csv").path))
      } else {
        // The signal was ignored: a background job inherits SIGINT ignored, and BiasKit keeps a
        // disposition it did not set. The write then completes.
        #expect(process.terminationStatus == 0)
      }
      #expect(Self.temporaryFiles(in: folder).isEmpty, "signal \(signal)")
    }
  }
}
