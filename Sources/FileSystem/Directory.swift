import Glibc

/// Directories: made once with an exact mode, synced so their entries
/// survive a crash, checked for access.
public enum Directory {
    public static let defaultMode: mode_t = 0o700

    /// Creates `path` with exactly `mode` (whatever the umask) unless a
    /// directory is already there; returns whether it made one. With
    /// `syncingParent`, a new directory's parent is fsync'd so the entry
    /// itself is durable. Something else at `path` is `.notDirectory`.
    @discardableResult
    public static func ensure(_ path: String, mode: mode_t = defaultMode, syncingParent: Bool = false) throws(FileError) -> Bool {
        if mkdir(path, mode) == 0 {
            guard chmod(path, mode) == 0 else { throw .system(operation: "chmod", path: path, errno: errno) }
            if syncingParent { try sync(parent(of: path)) }
            return true
        }
        let code = errno
        guard code == EEXIST else { throw .system(operation: "mkdir", path: path, errno: code) }
        var status = stat()
        guard stat(path, &status) == 0 else { throw .system(operation: "stat", path: path, errno: errno) }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw .notDirectory(path: path) }
        return false
    }

    /// `ensure` for `path` and each missing directory above it (`mkdir -p`).
    public static func ensureWithParents(_ path: String, mode: mode_t = defaultMode) throws(FileError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            try ensure(prefix, mode: mode)
        }
    }

    /// fsyncs the directory at `path`, so files just created, renamed or
    /// removed in it stay that way after a crash.
    public static func sync(_ path: String) throws(FileError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .system(operation: "open directory", path: path, errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .system(operation: "fsync directory", path: path, errno: errno) }
    }

    /// Fails unless this process may use `path` as `access(2)`'s `mode` asks (`W_OK`, `W_OK | X_OK`...).
    public static func requireAccess(_ path: String, _ mode: Int32) throws(FileError) {
        guard access(path, mode) == 0 else { throw .system(operation: "access", path: path, errno: errno) }
    }

    /// The directory holding `path` ("." for a bare name, "/" at the root). Found on the path's
    /// bytes, as the kernel splits it: a '/' followed by a combining mark is one Swift Character
    /// with it, which a search for the Character "/" would miss.
    public static func parent(of path: String) -> String {
        let slash = UInt8(ascii: "/")
        var trimmed = Array(path.utf8)[...]
        while trimmed.count > 1, trimmed.last == slash { trimmed = trimmed.dropLast() }
        guard let index = trimmed.lastIndex(of: slash) else { return "." }
        return index == trimmed.startIndex ? "/" : String(decoding: trimmed[..<index], as: UTF8.self)
    }
}
