import Foundation
import Testing

@testable import BiasKit

extension ResamplingTests {
  /// The one battery every ``Resampler`` passes (as scikit-learn's estimator checks).
  @Suite("Resampling: the Resampler contract")
  struct ResamplerContractTests {
    static let all: [(String, any Resampler)] = [
      ("SMOTE", SMOTE()), ("BorderlineSMOTE-1", BorderlineSMOTE()),
      ("BorderlineSMOTE-2", BorderlineSMOTE(kind: .borderline2)), ("ADASYN", ADASYN()),
      ("RandomOverSampler", RandomOverSampler()),
      ("RandomOverSampler(shrinkage)", RandomOverSampler(shrinkage: 0.5)),
      ("RandomUnderSampler", RandomUnderSampler()), ("TomekLinks", TomekLinks()),
      ("EditedNearestNeighbours", EditedNearestNeighbours()),
      ("RepeatedENN", RepeatedEditedNearestNeighbours()),
      ("AllKNN", AllKNN()), ("NearMiss-1", NearMiss(version: .one)),
      ("NearMiss-2", NearMiss(version: .two)),
      ("NearMiss-3", NearMiss(version: .three)),
      ("NeighbourhoodCleaningRule", NeighbourhoodCleaningRule()),
      ("SMOTETomek", SMOTETomek()), ("SMOTEENN", SMOTEENN()),
      ("CondensedNearestNeighbour", CondensedNearestNeighbour()),
      ("OneSidedSelection", OneSidedSelection()),
      ("ClusterCentroids", ClusterCentroids()),
      ("ClusterCentroids(hard)", ClusterCentroids(voting: .hard)),
    ]
    static let names = all.map(\.0)
    static func sampler(_ name: String) -> any Resampler { all.first { $0.0 == name }!.1 }

    @Test("output is well formed, reproducible, and moves counts the right way", arguments: names)
    func wellFormed(name: String) throws {
      let sampler = Self.sampler(name)
      let data = ResamplingFixtures.dataSet("three_classes")
      let rows = try LabeledRows(features: data.features, labels: data.labels)
      let a = try sampler.fitResample(rows, seed: 11)
      let b = try sampler.fitResample(rows, seed: 11)
      #expect(a == b, "same seed, same output")
      #expect(a.inputRows == data.labels.count)
      #expect(a.sources.allSatisfy { $0 >= 0 && $0 < a.inputRows + a.synthetic.rows })
      #expect(a.synthetic.columns == data.features.columns)
      let finite = a.synthetic.values.allSatisfy { $0.isFinite }
      #expect(finite)
      let before = rows.stats
      let after = a.stats(from: data.labels)
      #expect(Set(a.syntheticLabels).isSubset(of: Set(before.classes)))
      switch sampler.kind {
      case .overSampling where !(sampler is SMOTETomek) && !(sampler is SMOTEENN):
        #expect(
          Array(a.sources.prefix(a.inputRows)) == Array(0..<a.inputRows),
          "input rows first, unchanged")
        for c in before.classes { #expect(after[c] >= before[c]) }
      case .underSampling, .cleaning:
        #expect(a.synthetic.rows == 0 || sampler is ClusterCentroids)
        #expect(Set(a.sources).count == a.sources.count, "no row twice")
        for c in before.classes { #expect(after[c] <= before[c]) }
      default:
        break
      }
      let output = a.features(from: data.features)
      #expect(output.rows == a.count)
    }

    @Test("bad input is an error, never a trap", arguments: names)
    func badInput(name: String) {
      let sampler = Self.sampler(name)
      let data = ResamplingFixtures.dataSet("binary")
      var nan = data.features
      nan[3, 1] = .nan
      #expect(throws: BiasKitError.self) {
        try sampler.fitResample(features: nan, labels: data.labels)
      }
      #expect(throws: BiasKitError.self) {
        try sampler.fitResample(
          features: data.features, labels: [Int](repeating: 1, count: data.labels.count))
      }
      #expect(throws: BiasKitError.self) {
        try sampler.fitResample(features: data.features, labels: [0, 1])
      }
      // Three rows of the minority class: too few for the default neighbours (or fine).
      let tiny = data.features.rows(at: 0..<20)
      let labels = (0..<20).map { $0 < 3 ? 1 : 0 }
      do {
        let result = try sampler.fitResample(features: tiny, labels: labels)
        #expect(result.count > 0)
      } catch let error as BiasKitError {
        #expect(!error.message.isEmpty)
      } catch {
        Issue.record("unexpected error type \(error)")
      }
    }
  }
}
