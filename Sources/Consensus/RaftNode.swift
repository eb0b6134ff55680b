import Primitives

/// One Raft participant as a deterministic state machine, read like etcd-io/raft: time enters
/// only as `tick()`, the network only as `step(_:)`, and everything the caller must do (persist,
/// send, apply) comes back as one `Ready` that it acknowledges with `advance(_:)`.
///
/// The role files hold the step functions: `RaftNode+Follower.swift`,
/// `RaftNode+Candidate.swift`, `RaftNode+Leader.swift`; replication, proposals, reads and the
/// `Ready` cycle have their own files.
public struct RaftNode: Sendable {
    /// Messages held between two `ready()` calls; beyond it new ones are dropped like lost packets.
    static let outboxMessagesMaximum = 1 << 14
    static let readStatesMaximum = ReadOnly.pendingMaximum
    static let committedEntriesPerReadyMaximum = 1 << 12
    /// Terms and indexes beyond this are malformed input: they leave room to count up without
    /// overflow for the life of any cluster.
    static let termOrIndexMaximum = UInt64.max >> 2

    /// A leadership transfer in progress (the leader stops taking proposals meanwhile).
    struct LeadershipTransfer: Sendable {
        var target: NodeID
        var elapsedTicks = 0
        var timeoutNowSent = false
    }

    public let configuration: RaftConfiguration
    var id: NodeID { configuration.id }
    var term: UInt64
    var vote: NodeID
    var log: RaftLog
    var role: Role = .follower
    var leader: NodeID = .none
    var tracker: ProgressTracker
    var memberships: MembershipHistory
    var random: SplitMix64
    /// This incarnation's tick count: the leader's lease clock (stamps in `leaseTick`).
    var tickCount: UInt64 = 0
    var electionElapsedTicks = 0
    var heartbeatElapsedTicks = 0
    /// Ticks since a leader last reached this node (or since it started). Below
    /// `electionTimeoutTicks` it refuses (pre)votes: the follower half of the lease.
    var ticksSinceLeaderContact = 0
    var randomizedElectionTimeoutTicks: Int
    var transfer: LeadershipTransfer?
    /// Set once this leader sent `timeoutNow`: its lease is void for the rest of the term,
    /// because voters grant the transfer candidate's votes despite the lease.
    var leaseSurrendered = false
    /// The index of this leader's first entry of its term.
    var termStartIndex: UInt64 = 0
    var uncommittedBytes = 0
    var readOnly = ReadOnly()
    var outbox: [Message] = []
    var readStates: [ReadState] = []
    var persistedHardState: HardState
    var reportedSoftState = SoftState(role: .follower, leader: .none)
    var isReadyOutstanding = false

    /// Starts (or restarts) a node from what it made durable. `initialMembership` is used only
    /// when neither a snapshot nor a config-change entry in `recovered` defines the membership;
    /// a node that will be added later starts with `.empty`.
    public init(
        configuration: RaftConfiguration, recovered: PersistentState = .empty, initialMembership: Membership
    ) throws(StartupError) {
        try configuration.validate()
        let snapshotIndex = recovered.snapshot?.metadata.index ?? 0
        let entries = recovered.entries.filter { $0.index > snapshotIndex }
        try recovered.validate()
        var history = MembershipHistory(
            base: recovered.snapshot?.metadata.membership ?? initialMembership, index: snapshotIndex)
        for entry in entries where entry.kind == .configChange {
            if let record = ConfigChangeRecord.decode(entry.data) {
                history.appended(index: entry.index, membership: record.membership)
            }
        }
        self.configuration = configuration
        term = recovered.hardState.term
        vote = recovered.hardState.vote
        log = RaftLog(snapshot: recovered.snapshot, entries: entries, committed: recovered.hardState.commit)
        memberships = history
        tracker = ProgressTracker(
            selfID: configuration.id, membership: history.current,
            inflightMessagesMaximum: configuration.inflightMessagesMaximum,
            inflightBytesMaximum: configuration.inflightBytesMaximum)
        random = SplitMix64(seed: configuration.randomSeed ^ (configuration.id &* 0xD1B5_4A32_D192_ED03))
        randomizedElectionTimeoutTicks = configuration.electionTimeoutTicks
        persistedHardState = recovered.hardState
        resetRandomizedElectionTimeout()
        assert(log.committed >= recovered.hardState.commit && term == recovered.hardState.term)
    }

    /// Advances this node's clock by one tick.
    public mutating func tick() {
        tickCount += 1
        ticksSinceLeaderContact = min(ticksSinceLeaderContact + 1, 2 * configuration.electionTimeoutTicks)
        if role == .leader {
            tickLeader()
        } else {
            tickElection()
        }
    }

