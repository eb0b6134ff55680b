import Dispatch
import Locking
import ModuleArchive
import Transport

/// The coordinator's module uploads (Docs/MODULES.md, "Uploading and listing"): the store in
/// `DATA/modules/`, and one disk thread that writes uploads' pieces, checks complete artifacts and
/// puts them in place, so no event loop waits on the disk. Bounded: at most `concurrentMaximum`
/// uploads at a time, each with at most one job queued or running and one discard (so the queue
/// never holds more than twice that), and each holding at most `pendingBytesMaximum` (plus one
/// read) while its job runs: past that its receiver pauses reading the client. `stop` answers the
/// queued jobs as stopping, lets the running one finish, joins the thread and closes the store.
final class ModuleUploads: Sendable {
    static let concurrentMaximum = 4
    static let pendingBytesMaximum = 1 << 20
    static let queueMaximum = 2 * concurrentMaximum

    private struct Job {
        let run: @Sendable () -> Void
        let abandon: @Sendable () -> Void
    }

    private struct State {
        var queue: [Job] = []
        var uploads = 0
        var isStopping = false
    }

    let store: ModuleStore
    private let state = Locked(State())
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Locked<NativeThread?>(nil)

    init(store: ModuleStore) {
        self.store = store
        let worker = NativeThread(name: "hs-modules") { [self] in work() }
        thread.withLock { $0 = worker }
    }

    /// Takes one of the upload slots; false when all are taken or the coordinator is stopping.
    func claimSlot() -> Bool {
        state.withLock { state in
            guard !state.isStopping, state.uploads < Self.concurrentMaximum else { return false }
            state.uploads += 1
            return true
        }
    }

    func releaseSlot() {
        state.withLock { $0.uploads -= 1 }
    }

    /// Queues `work` for the disk thread; `answer` later runs on `loop` with its result, or with nil
    /// when the uploads stop before it ran. False (and `answer` never runs) when the queue is full or stopped.
    func run<Value: Sendable>(on loop: EventLoop, _ work: @escaping @Sendable () -> Value,
                              answer: @escaping @Sendable (Value?) -> Void) -> Bool {
        let job = Job(run: { let value = work(); loop.execute { answer(value) } }, abandon: { loop.execute { answer(nil) } })
        let accepted = state.withLock { state in
            guard !state.isStopping, state.queue.count < Self.queueMaximum else { return false }
            state.queue.append(job)
            return true
        }
        if accepted { wake.signal() }
        return accepted
    }

    /// Answers the queued jobs as stopping, waits for the running one, joins the thread and closes the store.
    func stop() {
        let abandoned = state.withLock { state -> [Job]? in
            guard !state.isStopping else { return nil }
            state.isStopping = true
            defer { state.queue = [] }
            return state.queue
        }
        guard let abandoned else { return }
        for job in abandoned { job.abandon() }
        wake.signal()
        thread.withLock { $0 }?.join()
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
