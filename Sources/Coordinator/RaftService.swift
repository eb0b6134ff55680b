import Cluster
import Consensus
import Fleet
import Locking
import Observability
import Primitives
import Storage
import Transport
import Wire

/// Runs this coordinator's Raft node on a dedicated event loop: ticks it,
/// persists every Ready (fsync) before sending its messages, applies committed
/// commands to the fleet state, and answers proposals when they apply. A
/// follower hands what only the leader does to `forwarding`. All of its state
/// lives on `loop`; other threads talk to it through `execute` and read `view`.
final class RaftService: @unchecked Sendable {
    struct Settings: Sendable {
        var tickInterval: Duration = .milliseconds(50)
        var electionTimeoutTicks = 10
        var heartbeatIntervalTicks = 1
        var clockDriftBoundPercent = 10
        var snapshotEveryEntries: UInt64 = 10_000
        var auditRetention = CoordinatorConfiguration.auditRetentionDefault
        var moduleRetention = FleetState.moduleRetentionDefault
    }

    let loop: EventLoop
    let selfMember: ClusterTopology.Member
    let founding: ClusterTopology
    /// Which cluster this member belongs to: every peer connection is checked against it.
    let clusterIdentity: ClusterIdentityGuard
    private let group: EventLoopGroup
    let settings: Settings
    private let store: RaftLogStore
    let logger: Logger
    let peerContexts: TLSContextStore
    let published: Locked<ClusterView>
    var node: RaftNode
    var fleet: FleetState
    var directory: MemberDirectory
    /// The links to the other members, made on the loop at first use.
    private(set) lazy var peers = makePeerLinks()
    /// Requests forwarded to the leader while following, and answers to followers while leading.
    /// Request ids start at random, like read ids below, so that an answer meant for an earlier
    /// incarnation of this coordinator answers none of this one's requests.
    private(set) lazy var forwarding = RequestForwarding(peers: peers, logger: logger,
                                                         firstRequestID: UInt64.random(in: 1...(UInt64.max >> 1)))
    var waiters = ProposalWaiters()
    private var tickTimer: TimerID?
    var lastSnapshotIndex: UInt64 = 0
    private var knownLeader: NodeID = .none
    private var knownTerm: UInt64 = 0
    /// As of the last publish; lets per-tick work skip computing a full `Status`.
    var isLeaderKnown: Bool { knownLeader != .none }
    var hasLearners: Bool { !linkedMembership.learners.isEmpty }
    private var linkedMembership = Membership.empty
    /// When a Raft message from each member last arrived: the view's last contact, per member.
    private var lastHeard: [NodeID: MonotonicInstant] = [:]
    /// What each member's pings said it reads: the rule for newer entries (`RaftService+Upgrades`).
    var memberVersions = MemberVersions()
    /// The last refusals `entryRefusal` logged.
    var upgradeGate = UpgradeGate()
    /// The leader's raise of the cluster version.
    let clusterVersionRaise: ClusterVersionRaise
    /// Answers node reads when this node leads; set once before `start`.
    var gatewayQueries: (@Sendable (GatewayQuery) -> ClusterOutcome)?
    /// Hears every view this service publishes, on its loop; set once before `start`.
    var viewObserver: (@Sendable (ClusterView) -> Void)?
    let addresses: AddressPublication
    /// The agent port's ticket keys; set its observer once before `start`.
    let ticketKeys: TicketKeyRotation
    /// Drops audit records past their retention.
    let auditRetention: AuditRetention
    let moduleRetention: ModuleRetention
    /// Makes the first admin of a new cluster; set once before `start` if given the founding password.
    var adminBootstrap: AdminBootstrap?
    /// Node removal and revocation; set its hooks once before `start`.
    let nodeAdministration = NodeAdministration()
    /// The events of applied entries, for `GET /api/v1/events`.
    let events: EventHub
    /// Events of the entries applied in this `process`, recorded once they are all applied.
    var appliedEvents = AppliedEvents()
    /// Counts the applied deployment commands for `/metrics`.
    let deploymentMetrics: DeploymentMetrics
    let learnerPromotionsRefused: Counter
    /// Peer messages dropped as etcd's transport drops them: arriving past a peer's quota below,
    /// or leaving while the link is down or its backlog full (`PeerLinks`).
    let peerMessagesDroppedInbound: Counter, peerMessagesDroppedOutbound: Counter
    /// The peer links' resolver, stopped after them (`stop`), and their count of names that gave no address.
    let peerDialing: PeerDialing
    /// Each peer's Raft messages, and apart from them its forwarded requests, waiting for this loop
    /// at most `peerTasksMaximum` deep (etcd's per-peer `recvc` and `propc`); other work counts against neither.
    static let peerTasksMaximum = 4_096
    let inboundRaftMessages: TaskQuota<NodeID>
    let inboundForwardedRequests: TaskQuota<NodeID>
    /// Counts a learner's refused promotions once per run (they are retried every Ready batch).
    var learnerPromotionRefusals = FailureRun<NodeID>()
    var inventoryPublication = InventoryPublication()
    /// When the last tick counted (`catchUpTicks`).
    var lastTickAt = MonotonicInstant.now()
    private var isProcessScheduled = false
    /// Set once this coordinator stopped taking part (`halt`); never cleared.
    private(set) var isHalted = false
    /// Hears why, once, on the loop; set once before `start`. The process then stops.
    var haltObserver: (@Sendable (String) -> Void)?
    /// Answers to writes that applied in this `process`, sent once their state is published.
    var answersAfterPublish: [() -> Void] = []
    /// Read ids start at random so that an answer meant for an earlier incarnation of this
    /// coordinator (still queued at the leader) cannot confirm a read of this one.
    var reads = ReadWaiters(firstReadID: UInt64.random(in: 1...(UInt64.max >> 1)))

