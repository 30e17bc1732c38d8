import Foundation
import Testing

@testable import BiasKit

@Suite("Mitigation.Preprocessing", .heavy)
struct PreprocessingTests {
  @Test(
    "Reweighing equals AIF360 on Adult (sex) within 1e-12", .enabled(if: TestData.sharedIsAvailable)
  )
  func reweighingMatchesAIF360() throws {
    let train = AdultDesign.train
    let groups = Groups(train.sex)  // Female = 0, Male = 1, as the reference's sex=0/1
    let labels = train.labels.map { UInt8($0) }
    let model = try Reweighing().fitted(labels: labels, groups: groups)
    for a in 0..<2 {
      for y in 0..<2 {
        let expected = referenceNumber("reweighing_aif360", "results", "weights", "sex=\(a),y=\(y)")
        #expect(abs(model.factors[a][y] - expected) < 1e-12, "sex=\(a), y=\(y)")
      }
    }
    let weights = try model.weights(labels: labels, groups: groups)
    let sum = weights.reduce(0, +)
    #expect(abs(sum - referenceNumber("reweighing_aif360", "results", "sum_weights")) < 1e-6)
    // The weighted positive rate is the same in both groups.
    var positive = [0.0, 0.0], total = [0.0, 0.0]
    for i in 0..<labels.count {
      total[Int(groups.codes[i])] += weights[i]
      positive[Int(groups.codes[i])] += weights[i] * Double(labels[i])
    }
    #expect(abs(positive[0] / total[0] - positive[1] / total[1]) < 1e-12)
  }

  @Test("Reweighing with one group throws")
  func reweighingOneGroup() {
    #expect(throws: BiasKitError.self) {
      _ = try Reweighing().fitted(labels: [0, 1], groups: Groups(["a", "a"]))
    }
  }

  @Test(
    "CorrelationRemover equals fairlearn on Adult (sex_Male, alpha 1)",
    .enabled(if: TestData.sharedIsAvailable))
  func correlationRemoverMatchesFairlearn() throws {
    let names = AdultDesign.train.features.columnNames
    let keep = names.indices.filter { names[$0] != "sex_Female" }
    let train = AdultDesign.train.features.columns(keep)
    let test = AdultDesign.test.features.columns(keep)
    let sexMale = train.columnNames.firstIndex(of: "sex_Male")!
    let model = try CorrelationRemover(alpha: 1).fitted(train, sensitiveColumns: [sexMale])
    let out = try model.transform(train)
    let outTest = try model.transform(test)
    #expect(out.columns == 106)
    let results = "correlation_remover_fairlearn"
    func norm(_ m: Matrix) -> Double {
      // Compensated sum: a plain running sum of 3.4M squares drifts by ~1e-9 on its own.
      var sum = 0.0, carry = 0.0
      for v in m.values {
        let y = v * v - carry
        let t = sum + y
        carry = (t - sum) - y
        sum = t
      }
      return sum.squareRoot()
    }
    #expect(abs(norm(out) - referenceNumber(results, "results", "train_output_fro_norm")) < 1e-9)
    #expect(abs(norm(outTest) - referenceNumber(results, "results", "test_output_fro_norm")) < 1e-9)
    #expect(
      abs(out.values.reduce(0, +) - referenceNumber(results, "results", "train_output_sum")) < 1e-6)
    #expect(
      abs(outTest.values.reduce(0, +) - referenceNumber(results, "results", "test_output_sum"))
        < 1e-6)
    let betaNorm = model.beta.map { $0 * $0 }.reduce(0, +).squareRoot()
    #expect(abs(betaNorm - referenceNumber(results, "results", "beta_fro_norm")) < 1e-12)
    let first = referenceValue(results, "results", "first_row_first5") as! [NSNumber]
    for j in 0..<5 { #expect(abs(out[0, j] - first[j].doubleValue) < 1e-12) }
  }

  @Test("CorrelationRemover with alpha 0 returns the other columns unchanged")
  func correlationRemoverAlphaZero() throws {
    let x = Matrix(rows: 3, columns: 2, values: [1, 5, 0, 7, 1, 2])
    let out = try CorrelationRemover(alpha: 0).fitted(x, sensitiveColumns: [0]).transform(x)
    #expect(out.values == [5, 7, 2])
  }
}

extension Matrix {
  /// The columns at `indices`, in that order (test helper).
  func columns(_ indices: [Int]) -> Matrix {
    var out: [Double] = []
    out.reserveCapacity(rows * indices.count)
    for i in 0..<rows { for j in indices { out.append(values[i * columns + j]) } }
    return Matrix(
      rows: rows, columns: indices.count, values: out,
      columnNames: columnNames.isEmpty ? [] : indices.map { columnNames[$0] })
  }
}
