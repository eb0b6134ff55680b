import Glibc
import Locking

/// The agent's data directory, created (mode 0700) if missing and held under
/// an exclusive `flock` on `DIR/agent.lock` for the agent's life, so two
/// agents never share one fencing term. The lock file holds the owner's pid
/// for the refusal message. Released by `unlock()` or when the value is.
public final class AgentDataDirectory: Sendable {
    public static let lockFileName = "agent.lock"
    public let path: String
    private let lockDescriptor: Locked<Int32?>

    public init(preparing path: String) throws(AgentStateError) {
        self.path = path
        try Self.ensureDirectory(path)
        let lockPath = "\(path)/\(Self.lockFileName)"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw .unwritable(path: lockPath, operation: "open", reason: SystemErrorText.current())
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let owner = Self.recordedPid(descriptor)
            close(descriptor)
            throw .locked(path: path, ownerPid: owner)
        }
        let pid = Array("\(getpid())\n".utf8)
        let written = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        guard written == pid.count, ftruncate(descriptor, off_t(pid.count)) == 0 else {
            let reason = SystemErrorText.current()
            close(descriptor)
            throw .unwritable(path: lockPath, operation: "write", reason: reason)
        }
        lockDescriptor = Locked(descriptor)
    }

    deinit {
        unlock()
    }

    /// Releases the lock (closing the lock file); another agent may then use the directory.
    public func unlock() {
        lockDescriptor.withLock { descriptor in
            if let open = descriptor { close(open) }
            descriptor = nil
        }
    }

    private static func ensureDirectory(_ path: String) throws(AgentStateError) {
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT else { throw .unusableDirectory(path: path, reason: SystemErrorText.current()) }
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
                throw .unusableDirectory(path: path, reason: "cannot create it: \(SystemErrorText.current())")
            }
            guard stat(path, &info) == 0 else { throw .unusableDirectory(path: path, reason: SystemErrorText.current()) }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .unusableDirectory(path: path, reason: "it is not a directory")
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw .unusableDirectory(path: path, reason: "it is not writable: \(SystemErrorText.current())")
        }
    }

    private static func recordedPid(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).trimmingTrailingWhitespace())
    }
}

/// `strerror(errno)`, read right after the failing call.
enum SystemErrorText {
    static func current() -> String { text(errno) }

    static func text(_ code: Int32) -> String { "\(String(cString: strerror(code))) (errno \(code))" }
}

extension StringProtocol {
    func trimmingTrailingWhitespace() -> String {
        var text = String(self)
        while let last = text.last, last == " " || last == "\n" || last == "\t" || last == "\r" { text.removeLast() }
        return text
    }
}
