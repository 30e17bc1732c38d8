import Foundation
import Testing

@testable import BiasKit

/// Inputs that were read silently wrong, or reported with misleading words (issue #20, items 7
/// and 8): each case failed before its fix.
@Suite("CSVReader: ambiguous and hostile inputs")
struct CSVReaderHardeningTests {
  func message(_ body: () throws -> Void) -> String {
    do {
      try body()
      return ""
    } catch let error as BiasKitError {
      return error.message
    } catch { return "\(error)" }
  }

  @Test("a header naming a column twice is refused when that column is asked for")
  func duplicateHeaderColumn() throws {
    let path = try writeTemporary("y_true,y_pred,sex,sex\n1,1,F,M\n0,1,M,F\n")
    let text = message { _ = try CSVReader(path: path).read([.category("sex")]) }
    #expect(text.contains("the header names the column 'sex' twice (fields 3 and 4)"), "\(text)")
    // Through the generic TableSource check too; another column of the file still reads.
    let source = try TableSources.open(path)
    #expect(message { try source.requireColumn("sex") }.contains("twice"))
    #expect(try CSVReader(path: path).read([.label("y_true")]).rowCount == 2)
  }

  @Test("--missing-group naming an existing group is refused, in either order and across chunks")
  func missingGroupEqualToAValue() throws {
    for text in ["g\nA\n\nB\n\"\"\n", "g\n\"\"\nB\nA\n"] {
      let path = try writeTemporary(text)
      let error = message {
        _ = try CSVReader(path: path).read([.category("g", missingGroup: "A")])
      }
      #expect(error.contains("'A' is both a value of the column and the"), "\(error)")
      #expect(error.contains("(column 'g')"), "\(error)")
      // Another name is fine.
      let table = try CSVReader(path: path).read([.category("g", missingGroup: "unknown")])
      #expect(table.columns[0].categories?.levels.contains("unknown") == true)
    }
    // A file scanned in parallel chunks: empty fields early, the name spelled out at the end.
    var text = "g,x\n"
    for i in 0..<600_000 { text += (i < 10 ? "" : "B") + ",\(i)\n" }
    text += "A,1\n"
    let path = try writeTemporary(text)
    let error = message {
      _ = try CSVReader(path: path).read([.category("g", missingGroup: "A"), .number("x")])
    }
    #expect(text.utf8.count > 4 << 20)  // large enough to be scanned in chunks
    #expect(error.contains(":600002:1 (column 'g'): 'A' is both a value"), "\(error)")
  }

  @Test("invalid UTF-8 group names stay distinct: \\xFF and \\xFE, not two '�'")
  func invalidUTF8NamesAreEscapedDistinctly() throws {
    let folder = try TestData.temporaryFolder()
    let url = folder.appendingPathComponent("bytes.csv")
    var bytes = Array("g,y\n".utf8)
    bytes += [0xFF] + Array(",1\n".utf8)
    bytes += [0xFE] + Array(",0\n".utf8)
    bytes += Array("caf\u{E9},1\n".utf8)  // valid UTF-8 is unchanged
    bytes += [0x61, 0xC3] + Array(",0\n".utf8)  // a truncated sequence
    try Data(bytes).write(to: url)
    let table = try CSVReader(path: url.path).read([.category("g")])
    let levels = try #require(table.columns[0].categories?.levels)
    #expect(levels == ["\\xFF", "\\xFE", "caf\u{E9}", "a\\xC3"])
    #expect(Set(levels).count == 4)
  }

