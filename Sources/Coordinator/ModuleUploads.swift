import Dispatch
import Locking
import ModuleArchive
import Observability
import Transport

/// The coordinator's module uploads (Docs/MODULES.md, "Uploading and listing"): the store in
/// `DATA/modules/`, and one disk thread that writes uploads' pieces, checks complete artifacts and
/// puts them in place. Bounded: at most `concurrentMaximum` uploads at a time and
/// `perCallerMaximum` of one caller, each with at most one job queued or running and one discard,
/// plus the `ArtifactServer`'s prepares, the agents' artifact transfers (`AgentArtifactServer`,
/// each holding its slot until its job answered) and `ArtifactCollection`'s one removal, which
/// hold no upload slot (so the queue never holds more than `queueMaximum`), and each holding at most
/// `pendingBytesMaximum` (plus one read) while its job runs: past that its receiver pauses reading
/// the client. A download from another member cannot pause its link and holds up to
/// `ArtifactDownload.pendingBytesMaximum` more. `stop` answers the
/// queued jobs as stopping, cancels the running one between pieces, joins the thread, runs the
/// queued discards itself (close and unlink) and closes the store. Storage failures are logged and every upload's end is counted
/// (`hotswap_module_uploads_total{result}`).
final class ModuleUploads: Sendable {
    static let concurrentMaximum = 4
    static let perCallerMaximum = 2
    static let pendingBytesMaximum = 1 << 20
    /// Each upload holds a job and a discard, each agent artifact transfer one job (its pass or a
    /// read: its slot is freed only once that job answered), and the collection one removal.
    static let queueMaximum = 2 * concurrentMaximum + ArtifactServer.preparesMaximum + AgentArtifactServer.transfersMaximum
        + ArtifactCollection.removalsMaximum
    /// The upload route's rate floor, after the body's stall-timeout grace: a 512 MiB artifact
    /// must arrive within about 2 h 20 min of unpaused time.
    static let minimumBytesPerSecond = 64 << 10

    /// How an upload ended, as counted.
    enum Result: String, CaseIterable, Sendable {
        /// Checked, stored and proposed for the record.
        case stored
        /// Refused for what was sent: the head, the artifact, a conflict with the record, a size bound.
        case refused
        /// No slot was free (503 `busy`).
        case busy
        /// Refused on its head because this coordinator cannot take it now: not the leader, the
        /// cluster version below 8, or shutting down (503).
        case unavailable
        /// Cut off: the client went, the body was malformed or too slow, or the coordinator stopped.
        case interrupted
        /// The disk failed or filled (logged).
        case storageFailure = "storage_failure"
    }

    /// Why a slot was not given.
    enum SlotRefusal: Error {
        case full
        case callerFull
        case stopping
    }

    private struct Job {
        let isDiscard: Bool
        let run: @Sendable () -> Void
        let abandon: @Sendable () -> Void
    }

    private struct State {
        var queue: [Job] = []
        var uploads = 0
        var byCaller: [String: Int] = [:]
        var isStopping = false
    }

    let store: ModuleStore
    let logger: Logger
    private let counters: [Result: Counter]
    private let state = Locked(State())
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Locked<NativeThread?>(nil)

    init(store: ModuleStore, logger: Logger, metrics: MetricsRegistry) {
        self.store = store
        self.logger = logger.with(component: "modules")
        var counters: [Result: Counter] = [:]
        for result in Result.allCases {
            counters[result] = metrics.counter("hotswap_module_uploads_total", help: "Module uploads ended, by how (Docs/MODULES.md).",
                                               labels: [("result", result.rawValue)])
        }
        self.counters = counters
        let worker = NativeThread(name: "hs-modules") { [self] in work() }
        thread.withLock { $0 = worker }
    }

    /// Counts an upload's end.
    func count(_ result: Result) {
        counters[result]?.increment()
    }

    /// True once `stop` began: a running check ends at its next piece.
    var isStopping: Bool { state.withLock { $0.isStopping } }

    /// Takes one of the upload slots for `caller`.
    func claimSlot(for caller: String) -> SlotRefusal? {
        state.withLock { state in
            if state.isStopping { return .stopping }
            if state.uploads >= Self.concurrentMaximum { return .full }
            if state.byCaller[caller, default: 0] >= Self.perCallerMaximum { return .callerFull }
            state.uploads += 1
            state.byCaller[caller, default: 0] += 1
            return nil
        }
    }

    /// The caller a coordinator's own artifact transfer with member `name` holds a slot as: a
    /// user name holds no space, so it never shares an API caller's count.
    static func peerCaller(_ name: String) -> String { "coordinator \(name)" }

    func releaseSlot(for caller: String) {
        state.withLock { state in
            state.uploads -= 1
            let left = state.byCaller[caller, default: 1] - 1
            state.byCaller[caller] = left > 0 ? left : nil
        }
    }

    /// Queues `work` for the disk thread; `answer` later runs on `loop` with its result, or with nil
    /// when the uploads stop before it ran. False (and `answer` never runs) when the queue is full or
    /// stopped. A discard (`isDiscard`) still queued at `stop` is run by `stop` itself.
    func run<Value: Sendable>(on loop: EventLoop, isDiscard: Bool = false, _ work: @escaping @Sendable () -> Value,
                              answer: @escaping @Sendable (Value?) -> Void) -> Bool {
        let job = Job(isDiscard: isDiscard, run: { let value = work(); loop.execute { answer(value) } },
                      abandon: { loop.execute { answer(nil) } })
        let accepted = state.withLock { state in
            guard !state.isStopping, state.queue.count < Self.queueMaximum else { return false }
            state.queue.append(job)
            return true
        }
        if accepted { wake.signal() }
        return accepted
    }

    /// Answers the queued jobs as stopping (a running check ends at its next piece), joins the
    /// thread, runs the queued discards, and closes the store.
    func stop() {
        let queued = state.withLock { state -> [Job]? in
            guard !state.isStopping else { return nil }
            state.isStopping = true
            defer { state.queue = [] }
            return state.queue
        }
        guard let queued else { return }
        for job in queued where !job.isDiscard { job.abandon() }
        wake.signal()
        thread.withLock { $0 }?.join()
        for job in queued where job.isDiscard { job.run() }
        store.close()
    }

    private func work() {
        while true {
            wake.wait()
            let (job, isStopping) = state.withLock { state -> (Job?, Bool) in
                (state.queue.isEmpty ? nil : state.queue.removeFirst(), state.isStopping)
            }
            if let job {
                job.run()
            } else if isStopping {
                return
            }
        }
    }
}
