import Foundation
import Testing

@testable import BiasKit

/// Writes `text` to a temporary file and returns its path.
func writeTemporary(_ text: String, name: String = "input.csv") throws -> String {
  let folder = try TestData.temporaryFolder()
  let url = folder.appendingPathComponent(name)
  try Data(text.utf8).write(to: url)
  return url.path
}

@Suite("CSVReader")
struct CSVReaderTests {
  @Test func readsTypedColumnsInRequestOrder() throws {
    let path = try writeTemporary("a,b,c,d\n1,x,0.5,true\n0,y,0.25,false\n1,x,1e-3,TRUE\n")
    let table = try CSVReader(path: path).read([
      .number("c"), .category("b"), .label("d"), .label("a"),
    ])
    #expect(table.rowCount == 3)
    #expect(table.columns[0].numbers == [0.5, 0.25, 0.001])
    #expect(
      table.columns[1].categories == CategoricalColumn(codes: [0, 1, 0], levels: ["x", "y"]))
    #expect(table.columns[2].labels?.values == [1, 0, 1])
    #expect(table.columns[3].labels?.values == [1, 0, 1])
  }

  @Test func handlesQuotesCRLFAndBOM() throws {
    let text = "\u{FEFF}name,\"va\"\"l\",n\r\n\"a, \"\"quoted\"\"\nline\",\"1\",2\r\nplain,0,3\r\n"
    let path = try writeTemporary(text)
    let reader = try CSVReader(path: path)
    #expect(reader.header == ["name", "va\"l", "n"])
    let table = try reader.read([.category("name"), .label("va\"l"), .number("n")])
    #expect(table.columns[0].categories?.levels == ["a, \"quoted\"\nline", "plain"])
    #expect(table.columns[1].labels?.values == [1, 0])
    #expect(table.columns[2].numbers == [2, 3])
  }

  @Test func tabDelimitedByExtensionAndBlankLinesSkipped() throws {
    let path = try writeTemporary("x\ty\n1\t2\n\n3\t4", name: "t.tsv")
    let table = try CSVReader(path: path).read([.number("y"), .number("x")])
    #expect(table.columns[0].numbers == [2, 4])
    #expect(table.columns[1].numbers == [1, 3])
  }

  @Test func positiveLabelMapsStrings() throws {
    let path = try writeTemporary("y\nyes\nno\nyes\n")
    let table = try CSVReader(path: path).read([.label("y", positive: "yes")])
    let labels = try #require(table.columns[0].labels)
    #expect(labels.values == [1, 0, 1])
    #expect(labels.positiveName == "yes")
    #expect(labels.negativeName == "no")
  }

  @Test func numbersMatchPythonFloat() throws {
    let values = [
      "0.0023291692938023573", "0.1201521147445543", "1e-300", "-2.5E+10", "123456789012345678901",
      "0.1", "3.14159", "  7 ", "1.7976931348623157e308", "4.9e-324",
    ]
    let path = try writeTemporary("v\n" + values.joined(separator: "\n") + "\n")
    let table = try CSVReader(path: path).read([.number("v")])
    let expected = values.map { strtod($0.trimmingCharacters(in: .whitespaces), nil) }
    #expect(table.columns[0].numbers == expected)
  }

  @Test func missingSensitiveValueJoinsTheNamedGroup() throws {
    let path = try writeTemporary("g\na\n\nb\n\"\"\n")
    #expect(throws: BiasKitError.self) { try CSVReader(path: path).read([.category("g")]) }
    let table = try CSVReader(path: path).read([.category("g", missingGroup: "unknown")])
    #expect(
      table.columns[0].categories
        == CategoricalColumn(codes: [0, 1, 2], levels: ["a", "b", "unknown"]))
  }

  @Test("parallel scan equals the sequential scan", arguments: [false, true])
  func largeFileParallelScan(quoted: Bool) throws {
    var text = "y,s,g\n"
    var generator = SeededGenerator(seed: 7)
    var expectedScores: [Double] = []
    var expectedGroups: [String] = []
    for i in 0..<300_000 {
      let score = Double(generator.nextInt(below: 1_000_000)) / 1e6
      let group = ["A", "B", "C", "Dee"][generator.nextInt(below: 4)]
      expectedScores.append(score)
      expectedGroups.append(group)
      text += quoted && i == 5 ? "\(i % 2),\(score),\"\(group)\"\n" : "\(i % 2),\(score),\(group)\n"
    }
    let path = try writeTemporary(text)
    let table = try CSVReader(path: path).read([.label("y"), .number("s"), .category("g")])
    #expect(table.rowCount == 300_000)
    #expect(table.columns[1].numbers == expectedScores)
    let groups = try #require(table.columns[2].categories)
    #expect(groups.codes.map { groups.levels[Int($0)] } == expectedGroups)
    #expect(table.columns[0].labels?.values == (0..<300_000).map { UInt8($0 % 2) })
  }

  // MARK: Bad input: one error naming file, line and column.

  static let badInputs: [(String, String, String)] = [
    ("a,b\n1,2\n3\n", "input.csv:3: the row has 1 field; the header has 2", "ragged"),
    ("a,b\n1,\"2\n", "input.csv:2:2 (column 'b'): a quoted field is never closed", "quote"),
    ("a,b\n1,x2\n", "input.csv:2:2 (column 'b'): 'x2' is not a number", "number"),
    ("a,b\n1,\n", "input.csv:2:2 (column 'b'): the field is empty; expected a number", "missing"),
    ("a,b\n", "input.csv: the file has a header but no data rows", "header only"),
    ("", "input.csv: the file is empty", "empty"),
  ]

  @Test("bad input names file, line and column", arguments: badInputs)
  func badInput(text: String, message: String, label: String) throws {
    let path = try writeTemporary(text)
    do {
      _ = try CSVReader(path: path).read([.number("a"), .number("b")])
      Issue.record("expected an error for \(label)")
    } catch let error as BiasKitError {
      #expect(
        error.message.hasSuffix(message) || error.message.contains(message), "\(error.message)")
    }
  }

  @Test func unknownColumnListsTheColumns() throws {
    let path = try writeTemporary("a,b\n1,2\n")
    #expect(throws: BiasKitError.unknownColumn("z", in: path, available: ["a", "b"])) {
      try CSVReader(path: path).read([.number("z")])
    }
  }

  @Test func labelOutsideTwoClasses() throws {
    let path = try writeTemporary("y\n0\n1\nmaybe\n")
    do {
      _ = try CSVReader(path: path).read([.label("y")])
      Issue.record("expected an error")
    } catch let error as BiasKitError {
      #expect(error.message.contains("input.csv:4:1 (column 'y'): 'maybe' is not a binary label"))
    }
    let three = try writeTemporary("y\na\nb\nc\n")
    #expect(throws: BiasKitError.self) {
      try CSVReader(path: three).read([.label("y", positive: "a")])
    }
    let mixed = try writeTemporary("y\n0\n1\n-1\n")
    #expect(throws: BiasKitError.self) { try CSVReader(path: mixed).read([.label("y")]) }
  }

  @Test func missingFile() throws {
    #expect(throws: BiasKitError.fileNotFound("/nonexistent/x.csv")) {
      try CSVReader(path: "/nonexistent/x.csv")
    }
  }
}
