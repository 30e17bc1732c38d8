import Foundation
import Testing

@testable import BiasKit

/// `Fixtures/Estimation/estimation.json` and its `data/*.npy` samples, made by
/// `make_estimation_fixtures.py` with ppi-python 0.2.3 (and NumPy/SciPy for the estimators
/// ppi_py does not have).
enum EstimationFixture {
  static let root: [String: Any] = {
    let url = TestData.fixture("Estimation/estimation.json")
    return (try? TestData.json(url) as? [String: Any]) ?? [:]
  }()

  static var cases: [[String: Any]] { root["cases"] as? [[String: Any]] ?? [] }
  static var caseNames: [String] { cases.compactMap { $0["name"] as? String } }

  static func caseNamed(_ name: String) -> [String: Any]? {
    cases.first { $0["name"] as? String == name }
  }

  static func matrix(_ relativePath: String) throws -> Matrix {
    try NumpyArray.readMatrix(path: TestData.fixture("Estimation/" + relativePath).path)
  }

  /// A dataset as a sample: labelled columns Y, Yhat, w, x…; unlabelled columns Yhat, w, x….
  static func sample(_ name: String, weighted: Bool) throws -> PredictionSample {
    let datasets = try #require(root["datasets"] as? [String: Any])
    let spec = try #require(datasets[name] as? [String: Any])
    let labelled = try matrix(spec["labelled"] as! String)
    let unlabelled = try matrix(spec["unlabelled"] as! String)
    let d = spec["covariates"] as! Int
    func block(_ m: Matrix, from: Int) -> Matrix? {
      guard d > 0 else { return nil }
      var values: [Double] = []
      for i in 0..<m.rows {
        for j in 0..<d { values.append(m[i, from + j]) }
      }
      return Matrix(rows: m.rows, columns: d, values: values)
    }
    return PredictionSample(
      labels: labelled.column(0), predictions: labelled.column(1),
      unlabelledPredictions: unlabelled.column(0), covariates: block(labelled, from: 3),
      unlabelledCovariates: block(unlabelled, from: 2),
      weights: weighted ? labelled.column(2) : nil,
      unlabelledWeights: weighted ? unlabelled.column(1) : nil)
  }

  static func estimand(_ value: Any?) throws -> Estimand {
    if let name = value as? String {
      switch name {
      case "mean": return .mean
      case "ols": return .linearRegression
      case "logistic": return .logisticRegression
      default: break
      }
    }
    if let spec = value as? [String: Any], let q = spec["quantile"] as? Double {
      return .quantile(q)
    }
    Issue.record("unknown estimand \(String(describing: value))")
    return .mean
  }

  static func doubles(_ value: Any?) -> [Double] {
    (value as? [Any] ?? []).map { v in
      if let s = v as? String { return s == "inf" ? .infinity : s == "-inf" ? -.infinity : .nan }
      return (v as? Double) ?? Double((v as? Int) ?? 0)
    }
  }
}

/// |actual − expected| ≤ tolerance · max(1, |expected|); infinities must match exactly.
func isClose(_ actual: Double, _ expected: Double, _ tolerance: Double) -> Bool {
  if expected.isInfinite || actual.isInfinite { return actual == expected }
  return abs(actual - expected) <= tolerance * max(1, abs(expected))
}

func expectClose(
  _ actual: [Double], _ expected: [Double], _ tolerance: Double, _ label: String,
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  #expect(actual.count == expected.count, "\(label): \(actual.count) values for \(expected.count)")
  for (k, (a, e)) in zip(actual, expected).enumerated() {
    #expect(
      isClose(a, e, tolerance), "\(label)[\(k)]: \(a) vs \(e) (diff \(a - e), tol \(tolerance))",
      sourceLocation: sourceLocation)
  }
}
