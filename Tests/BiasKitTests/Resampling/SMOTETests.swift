import Foundation
import Testing

@testable import BiasKit

extension ResamplingTests {
  @Suite("Resampling: SMOTE")
  struct SMOTETests {
    /// Whether `s` is `a + u (b − a)` with u in [0, 1] for some row a of `base` and b one of
    /// a's neighbours.
    static func onSegment(
      _ s: ArraySlice<Double>, base: Matrix, neighbors: NeighborList, targets: Matrix? = nil
    ) -> Bool {
      let t = targets ?? base
      let d = base.columns
      let s = Array(s)
      for a in 0..<base.rows {
        for b in neighbors.neighbors(of: a) {
          var num = 0.0
          var den = 0.0
          for c in 0..<d {
            let diff = t[b, c] - base[a, c]
            num += (s[c] - base[a, c]) * diff
            den += diff * diff
          }
          let u = den == 0 ? 0 : num / den
          guard u >= -1e-12, u <= 1 + 1e-12 else { continue }
          var r = 0.0
          for c in 0..<d { r = max(r, abs(base[a, c] + u * (t[b, c] - base[a, c]) - s[c])) }
          if r < 1e-9 { return true }
        }
      }
      return false
    }

    @Test(
      "every synthetic row lies on a segment between a class row and one of its k neighbours",
      arguments: 0..<6)
    func syntheticRowsLieOnSegments(seed: UInt64) throws {
      let data = ResamplingFixtures.dataSet(seed % 2 == 0 ? "three_classes" : "shuffled_labels")
      let k = 3 + Int(seed % 3)
      let result = try SMOTE(neighborCount: k).fitResample(
        features: data.features, labels: data.labels, seed: seed)
      for label in Set(result.syntheticLabels).sorted() {
        let base = data.features.rows(at: data.labels.indices.filter { data.labels[$0] == label })
        let nn = NearestNeighbors(reference: base).neighbors(ofReferenceRowsExcludingFirst: k)
        for i in 0..<result.synthetic.rows where result.syntheticLabels[i] == label {
          #expect(
            Self.onSegment(result.synthetic.row(i), base: base, neighbors: nn),
            "seed \(seed) row \(i)")
        }
      }
    }

    @Test(
      "class counts match imbalanced-learn; original rows first, new rows by class",
      arguments: ResamplingFixtures.names)
    func countsMatch(name: String) throws {
      let data = ResamplingFixtures.dataSet(name)
      let cases: [(String, SMOTE)] = [
        ("smote", SMOTE()), ("smote_k3_all", SMOTE(strategy: .all, neighborCount: 3)),
      ]
      for (key, sampler) in cases {
        let result = try sampler.fitResample(features: data.features, labels: data.labels, seed: 1)
        #expect(result.stats(from: data.labels) == data.counts[key]!!, "\(name) \(key)")
        #expect(result.isAppendOnly && result.sampleIndices == Array(0..<data.labels.count))
        #expect(result.syntheticLabels == result.syntheticLabels.sorted())
        let out = result.features(from: data.features)
        #expect(Array(out.values.prefix(data.features.values.count)) == data.features.values)
      }
    }

    @Test("the same seed gives the same rows; another seed other rows")
    func seeded() throws {
      let data = ResamplingFixtures.dataSet("binary")
      let a = try SMOTE().fitResample(features: data.features, labels: data.labels, seed: 5)
      let b = try SMOTE().fitResample(features: data.features, labels: data.labels, seed: 5)
      let c = try SMOTE().fitResample(features: data.features, labels: data.labels, seed: 6)
      #expect(a == b)
      #expect(a.synthetic != c.synthetic)
    }

    @Test("too few rows for k_neighbors + 1 says how many there are")
    func tooFewRows() {
      let x = Matrix(rows: 8, columns: 2, values: (0..<16).map(Double.init))
      let y = [0, 0, 0, 0, 0, 1, 1, 1]
      #expect {
        try SMOTE(neighborCount: 5).fitResample(features: x, labels: y)
      } throws: { error in
        let e = error as! BiasKitError
        return e.code == .degenerateData && e.message.contains("class 1 has 3")
          && e.message.contains("at least 6")
      }
    }

    @Test("NaN and infinite features are rejected, naming the row and column")
    func nonFinite() {
      var x = Matrix(rows: 8, columns: 2, values: (0..<16).map(Double.init))
      x[6, 1] = .nan
      #expect {
        try SMOTE(neighborCount: 1).fitResample(features: x, labels: [0, 0, 0, 0, 0, 1, 1, 1])
      } throws: { error in
        (error as! BiasKitError).message.contains("row 6, column 1")
      }
    }
  }
}
