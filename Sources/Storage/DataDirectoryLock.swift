import Glibc
import Locking

/// An exclusive `flock` on `DIR/LOCK`, so that two processes can never use
/// one data directory at once. The file records the holder's pid for the
/// error the next contender gets. The kernel drops the lock if the process
/// dies, so a crash never leaves it stale.
public final class DataDirectoryLock: Sendable {
    /// Bytes of the LOCK file read to name its holder.
    static let holderReadMaximumBytes = 64

    public let directory: String
    private let descriptor: Locked<Int32>

    private init(directory: String, descriptor: Int32) {
        self.directory = directory
        self.descriptor = Locked(descriptor)
    }

    deinit {
        release()
    }

    /// Takes the lock without waiting; refuses with `.locked` naming the
    /// holder's pid if anyone (another process, or another acquire in this
    /// one) has it. Creates the directory if missing.
    public static func acquire(directory: String) throws(StorageError) -> DataDirectoryLock {
        try FileSystem.makeDirectory(directory)
        let path = FileName.join(directory, FileName.lock)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, FileSystem.fileMode)
        guard descriptor >= 0 else { throw .writing("open", path: path, errno: errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = code == EWOULDBLOCK ? holderDescription(descriptor) : nil
            close(descriptor)
            if let holder { throw .locked(directory: directory, holder: holder) }
            throw .io(operation: "flock", path: path, errno: code)
        }
        do throws(StorageError) {
            let pid = Array("\(getpid())\n".utf8)
            try FileSystem.truncate(descriptor, toBytes: 0, path: path)
            try FileSystem.writeAll(descriptor, pid, at: 0, path: path)
        } catch {
            close(descriptor)
            throw error
        }
        return DataDirectoryLock(directory: directory, descriptor: descriptor)
    }

    /// Releases the lock; calling it again does nothing.
    public func release() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    private static func holderDescription(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: holderReadMaximumBytes)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, 0) }
        let text = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
        let pid = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return pid.isEmpty || !pid.allSatisfy(\.isNumber) ? "an unknown process (LOCK names no pid)" : "pid \(pid)"
    }
}
