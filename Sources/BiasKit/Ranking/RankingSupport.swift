import Foundation

/// Small shared pieces of the ranking measures.
enum RankingMath {
  /// The mean of the values that are not NaN; NaN when there are none.
  static func mean(_ values: [Double]) -> Double {
    var sum = 0.0
    var count = 0
    for v in values where !v.isNaN {
      sum += v
      count += 1
    }
    return count == 0 ? .nan : sum / Double(count)
  }

  /// Runs `body` over consecutive chunks of `0..<count`, on all cores when the work is large
  /// enough; each chunk is processed by one thread, in order.
  static func forEachChunk(_ count: Int, minimumChunk: Int = 2_048, _ body: (Range<Int>) -> Void) {
    let workers = ProcessInfo.processInfo.activeProcessorCount
    let chunks = min(max(1, count / minimumChunk), workers * 4)
    if chunks <= 1 {
      body(0..<count)
      return
    }
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
      body((count * c / chunks)..<(count * (c + 1) / chunks))
    }
  }
}
