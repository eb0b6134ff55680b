import Locking
import Primitives

/// How many artifact refusals `AgentArtifactServer` logs: at most `linesPerSecondMaximum` in any
/// one-second window, so an agent that asks again and again in a loop cannot flood the log (every
/// refusal is still counted in `hotswap_agent_artifact_requests_total`). A line logged after some
/// were not says how many. Safe from any thread.
final class RefusalLogBudget: Sendable {
    static let linesPerSecondMaximum = 10

    private struct State {
        var windowStart: MonotonicInstant?
        var usedInWindow = 0
        var suppressed = 0
    }

    private let state = Locked(State())

    /// Nil when this second's budget is spent; otherwise how many refusals went unlogged since the
    /// last logged one.
    func take(at now: MonotonicInstant) -> Int? {
        state.withLock { state in
            if let start = state.windowStart, start.duration(until: now) < .seconds(1) {
                guard state.usedInWindow < Self.linesPerSecondMaximum else {
                    state.suppressed += 1
                    return nil
                }
            } else {
                state.windowStart = now
                state.usedInWindow = 0
            }
            state.usedInWindow += 1
            defer { state.suppressed = 0 }
            return state.suppressed
        }
    }
}
