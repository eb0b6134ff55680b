import CLinux
import FileSystem
import Glibc
import Locking

/// What a supervisor and its watcher thread share: the status the caller reads, the caller's
/// request (run, stop, let go), and two eventfds: `wake` (drained by the watcher each time it
/// looks) and `stopped` (signalled once at a stop or let-go and never drained, so every probe or
/// pause waiting on it returns at once).
final class SupervisorCore: Sendable {
    enum Request: Equatable, Sendable {
        case run
        case stop(grace: Duration)
        /// The supervisor was released without `stop`: the watcher ends and the process keeps
        /// running, as it would if the agent were killed.
        case letGo
    }

    private struct Shared {
        var status = SupervisorStatus()
        var request = Request.run
    }

    let policy: SupervisionPolicy
    private let shared = Locked(Shared())
    let wakeDescriptor: Int32
    let stoppedDescriptor: Int32

    init(policy: SupervisionPolicy) throws(SupervisionError) {
        self.policy = policy
        let wake = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        let stopped = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wake >= 0, stopped >= 0 else {
            let reason = SystemErrorText.current()
            if wake >= 0 { close(wake) }
            if stopped >= 0 { close(stopped) }
            throw .system(operation: "eventfd", reason: reason)
        }
        wakeDescriptor = wake
        stoppedDescriptor = stopped
    }

    deinit {
        close(wakeDescriptor)
        close(stoppedDescriptor)
    }

    var status: SupervisorStatus { shared.withLock { $0.status } }
    var request: Request { shared.withLock { $0.request } }

    func update(_ change: (inout SupervisorStatus) -> Void) {
        shared.withLock { change(&$0.status) }
    }

    func record(_ event: SupervisorEvent, _ change: (inout SupervisorStatus) -> Void = { _ in }) {
        shared.withLock { shared in
            change(&shared.status)
            shared.status.append(event, maximum: policy.eventsMaximum)
        }
    }

    /// Sets the request unless one other than `run` is already set; wakes the watcher.
    func ask(_ request: Request) {
        shared.withLock { shared in
            if shared.request == .run { shared.request = request }
        }
        if request != .run { Self.signal(stoppedDescriptor) }
        Self.signal(wakeDescriptor)
    }

    static func signal(_ descriptor: Int32) {
        var one: UInt64 = 1
        _ = write(descriptor, &one, 8)
    }

    func drainWake() {
        var value: UInt64 = 0
        _ = read(wakeDescriptor, &value, 8)
    }
}
