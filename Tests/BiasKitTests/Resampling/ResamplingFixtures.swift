import Foundation
import Testing

@testable import BiasKit

/// The imbalanced-learn reference data of `Fixtures/Resampling/resampling.json`
/// (made by `make_fixtures.py` beside it).
enum ResamplingFixtures {
  struct DataSet {
    var name: String
    var features: Matrix
    var labels: [Int]
    var knnIndices: [[Int]]
    var knnDistances: [[Double]]
    /// sampler name → input rows returned, in order.
    var kept: [String: [Int]]
    /// sampler name → (classes, counts) or nil when imbalanced-learn raised.
    var counts: [String: ClassCounts?]
    var strategies: [[String: Any]]
    /// class → ADASYN rows to generate per class row.
    var adasynRowCounts: [Int: [Int]]
    /// class → Borderline-SMOTE danger rows (input indices).
    var borderlineDanger: [Int: [Int]]
  }

  static let root: [String: Any] = {
    let url = TestData.fixture("Resampling/resampling.json")
    return (try? TestData.json(url)) as? [String: Any] ?? [:]
  }()

  static let names = ["three_classes", "binary", "shuffled_labels", "ties"]

  static func dataSet(_ name: String) -> DataSet {
    let all = root["datasets"] as! [String: Any]
    let e = all[name] as! [String: Any]
    let x = (e["X"] as! [[String]]).map { $0.map { Double($0)! } }
    let features = Matrix(rows: x.count, columns: x[0].count, values: x.flatMap { $0 })
    let labels = (e["y"] as! [NSNumber]).map(\.intValue)
    let knn = e["knn6"] as! [String: Any]
    var kept: [String: [Int]] = [:]
    for (k, v) in e["deterministic"] as! [String: Any] {
      kept[k] = ((v as! [String: Any])["returned_rows"] as! [NSNumber]).map(\.intValue)
    }
    var counts: [String: ClassCounts?] = [:]
    for (k, v) in e["randomized"] as! [String: Any] {
      let d = v as! [String: Any]
      if d["error"] != nil {
        counts[k] = .some(nil)
      } else {
        counts[k] = ClassCounts(
          classes: (d["classes"] as! [NSNumber]).map(\.intValue),
          counts: (d["counts"] as! [NSNumber]).map(\.intValue))
      }
    }
    return DataSet(
      name: name, features: features, labels: labels,
      knnIndices: (knn["indices"] as! [[NSNumber]]).map { $0.map(\.intValue) },
      knnDistances: (knn["distances"] as! [[String]]).map { $0.map { Double($0)! } },
      kept: kept, counts: counts, strategies: e["strategies"] as! [[String: Any]],
      adasynRowCounts: intTable(e["adasyn_row_counts"]),
      borderlineDanger: intTable(e["borderline_danger"]))
  }

  static func intTable(_ value: Any?) -> [Int: [Int]] {
    var out: [Int: [Int]] = [:]
    for (k, v) in value as! [String: Any] { out[Int(k)!] = (v as! [NSNumber]).map(\.intValue) }
    return out
  }

  static var ratios: [[String: Any]] { root["ratios"] as! [[String: Any]] }

  /// Random data with duplicated rows, for brute-force comparisons.
  static func randomMatrix(rows: Int, columns: Int, seed: UInt64, grid: Bool = false) -> Matrix {
    var g = SeededGenerator(seed: seed)
    var values = [Double](repeating: 0, count: rows * columns)
    for i in 0..<values.count {
      values[i] = grid ? Double(g.nextInt(below: 4)) : g.nextUniform() * 2 - 1
    }
    // Duplicate some rows.
    for i in stride(from: 3, to: rows, by: 7) {
      let src = g.nextInt(below: i)
      for j in 0..<columns { values[i * columns + j] = values[src * columns + j] }
    }
    return Matrix(rows: rows, columns: columns, values: values)
  }
}

/// Namespace of the Resampling suites (`swift test --filter ResamplingTests`).
@Suite("Resampling") enum ResamplingTests {}
