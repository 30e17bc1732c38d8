/// FA*IR's ranked group fairness test: how many protected items every prefix of a top-k
/// ranking must hold, with the significance adjusted for testing k prefixes at once.
///
/// A ranking of k items passes when, for every prefix length i ≤ k, the number of protected
/// items τ(i) among the first i is at least
///
///     m(i) = max(0, F⁻¹(α_c; i, p))          (F the Binomial(i, p) cdf, SciPy's ppf)
///
/// i.e. when no prefix holds significantly fewer protected items than a ranking drawn with
/// protected proportion p would. Testing k prefixes inflates the chance that a fair ranking
/// fails, so FA*IR lowers α to the *adjusted significance* α_c whose m-table fails a random
/// fair ranking with probability as close to α as the discrete m-tables allow.
///
/// Corresponds to `fairsearchcore` 1.0.4's `Fair(k, p, alpha)`: ``table()`` is
/// `create_adjusted_mtable()` with `adjust_alpha()` and the fail probability of that table
/// (`RecursiveNumericFailProbabilityCalculator`), including its conventions: the bisection on
/// α between 0 and α, stopped when the two bounding tables differ by one protected item in
/// total (their "mass") or their α differ by ≤ 1e-16, returning the bound whose fail
/// probability is nearer α (the lower one on a tie); and a fail probability computed from
/// the table's first k − 1 positions (the library's `compute_aux_mtable` skips the last).
/// Without adjustment (``adjustsSignificance`` false) α_c = α (`create_unadjusted_mtable`).
/// Where the binomial cdf equals α exactly (p and α short binary fractions, e.g. both 1/2),
/// the tie is decided exactly; SciPy's cdf can be an ulp off there for larger i
/// (0.4999999999999999 at i = 35) and its ppf then one higher.
///
/// - Complexity: O(k²) per m-table and O(k²) per fail probability; the adjustment evaluates
///   O(log(α / 1e-16)) ≤ ~60 tables.
///
/// ## References
/// - Zehlike, Bonchi, Castillo, Hajian, Megahed, Baeza-Yates. FA*IR: A Fair Top-k Ranking
///   Algorithm. CIKM 2017.
/// - Zehlike, Sühr, Castillo, Kitanovski. FairSearch: A Tool For Fairness in Ranked Search
///   Results. WWW 2020 (the `fairsearchcore` library).
public struct FAIR: Sendable, Equatable {
  /// Length of the rankings to test or produce (fairsearchcore: `k`).
  public var length: Int
  /// The protected proportion a fair ranking is drawn with (fairsearchcore: `p`), in (0, 1).
  public var proportion: Double
  /// The significance of the test (fairsearchcore: `alpha`), in (0, 0.5].
  public var significance: Double
  /// Whether to adjust the significance for the k tests (fairsearchcore's adjusted m-table).
  public var adjustsSignificance: Bool

  public init(
    length: Int, proportion: Double, significance: Double = 0.1, adjustsSignificance: Bool = true
  ) {
    self.length = length
    self.proportion = proportion
    self.significance = significance
    self.adjustsSignificance = adjustsSignificance
  }

  /// The m-table and its significance.
  public struct MTable: Sendable, Equatable {
    /// `minimumProtected[i − 1]` is m(i), the protected items the top i must hold.
    public var minimumProtected: [Int]
    /// The significance the table was requested with (α).
    public var significance: Double
    /// The significance it was built with (α_c; α when not adjusted).
    public var adjustedSignificance: Double
    /// The probability that a ranking drawn with protected proportion p fails the table.
    public var failureProbability: Double

    /// Whether a ranking whose prefixes hold `protectedCounts[i − 1]` protected items passes.
    public func passes(protectedCounts: [Int]) -> Bool {
      for i in minimumProtected.indices where protectedCounts[i] < minimumProtected[i] {
        return false
      }
      return true
    }
  }

  /// Throws when the parameters are outside their ranges.
  public func validate() throws {
    guard length >= 1 else { throw BiasKitError.fairLength(length) }
    guard proportion > 0, proportion < 1 else { throw BiasKitError.fairProportion(proportion) }
    guard significance > 0, significance <= 0.5 else {
      throw BiasKitError.fairSignificance(significance)
    }
  }

  /// The m-table, adjusted unless ``adjustsSignificance`` is false.
  public func table() throws -> MTable {
    try validate()
    if !adjustsSignificance {
      let m = FAIR.minimumProtected(length: length, proportion: proportion, alpha: significance)
      return MTable(
        minimumProtected: m, significance: significance, adjustedSignificance: significance,
        failureProbability: FAIR.failureProbability(of: m, proportion: proportion))
    }
    return adjusted()
  }

