#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// ZSTD decompression through the system's `libzstd`, loaded when first needed.
///
/// Zstandard (RFC 8878: FSE and Huffman entropy stages, repeat offsets, a window of up to
/// 128 MiB) is too large to write by hand with confidence, and the machines the build must work
/// on have only the runtime library (`libzstd.so.1`), not `libzstd-dev`'s headers, so a
/// `.systemLibrary` target would break `swift build` on a fresh machine. The library is opened
/// with `dlopen` and the three functions needed are looked up with `dlsym` under their C
/// signatures; without it, reading a ZSTD page is an error naming the page and the library, and
/// everything else works.
///
/// - Complexity: that of `ZSTD_decompress`, O(output).
final class Zstd: Sendable {
  private typealias Decompress =
    @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int) -> Int
  private typealias IsError = @convention(c) (Int) -> UInt32
  private typealias ErrorName = @convention(c) (Int) -> UnsafePointer<CChar>?

  private let decompressFunction: Decompress
  private let isErrorFunction: IsError
  private let errorNameFunction: ErrorName

  /// The library names tried, in order.
  static let libraryNames = ["libzstd.so.1", "libzstd.so", "libzstd.1.dylib", "libzstd.dylib"]

  /// The loaded library, or why it could not be loaded (once per process).
  static let shared: Result<Zstd, DecompressionFailure> = {
    for name in libraryNames {
      guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
      guard let d = dlsym(handle, "ZSTD_decompress"), let e = dlsym(handle, "ZSTD_isError"),
        let n = dlsym(handle, "ZSTD_getErrorName")
      else { continue }
      return .success(
        Zstd(
          decompress: unsafeBitCast(d, to: Decompress.self),
          isError: unsafeBitCast(e, to: IsError.self),
          errorName: unsafeBitCast(n, to: ErrorName.self)))
    }
    return .failure(
      DecompressionFailure(
        "ZSTD data needs the system library libzstd (libzstd.so.1, Debian package libzstd1), which could not be loaded"
      ))
  }()

  private init(decompress: Decompress, isError: IsError, errorName: ErrorName) {
    decompressFunction = decompress
    isErrorFunction = isError
    errorNameFunction = errorName
  }

  /// Decompresses `source` (one or more frames) into `destination`, which must be filled
  /// exactly.
  static func decompress(
    _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer
  ) throws {
    let library = try shared.get()
    // One spare byte tells "exactly this long" from "longer than declared".
    let written: Int
    if destination.isEmpty {
      var spare: UInt8 = 0
      written = library.decompressFunction(&spare, 1, source.baseAddress, source.count)
    } else {
      written = library.decompressFunction(
        destination.baseAddress, destination.count, source.baseAddress, source.count)
    }
    if library.isErrorFunction(written) != 0 {
      let name = library.errorNameFunction(written).map { String(cString: $0) } ?? "unknown error"
      throw DecompressionFailure("the ZSTD data cannot be decompressed (\(name))")
    }
    guard written == destination.count else {
      throw DecompressionFailure(
        "the ZSTD data holds \(written) bytes; \(destination.count) were declared")
    }
  }
}
