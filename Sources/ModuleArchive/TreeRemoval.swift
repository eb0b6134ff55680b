import FileSystem
import Glibc

/// Removes a directory and everything in it through directory descriptors, never following a
/// symbolic link: what an interrupted unpack left, or a version a host no longer keeps, is removed
/// without touching anything outside. A tree deeper than `depthMaximum` (each level holds a
/// descriptor and a stack frame) is refused, part removed, with an error naming where it stopped.
public enum TreeRemoval {
    /// Directory levels removed below the one named; deeper is refused.
    public static let depthMaximum = 256

    /// Removes `path` (a directory) and its contents; a missing `path` is nothing to do. Only the
    /// last component is opened without following a link: see `remove(_:in:path:)`.
    public static func remove(_ path: String) throws(FileError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return }
            throw .system(operation: "open", path: path, errno: errno)
        }
        try empty(descriptor, path: path, depth: 1)
        guard rmdir(path) == 0 else { throw .system(operation: "rmdir", path: path, errno: errno) }
    }

    /// Removes the directory `name` of the directory `parent` (an open descriptor) and its
    /// contents, so no component of the way to it is looked up by path; `path` names it in
    /// errors. A missing `name` is nothing to do.
    public static func remove(_ name: String, in parent: Int32, path: String) throws(FileError) {
        let descriptor = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return }
            throw .system(operation: "open", path: path, errno: errno)
        }
        try empty(descriptor, path: path, depth: 1)
        guard unlinkat(parent, name, AT_REMOVEDIR) == 0 else { throw .system(operation: "rmdir", path: path, errno: errno) }
    }

    /// Removes everything in the directory `descriptor` (which it closes).
    private static func empty(_ descriptor: Int32, path: String, depth: Int) throws(FileError) {
        guard depth <= depthMaximum else {
            close(descriptor)
            throw .system(operation: "remove a tree deeper than \(depthMaximum) directories at", path: path, errno: ELOOP)
        }
        guard let stream = fdopendir(descriptor) else {
            close(descriptor)
            throw .system(operation: "fdopendir", path: path, errno: errno)
        }
        defer { closedir(stream) }
        // Names as the bytes the kernel gave (NUL-terminated), so that one that is not UTF-8 is removed too.
        var names: [[CChar]] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }.map { CChar(bitPattern: $0) }) + [0] }
            if name != [46, 0] && name != [46, 46, 0] { names.append(name) }
        }
        let directory = dirfd(stream)
        for bytes in names {
            let name = String(decoding: bytes.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if unlinkat(directory, bytes, 0) == 0 { continue }
            guard errno == EISDIR else { throw .system(operation: "unlinkat", path: "\(path)/\(name)", errno: errno) }
            let child = openat(directory, bytes, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { throw .system(operation: "openat", path: "\(path)/\(name)", errno: errno) }
            try empty(child, path: "\(path)/\(name)", depth: depth + 1)
            guard unlinkat(directory, bytes, AT_REMOVEDIR) == 0 else {
                throw .system(operation: "unlinkat", path: "\(path)/\(name)", errno: errno)
            }
        }
    }
}
