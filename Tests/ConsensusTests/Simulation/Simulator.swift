@testable import Consensus
import Primitives

/// Drives one seeded run of a cluster of `RaftNode`s in true time (microseconds): clocks that
/// drift within the bound, a lossy, duplicating, reordering network, partitions, crashes that
/// lose everything not yet persisted, and client actions. Every event is followed by the
/// invariant checks; the run is a pure function of its seed.
final class Simulator {
    /// What a finished run did, for the test's tallies.
    struct Summary {
        var events = 0
        var committedValues = 0
        var committedCalmValues = 0
        var highestTerm: UInt64 = 0
        /// True time from the end of the faults to the first commit of a new proposal.
        var calmRecoveryMicros: Int64?
    }

    /// Bounds one run, so a livelocked simulation fails instead of spinning.
    static let eventsMaximum = 2_000_000

    let seed: UInt64
    let parameters: SimulationParameters
    var random: SplitMix64
    var now: Int64 = 0
    var queue = EventQueue()
    var slots: [SimulatedNode] = []
    /// Messages in flight, by slot; freed slots are reused. A message outlives its sender's
    /// crash: it is already on the wire.
    var flights: [Message?] = []
    var freeFlights: [Int] = []
    /// Directed links that lose every message while a partition lasts (`from * slots.count + to`).
    var blockedLinks: Set<Int> = []
    var faultsEnabled = true
    /// Set once the calm phase is over: no new proposals, so every member can catch up.
    var isDraining = false
    var checker = InvariantChecker()
    var trace: TraceRing
    var summary = Summary()
    var nextValue: UInt64 = 1
    var calmStartValue = UInt64.max
    /// Read id → the highest index applied anywhere when the read was requested.
    var readFloors: [UInt64: UInt64] = [:]
    var nextReadID: UInt64 = 1
    var highestAppliedIndex: UInt64 = 0

    init(seed: UInt64, verbose: Bool) {
        self.seed = seed
        random = SplitMix64(seed: seed)
        parameters = SimulationParameters.draw(&random)
        trace = TraceRing(capacity: 300, verbose: verbose)
        let voters = Membership(voters: (1...parameters.voterCount).map { NodeID($0) })
        for slot in 0..<parameters.nodeCount {
            slots.append(SimulatedNode(
                id: NodeID(slot + 1), initialMembership: slot < parameters.voterCount ? voters : .empty,
                tickIntervalMicros: drawTickInterval()))
        }
    }

    var traceTail: [String] { trace.tail() }

    func run() throws(SimulationFailure) -> Summary {
        for slot in slots.indices { try start(slot) }
        queue.push(.chaos, at: drawChaosGap())
        queue.push(.calm, at: parameters.chaosDurationMicros)
        let calmEnd = parameters.chaosDurationMicros + parameters.calmDurationMicros
        try runEvents(through: calmEnd)
        isDraining = true
        trace.record(now, .drain)
        try runEvents(through: calmEnd + parameters.drainDurationMicros)
        summary.highestTerm = checker.highestTerm
        guard summary.committedCalmValues > 0 else {
            throw SimulationFailure("liveness: nothing proposed after the faults stopped was committed")
        }
        try checkConvergence()
        return summary
    }

    private func runEvents(through end: Int64) throws(SimulationFailure) {
        while let time = queue.nextTime, time <= end, let (_, event) = queue.pop() {
            precondition(time >= now, "true time never runs backwards")
            now = time
            summary.events += 1
            guard summary.events <= Simulator.eventsMaximum else {
                throw SimulationFailure("more than \(Simulator.eventsMaximum) events")
            }
            try handle(event)
            if queue.nextTime != now { try checker.checkLeases(slots, at: now) }
        }
    }

