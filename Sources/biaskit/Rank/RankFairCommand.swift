import ArgumentParser
import BiasKit
import Foundation

/// Which FA*IR.
enum FairMethodChoice: String, CaseIterable, ExpressibleByArgument {
  /// One protected group against the other (fairsearchcore 1.0.4, adjusted α_c).
  case binomial
  /// Several protected groups, one --p each (Zehlike et al. 2022, unadjusted).
  case multinomial
}

/// `biaskit rank fair`: FA*IR re-ranking of the top k of every list.
struct RankFairCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fair",
    abstract: "FA*IR re-ranking: every prefix of the top k passes the ranked group fairness test.",
    discussion: """
      The binomial method equals fairsearchcore 1.0.4 (m-table with the adjusted significance \
      alpha_c). The re-ranked top k of each list is written with --output (CSV), or to standard \
      output with --format csv; the summary gives the m-table, the lists passing before and \
      after, and NDCG@k before and after (the utility lost).
      """)

  @OptionGroup var input: RankInputOptions

  @Option(help: "Minimum protected proportion p in (0, 1); one per --protected with multinomial.")
  var p: [Double] = []

  @Option(help: "Significance alpha of each prefix's test, in (0, 0.5].")
  var alpha: Double = 0.1

  @Option(help: "Length k of the re-ranked lists.")
  var k: Int = 10

  @Option(
    help: "The protected group (default: the group with the fewest rows); repeat for multinomial.")
  var protected: [String] = []

  @Option(help: "binomial (two groups) or multinomial (several protected groups).")
  var method: FairMethodChoice = .binomial

  @Option(help: "Write the re-ranked lists to this CSV file (atomically).")
  var output: String?

  @Option(help: "The summary as table or json; csv writes the re-ranked lists to standard output.")
  var format: RankFormat = .table

  func run() throws {
    guard !p.isEmpty else {
      throw BiasKitError(.invalidArgument, "give --p, the minimum protected proportion")
    }
    for value in p { try RankOutput.check(p: value) }
    try RankOutput.check(alpha: alpha)
    guard k >= 1 else { throw BiasKitError(.invalidArgument, "--k must be at least 1; got \(k)") }
    if method == .binomial {
      guard p.count == 1, protected.count <= 1 else {
        throw BiasKitError(
          .invalidArgument,
          "binomial FA*IR takes one --p and one --protected group; use --method multinomial for several"
        )
      }
    } else if protected.count != p.count {
      throw BiasKitError(
        .invalidArgument,
        "multinomial FA*IR takes one --p per --protected group (\(protected.count) groups, \(p.count) proportions)"
      )
    }
    let table = try input.load()
    let lists = table.lists
    let result = try RankFairResult(
      lists: lists, method: method, proportions: p, alpha: alpha, k: k,
      protected: protected.isEmpty ? [nil] : protected.map(Optional.some))
    let reranked = result.csv(lists)
    if let output { try reranked.write(to: output) }
    switch format {
    case .csv: try RankOutput.write(reranked.text, to: nil)
    case .json:
      var out = RankOutput.summary(table)
      out += result.json(lists)
      try RankOutput.write(JSONValue.object(out).serialized() + "\n", to: nil)
    case .table: try RankOutput.write(RankOutput.header(table) + result.table(lists), to: nil)
    }
  }
}

/// The library's re-ranking (binomial or multinomial), with what the outputs need.
struct RankFairResult {
  var method: FairMethodChoice
  var protectedGroups: [Int]
  var proportions: [Double]
  var alpha: Double
  var length: Int
  var positions: [Int32]
  var passesBefore: [Bool]
  var passesAfter: [Bool]
  var binomial: FAIRReranking?
  var multinomialTable: [[Int]]?
  /// Mean NDCG@k before and after, when gains are known.
  var ndcg: (before: Double, after: Double)?

