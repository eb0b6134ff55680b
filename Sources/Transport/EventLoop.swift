import CLinux
import Glibc
import Locking
import Primitives
import Synchronization

/// Something registered with an event loop that reacts to readiness of its
/// file descriptor. Called only on the loop's thread.
protocol EventSource: AnyObject {
    func handleEvents(_ events: UInt32)
}

/// One epoll reactor running on its own thread: file-descriptor readiness,
/// monotonic timers and tasks submitted from other threads. All loop-confined
/// state (registrations, timers, connections) is touched only on that thread.
/// An embedded loop (`EmbeddedEventLoop`) has no thread: its test drives it.
public final class EventLoop: @unchecked Sendable {
    public let index: Int
    /// The loop's time: every timer and deadline on it is measured on this clock.
    public let clock: any LoopClock
    private let isEmbedded: Bool
    private let epollDescriptor: Int32
    private let wakeDescriptor: Int32
    private let submitted = Locked(SubmittedWork())
    private let threadIdentity = Atomic<UInt>(0)
    private var registrations: [Int32: any EventSource] = [:]
    private var timers = TimerHeap()
    /// Reused for every read on this loop, so idle connections hold no read buffer.
    let readScratch: UnsafeMutableRawBufferPointer

    static let eventsPerWaitMaximum = 512
    static let readScratchBytes = 64 * 1024
    static let stopDrainPassesMaximum = 1_000

    private struct SubmittedWork {
        var tasks: [@Sendable () -> Void] = []
        var stopRequested = false
    }

    init(index: Int, clock: any LoopClock = BootClock(), embedded: Bool = false) throws(TransportError) {
        self.index = index
        self.clock = clock
        isEmbedded = embedded
        epollDescriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollDescriptor >= 0 else { throw .lastSystemError("epoll_create1") }
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeDescriptor >= 0 else {
            close(epollDescriptor)
            throw .lastSystemError("eventfd")
        }
        readScratch = .allocate(byteCount: Self.readScratchBytes, alignment: 16)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeDescriptor
        epoll_ctl(epollDescriptor, EPOLL_CTL_ADD, wakeDescriptor, &event)
    }

    deinit {
        close(wakeDescriptor)
        close(epollDescriptor)
        readScratch.deallocate()
    }

    /// An embedded loop belongs to the test that drives it, on whatever thread that is.
    public var inEventLoop: Bool {
        if isEmbedded { return true }
        return threadIdentity.load(ordering: .acquiring) == UInt(pthread_self())
    }

    var hasStarted: Bool {
        threadIdentity.load(ordering: .acquiring) != 0
    }

    public func preconditionInLoop(file: StaticString = #fileID, line: UInt = #line) {
        precondition(inEventLoop, "must run on event loop \(index)", file: file, line: line)
    }