    /// Handles one message from another node. Stale, malformed and misdirected messages are
    /// dropped or answered with a rejection; remote input never traps.
    public mutating func step(_ message: Message) {
        guard message.to == id, message.from != .none, message.from != id,
            message.entries.count <= RaftLog.entriesPerReadMaximum,
            message.context.count <= ReadOnly.contextBytesMaximum,
            message.term <= RaftNode.termOrIndexMaximum, message.index <= RaftNode.termOrIndexMaximum,
            (message.snapshot?.metadata.index ?? 0) <= RaftNode.termOrIndexMaximum
        else { return }
        let termBefore = term
        if message.term < term {
            stepLowerTerm(message)
            return
        }
        if message.kind.isVoteRequest && refusesVote(message) { return }
        if message.term > term { stepHigherTerm(message) }
        if message.kind.isVoteRequest {
            handleVoteRequest(message)
        } else {
            switch role {
            case .leader: stepLeader(message)
            case .candidate, .preCandidate: stepCandidate(message)
            case .follower: stepFollower(message)
            }
        }
        assert(term >= termBefore, "term never decreases")
    }

    /// The follower half of the lease, and leader stickiness: a node that heard from a leader
    /// less than an election timeout ago (or that leads) ignores (pre)votes, unless the leader
    /// itself handed over (`timeoutNow`).
    func refusesVote(_ message: Message) -> Bool {
        guard !message.isLeadershipTransfer else { return false }
        return role == .leader || ticksSinceLeaderContact < configuration.electionTimeoutTicks
    }

    mutating func stepHigherTerm(_ message: Message) {
        precondition(message.term > term)
        switch message.kind {
        case .preVote:
            return  // a pre-vote never moves our term
        case .preVoteResponse where !message.reject:
            return  // a granted pre-vote carries the term we would campaign in
        case .vote:
            // Only a granted vote or a leader restarts the election timer (§5.2): a stale
            // candidate must not keep up-to-date followers from ever campaigning.
            let electionElapsed = electionElapsedTicks
            becomeFollower(term: message.term, leader: .none)
            electionElapsedTicks = electionElapsed
        default:
            becomeFollower(term: message.term, leader: message.kind.isFromLeader ? message.from : .none)
        }
    }

    /// Tells a stale leader or pre-candidate about our term; ignores everything else.
    mutating func stepLowerTerm(_ message: Message) {
        precondition(message.term < term)
        let tellsStaleLeader = configuration.checkQuorum || configuration.preVote
        if tellsStaleLeader && (message.kind == .append || message.kind == .heartbeat) {
            send(Message(kind: .appendResponse, from: id, to: message.from, term: term))
        } else if message.kind == .preVote {
            send(Message(kind: .preVoteResponse, from: id, to: message.from, term: term, reject: true))
        }
    }

    /// Clears per-term state; the term itself only moves forward.
    mutating func reset(term newTerm: UInt64) {
        precondition(newTerm >= term, "term never decreases (\(term) → \(newTerm))")
        if newTerm != term {
            term = newTerm
            vote = .none
        }
        leader = .none
        electionElapsedTicks = 0
        heartbeatElapsedTicks = 0
        resetRandomizedElectionTimeout()
        transfer = nil
        leaseSurrendered = false
        termStartIndex = 0
        uncommittedBytes = 0
        tracker.resetVotes()
        tracker.clearProgress()
        readOnly.reset()
    }

    /// A fresh timeout in [T, 2T) ticks.
    mutating func resetRandomizedElectionTimeout() {
        let timeoutTicks = configuration.electionTimeoutTicks
        randomizedElectionTimeoutTicks = timeoutTicks + Int(random.next(below: UInt64(timeoutTicks)))
        assert(randomizedElectionTimeoutTicks >= timeoutTicks && randomizedElectionTimeoutTicks < 2 * timeoutTicks)
    }

    /// A voter with no snapshot waiting to be persisted may campaign. So may a voter whose
    /// removal is in its log but not committed: with two voters, the one removed may hold the
    /// only copy of the removal, and the other needs its vote, which it refuses to a shorter log
    /// — neither could ever lead again. It campaigns for the votes of the new membership (whose
    /// quorum it does not count towards) and steps down once its removal commits.
    var isPromotable: Bool {
        guard !log.hasPendingSnapshot else { return false }
        return tracker.membership.isVoter(id) || memberships.membership(at: log.committed).isVoter(id)
    }

    mutating func send(_ message: Message) {
        precondition(message.from == id && message.to != id && message.to != .none)
        guard outbox.count < RaftNode.outboxMessagesMaximum else { return }
        outbox.append(message)
    }

    mutating func appendReadState(_ readState: ReadState) {
        guard readStates.count < RaftNode.readStatesMaximum else { return }
        readStates.append(readState)
    }

    /// Adopts the membership the log now ends with.
    mutating func adoptCurrentMembership() {
        tracker.setMembership(memberships.current, lastIndex: log.lastIndex, isLeading: role == .leader)
    }

    /// Ticks left on this leader's lease; zero when not leading, surrendered or lapsed, and
    /// until an entry of this leader's term has committed: before that its commit index may lag
    /// what earlier leaders committed, so reads and actions under the lease could go back in time.
    public var leaseRemainingTicks: UInt64 {
        guard role == .leader, !leaseSurrendered, log.committed >= termStartIndex else { return 0 }
        return Lease.remainingTicks(
            startTick: tracker.leaseStartTick(nowTick: tickCount), nowTick: tickCount,
            durationTicks: configuration.leaseDurationTicks)
    }

    /// Whether this node may act as leader right now: accept proposals and serve lease reads.
    public var isLeaseValid: Bool { leaseRemainingTicks > 0 }
}
