@testable import Consensus

/// What the simulator reads from a node after every event.
struct NodeObservation {
    var term: UInt64
    var committed: UInt64
    var role: Role
    var hasReady: Bool
    /// The term of a valid lease this node holds, if any.
    var leaseTerm: UInt64?
}

extension RaftNode {
    /// Reads through `inout` access: debug builds copy the whole node for a plain getter
    /// reached through an optional class property, and the simulator observes after every event.
    mutating func observe() -> NodeObservation {
        var leaseTerm: UInt64?
        if role == .leader {
            if isLeaseValid { leaseTerm = term }
        }
        return NodeObservation(term: term, committed: log.committed, role: role, hasReady: hasReady, leaseTerm: leaseTerm)
    }

    mutating func leadership() -> (term: UInt64, leaseValid: Bool, remainingTicks: UInt64)? {
        role == .leader ? (term, isLeaseValid, leaseRemainingTicks) : nil
    }
}
