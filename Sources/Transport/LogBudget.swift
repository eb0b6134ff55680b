import Locking
import Primitives

/// Allows at most a fixed number of log lines per second, and counts what it
/// held back so the next line can say how many were suppressed.
final class LogBudget: Sendable {
    private struct State {
        var windowStart = MonotonicInstant(nanoseconds: 0)
        var usedInWindow = 0
        var suppressed = 0
    }

    private let linesPerSecondMaximum: Int
    private let state = Locked(State())

    init(linesPerSecondMaximum: Int) {
        self.linesPerSecondMaximum = linesPerSecondMaximum
    }

    /// Nil when the budget is spent; otherwise how many lines were suppressed since the last allowed one.
    func take() -> Int? {
        let now = MonotonicInstant.now()
        return state.withLock { state in
            if now.nanoseconds >= state.windowStart.nanoseconds + 1_000_000_000 {
                state.windowStart = now
                state.usedInWindow = 0
            }
            guard state.usedInWindow < linesPerSecondMaximum else {
                state.suppressed += 1
                return nil
            }
            state.usedInWindow += 1
            defer { state.suppressed = 0 }
            return state.suppressed
        }
    }
}
