import Glibc
import Locking

/// An exclusive `flock` on a lock file that records the holder's pid, so two
/// processes (or two opens in one) never use what it guards at once, and
/// the one refused learns who holds it. The kernel drops the lock when the
/// holder dies, so a crash never leaves it stale. Released by `release()`
/// or when the value is.
public final class FileLock: Sendable {
    /// Bytes of the lock file read to name its holder.
    static let holderReadMaximumBytes = 64
    public static let fileMode: mode_t = 0o600

    public let path: String
    private let descriptor: Locked<Int32>

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Locked(descriptor)
    }

    deinit {
        release()
    }

    /// Takes the lock on `path` (created 0600 if missing, never through a
    /// symbolic link) without waiting, and writes this process's pid to it.
    /// `.locked` names the holder when anyone else has it.
    public static func acquire(_ path: String) throws(FileError) -> FileLock {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, fileMode)
        guard descriptor >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = code == EWOULDBLOCK ? holderPid(descriptor, path: path) : nil
            close(descriptor)
            if code == EWOULDBLOCK { throw .locked(path: path, holderPid: holder) }
            throw .system(operation: "flock", path: path, errno: code)
        }
        do throws(FileError) {
            guard ftruncate(descriptor, 0) == 0 else { throw .system(operation: "ftruncate", path: path, errno: errno) }
            try DescriptorIO.writeAll(descriptor, Array("\(getpid())\n".utf8), atOffset: 0, path: path)
        } catch {
            close(descriptor)
            throw error
        }
        return FileLock(path: path, descriptor: descriptor)
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

    /// The pid on the lock file's first line; nil when it holds none (a
    /// holder between its `flock` and its write, or an unreadable file).
    static func holderPid(_ descriptor: Int32, path: String) -> Int32? {
        let bytes: [UInt8]
        do {
            bytes = try DescriptorIO.read(descriptor, upTo: holderReadMaximumBytes, atOffset: 0, path: path)
        } catch {
            return nil
        }
        let firstLine = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first ?? ""
        guard !firstLine.isEmpty, firstLine.allSatisfy(\.isASCII), firstLine.allSatisfy(\.isNumber) else { return nil }
        return Int32(firstLine)
    }
}
