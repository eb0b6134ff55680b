import Primitives

/// What the host answers a command with, and what the leader records: the outcome, the version
/// serving afterwards and on which port (for a router to follow), and why, when it is not plain success.
public struct InstallResult: Equatable, Sendable {
    /// How an operation ended. Raw values are the record's bytes.
    public enum Outcome: UInt8, Sendable, CaseIterable {
        /// The target is committed (also when it already was).
        case installed = 1
        /// A step failed; the host switched back to the previous version.
        case failed = 2
        /// The command was not taken: a bad id, a stale term, nothing to switch back to.
        case refused = 3
        /// The agent restarted mid-operation and converged; the same command may run again.
        case interrupted = 4
        /// Another operation is in flight (or this one still is); nothing was done.
        case busy = 5
    }

    public var operation: OperationID
    public var outcome: Outcome
    public var active: ActiveVersion?
    public var reason: String?

    public init(operation: OperationID, outcome: Outcome, active: ActiveVersion?, reason: String? = nil) {
        self.operation = operation
        self.outcome = outcome
        self.active = active
        self.reason = reason.map { $0.truncated(toUTF8Bytes: InstallLimits.reasonBytesMaximum) }
    }
}