  init(
    lists: RankedLists, method: FairMethodChoice, proportions: [Double], alpha: Double, k: Int,
    protected: [String?]
  ) throws {
    self.method = method
    self.proportions = proportions
    self.alpha = alpha
    length = k
    protectedGroups = try protected.map { try RankOutput.protectedGroup($0, in: lists) }
    switch method {
    case .binomial:
      let result = try FAIR(length: k, proportion: proportions[0], significance: alpha)
        .reranked(lists, protectedGroup: protectedGroups[0])
      binomial = result
      positions = result.positions
      passesBefore = result.passesBefore
      passesAfter = result.passesAfter
      if let before = result.meanNDCGBefore, let after = result.meanNDCGAfter {
        ndcg = (before, after)
      }
    case .multinomial:
      let result = try MultinomialFAIR(length: k, proportions: proportions, significance: alpha)
        .reranked(lists, protectedGroups: protectedGroups)
      multinomialTable = result.minimumProtected
      positions = result.positions
      passesBefore = result.passesBefore
      passesAfter = result.passesAfter
      if let values = lists.topKNDCG(reranked: result.positions, length: k) {
        let count = Double(max(1, values.before.count))
        ndcg = (values.before.reduce(0, +) / count, values.after.reduce(0, +) / count)
      }
    }
  }

  /// The re-ranked top k of every list: query, (sample,) new rank, item, group, original rank,
  /// (score, relevance,) and the input's data row (1-based).
  func csv(_ lists: RankedLists) -> CSVWriter {
    var header = ["query"]
    if lists.sampleNames != nil { header.append("sample") }
    header += ["rank", "item", "group", "original_rank"]
    if lists.scores != nil { header.append("score") }
    if lists.relevance != nil { header.append("relevance") }
    header.append("row")
    var csv = CSVWriter(header: header)
    let listQuery = lists.listQuery
    for l in 0..<lists.listCount {
      let start = lists.listStart[l]
      for i in 0..<length {
        let position = Int(positions[l * length + i])
        var fields = [lists.queryNames[Int(listQuery[l])]]
        if let names = lists.sampleNames, let samples = lists.listSample {
          fields.append(names[Int(samples[l])])
        }
        let item = lists.items.map { lists.itemNames![Int($0[position])] } ?? ""
        fields += [
          String(i + 1), item, lists.groupNames[Int(lists.groups[position])],
          String(position - start + 1),
        ]
        if let scores = lists.scores { fields.append("\(scores[position])") }
        if let relevance = lists.relevance { fields.append("\(relevance[position])") }
        fields.append(String(Int(lists.rows[position]) + 1))
        csv.append(fields)
      }
    }
    return csv
  }

  var minimumProtected: [[Int]] {
    if let binomial { return binomial.table.minimumProtected.map { [$0] } }
    return multinomialTable ?? []
  }

  func json(_ lists: RankedLists) -> [(String, JSONValue)] {
    var out: [(String, JSONValue)] = [
      ("method", .string(method.rawValue)), ("k", .integer(length)),
      ("protected_groups", .array(protectedGroups.map { .string(lists.groupNames[$0]) })),
      ("p", .array(proportions.map { .number($0) })), ("alpha", .number(alpha)),
    ]
    if let binomial {
      out.append(("alpha_adjusted", .number(binomial.table.adjustedSignificance)))
      out.append(("failure_probability", .number(binomial.table.failureProbability)))
      out.append(("mtable", .array(binomial.table.minimumProtected.map { .integer($0) })))
    } else {
      out.append(
        ("mtable", .array(minimumProtected.map { .array($0.map { JSONValue.integer($0) }) })))
    }
    out += [
      ("lists_passing_before", .integer(passesBefore.filter { $0 }.count)),
      ("lists_passing_after", .integer(passesAfter.filter { $0 }.count)),
    ]
    if let (before, after) = ndcg {
      out += [
        ("ndcg_before", .number(before)), ("ndcg_after", .number(after)),
        ("utility_lost", .number(before - after)),
      ]
    }
    return out
  }

  func table(_ lists: RankedLists) -> String {
    let n = RankOutput.number
    let names = protectedGroups.map { lists.groupNames[$0] }.joined(separator: ", ")
    var out =
      "FA*IR (\(method.rawValue)): k \(length), protected \(names), p \(proportions.map { n($0) }.joined(separator: ", ")), alpha \(n(alpha))"
    if let binomial { out += ", alpha_c \(n(binomial.table.adjustedSignificance))" }
    out += "\n"
    let m = minimumProtected
    out +=
      "m-table: \(m.map { $0.count == 1 ? String($0[0]) : "(" + $0.map(String.init).joined(separator: ",") + ")" }.joined(separator: " "))\n"
    out +=
      "lists passing every prefix: \(passesBefore.filter { $0 }.count) of \(passesBefore.count) before, \(passesAfter.filter { $0 }.count) after\n"
    if let (before, after) = ndcg {
      out +=
        "NDCG@\(length): \(n(before)) before, \(n(after)) after (utility lost \(n(before - after)))\n"
    }
    return out
  }
}