  /// m(i) = max(0, F⁻¹(α; i, p)) for i = 1…k.
  public static func minimumProtected(length k: Int, proportion p: Double, alpha: Double) -> [Int] {
    var table = [Int](repeating: 0, count: k)
    guard alpha > 0 else { return table }
    var m = -1
    for i in 1...max(1, k) where i <= k {
      if m < 0 {
        m = BinomialDistribution.quantile(alpha, trials: i, probability: p)
      } else {
        // F⁻¹(α; i, p) is F⁻¹(α; i − 1, p) or one more.
        while m < i, !BinomialDistribution.cdf(m, atLeast: alpha, trials: i, probability: p) {
          m += 1
        }
      }
      table[i - 1] = max(0, m)
    }
    return table
  }

  /// The probability that a ranking whose positions are protected independently with
  /// probability p fails `table` at some prefix, as fairsearchcore computes it (from the
  /// positions 1…k − 1 where the table grows; 0 when no ranking can pass).
  public static func failureProbability(of table: [Int], proportion p: Double) -> Double {
    // Blocks: the runs of positions between increments of m, over positions 1…k − 1.
    var blocks: [Int] = []
    var lastM = 0
    var lastPosition = 0
    if table.count >= 2 {
      for position in 1..<table.count where table[position - 1] == lastM + 1 {
        lastM += 1
        blocks.append(position - lastPosition)
        lastPosition = position
      }
    }
    guard !blocks.isEmpty else { return 0 }
    let total = lastPosition
    // success[c]: probability that blocks j… pass given c protected items before block j.
    var prefix = [Int](repeating: 0, count: blocks.count + 1)
    for j in blocks.indices { prefix[j + 1] = prefix[j] + blocks[j] }
    var next = [Double](repeating: 1, count: total + 1)
    var current = [Double](repeating: 0, count: total + 1)
    var pmfCache: [Int: [Double]] = [:]
    for j in stride(from: blocks.count - 1, through: 0, by: -1) {
      let size = blocks[j]
      let blockNumber = j + 1
      for c in max(0, blockNumber - 1)...prefix[j] {
        // The reference draws the block from Binomial(min(size, items left), p); the items
        // left never run short of the block, but the form is kept.
        let available = min(size, total - c)
        let pmf =
          pmfCache[available]
          ?? (0...available).map { BinomialDistribution.pmf($0, trials: available, probability: p) }
        pmfCache[available] = pmf
        var sum = 0.0
        var x = max(0, blockNumber - c)
        while x <= available {
          sum += pmf[x] * next[c + x]
          x += 1
        }
        current[c] = sum
      }
      swap(&next, &current)
    }
    let success = next[0]
    return success == 0 ? 0 : 1 - success
  }

  private struct Bound {
    var alpha: Double
    var table: [Int]
    var failureProbability: Double
    var mass: Int
  }

  private func bound(_ alpha: Double) -> Bound {
    let table = FAIR.minimumProtected(length: length, proportion: proportion, alpha: alpha)
    return Bound(
      alpha: alpha, table: table,
      failureProbability: FAIR.failureProbability(of: table, proportion: proportion),
      mass: table.reduce(0, +))
  }

  /// fairsearchcore's `adjust_alpha`: bisection on α_c.
  private func adjusted() -> MTable {
    let alpha = significance
    var low = 0.0
    var high = alpha
    var mid = (low + high) / 2
    var lowBound = bound(low)
    var highBound = bound(high)
    var midBound = bound(mid)
    func result(_ b: Bound) -> MTable {
      MTable(
        minimumProtected: b.table, significance: alpha, adjustedSignificance: b.alpha,
        failureProbability: b.failureProbability)
    }
    while lowBound.mass < highBound.mass && midBound.failureProbability != alpha {
      if midBound.failureProbability < alpha {
        low = mid
        lowBound = midBound
      } else if midBound.failureProbability > alpha {
        high = mid
        highBound = midBound
      }
      mid = (low + high) / 2
      midBound = bound(mid)
      let lowDiff = abs(lowBound.failureProbability - alpha)
      let highDiff = abs(highBound.failureProbability - alpha)
      if highBound.mass - lowBound.mass == 1 || highBound.alpha - lowBound.alpha <= 1e-16 {
        return result(lowDiff <= highDiff ? lowBound : highBound)
      }
      if highBound.mass - midBound.mass == 1 && midBound.mass - lowBound.mass == 1 {
        let midDiff = abs(midBound.failureProbability - alpha)
        if midDiff <= highDiff && midDiff <= lowDiff { return result(midBound) }
        if lowDiff <= midDiff && lowDiff <= highDiff { return result(lowBound) }
        return result(highBound)
      }
    }
    return result(midBound)
  }
}

extension BiasKitError {
  static func fairLength(_ k: Int) -> BiasKitError {
    BiasKitError(.invalidArgument, "FA*IR needs a ranking length k ≥ 1; got \(k)")
  }

  static func fairProportion(_ p: Double) -> BiasKitError {
    BiasKitError(
      .invalidArgument, "FA*IR's protected proportion p must lie in (0, 1); got \(p)")
  }

  static func fairSignificance(_ alpha: Double) -> BiasKitError {
    BiasKitError(
      .invalidArgument, "FA*IR's significance alpha must lie in (0, 0.5]; got \(alpha)")
  }
}
