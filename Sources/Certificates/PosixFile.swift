import FileSystem
import Glibc

/// The few file operations certificates need, done with POSIX calls (and the
/// shared `FileSystem` helpers) so that creation is exclusive and modes are
/// exact regardless of the umask; failures become `CertificateError`s.
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
        do {
            return try FileReader.read(path, maximumBytes: readSizeMaximumBytes)
        } catch let .system(_, _, code) where code == ENOENT {
            throw .fileMissing(path)
        } catch .tooLarge {
            throw .unreadable(path, reason: "larger than \(readSizeMaximumBytes) bytes")
        } catch {
            throw .unreadable(path, reason: error.plainReason)
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
        do {
            try Directory.ensure(path)
        } catch .notDirectory {
            throw .unwritable(path, reason: "it exists and is not a directory")
        } catch {
            throw .unwritable(path, reason: error.plainReason)
        }
    }

    /// Syncs a directory so that files just created in it survive a crash.
    static func syncDirectory(_ path: String) throws(CertificateError) {
        do {
            try Directory.sync(path)
        } catch {
            throw .unwritable(path, reason: error.plainReason)
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
        do {
            try DescriptorIO.writeAll(descriptor, bytes, path: path)
        } catch {
            throw .unwritable(path, reason: error.plainReason)
        }
        guard fsync(descriptor) == 0 else {
            throw .unwritable(path, reason: reason(errno))
        }
    }

    private static func reason(_ code: Int32) -> String {
        SystemErrorText.message(code)
    }
}
