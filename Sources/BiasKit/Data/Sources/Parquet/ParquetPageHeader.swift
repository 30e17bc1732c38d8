/// A page header (`PageHeader` of parquet.thrift, with its data, data v2 or dictionary header),
/// read from the bytes before each page of a column chunk.
struct ParquetPageHeader: Sendable {
  /// DATA_PAGE 0, INDEX_PAGE 1, DICTIONARY_PAGE 2, DATA_PAGE_V2 3.
  var type: Int32 = -1
  var uncompressedSize: Int32 = -1
  var compressedSize: Int32 = -1
  var valueCount: Int32 = -1
  var encoding: Int32 = 0
  /// Data page v1: the encodings of the definition and repetition levels.
  var definitionLevelEncoding: Int32 = 3
  var repetitionLevelEncoding: Int32 = 3
  /// Data page v2.
  var nullCount: Int32 = 0
  var rowCount: Int32 = 0
  var definitionLevelsByteLength: Int32 = 0
  var repetitionLevelsByteLength: Int32 = 0
  var isCompressed = true
  /// The header of the page's type was present.
  var hasTypeHeader = false

  static let dataPage: Int32 = 0
  static let indexPage: Int32 = 1
  static let dictionaryPage: Int32 = 2
  static let dataPageV2: Int32 = 3

  init() {}

  /// Decodes a page header at `reader.position`, leaving the reader just past it.
  init(_ r: inout ThriftCompactReader) throws {
    try r.readStruct { r, id, type in
      switch (id, type) {
      case (1, .i32): self.type = try r.readI32()
      case (2, .i32): uncompressedSize = try r.readI32()
      case (3, .i32): compressedSize = try r.readI32()
      case (5, .structure):
        hasTypeHeader = true
        try r.readStruct { r, id, type in
          switch (id, type) {
          case (1, .i32): valueCount = try r.readI32()
          case (2, .i32): encoding = try r.readI32()
          case (3, .i32): definitionLevelEncoding = try r.readI32()
          case (4, .i32): repetitionLevelEncoding = try r.readI32()
          default: return false
          }
          return true
        }
      case (7, .structure):
        hasTypeHeader = true
        try r.readStruct { r, id, type in
          switch (id, type) {
          case (1, .i32): valueCount = try r.readI32()
          case (2, .i32): encoding = try r.readI32()
          default: return false
          }
          return true
        }
      case (8, .structure):
        hasTypeHeader = true
        try r.readStruct { r, id, type in
          switch (id, type) {
          case (1, .i32): valueCount = try r.readI32()
          case (2, .i32): nullCount = try r.readI32()
          case (3, .i32): rowCount = try r.readI32()
          case (4, .i32): encoding = try r.readI32()
          case (5, .i32): definitionLevelsByteLength = try r.readI32()
          case (6, .i32): repetitionLevelsByteLength = try r.readI32()
          case (7, .booleanTrue), (7, .booleanFalse): isCompressed = try r.boolean(type)
          default: return false
          }
          return true
        }
      default: return false
      }
      return true
    }
  }
}
