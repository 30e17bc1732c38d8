/// Reusable raw memory for decoding the pages of one column chunk (decompressed bytes, levels,
/// indices, offsets, unpacked values), so that a chunk of many pages allocates a few buffers
/// once instead of per page. Owned by one decoding task; never shared between threads.
final class ParquetScratch {
  /// One growable buffer; its contents are not kept when it grows.
  final class Buffer {
    private(set) var pointer: UnsafeMutableRawPointer
    private(set) var capacity: Int

    init() {
      capacity = 64
      pointer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
    }

    /// At least `bytes` bytes (16-byte aligned), with unspecified contents.
    func reserve(_ bytes: Int) -> UnsafeMutableRawPointer {
      if bytes > capacity {
        pointer.deallocate()
        capacity = max(bytes, capacity * 2)
        pointer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
      }
      return pointer
    }

    func typed<T>(_ count: Int, as type: T.Type) -> UnsafeMutablePointer<T> {
      reserve(count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: count)
    }

    deinit { pointer.deallocate() }
  }

  /// The decompressed page.
  let page = Buffer()
  /// Definition levels (one byte per value).
  let levels = Buffer()
  /// Dictionary indices.
  let indices = Buffer()
  /// Starts and lengths of byte-array values.
  let starts = Buffer()
  let lengths = Buffer()
  /// Decoded fixed-width values (unpacked booleans, delta-decoded integers, unsplit floats) and
  /// the bytes of DELTA_BYTE_ARRAY values.
  let values = Buffer()
  let deltas = Buffer()
}
