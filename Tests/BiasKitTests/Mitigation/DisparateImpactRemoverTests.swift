import Foundation
import Testing

@testable import BiasKit

@Suite("Mitigation.DisparateImpactRemover", .heavy)
struct DisparateImpactRemoverTests {
  static func fixture() throws -> [String: Any] {
    try TestData.json(TestData.fixture("Mitigation/disparate_impact_remover.json"))
      as! [String: Any]
  }

  static func matrix(_ rows: [[NSNumber]]) -> Matrix {
    let values = rows.flatMap { $0.map(\.doubleValue) }
    return Matrix(rows: rows.count, columns: rows.first?.count ?? 0, values: values)
  }

  @Test(
    "matches AIF360 0.6.1 on 400 Adult rows exactly, for repair levels 0, 0.5 and 1 (fixture)",
    arguments: ["0.0", "0.5", "1.0"])
  func matchesAIF360(level: String) throws {
    let f = try Self.fixture()
    let input = Self.matrix(f["input"] as! [[NSNumber]])
    let groups = Groups(f["sex"] as! [String])
    let expected = Self.matrix((f["repaired"] as! [String: Any])[level] as! [[NSNumber]])
    let out = try DisparateImpactRemover(repairLevel: Double(level)!).repaired(
      input, groups: groups)
    var mismatches = 0
    for k in 0..<out.values.count where out.values[k] != expected.values[k] { mismatches += 1 }
    #expect(mismatches == 0, "level \(level): \(mismatches) values differ")
  }

  @Test(
    "on all Adult training rows the column sums match AIF360 (fixture)",
    .enabled(if: TestData.sharedIsAvailable), arguments: ["0.0", "0.5", "1.0"])
  func fullAdultSums(level: String) throws {
    let f = try Self.fixture()
    let columns = f["columns"] as! [String]
    let full = (f["full"] as! [String: Any])[level] as! [String: Any]
    let reader = try CSVReader(path: TestData.shared("fixtures/adult_train_design.csv").path)
    let x = try reader.readMatrix(columns: columns)
    let groups = Groups(AdultDesign.train.sex)
    let out = try DisparateImpactRemover(repairLevel: Double(level)!).repaired(x, groups: groups)
    let sums = (full["sum"] as! [NSNumber]).map(\.doubleValue)
    let squares = (full["sum_of_squares"] as! [NSNumber]).map(\.doubleValue)
    for j in 0..<columns.count {
      var s = 0.0
      var q = 0.0
      for i in 0..<out.rows {
        let v = out.values[i * out.columns + j]
        s += v
        q += v * v
      }
      #expect(
        abs(s - sums[j]) < 1e-6, "level \(level) column \(columns[j]): sum \(s) vs \(sums[j])")
      #expect(abs(q - squares[j]) < 1e-6 * squares[j], "level \(level) column \(columns[j])")
    }
  }

  @Test("level 0 changes nothing; level 1 gives every group the same distribution per quantile")
  func levelsOnSmallData() throws {
    // Group a: 1 2 3 4, group b: 10 20 30 40 → same number of distinct values, 4 quantiles.
    let x = Matrix(rows: 8, columns: 1, values: [1, 2, 3, 4, 10, 20, 30, 40])
    let g = Groups(["a", "a", "a", "a", "b", "b", "b", "b"])
    #expect(try DisparateImpactRemover(repairLevel: 0).repaired(x, groups: g) == x)
    let full = try DisparateImpactRemover(repairLevel: 1).repaired(x, groups: g)
    // Lower median of each pair (1, 10), (2, 20), … is the group-a value.
    #expect(full.values == [1, 2, 3, 4, 1, 2, 3, 4])
    // Half way: position of 10 in U = {1,2,3,4,10,20,30,40} is 4, target 0 → 4 + round(-2) = 2.
    let half = try DisparateImpactRemover(repairLevel: 0.5).repaired(x, groups: g)
    #expect(half.values == [1, 2, 3, 4, 3, 4, 10, 20])
  }

  @Test("ties: rows sharing a value move together; the repaired values are values of the column")
  func tiesMoveTogether() throws {
    let x = Matrix(rows: 7, columns: 1, values: [5, 5, 7, 1, 1, 9, 3])
    let g = Groups(["a", "a", "a", "b", "b", "b", "b"])
    let out = try DisparateImpactRemover(repairLevel: 0.7).repaired(x, groups: g)
    #expect(out.values[0] == out.values[1])
    #expect(out.values[3] == out.values[4])
    #expect(out.values.allSatisfy { Set(x.values).contains($0) })
  }

  @Test("a repair level outside [0, 1] or a length mismatch is an error")
  func invalidInput() {
    let x = Matrix(rows: 2, columns: 1, values: [1, 2])
    let g = Groups(["a", "b"])
    for bad in [-0.1, 1.5, Double.nan] {
      #expect(throws: BiasKitError.self) {
        _ = try DisparateImpactRemover(repairLevel: bad).repaired(x, groups: g)
      }
    }
    #expect(throws: BiasKitError.self) {
      _ = try DisparateImpactRemover().repaired(x, groups: Groups(["a", "b", "a"]))
    }
  }

  @Test("biaskit mitigate disparate-impact-remover writes the repaired features and a summary")
  func commandLine() throws {
    let folder = try TestData.temporaryFolder()
    let train = try MitigateCommandTests.writeData(folder)
    let test = try MitigateCommandTests.writeData(folder, name: "test.csv", seed: 2)
    let out = folder.appendingPathComponent("repaired.csv").path
    let r = try CLI.run([
      "mitigate", "disparate-impact-remover", "--train", train, "--test", test, "--target", "y",
      "--sensitive", "group", "--drop", "extra", "--repair-level", "0.5", "--format", "json",
      "--output", out,
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let summary = MitigateCommandTests.json(r.stdout)
    #expect((summary["fitted"] as? [String: Any])?["repair_level"] as? Double == 0.5)
    #expect((summary["test"] as? [String: Any])?["expected_accuracy"] as? Double != nil)
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
    #expect(lines.first == "x1,x2,y,group")
    #expect(lines.count == 301)
    let bad = try CLI.run([
      "mitigate", "disparate-impact-remover", "--train", train, "--target", "y",
      "--sensitive", "group", "--drop", "extra", "--repair-level", "2",
    ])
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("repair level"), "\(bad.stderr)")
  }
}