    /// `joining` is true for a node added to a running cluster (`--initial-cluster-state existing`):
    /// it starts as no member at all and learns the membership from the leader's log.
    init(name: String, topology: ClusterTopology, joining: Bool, identity: ClusterIdentityGuard, dataDirectory: String,
         peerContexts: TLSContextStore, settings: Settings, logger: Logger, metrics: MetricsRegistry) throws {
        guard let selfMember = topology.member(named: name) else {
            throw TopologyError.malformed("this node (\(name)) is not in --initial-cluster")
        }
        self.selfMember = selfMember
        founding = topology
        clusterIdentity = identity
        self.settings = settings
        self.logger = logger
        self.peerContexts = peerContexts
        addresses = AddressPublication(logger: logger, metrics: metrics)
        learnerPromotionsRefused = Self.learnerPromotionsRefusedCounter(in: metrics)
        ticketKeys = TicketKeyRotation(logger: logger, metrics: metrics)
        auditRetention = AuditRetention(retention: settings.auditRetention, logger: logger, metrics: metrics)
        moduleRetention = ModuleRetention(keepingNewest: settings.moduleRetention, logger: logger, metrics: metrics)
        clusterVersionRaise = ClusterVersionRaise(logger: logger)
        peerMessagesDroppedInbound = PeerFlowControl.droppedCounter("inbound", in: metrics)
        peerMessagesDroppedOutbound = PeerFlowControl.droppedCounter("outbound", in: metrics)
        peerDialing = PeerDialing(metrics: metrics)
        group = try EventLoopGroup(loopCount: 1)
        loop = group.loops[0]
        inboundRaftMessages = TaskQuota(loop: loop, maximumPerSource: Self.peerTasksMaximum)
        inboundForwardedRequests = TaskQuota(loop: loop, maximumPerSource: Self.peerTasksMaximum)
        let recovery = try StartupRecovery.run(dataDirectory: dataDirectory, metrics: metrics)
        store = recovery.store
        if recovery.details.truncatedTailBytes > 0 {
            logger.warning("write-ahead log had a torn tail; truncated", [
                "bytes": "\(recovery.details.truncatedTailBytes)", "records": "\(recovery.details.truncatedTailRecords)",
            ])
        }
        let recovered = recovery.state
        deploymentMetrics = DeploymentMetrics(metrics: metrics, countingAfter: recovered.hardState.commit)
        let configuration = settings.raftConfiguration(id: selfMember.id, randomSeed: selfMember.id ^ UInt64(recovered.hardState.term))
        node = try RaftNode(configuration: configuration, recovered: recovered,
                            initialMembership: joining ? .empty : Membership(voters: topology.members.map(\.id)))
        fleet = recovery.fleet
        lastSnapshotIndex = recovered.snapshot?.metadata.index ?? 0
        events = EventHub(appliedIndex: fleet.appliedIndex, electionTimeout: settings.tickInterval * settings.electionTimeoutTicks,
                          metrics: metrics)
        directory = MemberDirectory(founding: topology, fleet: fleet)
        var view = ClusterView(selfName: name, directory: directory)
        view.silenceLimit = settings.tickInterval * settings.electionTimeoutTicks
        published = Locked(view)
    }

