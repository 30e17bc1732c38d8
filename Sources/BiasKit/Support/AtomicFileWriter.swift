import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes a file all at once or not at all: the one writer behind every file BiasKit writes
/// (`--output`, `--save-state`, `--junit`, `--report`, debiased embeddings, resampled data).
///
/// What it promises (Guides/Reliability.md):
///
/// - **Atomic replacement of regular files.** The contents go to a temporary file
///   `.NAME.tmp-PID-N` in the destination's folder, which is renamed over the destination once
///   complete: a reader sees the old file or the new one, never a partial file, and a failure
///   (an error thrown by the producer, a full disk) leaves the destination as it was and no
///   temporary file behind. SIGINT, SIGTERM, SIGHUP and SIGPIPE remove the temporary files in
///   progress before the process ends (SIGKILL cannot be caught).
/// - **Symbolic links are followed**: the file they point to is replaced (atomically, in *its*
///   folder), the link stays a link.
/// - **The mode of an existing file is kept** (a 0600 file stays 0600; as root, its owner too).
///   A new file gets 0666 minus the umask, as a shell redirection does.
/// - **Devices, FIFOs and sockets are written through**, never replaced: `/dev/null`,
///   `/dev/stdout`, a named pipe. The path `-` is standard output. (No atomicity is possible
///   there: the reader sees the bytes as they are written.)
///
/// Destinations are validated by ``OutputDestination/init(_:)`` before anything is produced,
/// so a command that writes several files can check all of them before writing the first.
///
/// - Complexity: O(bytes written); one `rename(2)`.
public enum AtomicFileWriter {
  /// Writes `data` to `path` atomically.
  ///
  /// - Throws: ``BiasKitError`` with code `.io` naming the path when the folder does not exist,
  ///   is not a folder or is not writable, or when writing fails.
  public static func write(_ data: some DataProtocol, to path: String) throws {
    try write(to: path) { output in try output.write(data) }
  }

  /// Writes a UTF-8 string to `path` atomically.
  public static func write(_ text: String, to path: String) throws {
    try write(to: path) { output in try output.write(text) }
  }

  /// Streams output to `path` through `body`, then renames the temporary file into place.
  /// If `body` throws, the temporary file is removed and the error is rethrown.
  public static func write(to path: String, _ body: (Output) throws -> Void) throws {
    let destination = try OutputDestination(path)
    try write(to: destination, body)
  }

  /// Streams output to an already validated destination.
  public static func write(
    to destination: OutputDestination, _ body: (Output) throws -> Void
  )
    throws
  {
    switch destination.kind {
    case .standardOutput:
      let output = Output(descriptor: STDOUT_FILENO, path: destination.path)
      try body(output)
    case .stream:
      // A device, FIFO or socket: written through, never replaced (opening a FIFO waits for
      // its reader, as a shell redirection does).
      // A regular file reached through /dev or /proc (`/dev/stdout` redirected to a file) is
      // appended to, so that neither `>` nor `>>` loses what the process wrote there before.
      let append = FileIdentity.isRegularFile(destination.resolved) ? O_APPEND : 0
      let fd = open(destination.resolved, O_WRONLY | O_NOCTTY | O_CLOEXEC | append)
      guard fd >= 0 else { throw BiasKitError.cannotWrite(destination.path, errno) }
      defer { close(fd) }
      try body(Output(descriptor: fd, path: destination.path))
    case .file(let existing):
      try replace(destination, existing: existing, body)
    }
  }

  private static func replace(
    _ destination: OutputDestination, existing: OutputDestination.ExistingFile?,
    _ body: (Output) throws -> Void
  ) throws {
    let target = destination.resolved
    let folder = OutputDestination.folder(of: target)
    let name = OutputDestination.lastComponent(of: target)
    var temporary = ""
    var fd: Int32 = -1
    for _ in 0..<16 {
      temporary =
        (folder == "/" ? "/" : folder + "/")
        + ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
      fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
      if fd >= 0 || errno != EEXIST { break }
    }
    guard fd >= 0 else {
      let code = errno
      if code == EACCES || code == EROFS || code == EPERM {
        throw BiasKitError.folderNotWritable(destination.path, folder: folder)
      }
      throw BiasKitError.cannotWrite(destination.path, code)
    }
    let slot = TemporaryFiles.register(temporary)
    var succeeded = false
    defer {
      if !succeeded { unlink(temporary) }
      TemporaryFiles.unregister(slot)
    }
    do {
      defer { close(fd) }
      if let existing {
        // Keep the replaced file's permissions (and, when we may, its owner).
        _ = fchmod(fd, existing.mode)
        if geteuid() == 0 { _ = fchown(fd, existing.owner, existing.group) }
      }
      // No fsync: the rename is what makes the output all-or-nothing for readers, and flushing
      // a 300 MB file to disk would double the time of a resample for durability we do not
      // promise.
      try body(Output(descriptor: fd, path: destination.path))
    }
    if rename(temporary, target) != 0 { throw BiasKitError.cannotWrite(destination.path, errno) }
    succeeded = true
  }

