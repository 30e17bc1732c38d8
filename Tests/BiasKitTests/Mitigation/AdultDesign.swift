import Foundation
import Testing

@testable import BiasKit

/// The shared Adult design fixtures (`../shared/fixtures/adult_{train,test}_design.csv`):
/// 108 feature columns, label `y`, and the raw `sex_raw`, `race_raw` columns.
///
/// Loaded with the library's ``CSVReader``.
struct AdultDesign: @unchecked Sendable {
  var features: Matrix
  var labels: [Double]
  var sex: [String]
  var race: [String]

  static let train: AdultDesign = load("fixtures/adult_train_design.csv")
  static let test: AdultDesign = load("fixtures/adult_test_design.csv")
  static let reference: [String: Any] = {
    (try? TestData.json(TestData.shared("reference/adult_mitigation.json"))) as? [String: Any]
      ?? [:]
  }()

  static func load(_ relative: String) -> AdultDesign {
    let reader = try! CSVReader(path: TestData.shared(relative).path)
    let names = reader.header.filter { $0 != "y" && $0 != "sex_raw" && $0 != "race_raw" }
    let matrix = try! reader.readMatrix(columns: names)
    let table = try! reader.read([.number("y"), .category("sex_raw"), .category("race_raw")])
    let sex = table.columns[1].categories!
    let race = table.columns[2].categories!
    return AdultDesign(
      features: matrix, labels: table.columns[0].numbers!,
      sex: sex.codes.map { sex.levels[Int($0)] }, race: race.codes.map { race.levels[Int($0)] })
  }

  /// Group codes 0..<k in sorted order of the names.
  static func codes(_ names: [String]) -> (codes: [Int], names: [String]) {
    let unique = Array(Set(names)).sorted()
    let index = Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($1, $0) })
    return (names.map { index[$0]! }, unique)
  }

  /// The first `count` rows.
  func prefix(_ count: Int) -> AdultDesign {
    AdultDesign(
      features: features.rows(at: 0..<count), labels: Array(labels[0..<count]),
      sex: Array(sex[0..<count]), race: Array(race[0..<count]))
  }
}

/// The reference's entry at a path of keys.
func referenceValue(_ path: String...) -> Any? {
  var node: Any? = AdultDesign.reference
  for key in path { node = (node as? [String: Any])?[key] }
  return node
}

func referenceNumber(_ path: String...) -> Double {
  var node: Any? = AdultDesign.reference
  for key in path { node = (node as? [String: Any])?[key] }
  return (node as? NSNumber)?.doubleValue ?? .nan
}
