import Foundation
import Testing

@testable import BiasKit

extension ResamplingTests {
  @Suite("Resampling: randomized samplers")
  struct OverSamplerTests {
    @Test("class counts match imbalanced-learn", arguments: ResamplingFixtures.names)
    func counts(name: String) throws {
      let data = ResamplingFixtures.dataSet(name)
      let cases: [(String, any Resampler)] = [
        ("random_over", RandomOverSampler()), ("random_under", RandomUnderSampler()),
        ("borderline1", BorderlineSMOTE(kind: .borderline1)),
        ("borderline2", BorderlineSMOTE(kind: .borderline2)),
        ("adasyn", ADASYN()),
      ]
      // ADASYN's counts depend on which equidistant rows are neighbours (see NearestNeighbors).
      for (key, sampler) in cases where !(name == "ties" && key == "adasyn") {
        let result = try sampler.fitResample(features: data.features, labels: data.labels, seed: 3)
        #expect(result.stats(from: data.labels) == data.counts[key]!!, "\(name) \(key)")
      }
    }

    @Test(
      "Borderline-SMOTE's danger rows are imbalanced-learn's",
      arguments: ["three_classes", "binary", "shuffled_labels"])
    func dangerRows(name: String) throws {
      let data = ResamplingFixtures.dataSet(name)
      let rows = try LabeledRows(features: data.features, labels: data.labels)
      for (label, expected) in data.borderlineDanger {
        #expect(
          try BorderlineSMOTE().dangerRows(rows, label: label) == expected, "\(name) class \(label)"
        )
      }
    }

    @Test(
      "Borderline-SMOTE-1 seeds only from danger rows, towards a same-class neighbour",
      arguments: 0..<3)
    func borderlineSeedsFromDanger(seed: UInt64) throws {
      let data = ResamplingFixtures.dataSet("binary")
      let rows = try LabeledRows(features: data.features, labels: data.labels)
      let sampler = BorderlineSMOTE(kind: .borderline1)
      let result = try sampler.fitResample(rows, seed: seed)
      let danger = try sampler.dangerRows(rows, label: 1)
      let classRows = data.features.rows(at: rows.rows(of: 1))
      let dangerMatrix = data.features.rows(at: danger)
      // Neighbours of each danger row within the class, as the sampler sees them.
      let list = NearestNeighbors(reference: classRows).neighbors(of: dangerMatrix, count: 6)
        .droppingFirstColumn()
      for i in 0..<result.synthetic.rows {
        #expect(
          SMOTETests.onSegment(
            result.synthetic.row(i), base: dangerMatrix, neighbors: list, targets: classRows),
          "seed \(seed) row \(i)")
      }
    }

    @Test(
      "ADASYN's per-row counts follow its density ratio, as imbalanced-learn's",
      arguments: ["three_classes", "binary", "shuffled_labels"])
    func adasynRowCounts(name: String) throws {
      let data = ResamplingFixtures.dataSet(name)
      let rows = try LabeledRows(features: data.features, labels: data.labels)
      let targets = try SamplingStrategy.auto.targets(for: rows.stats, kind: .overSampling)
      for (label, count) in targets where count > 0 {
        #expect(
          try ADASYN().rowCounts(rows, label: label, total: count) == data.adasynRowCounts[label]!,
          "\(name) \(label)")
      }
    }

    @Test("RandomOverSampler repeats input rows; with shrinkage it adds perturbed rows")
    func randomOver() throws {
      let data = ResamplingFixtures.dataSet("three_classes")
      let plain = try RandomOverSampler().fitResample(
        features: data.features, labels: data.labels, seed: 1)
      #expect(plain.synthetic.rows == 0 && plain.sources.allSatisfy { $0 < data.labels.count })
      #expect(Array(plain.sources.prefix(data.labels.count)) == Array(0..<data.labels.count))
      let smooth = try RandomOverSampler(shrinkage: 1).fitResample(
        features: data.features, labels: data.labels, seed: 1)
      #expect(
        smooth.isAppendOnly && smooth.stats(from: data.labels) == plain.stats(from: data.labels))
      #expect(throws: BiasKitError.self) {
        try RandomOverSampler(shrinkage: -1).fitResample(
          features: data.features, labels: data.labels)
      }
    }

    @Test("ClusterCentroids: each targeted class becomes its k-means centroids")
    func clusterCentroids() throws {
      let data = ResamplingFixtures.dataSet("three_classes")
      let result = try ClusterCentroids().fitResample(
        features: data.features, labels: data.labels, seed: 5)
      #expect(
        result.stats(from: data.labels) == ClassCounts(classes: [0, 1, 2], counts: [31, 31, 31]))
      // Each centroid is a mean of class rows: inside the class's bounding box.
      for label in [0, 1, 2] {
        let rows = data.features.rows(at: data.labels.indices.filter { data.labels[$0] == label })
        for i in result.syntheticLabels.indices where result.syntheticLabels[i] == label {
          for j in 0..<rows.columns {
            let column = rows.column(j)
            #expect(
              result.synthetic[i, j] >= column.min()! - 1e-12
                && result.synthetic[i, j] <= column.max()! + 1e-12)
          }
        }
      }
    }

    @Test("CondensedNearestNeighbour and OneSidedSelection keep every minority row")
    func condensed() throws {
      let data = ResamplingFixtures.dataSet("binary")
      for sampler in [CondensedNearestNeighbour() as any Resampler, OneSidedSelection()] {
        let result = try sampler.fitResample(features: data.features, labels: data.labels, seed: 9)
        let stats = result.stats(from: data.labels)
        #expect(stats[1] == 32)
        #expect(stats[0] < 218)
      }
    }

    @Test("SMOTETomek and SMOTEENN clean the over-sampled data")
    func combinations() throws {
      let data = ResamplingFixtures.dataSet("binary")
      let rows = try LabeledRows(features: data.features, labels: data.labels)
      for sampler in [SMOTETomek() as any Resampler, SMOTEENN()] {
        let result = try sampler.fitResample(rows, seed: 2)
        let over = try SMOTE().fitResample(rows, seed: 2)
        #expect(result.count < over.count)
        // Every output row is an input row or one of SMOTE's rows with the same seed.
        #expect(result.synthetic == over.synthetic)
      }
    }
  }
}
