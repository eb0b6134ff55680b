import FileSystem
import Glibc

/// Storage's file-system calls: the shared `FileSystem` helpers and thin
/// Glibc wrappers, each mapping errno to a `StorageError` that names the path.
enum StorageFiles {
    static let directoryMode: mode_t = 0o700
    static let fileMode: mode_t = 0o600
    /// Directory entries listed before refusing (a data directory holds a few
    /// hundred files at most; more means something else lives there).
    static let directoryEntriesMaximum = 1 << 20

    /// Creates `path` if missing; a new directory's parent is fsync'd so the
    /// entry itself is durable.
    static func makeDirectory(_ path: String) throws(StorageError) {
        do {
            try Directory.ensure(path, mode: directoryMode, syncingParent: true)
        } catch {
            throw StorageError(error, writing: true)
        }
    }

    static func syncDirectory(_ path: String) throws(StorageError) {
        do {
            try Directory.sync(path)
        } catch {
            throw StorageError(error, writing: true)
        }
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

    /// The whole file, refusing files larger than `maximumBytes` and a file whose size changed
    /// while it was read (a log file shrinking under recovery would otherwise look like a torn
    /// tail and be cut; nothing else may write while the directory lock is held).
    static func readFile(_ path: String, maximumBytes: Int) throws(StorageError) -> [UInt8] {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .io(operation: "stat", path: path, errno: errno) }
        let bytes: [UInt8]
        do {
            bytes = try FileReader.read(path, maximumBytes: maximumBytes)
        } catch {
            throw StorageError(error, writing: false)
        }
        guard bytes.count == Int(status.st_size) else {
            throw .io(operation: "read (file shrank or grew from \(status.st_size) to \(bytes.count) bytes)", path: path, errno: EIO)
        }
        return bytes
    }

    /// Writes all of `bytes` at `offset`, retrying short writes.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws(StorageError) {
        do {
            try DescriptorIO.writeAll(descriptor, bytes, atOffset: off_t(offset), path: path)
        } catch {
            throw StorageError(error, writing: true)
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
        Directory.parent(of: path)
    }
}

extension StorageError {
    /// A shared helper's failure as Storage reports it. On the `writing`
    /// side, a full or read-only file system gets its own case, as
    /// `writing(_:path:errno:)` decides; finding out (stat, open a
    /// directory, flock) and every read keep their errno.
    init(_ error: FileError, writing: Bool) {
        switch error {
        case let .system(operation, path, code):
            let finding = ["stat", "fstat", "open directory", "flock"].contains(operation)
            self = writing && !finding ? .writing(operation, path: path, errno: code)
                : .io(operation: operation, path: path, errno: code)
        case let .tooLarge(path, maximumBytes):
            self = .io(operation: "read (file exceeds \(maximumBytes) bytes)", path: path, errno: EFBIG)
        case let .notDirectory(path):
            self = .io(operation: "mkdir", path: path, errno: ENOTDIR)
        case let .notRegularFile(path, kind):
            self = .io(operation: "read (\(kind), not a regular file)", path: path, errno: EINVAL)
        case let .locked(path, holderPid):
            self = .locked(directory: Directory.parent(of: path), holder: Self.holder(holderPid))
        }
    }

    /// How a `.locked` error names the lock's holder.
    static func holder(_ pid: Int32?) -> String {
        pid.map { "pid \($0)" } ?? "an unknown process (LOCK names no pid)"
    }
}
