import Foundation
import Testing

@testable import BiasKit

/// The shared Adult design fixtures (`../shared/fixtures/adult_{train,test}_design.csv`):
/// 108 feature columns, label `y`, and the raw `sex_raw`, `race_raw` columns.
///
/// A minimal loader private to the mitigation tests (the library's CSV reader is being
/// written); it assumes the fixture's simple shape: no quotes, numeric features.
struct AdultDesign: @unchecked Sendable {
  var features: Matrix
  var labels: [Double]
  var sex: [String]
  var race: [String]

  static let train: AdultDesign = load("fixtures/adult_train_design.csv")
  static let test: AdultDesign = load("fixtures/adult_test_design.csv")
  static let reference: [String: Any] = {
    (try? TestData.json(TestData.shared("reference/adult_mitigation.json"))) as? [String: Any] ?? [:]
  }()

  static func load(_ relative: String) -> AdultDesign {
    let data = try! Data(contentsOf: TestData.shared(relative))
    var names: [String] = []
    var values: [Double] = []
    var labels: [Double] = []
    var sex: [String] = []
    var race: [String] = []
    data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      let bytes = raw.bindMemory(to: UInt8.self)
      var pos = 0
      let end = bytes.count
      // Header.
      var field: [UInt8] = []
      while pos < end && bytes[pos] != 10 {
        if bytes[pos] == 44 {
          names.append(String(decoding: field, as: UTF8.self))
          field.removeAll()
        } else if bytes[pos] != 13 {
          field.append(bytes[pos])
        }
        pos += 1
      }
      names.append(String(decoding: field, as: UTF8.self))
      pos += 1
      let yIndex = names.firstIndex(of: "y")!
      let sexIndex = names.firstIndex(of: "sex_raw")!
      let raceIndex = names.firstIndex(of: "race_raw")!
      var buffer = [CChar](repeating: 0, count: 128)
      while pos < end {
        if bytes[pos] == 10 {
          pos += 1
          continue
        }
        for c in 0..<names.count {
          var len = 0
          while pos < end && bytes[pos] != 44 && bytes[pos] != 10 && bytes[pos] != 13 {
            buffer[len] = CChar(bitPattern: bytes[pos])
            len += 1
            pos += 1
          }
          buffer[len] = 0
          if pos < end && bytes[pos] == 13 { pos += 1 }
          pos += 1
          if c == sexIndex || c == raceIndex {
            let text = String(cString: buffer)
            if c == sexIndex { sex.append(text) } else { race.append(text) }
          } else {
            let v = strtod(buffer, nil)
            if c == yIndex { labels.append(v) } else { values.append(v) }
          }
        }
      }
    }
    let featureNames = names.filter { $0 != "y" && $0 != "sex_raw" && $0 != "race_raw" }
    let matrix = Matrix(rows: labels.count, columns: featureNames.count, values: values,
      columnNames: featureNames)
    return AdultDesign(features: matrix, labels: labels, sex: sex, race: race)
  }

  /// Group codes 0..<k in sorted order of the names.
  static func codes(_ names: [String]) -> (codes: [Int], names: [String]) {
    let unique = Array(Set(names)).sorted()
    let index = Dictionary(uniqueKeysWithValues: unique.enumerated().map { ($1, $0) })
    return (names.map { index[$0]! }, unique)
  }

  /// The first `count` rows.
  func prefix(_ count: Int) -> AdultDesign {
    AdultDesign(features: features.rows(at: 0..<count), labels: Array(labels[0..<count]),
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
