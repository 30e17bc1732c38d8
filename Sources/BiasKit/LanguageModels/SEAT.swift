import Foundation

/// Sentence (or contextual) embeddings: the rows of a `.npy` matrix, one per line of a text
/// file of sentences, in the same order.
///
/// - Complexity: O(file sizes) to read; lookups O(1).
public struct SentenceEmbeddings: Sendable {
  public let sentences: [String]
  /// sentences × dimension.
  public let vectors: Matrix
  private let index: [String: Int]

  /// Embeddings of `sentences` (row i is sentence i; a repeated sentence keeps its first row).
  /// - Throws: ``BiasKitError`` when the counts differ or the matrix is empty.
  public init(sentences: [String], vectors: Matrix, source: String = "the embeddings") throws {
    guard vectors.rows == sentences.count else {
      throw BiasKitError.embeddingRowsDoNotMatch(
        source, rows: vectors.rows, sentences: sentences.count)
    }
    guard vectors.columns >= 1 else {
      throw BiasKitError(.invalidValue, "\(source): the embeddings have no columns")
    }
    guard vectors.values.allSatisfy({ $0.isFinite }) else {
      throw BiasKitError(.invalidValue, "\(source): an embedding value is not a finite number")
    }
    self.sentences = sentences
    self.vectors = vectors
    var index: [String: Int] = [:]
    for (i, s) in sentences.enumerated() where index[s] == nil { index[s] = i }
    self.index = index
  }

  /// Reads a 2-D `.npy` (float32 or float64) and a UTF-8 file with one sentence per line (a
  /// final newline is optional; `\r\n` is accepted).
  /// - Throws: ``BiasKitError`` naming both files when their rows do not match.
  public init(npy: String, sentences path: String) throws {
    let matrix = try NumpyArray.readMatrix(path: npy)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw BiasKitError.fileNotFound(path)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw BiasKitError(.malformedInput, "\(path): the sentence file is not UTF-8 text")
    }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    if lines.last == "" { lines.removeLast() }
    try self.init(sentences: lines, vectors: matrix, source: "\(npy) and \(path)")
  }

  public func row(of sentence: String) -> Int? { index[sentence] }
}

/// SEAT, the Sentence Encoder Association Test: WEAT's statistic, effect size and permutation
/// p-value on sentence embeddings (or on contextual embeddings of words in context).
///
///     s(w, A, B) = mean_{a∈A} cos(w, a) − mean_{b∈B} cos(w, b)
///     d = (mean_{x∈X} s(x) − mean_{y∈Y} s(y)) / std_{w∈X∪Y} s(w)
///
/// X, Y, A, B are sets of sentences: either the word sets of a WEAT test placed in
/// semantically bleached templates (``SEATTemplates``, "This is a rose.", "Here is Emily."), or
/// a SEAT test file of May et al. (`sent-weat1.jsonl`: `targ1`, `targ2`, `attr1`, `attr2`, each
/// `{"category", "examples"}`), or intersectional tests such as Tan & Celis's (names of
/// African-American women against European-American men). Every sentence must have a row in
/// the embeddings.
///
/// The engine is ``WEAT``'s: ``permutations`` and the p-value conventions are those of
/// ``WEATPermutations`` (strictly greater splits; exact up to 40 sentences, else sampled).
/// ``ddof`` defaults to 1, the sample deviation of May et al.'s `sentbias/weat.py` (WEAT's
/// responsibly and WEFE use 0). sent-bias's own p-value counts ties as hits and adds one
/// observed split when it samples; use the same permutations for both to compare.
/// Cosines are computed in `Double` from the stored values (float32 files are widened).
///
/// Corresponds to WEFE 1.0's `WEAT.run_query` (`effect_size` with ddof 0) and sent-bias's
/// `weat.run_test` on the same vectors.
///
/// - Complexity: O((|X| + |Y|) · (|A| + |B|) · dimension) plus the p-value's cost.
///
/// ## References
/// - May, Wang, Bordia, Bowman, Rudinger. On measuring social biases in sentence encoders.
///   NAACL 2019.
/// - Tan, Celis. Assessing social and intersectional biases in contextualized word
///   representations. NeurIPS 2019.
public struct SEAT: Sendable {
  public var permutations: WEATPermutations
  public var ddof: Int

  public init(permutations: WEATPermutations = .automatic(seed: 42), ddof: Int = 1) {
    self.permutations = permutations
    self.ddof = ddof
  }

