/// Why the agent cannot use its data directory or the term it keeps there.
/// Each message names the path and what an operator can do.
public enum AgentStateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data directory is missing and cannot be made, is not a directory, or is not writable.
    case unusableDirectory(path: String, reason: String)
    /// Another agent holds the directory's lock.
    case locked(path: String, ownerPid: Int32?)
    /// A file exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// The term file holds something other than a term.
    case malformedTerm(path: String, detail: String)
    /// Writing, syncing or renaming failed.
    case unwritable(path: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case let .unusableDirectory(path, reason):
            "data directory \(path) cannot be used: \(reason); give --data-dir a writable directory whose parent exists"
        case let .locked(path, ownerPid):
            "data directory \(path) is in use by another agent" + (ownerPid.map { " (pid \($0))" } ?? "")
                + "; stop it or give this agent its own --data-dir"
        case let .unreadable(path, reason):
            "cannot read \(path): \(reason); check its permissions"
        case let .malformedTerm(path, detail):
            "\(path) does not hold a leader term (\(detail)); the agent will not guess the fencing term. "
                + "Restore the file, or remove it only if no deposed coordinator can still reach this agent"
        case let .unwritable(path, operation, reason):
            "cannot \(operation) \(path): \(reason); check the data directory is writable and has free space"
        }
    }
}
