/// Whether a failed attempt starts a new run of failures, for counters of background work that
/// retries until it succeeds (address publication, ticket-key proposals, learner promotions): a
/// retry every tick while the leader is unreachable is one failure to an operator, not hundreds.
/// A run starts at a failure after a success (or at the first), or at one whose target — what
/// the work was trying to do — differs from the previous failure's.
public struct FailureRun<Target: Equatable> {
    /// The target of the failing run; nil while none runs.
    private var failing: Target?

    public init() {}

    /// Notes a failed attempt at `target`; true when it starts a run (count it).
    public mutating func failed(_ target: Target) -> Bool {
        defer { failing = target }
        return failing != target
    }

    /// Notes a successful attempt: the next failure starts a run.
    public mutating func succeeded() {
        failing = nil
    }
}
