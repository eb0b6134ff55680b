import Glibc

/// The names in a directory, bounded: "." and ".." left out, in no particular order, and refused
/// past `maximumEntries`, so a directory something else filled cannot make a reader allocate
/// without end. A name that is not UTF-8 comes back with replacement characters (only reported).
public enum DirectoryListing {
    public static func names(in path: String, maximumEntries: Int) throws(FileError) -> [String] {
        guard let stream = opendir(path) else { throw .system(operation: "opendir", path: path, errno: errno) }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                let code = errno
                guard code == 0 else { throw .system(operation: "readdir", path: path, errno: code) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            guard names.count < maximumEntries else {
                throw .system(operation: "list (more than \(maximumEntries) entries)", path: path, errno: EFBIG)
            }
            names.append(name)
        }
    }
}
