import Foundation

/// A list of terms to count in generated text (agentic words, communal words, refusal
/// phrases…), read from a plain text file.
///
/// Format: one term per line, UTF-8; blank lines and lines starting with `#` are ignored; a
/// term of several words matches that sequence of words; a term ending in `*` matches every
/// word starting with the rest (`lead*`: lead, leader, leadership). Matching ignores case.
/// BiasKit ships no lexicon: bring the lists of the study you follow.
///
/// - Complexity: O(terms) to build.
public struct Lexicon: Sendable, Equatable {
  /// The lexicon's name.
  public var name: String
  /// Lower-cased terms, each a list of words (the last may end in `*`).
  public var terms: [[String]]

  public init(name: String, terms: [String]) throws {
    self.name = name
    self.terms = terms.compactMap { term in
      let words = LexiconRates.words(term)
      return words.isEmpty
        ? nil
        : words.enumerated().map { i, w in
          i == words.count - 1 && term.trimmingCharacters(in: .whitespaces).hasSuffix("*")
            ? w + "*" : w
        }
    }
    guard !self.terms.isEmpty else {
      throw BiasKitError(.invalidValue, "the lexicon '\(name)' has no terms")
    }
  }

  /// Reads a lexicon file; its name is the file name without extension.
  public init(contentsOf path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw BiasKitError.fileNotFound(path)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw BiasKitError(.malformedInput, "\(path): the lexicon is not UTF-8 text")
    }
    let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
      .map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    do {
      try self.init(name: name, terms: lines)
    } catch let error as BiasKitError {
      throw BiasKitError(error.code, "\(path): \(error.message)")
    }
  }

  /// Matches of the terms in `words` (every term occurrence counts, overlaps included).
  func matches(in words: [String]) -> Int {
    var count = 0
    for start in words.indices {
      for term in terms where start + term.count <= words.count {
        var ok = true
        for (j, t) in term.enumerated() {
          let w = words[start + j]
          if t.hasSuffix("*") {
            if !w.hasPrefix(t.dropLast()) { ok = false; break }
          } else if w != t {
            ok = false
            break
          }
        }
        if ok { count += 1 }
      }
    }
    return count
  }
}

/// Lexicon rates in counterfactual generations: per filler group, the matches of each lexicon
/// per 1,000 words, with differences from a reference filler and bootstrap intervals.
///
///     rate_f = 1000 · Σ_{texts of f} matches / Σ_{texts of f} words
///     difference_f = rate_f − rate_reference
///
/// Words are the runs of letters and digits (with apostrophes and hyphens between them),
/// lower-cased. The bootstrap resamples instances (a template's counterfactual texts move
/// together, as in ``CounterfactualProbes``), sample r from `SeededGenerator(seed:).stream(r)`.
/// Also reported: the share of texts with at least one match (for a refusal lexicon, the
/// refusal rate). This is the analysis of Wan et al.'s reference-letter study (agentic vs
/// communal words by gender).
///
/// - Complexity: O(total words × terms) to count, O(samples × instances × lexicons) for
///   the bootstrap.
///
/// ## References
/// - Wan, Pu, Sun, Garimella, Chang, Peng. "Kelly is a warm person, Joseph is a role model":
///   Gender biases in LLM-generated reference letters. Findings of EMNLP 2023.
public struct LexiconRates: Sendable {
  public var lexicons: [Lexicon]
  /// The filler the others are compared with (default: the first in Unicode order).
  public var reference: String?
  public var bootstrap: BootstrapOptions

  public init(lexicons: [Lexicon], reference: String? = nil, bootstrap: BootstrapOptions = .none) {
    self.lexicons = lexicons
    self.reference = reference
    self.bootstrap = bootstrap
  }

  public struct GroupRate: Sendable, Equatable {
    public var filler: String
    public var texts: Int
    public var words: Int
    public var matches: Int
    /// Per 1,000 words.
    public var rate: BootstrappedValue
    /// rate − the reference's rate (0 for the reference).
    public var difference: BootstrappedValue
    /// Share of texts with at least one match.
    public var textsWithMatch: Double
  }

  public struct LexiconResult: Sendable, Equatable {
    public var lexicon: String
    public var groups: [GroupRate]
  }

  public struct Result: Sendable, Equatable {
    public var reference: String
    public var quantileLevels: [Double]
    public var lexicons: [LexiconResult]
  }

