import Glibc
import Locking
import Primitives

/// The calls in flight of a `SupervisedProcesses`, and its closing: once closed no call enters,
/// and `drain` waits (bounded) for the calls in flight to leave. When they outlast the wait, the
/// rest of the closing (releasing the directory lock) is handed to the last call to leave, so the
/// lock is never released while a call may still write a processes file or end a process.
final class OperationGate: Sendable {
    private struct State {
        var closed = false
        var inFlight = 0
        var handedOver = false
    }

    /// How often `drain` looks whether the calls in flight have left.
    static let drainInterval: Duration = .milliseconds(5)

    private let state = Locked(State())

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Counts a call in; false once the gate is closed (the call must not run).
    func enter() -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.inFlight += 1
            return true
        }
    }

    /// Counts a call out; true when it was the last call in flight of a gate whose closing was
    /// handed over to it: the caller then finishes the closing.
    func leave() -> Bool {
        state.withLock { state in
            precondition(state.inFlight > 0, "a call left that never entered")
            state.inFlight -= 1
            guard state.inFlight == 0, state.handedOver else { return false }
            state.handedOver = false
            return true
        }
    }

    /// Closes the gate; false when it was closed already.
    func close() -> Bool {
        state.withLock { state in
            defer { state.closed = true }
            return !state.closed
        }
    }

    /// Waits until no call is in flight or `deadline` passes. True when none is; false when some
    /// still are, and then the last of them to leave is told to finish the closing (`leave`).
    func drain(until deadline: MonotonicInstant) -> Bool {
        while true {
            let idle = state.withLock { state -> Bool? in
                if state.inFlight == 0 { return true }
                guard MonotonicInstant.now() < deadline else {
                    state.handedOver = true
                    return false
                }
                return nil
            }
            if let idle { return idle }
            _ = poll(nil, 0, Int32(Self.drainInterval.wholeMilliseconds))
        }
    }
}
