import Foundation
import Testing

@testable import BiasKit

extension ResamplingTests {
  @Suite("Resampling: SMOTEN")
  struct SMOTENTests {
    @Test("new rows are made of categories seen in the class; counts balanced", arguments: 0..<2)
    func invariants(seed: UInt64) throws {
      let data = ResamplingFixtures.dataSet("ties")  // integer grid: three categorical columns
      let result = try SMOTEN().fitResample(
        features: data.features, labels: data.labels, seed: seed)
      #expect(result.stats(from: data.labels) == ClassCounts(classes: [0, 1], counts: [126, 126]))
      let minority = data.features.rows(at: data.labels.indices.filter { data.labels[$0] == 1 })
      for i in 0..<result.synthetic.rows {
        for j in 0..<3 { #expect(minority.column(j).contains(result.synthetic[i, j])) }
      }
    }

    @Test("CLI: smote-n reads every feature column as categories")
    func cli() throws {
      var text = "colour,shape,label\n"
      var g = SeededGenerator(seed: 2)
      for i in 0..<50 {
        text +=
          "\(["red", "green"][g.nextInt(below: 2)]),\(["round", "square", "flat"][g.nextInt(below: 3)]),\(i < 10 ? 1 : 0)\n"
      }
      let folder = try ResampleCommandTests.csvFolder(text)
      let result = try CLI.run(
        [
          "resample", "smote-n", "--input", "data.csv", "--target", "label", "--output", "o.csv",
          "--format", "json",
        ],
        in: folder)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("\"1\" : 40"))
    }
  }
}
