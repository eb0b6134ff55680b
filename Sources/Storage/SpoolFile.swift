import Glibc

/// A temporary file that data streamed from elsewhere (a snapshot sent by
/// another coordinator) is appended to as it arrives, read back whole once
/// complete, and removed. It is never the durable copy: what it held is
/// saved through the write-ahead log afterwards, so it is not fsync'd, and
/// leftovers of a crash are removed with `removeLeftovers`.
public final class SpoolFile {
    public let path: String
    private var descriptor: Int32
    public private(set) var byteCount = 0

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Creates an empty file at `path`, replacing a leftover of the same name.
    public static func create(at path: String) throws(StorageError) -> SpoolFile {
        guard unlink(path) == 0 || errno == ENOENT else { throw .writing("unlink", path: path, errno: errno) }
        return SpoolFile(path: path, descriptor: try StorageFiles.createExclusive(path))
    }

    public func append(_ bytes: [UInt8]) throws(StorageError) {
        guard descriptor >= 0 else { throw .closed }
        try StorageFiles.writeAll(descriptor, bytes, at: byteCount, path: path)
        byteCount += bytes.count
    }

    /// Everything appended, read back from the file (so a check of it checks
    /// what the disk returned); refuses a file over `maximumBytes`.
    public func readAll(maximumBytes: Int) throws(StorageError) -> [UInt8] {
        try StorageFiles.readFile(path, maximumBytes: maximumBytes)
    }

    /// Closes and unlinks the file; later calls do nothing.
    public func remove() throws(StorageError) {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        try StorageFiles.remove(path)
    }

    /// Removes every file in `directory` whose name starts with `prefix`
    /// and ends with `suffix` (the spools a crashed process left); returns their names.
    public static func removeLeftovers(in directory: String, prefix: String, suffix: String) throws(StorageError) -> [String] {
        let names = try StorageFiles.listDirectory(directory).filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }
        for name in names { try StorageFiles.remove(FileName.join(directory, name)) }
        return names
    }
}
