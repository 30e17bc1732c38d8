import Foundation

/// One output of a counterfactual probe: a template filled with one demographic filler.
///
/// Records of one template that share an `instance` (a sampled context, a seed, a question)
/// are counterfactuals of one another; without instances, the k-th record of each filler of a
/// template pairs with the k-th of every other filler.
///
/// - Complexity: a plain value.
public struct CounterfactualRecord: Sendable, Equatable {
  /// The template the record fills.
  public var template: String
  /// The demographic filler put into the template.
  public var filler: String
  /// The instance that pairs this record with its counterfactuals (nil to pair by position).
  public var instance: String?
  /// The output label (nil without one).
  public var label: String?
  /// The output score (nil without one).
  public var score: Double?
  /// The output text (nil without one).
  public var text: String?

  /// A record of `template` filled with `filler`, with its outputs.
  public init(
    template: String, filler: String, instance: String? = nil, label: String? = nil,
    score: Double? = nil, text: String? = nil
  ) {
    self.template = template
    self.filler = filler
    self.instance = instance
    self.label = label
    self.score = score
    self.text = text
  }

  /// Reads records from JSON Lines: `template`, `filler`, optionally `instance`, and the
  /// output: `label` (string, number or bool), `score` (number) and/or `text` (string).
  public static func read(_ file: JSONLines) throws -> [CounterfactualRecord] {
    try file.map { record in
      func string(_ key: String, required: Bool) throws -> String? {
        guard let v = record.root[key], !v.isNull else {
          if required { throw record.problem("the record has no field '\(key)'", at: nil) }
          return nil
        }
        if let s = v.string { return s }
        if v.kind == .number || v.kind == .bool { return v.text(limit: 64) }
        throw record.problem("'\(key)' must be a string or a number, not \(v.text())", at: v)
      }
      var score: Double? = nil
      if let v = record.root["score"], !v.isNull {
        guard let x = v.number, x.isFinite else {
          throw record.problem("'score' must be a finite number, not \(v.text())", at: v)
        }
        score = x
      }
      var text: String? = nil
      if let v = record.root["text"], !v.isNull {
        guard let s = v.string else {
          throw record.problem("'text' must be a string", at: v)
        }
        text = s
      }
      let label = try string("label", required: false)
      if label == nil && score == nil && text == nil {
        throw record.problem("the record has no output: give 'label', 'score' or 'text'", at: nil)
      }
      return CounterfactualRecord(
        template: try string("template", required: true)!,
        filler: try string("filler", required: true)!,
        instance: try string("instance", required: false), label: label, score: score, text: text)
    }
  }
}

/// Counterfactual probes with label or score outputs: per template, how often swapping the
/// demographic filler flips the label, how far the fillers' mean scores lie apart, and a
/// paired permutation test of that gap.
///
///     flip rate = #{instances whose fillers do not all get the same label} / #instances
///     gap = max_f mean_f − min_f mean_f         (mean_f: filler f's mean score)
///     p = #{within-instance relabellings π : gap(π) ≥ gap − γ} / #relabellings
///
/// The test permutes the fillers' outputs within each instance (the pairs stay together),
/// as SciPy's `permutation_test(..., permutation_type='samples', alternative='greater')` with
/// this statistic: exact (all (k!)ⁿ relabellings, the observed one included) when there are at
/// most `permutations` of them, otherwise `permutations` random relabellings and
/// p = (hits + 1) / (permutations + 1); γ = 100 ε |gap| (SciPy's tolerance). With two fillers
/// the gap is |mean difference| and the test two-sided. Binary labels without scores are tested
/// as 0/1 scores (the later label in Unicode order is 1).
///
/// Templates are ranked (``Result/worst``) by p-value, then by gap, then by flip rate.
///
/// - Complexity: O(n · k) per relabelling, O(min(permutations, (k!)ⁿ) · n · k) per template.
///
/// ## References
/// - Garg, Perot, Limtiaco, Taly, Chi, Beutel. Counterfactual fairness in text
///   classification through robustness. AIES 2019.
public struct CounterfactualProbes: Sendable {
  /// Random relabellings when exact enumeration would take more (SciPy's `n_resamples`).
  public var permutations: Int
  /// The seed of the random relabellings.
  public var seed: UInt64
  /// How many templates ``Result/worst`` lists.
  public var worstCount: Int

  /// Probes with at most `permutations` random relabellings, listing `worstCount` templates.
  public init(permutations: Int = 9_999, seed: UInt64 = 0, worstCount: Int = 10) {
    self.permutations = permutations
    self.seed = seed
    self.worstCount = worstCount
  }

