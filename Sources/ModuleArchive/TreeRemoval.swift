import FileSystem
import Glibc

/// Removes a directory and everything in it through directory descriptors, never following a
/// symbolic link: what an interrupted unpack left is removed without touching anything outside.
enum TreeRemoval {
    /// Removes `path` (a directory) and its contents; a missing `path` is nothing to do.
    static func remove(_ path: String) throws(FileError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return }
            throw .system(operation: "open", path: path, errno: errno)
        }
        try empty(descriptor, path: path)
        guard rmdir(path) == 0 else { throw .system(operation: "rmdir", path: path, errno: errno) }
    }

    /// Removes everything in the directory `descriptor` (which it closes).
    private static func empty(_ descriptor: Int32, path: String) throws(FileError) {
        guard let stream = fdopendir(descriptor) else {
            close(descriptor)
            throw .system(operation: "fdopendir", path: path, errno: errno)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        let directory = dirfd(stream)
        for name in names {
            if unlinkat(directory, name, 0) == 0 { continue }
            guard errno == EISDIR else { throw .system(operation: "unlinkat", path: "\(path)/\(name)", errno: errno) }
            let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { throw .system(operation: "openat", path: "\(path)/\(name)", errno: errno) }
            try empty(child, path: "\(path)/\(name)")
            guard unlinkat(directory, name, AT_REMOVEDIR) == 0 else {
                throw .system(operation: "unlinkat", path: "\(path)/\(name)", errno: errno)
            }
        }
    }
}