    private func handle(_ event: SimulationEvent) throws(SimulationFailure) {
        switch event {
        case .tick(let slot, let chain):
            let node = slots[slot]
            // A stalled node's timer does not fire; `resume` catches its ticks up and starts a new one.
            guard node.tickChain == chain, node.isUp, !node.isStalled(at: now) else { return }
            node.raft!.tick()
            node.lastTickAt = now
            queue.push(.tick(node: slot, chain: chain), at: now + node.tickIntervalMicros)
            try afterStep(slot)
        case .deliver(let flight):
            let message = flights[flight]!
            if let until = stalledReceiverUntil(message) { return queue.push(.deliver(flight: flight), at: until) }
            flights[flight] = nil
            freeFlights.append(flight)
            try deliver(message)
        case .persist(let slot, let incarnation):
            guard slots[slot].incarnation == incarnation, slots[slot].isUp else { return }
            if let until = slots[slot].stalledUntil, now < until {
                return queue.push(.persist(node: slot, incarnation: incarnation), at: until)
            }
            try persist(slot)
        case .restart(node: let slot):
            guard !slots[slot].isUp else { return }
            try start(slot)
        case .resume(let slot, let incarnation):
            guard slots[slot].incarnation == incarnation, slots[slot].isUp else { return }
            try resume(slot)
        case .heal:
            heal()
        case .chaos:
            guard faultsEnabled else { return }
            try chaos()
            queue.push(.chaos, at: now + drawChaosGap())
        case .calm:
            try enterCalm()
        case .calmProposal:
            guard !isDraining else { return }
            proposeAtLeader()
            queue.push(.calmProposal, at: now + 3 * parameters.tickIntervalMicros)
        }
    }

    /// Starts (or restarts) a node from its disk alone.
    func start(_ slot: Int) throws(SimulationFailure) {
        let node = slots[slot]
        let configuration = parameters.configuration(for: node.id, seed: seed, incarnation: node.incarnation)
        do {
            node.boot(try RaftNode(
                configuration: configuration, recovered: node.disk.persistentState,
                initialMembership: node.initialMembership))
        } catch {
            throw SimulationFailure("n\(node.id) cannot restart from its disk: \(error)")
        }
        node.stateMachine = []
        node.appliedIndex = 0
        if let snapshot = node.disk.snapshot { try restoreStateMachine(node, from: snapshot) }
        node.observedRole = .follower
        // What was never persisted was never promised to anyone: a restart may forget it.
        node.observedTerm = node.disk.hardState.term
        node.observedCommit = node.raft!.log.committed
        node.lastTickAt = now
        trace.record(now, .restart(node.id, term: node.disk.hardState.term, lastIndex: node.disk.lastIndex))
        let phase = Int64(random.next(below: UInt64(node.tickIntervalMicros)))
        queue.push(.tick(node: slot, chain: node.tickChain), at: now + phase + 1)
        try afterStep(slot)
    }

    func crash(_ slot: Int) {
        let node = slots[slot]
        guard node.isUp else { return }
        node.halt()
        trace.record(now, .crash(node.id))
    }

    /// Observes a node after it changed: per-node monotonicity, one leader per term, leader
    /// completeness; then schedules the processing of its `Ready`.
    func afterStep(_ slot: Int) throws(SimulationFailure) {
        let node = slots[slot]
        guard node.isUp else { return }
        let observation = node.raft!.observe()
        let term = observation.term
        let committed = observation.committed
        let role = observation.role
        guard term >= node.observedTerm, committed >= node.observedCommit else {
            throw SimulationFailure("n\(node.id) went back: term \(node.observedTerm)→\(term), commit \(node.observedCommit)→\(committed)")
        }
        checker.observeTerm(term)
        if role == .leader, try checker.observeLeader(node.id, term: term) {
            try checker.checkLeaderCompleteness(node.raft!)
        }
        let becameLeader = role == .leader && (node.observedRole != .leader || term != node.observedTerm)
        if role != node.observedRole || term != node.observedTerm {
            trace.record(now, .role(node.id, role, term: term, leaseValid: observation.leaseTerm != nil))
        }
        // Clients that were told to retry hit a new leader the moment it is known, so a
        // proposal often shares the new leader's first Ready with its term and vote.
        if becameLeader && faultsEnabled && random.next(below: 2) == 0 { propose(at: slot) }
        node.observedRole = role
        node.observedTerm = term
        node.observedCommit = committed
        if !node.persistScheduled && observation.hasReady {
            node.persistScheduled = true
            let latency = Int64(random.next(below: UInt64(parameters.diskLatencyMaximumMicros + 1)))
            queue.push(.persist(node: slot, incarnation: node.incarnation), at: now + latency)
        }
    }