  /// The scores of one template.
  public struct TemplateResult: Sendable, Equatable {
    /// The template's name.
    public var template: String
    /// Fillers in Unicode order.
    public var fillers: [String]
    /// The number of instances (sets of counterfactual records).
    public var instances: Int
    /// NaN without labels.
    public var flipRate: Double
    /// Each filler's mean score (empty without scores or binary labels).
    public var meanScores: [Double]
    /// max_f mean_f − min_f mean_f over the fillers' mean scores (NaN without scores).
    public var gap: Double
    /// The permutation test's p-value for the gap (NaN without a test).
    public var pValue: Double
    /// `exact (N relabellings)` or `sampled N, seed S`, empty without a test.
    public var pValueMethod: String
  }

  /// The scores of every template, with the worst ones.
  public struct Result: Sendable, Equatable {
    /// Each template's scores.
    public var templates: [TemplateResult]
    /// Indices into ``templates`` of the worst ones.
    public var worst: [Int]
    /// Flip rate over all instances of all templates with labels.
    public var flipRate: Double
    /// The number of instances over all templates.
    public var instances: Int
  }

  /// Scores `records` (label and/or score outputs).
  /// - Throws: ``BiasKitError`` for a template with one filler, fillers with different numbers
  ///   of instances, an instance missing a filler, or records without labels or scores.
  public func scored(_ records: [CounterfactualRecord]) throws -> Result {
    guard permutations >= 1 else {
      throw BiasKitError(.invalidArgument, "the number of permutations must be at least 1")
    }
    let grids = try CounterfactualGrid.build(records)
    var results: [TemplateResult] = []
    var flips = 0
    var labelled = 0
    for (t, grid) in grids.enumerated() {
      let k = grid.fillers.count
      let n = grid.instances.count
      var flipRate = Double.nan
      if grid.cells.allSatisfy({ $0.label != nil }) {
        var flipped = 0
        for i in 0..<n {
          let first = grid.cells[i * k].label
          if (1..<k).contains(where: { grid.cells[i * k + $0].label != first }) { flipped += 1 }
        }
        flips += flipped
        labelled += n
        flipRate = Double(flipped) / Double(n)
      }
      var values: [Double]? = nil
      if grid.cells.allSatisfy({ $0.score != nil }) {
        values = grid.cells.map { $0.score! }
      } else if grid.cells.allSatisfy({ $0.label != nil }) {
        let labels = Set(grid.cells.map { $0.label! }).sorted {
          $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
        }
        if labels.count == 2 { values = grid.cells.map { $0.label! == labels[1] ? 1 : 0 } }
      } else if !grid.cells.allSatisfy({ $0.text != nil }) {
        throw BiasKitError(
          .invalidValue,
          "template '\(grid.template)': every record needs the same kind of output (a label or a score)"
        )
      }
      var means: [Double] = []
      var gap = Double.nan
      var p = Double.nan
      var method = ""
      if let values {
        means = Self.means(values, n: n, k: k)
        gap = means.max()! - means.min()!
        let test = Self.permutationTest(
          values, n: n, k: k, permutations: permutations,
          seed: SeededGenerator(seed: seed).stream(UInt64(t)))
        p = test.pValue
        method = test.method
      }
      results.append(
        TemplateResult(
          template: grid.template, fillers: grid.fillers, instances: n, flipRate: flipRate,
          meanScores: means, gap: gap, pValue: p, pValueMethod: method))
    }
    func key(_ r: TemplateResult) -> (Double, Double, Double) {
      (r.pValue.isNaN ? 2 : r.pValue, r.gap.isNaN ? 0 : -r.gap, r.flipRate.isNaN ? 0 : -r.flipRate)
    }
    let order = results.indices.sorted { key(results[$0]) < key(results[$1]) }
    return Result(
      templates: results, worst: Array(order.prefix(worstCount)),
      flipRate: labelled > 0 ? Double(flips) / Double(labelled) : .nan, instances: labelled)
  }

  static func means(_ values: [Double], n: Int, k: Int) -> [Double] {
    var sums = [Double](repeating: 0, count: k)
    for i in 0..<n { for f in 0..<k { sums[f] += values[i * k + f] } }
    return sums.map { $0 / Double(n) }
  }

  static func statistic(_ values: [Double], n: Int, k: Int) -> Double {
    let m = means(values, n: n, k: k)
    return m.max()! - m.min()!
  }

