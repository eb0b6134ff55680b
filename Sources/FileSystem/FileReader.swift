import Glibc

/// Reads whole files, bounded: until end of file, never trusting the size
/// `fstat` reports (a `/proc` file reports 0), and refusing more than the
/// caller's maximum. An instance keeps its scratch buffer between reads, so
/// a collector reading `/proc` every interval allocates no large buffer each
/// time; a `/proc` file read in one call into a buffer larger than it is one
/// consistent snapshot. One owner; not thread-safe.
public final class FileReader {
    public static let initialBytes = 16 << 10

    private var scratch: [UInt8]

    public init(initialBytes: Int = FileReader.initialBytes) {
        precondition(initialBytes > 0, "a reader needs a scratch buffer")
        scratch = [UInt8](repeating: 0, count: initialBytes)
    }

    /// The whole file at `path` into a buffer of its own, sized from what
    /// `fstat` reports (a regular file over `maximumBytes` is refused unread).
    public static func read(_ path: String, maximumBytes: Int, followingSymlinks: Bool = true) throws(FileError) -> [UInt8] {
        precondition(maximumBytes >= 0, "a negative read limit")
        let descriptor = try open(path, followingSymlinks: followingSymlinks)
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .system(operation: "fstat", path: path, errno: errno) }
        let reported = status.st_mode & S_IFMT == S_IFREG ? Int(status.st_size) : 0
        guard reported <= maximumBytes else { throw .tooLarge(path: path, maximumBytes: maximumBytes) }
        // One byte past the reported size, to see end of file in the same pass; `min` first, so an
        // unbounded read (`maximumBytes: .max`) cannot overflow.
        var buffer = [UInt8](repeating: 0, count: reported > 0 ? reported + 1 : min(maximumBytes, initialBytes - 1) + 1)
        let count = try readAll(descriptor, into: &buffer, maximumBytes: maximumBytes, path: path)
        buffer.removeSubrange(count...)
        return buffer
    }

    /// The whole file at `path`; `.tooLarge` past `maximumBytes`. With
    /// `followingSymlinks` false a symbolic link is refused (`ELOOP`).
    public func read(_ path: String, maximumBytes: Int, followingSymlinks: Bool = true) throws(FileError) -> [UInt8] {
        let descriptor = try Self.open(path, followingSymlinks: followingSymlinks)
        defer { close(descriptor) }
        let count = try Self.readAll(descriptor, into: &scratch, maximumBytes: maximumBytes, path: path)
        return Array(scratch[0..<count])
    }

    private static func open(_ path: String, followingSymlinks: Bool) throws(FileError) -> Int32 {
        let flags = O_RDONLY | O_CLOEXEC | (followingSymlinks ? 0 : O_NOFOLLOW)
        let (descriptor, code) = InterruptedCall.retrying { Glibc.open(path, flags) }
        guard descriptor >= 0 else { throw .system(operation: "open", path: path, errno: code) }
        return descriptor
    }

    /// Reads to end of file into `buffer`, doubling it when full; returns the byte count.
    private static func readAll(_ descriptor: Int32, into buffer: inout [UInt8], maximumBytes: Int,
                                path: String) throws(FileError) -> Int {
        precondition(!buffer.isEmpty, "a read needs room for at least one byte")
        var count = 0
        while true {
            if count == buffer.count {
                guard count <= maximumBytes else { throw .tooLarge(path: path, maximumBytes: maximumBytes) }
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
            let (got, code) = InterruptedCall.retrying {
                buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count) }
            }
            if got == 0 { break }
            guard got > 0 else { throw .system(operation: "read", path: path, errno: code) }
            count += got
        }
        guard count <= maximumBytes else { throw .tooLarge(path: path, maximumBytes: maximumBytes) }
        return count
    }
}
