import FileSystem
import Glibc

/// The agent's data directory, created (mode 0700) if missing and held under
/// an exclusive `flock` on `DIR/agent.lock` (a shared `FileLock`, which
/// records the owner's pid for the refusal message) for the agent's life, so
/// two agents never share one fencing term. Released by `unlock()` or when
/// the value is.
public final class AgentDataDirectory: Sendable {
    public static let lockFileName = "agent.lock"
    public let path: String
    private let lock: FileLock

    public init(preparing path: String) throws(AgentStateError) {
        self.path = path
        try Self.ensureDirectory(path)
        do {
            lock = try FileLock.acquire("\(path)/\(Self.lockFileName)")
        } catch let .locked(_, holderPid) {
            throw .locked(path: path, ownerPid: holderPid)
        } catch let .system(operation, _, _) where operation == "flock" {
            throw .locked(path: path, ownerPid: nil)
        } catch let .system(operation, lockPath, code) {
            throw .unwritable(path: lockPath, operation: operation == "open" ? "open" : "write", reason: SystemErrorText.text(code))
        } catch {
            throw .unusableDirectory(path: path, reason: error.description)
        }
    }

    /// Releases the lock (closing the lock file); another agent may then use the directory.
    public func unlock() {
        lock.release()
    }

    private static func ensureDirectory(_ path: String) throws(AgentStateError) {
        do {
            try Directory.ensure(path)
            try Directory.requireAccess(path, W_OK | X_OK)
        } catch .notDirectory {
            throw .unusableDirectory(path: path, reason: "it is not a directory")
        } catch let .system(operation, _, code) where operation == "access" {
            throw .unusableDirectory(path: path, reason: "it is not writable: \(SystemErrorText.text(code))")
        } catch let .system(operation, _, code) where operation == "mkdir" || operation == "chmod" {
            throw .unusableDirectory(path: path, reason: "cannot create it: \(SystemErrorText.text(code))")
        } catch {
            throw .unusableDirectory(path: path, reason: error.reason)
        }
    }
}

extension StringProtocol {
    func trimmingTrailingWhitespace() -> String {
        var text = String(self)
        while let last = text.last, last == " " || last == "\n" || last == "\t" || last == "\r" { text.removeLast() }
        return text
    }
}