  /// Lower-cased words of `text`.
  static func words(_ text: String) -> [String] {
    var words: [String] = []
    var current = String.UnicodeScalarView()
    let scalars = Array(text.lowercased().unicodeScalars)
    func isWord(_ s: Unicode.Scalar) -> Bool {
      s.properties.isAlphabetic || s.properties.numericType != nil
    }
    for (i, s) in scalars.enumerated() {
      if isWord(s) {
        current.append(s)
      } else if s == "'" || s == "\u{2019}" || s == "-", !current.isEmpty, i + 1 < scalars.count,
        isWord(scalars[i + 1])
      {
        current.append(s)
      } else if !current.isEmpty {
        words.append(String(current))
        current = String.UnicodeScalarView()
      }
    }
    if !current.isEmpty { words.append(String(current)) }
    return words
  }

  public func scored(_ records: [CounterfactualRecord]) throws -> Result {
    try bootstrap.validate()
    guard !lexicons.isEmpty else {
      throw BiasKitError(.invalidArgument, "give at least one lexicon (--lexicon FILE,…)")
    }
    let grids = try CounterfactualGrid.build(records)
    for g in grids where !g.cells.allSatisfy({ $0.text != nil }) {
      throw BiasKitError(.invalidValue, "template '\(g.template)': every record needs a 'text'")
    }
    let fillers = Set(grids.flatMap(\.fillers)).sorted {
      $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
    }
    let reference = self.reference ?? fillers[0]
    guard let ref = fillers.firstIndex(of: reference) else {
      throw BiasKitError(
        .unknownName,
        "the reference filler '\(reference)' does not occur; the fillers are \(fillers.map { "'\($0)'" }.joined(separator: ", "))"
      )
    }
    let fillerIndex = Dictionary(uniqueKeysWithValues: fillers.enumerated().map { ($1, $0) })
    let L = lexicons.count
    let F = fillers.count
    // Per unit (template instance): per filler words, texts, and per lexicon matches / hits.
    var units: [[Int]] = []  // layout: F × (2 + 2L)
    let stride = 2 + 2 * L
    for grid in grids {
      for i in grid.instances.indices {
        var unit = [Int](repeating: 0, count: F * stride)
        for (f, filler) in grid.fillers.enumerated() {
          let words = Self.words(grid.cells[i * grid.fillers.count + f].text!)
          let g = fillerIndex[filler]! * stride
          unit[g] += words.count
          unit[g + 1] += 1
          for (l, lexicon) in lexicons.enumerated() {
            let m = lexicon.matches(in: words)
            unit[g + 2 + 2 * l] += m
            if m > 0 { unit[g + 3 + 2 * l] += 1 }
          }
        }
        units.append(unit)
      }
    }
    func totals(_ weights: [Int]) -> [Int] {
      var t = [Int](repeating: 0, count: F * stride)
      for (u, w) in weights.enumerated() where w > 0 {
        for j in 0..<t.count { t[j] += w * units[u][j] }
      }
      return t
    }
    func values(_ weights: [Int]) -> [Double] {
      let t = totals(weights)
      var out: [Double] = []
      for l in 0..<L {
        let rates = (0..<F).map { f -> Double in
          let words = t[f * stride]
          return words > 0 ? 1000 * Double(t[f * stride + 2 + 2 * l]) / Double(words) : .nan
        }
        out += rates
        out += rates.map { $0 - rates[ref] }
      }
      return out
    }
    let ones = [Int](repeating: 1, count: units.count)
    let point = values(ones)
    let intervals = bootstrap.quantiles(ofCounts: ones, width: point.count, values)
    let t = totals(ones)
    return Result(
      reference: reference, quantileLevels: bootstrap.samples > 0 ? bootstrap.quantiles : [],
      lexicons: lexicons.enumerated().map { l, lexicon in
        LexiconResult(
          lexicon: lexicon.name,
          groups: (0..<F).map { f in
            let base = 2 * F * l
            let texts = t[f * stride + 1]
            return GroupRate(
              filler: fillers[f], texts: texts, words: t[f * stride],
              matches: t[f * stride + 2 + 2 * l],
              rate: BootstrappedValue(point[base + f], quantiles: intervals[base + f]),
              difference: BootstrappedValue(
                point[base + F + f], quantiles: intervals[base + F + f]),
              textsWithMatch: texts > 0 ? Double(t[f * stride + 3 + 2 * l]) / Double(texts) : .nan)
          })
      })
  }
}
