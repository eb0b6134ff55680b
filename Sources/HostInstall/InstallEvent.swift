/// What happens to one module's install, fed to `InstallCore.handle`.
public enum InstallEvent: Equatable, Sendable {
    /// A command from the leader, with the leader's term.
    case command(InstallCommand)
    /// The unpack step finished: the ports the target's manifest declares.
    case unpacked(port: Int?, alternatePort: Int?)
    /// The step in flight finished.
    case done(InstallStep)
    /// The step in flight failed, and why.
    case failed(InstallStep, reason: String)
    /// The agent started again with this record read from disk.
    case restarted
    /// A version of the record's `toStop` list was stopped (the shell retries them before a
    /// command and after a restart).
    case stopped(version: String)
}

/// A command from the leader for one module on this host, with the leader's term and the
/// module's command sequence: the leader numbers the commands of each module in increasing order
/// (within a term), and a host refuses one older than the newest it has seen.
public struct InstallCommand: Equatable, Sendable {
    public var operation: OperationID
    public var term: UInt64
    public var sequence: UInt64
    public var strategy: InstallStrategy

    public init(operation: OperationID, term: UInt64, sequence: UInt64, strategy: InstallStrategy) {
        self.operation = operation
        self.term = term
        self.sequence = sequence
        self.strategy = strategy
    }
}

/// What the core asks its shell to do, in order. After a step's action (`unpack`, `start`,
/// `stop`, `probe`, `link`) the shell reports `unpacked`, `done` or `failed` for it. `start` and
/// `stop` are idempotent on the process side: starting a version already running on that port
/// (say, adopted after a restart) and stopping one that is not running both succeed.
public enum InstallAction: Equatable, Sendable {
    /// Write the record durably before anything that follows.
    case persist(InstallRecord)
    case unpack(version: String)
    case start(version: String, port: Int?)
    case stop(version: String)
    case probe(version: String, port: Int?)
    /// Point `current` at the version; nil removes `current`.
    case link(version: String?)
    /// Remove every version directory but these.
    case prune(keeping: Set<String>)
    /// Answer the leader.
    case report(InstallResult)
}
