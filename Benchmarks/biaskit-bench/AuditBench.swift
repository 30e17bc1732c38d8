import BiasKit
import Foundation

/// Benchmark jobs for the Audit capability.
enum AuditBench {
  static let jobs: [BenchJob] = []
}
