import Glibc
import Locking
import ModuleInstallation
import Primitives
import Transport

/// `bench module-switch`'s process side: passes every call to `SupervisedProcesses` and notes
/// when each began and ended on the monotonic clock, and how long each version took from its
/// start call (the spawn) to its first passing probe, found by a thread that runs the module's
/// own probe every `startProbeInterval` beside the installer's wait.
final class TimedProcesses: ModuleProcessControl {
    /// One call to the process side.
    struct Call: Sendable {
        enum Kind: Sendable { case start, stop, probe }
        let kind: Kind
        let version: String
        let began: MonotonicInstant
        let ended: MonotonicInstant
        let failed: Bool
    }

    static let startProbeInterval: Duration = .milliseconds(5)
    static let startProbeTimeout: Duration = .seconds(1)
    /// How long a start watch may run at most.
    static let startWatchMaximum: Duration = .seconds(10)

    let inner: SupervisedProcesses
    private let calls = Locked<[Call]>([])
    /// Version → the first passing probe of its start watch.
    private let firstPassing = Locked<[String: MonotonicInstant]>([:])
    /// Version → its start watch, joined when its probe step ends.
    private let watches = Locked<[String: (thread: NativeThread, done: Locked<Bool>)]>([:])

    init(_ inner: SupervisedProcesses) {
        self.inner = inner
    }

    /// The calls since the last `reset`, and each version's first passing probe.
    var recorded: (calls: [Call], firstPassing: [String: MonotonicInstant]) {
        (calls.withLock { $0 }, firstPassing.withLock { $0 })
    }

    func reset() {
        endWatches()
        calls.withLock { $0 = [] }
        firstPassing.withLock { $0 = [:] }
    }

    func start(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) -> ProcessStart {
        let began = MonotonicInstant.now()
        let started: ProcessStart
        do {
            started = try inner.start(module: module, version: version, directory: directory, port: port)
        } catch {
            note(.start, version, began, failed: true)
            throw error
        }
        note(.start, version, began, failed: false)
        watchStart(module: module, version: version)
        return started
    }

    func stop(module: String, version: String) throws(ProcessControlFailure) {
        let began = MonotonicInstant.now()
        do { try inner.stop(module: module, version: version) } catch {
            note(.stop, version, began, failed: true)
            throw error
        }
        note(.stop, version, began, failed: false)
    }

    func probe(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) {
        let began = MonotonicInstant.now()
        do { try inner.probe(module: module, version: version, directory: directory, port: port) } catch {
            note(.probe, version, began, failed: true)
            endWatch(version)
            throw error
        }
        note(.probe, version, began, failed: false)
        // Healthy: the start watch passes at its next probe, which may come after the installer's.
        endWatch(version, waitingForItsPass: true)
    }

    /// Ends and joins every start watch still running.
    func endWatches() {
        for version in watches.withLock({ Array($0.keys) }) { endWatch(version) }
    }

    private func note(_ kind: Call.Kind, _ version: String, _ began: MonotonicInstant, failed: Bool) {
        let call = Call(kind: kind, version: version, began: began, ended: MonotonicInstant.now(), failed: failed)
        calls.withLock { $0.append(call) }
    }

    /// Probes the version's process every `startProbeInterval` until a probe passes, the process
    /// is no longer running, or its probe step ends.
    private func watchStart(module: String, version: String) {
        endWatch(version)
        guard let supervisor = inner.supervisors(of: module)[version], supervisor.probe != nil else { return }
        let done = Locked(false)
        let firstPassing = firstPassing
        let giveUp = MonotonicInstant.now().advanced(by: Self.startWatchMaximum)
        let thread = NativeThread(name: "hs-bench-start") {
            while !done.withLock({ $0 }) && supervisor.status.state == .running && MonotonicInstant.now() < giveUp {
                if supervisor.probeOnce(timeout: Self.startProbeTimeout)?.healthy == true {
                    let now = MonotonicInstant.now()
                    firstPassing.withLock { $0[version] = now }
                    return
                }
                _ = poll(nil, 0, Int32(Self.startProbeInterval.wholeMilliseconds))
            }
        }
        watches.withLock { $0[version] = (thread, done) }
    }

    /// Ends the version's start watch and joins it; with `waitingForItsPass`, lets it run to its
    /// first passing probe (bounded by `startWatchMaximum`) instead of ending it at once.
    private func endWatch(_ version: String, waitingForItsPass: Bool = false) {
        guard let watch = watches.withLock({ $0.removeValue(forKey: version) }) else { return }
        if !waitingForItsPass { watch.done.withLock { $0 = true } }
        watch.thread.join()
    }
}
