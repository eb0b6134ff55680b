@testable import Consensus

/// A synchronous, in-order network of nodes for scripted tests (etcd's `network`): a test
/// ticks nodes, proposes, cuts links, then `stabilize()` runs every `Ready` (persist, send,
/// apply, advance) and delivers every message until the cluster is quiet.
struct TestNetwork {
    /// Bounds `stabilize()`: a script that never quiets down fails instead of spinning.
    static let deliveryRoundsMaximum = 1_000

    struct Link: Hashable {
        var from: NodeID
        var to: NodeID
    }

    private(set) var ids: [NodeID]
    var nodes: [NodeID: RaftNode] = [:]
    var disks: [NodeID: PersistentState] = [:]
    var applied: [NodeID: [Entry]] = [:]
    var readStates: [NodeID: [ReadState]] = [:]
    var initialMemberships: [NodeID: Membership] = [:]
    var configurations: [NodeID: RaftConfiguration] = [:]
    /// Links that drop everything.
    var cutLinks: Set<Link> = []
    /// Message kinds dropped everywhere.
    var droppedKinds: Set<MessageKind> = []
    /// Every message delivered, in order.
    private(set) var delivered: [Message] = []
    private var pending: [Message] = []

    init(
        voters: [NodeID], learners: [NodeID] = [], others: [NodeID] = [],
        configure: (inout RaftConfiguration) -> Void = { _ in }
    ) {
        ids = (voters + learners + others).sorted()
        let membership = Membership(voters: voters, learners: learners)
        for id in ids {
            var configuration = RaftConfiguration(id: id, randomSeed: 7)
            configure(&configuration)
            configurations[id] = configuration
            initialMemberships[id] = others.contains(id) ? .empty : membership
            disks[id] = .empty
            nodes[id] = try! RaftNode(configuration: configuration, initialMembership: initialMemberships[id]!)
        }
    }

    subscript(id: NodeID) -> RaftNode {
        get { nodes[id]! }
        set { nodes[id] = newValue }
    }

    var leaders: [NodeID] { ids.filter { nodes[$0]!.role == .leader } }

    /// Puts every node past the window in which it refuses votes after starting.
    mutating func expireLeaderContact() {
        for id in ids { nodes[id]!.ticksSinceLeaderContact = nodes[id]!.configuration.electionTimeoutTicks }
    }

    /// Makes `id` campaign now (as its election timer would) and runs the election.
    mutating func campaign(_ id: NodeID) {
        nodes[id]!.electionElapsedTicks = 0
        nodes[id]!.campaign(nodes[id]!.configuration.preVote ? .preElection : .election)
        stabilize()
    }

    /// A fresh cluster with `id` as its elected leader and everything committed.
    mutating func elect(_ id: NodeID) {
        expireLeaderContact()
        campaign(id)
        precondition(nodes[id]!.role == .leader, "n\(id) failed to win its election")
    }

    mutating func tick(_ id: NodeID, times: Int = 1) {
        for _ in 0..<times {
            nodes[id]?.tick()
            stabilize()
        }
    }

    mutating func tickAll(times: Int = 1) {
        for _ in 0..<times {
            for id in ids { nodes[id]?.tick() }
            stabilize()
        }
    }

    mutating func isolate(_ id: NodeID) {
        for other in ids where other != id {
            cutLinks.insert(Link(from: id, to: other))
            cutLinks.insert(Link(from: other, to: id))
        }
    }

    mutating func heal() {
        cutLinks = []
        droppedKinds = []
    }

    mutating func propose(_ id: NodeID, _ data: [UInt8]) throws(ProposalError) {
        try nodes[id]!.propose(data)
        stabilize()
    }

    /// Runs the cluster until no node has a `Ready` and no message is in flight.
    mutating func stabilize() {
        for _ in 0..<TestNetwork.deliveryRoundsMaximum {
            var anyReady = false
            for id in ids where nodes[id]?.hasReady == true {
                processReady(id)
                anyReady = true
            }
            if pending.isEmpty && !anyReady { return }
            let batch = pending
            pending = []
            for message in batch { deliver(message) }
        }
        preconditionFailure("the network did not quiet down within \(TestNetwork.deliveryRoundsMaximum) rounds")
    }

    /// Hands `message` to its receiver unless its link is cut.
    mutating func deliver(_ message: Message) {
        guard nodes[message.to] != nil, !cutLinks.contains(Link(from: message.from, to: message.to)),
            !droppedKinds.contains(message.kind)
        else { return }
        delivered.append(message)
        nodes[message.to]!.step(message)
    }

    mutating func clearDelivered() {
        delivered = []
    }

    mutating func processReady(_ id: NodeID) {
        let ready = nodes[id]!.ready()
        pending.append(contentsOf: ready.messages)
        var disk = disks[id]!
        if let snapshot = ready.snapshotToPersist {
            disk.snapshot = snapshot
            disk.entries = []
            applied[id, default: []] = []
        }
        if let first = ready.entriesToPersist.first?.index {
            disk.entries.removeAll { $0.index >= first }
            disk.entries.append(contentsOf: ready.entriesToPersist)
        }
        if let hardState = ready.hardState { disk.hardState = hardState }
        disks[id] = disk
        pending.append(contentsOf: ready.messagesAfterPersist)
        applied[id, default: []].append(contentsOf: ready.committedEntries)
        readStates[id, default: []].append(contentsOf: ready.readStates)
        nodes[id]!.advance(ready)
    }

    /// Crash and restart from the disk alone.
    mutating func restart(_ id: NodeID) {
        nodes[id] = try! RaftNode(
            configuration: configurations[id]!, recovered: disks[id]!, initialMembership: initialMemberships[id]!)
        applied[id] = []
    }

    /// The application data applied on `id`, skipping empty entries and config changes.
    func appliedData(_ id: NodeID) -> [[UInt8]] {
        (applied[id] ?? []).filter { $0.kind == .normal && !$0.data.isEmpty }.map(\.data)
    }

    /// The application snapshots everything `id` applied and compacts its log.
    mutating func compact(_ id: NodeID, data: [UInt8] = [0xC0]) {
        let index = nodes[id]!.log.applied
        let snapshot = nodes[id]!.compact(upTo: index, snapshotData: data)
        var disk = disks[id]!
        disk.snapshot = snapshot ?? disk.snapshot
        disk.entries.removeAll { $0.index <= index }
        disks[id] = disk
    }
}
