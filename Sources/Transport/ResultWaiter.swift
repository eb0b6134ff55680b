import Dispatch
import Locking

/// One value handed from an event loop to a thread that waits for it, for code that may not
/// import Dispatch itself (the agent): the first `deliver` wins, later ones are dropped, and
/// `wait` blocks until there is a value. The deliverer must be sure to deliver (a connection's
/// close always comes, bounded by its timeouts).
public final class ResultWaiter<Value: Sendable>: Sendable {
    private let value = Locked<Value?>(nil)
    private let delivered = DispatchSemaphore(value: 0)

    public init() {}

    /// Keeps `result` unless a value was delivered before; wakes the waiter either way once.
    public func deliver(_ result: Value) {
        let first = value.withLock { current in
            guard current == nil else { return false }
            current = result
            return true
        }
        if first { delivered.signal() }
    }

    /// The delivered value, once there is one.
    public func wait() -> Value {
        delivered.wait()
        delivered.signal()
        return value.withLock { $0 }!
    }
}
