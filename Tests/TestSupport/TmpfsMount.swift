import Glibc
import Testing

/// A small tmpfs mounted on a fresh temporary directory, so that a test can
/// fill a real file system or make it read-only. Needs CAP_SYS_ADMIN.
public struct TmpfsMount: Sendable {
    /// A remount the kernel refused.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let directory: TemporaryDirectory

    /// nil, with the reason, when this machine does not let us mount.
    public static func make(sizeBytes: Int) throws -> (TmpfsMount?, String) {
        let directory = TemporaryDirectory()
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=\(sizeBytes),mode=0700") == 0 else {
            let reason = "mount -t tmpfs failed: \(String(cString: strerror(errno))) (needs root / CAP_SYS_ADMIN)"
            directory.remove()
            return (nil, reason)
        }
        return (TmpfsMount(directory: directory), "")
    }

    /// A mount, or the test cancelled (failed where prerequisites are required) when this
    /// machine does not let us mount.
    public static func makeOrCancel(sizeBytes: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> TmpfsMount {
        let (mount, reason) = try make(sizeBytes: sizeBytes)
        try Prerequisite.require(mount != nil, reason, sourceLocation: sourceLocation)
        guard let mount else { throw Failure(description: reason) }
        return mount
    }

    public var path: String { directory.path }

    public func resize(toBytes sizeBytes: Int) throws {
        try remount(flags: 0, options: "size=\(sizeBytes)")
    }

    public func makeReadOnly() throws {
        try remount(flags: UInt(MS_RDONLY), options: "")
    }

    public func makeWritable() throws {
        try remount(flags: 0, options: "")
    }

    public func unmount() {
        umount2(path, Int32(MNT_DETACH))
        directory.remove()
    }

    /// Tests in the same process spawn children; a child holds a copy of
    /// the descriptor table (this file system's files too) until it execs,
    /// and a read-only remount meanwhile fails with EBUSY. So EBUSY is
    /// retried, a bounded number of times.
    private func remount(flags: UInt, options: String) throws {
        var code: Int32 = 0
        for _ in 1...Self.busyRetriesMaximum {
            if mount("tmpfs", path, "tmpfs", UInt(MS_REMOUNT) | flags, options) == 0 { return }
            code = errno
            guard code == EBUSY else { break }
            usleep(Self.busyRetryMicroseconds)
        }
        throw Failure(description: "remount \(path) (\(options)): \(String(cString: strerror(code)))")
    }

    private static let busyRetriesMaximum = 100
    private static let busyRetryMicroseconds: UInt32 = 20_000
}
