/// A fast, seedable pseudo-random generator (xoshiro256**), with independent substreams.
///
/// Every randomized algorithm in BiasKit takes its randomness from a `SeededGenerator` (or any
/// `RandomNumberGenerator` passed in), never from a global source, so results are reproducible
/// for a seed. Parallel work draws from ``stream(_:)``: the generator for task `k` depends only
/// on the seed and `k`, so results do not depend on how many cores ran them.
///
/// The state is filled from the seed with SplitMix64, as the xoshiro authors recommend.
///
/// - Complexity: O(1) per draw.
///
/// ## References
/// - Blackman, Vigna. Scrambled Linear Pseudorandom Number Generators. ACM TOMS 2021.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64
  /// The seed this generator (or its parent) was created with.
  public let seed: UInt64

  /// A generator whose sequence is determined by `seed`.
  public init(seed: UInt64) {
    self.seed = seed
    var state = seed
    func splitMix() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitMix()
    s1 = splitMix()
    s2 = splitMix()
    s3 = splitMix()
  }

  /// An independent generator for task `index`, derived from this generator's seed only.
  public func stream(_ index: UInt64) -> SeededGenerator {
    // Mix the index into the seed with a different odd constant so that streams never
    // coincide with `SeededGenerator(seed: seed + k)`.
    var z = seed ^ (index &+ 1) &* 0xD1B5_4A32_D192_ED03
    z = (z ^ (z >> 32)) &* 0xDABA_0B6E_B092_2B6F
    return SeededGenerator(seed: z ^ (z >> 29))
  }

  @inlinable
  /// The next 64 random bits (xoshiro256**).
  public mutating func next() -> UInt64 {
    let result = rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  @inlinable
  func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A uniform double in [0, 1) with 53 random bits.
  @inlinable
  public mutating func nextUniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
  @inlinable
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0)
    let b = UInt64(bound)
    var m = next().multipliedFullWidth(by: b)
    if m.low < b {
      let threshold = (0 &- b) % b
      while m.low < threshold { m = next().multipliedFullWidth(by: b) }
    }
    return Int(m.high)
  }
}
