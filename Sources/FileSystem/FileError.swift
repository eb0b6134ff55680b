import Glibc

/// Why a file-system helper failed, naming the path; callers with their own
/// error type map these into it, keeping the operation and errno.
public enum FileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed: `operation` names it as the message shows it.
    case system(operation: String, path: String, errno: Int32)
    /// A whole-file read found more than `maximumBytes`.
    case tooLarge(path: String, maximumBytes: Int)
    /// Something other than a directory is where a directory must be.
    case notDirectory(path: String)
    /// A pipe, a terminal, a device or a directory where a regular file must be (`kind` says
    /// which): never read.
    case notRegularFile(path: String, kind: FileKind)
    /// Another open file description holds the lock file's `flock`;
    /// `holderPid` is the pid it recorded, nil when it names none.
    case locked(path: String, holderPid: Int32?)

    /// The errno of a failed system call; nil for the other cases.
    public var errno: Int32? {
        if case let .system(_, _, code) = self { return code }
        return nil
    }

    /// Why, for a caller that names the path itself: the errno's text
    /// ("No such file or directory (errno 2)"), or the whole description.
    public var reason: String {
        errno.map(SystemErrorText.text) ?? description
    }

    /// `reason` without the errno number ("No such file or directory").
    public var plainReason: String {
        errno.map(SystemErrorText.message) ?? description
    }

    public var description: String {
        switch self {
        case let .system(operation, path, code):
            "\(operation) \(path) failed: \(SystemErrorText.text(code))"
        case let .tooLarge(path, maximumBytes):
            "\(path) is larger than \(maximumBytes) bytes"
        case let .notDirectory(path):
            "\(path) is not a directory"
        case let .notRegularFile(path, kind):
            "\(path) is \(kind), not a regular file, the only kind read"
        case let .locked(path, holderPid):
            "\(path) is locked by " + (holderPid.map { "pid \($0)" } ?? "a process that recorded no pid")
        }
    }
}
