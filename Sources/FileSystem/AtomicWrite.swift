import Glibc

/// Replaces a whole small file so that a reader, or a crash at any point, sees either the old
/// bytes or the new ones with exactly `mode` (whatever the umask): a temporary file of this
/// process next to it (created exclusively, never through a link), fsync, rename over the name,
/// fsync the directory. A failure removes the temporary file.
public enum AtomicWrite {
    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t) throws(FileError) {
        let temporaryPath = "\(path).\(getpid()).tmp"
        guard unlink(temporaryPath) == 0 || errno == ENOENT else {
            throw .system(operation: "unlink", path: temporaryPath, errno: errno)
        }
        let (descriptor, code) = InterruptedCall.retrying {
            open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        }
        guard descriptor >= 0 else { throw .system(operation: "create", path: temporaryPath, errno: code) }
        do throws(FileError) {
            guard fchmod(descriptor, mode) == 0 else { throw .system(operation: "chmod", path: temporaryPath, errno: errno) }
            try DescriptorIO.writeAll(descriptor, bytes, path: temporaryPath)
            guard fsync(descriptor) == 0 else { throw .system(operation: "fsync", path: temporaryPath, errno: errno) }
        } catch {
            close(descriptor)
            unlink(temporaryPath)
            throw error
        }
        guard close(descriptor) == 0 else {
            let code = errno
            unlink(temporaryPath)
            throw .system(operation: "close", path: temporaryPath, errno: code)
        }
        guard rename(temporaryPath, path) == 0 else {
            let code = errno
            unlink(temporaryPath)
            throw .system(operation: "rename to", path: path, errno: code)
        }
        try Directory.sync(Directory.parent(of: path))
    }
}