  /// Where a producer writes its bytes: a file descriptor with throwing writes (a full disk or a
  /// closed pipe is an error, never a trap).
  public struct Output {
    let descriptor: Int32
    let path: String

    /// Writes every byte of `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
      guard var base = bytes.baseAddress else { return }
      var left = bytes.count
      while left > 0 {
        let n = writeBytes(descriptor, base, min(left, 1 << 30))
        if n < 0 {
          if errno == EINTR { continue }
          throw BiasKitError.cannotWrite(path, errno)
        }
        base += n
        left -= n
      }
    }

    /// Writes the bytes of `data`.
    public func write(_ data: some DataProtocol) throws {
      for region in data.regions { try region.withUnsafeBytes { try write($0) } }
    }

    /// Writes `text` as UTF-8.
    public func write(_ text: String) throws {
      var text = text
      try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }
  }
}

/// A validated place to write a file: what ``AtomicFileWriter`` will do there, and which file
/// it is (so that a command can refuse to write over one of its inputs, or two outputs onto one
/// file).
///
/// `-` is standard output. Symbolic links are followed to the file they name (a dangling link
/// to the file it would create). A path whose folder does not exist, whose "folder" is a file
/// (`good.csv/x`), or that names a folder is refused.
///
/// - Complexity: a few `stat(2)` calls (at most 40 links followed).
public struct OutputDestination: Sendable, Equatable {
  /// What writing there means.
  public enum Kind: Sendable, Equatable {
    /// `-`: the process's standard output.
    case standardOutput
    /// A character or block device, a FIFO or a socket: written through.
    case stream
    /// A regular file, replaced atomically; `existing` describes the file it replaces.
    case file(existing: ExistingFile?)
  }

  /// The file a destination replaces.
  public struct ExistingFile: Sendable, Equatable {
    public var mode: mode_t
    public var owner: uid_t
    public var group: gid_t
  }

  /// The path as the user gave it (for messages).
  public let path: String
  /// The path written: symbolic links followed, absolute.
  public let resolved: String
  public let kind: Kind
  /// The device and inode of the existing file (nil when it does not exist yet).
  public let identity: FileIdentity?

  /// Validates `path` as an output.
  ///
  /// - Throws: ``BiasKitError`` `.io` when the folder is missing, is a file or is not
  ///   writable, when the path is a folder, or when a symbolic link loops.
  public init(_ path: String) throws {
    self.path = path
    if path == "-" {
      resolved = "-"
      kind = .standardOutput
      identity = nil
      return
    }
    guard !path.isEmpty else { throw BiasKitError(.io, "an output path is empty") }
    var status = stat()
    if stat(path, &status) == 0 {
      // It exists (links followed, including the kernel's /proc/self/fd links behind
      // /dev/stdout, which name pipes and terminals rather than paths).
      identity = FileIdentity(status)
      let type = status.st_mode & S_IFMT
      if type == S_IFDIR { throw BiasKitError.outputIsFolder(path) }
      let absolutePath = Self.absolute(path)
      if type != S_IFREG || absolutePath.hasPrefix("/dev/") || absolutePath.hasPrefix("/proc/") {
        // A device, FIFO or socket, or a /dev or /proc name for the process's own streams
        // (`/dev/stdout` redirected to a file): written through.
        kind = .stream
        resolved = path
        return
      }
      let target = try Self.followLinks(path)
      kind = .file(
        existing: ExistingFile(
          mode: status.st_mode & 0o7777, owner: status.st_uid, group: status.st_gid))
      resolved = target
      let folder = Self.folder(of: target)
      guard access(folder, W_OK) == 0 else {
        throw BiasKitError.folderNotWritable(path, folder: folder)
      }
      return
    }
    let target = try Self.followLinks(path)
    identity = nil
    kind = .file(existing: nil)
    resolved = target
    try Self.checkFolder(of: path, resolvedFolder: Self.folder(of: target))
  }

