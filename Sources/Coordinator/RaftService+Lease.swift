import Consensus
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
}
