/// The top-level columns of a Parquet schema, as a flat table reader sees them.
///
/// The schema is a tree flattened depth-first (element 0 the root, `num_children` giving each
/// group's size); column chunks follow its leaves in that order. A top-level field that is a
/// primitive, REQUIRED or OPTIONAL, is a readable column (maximum definition level 0 or 1); a
/// group (struct, list, map) or a REPEATED field is nested: it keeps its name (so asking for it
/// gets a clear refusal, not "no such column") and the index range of its leaves.
struct ParquetSchema: Sendable {
  struct Column: Sendable {
    var name: String
    /// The index of the column's first leaf among all leaves (= its chunk in each row group).
    var leaf: Int
    /// The leaf's physical type, nil for a nested column.
    var physicalType: ParquetPhysicalType?
    var typeLength: Int
    /// How values are understood, nil when they cannot be read (nested, INT96) — see `refusal`.
    var kind: ColumnarValueKind?
    /// Why the column cannot be read, for the message.
    var refusal: String?
    /// 1 for an OPTIONAL column (nulls possible), 0 for REQUIRED.
    var maximumDefinitionLevel: Int
    /// A short description for messages: `INT32 (INT(8, signed))`.
    var typeDescription: String
  }

  var columns: [Column] = []
  /// The number of leaves (column chunks per row group).
  var leafCount = 0

  init(_ elements: [ParquetSchemaElement]) throws {
    guard let root = elements.first else {
      throw ThriftFailure(offset: 0, reason: "the schema is empty")
    }
    guard let rootChildren = root.childCount, rootChildren >= 0 else {
      throw ThriftFailure(offset: 0, reason: "the schema's root is not a group")
    }
    var index = 1
    // Counts the leaves under the element at `index` (advancing past it), iteratively.
    func skipSubtree() throws -> Int {
      var leaves = 0
      var pending = 1
      while pending > 0 {
        guard index < elements.count else {
          throw ThriftFailure(
            offset: 0, reason: "the schema's groups declare more children than it has elements")
        }
        let element = elements[index]
        index += 1
        pending -= 1
        if let children = element.childCount, element.type == nil || children > 0 {
          guard children >= 0, children <= elements.count - index else {
            throw ThriftFailure(
              offset: 0,
              reason:
                "a schema group declares \(children) children; \(elements.count - index) elements follow"
            )
          }
          pending += Int(children)
        } else {
          leaves += 1
        }
      }
      return leaves
    }
    for _ in 0..<Int(rootChildren) {
      guard index < elements.count else {
        throw ThriftFailure(
          offset: 0, reason: "the schema's root declares \(rootChildren) columns; fewer follow")
      }
      let element = elements[index]
      let first = leafCount
      let leaves = try skipSubtree()
      leafCount += leaves
      let isGroup = leaves != 1 || (element.childCount ?? 0) > 0 || element.type == nil
      var column = Column(
        name: element.name, leaf: first, physicalType: nil, typeLength: 0, kind: nil,
        refusal: nil, maximumDefinitionLevel: 0, typeDescription: "group")
      if isGroup || element.repetition == 2 || element.annotation == .nested {
        column.refusal =
          "it is a nested (\(isGroup ? "group" : "repeated")) column; only flat columns can be read"
      } else if let code = element.type, let physical = ParquetPhysicalType(rawValue: code) {
        column.physicalType = physical
        column.typeLength = Int(element.typeLength ?? 0)
        column.maximumDefinitionLevel = element.repetition == 1 ? 1 : 0
        column.typeDescription = "\(physical)"
        (column.kind, column.refusal) = ParquetSchema.kind(of: element, physical)
      } else {
        column.refusal = "its physical type \(element.type ?? -1) is unknown"
      }
      columns.append(column)
    }
    if index != elements.count {
      throw ThriftFailure(
        offset: 0, reason: "the schema has \(elements.count - index) elements outside its root")
    }
  }

  /// How a primitive's values are understood.
  static func kind(
    of element: ParquetSchemaElement, _ physical: ParquetPhysicalType
  ) -> (ColumnarValueKind?, String?) {
    let annotation = element.annotation
    var scale = 0
    if case .decimal(let s, _) = annotation {
      guard s >= 0, s <= 76 else { return (nil, "its decimal scale \(s) is out of range") }
      scale = Int(s)
    }
    var signed = true
    if case .integer(_, let isSigned) = annotation { signed = isSigned }
    switch physical {
    case .boolean: return (.boolean, nil)
    case .int32: return (.integer(byteWidth: 4, signed: signed, scale: scale), nil)
    case .int64: return (.integer(byteWidth: 8, signed: signed, scale: scale), nil)
    case .int96: return (nil, "its type INT96 (a legacy timestamp) is not supported")
    case .float: return (.float32, nil)
    case .double: return (.float64, nil)
    case .byteArray:
      if case .decimal = annotation { return (.decimalBytes(scale: scale, bigEndian: true), nil) }
      return (.text, nil)
    case .fixedLengthByteArray:
      guard let length = element.typeLength, length > 0 else {
        return (nil, "its FIXED_LEN_BYTE_ARRAY length \(element.typeLength ?? 0) is invalid")
      }
      if case .decimal = annotation { return (.decimalBytes(scale: scale, bigEndian: true), nil) }
      if annotation == .float16 {
        guard length == 2 else { return (nil, "a FLOAT16 column must be 2 bytes wide") }
        return (.float16, nil)
      }
      return (.text, nil)
    }
  }
}
