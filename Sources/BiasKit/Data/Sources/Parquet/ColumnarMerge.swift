/// Joins the parts (row groups, record batches) of a columnar file's label and category columns,
/// each typed on its own by a ``ColumnarTarget``, into one column with the CSV reader's
/// semantics: category codes renumbered into one level list in order of first appearance in the
/// file; label spellings gathered in file order, with the first row where a third class (or `0`
/// next to `-1`) appears reported exactly where a sequential read would have stopped.
///
/// - Complexity: O(rows) for categories whose parts saw their levels in a different order (none
///   when every part agrees with the first), O(distinct values) otherwise.
enum ColumnarMerge {
  /// A label problem found across parts: the part, its row, and the problem.
  struct LabelFailure: Error {
    var part: Int
    var row: Int
    var kind: ValueFailure.Kind
  }

  /// The names of a label column's classes, or the first row (in file order) where the parts
  /// together hold more than two classes.
  static func labelNames(
    _ parts: [ColumnarTarget.Part], positive: String?
  ) -> Result<(negative: String?, positive: String?), LabelFailure> {
    var names: [String] = []
    var classes: [UInt8] = []
    var kinds: Set<Int8> = []
    for (p, part) in parts.enumerated() {
      for (k, spelling) in part.labelSpellings.enumerated() where !names.contains(spelling) {
        if positive != nil {
          if names.count >= 2 {
            return .failure(
              LabelFailure(
                part: p, row: part.labelFirstRows[k], kind: .tooManyClasses(spelling, names)))
          }
        } else if let kind = LabelSpelling.kind(of: spelling) {
          kinds.insert(kind)
          if kinds.contains(0) && kinds.contains(-1) {
            return .failure(
              LabelFailure(
                part: p, row: part.labelFirstRows[k], kind: .tooManyClasses(spelling, names)))
          }
        }
        names.append(spelling)
        classes.append(part.labelClasses[k])
      }
    }
    let negativeName = zip(names, classes).first { $0.1 == 0 }?.0
    let positiveName = zip(names, classes).first { $0.1 == 1 }?.0 ?? positive
    return .success((negativeName, positiveName))
  }

  /// The category levels of all parts, rewriting `codes` (part `p` holds rows
  /// `starts[p] ..< starts[p] + counts[p]`) from local to file-wide codes.
  static func categories(
    _ parts: [ColumnarTarget.Part], codes: UnsafeMutablePointer<Int32>, starts: [Int],
    counts: [Int]
  ) -> [String] {
    var global = ByteInterner()
    for (p, part) in parts.enumerated() {
      let map = part.levels.map { global.code(Array($0.utf8)) }
      if map.elementsEqual(0..<Int32(map.count)) { continue }
      map.withUnsafeBufferPointer { map in
        let rows = codes + starts[p]
        for i in 0..<counts[p] { rows[i] = map[Int(rows[i])] }
      }
    }
    return global.strings
  }
}
