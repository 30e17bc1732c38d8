import BiasKit
import Foundation

/// Benchmark jobs for the Mitigation capability.
enum MitigationBench {
  static let jobs: [BenchJob] = []
}