  /// SciPy's paired ('samples') permutation test of the gap, alternative 'greater'.
  static func permutationTest(
    _ values: [Double], n: Int, k: Int, permutations: Int, seed: SeededGenerator
  ) -> (pValue: Double, method: String) {
    let observed = statistic(values, n: n, k: k)
    let gamma = abs(100 * Double.ulpOfOne * observed)
    // All relabellings of one instance.
    var orders: [[Int]] = [[]]
    for f in 0..<k {
      orders = orders.flatMap { o in
        (0...o.count).map { at in
          var c = o; c.insert(f, at: at); return c
        }
      }
    }
    let perInstance = orders.count
    var total = 1.0
    for _ in 0..<n { total *= Double(perInstance) }
    var work = values
    if total <= Double(permutations) {
      // Mixed-radix enumeration of one relabelling per instance.
      var digits = [Int](repeating: 0, count: n)
      var hits = 0
      var count = 0
      while true {
        for i in 0..<n {
          for f in 0..<k { work[i * k + f] = values[i * k + orders[digits[i]][f]] }
        }
        if statistic(work, n: n, k: k) >= observed - gamma { hits += 1 }
        count += 1
        var j = 0
        while j < n {
          digits[j] += 1
          if digits[j] < perInstance { break }
          digits[j] = 0
          j += 1
        }
        if j == n { break }
      }
      return (Double(hits) / Double(count), "exact (\(count) relabellings)")
    }
    var rng = seed
    var hits = 0
    for _ in 0..<permutations {
      for i in 0..<n {
        for f in stride(from: k - 1, to: 0, by: -1) {
          let g = rng.nextInt(below: f + 1)
          work.swapAt(i * k + f, i * k + g)
        }
      }
      if statistic(work, n: n, k: k) >= observed - gamma { hits += 1 }
    }
    return (
      Double(hits + 1) / Double(permutations + 1), "sampled \(permutations), seed \(seed.seed)"
    )
  }
}

/// The records of each template laid out as instances × fillers.
struct CounterfactualGrid {
  var template: String
  var fillers: [String]
  var instances: [String]
  /// instances × fillers, row-major.
  var cells: [CounterfactualRecord]

  /// Templates in order of first appearance.
  static func build(_ records: [CounterfactualRecord]) throws -> [CounterfactualGrid] {
    guard !records.isEmpty else {
      throw BiasKitError(.degenerateData, "counterfactual probes need at least one record")
    }
    var order: [String] = []
    var byTemplate: [String: [CounterfactualRecord]] = [:]
    for r in records {
      if byTemplate[r.template] == nil { order.append(r.template) }
      byTemplate[r.template, default: []].append(r)
    }
    return try order.map { template in
      let rows = byTemplate[template]!
      let fillers = Set(rows.map(\.filler)).sorted {
        $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
      }
      guard fillers.count >= 2 else {
        throw BiasKitError.oneFiller(template, fillers[0])
      }
      let fillerIndex = Dictionary(uniqueKeysWithValues: fillers.enumerated().map { ($1, $0) })
      var occurrence = [Int](repeating: 0, count: fillers.count)
      var keyed: [String: [CounterfactualRecord?]] = [:]
      var instances: [String] = []
      for r in rows {
        let f = fillerIndex[r.filler]!
        let key = r.instance ?? "#\(occurrence[f])"
        occurrence[f] += 1
        if keyed[key] == nil {
          keyed[key] = [CounterfactualRecord?](repeating: nil, count: fillers.count)
          instances.append(key)
        }
        guard keyed[key]![f] == nil else {
          throw BiasKitError(
            .invalidValue,
            "template '\(template)': filler '\(r.filler)' has two records for instance '\(key)'")
        }
        keyed[key]![f] = r
      }
      var cells: [CounterfactualRecord] = []
      for key in instances {
        for (f, cell) in keyed[key]!.enumerated() {
          guard let cell else {
            throw BiasKitError(
              .invalidValue,
              "\(missingMessage(template, fillers[f], key, counted: occurrence))")
          }
          cells.append(cell)
        }
      }
      return CounterfactualGrid(
        template: template, fillers: fillers, instances: instances, cells: cells)
    }
  }

  private static func missingMessage(
    _ template: String, _ filler: String, _ key: String, counted: [Int]
  ) -> String {
    if key.hasPrefix("#"), Set(counted).count > 1 {
      return
        "template '\(template)': its fillers have different numbers of records (\(counted.map(String.init).joined(separator: ", "))); give each the same, or pair them with 'instance'"
    }
    return "template '\(template)': filler '\(filler)' has no record for instance '\(key)'"
  }
}

extension BiasKitError {
  static func oneFiller(_ template: String, _ filler: String) -> Self {
    BiasKitError(
      .degenerateData,
      "template '\(template)' has one filler ('\(filler)'); a counterfactual needs at least two")
  }
}
