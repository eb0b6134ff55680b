import CLinux
import Dispatch
import Glibc
import Locking
import Observability
import Transport

/// The coordinator's password hashing (Docs/ACCESS.md): a scrypt hash takes a few hundred
/// milliseconds of a core and about 32 MiB, so it never runs on an event loop. Owned threads (two, one on
/// a machine with two online CPUs or fewer) take jobs from a queue of at most 8 per thread; a job
/// that finds the queue full is refused at once (the route answers 503 `busy`), and each job's
/// answer runs on the loop its submitter named. The threads run `niceSteps` below the event
/// loops' CPU priority, so logins take the CPU reads leave rather than delay them (not
/// SCHED_IDLE: under a steady read load that would never run a login). `stop` answers the jobs
/// still queued `.stopping`, lets the running ones finish and joins the threads.
final class PasswordHashingPool: Sendable {
    /// Jobs that may wait per hashing thread: two to three seconds of hashing at the current cost,
    /// so a login is refused at once rather than answered after its client gave up.
    static let queuePerWorker = 8
    static let niceSteps: Int32 = 5

    /// Hashing threads on a machine with `onlineCPUs`: one while there are two or fewer, so a
    /// core is always left to the event loops, else two.
    static func workerCount(onlineCPUs: Int) -> Int {
        onlineCPUs <= 2 ? 1 : 2
    }

    static var workerCountDefault: Int {
        workerCount(onlineCPUs: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// What a job's submitter hears: the work's result, or that the pool stopped first.
    enum Answer<Value: Sendable>: Sendable {
        case done(Value)
        case stopping
    }

    private struct Job {
        let run: @Sendable () -> Void
        let abandon: @Sendable () -> Void
    }

    private struct State {
        var queue: [Job] = []
        var isStopping = false
    }

    let queueMaximum: Int
    private let state = Locked(State())
    /// Counts queued jobs (one signal each) and, at stop, one signal per worker to end.
    private let wake = DispatchSemaphore(value: 0)
    private let workers = Locked<[NativeThread]>([])
    private let hashesDone: Counter
    private let hashesRefused: Counter

    private let logger: Logger

    init(metrics: MetricsRegistry, logger: Logger, workerCount: Int = workerCountDefault, queueMaximum: Int? = nil) {
        let queueMaximum = queueMaximum ?? workerCount * Self.queuePerWorker
        precondition(workerCount >= 1 && queueMaximum >= 1, "a hashing pool needs a worker and room for a job")
        self.queueMaximum = queueMaximum
        self.logger = logger
        hashesDone = metrics.counter("hotswap_password_hashes_total",
                                     help: "Password hashes computed (logins, password changes, the first admin).")
        hashesRefused = metrics.counter("hotswap_password_hashes_refused_total",
                                        help: "Password hashes refused because the hashing queue was full (answered 503).")
        metrics.gaugeFunction("hotswap_password_hash_queue_depth", help: "Password hashes waiting for a hashing thread.") {
            [state] in Double(state.withLock { $0.queue.count })
        }
        let threads = (0..<workerCount).map { index in
            NativeThread(name: "hs-hash-\(index)") { [self] in work() }
        }
        workers.withLock { $0 = threads }
    }

    /// Queues `work`; `answer` later runs on `loop` with its result, or with `.stopping` if the
    /// pool stops before it ran. False (and `answer` never runs) when the queue is full or
    /// the pool has stopped.
    func submit<Value: Sendable>(on loop: EventLoop, _ work: @escaping @Sendable () -> Value,
                                 answer: @escaping @Sendable (Answer<Value>) -> Void) -> Bool {
        let job = Job(run: { let value = work(); loop.execute { answer(.done(value)) } },
                      abandon: { loop.execute { answer(.stopping) } })
        let accepted = state.withLock { state in
            guard !state.isStopping, state.queue.count < queueMaximum else { return false }
            state.queue.append(job)
            return true
        }
        guard accepted else {
            hashesRefused.increment()
            return false
        }
        wake.signal()
        return true
    }

    /// Answers the queued jobs `.stopping`, waits for the running ones and joins the threads.
    func stop() {
        let (abandoned, threads) = state.withLock { state -> ([Job], [NativeThread]) in
            guard !state.isStopping else { return ([], []) }
            state.isStopping = true
            defer { state.queue = [] }
            return (state.queue, workers.withLock { workers in
                defer { workers = [] }
                return workers
            })
        }
        for job in abandoned { job.abandon() }
        for _ in threads { wake.signal() }
        for thread in threads { thread.join() }
    }

    private func work() {
        if hs_thread_lower_priority(Self.niceSteps) != 0 {
            logger.warning("a password hashing thread keeps the event loops' CPU priority: its nice could not be raised",
                           ["errno": "\(errno)"])
        }
        while true {
            wake.wait()
            let job: Job? = state.withLock { state in
                state.isStopping || state.queue.isEmpty ? nil : state.queue.removeFirst()
            }
            guard let job else {
                if state.withLock({ $0.isStopping }) { return }
                continue
            }
            job.run()
            hashesDone.increment()
        }
    }
}
