import BiasKit
import Foundation

/// Benchmark jobs for the Resampling capability.
enum ResamplingBench {
  static let jobs: [BenchJob] = []
}
