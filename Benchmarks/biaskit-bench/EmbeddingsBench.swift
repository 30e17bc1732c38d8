import BiasKit
import Foundation

/// Benchmark jobs for the Embeddings capability.
enum EmbeddingsBench {
  static let jobs: [BenchJob] = []
}
