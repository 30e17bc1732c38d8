import Foundation
import Testing

@testable import BiasKit

extension ResamplingTests {
  @Suite("Resampling: NumpyArray (.npy)")
  struct NumpyArrayTests {
    static func path(_ name: String) -> String { TestData.fixture("Resampling/npy/\(name)").path }

    @Test("reads float64, float32 and integer matrices made by NumPy")
    func readsMatrices() throws {
      let expected = (0..<12).map { Double($0) / 4 }
      #expect(
        try NumpyArray.readMatrix(path: Self.path("x_f8.npy"))
          == Matrix(rows: 4, columns: 3, values: expected))
      #expect(try NumpyArray.readMatrix(path: Self.path("x_f4.npy")).values == expected)
      #expect(
        try NumpyArray.readMatrix(path: Self.path("x_i4.npy")).values == (0..<12).map(Double.init))
    }

    @Test("reads labels of integer, unsigned and integral float types")
    func readsLabels() throws {
      for name in ["y_i8.npy", "y_u1.npy", "y_f8.npy"] {
        #expect(try NumpyArray.readLabels(path: Self.path(name)) == [0, 1, 0, 1], "\(name)")
      }
    }

    @Test(
      "rejects what it cannot read, saying what it found",
      arguments: [
        ("x_big_endian.npy", "big-endian"), ("x_fortran.npy", "Fortran"), ("x_3d.npy", "(2, 2, 3)"),
        ("x_complex.npy", "<c16"), ("x_unicode.npy", "<U1"), ("x_truncated.npy", "truncated"),
        ("not_npy.npy", "not a NumPy"), ("missing.npy", "no such file"),
      ])
    func rejects(name: String, fragment: String) {
      #expect {
        _ = try NumpyArray.readMatrix(path: Self.path(name))
      } throws: { error in
        (error as? BiasKitError)?.message.contains(fragment) == true
      }
    }

    @Test("a continuous target and a 2-D target are rejected")
    func badLabels() {
      #expect(throws: BiasKitError.self) {
        try NumpyArray.readLabels(path: Self.path("y_f8_continuous.npy"))
      }
      #expect(throws: BiasKitError.self) { try NumpyArray.readLabels(path: Self.path("x_f8.npy")) }
    }

    @Test("what it writes, it (and NumPy's layout) reads back")
    func roundTrip() throws {
      let folder = try TestData.temporaryFolder()
      let m = Matrix(rows: 3, columns: 2, values: [1.5, -2, .pi, 1e-300, 0, 7])
      let x = folder.appendingPathComponent("x.npy").path
      try NumpyArray.write(m, to: x)
      #expect(try NumpyArray.readMatrix(path: x) == m)
      let header = try NumpyArray.readHeader(path: x)
      #expect(header.dataOffset % 64 == 0 && header.shape == [3, 2])
      let y = folder.appendingPathComponent("y.npy").path
      try NumpyArray.write(labels: [3, -1, 7], to: y)
      #expect(try NumpyArray.readLabels(path: y) == [3, -1, 7])
    }
  }
}
