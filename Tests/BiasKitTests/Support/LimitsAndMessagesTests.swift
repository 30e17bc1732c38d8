import Foundation
import Testing

@testable import BiasKit

/// Sizes that crashed or ran for tens of minutes, and messages that misled (issue #20, items 4
/// and 8; issue #18, item 3), outside the audit.
@Suite("Reliability: size limits and messages (resample, embeddings)")
struct LimitsAndMessagesTests {
  static let fixtures = "Tests/BiasKitTests/Fixtures/Embeddings/"

  @Test("resample --sampling-strategy 1:1000000000000: an error naming the option and the memory")
  func hugeSamplingStrategy() throws {
    let folder = try ResamplingTests.ResampleCommandTests.npyFolder()
    let r = try CLI.run(
      [
        "resample", "random-over", "--x", "X.npy", "--y", "y.npy", "--output-x", "Xr.npy",
        "--output-y", "yr.npy", "--sampling-strategy", "1:1000000000000",
      ], in: folder)
    #expect(r.status == 2, "\(r.stderr)")
    #expect(r.stderr.hasPrefix("biaskit: error: --sampling-strategy 1:1000000000000 asks for"))
    #expect(r.stderr.contains("new rows of 5 features: about 56 TB of memory, more than"))
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("Xr.npy").path))
    // The library check, through every over-sampler's template method.
    let data = ResamplingFixtures.dataSet("binary")
    #expect(throws: BiasKitError.self) {
      try SMOTE(strategy: .counts([1: Int.max / 2])).fitResample(
        features: data.features, labels: data.labels)
    }
  }

  @Test("borderline-smote-2 names the rows of the whole data set, not a class count")
  func borderlineTwoCount() throws {
    let data = ResamplingFixtures.dataSet("binary")  // 250 rows, classes 218 / 32
    var sampler = BorderlineSMOTE(kind: .borderline2, neighborCount: 300)
    sampler.dangerNeighborCount = 10
    do {
      _ = try sampler.fitResample(features: data.features, labels: data.labels, seed: 1)
      Issue.record("expected an error")
    } catch let error as BiasKitError {
      #expect(
        error.message.contains(
          "BorderlineSMOTE (borderline-2) needs at least 301 rows (k_neighbors + 1) among all classes"
        ), "\(error.message)")
      #expect(error.message.hasSuffix("the data has 250"), "\(error.message)")
    }
    var m = BorderlineSMOTE(kind: .borderline2)
    m.dangerNeighborCount = 400
    do {
      _ = try m.fitResample(features: data.features, labels: data.labels, seed: 1)
      Issue.record("expected an error")
    } catch let error as BiasKitError {
      #expect(error.message.contains("(m_neighbors + 1) among all classes"), "\(error.message)")
      #expect(!error.message.contains("class 1 has"), "\(error.message)")
    }
  }

  @Test("--seed -1 is read as a value (and refused as one), not as a missing value")
  func negativeSeed() throws {
    let folder = try ResamplingTests.ResampleCommandTests.npyFolder()
    let r = try CLI.run(
      [
        "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", "Xr.npy",
        "--output-y", "yr.npy", "--seed", "-1",
      ], in: folder)
    #expect(r.status == 2)
    #expect(r.stderr.contains("The value '-1' is invalid for '--seed <seed>'"), "\(r.stderr)")
    #expect(!r.stderr.contains("Missing value"), "\(r.stderr)")
    let w = try CLI.run([
      "embeddings", "weat", "--embeddings", Self.fixtures + "tiny.txt", "--tests",
      Self.fixtures + "tiny_weat.json", "--seed", "-1",
    ])
    #expect(w.status == 2)
    #expect(w.stderr.contains("The value '-1' is invalid for '--seed <seed>'"), "\(w.stderr)")
  }

  @Test("weat --permutations 1e12 on a test with 6 splits: the exact test, at once")
  func permutationsBeyondTheSplits() throws {
    let base = [
      "embeddings", "weat", "--embeddings", Self.fixtures + "tiny.txt", "--tests",
      Self.fixtures + "tiny_weat.json", "--test", "0", "--format", "json",
    ]
    let huge = try CLI.run(base + ["--permutations", "1e12"])
    #expect(huge.status == 0, "\(huge.stderr)")
    let exact = try CLI.run(base + ["--permutations", "exact"])
    func test(_ text: String) throws -> [String: Any] {
      let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
      return try #require((object?["tests"] as? [[String: Any]])?.first)
    }
    #expect(try test(huge.stdout)["p_value"] as? Double == test(exact.stdout)["p_value"] as? Double)
    #expect(
      try test(huge.stdout)["p_value_method"] as? String
        == "exact (1000000000000 permutations asked for, 6 distinct splits)")
    // Past the splits of an exact-able test is fine; past the ceiling of a large one is not.
    let first = (0..<30).map { Double($0) / 30 }
    let second = (0..<30).map { Double($0) / 31 }
    #expect(throws: BiasKitError.self) {
      try WEATPermutations.sampled(WEATPermutations.maximumSampledCount + 1, seed: 1).pValue(
        first: first, second: second, statistic: 0.1)
    }
  }

  @Test(
    "direct-bias and debias default to the built-in Bolukbasi lists and say so",
    .enabled(if: TestData.sharedIsAvailable))
  func builtInWordLists() throws {
    let bin = TestData.shared("data/embeddings/GoogleNews-vectors-negative300-bolukbasi.bin").path
    let lists = TestData.shared("data/embeddings/bolukbasi.json").path
    let builtIn = try CLI.run([
      "embeddings", "direct-bias", "--embeddings", bin, "--format", "json",
    ])
    #expect(builtIn.status == 0, "\(builtIn.stderr)")
    let file = try CLI.run([
      "embeddings", "direct-bias", "--embeddings", bin, "--word-lists", lists, "--format", "json",
    ])
    let a = try #require(
      try JSONSerialization.jsonObject(with: Data(builtIn.stdout.utf8)) as? [String: Any])
    let b = try #require(
      try JSONSerialization.jsonObject(with: Data(file.stdout.utf8)) as? [String: Any])
    #expect(a["direct_bias"] as? Double == b["direct_bias"] as? Double)
    #expect((a["word_lists"] as? String)?.hasPrefix("built-in Bolukbasi et al. 2016") == true)
    #expect(b["word_lists"] as? String == lists)
    let table = try CLI.run(["embeddings", "direct-bias", "--embeddings", bin])
    #expect(table.stdout.contains("word lists: built-in Bolukbasi et al. 2016"), "\(table.stdout)")
    let folder = try TestData.temporaryFolder()
    let debias = try CLI.run([
      "embeddings", "debias", "--embeddings", bin, "--output",
      folder.appendingPathComponent("d.bin").path,
    ])
    #expect(debias.status == 0, "\(debias.stderr)")
    #expect(debias.stdout.contains("word lists: built-in Bolukbasi"), "\(debias.stdout)")
  }

  @Test("options that do not apply are warned about, not silently ignored")
  func unusedOptionsWarn() throws {
    let folder = try ResamplingTests.ResampleCommandTests.npyFolder()
    let r = try CLI.run(
      [
        "resample", "tomek-links", "--x", "X.npy", "--y", "y.npy", "--output-x", "Xr.npy",
        "--output-y", "yr.npy", "--seed", "3", "--kind-sel", "mode", "--shrinkage", "0.5",
      ], in: folder)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("biaskit: warning: --seed does not apply to tomek-links"))
    #expect(r.stderr.contains("biaskit: warning: --kind-sel applies to enn, renn and all-knn"))
    #expect(r.stderr.contains("biaskit: warning: --shrinkage applies to random-over"))
    let quiet = try CLI.run(
      [
        "resample", "enn", "--x", "X.npy", "--y", "y.npy", "--output-x", "Xr.npy",
        "--output-y", "yr.npy", "--kind-sel", "mode",
      ], in: folder)
    #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
    let w = try CLI.run([
      "embeddings", "weat", "--embeddings", Self.fixtures + "tiny.txt", "--tests",
      Self.fixtures + "tiny_weat.json", "--test", "0", "--permutations", "exact", "--seed", "7",
    ])
    #expect(w.status == 0, "\(w.stderr)")
    #expect(w.stderr.contains("warning: --seed applies to sampled permutations"), "\(w.stderr)")
  }
}