  @Test("--pos-label that matches no value (labels are case-sensitive) names the values seen")
  func positiveLabelCase() throws {
    let path = try writeTemporary("y\nyes\nno\nyes\n")
    let error = message { _ = try CSVReader(path: path).read([.label("y", positive: "Yes")]) }
    #expect(
      error.contains(
        "column 'y': the positive label positiveLabel 'Yes' is not one of its values ('yes', 'no'); labels are case-sensitive"
      ), "\(error)")
    // A column of negatives only is still fine (a classifier that never predicts positive).
    let negatives = try writeTemporary("y\nno\nno\n")
    let table = try CSVReader(path: negatives).read([.label("y", positive: "yes")])
    #expect(table.columns[0].labels?.values == [0, 0])
  }

  @Test("an unknown column among 100,000 lists 20 names and says how many more")
  func wideHeaderIsCapped() throws {
    let header = (0..<100_000).map { "c\($0)" }.joined(separator: ",")
    let row = (0..<100_000).map { _ in "1" }.joined(separator: ",")
    let path = try writeTemporary(header + "\n" + row + "\n")
    let error = message { _ = try CSVReader(path: path).read([.number("y")]) }
    #expect(error.contains("'c19' and 99980 more"), "\(error.prefix(300))")
    #expect(error.count < 400, "\(error.count) characters")
  }

  @Test("a file with CR-only line endings says so instead of listing a one-line header")
  func carriageReturnOnly() throws {
    let path = try writeTemporary("y_true,y_pred,sex\r1,0,F\r0,0,M\r")
    let error = message { _ = try CSVReader(path: path).read([.label("y_true")]) }
    #expect(error.contains("the lines end in a carriage return alone (CR"), "\(error)")
  }

  @Test("a FIFO is read to its end (it was reported as empty)")
  func fifoIsRead() throws {
    let folder = try TestData.temporaryFolder()
    let fifo = folder.appendingPathComponent("rows.csv").path
    #expect(mkfifo(fifo, 0o600) == 0)
    Thread {
      if let handle = FileHandle(forWritingAtPath: fifo) {
        handle.write(Data("y,g\n1,a\n0,b\n1,a\n".utf8))
        try? handle.close()
      }
    }.start()
    let table = try CSVReader(path: fifo).read([.label("y"), .category("g")])
    #expect(table.rowCount == 3)
    #expect(table.columns[1].categories?.levels == ["a", "b"])
  }

  @Test("a /proc file (size 0 to stat) is read, not reported as empty")
  func procFileIsRead() throws {
    // /proc/self/mounts is text with spaces: read as a one-column CSV of its lines.
    guard FileManager.default.fileExists(atPath: "/proc/self/mounts") else { return }
    let reader = try CSVReader(path: "/proc/self/mounts")
    #expect(!reader.header.isEmpty)
  }

  @Test("without a missing-group option, the empty-field error does not suggest one")
  func missingGroupSuggestionDependsOnTheCaller() throws {
    let path = try writeTemporary("y,g\n1,a\n0,\n")
    let suggesting = message { _ = try CSVReader(path: path).read([.category("g")]) }
    #expect(suggesting.contains("missingGroup NAME"), "\(suggesting)")
    var request = ColumnRequest.category("g")
    request.suggestsMissingGroup = false
    let plain = message { _ = try CSVReader(path: path).read([request]) }
    #expect(plain.hasSuffix("the field is empty; expected a group name"), "\(plain)")
    // Through a Dataset schema, as the mitigation commands read their data.
    var schema = DatasetSchema(target: "y", sensitive: ["g"])
    schema.suggestsMissingGroup = false
    let viaDataset = message {
      _ = try Dataset(reading: TableSources.open(path), schema: schema)
    }
    #expect(!viaDataset.contains("missingGroup"), "\(viaDataset)")
    #expect(viaDataset.contains("the field is empty"), "\(viaDataset)")
  }

  @Test("sample weights summing to infinity (1e308 + 1e308) or to zero are refused")
  func weightSums() throws {
    let overflow = message {
      _ = try Dataset(labels: [1, 0, 1], predictions: [1, 1, 0], weights: [1e308, 1e308, 1])
    }
    #expect(overflow.contains("sum to more than the largest double by row 2"), "\(overflow)")
    let zero = message { _ = try Dataset(labels: [1, 0], predictions: [1, 1], weights: [0, 0]) }
    #expect(zero.contains("every sample weight (sampleWeight) is 0"), "\(zero)")
    let path = try writeTemporary("y,p,w\n1,1,1e308\n0,1,1e308\n")
    let read = message {
      _ = try Dataset(
        reading: TableSources.open(path),
        schema: DatasetSchema(target: "y", prediction: "p", weight: "w"))
    }
    #expect(read.contains("column 'w': the sample weights (sampleWeight) sum to more"), "\(read)")
  }
}
