@testable import Consensus

/// The cluster-wide safety properties. The simulator reports what nodes persist, apply and
/// become; any contradiction throws a `SimulationFailure`.
struct InvariantChecker {
    private struct IndexTerm: Hashable {
        var index: UInt64
        var term: UInt64
    }

    private struct CommittedEntry {
        var entry: Entry
        /// The highest term any node had reached when the entry was first seen applied: leaders
        /// of later terms must hold it (Leader Completeness).
        var termCeiling: UInt64
    }

    /// (1) at most one leader per term.
    private var leaderOfTerm: [UInt64: NodeID] = [:]
    /// (3) every persisted (index, term) maps to one entry and one predecessor term.
    private var persisted: [IndexTerm: (previousTerm: UInt64, entry: Entry)] = [:]
    /// (4) the entry applied at each index, 1-based.
    private var committed: [CommittedEntry?] = []
    /// (5) the state machine's values in apply order.
    private(set) var reference: [UInt64] = []
    private(set) var highestTerm: UInt64 = 0

    var highestCommittedIndex: UInt64 { UInt64(committed.count) }

    mutating func observeTerm(_ term: UInt64) {
        highestTerm = max(highestTerm, term)
    }

    /// (1) Returns true the first time `id` is seen leading `term`.
    mutating func observeLeader(_ id: NodeID, term: UInt64) throws(SimulationFailure) -> Bool {
        observeTerm(term)
        if let existing = leaderOfTerm[term] {
            guard existing == id else {
                throw SimulationFailure("two leaders in term \(term): n\(existing) and n\(id)")
            }
            return false
        }
        leaderOfTerm[term] = id
        return true
    }

    /// (3) Log matching, checked on everything any node makes durable.
    mutating func observePersisted(_ entry: Entry, previousTerm: UInt64, node: NodeID) throws(SimulationFailure) {
        let key = IndexTerm(index: entry.index, term: entry.term)
        if let known = persisted[key] {
            guard known.entry == entry, known.previousTerm == previousTerm else {
                throw SimulationFailure(
                    "log matching: n\(node) persisted entry \(entry.index)/\(entry.term) "
                        + "(prev term \(previousTerm), \(entry.data.count) bytes) "
                        + "unlike an earlier one (prev term \(known.previousTerm), \(known.entry.data.count) bytes)")
            }
            return
        }
        persisted[key] = (previousTerm, entry)
    }

    /// (4) An index, once applied anywhere, always holds the same entry.
    mutating func observeApplied(_ entry: Entry, node: NodeID) throws(SimulationFailure) {
        let slot = Int(entry.index) - 1
        if slot < committed.count, let known = committed[slot] {
            guard known.entry == entry else {
                throw SimulationFailure(
                    "committed entry lost: n\(node) applied \(entry.index)/\(entry.term) "
                        + "but \(entry.index)/\(known.entry.term) was applied before")
            }
            return
        }
        while committed.count <= slot { committed.append(nil) }
        committed[slot] = CommittedEntry(entry: entry, termCeiling: highestTerm)
    }

    /// (5) A node's state machine, from value `position` on, is a prefix of every other's.
    mutating func observeStateMachine(_ values: [UInt64], from position: Int, node: NodeID) throws(SimulationFailure) {
        precondition(position <= values.count)
        for offset in position..<values.count {
            if offset < reference.count {
                guard reference[offset] == values[offset] else {
                    throw SimulationFailure(
                        "state machines diverge: n\(node) has v\(values[offset]) at position \(offset), another node v\(reference[offset])")
                }
            } else if offset == reference.count {
                reference.append(values[offset])
            } else {
                throw SimulationFailure("n\(node) applied position \(offset) past the known \(reference.count) values")
            }
        }
    }

    /// (4) A new leader holds every entry committed before its term began.
    func checkLeaderCompleteness(_ node: RaftNode) throws(SimulationFailure) {
        let first = max(node.log.firstIndex, 1)
        guard first <= highestCommittedIndex else { return }
        for index in first...highestCommittedIndex {
            guard let known = committed[Int(index) - 1], known.termCeiling < node.term else { continue }
            guard node.log.term(at: index) == known.entry.term else {
                throw SimulationFailure(
                    "leader completeness: n\(node.id) leads term \(node.term) without committed entry \(index)/\(known.entry.term) "
                        + "(has \(node.log.term(at: index).map(String.init) ?? "nothing"), last \(node.log.lastIndex))")
            }
        }
    }

    /// (2) No two leases valid at the same instant, and no leader of a later term while a lease
    /// is valid (what lease reads rely on). Called once per distinct instant of true time.
    /// A stalled node's Raft loop is paused, but in the coordinator other threads act on the
    /// deadline it published: its last tick plus the ticks its lease had left, in its own time.
    func checkLeases(_ nodes: [SimulatedNode], at now: Int64) throws(SimulationFailure) {
        var holder: (id: NodeID, term: UInt64)?
        var newestLeader: (id: NodeID, term: UInt64)?
        for node in nodes where node.isUp {
            guard let leadership = node.raft!.leadership() else { continue }
            let publishedDeadline = node.lastTickAt + Int64(leadership.remainingTicks) * node.tickIntervalMicros
            if leadership.leaseValid && (!node.isStalled(at: now) || now < publishedDeadline) {
                if let holder {
                    throw SimulationFailure(
                        "two leases valid at once: n\(holder.id) (term \(holder.term)) and n\(node.id) (term \(leadership.term))")
                }
                holder = (node.id, leadership.term)
            }
            if newestLeader.map({ leadership.term > $0.term }) ?? true { newestLeader = (node.id, leadership.term) }
        }
        if let holder, let newestLeader, newestLeader.term > holder.term {
            throw SimulationFailure(
                "n\(newestLeader.id) leads term \(newestLeader.term) while n\(holder.id)'s lease for term \(holder.term) is valid")
        }
    }
}
