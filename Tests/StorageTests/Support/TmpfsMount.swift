import Glibc

/// A small tmpfs mounted on a fresh temporary directory, so that a test can
/// fill a real file system or make it read-only. Needs CAP_SYS_ADMIN.
struct TmpfsMount {
    let directory: TemporaryDirectory

    /// nil, with the reason, when this machine does not let us mount.
    static func make(sizeBytes: Int) throws -> (TmpfsMount?, String) {
        let directory = try TemporaryDirectory()
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=\(sizeBytes),mode=0700") == 0 else {
            let reason = "mount -t tmpfs failed: \(String(cString: strerror(errno))) (needs root / CAP_SYS_ADMIN)"
            directory.remove()
            return (nil, reason)
        }
        return (TmpfsMount(directory: directory), "")
    }

    var path: String { directory.path }

    func resize(toBytes sizeBytes: Int) throws {
        try remount(flags: 0, options: "size=\(sizeBytes)")
    }

    func makeReadOnly() throws {
        try remount(flags: UInt(MS_RDONLY), options: "")
    }

    func makeWritable() throws {
        try remount(flags: 0, options: "")
    }

    func unmount() {
        umount2(path, Int32(MNT_DETACH))
        directory.remove()
    }

    private func remount(flags: UInt, options: String) throws {
        guard mount("tmpfs", path, "tmpfs", UInt(MS_REMOUNT) | flags, options) == 0 else {
            throw Failure("remount \(path) (\(options)): \(String(cString: strerror(errno)))")
        }
    }
}