    private func deliver(_ message: Message) throws(SimulationFailure) {
        let from = Int(message.from) - 1
        let to = Int(message.to) - 1
        guard slots.indices.contains(from), slots.indices.contains(to) else {
            throw SimulationFailure("a message names a node that does not exist: \(TraceEvent.describe(message))")
        }
        guard slots[to].isUp else { return trace.record(now, .drop(message, reason: "receiver down")) }
        if blockedLinks.contains(from * slots.count + to) { return trace.record(now, .drop(message, reason: "partition")) }
        trace.record(now, .deliver(message))
        slots[to].raft!.step(message)
        try afterStep(to)
    }

    /// Does what the node's `Ready` asks, in the documented order and by the same rule as the
    /// coordinator (`RaftService.process`): send what may precede persistence, persist, send
    /// the rest, apply. A failed write halts the node as it halts the coordinator.
    private func persist(_ slot: Int) throws(SimulationFailure) {
        let node = slots[slot]
        node.persistScheduled = false
        guard node.raft!.hasReady else { return }
        let ready = node.raft!.ready()
        try checkMayPrecedePersistence(ready, node)
        for message in ready.messages { send(message) }
        if faultsEnabled && Int(random.next(below: 100)) < parameters.failedWritePercent {
            return try failWrite(slot, ready)
        }
        writeSnapshot(ready, to: node)
        try writeBatch(ready, to: node)
        if let snapshot = ready.snapshotToPersist { try restoreStateMachine(node, from: snapshot) }
        trace.record(now, .persist(node.id, entries: ready.entriesToPersist.count, hardState: ready.hardState,
                                   messages: ready.messages.count + ready.messagesAfterPersist.count,
                                   committed: ready.committedEntries.count))
        for message in ready.messagesAfterPersist { send(message) }
        try apply(node, ready.committedEntries)
        for readState in ready.readStates { try checkRead(readState, node: node.id) }
        node.raft!.advance(ready)
        try afterStep(slot)
    }

    /// What leaves before the fsync promises nothing that is not durable yet: the node's term
    /// and vote are on disk, and so are the entries up to the commit index each message carries.
    private func checkMayPrecedePersistence(_ ready: Ready, _ node: SimulatedNode) throws(SimulationFailure) {
        guard !ready.messages.isEmpty else { return }
        let durable = node.disk.hardState
        let current = ready.hardState ?? durable
        guard current.term == durable.term, current.vote == durable.vote else {
            throw SimulationFailure("n\(node.id) sends before its term \(current.term) / vote \(current.vote) is durable (\(durable))")
        }
        for message in ready.messages where message.term != durable.term || message.commit > node.disk.lastIndex {
            throw SimulationFailure("n\(node.id) sends \(TraceEvent.describe(message)) before its fsync; "
                                    + "durable term \(durable.term), last index \(node.disk.lastIndex)")
        }
    }

    /// A write or fsync failed, or the power went while writing: the coordinator halts, and the
    /// messages that had to wait for the fsync never leave. The snapshot is its own atomic file,
    /// and the WAL keeps a batch (entries with their hard state) whole or drops it whole
    /// (STORAGE.md), so the disk holds none, the snapshot alone, or all of this `Ready`.
    private func failWrite(_ slot: Int, _ ready: Ready) throws(SimulationFailure) {
        let node = slots[slot]
        let keptParts = random.next(below: 3)
        if keptParts >= 1 { writeSnapshot(ready, to: node) }
        if keptParts == 2 { try writeBatch(ready, to: node) }
        trace.record(now, .failedWrite(node.id, keptParts: Int(keptParts)))
        crash(slot)
        queue.push(.restart(node: slot), at: now + 5_000 + Int64(random.next(below: 100_000)))
    }

    private func writeSnapshot(_ ready: Ready, to node: SimulatedNode) {
        guard let snapshot = ready.snapshotToPersist else { return }
        node.disk.install(snapshot)
    }

