import Glibc

/// The few file operations certificates need, done with POSIX calls so that
/// creation is exclusive and modes are exact regardless of the umask.
enum PosixFile {
    /// Certificates and keys are a few kilobytes; anything larger is not ours.
    static let readSizeMaximumBytes = 1 << 20

    /// True if anything, even a dangling symlink, occupies `path`.
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// Reads a whole small file, distinguishing a missing file from an unreadable one.
    static func read(_ path: String) throws(CertificateError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT {
                throw .fileMissing(path)
            }
            throw .unreadable(path, reason: reason(code))
        }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR {
                    continue
                }
                throw .unreadable(path, reason: reason(errno))
            }
            if count == 0 {
                return contents
            }
            contents.append(contentsOf: chunk[0..<count])
            guard contents.count <= readSizeMaximumBytes else {
                throw .unreadable(path, reason: "larger than \(readSizeMaximumBytes) bytes")
            }
        }
    }

    /// Creates `path` with exactly `mode`, writes `bytes` and syncs them; fails with
    /// `fileExists` rather than replace anything. Never leaves a partial file behind.
    static func createExclusive(_ path: String, bytes: [UInt8], mode: mode_t) throws(CertificateError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST {
                throw .fileExists(path)
            }
            throw .unwritable(path, reason: reason(code))
        }
        do throws(CertificateError) {
            try fill(descriptor, path: path, bytes: bytes, mode: mode)
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(path)
            throw .unwritable(path, reason: reason(code))
        }
    }

    /// Creates `path` as a 0700 directory if nothing is there; accepts an existing directory.
    static func ensureDirectory(_ path: String) throws(CertificateError) {
        var status = stat()
        if stat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                throw .unwritable(path, reason: "it exists and is not a directory")
            }
            return
        }
        guard mkdir(path, 0o700) == 0, chmod(path, 0o700) == 0 else {
            throw .unwritable(path, reason: reason(errno))
        }
    }

    /// Syncs a directory so that files just created in it survive a crash.
    static func syncDirectory(_ path: String) throws(CertificateError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .unwritable(path, reason: reason(errno))
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw .unwritable(path, reason: reason(errno))
        }
    }

    /// Removes a file this process created; used to undo a half-finished pair.
    static func remove(_ path: String) {
        unlink(path)
    }

    private static func fill(
        _ descriptor: Int32, path: String, bytes: [UInt8], mode: mode_t
    ) throws(CertificateError) {
        guard fchmod(descriptor, mode) == 0 else {
            throw .unwritable(path, reason: reason(errno))
        }
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR {
                    continue
                }
                throw .unwritable(path, reason: reason(errno))
            }
            offset += count
        }
        guard fsync(descriptor) == 0 else {
            throw .unwritable(path, reason: reason(errno))
        }
    }

    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
