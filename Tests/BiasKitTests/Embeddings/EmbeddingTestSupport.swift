import Foundation
import Testing

@testable import BiasKit

/// The shared GoogleNews subset (26,423 × 300), loaded once for all embedding tests.
enum SharedEmbedding {
  static let path = TestData.shared("data/embeddings/GoogleNews-vectors-negative300-bolukbasi.bin")
    .path
  static let embedding: WordEmbedding = {
    do { return try WordEmbedding(contentsOf: path) } catch {
      fatalError("cannot load \(path): \(error)")
    }
  }()
  static let lists: GenderWordLists = {
    do {
      return try GenderWordLists.load(
        contentsOf: TestData.shared("data/embeddings/bolukbasi.json").path)
    } catch {
      fatalError("\(error)")
    }
  }()
  static let direction: BiasDirection = {
    do { return try BiasDirection(.pca, pairs: lists.definitionalPairs, in: embedding) } catch {
      fatalError("\(error)")
    }
  }()
  static let weatTests: [WEATWordSets] = {
    do {
      return try WEATWordSets.load(contentsOf: TestData.shared("data/embeddings/weat.json").path)
    } catch {
      fatalError("\(error)")
    }
  }()
}

/// An embedding oracle fixture (see Fixtures/Embeddings/make_fixtures.py).
func embeddingOracle(_ name: String) throws -> Any {
  try TestData.json(TestData.fixture("Embeddings/\(name)"))
}

func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool { abs(a - b) <= tolerance }
