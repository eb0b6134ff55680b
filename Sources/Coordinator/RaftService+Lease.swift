import Consensus
import Primitives
import Transport

/// The lease as other threads see it. The view carries an absolute expiry on the boot-time
/// clock; it is withdrawn before this node sends anything that can end the lease early.
extension RaftService {
    /// Called before each Ready's messages go out: a `timeoutNow`, a vote or a lost leadership
    /// ends the lease at once, and the agent gateway and API handlers must stop acting as leader
    /// before a new leader can start.
    func withdrawPublishedLeaseIfLost() {
        guard !node.isLeaseValid, published.withLock({ $0.leaseExpiresAt != nil }) else { return }
        withdrawPublishedLease()
    }

    func withdrawPublishedLease() {
        let view = published.withLock { view in
            view.leaseExpiresAt = nil
            return view
        }
        viewObserver?(view)
    }

    /// Ticks once per tick interval of monotonic time since the last tick.
    /// Raft counts time in ticks, and a process that was paused (SIGSTOP, a
    /// long GC-like stall, an overloaded host) misses timer firings: without
    /// catching up, a resumed leader would believe its lease still runs.
    /// Called before anything that steps or proposes.
    func catchUpTicks() {
        let interval = settings.tickInterval.wholeNanoseconds
        let now = MonotonicInstant.now()
        let missed = (now.nanoseconds &- lastTickAt.nanoseconds) / interval
        guard missed > 0 else { return }
        let bound = UInt64(settings.electionTimeoutTicks * Lease.catchUpElectionTimeoutsMaximum)
        for _ in 0..<min(missed, bound) { node.tick() }
        lastTickAt = MonotonicInstant(nanoseconds: lastTickAt.nanoseconds &+ missed * interval)
    }
}
