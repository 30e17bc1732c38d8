import Foundation
import Testing

@testable import BiasKit

extension ResamplingTests {
  @Suite("Resampling: biaskit resample")
  struct ResampleCommandTests {
    /// A folder with X.npy / y.npy from the binary fixture (or the given arrays).
    static func npyFolder(features: Matrix? = nil, labels: [Int]? = nil) throws -> URL {
      let data = ResamplingFixtures.dataSet("binary")
      let folder = try TestData.temporaryFolder()
      try NumpyArray.write(
        features ?? data.features, to: folder.appendingPathComponent("X.npy").path)
      try NumpyArray.write(
        labels: labels ?? data.labels, to: folder.appendingPathComponent("y.npy").path)
      return folder
    }

    static func csvFolder(_ text: String) throws -> URL {
      let folder = try TestData.temporaryFolder()
      try text.write(
        to: folder.appendingPathComponent("data.csv"), atomically: true, encoding: .utf8)
      return folder
    }

    static func binaryCSV() -> String {
      let data = ResamplingFixtures.dataSet("binary")
      var text = "a,b,c,d,e,label\n"
      for i in 0..<data.labels.count {
        text += data.features.row(i).map { "\($0)" }.joined(separator: ",")
        text += data.labels[i] == 1 ? ",yes\n" : ",no\n"
      }
      return text
    }

    static func files(in folder: URL) -> Set<String> {
      Set((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
    }

    @Test("smote on .npy files: original rows first, balanced classes, JSON summary")
    func smoteNpy() throws {
      let folder = try Self.npyFolder()
      let result = try CLI.run(
        [
          "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", "Xr.npy", "--output-y",
          "yr.npy",
          "--seed", "4", "--format", "json",
        ], in: folder)
      #expect(result.status == 0, "\(result.stderr)")
      let summary =
        try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
      #expect(summary["class_counts_after"] as? [String: Int] == ["0": 218, "1": 218])
      #expect(summary["class_counts_before"] as? [String: Int] == ["0": 218, "1": 32])
      let x = try NumpyArray.readMatrix(path: folder.appendingPathComponent("Xr.npy").path)
      let y = try NumpyArray.readLabels(path: folder.appendingPathComponent("yr.npy").path)
      let data = ResamplingFixtures.dataSet("binary")
      #expect(x.rows == 436 && y.count == 436)
      #expect(Array(x.values.prefix(data.features.values.count)) == data.features.values)
      let library = try SMOTE().fitResample(features: data.features, labels: data.labels, seed: 4)
      #expect(x == library.features(from: data.features))
    }

    @Test("CSV in, CSV out, text labels kept; --indices lists kept rows of an under-sampler")
    func csvAndIndices() throws {
      let folder = try Self.csvFolder(Self.binaryCSV())
      let result = try CLI.run(
        [
          "resample", "tomek-links", "--input", "data.csv", "--target", "label", "--output",
          "out.csv",
          "--indices", "kept.txt",
        ], in: folder)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("tomek-links"))
      let data = ResamplingFixtures.dataSet("binary")
      let kept = try String(contentsOf: folder.appendingPathComponent("kept.txt"), encoding: .utf8)
        .split(separator: "\n").map { Int($0)! }
      #expect(kept == data.kept["tomek"]!)
      let lines = try String(contentsOf: folder.appendingPathComponent("out.csv"), encoding: .utf8)
        .split(separator: "\n")
      #expect(lines.first == "a,b,c,d,e,label")
      #expect(lines.count == kept.count + 1)
      #expect(lines.dropFirst().allSatisfy { $0.hasSuffix(",yes") || $0.hasSuffix(",no") })
    }

    @Test("--sensitive balances the classes inside every group")
    func sensitive() throws {
      let data = ResamplingFixtures.dataSet("binary")
      var text = "a,b,label,group\n"
      for i in 0..<data.labels.count {
        text +=
          "\(data.features[i, 0]),\(data.features[i, 1]),\(data.labels[i]),\(i % 3 == 0 ? "g1" : "g2")\n"
      }
      let folder = try Self.csvFolder(text)
      let result = try CLI.run(
        [
          "resample", "smote", "--input", "data.csv", "--target", "label", "--sensitive", "group",
          "--output", "out.csv", "--k-neighbors", "3",
        ], in: folder)
      #expect(result.status == 0, "\(result.stderr)")
      let rows = try String(contentsOf: folder.appendingPathComponent("out.csv"), encoding: .utf8)
        .split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
      for group in ["g1", "g2"] {
        let labels = rows.filter { $0[3] == Substring(group) }.map { $0[2] }
        #expect(labels.filter { $0 == "0" }.count == labels.filter { $0 == "1" }.count, "\(group)")
      }
    }

    /// Runs `arguments` in `folder`; expects exit 2, a message containing `fragments`, and no
    /// new file.
    static func expectFailure(_ arguments: [String], in folder: URL, _ fragments: [String]) throws {
      let before = files(in: folder)
      let result = try CLI.run(arguments, in: folder)
      #expect(result.status == 2, "\(arguments): \(result.stderr)")
      for fragment in fragments {
        #expect(
          result.stderr.contains(fragment), "\(arguments): '\(fragment)' not in \(result.stderr)")
      }
      #expect(files(in: folder) == before, "an output file was left behind")
    }

