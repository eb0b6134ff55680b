import Glibc

/// A small file handed over by path that holds a secret (a password, a token, a private key),
/// read whole from the one descriptor its checks look at: opened non-blocking and without
/// becoming a controlling terminal, so a FIFO or a terminal is refused at once, never waited on;
/// `status` is that descriptor's `fstat`, so a caller's checks of type, mode and owner hold for
/// the bytes `read` returns, whatever the path names by then. A symbolic link is followed unless
/// told otherwise (a Kubernetes Secret volume's file is one). One owner; closes on release.
public final class SecretFile {
    public let path: String
    /// What `fstat` showed of the open file.
    public let status: stat
    private let descriptor: Int32

    private init(path: String, status: stat, descriptor: Int32) {
        self.path = path
        self.status = status
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Opens `path` for reading; with `followingSymlinks` false a symbolic link is refused (`ELOOP`).
    public static func open(_ path: String, followingSymlinks: Bool = true) throws(FileError) -> SecretFile {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (followingSymlinks ? 0 : O_NOFOLLOW)
        let (descriptor, code) = InterruptedCall.retrying { Glibc.open(path, flags) }
        guard descriptor >= 0 else { throw .system(operation: "open", path: path, errno: code) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw .system(operation: "fstat", path: path, errno: code)
        }
        return SecretFile(path: path, status: status, descriptor: descriptor)
    }

    /// Whether it is a regular file, the only kind `read` reads.
    public var isRegular: Bool { kind == .regular }

    /// What kind of file it is.
    public var kind: FileKind { FileKind(mode: status.st_mode) }

    /// Its permission bits (`st_mode & 0o7777`).
    public var mode: UInt32 { status.st_mode & 0o7777 }

    /// The whole file: `.notRegularFile` for anything but a regular file, `.tooLarge` past
    /// `maximumBytes` (one byte more is read to tell).
    public func read(maximumBytes: Int) throws(FileError) -> [UInt8] {
        guard isRegular else { throw .notRegularFile(path: path, kind: kind) }
        let bytes = try DescriptorIO.read(descriptor, upTo: maximumBytes + 1, path: path)
        guard bytes.count <= maximumBytes else { throw .tooLarge(path: path, maximumBytes: maximumBytes) }
        return bytes
    }
}
