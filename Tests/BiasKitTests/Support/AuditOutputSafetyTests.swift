import Foundation
import Testing

@testable import BiasKit

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The audit commands' files (Guides/Reliability.md): `audit`, `check` and `merge` refuse an
/// output onto an input and two outputs onto one file, check every destination before writing
/// any, escape control and bidi characters in the terminal table and write well-formed JUnit XML
/// whatever the group names hold (issues #18.6, #18.7, #20.2, #20.3, #20.6).
@Suite("Reliability: audit, check and merge outputs")
struct AuditOutputSafetyTests {
  static let csv = """
    y_true,y_pred,g
    1,1,a
    0,1,a
    1,0,b
    0,0,b
    1,1,b
    0,0,a

    """

  /// A folder holding `in.csv` (the rows above).
  static func folder(_ text: String = csv) throws -> URL {
    let folder = try TestData.temporaryFolder()
    try text.write(
      to: folder.appendingPathComponent("in.csv"), atomically: false, encoding: .utf8)
    return folder
  }

  static func exists(_ folder: URL, _ name: String) -> Bool {
    FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path)
  }

  @Test("audit --output onto its input is refused, however the path is spelt; the data stays")
  func auditOutputOntoInput() throws {
    let folder = try Self.folder()
    try FileManager.default.createSymbolicLink(
      atPath: folder.appendingPathComponent("alias.csv").path, withDestinationPath: "in.csv")
    for spelling in [
      "in.csv", "./in.csv", "alias.csv", folder.appendingPathComponent("in.csv").path,
    ] {
      let r = try CLI.run(
        ["audit", "in.csv", "--sensitive", "g", "--format", "csv", "--output", spelling],
        in: folder)
      OutputFileTests.expectRefused(r, ["--output \(spelling) is an input of this command"])
    }
    let s = try CLI.run(
      ["audit", "in.csv", "--sensitive", "g", "--save-state", "./in.csv"], in: folder)
    OutputFileTests.expectRefused(s, ["--save-state ./in.csv is an input of this command"])
    #expect(
      try String(contentsOf: folder.appendingPathComponent("in.csv"), encoding: .utf8) == Self.csv)
  }

  @Test("audit --output and --save-state onto one file are refused; nothing is written")
  func auditOutputsCollide() throws {
    let folder = try Self.folder()
    let r = try CLI.run(
      [
        "audit", "in.csv", "--sensitive", "g", "--format", "json", "--output", "a.json",
        "--save-state", "./a.json",
      ], in: folder)
    OutputFileTests.expectRefused(r, ["--output and --save-state both write ./a.json"])
    #expect(!Self.exists(folder, "a.json"))
  }

  @Test("audit: a bad --output is found before --save-state is written (and the other way)")
  func auditValidatesEveryDestinationFirst() throws {
    let folder = try Self.folder()
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("e"), withIntermediateDirectories: true)
    let r = try CLI.run(
      [
        "audit", "in.csv", "--sensitive", "g", "--format", "csv", "--output", "nodir/o.csv",
        "--save-state", "e/s.json",
      ], in: folder)
    OutputFileTests.expectRefused(
      r, ["nodir/o.csv: cannot write the output: the folder 'nodir' does not exist"])
    #expect(!Self.exists(folder, "e/s.json"))
    let s = try CLI.run(
      [
        "audit", "in.csv", "--sensitive", "g", "--output", "e/o.txt", "--save-state",
        "nodir/s.json",
      ], in: folder)
    OutputFileTests.expectRefused(s, ["nodir/s.json: cannot write the output"])
    #expect(!Self.exists(folder, "e/o.txt"))
    #expect(OutputFileTests.temporaryFiles(in: folder).isEmpty)
  }

  @Test("audit --output - and /dev/stdout write to standard output")
  func auditToStandardOutput() throws {
    let folder = try Self.folder()
    for path in ["-", "/dev/stdout"] {
      let r = try CLI.run(
        [
          "audit", "in.csv", "--sensitive", "g", "--metrics", "accuracy", "--format", "csv",
          "--output", path,
        ], in: folder)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.hasPrefix("section,control,group,metric,value\n"), "\(path)")
      #expect(!Self.exists(folder, "-"))
    }
  }

  @Test("check --junit onto the input is refused")
  func checkJUnitOntoInput() throws {
    let folder = try Self.folder()
    let r = try CLI.run(
      [
        "check", "in.csv", "--sensitive", "g", "--max", "demographic_parity_difference=1",
        "--junit", "./in.csv",
      ], in: folder)
    OutputFileTests.expectRefused(r, ["--junit ./in.csv is an input of this command"])
    #expect(
      try String(contentsOf: folder.appendingPathComponent("in.csv"), encoding: .utf8) == Self.csv)
  }

  @Test("merge --output onto a state it reads, or --output and --save-state on one file")
  func mergeOutputs() throws {
    let folder = try Self.folder()
    let saved = try CLI.run(
      ["audit", "in.csv", "--sensitive", "g", "--save-state", "s1.json"], in: folder)
    #expect(saved.status == 0, "\(saved.stderr)")
    let before = try Data(contentsOf: folder.appendingPathComponent("s1.json"))
    let r = try CLI.run(
      ["merge", "s1.json", "s1.json", "--format", "json", "--output", "s1.json"], in: folder)
    OutputFileTests.expectRefused(r, ["--output s1.json is an input of this command"])
    #expect(try Data(contentsOf: folder.appendingPathComponent("s1.json")) == before)
    let s = try CLI.run(
      ["merge", "s1.json", "--output", "m.json", "--save-state", "m.json"], in: folder)
    OutputFileTests.expectRefused(s, ["--output and --save-state both write m.json"])
    #expect(!Self.exists(folder, "m.json"))
  }

  @Test("mitigate --output onto the training file is refused before the fit")
  func mitigateOutputOntoInput() throws {
    let folder = try Self.folder(
      "x,label,g\n0.1,0,a\n0.9,1,a\n0.2,0,b\n0.8,1,b\n0.4,1,a\n0.3,0,b\n")
    let before = try Data(contentsOf: folder.appendingPathComponent("in.csv"))
    let r = try CLI.run(
      [
        "mitigate", "reweighing", "--train", "in.csv", "--target", "label", "--sensitive", "g",
        "--output", "./in.csv",
      ], in: folder)
    OutputFileTests.expectRefused(r, ["--output ./in.csv is an input of this command"])
    #expect(try Data(contentsOf: folder.appendingPathComponent("in.csv")) == before)
  }

  // MARK: Escapes

  static let hostile = "\u{1B}[31mRED\u{1B}[0m\u{202E}evil"

  @Test("the terminal table shows ANSI escapes and bidi overrides escaped; CSV keeps them exact")
  func terminalTableEscapes() throws {
    let folder = try Self.folder(
      "y_true,y_pred,g\n1,1,\"\(Self.hostile)\"\n0,1,\"\(Self.hostile)\"\n1,0,b\n0,0,b\n")
    let table = try CLI.run(["audit", "in.csv", "--sensitive", "g"], in: folder)
    #expect(table.status == 0, "\(table.stderr)")
    #expect(!table.stdout.unicodeScalars.contains("\u{1B}"))
    #expect(!table.stdout.unicodeScalars.contains("\u{202E}"))
    #expect(table.stdout.contains(#"\u{1B}[31mRED\u{1B}[0m\u{202E}evil"#))
    let csv = try CLI.run(
      ["audit", "in.csv", "--sensitive", "g", "--metrics", "accuracy", "--format", "csv"],
      in: folder)
    #expect(csv.status == 0, "\(csv.stderr)")
    #expect(csv.stdout.contains(Self.hostile))
  }

  @Test("--junit is well-formed XML 1.0 when a group name holds ESC and other control characters")
  func junitIsWellFormed() throws {
    let folder = try Self.folder(
      "y_true,y_pred,g\n1,1,\"\(Self.hostile)<&>\u{01}\"\n0,1,\"\(Self.hostile)<&>\u{01}\"\n1,0,b\n0,0,b\n"
    )
    let r = try CLI.run(
      [
        "check", "in.csv", "--sensitive", "g", "--max", "by_group.accuracy=0.1", "--junit",
        "report.xml",
      ], in: folder)
    #expect(r.status == 1, "\(r.stderr)")
    let data = try Data(contentsOf: folder.appendingPathComponent("report.xml"))
    let text = String(decoding: data, as: UTF8.self)
    // No character XML 1.0 forbids (C0 controls other than tab, LF, CR).
    #expect(
      !text.unicodeScalars.contains { $0.value < 0x20 && ![0x09, 0x0A, 0x0D].contains($0.value) })
    let parser = XMLParser(data: data)
    #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    #expect(XMLText.attribute("a<&\"\u{1B}").contains("&lt;&amp;&quot;"))
  }
}