    @Test("a non-numeric feature names its column and line")
    func nonNumeric() throws {
      let folder = try Self.csvFolder("a,b,y\n1,2,0\n3,x,1\n5,6,0\n")
      try Self.expectFailure(
        ["resample", "smote", "--input", "data.csv", "--target", "y", "--output", "out.csv"],
        in: folder,
        ["data.csv:3", "'b'", "'x'"])
    }

    @Test("NaN or infinite features are rejected (CSV with its line, .npy with its row)")
    func nonFinite() throws {
      let folder = try Self.csvFolder("a,b,y\n1,2,0\n3,nan,1\n5,6,0\n")
      try Self.expectFailure(
        ["resample", "smote", "--input", "data.csv", "--target", "y", "--output", "out.csv"],
        in: folder,
        ["data.csv:3", "'b'", "nan"])
      var x = ResamplingFixtures.dataSet("binary").features
      x[7, 2] = .infinity
      let npy = try Self.npyFolder(features: x)
      try Self.expectFailure(
        [
          "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", "o.npy", "--output-y",
          "p.npy",
        ],
        in: npy, ["row 7", "column 2", "inf"])
    }

    @Test("too few minority rows for k_neighbors + 1 says how many there are")
    func tooFewMinority() throws {
      let data = ResamplingFixtures.dataSet("binary")
      let labels = (0..<data.labels.count).map { $0 < 4 ? 1 : 0 }
      let folder = try Self.npyFolder(labels: labels)
      try Self.expectFailure(
        [
          "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", "o.npy", "--output-y",
          "p.npy",
        ],
        in: folder, ["class 1 has 4", "at least 6"])
    }

    @Test("a one-class target is rejected")
    func oneClass() throws {
      let folder = try Self.npyFolder(labels: [Int](repeating: 3, count: 250))
      try Self.expectFailure(
        [
          "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", "o.npy", "--output-y",
          "p.npy",
        ],
        in: folder, ["only one class"])
    }

    @Test("a ratio that would remove rows while over-sampling is rejected")
    func ratioRemoves() throws {
      let folder = try Self.npyFolder()
      try Self.expectFailure(
        [
          "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--output-x", "o.npy", "--output-y",
          "p.npy",
          "--sampling-strategy", "0.1",
        ], in: folder, ["over-sampling cannot remove rows", "increase the ratio"])
    }

    @Test("a ratio that would add majority rows while under-sampling is rejected")
    func ratioAdds() throws {
      let folder = try Self.npyFolder()
      try Self.expectFailure(
        [
          "resample", "random-under", "--x", "X.npy", "--y", "y.npy", "--output-x", "o.npy",
          "--output-y", "p.npy", "--sampling-strategy", "0.05",
        ], in: folder, ["under-sampling cannot add rows", "640", "218"])
    }

    @Test("--sensitive with .npy groups balances each group; --indices marks synthetic rows -1")
    func sensitiveNpy() throws {
      let data = ResamplingFixtures.dataSet("binary")
      let folder = try Self.npyFolder()
      let groups = (0..<data.labels.count).map { $0 % 2 }
      try NumpyArray.write(labels: groups, to: folder.appendingPathComponent("g.npy").path)
      let result = try CLI.run(
        [
          "resample", "smote", "--x", "X.npy", "--y", "y.npy", "--sensitive", "g.npy", "--output-x",
          "o.npy", "--output-y", "p.npy", "--indices", "i.npy", "--k-neighbors", "3",
        ], in: folder)
      #expect(result.status == 0, "\(result.stderr)")
      let y = try NumpyArray.readLabels(path: folder.appendingPathComponent("p.npy").path)
      let source = try NumpyArray.readLabels(path: folder.appendingPathComponent("i.npy").path)
      #expect(Array(source.prefix(data.labels.count)) == Array(0..<data.labels.count))
      #expect(source.dropFirst(data.labels.count).allSatisfy { $0 == -1 })
      // Each group is balanced (checked per group in the CSV test), so the total is too.
      #expect(y.filter { $0 == 0 }.count == y.filter { $0 == 1 }.count)
    }

    @Test(
      "a .npy of the wrong dtype, shape or byte order is rejected",
      arguments: [
        ("x_complex.npy", "<c16"), ("x_3d.npy", "(2, 2, 3)"), ("x_big_endian.npy", "big-endian"),
        ("x_fortran.npy", "Fortran"),
      ])
    func badNpy(name: String, fragment: String) throws {
      let folder = try TestData.temporaryFolder()
      for file in [name, "y_i8.npy"] {
        try FileManager.default.copyItem(
          at: TestData.fixture("Resampling/npy/\(file)"), to: folder.appendingPathComponent(file))
      }
      try Self.expectFailure(
        [
          "resample", "smote", "--x", name, "--y", "y_i8.npy", "--output-x", "o.npy", "--output-y",
          "p.npy",
        ],
        in: folder, [name, fragment])
    }

    @Test("contradictory options exit 2")
    func options() throws {
      let folder = try Self.npyFolder()
      try Self.expectFailure(
        ["resample", "smote", "--x", "X.npy", "--output-x", "o.npy"], in: folder, ["--y"])
      try Self.expectFailure(["resample", "unknown", "--x", "X.npy"], in: folder, ["unknown"])
    }
  }
}
