import Dispatch
import Locking
import Transport

/// The saves of `GET /api/v1/snapshot` under way: at most one at a time, and the thread that
/// encodes it. A save holds a copy of the whole fleet state and its encoding until it is sent,
/// so a second save asked for meanwhile is refused (429) rather than doubling that; and a large
/// fleet takes long to encode, so that runs on this owned thread, never on the Raft loop (whose
/// heartbeats and lease would stall) nor on an HTTP loop (whose other connections would).
/// `stop` answers a job not yet started `.stopping`, lets a running one finish and joins the thread.
final class SnapshotSaves: Sendable {
    /// What a job's submitter hears: the work's result, or that the coordinator stopped first.
    enum Answer<Value: Sendable>: Sendable {
        case done(Value)
        case stopping
    }

    private struct Job {
        let run: @Sendable () -> Void
        let abandon: @Sendable () -> Void
    }

    private struct State {
        var isSaving = false
        var job: Job?
        var isStopping = false
    }

    private let state = Locked(State())
    /// One signal per job, and one at stop.
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Locked<NativeThread?>(nil)

    init() {
        let encoder = NativeThread(name: "hs-snapshot") { [self] in work() }
        thread.withLock { $0 = encoder }
    }

    /// Takes the one save; false while another is under way, or once stopped. Each true is
    /// followed by one `end`, after the save's answer was handed to its connection.
    func begin() -> Bool {
        state.withLock { state in
            guard !state.isSaving, !state.isStopping else { return false }
            state.isSaving = true
            return true
        }
    }

    /// Ends the save `begin` took.
    func end() {
        state.withLock { state in
            precondition(state.isSaving, "a snapshot save ended that did not begin")
            state.isSaving = false
        }
    }

    /// Runs `work` on the encoding thread for the save under way; `answer` then runs on `loop` with
    /// its result, or with `.stopping` when `stop` came first. False (and `answer` never runs) once stopped.
    func run<Value: Sendable>(on loop: EventLoop, _ work: @escaping @Sendable () -> Value,
                              answer: @escaping @Sendable (Answer<Value>) -> Void) -> Bool {
        let job = Job(run: { let value = work(); loop.execute { answer(.done(value)) } },
                      abandon: { loop.execute { answer(.stopping) } })
        let accepted = state.withLock { state in
            precondition(state.isSaving && state.job == nil, "one encoding per save, inside begin and end")
            guard !state.isStopping else { return false }
            state.job = job
            return true
        }
        if accepted { wake.signal() }
        return accepted
    }

    /// Answers a job not yet started `.stopping`, waits for a running one and joins the thread.
    /// Called before the event loops stop: answers run on them.
    func stop() {
        let (abandoned, encoder) = state.withLock { state -> (Job?, NativeThread?) in
            guard !state.isStopping else { return (nil, nil) }
            state.isStopping = true
            defer { state.job = nil }
            return (state.job, thread.withLock { thread in
                defer { thread = nil }
                return thread
            })
        }
        abandoned?.abandon()
        guard let encoder else { return }
        wake.signal()
        encoder.join()
    }

    private func work() {
        while true {
            wake.wait()
            let (job, isStopping) = state.withLock { state -> (Job?, Bool) in
                defer { state.job = nil }
                return (state.isStopping ? nil : state.job, state.isStopping)
            }
            if isStopping { return }
            job?.run()
        }
    }
}
