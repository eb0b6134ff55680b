import FileSystem
import Glibc

/// The module's directories are reached through descriptors opened without following a link
/// (`O_NOFOLLOW | O_DIRECTORY`), and every name below them is looked up relative to those: a
/// module root or `versions` that is a link is refused, so nothing outside is listed or removed.
extension ModuleLayout {
    /// `versions/` of the open module root.
    func openVersions(_ rootDescriptor: Int32) throws(InstallationError) -> Int32 {
        try Self.openChild(rootDescriptor, Self.versionsName, path: versionsDirectory)
    }

    /// The directory `name` of `parent`; a link or anything but a directory is `linkedDirectory`.
    static func openChild(_ parent: Int32, _ name: String, path: String) throws(InstallationError) -> Int32 {
        let descriptor = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ELOOP || errno == ENOTDIR { throw .linkedDirectory(path: path) }
            throw .file(.system(operation: "open directory", path: path, errno: errno))
        }
        return descriptor
    }

    /// The regular file `name` of `directory`, at most `maximumBytes`; nil when there is none.
    static func readFile(_ directory: Int32, _ name: String, path: String, maximumBytes: Int) throws(InstallationError) -> [UInt8]? {
        let descriptor = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw .file(.system(operation: "open", path: path, errno: errno))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .file(.system(operation: "fstat", path: path, errno: errno)) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .file(.notRegularFile(path: path, kind: FileKind(mode: status.st_mode))) }
        let bytes: [UInt8]
        do { bytes = try DescriptorIO.read(descriptor, upTo: maximumBytes + 1, path: path) } catch { throw .file(error) }
        guard bytes.count <= maximumBytes else { throw .file(.tooLarge(path: path, maximumBytes: maximumBytes)) }
        return bytes
    }

    /// The names in the directory `descriptor`, sorted, at most `versionEntriesMaximum`.
    static func names(in descriptor: Int32, path: String) throws(InstallationError) -> [String] {
        let copy = dup(descriptor)
        guard copy >= 0 else { throw .file(.system(operation: "dup", path: path, errno: errno)) }
        guard let stream = fdopendir(copy) else {
            close(copy)
            throw .file(.system(operation: "fdopendir", path: path, errno: errno))
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            guard names.count < versionEntriesMaximum else {
                throw .file(.system(operation: "list more than \(versionEntriesMaximum) entries of", path: path, errno: E2BIG))
            }
            names.append(name)
        }
        return names.sorted()
    }

    /// Renames the version `name` of `versions` to a hidden `.NAME.pruning-XXXXXX` (not a version
    /// name: never reused) and makes the rename durable before anything in it is removed.
    func hide(_ name: String, in versions: Int32) throws(InstallationError) -> String {
        let suffix = String(UInt32.random(in: 0...0xFF_FFFF), radix: 16)
        let hidden = ".\(name).pruning-\(String(repeating: "0", count: 6 - suffix.count))\(suffix)"
        guard renameat(versions, name, versions, hidden) == 0 else {
            throw .file(.system(operation: "rename to \(versionsDirectory)/\(hidden)", path: versionDirectory(name), errno: errno))
        }
        try Self.sync(versions, path: versionsDirectory)
        return hidden
    }

    /// Whether `name` in `versions/` is something a crash left: a hidden unpack or prune.
    static func isLeftover(_ name: String) -> Bool {
        name.hasPrefix(".") && (name.contains(".unpacking-") || name.contains(".pruning-"))
    }
}