    /// What the API shows of the cluster; safe from any thread.
    var view: ClusterView { published.withLock { $0 } }

    /// Starts ticking; `advertising` is what this coordinator publishes as
    /// its API and agent addresses once a leader takes writes.
    func start(advertising addresses: AdvertisedAddresses) {
        loop.execute { [self] in
            self.addresses.own = addresses
            scheduleTick()
            process()
        }
    }

    /// Stops ticking, fails pending proposals, closes the peer links and closes the log.
    func stop() {
        loop.runAndWait { [self] in
            if let tickTimer { loop.cancelTimer(tickTimer) }
            tickTimer = nil
            // A pending write may still commit under the next leader: "may have applied", never
            // `no_leader`, which promises a client that nothing was applied. Answered before the
            // links close, so a follower that forwarded a request hears it instead of timing out.
            waiters.failAll(with: .leaderChanged)
            forwarding.failAll(with: .leaderChanged)
            failAllReads(with: .noLeader("coordinator shutting down"))
            peers.closeAll()
            if !isHalted {
                do {
                    try store.wal.flush()
                } catch {
                    logger.warning("the last commit index was not written at shutdown; it is learned again from the leader",
                                   ["error": "\(error)"])
                }
            }
            store.wal.close()
        }
        peerDialing.resolver.stop()
        group.shutdown()
    }

    private func scheduleTick() {
        tickTimer = loop.scheduleTimer(at: MonotonicInstant.now().advanced(by: settings.tickInterval)) { [weak self] in
            guard let self else { return }
            catchUpTicks()
            waiters.expire(now: .now())
            forwarding.expire(now: .now())
            expireReads()
            addresses.publishIfStale(replicated: fleet.advertised, isLeaderKnown: isLeaderKnown) { request, completion in
                submitOnLoop(request, mayForward: true, completion: completion)
            }
            proposeLeaderRecords()
            process()
            scheduleTick()
        }
    }

    /// Delivers a message a peer sent; `from` is the name its certificate proved.
    func receive(_ message: Message) {
        loop.preconditionInLoop()
        guard !isHalted else { return }
        catchUpTicks()
        if linkedMembership.contains(message.from) { lastHeard[message.from] = .now() }
        node.step(message)
        scheduleProcess()
    }

    /// Runs `process` once after the tasks already queued on the loop, so the
    /// proposals and messages that arrive together share one Ready and one fsync.
    func scheduleProcess() {
        guard !isProcessScheduled else { return }
        isProcessScheduled = true
        loop.execute { [self] in
            isProcessScheduled = false
            process()
        }
    }

    /// Drains every Ready in the order `Ready` documents, by the core's rule of what may be
    /// sent before the fsync: a leader's appends overlap its own disk write (dissertation
    /// §10.2.1, as etcd does), everything else waits for it. The published lease is withdrawn
    /// before anything is sent that could end it (a `timeoutNow`, a vote). Writes are answered
    /// and reads released only after the state they applied to is published, so the next read
    /// on this coordinator shows them. A failed write or an entry this build cannot decode
    /// halts the coordinator: going on could fork the replicated state.
    func process() {
        guard !isHalted else { return }
        requestPendingReads()
        while !isHalted, node.hasReady {
            let ready = node.ready()
            withdrawPublishedLeaseIfLost()
            for message in ready.messages { peers.sendRaft(message) }
            do {
                try store.persist(ready)
            } catch {
                return halt("cannot persist the Raft log (\(error))")
            }
            for message in ready.messagesAfterPersist { peers.sendRaft(message) }
            do throws(ReplicationHalt) {
                if let snapshot = ready.snapshotToPersist { try restore(from: snapshot) }
                try apply(ready.committedEntries)
            } catch {
                return halt(error.description)
            }
            confirmReads(ready.readStates)
            node.advance(ready)
        }
        promoteCaughtUpLearner()
        compactIfDue()
        ticketKeys.publishIfChanged(fleet.ticketKeys)
        nodeAdministration.publishIfChanged(fleet.revocations)
        publish()
        // After the publish: a stream opened once these events are recorded checks its
        // credential against a view that already holds them (EventSubscriber.open).
        appliedEvents.record(in: events, through: fleet.appliedIndex)
        sendAnswersAfterPublish()
    }

