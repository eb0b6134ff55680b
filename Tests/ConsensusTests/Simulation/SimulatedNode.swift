@testable import Consensus

/// One server of the simulated cluster: the `RaftNode` while it runs, its disk (which survives
/// crashes), its clock rate, and its state machine. A class, so that the simulator reaches its
/// fields without copying the node (debug builds copy whole structs on array access).
final class SimulatedNode {
    let id: NodeID
    let initialMembership: Membership
    /// The running node; nil while crashed. Set only through `boot` and `halt`.
    var raft: RaftNode?
    private(set) var isUp = false
    /// Bumped at every crash: events and messages of an earlier incarnation are void.
    var incarnation = 0
    var disk = SimulatedDisk()
    var tickIntervalMicros: Int64
    var persistScheduled = false
    /// While set, the process is paused (SIGSTOP, a long stall): it neither ticks, steps nor
    /// persists until this instant, and then catches up its missed ticks at once.
    var stalledUntil: Int64?
    /// True time of this incarnation's last tick, from which a resumed node counts what it missed.
    var lastTickAt: Int64 = 0
    /// Names the node's one live timer: ticks of an older chain (before a crash or a stall) are void.
    var tickChain = 0
    /// The state machine: the proposal values applied, in order.
    var stateMachine: [UInt64] = []
    var appliedIndex: UInt64 = 0
    var observedRole: Role = .follower
    var observedTerm: UInt64 = 0
    var observedCommit: UInt64 = 0

    func boot(_ node: RaftNode) {
        raft = node
        isUp = true
    }

    func halt() {
        raft = nil
        isUp = false
        incarnation += 1
        tickChain += 1
        persistScheduled = false
        stalledUntil = nil
    }

    func isStalled(at now: Int64) -> Bool {
        stalledUntil.map { now < $0 } ?? false
    }

    init(id: NodeID, initialMembership: Membership, tickIntervalMicros: Int64) {
        self.id = id
        self.initialMembership = initialMembership
        self.tickIntervalMicros = tickIntervalMicros
    }
}
