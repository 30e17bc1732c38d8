import Foundation
import Testing

@testable import BiasKit

@Suite("Language models: selection bias and PriDe against a NumPy implementation of the paper")
struct PriDeTests {
  static let expected = LanguageModelFixtures.json("pride_expected.json")

  @Test(
    "worked example: a prior times content, seen under every cyclic permutation, gives the prior back"
  )
  func workedExample() throws {
    let e = Self.expected["worked_example"] as! [String: Any]
    let block = (e["block"] as! [[Double]]).flatMap { $0 }
    let questions = try MultipleChoiceQuestions(
      optionCount: 4, answers: [2], probabilities: Array(block[0..<4]), permuted: [0: block])
    let model = try PriDe(estimation: .allPermuted).fitted(to: questions)
    let truth = e["true_prior"] as! [Double]
    let numpy = e["prior"] as! [Double]
    for i in 0..<4 {
      #expect(abs(model.prior[i] - truth[i]) < 1e-9)
      #expect(abs(model.prior[i] - numpy[i]) < 1e-12)
    }
    #expect(model.originalPredictions == [0])
    #expect(model.debiasedPredictions == [2])
  }

  @Test("prior, debiased answers, accuracy, recalls and RStd before and after match NumPy")
  func matchesNumPy() throws {
    let questions = try MultipleChoiceQuestions(
      reading: JSONLines(path: LanguageModelFixtures.path("pride_questions.jsonl")))
    #expect(questions.count == 400 && questions.permuted.count == 24)
    let model = try PriDe(estimation: .allPermuted).fitted(to: questions)
    let e = Self.expected["questions"] as! [String: Any]
    for (a, b) in zip(model.prior, e["prior"] as! [Double]) { #expect(abs(a - b) < 1e-12) }
    #expect(model.estimationQuestions == e["estimation"] as! [Int])
    #expect(model.originalPredictions == e["before"] as! [Int])
    #expect(model.debiasedPredictions == e["after"] as! [Int])
    for (name, bias) in [("before", model.before), ("after", model.after)] {
      #expect(matches(bias.accuracy, e["\(name)_accuracy"]))
      #expect(matches(bias.recallStandardDeviation, e["\(name)_rstd"]), "\(name)")
      for (a, b) in zip(bias.recalls, e["\(name)_recalls"] as! [Double]) {
        #expect(abs(a - b) < 1e-12)
      }
    }
    #expect(model.after.recallStandardDeviation < model.before.recallStandardDeviation)
    for q in 0..<questions.count {
      let row = model.debiasedProbabilities[(4 * q)..<(4 * q + 4)]
      #expect(abs(row.reduce(0, +) - 1) < 1e-12)
    }
  }

  @Test("a seeded fraction picks that many permuted questions, reproducibly")
  func seededFraction() throws {
    let questions = try MultipleChoiceQuestions(
      reading: JSONLines(path: LanguageModelFixtures.path("pride_questions.jsonl")))
    let a = try PriDe(estimation: .fraction(0.05, seed: 9)).fitted(to: questions)
    let b = try PriDe(estimation: .fraction(0.05, seed: 9)).fitted(to: questions)
    #expect(a == b)
    #expect(a.estimationQuestions.count == 20)
    #expect(Set(a.estimationQuestions).isSubset(of: Set(questions.permuted.keys)))
    #expect(abs(a.cost - (20.0 * 4 + 380) / 400) < 1e-15)
    #expect(throws: BiasKitError.self) {
      try PriDe(estimation: .fraction(0.1, seed: 1)).fitted(to: questions)
    }
  }

  @Test("bad questions: an answer outside the options, probabilities not summing to 1")
  func badQuestions() throws {
    #expect(throws: BiasKitError.self) {
      try MultipleChoiceQuestions(optionCount: 2, answers: [2], probabilities: [0.5, 0.5])
    }
    do {
      _ = try MultipleChoiceQuestions(optionCount: 2, answers: [0], probabilities: [0.5, 0.4])
      Issue.record("expected an error")
    } catch let error as BiasKitError {
      #expect(error.message.contains("sum to 0.9"))
      #expect(error.message.contains("tolerance 1e-06"))
    }
    let renormalized = try MultipleChoiceQuestions(
      optionCount: 2, answers: [0], probabilities: [0.2, 0.6], normalization: .renormalize)
    #expect(abs(renormalized.probabilities[1] - 0.75) < 1e-15)
    let file = LanguageModelFixtures.lines(
      "{\"answer\": 1, \"probs\": [0.5, 0.5]}\n{\"answer\": \"E\", \"probs\": [0.5, 0.5]}\n")
    #expect {
      try MultipleChoiceQuestions(reading: file)
    } throws: { error in
      (error as? BiasKitError)?.message.hasPrefix("input.jsonl:2:12: the answer 4 is outside")
        == true
    }
  }
}