    /// Stops taking part for good: nothing more is persisted, sent or applied, waiting requests
    /// fail, and `haltObserver` hears why (the coordinator then exits non-zero). A restart
    /// recovers from the durable log, or refuses to start with the same reason.
    private func halt(_ reason: String) {
        guard !isHalted else { return }
        isHalted = true
        logger.error("this coordinator stops: \(reason)")
        if let tickTimer { loop.cancelTimer(tickTimer) }
        tickTimer = nil
        withdrawPublishedLease()
        // These writes committed and applied here; their answers are true. No later read
        // on this coordinator can contradict them: it answers none.
        let answers = answersAfterPublish
        answersAfterPublish = []
        for answer in answers { answer() }
        // Pending writes may still commit elsewhere: "may have applied", never `no_leader`.
        waiters.failAll(with: .leaderChanged)
        forwarding.failAll(with: .leaderChanged)
        failAllReads(with: .noLeader("this coordinator stopped: \(reason)"))
        haltObserver?(reason)
    }

    /// Persists exactly the snapshot the Raft node made: the term of the entry
    /// at the applied index and the membership in force there.
    private func compactIfDue() {
        let applied = fleet.appliedIndex
        guard applied >= lastSnapshotIndex + settings.snapshotEveryEntries else { return }
        guard let snapshot = node.compact(upTo: applied, snapshotData: FleetCodec.encode(fleet)) else {
            logger.debug("snapshot deferred; the log cannot be compacted yet", ["applied": "\(applied)"])
            return
        }
        do {
            try store.save(snapshot)
            lastSnapshotIndex = applied
        } catch {
            // The core already dropped the entries the snapshot covers and would send
            // followers a snapshot that is not on disk.
            halt("cannot persist the snapshot at index \(applied) (\(error))")
        }
    }

    private func publish() {
        let status = node.status
        if status.membership != linkedMembership {
            linkedMembership = status.membership
            peers.close(outside: status.membership)
            peers.dial(status.membership)
            lastHeard = lastHeard.filter { status.membership.contains($0.key) }
            memberVersions.keep(only: status.membership)
        }
        if status.term != knownTerm {
            // Read requests sent in an earlier term are dropped as stale: ask again.
            knownTerm = status.term
            reads.requeueRequested()
            if reads.hasUnrequested { scheduleProcess() }
        }
        if status.leader != knownLeader {
            knownLeader = status.leader
            logger.info("leader changed", ["leader": status.leader == .none ? "(none)" : directory.displayName(of: status.leader),
                                           "term": "\(status.term)", "role": "\(status.role)"])
            waiters.leaderChanged(to: status.leader, name: directory.displayName(of: status.leader), term: status.term)
            forwarding.leaderChanged()
        }
        // Counted from the last tick, not from now, so the deadline never runs late.
        let leaseExpiresAt = status.isLeaseValid
            ? lastTickAt.advanced(by: settings.tickInterval * Int(status.leaseRemainingTicks)) : nil
        let nodes = inventoryPublication.isDue(at: .now()) ? fleet.nodes : nil
        let view = published.withLock { view in
            view.update(status: status, leaseExpiresAt: leaseExpiresAt, fleet: fleet, nodes: nodes, directory: directory)
            view.lastHeard = lastHeard
            return view
        }
        viewObserver?(view)
    }
}
