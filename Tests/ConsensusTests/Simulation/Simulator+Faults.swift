@testable import Consensus

/// The random things that happen to a cluster: client requests, operator actions and faults.
extension Simulator {
    func chaos() throws(SimulationFailure) {
        switch random.next(below: 100) {
        case 0..<30: proposeAtLeader()
        case 30..<36: proposeAtRandomNode()
        case 36..<44: requestRead()
        case 44..<50: crashRandomNode()
        case 50..<53: stallRandomNode()
        case 53..<58: partitionRandomly()
        case 58..<62: heal()
        case 62..<68: changeClockRate()
        case 68..<74: transferLeadership()
        case 74..<86: changeMembership()
        default: compactRandomNode()
        }
        for slot in slots.indices { try afterStep(slot) }
    }

    func enterCalm() throws(SimulationFailure) {
        faultsEnabled = false
        heal()
        trace.record(now, .calm)
        calmStartValue = nextValue
        for slot in slots.indices where !slots[slot].isUp { try start(slot) }
        queue.push(.calmProposal, at: now + parameters.tickIntervalMicros)
    }

    /// The leader of the highest term among the nodes that can act, if any believes it leads.
    var currentLeaderSlot: Int? {
        var best: Int?
        for slot in actingSlots where slots[slot].raft!.role == .leader {
            if best == nil || slots[slot].raft!.term > slots[best!].raft!.term { best = slot }
        }
        return best
    }

    var liveSlots: [Int] { slots.indices.filter { slots[$0].isUp } }
    /// Running and not stalled: the nodes a client or operator can reach right now.
    var actingSlots: [Int] { slots.indices.filter { slots[$0].isUp && !slots[$0].isStalled(at: now) } }

    func randomElement<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[Int(random.next(below: UInt64(items.count)))]
    }

    func proposeAtLeader() {
        guard let slot = currentLeaderSlot else { return }
        propose(at: slot)
    }

    private func proposeAtRandomNode() {
        guard let slot = randomElement(actingSlots) else { return }
        propose(at: slot)
    }

    func propose(at slot: Int) {
        let value = nextValue
        nextValue += 1
        do throws(ProposalError) {
            try slots[slot].raft!.propose(Simulator.encodeValue(value))
            trace.record(now, .propose(slots[slot].id, value: value, error: nil))
        } catch {
            trace.record(now, .propose(slots[slot].id, value: value, error: error))
        }
    }

    private func requestRead() {
        guard let slot = randomElement(actingSlots) else { return }
        let readID = nextReadID
        nextReadID += 1
        readFloors[readID] = highestAppliedIndex
        do throws(ProposalError) {
            try slots[slot].raft!.requestRead(context: Simulator.encodeValue(readID))
            trace.record(now, .read(slots[slot].id, id: readID, error: nil))
        } catch {
            trace.record(now, .read(slots[slot].id, id: readID, error: error))
        }
    }

    private func crashRandomNode() {
        guard let slot = randomElement(liveSlots) else { return }
        crash(slot)
        let downtime = 5_000 + Int64(random.next(below: 300_000))
        queue.push(.restart(node: slot), at: now + downtime)
    }

    /// Cuts links three ways: two sides that cannot reach each other, one-way links (a node
    /// hears but is not heard, or the reverse), or one node cut from some peers but not others.
    private func partitionRandomly() {
        let count = slots.count
        var cut: Set<Int> = []
        switch random.next(below: 3) {
        case 0:
            let sides = slots.indices.map { _ in random.next(below: 2) }
            for from in 0..<count { for to in 0..<count where sides[from] != sides[to] { cut.insert(from * count + to) } }
        case 1:
            for from in 0..<count { for to in 0..<count where from != to && random.next(below: 4) == 0 { cut.insert(from * count + to) } }
        default:
            let isolated = Int(random.next(below: UInt64(count)))
            for peer in 0..<count where peer != isolated && random.next(below: 2) == 0 {
                cut.insert(isolated * count + peer)
                cut.insert(peer * count + isolated)
            }
        }
        blockedLinks = cut
        trace.record(now, .partition(cut: cut.sorted().map { (slots[$0 / count].id, slots[$0 % count].id) }))
        queue.push(.heal, at: now + 20_000 + Int64(random.next(below: 400_000)))
    }

    func heal() {
        guard !blockedLinks.isEmpty else { return }
        blockedLinks = []
        trace.record(now, .heal)
    }

    private func changeClockRate() {
        let slot = Int(random.next(below: UInt64(slots.count)))
        slots[slot].tickIntervalMicros = drawTickInterval()
        trace.record(now, .clock(slots[slot].id, tickIntervalMicros: slots[slot].tickIntervalMicros))
    }

    private func transferLeadership() {
        guard let slot = currentLeaderSlot,
            let target = randomElement(slots[slot].raft!.tracker.voters.filter { $0 != slots[slot].id })
        else { return }
        do throws(ProposalError) {
            try slots[slot].raft!.transferLeadership(to: target)
            trace.record(now, .transfer(slots[slot].id, target: target, error: nil))
        } catch {
            trace.record(now, .transfer(slots[slot].id, target: target, error: error))
        }
    }

    /// Cycles membership one server at a time: add a learner, promote it, remove a voter.
    private func changeMembership() {
        guard let slot = currentLeaderSlot else { return }
        let membership = slots[slot].raft!.tracker.membership
        let change: MembershipChange
        if let learner = membership.learners.first {
            change = .promoteLearner(learner)
        } else if membership.voters.count > parameters.voterCount, let voter = randomElement(membership.voters) {
            change = .remove(voter)
        } else if let newcomer = randomElement(slots.map(\.id).filter { !membership.contains($0) }) {
            change = .addLearner(newcomer)
        } else {
            return
        }
        do throws(ProposalError) {
            try slots[slot].raft!.proposeMembershipChange(change)
            trace.record(now, .membership(slots[slot].id, change, error: nil))
        } catch {
            trace.record(now, .membership(slots[slot].id, change, error: error))
        }
    }

    /// The application snapshots its state machine at its applied index and compacts.
    /// As the coordinator does: the snapshot persisted is exactly the one the node made.
    private func compactRandomNode() {
        guard let slot = randomElement(actingSlots) else { return }
        let applied = slots[slot].raft!.log.applied
        guard applied == slots[slot].appliedIndex, applied >= slots[slot].raft!.log.firstIndex else { return }
        let data = slots[slot].stateMachine.flatMap(Simulator.encodeValue)
        guard let snapshot = slots[slot].raft!.compact(upTo: applied, snapshotData: data) else { return }
        slots[slot].disk.compact(into: snapshot)
        trace.record(now, .compact(slots[slot].id, index: applied))
    }
}
