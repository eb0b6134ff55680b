@testable import Consensus

/// Stalled processes and the final convergence check.
extension Simulator {
    /// Pauses a node as SIGSTOP or an overloaded host would: nothing runs on it until it resumes.
    func stallRandomNode() {
        guard let slot = randomElement(actingSlots) else { return }
        let until = now + 5_000 + Int64(random.next(below: 400_000))
        slots[slot].stalledUntil = until
        trace.record(now, .stall(slots[slot].id, untilMicros: until))
        queue.push(.resume(node: slot, incarnation: slots[slot].incarnation), at: until)
    }

    /// Where a message to a stalled node waits (in the socket's buffer) until it resumes.
    func stalledReceiverUntil(_ message: Message) -> Int64? {
        let to = Int(message.to) - 1
        guard slots.indices.contains(to), let until = slots[to].stalledUntil, now < until else { return nil }
        return until
    }

    /// The resumed node first ticks for the time it missed, at once and bounded as the
    /// coordinator's `RaftService.catchUpTicks` is, and only then handles what waited for it.
    func resume(_ slot: Int) throws(SimulationFailure) {
        let node = slots[slot]
        node.stalledUntil = nil
        let missed = (now - node.lastTickAt) / node.tickIntervalMicros
        let ticks = Int(min(missed, Int64(parameters.electionTimeoutTicks * Lease.catchUpElectionTimeoutsMaximum)))
        for _ in 0..<ticks { node.raft!.tick() }
        node.lastTickAt += missed * node.tickIntervalMicros
        trace.record(now, .resume(node.id, ticks: ticks))
        node.tickChain += 1
        queue.push(.tick(node: slot, chain: node.tickChain), at: node.lastTickAt + node.tickIntervalMicros)
        try afterStep(slot)
    }

    /// After the drain every live member holds the same state as the leader: nothing committed
    /// is missing anywhere, whatever the faults did.
    func checkConvergence() throws(SimulationFailure) {
        guard let leaderSlot = currentLeaderSlot else {
            throw SimulationFailure("convergence: no leader once the drain ended")
        }
        let leader = slots[leaderSlot]
        let membership = leader.raft!.tracker.membership
        for slot in liveSlots where membership.contains(slots[slot].id) {
            let node = slots[slot]
            guard node.appliedIndex == leader.appliedIndex, node.stateMachine == leader.stateMachine else {
                throw SimulationFailure(
                    "convergence: n\(node.id) applied \(node.appliedIndex) (\(node.stateMachine.count) values) "
                        + "but leader n\(leader.id) applied \(leader.appliedIndex) (\(leader.stateMachine.count) values)")
            }
        }
    }
}
