import Foundation

/// A value with its bootstrap quantiles.
///
/// `quantiles[k]` is the bootstrap distribution's quantile at the scorer's `quantileLevels[k]`
/// (numpy's linear interpolation, undefined samples skipped as `nanquantile`); empty without a
/// bootstrap. `value` is NaN when undefined (written as `null`).
///
/// - Complexity: a plain value.
public struct BootstrappedValue: Sendable, Equatable {
  /// The point value (NaN when undefined).
  public var value: Double
  /// The bootstrap quantiles, one per quantile level (empty without a bootstrap).
  public var quantiles: [Double]

  /// A value with its bootstrap quantiles.
  public init(_ value: Double, quantiles: [Double] = []) {
    self.value = value
    self.quantiles = quantiles
  }

  /// Equal values, NaN equal to NaN (an undefined value is the same result).
  public static func == (a: BootstrappedValue, b: BootstrappedValue) -> Bool {
    func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
    return same(a.value, b.value) && a.quantiles.count == b.quantiles.count
      && zip(a.quantiles, b.quantiles).allSatisfy { same($0, $1) }
  }
}

/// How a language-model scorer draws its bootstrap intervals.
///
/// The audit's convention (``Bootstrap``): each sample draws n records with replacement, sample
/// `r` from `SeededGenerator(seed:).stream(r)`, and each value's interval is read from the
/// quantiles of its samples. Records that a score cannot tell apart are pooled into atoms (for
/// BBQ: category × context × correct × unknown × biased), so a sample is one multinomial draw
/// over the atoms (``Binomial/multinomial(total:weights:using:)``), with exactly the
/// distribution of resampling the records.
///
/// - Complexity: O(samples × (atoms + cost of the scores)).
public struct BootstrapOptions: Sendable, Equatable {
  /// Number of resamples (fairlearn `n_boot`); 0 turns the bootstrap off.
  public var samples: Int
  /// The quantile levels to report, each in [0, 1].
  public var quantiles: [Double]
  /// The seed of the resamples' random streams.
  public var seed: UInt64

  /// Options for `samples` resamples reporting `quantiles`, drawn from `seed`.
  public init(samples: Int, quantiles: [Double] = [0.025, 0.5, 0.975], seed: UInt64 = 0) {
    self.samples = samples
    self.quantiles = quantiles
    self.seed = seed
  }

  /// No bootstrap.
  public static let none = BootstrapOptions(samples: 0, quantiles: [])

  func validate() throws {
    guard samples >= 0 else {
      throw BiasKitError(.invalidArgument, "the number of bootstrap samples must be at least 0")
    }
    guard quantiles.allSatisfy({ (0...1).contains($0) }) else {
      throw BiasKitError(.invalidArgument, "the confidence quantiles (--ci) must lie in [0, 1]")
    }
  }

  /// Bootstrap quantiles of `statistic` over multinomial resamples of `counts` (atoms):
  /// one array per output value, `quantiles.count` long.
  func quantiles(
    ofCounts counts: [Int], width: Int, _ statistic: ([Int]) -> [Double]
  ) -> [[Double]] {
    guard samples > 0, !quantiles.isEmpty else { return [[Double]](repeating: [], count: width) }
    let total = counts.reduce(0, +)
    let weights = counts.map(Double.init)
    return resampled(width: width) { rng in
      statistic(Binomial.multinomial(total: total, weights: weights, using: &rng))
    }
  }

  /// Quantiles of `draw` over `samples` runs, sample `r` from `stream(r)`, run in parallel.
  func resampled(width: Int, _ draw: (inout SeededGenerator) -> [Double]) -> [[Double]] {
    guard samples > 0, !quantiles.isEmpty else { return [[Double]](repeating: [], count: width) }
    var table = [Double](repeating: .nan, count: samples * width)
    let samples = self.samples
    let seed = self.seed
    table.withUnsafeMutableBufferPointer { out in
      let batches = min(samples, 64)
      DispatchQueue.concurrentPerform(iterations: batches) { b in
        for r in stride(from: b, to: samples, by: batches) {
          var rng = SeededGenerator(seed: seed).stream(UInt64(r))
          let values = draw(&rng)
          for k in 0..<min(width, values.count) { out[r * width + k] = values[k] }
        }
      }
    }
    var result: [[Double]] = []
    result.reserveCapacity(width)
    var column: [Double] = []
    column.reserveCapacity(samples)
    for k in 0..<width {
      column.removeAll(keepingCapacity: true)
      for r in 0..<samples where !table[r * width + k].isNaN { column.append(table[r * width + k]) }
      column.sort()
      result.append(quantiles.map { q in Bootstrap.quantile(&column, q) })
    }
    return result
  }
}
