import CLinux
import FileSystem
import Glibc
import Locking
import Telemetry
import Transport

/// Runs the modules' health probes on one thread the agent owns, so the
/// event loop never waits on a module. The loop asks for a round each
/// interval (`requestRound`, which never blocks; a request while a round
/// runs is coalesced into one more round) and takes the results completed
/// since its last take (`takeResults`). `stop` interrupts a probe in flight
/// and joins the thread. Each round probes the watched modules' endpoints,
/// then those `installedTargets` gives at that moment (installed modules not
/// also watched).
public final class HealthProber: Sendable {
    struct Target: Sendable {
        let module: String
        let endpoint: HealthEndpoint
    }

    private struct State {
        var roundRequested = false
        var stopping = false
        var results: [String: ProbeResult] = [:]
    }

    private let targets: [Target]
    private let installedTargets: @Sendable () -> [Target]
    private let timeout: Duration
    private let state = Locked(State())
    /// Signalled to start a round.
    private let workDescriptor: Int32
    /// Signalled once, at stop; stays readable so every later wait returns.
    private let stopDescriptor: Int32
    private let thread = Locked<NativeThread?>(nil)

    init(targets: [Target], timeout: Duration, installedTargets: @escaping @Sendable () -> [Target] = { [] }) throws(CollectorError) {
        self.targets = targets
        self.installedTargets = installedTargets
        self.timeout = timeout
        let work = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        let stop = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard work >= 0, stop >= 0 else {
            let reason = SystemErrorText.current()
            if work >= 0 { close(work) }
            if stop >= 0 { close(stop) }
            throw .unreadable(path: "eventfd", reason: reason)
        }
        workDescriptor = work
        stopDescriptor = stop
    }

    deinit {
        close(workDescriptor)
        close(stopDescriptor)
    }

    func start() {
        thread.withLock { thread in
            guard thread == nil else { return }
            thread = NativeThread(name: "hs-prober") { [self] in run() }
        }
    }

    /// Asks for one round of probes; returns at once.
    func requestRound() {
        state.withLock { $0.roundRequested = true }
        notify(workDescriptor)
    }

    /// Results completed since the previous call, by module name.
    func takeResults() -> [String: ProbeResult] {
        state.withLock { state in
            defer { state.results.removeAll(keepingCapacity: true) }
            return state.results
        }
    }

    /// Interrupts any probe in flight and waits for the thread to end.
    func stop() {
        state.withLock { $0.stopping = true }
        notify(stopDescriptor)
        let running = thread.withLock { thread in
            defer { thread = nil }
            return thread
        }
        running?.join()
    }

    private func run() {
        while true {
            var descriptors = [pollfd(fd: workDescriptor, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: stopDescriptor, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&descriptors, 2, -1)
            if ready < 0, errno != EINTR { return }
            drain(workDescriptor)
            let (requested, stopping) = state.withLock { state in
                defer { state.roundRequested = false }
                return (state.roundRequested, state.stopping)
            }
            if stopping { return }
            if requested { runRound() }
        }
    }

    private func runRound() {
        let watched = Set(targets.map(\.module))
        for target in targets + installedTargets().filter({ !watched.contains($0.module) }) {
            let result = HTTPProbe.run(target.endpoint, timeout: timeout, interruptDescriptor: stopDescriptor)
            let stopping = state.withLock { state in
                if !state.stopping { state.results[target.module] = result }
                return state.stopping
            }
            if stopping { return }
        }
    }

    private func notify(_ descriptor: Int32) {
        var one: UInt64 = 1
        _ = write(descriptor, &one, 8)
    }

    private func drain(_ descriptor: Int32) {
        var value: UInt64 = 0
        _ = read(descriptor, &value, 8)
    }
}
