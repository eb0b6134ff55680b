import FileSystem
import Glibc
import Modules

/// The entries of a directory to pack, found with `lstat` (links are recorded, never followed),
/// sorted with the manifest first and then by path bytes, so the same tree always packs to the
/// same archive. Sockets, FIFOs and devices are refused, as are more entries than the limit.
enum DirectoryWalk {
    static func entries(of directory: String, limits: TarLimits) throws(ModuleArchiveError) -> [TarEntry] {
        var entries: [TarEntry] = []
        try walk(directory, relative: "", limits: limits, into: &entries)
        return entries.sorted { left, right in
            if (left.path == ModuleFormat.manifestPath) != (right.path == ModuleFormat.manifestPath) {
                return left.path == ModuleFormat.manifestPath
            }
            return left.path.utf8.lexicographicallyPrecedes(right.path.utf8)
        }
    }

    private static func walk(_ directory: String, relative: String, limits: TarLimits,
                             into entries: inout [TarEntry]) throws(ModuleArchiveError) {
        for name in try names(in: directory) {
            let path = "\(directory)/\(name)"
            let entryPath = relative.isEmpty ? name : "\(relative)/\(name)"
            var status = stat()
            guard lstat(path, &status) == 0 else { throw .file(.system(operation: "lstat", path: path, errno: errno)) }
            guard entries.count < limits.entryCountMaximum else {
                throw .unpackable("\(directory) holds more than \(limits.entryCountMaximum) entries")
            }
            switch status.st_mode & S_IFMT {
            case S_IFREG:
                entries.append(TarEntry(path: entryPath, kind: .file(size: Int64(status.st_size), executable: status.st_mode & 0o111 != 0)))
            case S_IFDIR:
                entries.append(TarEntry(path: entryPath, kind: .directory))
                try walk(path, relative: entryPath, limits: limits, into: &entries)
            case S_IFLNK:
                entries.append(TarEntry(path: entryPath, kind: .symlink(target: try linkTarget(path))))
            default:
                throw .unpackable("\(path) is not a regular file, directory or symbolic link; an artifact cannot hold it")
            }
        }
    }

    private static func names(in directory: String) throws(ModuleArchiveError) -> [String] {
        guard let stream = opendir(directory) else { throw .file(.system(operation: "opendir", path: directory, errno: errno)) }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            guard let name = String(validating: bytes, as: UTF8.self) else {
                throw .unpackable("\(directory) holds a name that is not valid UTF-8")
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func linkTarget(_ path: String) throws(ModuleArchiveError) -> String {
        var buffer = [CChar](repeating: 0, count: 4_097)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw .file(.system(operation: "readlink", path: path, errno: errno)) }
        guard let target = String(validating: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) else {
            throw .unpackable("\(path) links to a target that is not valid UTF-8")
        }
        return target
    }
}
