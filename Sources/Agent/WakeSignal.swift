import CLinux
import FileSystem
import Glibc
import Primitives
import Transport

/// An eventfd one thread waits on (bounded by a deadline) and any thread wakes: how the module
/// worker learns of a queued order or an artifact frame without polling.
final class WakeSignal: Sendable {
    private let descriptor: Int32

    init() throws(AgentModulesError) {
        let made = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard made >= 0 else { throw AgentModulesError("eventfd: \(SystemErrorText.current())") }
        descriptor = made
    }

    deinit { close(descriptor) }

    /// Wakes the waiter (or makes its next wait return at once).
    func notify() {
        var one: UInt64 = 1
        _ = write(descriptor, &one, 8)
    }

    /// Waits until notified or `deadline` (nil: no deadline), then clears the signal. True when notified.
    @discardableResult
    func wait(until deadline: MonotonicInstant?) -> Bool {
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let left = MonotonicInstant.now().duration(until: deadline)
                timeout = Int32(clamping: (left.wholeNanoseconds + 999_999) / 1_000_000)
            }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, timeout)
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { return false }
            var value: UInt64 = 0
            _ = read(descriptor, &value, 8)
            return true
        }
    }
}

/// Why the agent cannot take up its modules at start (`DATA/modules`, `DATA/artifacts`, the
/// process control, a thread's signal): one sentence naming what failed.
public struct AgentModulesError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