  /// Throws unless the folder a new file goes into exists, is a folder and is writable.
  private static func checkFolder(of path: String, resolvedFolder: String) throws {
    var status = stat()
    if stat(resolvedFolder, &status) == 0 {
      guard status.st_mode & S_IFMT == S_IFDIR else {
        throw BiasKitError.outputFolderIsFile(path, file: displayFolder(of: path))
      }
      guard access(resolvedFolder, W_OK) == 0 else {
        throw BiasKitError.folderNotWritable(path, folder: displayFolder(of: path))
      }
      return
    }
    let code = errno
    guard code == ENOENT || code == ENOTDIR else { throw BiasKitError.cannotWrite(path, code) }
    // The nearest existing ancestor (as the user wrote the path) tells a missing folder from a
    // file used as a folder (`good.csv/x`).
    var ancestor = folder(of: path)
    while true {
      var s = stat()
      if stat(ancestor, &s) == 0 {
        if s.st_mode & S_IFMT != S_IFDIR {
          throw BiasKitError.outputFolderIsFile(path, file: ancestor)
        }
        break
      }
      if ancestor == "/" || ancestor == "." { break }
      ancestor = folder(of: ancestor)
    }
    let written = folder(of: path)
    var s = stat()
    let shown = stat(written, &s) == 0 ? resolvedFolder : displayFolder(of: path)
    throw BiasKitError.outputFolderMissing(path, folder: shown)
  }

  /// Whether two destinations are the same file (same inode, or the same resolved path for
  /// files that do not exist yet). Devices and FIFOs are never "the same output" (writing
  /// twice to /dev/null loses nothing).
  public func isSameFile(as other: OutputDestination) -> Bool {
    guard case .file = kind, case .file = other.kind else {
      return kind == .standardOutput && other.kind == .standardOutput
    }
    if let a = identity, let b = other.identity { return a == b }
    return resolved == other.resolved
  }

  /// `path` with its symbolic links followed, absolute. A dangling link resolves to the path
  /// it names (so the file is created there).
  static func followLinks(_ path: String) throws -> String {
    var current = absolute(path)
    for _ in 0..<40 {
      var status = stat()
      guard lstat(current, &status) == 0 else {
        // Does not exist: resolve the folder, keep the name.
        let folder = folder(of: current)
        if let real = realPath(folder) { return join(real, lastComponent(of: current)) }
        return current
      }
      guard status.st_mode & S_IFMT == S_IFLNK else {
        return realPath(current) ?? current
      }
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let n = readlink(current, &buffer, Int(PATH_MAX))
      guard n > 0 else { return realPath(current) ?? current }
      let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      current = target.hasPrefix("/") ? target : join(folder(of: current), target)
    }
    throw BiasKitError(.io, "\(path): cannot write the output: too many levels of symbolic links")
  }

  static func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    let cwd = FileManager.default.currentDirectoryPath
    return join(cwd, path)
  }

  static func join(_ folder: String, _ name: String) -> String {
    folder.hasSuffix("/") ? folder + name : folder + "/" + name
  }

  static func realPath(_ path: String) -> String? {
    guard let pointer = realpath(path, nil) else { return nil }
    defer { free(pointer) }
    return String(cString: pointer)
  }

  /// The folder part of a path (`.` for a bare name, `/` for a file at the root).
  static func folder(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    if slash == trimmed.startIndex { return "/" }
    return String(trimmed[..<slash])
  }

  static func lastComponent(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
    return String(trimmed[trimmed.index(after: slash)...])
  }

  /// The folder of `path` as the user wrote it (the working folder for a bare name).
  private static func displayFolder(of path: String) -> String {
    let folder = folder(of: path)
    return folder == "." ? FileManager.default.currentDirectoryPath : folder
  }
}

/// Which file a path names: its device and inode (so that `./in.csv`, `in.csv`, a symbolic
/// link and a hard link to it are one file).
public struct FileIdentity: Sendable, Hashable {
  public let device: UInt64
  public let inode: UInt64

  init(_ status: stat) {
    device = UInt64(status.st_dev)
    inode = UInt64(status.st_ino)
  }

  /// The identity of the existing file or folder at `path` (symbolic links followed), or nil.
  public init?(path: String) {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    self.init(status)
  }

  /// Whether `path` is a regular file (symbolic links followed).
  static func isRegularFile(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
  }
}

/// The temporary files being written, so that a signal handler can remove them.
///
/// A fixed table of `capacity` slots of `PATH_MAX` bytes, allocated once: the handler reads it
/// without locks or allocation (it may only call async-signal-safe functions: `unlink`,
/// `sigaction`, `raise`). A slot is published by storing its path first and its flag last;
/// register/unregister take `lock` among themselves.
enum TemporaryFiles {
  static let capacity = 64
  static let pathBytes = Int(PATH_MAX)

