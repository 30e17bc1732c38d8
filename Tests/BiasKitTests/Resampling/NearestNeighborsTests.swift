import Foundation
import Testing

@testable import BiasKit

extension ResamplingTests {
  @Suite("Resampling: NearestNeighbors")
  struct NearestNeighborsTests {
    /// Sorts every reference row by (exact squared distance, index): the specification.
    static func bruteForce(_ q: Matrix, _ r: Matrix, k: Int) -> NeighborList {
      var idx: [Int] = []
      var dist: [Double] = []
      for i in 0..<q.rows {
        var pairs: [(distance: Double, index: Int)] = []
        for j in 0..<r.rows {
          var s = 0.0
          for c in 0..<r.columns {
            let t = q[i, c] - r[j, c]
            s += t * t
          }
          pairs.append((s, j))
        }
        pairs.sort { a, b in
          a.distance < b.distance || (a.distance == b.distance && a.index < b.index)
        }
        for p in pairs.prefix(k) {
          idx.append(p.index)
          dist.append(p.distance)
        }
      }
      return NeighborList(count: k, indices: idx, squaredDistances: dist)
    }

    @Test(
      "screened, exact scan and brute force agree, duplicates included",
      arguments: [(1, 40, 3), (2, 300, 5), (3, 257, 20), (4, 120, 1), (5, 500, 7)])
    func methodsAgree(seed: UInt64, rows: Int, columns: Int) {
      for grid in [false, true] {
        let x = ResamplingFixtures.randomMatrix(
          rows: rows, columns: columns, seed: seed, grid: grid)
        let queries = x.rows(at: stride(from: 0, to: rows, by: 3))
        for k in [1, 4, 9] {
          let expected = Self.bruteForce(queries, x, k: k)
          for method in [NearestNeighbors.Method.exactScan, .screened, .automatic] {
            let got = NearestNeighbors(reference: x, method: method).neighbors(
              of: queries, count: k)
            #expect(got == expected, "seed \(seed) grid \(grid) k \(k) \(method)")
          }
        }
      }
    }

    @Test(
      "the self-join (each pair computed once, offered both ways) agrees with brute force",
      arguments: [(6, 700, 3), (7, 1030, 20), (8, 513, 1), (9, 300, 7)])
    func selfJoinAgrees(seed: UInt64, rows: Int, columns: Int) {
      for grid in [false, true] {
        let x = ResamplingFixtures.randomMatrix(
          rows: rows, columns: columns, seed: seed, grid: grid)
        for k in [1, 6] {
          let expected = Self.bruteForce(x, x, k: k)
          let got = NearestNeighbors(reference: x, method: .screened).neighbors(of: x, count: k)
          #expect(got == expected, "seed \(seed) grid \(grid) k \(k)")
        }
      }
    }

    @Test("large offsets and scales still give the exact answer")
    func offsetsAndScales() {
      var x = ResamplingFixtures.randomMatrix(rows: 200, columns: 4, seed: 9)
      for i in 0..<x.values.count { x.values[i] = 1e7 + x.values[i] * 1e-3 }
      let expected = Self.bruteForce(x, x, k: 5)
      #expect(
        NearestNeighbors(reference: x, method: .screened).neighbors(of: x, count: 5) == expected)
    }

    @Test(
      "matches scikit-learn's kneighbors (k = 6) on tie-free data",
      arguments: ["three_classes", "binary", "shuffled_labels"])
    func matchesScikitLearn(name: String) {
      let data = ResamplingFixtures.dataSet(name)
      let list = NearestNeighbors(reference: data.features).neighbors(of: data.features, count: 6)
      for q in 0..<data.features.rows {
        #expect(Array(list.neighbors(of: q)) == data.knnIndices[q], "\(name) row \(q)")
        for r in 0..<6 {
          // Same differences, same summation order as the k-d tree: equal to the last bit.
          #expect(
            list.distance(query: q, rank: r) == data.knnDistances[q][r],
            "\(name) row \(q) rank \(r)")
        }
      }
    }

    @Test(
      "on duplicated points, neighbour distances match scikit-learn; ties go to the lower index")
    func tiesKeepDistances() {
      let data = ResamplingFixtures.dataSet("ties")
      let list = NearestNeighbors(reference: data.features).neighbors(of: data.features, count: 6)
      for q in 0..<data.features.rows {
        for r in 0..<6 { #expect(list.distance(query: q, rank: r) == data.knnDistances[q][r]) }
        let ranks = Array(list.neighbors(of: q))
        for r in 1..<6
        where list.squaredDistances[q * 6 + r] == list.squaredDistances[q * 6 + r - 1] {
          #expect(ranks[r] > ranks[r - 1])
        }
      }
    }

    @Test("excluding the first column reproduces kneighbors(k + 1)[:, 1:]")
    func excludingFirst() {
      let x = ResamplingFixtures.randomMatrix(rows: 60, columns: 3, seed: 4)
      let nn = NearestNeighbors(reference: x)
      let full = nn.neighbors(of: x, count: 4)
      let dropped = nn.neighbors(ofReferenceRowsExcludingFirst: 3)
      for q in 0..<60 {
        #expect(Array(dropped.neighbors(of: q)) == Array(full.neighbors(of: q).dropFirst()))
      }
    }
  }
}
