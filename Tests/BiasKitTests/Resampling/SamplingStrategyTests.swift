import Foundation
import Testing

@testable import BiasKit

extension ResamplingTests {
  @Suite("Resampling: SamplingStrategy")
  struct SamplingStrategyTests {
    static func kind(_ text: String) -> SamplingKind { SamplingKind(rawValue: text)! }

    @Test(
      "string strategies resolve as check_sampling_strategy", arguments: ResamplingFixtures.names)
    func strings(name: String) throws {
      let data = ResamplingFixtures.dataSet(name)
      let stats = ClassCounts(labels: data.labels)
      for entry in data.strategies {
        let strategy = try SamplingStrategy(parsing: entry["spec"] as! String)
        let kind = Self.kind(entry["kind"] as! String)
        if entry["error"] != nil {
          #expect(throws: BiasKitError.self) { try strategy.targets(for: stats, kind: kind) }
        } else {
          let expected = (entry["targets"] as! [[NSNumber]]).map {
            [$0[0].intValue, $0[1].intValue]
          }
          let got = try strategy.targets(for: stats, kind: kind).map { [$0.label, $0.count] }
          #expect(got == expected, "\(name) \(kind) \(strategy)")
        }
      }
    }

    @Test("ratios resolve as check_sampling_strategy, including the errors")
    func ratios() throws {
      let stats = ClassCounts(labels: ResamplingFixtures.dataSet("binary").labels)
      for entry in ResamplingFixtures.ratios {
        let strategy = SamplingStrategy.ratio((entry["ratio"] as! NSNumber).doubleValue)
        let kind = Self.kind(entry["kind"] as! String)
        if entry["error"] != nil {
          #expect(throws: BiasKitError.self) { try strategy.targets(for: stats, kind: kind) }
        } else {
          let expected = (entry["targets"] as! [[NSNumber]]).map {
            [$0[0].intValue, $0[1].intValue]
          }
          #expect(
            try strategy.targets(for: stats, kind: kind).map { [$0.label, $0.count] } == expected)
        }
      }
    }

    @Test func parsing() throws {
      #expect(try SamplingStrategy(parsing: "not majority") == .notMajority)
      #expect(try SamplingStrategy(parsing: "not-minority") == .notMinority)
      #expect(try SamplingStrategy(parsing: "0.5") == .ratio(0.5))
      #expect(try SamplingStrategy(parsing: "0:10, 1:20") == .counts([0: 10, 1: 20]))
      #expect(try SamplingStrategy(parsing: "classes:1,2") == .classes([1, 2]))
      #expect(throws: BiasKitError.self) { try SamplingStrategy(parsing: "most") }
    }

    @Test func countsAndErrors() throws {
      let stats = ClassCounts(classes: [0, 1, 2], counts: [50, 20, 10])
      #expect(
        try SamplingStrategy.counts([1: 30, 2: 10]).targets(for: stats, kind: .overSampling).map(
          \.count) == [10, 0])
      #expect(
        try SamplingStrategy.counts([0: 30]).targets(for: stats, kind: .underSampling).map(\.count)
          == [30])
      #expect(throws: BiasKitError.self) {
        try SamplingStrategy.counts([1: 5]).targets(for: stats, kind: .overSampling)
      }
      #expect(throws: BiasKitError.self) {
        try SamplingStrategy.counts([7: 5]).targets(for: stats, kind: .overSampling)
      }
      #expect(throws: BiasKitError.self) {
        try SamplingStrategy.ratio(0.5).targets(for: stats, kind: .overSampling)
      }
      #expect(throws: BiasKitError.self) {
        try SamplingStrategy.auto.targets(
          for: ClassCounts(classes: [1], counts: [9]), kind: .overSampling)
      }
    }
  }
}