  /// Runs `test` (sets of sentences) on `embeddings`.
  /// - Throws: ``BiasKitError`` listing the sentences that have no embedding, or for an
  ///   empty set.
  public func run(_ test: WEATWordSets, on embeddings: SentenceEmbeddings) throws -> WEAT.Result {
    let sets = [test.firstTarget, test.secondTarget, test.firstAttribute, test.secondAttribute]
    var missing: [String] = []
    for set in sets {
      guard !set.words.isEmpty else {
        throw BiasKitError(.invalidValue, "the SEAT set '\(set.name)' has no sentences")
      }
      missing += set.words.filter { embeddings.row(of: $0) == nil }
    }
    guard missing.isEmpty else {
      let shown = missing.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
      throw BiasKitError(
        .unknownName,
        "\(missing.count) sentence\(missing.count == 1 ? " has" : "s have") no embedding (\(shown)\(missing.count > 3 ? ", …" : "")); embed every sentence of the test (biaskit llm seat --print-sentences)"
      )
    }
    let d = embeddings.vectors.columns
    func unit(_ sentence: String) -> [Double] {
      let r = embeddings.row(of: sentence)!
      return VectorMath.normalized(Array(embeddings.vectors.values[(r * d)..<((r + 1) * d)]))
    }
    let a = test.firstAttribute.words.map(unit)
    let b = test.secondAttribute.words.map(unit)
    let sx = test.firstTarget.words.map { WEAT.association(unit($0), a, b) }
    let sy = test.secondTarget.words.map { WEAT.association(unit($0), a, b) }
    let filtered = sets.map {
      FilteredWordSet(name: $0.name, used: $0.words, notInVocabulary: [], droppedToEqualSize: [])
    }
    return try WEAT(permutations: permutations, ddof: ddof, filtering: .strict).result(
      sets: filtered, sx: sx, sy: sy)
  }

  /// Reads a SEAT test file of May et al. (`{"targ1": {"category": …, "examples": […]}, …}`).
  public static func loadTest(contentsOf path: String) throws -> WEATWordSets {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw BiasKitError.fileNotFound(path)
    }
    let json: Any
    do { json = try JSONSerialization.jsonObject(with: data) } catch {
      throw BiasKitError(.malformedInput, "\(path): not a SEAT test (invalid JSON)")
    }
    guard let object = json as? [String: Any] else {
      throw BiasKitError(
        .malformedInput, "\(path): a SEAT test is a JSON object with targ1, targ2, attr1, attr2")
    }
    func set(_ key: String) throws -> WordSet {
      guard let entry = object[key] as? [String: Any], let examples = entry["examples"] as? [String]
      else {
        throw BiasKitError(
          .malformedInput, "\(path): '\(key)' needs {\"category\": …, \"examples\": [sentences]}")
      }
      return WordSet(name: entry["category"] as? String ?? key, words: examples)
    }
    return WEATWordSets(
      firstTarget: try set("targ1"), secondTarget: try set("targ2"),
      firstAttribute: try set("attr1"), secondAttribute: try set("attr2"))
  }
}

/// Semantically bleached sentence templates that turn a WEAT test's words into SEAT sentences.
///
/// ``may2019``: a word starting with an upper-case letter is a name and gets May et al.'s 8
/// name templates ("This is Katie.", "Katie is a person.", "The person's name is Katie.");
/// other words get their 6 singular-noun templates ("This is an aster.", "The aster is
/// there."). May et al. also use plural and part-of-speech-specific templates chosen by word
/// lists; to reproduce their test files exactly, load them with ``SEAT/loadTest(contentsOf:)``.
/// ``custom(_:)`` takes templates with `{term}` and optionally `{article}` (a/an). Every
/// sentence starts with a capital letter.
///
/// - Complexity: O(words × templates).
public enum SEATTemplates: Sendable, Equatable {
  case may2019
  case custom([String])

  static let names = [
    "This is {term}.", "That is {term}.", "There is {term}.", "Here is {term}.",
    "{term} is here.", "{term} is there.", "{term} is a person.", "The person's name is {term}.",
  ]
  static let nouns = [
    "This is {article} {term}.", "That is {article} {term}.", "There is {article} {term}.",
    "Here is {article} {term}.", "The {term} is here.", "The {term} is there.",
  ]

  /// The sentences of `word`.
  public func sentences(for word: String) -> [String] {
    let templates: [String]
    switch self {
    case .may2019:
      templates = (word.first?.isUppercase ?? false) ? Self.names : Self.nouns
    case .custom(let t):
      templates = t
    }
    let article = word.first.map { "aeiouAEIOU".contains($0) } == true ? "an" : "a"
    return templates.map { t in
      let s = t.replacingOccurrences(of: "{article}", with: article)
        .replacingOccurrences(of: "{term}", with: word)
      return s.prefix(1).uppercased() + s.dropFirst()
    }
  }

  /// `test` with each word replaced by its sentences.
  public func expand(_ test: WEATWordSets) -> WEATWordSets {
    func expand(_ set: WordSet) -> WordSet {
      WordSet(name: set.name, words: set.words.flatMap { sentences(for: $0) })
    }
    return WEATWordSets(
      firstTarget: expand(test.firstTarget), secondTarget: expand(test.secondTarget),
      firstAttribute: expand(test.firstAttribute), secondAttribute: expand(test.secondAttribute))
  }
}

extension BiasKitError {
  static func embeddingRowsDoNotMatch(_ source: String, rows: Int, sentences: Int) -> Self {
    BiasKitError(
      .invalidValue,
      "\(source): the embeddings have \(rows) row\(rows == 1 ? "" : "s") but there \(sentences == 1 ? "is" : "are") \(sentences) sentence\(sentences == 1 ? "" : "s"); row i must embed sentence i"
    )
  }
}
