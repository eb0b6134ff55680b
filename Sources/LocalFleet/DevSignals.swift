import Dispatch
import Glibc
import Locking
import Transport

/// Counts the SIGINT, SIGTERM and SIGHUP (its terminal closed) that
/// `hotswap dev` receives, and lets its main loop sleep until the next one:
/// the first asks for an orderly stop, a second one (an impatient Ctrl-C)
/// for SIGKILL of whatever is left.
public final class DevSignals {
    private let counter = Counter()
    private let watcher: SignalWatcher

    public init() {
        let counter = self.counter
        watcher = SignalWatcher([SIGINT: { counter.record() }, SIGTERM: { counter.record() }, SIGHUP: { counter.record() }])
    }

    /// Signals received so far.
    public var received: Int { counter.count }

    /// Sleeps up to `duration`; returns early, true, once any signal has been received.
    public func pause(_ duration: Duration) -> Bool {
        if received > 0 { return true }
        let milliseconds = Int(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000)
        _ = counter.wake.wait(timeout: .now() + .milliseconds(milliseconds))
        return received > 0
    }

    /// Stops watching (the signals stay ignored until dev exits).
    public func cancel() { watcher.cancel() }

    /// The count, shared with the signal queue.
    private final class Counter: Sendable {
        private let value = Locked(0)
        let wake = DispatchSemaphore(value: 0)

        var count: Int { value.withLock { $0 } }

        func record() {
            value.withLock { $0 += 1 }
            wake.signal()
        }
    }
}
