import Foundation

@testable import BiasKit

/// Fixtures of the language-model scorers (see Fixtures/LanguageModels/make_*.py).
enum LanguageModelFixtures {
  static func path(_ name: String) -> String { TestData.fixture("LanguageModels/\(name)").path }

  static func json(_ name: String) -> [String: Any] {
    (try? TestData.json(TestData.fixture("LanguageModels/\(name)"))) as? [String: Any] ?? [:]
  }

  /// A JSON Lines value in memory.
  static func lines(_ text: String, name: String = "input.jsonl") -> JSONLines {
    JSONLines(bytes: Array(text.utf8), name: name)
  }
}

/// `a` equals `b` within `tolerance`, both NaN (`nil` in a fixture) counting as equal.
func matches(_ a: Double, _ b: Any?, _ tolerance: Double = 1e-12) -> Bool {
  guard let b = b as? Double else { return a.isNaN }
  return abs(a - b) <= tolerance
}
