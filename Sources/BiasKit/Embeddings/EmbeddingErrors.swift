/// The errors of the word-embedding measures, worded in one place.
extension BiasKitError {
  static func malformedEmbedding(_ path: String, line: Int?, _ detail: String) -> BiasKitError {
    let place = line.map { "\(path):\($0)" } ?? path
    return BiasKitError(.malformedInput, "\(place): malformed embedding file: \(detail)")
  }

  static func malformedEmbedding(_ path: String, byteOffset: Int, _ detail: String) -> BiasKitError
  {
    BiasKitError(
      .malformedInput, "\(path): malformed embedding file at byte offset \(byteOffset): \(detail)")
  }

  static func truncatedEmbedding(_ path: String, byteOffset: Int, _ detail: String) -> BiasKitError
  {
    BiasKitError(
      .malformedInput, "\(path): truncated embedding file at byte offset \(byteOffset): \(detail)")
  }

  static func truncatedEmbedding(_ path: String, line: Int, _ detail: String) -> BiasKitError {
    BiasKitError(.malformedInput, "\(path):\(line): truncated embedding file: \(detail)")
  }

  static func embeddingRowLength(
    _ path: String, line: Int, expected: Int, found: Int
  )
    -> BiasKitError
  {
    BiasKitError(
      .malformedInput,
      "\(path):\(line): dimension mismatch: expected \(expected) values after the word, found \(found)"
    )
  }

  static func embeddingDimension(_ dimension: Int, path: String? = nil) -> BiasKitError {
    BiasKitError(
      .malformedInput,
      "\(path.map { "\($0): " } ?? "")the embedding dimension must be at least 1, got \(dimension)")
  }

  static func dimensionMismatch(expected: Int, found: Int, context: String) -> BiasKitError {
    BiasKitError(
      .invalidArgument,
      "dimension mismatch: \(context) has dimension \(found), the embedding has \(expected)")
  }

  static func wordsNotInVocabulary(_ words: [String], context: String) -> BiasKitError {
    let shown = words.prefix(20).map { "'\($0)'" }.joined(separator: ", ")
    let more = words.count > 20 ? " and \(words.count - 20) more" : ""
    let place = context.isEmpty ? "" : "\(context): "
    return BiasKitError(.unknownName, "\(place)not in the embedding's vocabulary: \(shown)\(more)")
  }

  static func tooFewWords(_ set: String, found: Int, needed: Int, missing: [String]) -> BiasKitError
  {
    let shown = missing.prefix(30).map { "'\($0)'" }.joined(separator: ", ")
    let more = missing.count > 30 ? " and \(missing.count - 30) more" : ""
    return BiasKitError(
      .degenerateData,
      "word set '\(set)' has \(found) word(s) in the vocabulary, at least \(needed) needed; missing: \(missing.isEmpty ? "none" : shown + more)"
    )
  }

  static func emptyDefiningSets(_ what: String) -> BiasKitError {
    BiasKitError(
      .degenerateData,
      "\(what): no defining sets with words in the vocabulary; at least one is needed")
  }

  static func rowsBeyondDeclaredCount(_ path: String, line: Int, declared: Int) -> BiasKitError {
    BiasKitError(
      .malformedInput,
      "\(path):\(line): malformed embedding file: the header declares \(declared) words but the file has more rows (\(.limit, "N") reads only the first N)"
    )
  }

  static func invalidWordSets(_ path: String, _ detail: String) -> BiasKitError {
    BiasKitError(.malformedInput, "\(path): \(detail)")
  }
}