    /// Runs `task` on the loop thread, soon. Safe from any thread. Unbounded:
    /// for callers whose own state bounds how many they submit (Docs/TRANSPORT.md
    /// lists them); work that arrives at another party's pace goes through a `TaskQuota`.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        submitted.withLock { $0.tasks.append(task) }
        wake()
    }

    /// Schedules `action` on the loop at `deadline`. Loop thread only.
    @discardableResult
    public func scheduleTimer(at deadline: MonotonicInstant, _ action: @escaping () -> Void) -> TimerID {
        preconditionInLoop()
        return timers.schedule(at: deadline, action)
    }

    /// Schedules `action` on the loop `delay` from now on the loop's clock. Loop thread only.
    @discardableResult
    public func scheduleTimer(after delay: Duration, _ action: @escaping () -> Void) -> TimerID {
        scheduleTimer(at: clock.now().advanced(by: delay), action)
    }

    /// Now, on the loop's clock.
    public var now: MonotonicInstant { clock.now() }

    public func cancelTimer(_ id: TimerID) {
        preconditionInLoop()
        timers.cancel(id)
    }

    func register(_ descriptor: Int32, interest: UInt32, source: any EventSource) throws(TransportError) {
        preconditionInLoop()
        var event = epoll_event()
        event.events = interest
        event.data.fd = descriptor
        guard epoll_ctl(epollDescriptor, EPOLL_CTL_ADD, descriptor, &event) == 0 else {
            throw .lastSystemError("epoll_ctl(ADD)")
        }
        registrations[descriptor] = source
    }

    func modify(_ descriptor: Int32, interest: UInt32) {
        preconditionInLoop()
        var event = epoll_event()
        event.events = interest
        event.data.fd = descriptor
        epoll_ctl(epollDescriptor, EPOLL_CTL_MOD, descriptor, &event)
    }

    func deregister(_ descriptor: Int32) {
        preconditionInLoop()
        epoll_ctl(epollDescriptor, EPOLL_CTL_DEL, descriptor, nil)
        registrations[descriptor] = nil
    }

    var registrationCount: Int { registrations.count }

    var hasSubmittedTasks: Bool {
        submitted.withLock { !$0.tasks.isEmpty }
    }

    func requestStop() {
        submitted.withLock { $0.stopRequested = true }
        wake()
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, 8)
    }

    /// The reactor: wait, dispatch readiness, run due timers and submitted tasks.
    func run() {
        threadIdentity.store(UInt(pthread_self()), ordering: .releasing)
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Self.eventsPerWaitMaximum)
        defer {
            events.deallocate()
            timers.removeAll()
            registrations.removeAll()
        }
        while true {
            let ready = epoll_wait(epollDescriptor, events, Int32(Self.eventsPerWaitMaximum), waitTimeoutMilliseconds())
            // Besides EINTR, epoll_wait fails only with EBADF/EFAULT/EINVAL: a
            // descriptor this loop owns and closes only in deinit (after run
            // returns), a buffer allocated above with the capacity passed. None can
            // happen short of memory corruption, so continuing would be unsound.
            precondition(ready >= 0 || errno == EINTR, "epoll_wait failed: errno \(errno)")
            for slot in 0..<max(0, Int(ready)) {
                let descriptor = events[slot].data.fd
                if descriptor == wakeDescriptor {
                    drainWake()
                } else if let source = registrations[descriptor] {
                    source.handleEvents(events[slot].events)
                }
            }
            runDueTimers()
            if runSubmittedTasks() { return }
        }
    }

    private func waitTimeoutMilliseconds() -> Int32 {
        guard let deadline = timers.nextDeadline() else { return -1 }
        let now = clock.now()
        guard deadline > now else { return 0 }
        let milliseconds = (deadline.nanoseconds - now.nanoseconds + 999_999) / 1_000_000
        return Int32(min(milliseconds, 60_000))
    }

    /// The earliest live timer's deadline, for an embedded loop stepping its clock.
    func nextTimerDeadline() -> MonotonicInstant? {
        timers.nextDeadline()
    }

    private func drainWake() {
        var value: UInt64 = 0
        _ = read(wakeDescriptor, &value, 8)
    }

    /// Runs the timers due now. At most as many as were live when the pass
    /// began, so a timer that re-arms itself for "now" cannot spin the loop.
    func runDueTimers() {
        let now = clock.now()
        var budget = timers.count
        while budget > 0, let action = timers.popNextDue(now: now) {
            budget -= 1
            action()
        }
    }

    /// Runs the tasks submitted so far; returns true when the loop should stop.
    /// Once a stop is requested it keeps draining (tasks may submit tasks)
    /// without waiting in epoll, up to a bounded number of passes.
    func runSubmittedTasks() -> Bool {
        for _ in 0..<Self.stopDrainPassesMaximum {
            let (tasks, stop) = submitted.withLock { work in
                defer { work.tasks.removeAll(keepingCapacity: true) }
                return (work.tasks, work.stopRequested)
            }
            for task in tasks { task() }
            guard stop else { return false }
            if tasks.isEmpty { return true }
        }
        return true
    }
}
