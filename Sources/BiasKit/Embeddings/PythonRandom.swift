/// CPython's `random.Random` (MT19937) reduced to what reproducing a reference needs:
/// `seed(int)`, `getrandbits(k ≤ 32)`, `_randbelow` and `sample`.
///
/// responsibly makes WEAT word sets equal in size with `random.seed(42);
/// random.sample(words, k)`. Reproducing that stream is the only way to drop the same words,
/// so BiasKit carries this small port of CPython 3's algorithm (`init_by_array` seeding,
/// rejection sampling with `getrandbits`, the pool/selection-set branches of `sample`).
/// The same core also reproduces numpy's legacy `RandomState(seed).shuffle`, which mlxtend's
/// approximate permutation test (and so responsibly's default WEAT p-value) uses.
/// It is not used for anything else: BiasKit's own randomness is ``SeededGenerator``.
///
/// - Complexity: O(1) amortised per 32-bit draw; `sample` is O(n + k).
///
/// ## References
/// - Matsumoto, Nishimura. Mersenne Twister. ACM TOMACS 1998.
/// - CPython `Lib/random.py` (`sample`, `_randbelow_with_getrandbits`) and
///   `Modules/_randommodule.c` (`init_by_array`, `random_seed`).
struct PythonRandom {
  private var state = [UInt32](repeating: 0, count: 624)
  private var position = 624

  /// numpy's legacy `RandomState(seed)` for a 32-bit seed (`init_genrand`, no key array).
  init(numpyLegacySeed seed: UInt32) {
    initGenrand(seed)
  }

  /// numpy's legacy `random_interval(max)`: a uniform integer in 0...max by masked rejection.
  mutating func numpyInterval(_ max: Int) -> Int {
    if max == 0 { return 0 }
    var mask = UInt64(max)
    for shift in [1, 2, 4, 8, 16, 32] as [UInt64] { mask |= mask >> shift }
    while true {
      let value = UInt64(nextUInt32()) & mask
      if value <= UInt64(max) { return Int(value) }
    }
  }

  /// numpy's legacy `RandomState.shuffle` of a 1-d array, in place.
  mutating func numpyShuffle<T>(_ values: inout [T]) {
    var i = values.count - 1
    while i > 0 {
      let j = numpyInterval(i)
      values.swapAt(i, j)
      i -= 1
    }
  }

  /// `random.seed(seed)` for a non-negative integer seed (Python hashes `abs(seed)` into
  /// 32-bit words, least significant first).
  init(seed: UInt64) {
    var key: [UInt32] = []
    var a = seed
    repeat {
      key.append(UInt32(truncatingIfNeeded: a))
      a >>= 32
    } while a > 0
    initByArray(key)
  }

  private mutating func initGenrand(_ s: UInt32) {
    state[0] = s
    for i in 1..<624 {
      state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
    }
    position = 624
  }

  private mutating func initByArray(_ key: [UInt32]) {
    initGenrand(19_650_218)
    var i = 1
    var j = 0
    for _ in 0..<max(624, key.count) {
      state[i] =
        (state[i] ^ ((state[i - 1] ^ (state[i - 1] >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
      i += 1
      j += 1
      if i >= 624 {
        state[0] = state[623]
        i = 1
      }
      if j >= key.count { j = 0 }
    }
    for _ in 0..<623 {
      state[i] = (state[i] ^ ((state[i - 1] ^ (state[i - 1] >> 30)) &* 1_566_083_941)) &- UInt32(i)
      i += 1
      if i >= 624 {
        state[0] = state[623]
        i = 1
      }
    }
    state[0] = 0x8000_0000
  }

  mutating func nextUInt32() -> UInt32 {
    if position >= 624 {
      for k in 0..<624 {
        let y = (state[k] & 0x8000_0000) | (state[(k + 1) % 624] & 0x7FFF_FFFF)
        state[k] = state[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_B0DF)
      }
      position = 0
    }
    var y = state[position]
    position += 1
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C_5680
    y ^= (y << 15) & 0xEFC6_0000
    y ^= y >> 18
    return y
  }

  /// `getrandbits(k)` for 1 ≤ k ≤ 32.
  mutating func randomBits(_ k: Int) -> UInt32 { nextUInt32() >> UInt32(32 - k) }

  /// `_randbelow(n)` by rejection on `n.bit_length()` bits.
  mutating func below(_ n: Int) -> Int {
    precondition(n > 0 && n <= Int(UInt32.max))
    let k = Int.bitWidth - n.leadingZeroBitCount
    var r = Int(randomBits(k))
    while r >= n { r = Int(randomBits(k)) }
    return r
  }

  /// `random.sample(population, k)`, in the order Python returns it.
  mutating func sample<T>(_ population: [T], _ k: Int) -> [T] {
    let n = population.count
    precondition(k >= 0 && k <= n)
    var setSize = 21
    if k > 5 {
      let exponent = (log(Double(k * 3)) / log(4.0)).rounded(.up)
      setSize += Int(pow(4.0, exponent))
    }
    var result: [T] = []
    result.reserveCapacity(k)
    if n <= setSize {
      var pool = population
      for i in 0..<k {
        let j = below(n - i)
        result.append(pool[j])
        pool[j] = pool[n - i - 1]
      }
    } else {
      var selected = Set<Int>()
      for _ in 0..<k {
        var j = below(n)
        while selected.contains(j) { j = below(n) }
        selected.insert(j)
        result.append(population[j])
      }
    }
    return result
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
