import Foundation

/// Writes a file all at once or not at all.
///
/// The contents go to a temporary file in the destination's folder, which is then renamed over
/// the destination, so a reader never sees a partial file and a failure leaves no output behind.
/// Every command that writes a file (`--output`, `--junit`, debiased embeddings, resampled
/// data) goes through this type.
public enum AtomicFileWriter {
  /// Writes `data` to `path` atomically.
  ///
  /// - Throws: ``BiasKitError`` with code `.io` naming the path when the folder does not exist
  ///   or is not writable.
  public static func write(_ data: some DataProtocol, to path: String) throws {
    try write(to: path) { handle in handle.write(Data(data)) }
  }

  /// Writes a UTF-8 string to `path` atomically.
  public static func write(_ text: String, to path: String) throws {
    try write(Data(text.utf8), to: path)
  }

  /// Streams output to `path` through `body`, then renames the temporary file into place.
  /// If `body` throws, the temporary file is removed and the error is rethrown.
  public static func write(to path: String, _ body: (FileHandle) throws -> Void) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory),
      isDirectory.boolValue
    else {
      throw BiasKitError(
        .io, "\(path): cannot write the output: the folder '\(folder.path)' does not exist")
    }
    let temporary = folder.appendingPathComponent(
      ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
      throw BiasKitError(
        .io, "\(path): cannot write the output: the folder '\(folder.path)' is not writable")
    }
    do {
      let handle = try FileHandle(forWritingTo: temporary)
      defer { try? handle.close() }
      // No fsync: the rename is what makes the output all-or-nothing for readers, and flushing
      // a 300 MB file to disk would double the time of a resample for durability we do not promise.
      try body(handle)
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw error
    }
    if rename(temporary.path, url.path) != 0 {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw BiasKitError(.io, "\(path): cannot write the output: \(reason)")
    }
  }
}
