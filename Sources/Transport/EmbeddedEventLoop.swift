import Primitives

/// An event loop without a thread or sockets, for tests: it runs submitted
/// tasks and due timers only when the test calls `run` or `advanceTime(by:)`,
/// on the test's own thread, with time that moves only then (swift-nio's
/// `EmbeddedEventLoop`). Handlers given `loop` behave as on a real loop.
public final class EmbeddedEventLoop {
    /// The loop handlers and connections are given; its clock is `clock`.
    public let loop: EventLoop
    public let clock: VirtualClock

    /// Passes of "run tasks, run due timers" one `run` makes at most: work that
    /// keeps submitting work past this is a livelock the test should see.
    static let runPassesMaximum = 10_000

    public init(clock: VirtualClock = VirtualClock()) {
        self.clock = clock
        do {
            loop = try EventLoop(index: 0, clock: clock, embedded: true)
        } catch {
            preconditionFailure("an embedded loop needs an epoll and an eventfd: \(error)")
        }
    }

    public var now: MonotonicInstant { clock.now() }

    /// Runs submitted tasks and the timers due now until none is left.
    public func run() {
        for _ in 0..<Self.runPassesMaximum {
            _ = loop.runSubmittedTasks()
            loop.runDueTimers()
            let due = loop.nextTimerDeadline().map { $0 <= clock.now() } ?? false
            guard due || loop.hasSubmittedTasks else { return }
        }
        preconditionFailure("embedded loop still busy after \(Self.runPassesMaximum) passes")
    }

    /// Moves time forward by `duration`, stopping at each timer's deadline on
    /// the way to run what is due then, as a real loop would have.
    public func advanceTime(by duration: Duration) {
        advanceTime(to: clock.now().advanced(by: duration))
    }

    public func advanceTime(to target: MonotonicInstant) {
        run()
        while let next = loop.nextTimerDeadline(), next <= target {
            clock.set(to: max(next, clock.now()))
            run()
        }
        clock.set(to: max(target, clock.now()))
        run()
    }
}
