import ArgumentParser
import BiasKit
import Foundation

/// `--embeddings FILE [--input-format …] [--limit N] [--lowercase]`: the embedding to analyse.
struct EmbeddingInputOptions: ParsableArguments {
  enum InputFormat: String, ExpressibleByArgument, CaseIterable {
    case auto
    case word2vecBinary = "word2vec-binary"
    case word2vecText = "word2vec-text"
    case glove
  }

  @Option(
    name: .customLong("embeddings"),
    help: "Embedding file (word2vec binary or text, or GloVe text).")
  var path: String

  @Option(
    name: .customLong("input-format"),
    help: "File layout: auto, word2vec-binary, word2vec-text, glove.")
  var format: InputFormat = .auto

  @Option(help: "Keep only the first N (most frequent) words of the file.")
  var limit: Int?

  @Flag(help: "Lower-case every word on load (the first of colliding words wins).")
  var lowercase = false

  func load() throws -> WordEmbedding {
    if let limit, limit < 1 {
      throw BiasKitError(.invalidArgument, "--limit must be at least 1, got \(limit)")
    }
    let embeddingFormat: EmbeddingFormat? =
      switch format {
      case .auto: nil
      case .word2vecBinary: .word2vecBinary
      case .word2vecText: .word2vecText
      case .glove: .gloveText
      }
    return try WordEmbedding(
      contentsOf: path, options: .init(format: embeddingFormat, limit: limit, lowercase: lowercase))
  }
}

/// `--format table|json`: how results are printed on standard output.
struct EmbeddingReportOptions: ParsableArguments {
  enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

  @Option(help: "Output: table (default) or json.")
  var format: Format = .table

  func print(json: JSONValue, table: () -> String) {
    switch format {
    case .json: Swift.print(json.serialized())
    case .table: Swift.print(table(), terminator: "")
    }
  }
}

/// `[--word-lists FILE] [--direction pca|single|sum] [--positive-end she] [--negative-end he]`.
struct GenderDirectionOptions: ParsableArguments {
  @Option(
    name: .customLong("word-lists"),
    help:
      "Bolukbasi word lists (the form of bolukbasi.json); default: the built-in Bolukbasi et al. 2016 lists, as responsibly uses."
  )
  var wordLists: String?

  @Option(help: "How the direction is identified: pca (default), single, sum.")
  var direction: DirectionMethod = .pca

  @Option(name: .customLong("positive-end"), help: "Word at the positive end of the direction.")
  var positiveEnd = "she"

  @Option(name: .customLong("negative-end"), help: "Word at the negative end of the direction.")
  var negativeEnd = "he"

  enum DirectionMethod: String, ExpressibleByArgument, CaseIterable { case pca, single, sum }

  func lists() throws -> GenderWordLists {
    guard let wordLists else { return .bolukbasi }
    return try GenderWordLists.load(contentsOf: wordLists)
  }

  /// Which lists were used, for the output.
  var listsDescription: String { wordLists ?? GenderWordLists.bolukbasiDescription }

  func identify(in embedding: WordEmbedding, lists: GenderWordLists) throws -> BiasDirection {
    let method = BiasDirection.Method(rawValue: direction.rawValue)!
    return try BiasDirection(
      method, pairs: lists.definitionalPairs, in: embedding, positiveEnd: positiveEnd,
      negativeEnd: negativeEnd)
  }

  func json(_ g: BiasDirection) -> JSONValue {
    .object([
      ("method", .string(direction.rawValue)), ("positive_end", .string(g.positiveEnd)),
      ("negative_end", .string(g.negativeEnd)),
      ("explained_variance_ratio", .array(g.explainedVarianceRatio.map { .number($0) })),
    ])
  }
}

/// Reads a list of words: a JSON array of strings, or plain text with one word per line (LF or
/// CRLF line endings, an optional byte-order mark).
func readWordList(_ path: String) throws -> [String] {
  var bytes = try InputFile.read(path, what: "the word list")
  if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
  if bytes.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
    == UInt8(
      ascii: "[")
  {
    guard let array = try JSONSyntax.parse(bytes, path: path) as? [String] else {
      throw BiasKitError(.malformedInput, "\(path): expected a JSON array of words (strings)")
    }
    return array
  }
  return String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// Reads a JSON input file (a syntax error names its line and column).
func readJSON(_ path: String, what: String) throws -> Any {
  try JSONSyntax.parse(InputFile.read(path, what: what), path: path)
}

/// A JSON array of strings.
func jsonStrings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }

/// Left-aligned text columns.
func embeddingsTable(_ header: [String], _ rows: [[String]]) -> String {
  let widths = header.indices.map { j in
    ([header[j]] + rows.map { j < $0.count ? $0[j] : "" }).map(\.count).max()!
  }
  func line(_ cells: [String]) -> String {
    cells.enumerated().map { j, c in
      j == cells.count - 1 ? c : c.padding(toLength: widths[j], withPad: " ", startingAt: 0)
    }
    .joined(separator: "  ") + "\n"
  }
  return line(header) + rows.map(line).joined()
}

/// A number for a table cell.
func embeddingsCell(_ x: Double, digits: Int = 6) -> String {
  x.isFinite ? String(format: "%.\(digits)g", x) : "n/a"
}
