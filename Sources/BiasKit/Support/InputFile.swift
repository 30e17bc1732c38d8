import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a whole input file into memory, whatever kind of file it is: a regular file, or a
/// stream whose size `stat` cannot tell — a FIFO (`<(zcat x.gz)`), `/dev/stdin`, a `/proc`
/// file (size 0) — which is read to its end. `-` is standard input.
///
/// The readers of small inputs (JSON word lists and tests, text embeddings, audit states) use
/// it; the CSV reader maps regular files and falls back to it for streams.
///
/// - Complexity: O(file size); one allocation for a regular file, doubling for a stream.
public enum InputFile {
  /// Bytes of `path`. `what` names the file in messages ("the word lists").
  ///
  /// - Throws: ``BiasKitError`` `.io`: no such file, a folder, or a read error.
  public static func read(_ path: String, what: String) throws -> [UInt8] {
    let fd = path == "-" ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      let code = errno
      if code == ENOENT { throw BiasKitError(.io, "\(path): cannot read \(what): no such file") }
      throw BiasKitError(.io, "\(path): cannot read \(what): \(String(cString: strerror(code)))")
    }
    defer { close(fd) }
    return try read(descriptor: fd, path: path, what: what)
  }

  /// Bytes of the open file `fd` from its current offset to its end (`path` and `what` name it
  /// in messages). A stream is read once, so a caller that has opened a FIFO reads it through
  /// the same descriptor (opening it again would wait for a writer that has gone).
  ///
  /// - Throws: ``BiasKitError`` `.io`: a folder, or a read error.
  static func read(descriptor fd: Int32, path: String, what: String) throws -> [UInt8] {
    var status = stat()
    guard fstat(fd, &status) == 0 else {
      throw BiasKitError(.io, "\(path): cannot read \(what): \(String(cString: strerror(errno)))")
    }
    if status.st_mode & S_IFMT == S_IFDIR {
      throw BiasKitError(.io, "\(path): cannot read \(what): it is a folder")
    }
    let isRegular = status.st_mode & S_IFMT == S_IFREG
    // A regular file's size is a good first guess (a /proc file says 0: read on regardless).
    var capacity = isRegular && status.st_size > 0 ? Int(status.st_size) + 1 : 1 << 16
    var bytes = [UInt8](repeating: 0, count: capacity)
    var count = 0
    while true {
      if count == capacity {
        capacity *= 2
        bytes.append(contentsOf: repeatElement(0, count: capacity - bytes.count))
      }
      let n = bytes.withUnsafeMutableBytes { buffer in
        systemRead(fd, buffer.baseAddress! + count, capacity - count)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw BiasKitError(.io, "\(path): cannot read \(what): \(String(cString: strerror(errno)))")
      }
      if n == 0 { break }
      count += n
    }
    bytes.removeLast(bytes.count - count)
    return bytes
  }

  /// Whether `path` names something that is not a regular file (a FIFO, a device, standard
  /// input), or a regular file whose size is 0 but which may still have contents (`/proc`).
  public static func isStream(_ path: String) -> Bool {
    if path == "-" { return true }
    var status = stat()
    guard stat(path, &status) == 0 else { return false }
    let type = status.st_mode & S_IFMT
    if type == S_IFDIR { return false }
    return type != S_IFREG || status.st_size == 0
  }
}

/// `read(2)`, named apart from ``InputFile/read(_:what:)``.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(fd, buffer, count)
}
