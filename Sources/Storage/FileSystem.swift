import Glibc

/// Thin, throwing wrappers over the Glibc calls Storage makes, each mapping
/// errno to a `StorageError` that names the path.
enum FileSystem {
    static let directoryMode: mode_t = 0o700
    static let fileMode: mode_t = 0o600
    /// Retries of a call interrupted by a signal before giving up.
    static let interruptedRetryMaximum = 64
    /// Directory entries listed before refusing (a data directory holds a few
    /// hundred files at most; more means something else lives there).
    static let directoryEntriesMaximum = 1 << 20

    /// Creates `path` if missing; a new directory's parent is fsync'd so the
    /// entry itself is durable.
    static func makeDirectory(_ path: String) throws(StorageError) {
        if mkdir(path, directoryMode) == 0 {
            try syncDirectory(parent(of: path))
            return
        }
        let code = errno
        guard code == EEXIST else { throw .writing("mkdir", path: path, errno: code) }
        var status = stat()
        guard stat(path, &status) == 0 else { throw .io(operation: "stat", path: path, errno: errno) }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw .io(operation: "mkdir", path: path, errno: ENOTDIR) }
    }

    static func syncDirectory(_ path: String) throws(StorageError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open directory", path: path, errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .writing("fsync directory", path: path, errno: errno) }
    }

    /// The names in `path`, without "." and "..", in no particular order.
    static func listDirectory(_ path: String) throws(StorageError) -> [String] {
        guard let stream = opendir(path) else { throw .io(operation: "opendir", path: path, errno: errno) }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name == "." || name == ".." { continue }
            names.append(name)
            guard names.count <= directoryEntriesMaximum else {
                throw .io(operation: "list (more than \(directoryEntriesMaximum) entries)", path: path, errno: EFBIG)
            }
        }
        return names
    }

    /// The whole file, refusing files larger than `maximumBytes`.
    static func readFile(_ path: String, maximumBytes: Int) throws(StorageError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
        let size = Int(status.st_size)
        guard size <= maximumBytes else { throw .io(operation: "read (file exceeds \(maximumBytes) bytes)", path: path, errno: EFBIG) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        var interruptions = 0
        while done < size {
            let (count, code) = bytes.withUnsafeMutableBytes { raw in
                (pread(descriptor, raw.baseAddress! + done, size - done, off_t(done)), errno)
            }
            if count > 0 { done += count; continue }
            if count < 0, code == EINTR, interruptions < interruptedRetryMaximum { interruptions += 1; continue }
            throw .io(operation: count == 0 ? "read (file shrank)" : "read", path: path, errno: count == 0 ? EIO : code)
        }
        return bytes
    }

    /// Writes all of `bytes` at `offset`, retrying short writes.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws(StorageError) {
        var done = 0
        var interruptions = 0
        while done < bytes.count {
            let (count, code) = bytes.withUnsafeBytes { raw in
                (pwrite(descriptor, raw.baseAddress! + done, bytes.count - done, off_t(offset + done)), errno)
            }
            if count > 0 { done += count; continue }
            if count < 0, code == EINTR, interruptions < interruptedRetryMaximum { interruptions += 1; continue }
            throw .writing("write", path: path, errno: count == 0 ? EIO : code)
        }
    }

    static func syncData(_ descriptor: Int32, path: String) throws(StorageError) {
        guard fdatasync(descriptor) == 0 else { throw .writing("fdatasync", path: path, errno: errno) }
    }

    static func syncFile(_ descriptor: Int32, path: String) throws(StorageError) {
        guard fsync(descriptor) == 0 else { throw .writing("fsync", path: path, errno: errno) }
    }

    static func truncate(_ descriptor: Int32, toBytes length: Int, path: String) throws(StorageError) {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw .writing("ftruncate", path: path, errno: errno) }
    }

    /// Cuts the file at `path` to `length` bytes and makes that durable.
    static func truncateFile(_ path: String, toBytes length: Int) throws(StorageError) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .writing("open", path: path, errno: errno) }
        defer { close(descriptor) }
        try truncate(descriptor, toBytes: length, path: path)
        try syncFile(descriptor, path: path)
    }

    /// fsyncs the file at `path`.
    static func syncFile(atPath path: String) throws(StorageError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        try syncFile(descriptor, path: path)
    }

    static func createExclusive(_ path: String) throws(StorageError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else { throw .writing("create", path: path, errno: errno) }
        return descriptor
    }

    static func remove(_ path: String) throws(StorageError) {
        guard unlink(path) == 0 else { throw .writing("unlink", path: path, errno: errno) }
    }

    static func rename(_ source: String, to destination: String) throws(StorageError) {
        guard Glibc.rename(source, destination) == 0 else { throw .writing("rename to \(destination)", path: source, errno: errno) }
    }

    static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