  /// Slot flags (1: in use) and paths. Written under `lock`, read by the signal handler:
  /// the one shared mutable state of the library, audited here.
  nonisolated(unsafe) static let flags: UnsafeMutablePointer<Int32> = {
    let p = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
    p.initialize(repeating: 0, count: capacity)
    return p
  }()
  nonisolated(unsafe) static let paths: UnsafeMutablePointer<CChar> = {
    let p = UnsafeMutablePointer<CChar>.allocate(capacity: capacity * pathBytes)
    p.initialize(repeating: 0, count: capacity * pathBytes)
    return p
  }()
  static let lock = NSLock()
  nonisolated(unsafe) private static var handlersInstalled = false

  /// Records `path` for removal on a signal; the slot to give back, or nil when the table is
  /// full or the path too long (the file is then still removed on errors, not on signals).
  static func register(_ path: String) -> Int? {
    let bytes = Array(path.utf8)
    guard bytes.count < pathBytes else { return nil }
    _ = (flags, paths)  // initialised before any handler can read them
    lock.lock()
    defer { lock.unlock() }
    installHandlersIfDefault()
    for slot in 0..<capacity where flags[slot] == 0 {
      let destination = paths + slot * pathBytes
      for (k, b) in bytes.enumerated() { destination[k] = CChar(bitPattern: b) }
      destination[bytes.count] = 0
      flags[slot] = 1
      return slot
    }
    return nil
  }

  static func unregister(_ slot: Int?) {
    guard let slot else { return }
    lock.lock()
    flags[slot] = 0
    lock.unlock()
  }

  /// The paths registered now (for tests).
  static var registered: [String] {
    lock.lock()
    defer { lock.unlock() }
    return (0..<capacity).filter { flags[$0] != 0 }.map { String(cString: paths + $0 * pathBytes) }
  }

  /// The signals that end a process and can be caught.
  static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGPIPE]

  /// Installs the removing handler for each signal whose disposition is still the default
  /// (a host program's own handler is left alone). Called under `lock`.
  private static func installHandlersIfDefault() {
    guard !handlersInstalled else { return }
    handlersInstalled = true
    for signal in signals {
      var current = sigaction()
      guard sigaction(signal, nil, &current) == 0 else { continue }
      #if canImport(Glibc)
        let isDefault = current.__sigaction_handler.sa_handler == nil
      #else
        let isDefault = current.__sigaction_u.__sa_handler == nil
      #endif
      guard isDefault else { continue }
      var action = sigaction()
      #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = removeTemporaryFilesAndReraise
      #else
        action.__sigaction_u.__sa_handler = removeTemporaryFilesAndReraise
      #endif
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      _ = sigaction(signal, &action, nil)
    }
  }
}

/// `write(2)`, named apart from the `write` methods above.
private func writeBytes(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, bytes, count)
}

/// The signal handler: unlinks the registered temporary files, restores the default action and
/// raises the signal again, so the process ends as it would have (same status for its parent).
private func removeTemporaryFilesAndReraise(_ signal: Int32) {
  for slot in 0..<TemporaryFiles.capacity where TemporaryFiles.flags[slot] != 0 {
    unlink(TemporaryFiles.paths + slot * TemporaryFiles.pathBytes)
  }
  var action = sigaction()
  #if canImport(Glibc)
    action.__sigaction_handler.sa_handler = nil  // SIG_DFL
  #else
    action.__sigaction_u.__sa_handler = nil
  #endif
  sigemptyset(&action.sa_mask)
  _ = sigaction(signal, &action, nil)
  raise(signal)
}

extension BiasKitError {
  static func cannotWrite(_ path: String, _ code: Int32) -> BiasKitError {
    BiasKitError(.io, "\(path): cannot write the output: \(String(cString: strerror(code)))")
  }

  static func outputFolderMissing(_ path: String, folder: String) -> BiasKitError {
    BiasKitError(.io, "\(path): cannot write the output: the folder '\(folder)' does not exist")
  }

  static func outputFolderIsFile(_ path: String, file: String) -> BiasKitError {
    BiasKitError(
      .io, "\(path): cannot write the output: '\(file)' is a file, not a folder")
  }

  static func folderNotWritable(_ path: String, folder: String) -> BiasKitError {
    BiasKitError(.io, "\(path): cannot write the output: the folder '\(folder)' is not writable")
  }

  static func outputIsFolder(_ path: String) -> BiasKitError {
    BiasKitError(.io, "\(path): cannot write the output: it is a folder")
  }
}