    private func writeBatch(_ ready: Ready, to node: SimulatedNode) throws(SimulationFailure) {
        try node.disk.append(ready.entriesToPersist)
        for entry in ready.entriesToPersist {
            let previousTerm = node.disk.term(at: entry.index - 1) ?? 0
            try checker.observePersisted(entry, previousTerm: previousTerm, node: node.id)
        }
        if let hardState = ready.hardState {
            let durable = node.disk.hardState
            guard hardState.term >= durable.term, hardState.commit >= durable.commit,
                hardState.term > durable.term || durable.vote == .none || hardState.vote == durable.vote
            else { throw SimulationFailure("n\(node.id) would persist \(hardState) over \(durable)") }
            node.disk.hardState = hardState
        }
    }

    private func send(_ message: Message) {
        if faultsEnabled && Int(random.next(below: 100)) < parameters.dropPercent {
            return trace.record(now, .drop(message, reason: "loss"))
        }
        let copies = faultsEnabled && Int(random.next(below: 100)) < parameters.duplicatePercent ? 2 : 1
        for _ in 0..<copies {
            let latencyMaximum = faultsEnabled ? parameters.latencyMaximumMicros : parameters.calmLatencyMaximumMicros
            let spread = UInt64(latencyMaximum - parameters.latencyMinimumMicros + 1)
            let latency = parameters.latencyMinimumMicros + Int64(random.next(below: spread))
            let index: Int
            if let reused = freeFlights.popLast() {
                index = reused
                flights[index] = message
            } else {
                index = flights.count
                flights.append(message)
            }
            queue.push(.deliver(flight: index), at: now + latency)
        }
    }

    private func apply(_ node: SimulatedNode, _ entries: [Entry]) throws(SimulationFailure) {
        let firstNewValue = node.stateMachine.count
        for entry in entries {
            guard entry.index == node.appliedIndex + 1 else {
                throw SimulationFailure("n\(node.id) applied \(entry.index) right after \(node.appliedIndex)")
            }
            try checker.observeApplied(entry, node: node.id)
            node.appliedIndex = entry.index
            if entry.kind == .normal, let value = Simulator.decodeValue(entry.data) {
                node.stateMachine.append(value)
            }
        }
        highestAppliedIndex = max(highestAppliedIndex, node.appliedIndex)
        let knownValues = checker.reference.count
        try checker.observeStateMachine(node.stateMachine, from: firstNewValue, node: node.id)
        for value in checker.reference[knownValues...] {
            summary.committedValues += 1
            if value >= calmStartValue {
                summary.committedCalmValues += 1
                if summary.calmRecoveryMicros == nil { summary.calmRecoveryMicros = now - parameters.chaosDurationMicros }
            }
        }
    }

    private func restoreStateMachine(_ node: SimulatedNode, from snapshot: Snapshot) throws(SimulationFailure) {
        guard let values = Simulator.decodeValues(snapshot.data) else {
            throw SimulationFailure("n\(node.id) got an unreadable snapshot")
        }
        node.stateMachine = values
        node.appliedIndex = snapshot.metadata.index
        try checker.observeStateMachine(values, from: 0, node: node.id)
    }

    /// A read point must cover every write any node had applied when the read was asked for.
    private func checkRead(_ readState: ReadState, node: NodeID) throws(SimulationFailure) {
        guard let readID = Simulator.decodeValue(readState.context), let floor = readFloors[readID] else { return }
        guard readState.index >= floor else {
            throw SimulationFailure("stale read r\(readID) at n\(node): index \(readState.index) below \(floor) "
                                    + "applied before it was asked")
        }
    }

    func drawTickInterval() -> Int64 {
        let range = parameters.tickIntervalRangeMicros
        switch random.next(below: 4) {
        case 0: return range.lowerBound  // the extremes are where lease bugs live
        case 1: return range.upperBound
        default: return range.lowerBound + Int64(random.next(below: UInt64(range.count)))
        }
    }

    func drawChaosGap() -> Int64 {
        1 + Int64(random.next(below: UInt64(parameters.chaosGapMaximumMicros)))
    }

    static func encodeValue(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * $0)) }
    }

    static func decodeValue(_ bytes: [UInt8]) -> UInt64? {
        guard bytes.count == 8 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func decodeValues(_ bytes: [UInt8]) -> [UInt64]? {
        guard bytes.count % 8 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 8).map { decodeValue(Array(bytes[$0..<($0 + 8)]))! }
    }
}
