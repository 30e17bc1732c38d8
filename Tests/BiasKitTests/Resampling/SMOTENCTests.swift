import Foundation
import Testing

@testable import BiasKit

extension ResamplingTests {
  @Suite("Resampling: SMOTENC")
  struct SMOTENCTests {
    /// The binary fixture with column 1 turned into 3 categories.
    static func mixed() -> (Matrix, [Int]) {
      let data = ResamplingFixtures.dataSet("binary")
      var x = data.features
      for i in 0..<x.rows { x[i, 1] = x[i, 1] < -0.5 ? 10 : (x[i, 1] < 0.5 ? 20 : 30) }
      return (x, data.labels)
    }

    @Test("continuous columns on segments, categories taken from the neighbours", arguments: 0..<3)
    func invariants(seed: UInt64) throws {
      let (x, y) = Self.mixed()
      let sampler = SMOTENC(categoricalColumns: [1])
      let result = try sampler.fitResample(features: x, labels: y, seed: seed)
      #expect(result.stats(from: y) == ClassCounts(classes: [0, 1], counts: [218, 218]))
      #expect(result.isAppendOnly)
      let minority = x.rows(at: y.indices.filter { y[$0] == 1 })
      for i in 0..<result.synthetic.rows {
        let row = result.synthetic.row(i)
        #expect([10.0, 20, 30].contains(row[row.startIndex + 1]))
        // Some pair of minority rows brackets every continuous value.
        for j in [0, 2, 3, 4] {
          let column = minority.column(j)
          #expect(
            row[row.startIndex + j] >= column.min()! && row[row.startIndex + j] <= column.max()!)
        }
      }
    }

    @Test("needs both kinds of columns and valid indices")
    func errors() {
      let (x, y) = Self.mixed()
      #expect(throws: BiasKitError.self) {
        try SMOTENC(categoricalColumns: [7]).fitResample(features: x, labels: y)
      }
      #expect(throws: BiasKitError.self) {
        try SMOTENC(categoricalColumns: [0, 1, 2, 3, 4]).fitResample(features: x, labels: y)
      }
    }

    @Test("CLI: a text column declared categorical is resampled, not rejected")
    func cli() throws {
      var text = "size,colour,label\n"
      var g = SeededGenerator(seed: 1)
      for i in 0..<60 {
        let colour = ["red", "green", "blue"][g.nextInt(below: 3)]
        text += "\(g.nextUniform()),\(colour),\(i < 12 ? "rare" : "common")\n"
      }
      let folder = try ResampleCommandTests.csvFolder(text)
      let rejected = try CLI.run(
        ["resample", "smote", "--input", "data.csv", "--target", "label", "--output", "o.csv"],
        in: folder)
      #expect(rejected.status == 2 && rejected.stderr.contains("colour"))
      let result = try CLI.run(
        [
          "resample", "smote-nc", "--input", "data.csv", "--target", "label", "--categorical",
          "colour",
          "--output", "o.csv",
        ], in: folder)
      #expect(result.status == 0, "\(result.stderr)")
      let lines = try String(contentsOf: folder.appendingPathComponent("o.csv"), encoding: .utf8)
        .split(separator: "\n")
      #expect(lines.count == 1 + 96)
      #expect(
        lines.dropFirst().allSatisfy {
          ["red", "green", "blue"].contains($0.split(separator: ",")[1])
        })
    }
  }
}
