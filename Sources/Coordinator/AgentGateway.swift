import Cluster
import Fleet
import Gateway
import Locking
import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// The leader's end of the agent port. It accepts agents only while this
/// coordinator acts as leader (others are redirected), keeps one session per
/// node (the certificate's name), stores reports in bounded per-node windows
/// that never touch the Raft log, writes a node's inventory through Raft
/// only when it changed, and answers node reads. Safe from any thread: its
/// state is behind one lock; sessions are touched on their own loops.
final class AgentGateway: @unchecked Sendable {
    struct Settings: Sendable {
        var liveness = LivenessPolicy(suspectAfter: .seconds(3), downAfter: .seconds(30), failoverGrace: .seconds(10))
        var limits = GatewayTables.Limits()
        /// How long a follower keeps a hello while it cannot name the acting
        /// leader (`HelloRoute`): long enough for an election with a split vote.
        var helloHold: Duration = .seconds(2)
        /// How often the windows of long-silent nodes are swept (`GatewayTables.evictExpired`),
        /// on the views Raft publishes (every tick).
        var retentionSweepInterval: Duration = .seconds(1)
    }

    private struct State {
        var tables: GatewayTables
        var leadership = Leadership()
        var sessions: [String: Session] = [:]
        /// Each admitted node's inventory as its last hello stated it, shown
        /// until the replicated record (written through Raft) is visible.
        var helloRecords: [String: NodeRecord] = [:]
        var inventoryWritesInFlight: Set<String> = []
        /// The record known stored for each node (seen in the view, or stored by this gateway's
        /// write): the view lags the log, so a retry must not write the same record twice, and a
        /// report of a recorded node must not read the view again.
        var inventoryRecorded: [String: NodeRecord] = [:]
        var retentionSweepDueAt: MonotonicInstant?
        /// The node list's fragments, kept between answers (`NodeListCache`).
        var listCache = NodeListCache()
    }

    /// Ingest is microseconds of work: finer than the request-latency buckets.
    static let ingestBucketsSeconds: [Double] = [
        0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
    ]

    let settings: Settings
    let raft: any GatewayRaft
    /// The monotonic clock leases, holds and liveness are read on: the boot
    /// clock in production, an embedded loop's virtual clock in tests.
    let clock: any LoopClock
    /// Hellos waiting for an election to end.
    let holds: HeldHellos
    private let logger: Logger
    private let state: Locked<State>
    private let reports: Counter
    private let ingestSeconds: Histogram
    private let refused: Counter
    private let refusedEnvironment: Counter
    private let evicted: Counter

    init(raft: any GatewayRaft, settings: Settings, logger: Logger, metrics: MetricsRegistry, clock: any LoopClock = BootClock()) {
        self.raft = raft
        self.clock = clock
        self.settings = settings
        self.logger = logger
        state = Locked(State(tables: GatewayTables(limits: settings.limits)))
        holds = HeldHellos(maximum: settings.limits.nodesMaximum, holdFor: settings.helloHold)
        reports = metrics.counter("hotswap_agent_reports_total", help: "Agent reports stored by this leader.")
        refused = metrics.counter("hotswap_agent_sessions_refused_total",
                                  help: "Agent connections closed for a bad hello, a bad frame or a full table.")
        refusedEnvironment = metrics.counter(
            "hotswap_agent_hellos_refused_total", help: "Agent hellos refused, by reason (environment: not the one the node enrolled for).",
            labels: [("reason", "environment")])
        evicted = metrics.counter("hotswap_agent_windows_evicted_total",
                                  help: "Node windows dropped after --node-retention without a session or a report.")
        ingestSeconds = metrics.histogram("hotswap_agent_report_ingest_seconds",
                                          help: "Time from a report frame's arrival to its acknowledgement.",
                                          buckets: Self.ingestBucketsSeconds)
        let state = self.state
        metrics.gaugeFunction("hotswap_agents_connected", help: "Agent sessions open on this leader.") {
            Double(state.withLock { $0.sessions.count })
        }
        metrics.gaugeFunction("hotswap_agent_windows", help: "Nodes with a sample window on this leader.") {
            Double(state.withLock { $0.tables.windows.count })
        }
        let holds = self.holds
        metrics.gaugeFunction("hotswap_agent_hellos_held", help: "Agent hellos held until an election ends.") {
            Double(holds.count)
        }
        for status in NodeStatus.allCases {
            metrics.gaugeFunction("hotswap_agent_nodes", help: "Nodes this acting leader counts in each status.",
                                  labels: [("status", status.rawValue)]) { [weak self] in
                Double(self.map { $0.statusCounts(now: $0.clock.now())[status] ?? 0 } ?? 0)
            }
        }
    }

    /// Follows the Raft view (called with every view Raft publishes): on
    /// becoming leader the liveness clock restarts (the failover grace); on
    /// losing it every agent session is closed so the agents go and find the
    /// new leader; held hellos are decided again; and, once a sweep interval,
    /// windows past their retention are evicted.
    func follow(_ view: ClusterView) {
        let now = clock.now()
        defer {
            holds.decide(view.helloKnowledge(at: now), now: now)
            evictExpiredWindows(now: now)
        }
        let leading = view.role == .leader
        let dropped: [Session] = state.withLock { state in
            var next = state.leadership
            if leading, next.since == nil || next.term != view.term { next.since = now }
            if !leading { next.since = nil }
            next.term = view.term
            next.name = view.selfName
            next.leaseExpiresAt = view.leaseExpiresAt
            // Led, and now does not or does in another term: read off the terms, not off `since`,
            // which two views followed at one clock reading would leave unchanged across a new term.
            let lost = state.leadership.since != nil && (!leading || state.leadership.term != view.term)
            state.leadership = next
            guard lost else { return [] }
            for node in state.sessions.keys { state.tables.noteSessionEnded(node, at: now) }
            defer { state.sessions.removeAll() }
            return Array(state.sessions.values)
        }
        guard !dropped.isEmpty else { return }
        logger.info("leadership lost; closing agent sessions", ["sessions": "\(dropped.count)"])
        let redirect = self.redirect(view)
        for session in dropped {
            session.ifOpen { channel in
                channel.send(Frame(kind: FrameKind.agentRedirect.rawValue, payload: redirect), what: "redirect", refusalsTo: self.logger)
                channel.close(.local("leadership lost"))
            }
        }
    }

    var leadership: Leadership { state.withLock { $0.leadership } }

    func redirect(_ view: ClusterView) -> [UInt8] {
        AgentSessionCodec.encode(AgentRedirect(term: view.term, leaderName: view.leaderName ?? "",
                                               leaderAgentAddress: view.leaderAgentAddress))
    }

    enum Admission {
        case welcome(term: UInt64, acknowledged: UInt64)
        case notActingLeader
        case tableFull(maximum: Int)
    }

    /// Registers `channel` as `node`'s session (closing an older one) with
    /// room in the node table, and returns what to welcome it with.
    func open(node: String, incarnation: UInt64, channel: FrameChannel) -> Admission {
        let session = Session(channel)
        let now = clock.now()
        var replaced: Session?
        let admission: Admission = state.withLock { state in
            guard state.leadership.isActing(at: now) else { return .notActingLeader }
            guard state.tables.admit(node, at: now) else { return .tableFull(maximum: settings.limits.nodesMaximum) }
            replaced = state.sessions.updateValue(session, forKey: node)
            return .welcome(term: state.leadership.term,
                            acknowledged: state.tables.acknowledgedSequence(of: node, incarnation: incarnation))
        }
        replaced?.ifOpen { $0.close(.local("replaced by a newer session of the same node")) }
        return admission
    }

    func close(node: String, channel: FrameChannel) {
        let now = clock.now()
        state.withLock { state in
            guard state.sessions[node]?.identity == ObjectIdentifier(channel) else { return }
            state.sessions[node] = nil
            state.tables.noteSessionEnded(node, at: now)
        }
    }

    /// Whether `node` has an agent session on this coordinator.
    func hasSession(_ node: String) -> Bool {
        state.withLock { $0.sessions[node] != nil }
    }

    /// `node`'s agent session on this acting leader, if it has one.
    func session(of node: String) -> Session? {
        state.withLock { $0.sessions[node] }
    }

    /// The newest record this leader knows of `node`: what its hello stated (or another writer
    /// stored since), whose write may still be in flight, else the fleet's.
    func newestRecord(of node: String) -> NodeRecord? {
        let viewed = raft.view.nodes[node]
        return state.withLock { $0.helloRecords[node] } ?? viewed
    }

    /// A record another writer (a module order's result) stored for the node, built from `base`:
    /// kept as recorded, and as what the hello stated unless a newer hello replaced `base`
    /// meanwhile (then the next report writes that hello's inventory again).
    func noteRecorded(_ record: NodeRecord, over base: NodeRecord) {
        state.withLock { state in
            if state.helloRecords[record.id] == base { state.helloRecords[record.id] = record }
            state.inventoryRecorded[record.id] = record
        }
    }

    /// The node was removed from the fleet: drops its window and what the gateway remembered of
    /// its inventory, unless its agent is connected (again): then its next report writes the
    /// inventory anew.
    func forget(_ node: String) {
        // The window is freed here, outside the lock: at its bounds it is thousands of deallocations.
        let (forgotten, window) = state.withLock { state -> (Bool, NodeWindow?) in
            state.inventoryRecorded[node] = nil
            guard state.sessions[node] == nil else { return (false, nil) }
            state.helloRecords[node] = nil
            return (true, state.tables.remove(node))
        }
        logger.info(forgotten ? "node removed; its window is dropped" : "node removed while its agent is connected; it stays",
                    ["node": node, "samples": "\(window?.sampleCount ?? 0)"])
    }

    /// Drops the windows (and what the gateway remembers of the nodes' hellos)
    /// of nodes without a session that were last heard from a retention ago,
    /// at most one bounded sweep per `retentionSweepInterval`. A node's
    /// replicated inventory stays, so it is still listed: `down`, no figures.
    func evictExpiredWindows(now: MonotonicInstant) {
        let dropped: [String: NodeWindow] = state.withLock { state in
            guard now >= state.retentionSweepDueAt ?? now else { return [:] }
            state.retentionSweepDueAt = now.advanced(by: settings.retentionSweepInterval)
            let sessions = state.sessions
            let dropped = state.tables.evictExpired(now: now) { sessions[$0] != nil }
            for node in dropped.keys {
                state.helloRecords[node] = nil
                state.inventoryRecorded[node] = nil
            }
            return dropped
        }
        guard !dropped.isEmpty else { return }
        evicted.increment(by: dropped.count)
        logger.info("node windows evicted after the retention without contact",
                    ["nodes": "\(dropped.count)", "first": dropped.keys.min() ?? "",
                     "retentionSeconds": "\(settings.limits.retention.components.seconds)"])
    }

    enum Ingestion {
        case acknowledged(ReportAck)
        case notActingLeader
        case tableFull(maximum: Int)
    }

    /// Stores a report if this node acts as leader and has room for the node.
    func ingest(_ report: Report, from node: String, receivedAt: MonotonicInstant) -> Ingestion {
        let stored: (UInt64, UInt64?)? = state.withLock { state in
            guard state.leadership.isActing(at: receivedAt) else { return nil }
            return (state.leadership.term, state.tables.ingest(report, from: node, at: receivedAt))
        }
        guard let (term, sequence) = stored else { return .notActingLeader }
        guard let sequence else { return .tableFull(maximum: settings.limits.nodesMaximum) }
        reports.increment()
        ingestSeconds.observe(Double(receivedAt.duration(until: clock.now()).wholeNanoseconds) / 1e9)
        retryInventoryIfUnrecorded(node)
        return .acknowledged(ReportAck(leaderTerm: term, acknowledgedSequence: sequence))
    }

    func noteRefusal() { refused.increment() }

    /// A hello refused for reporting another environment than its node enrolled for (counted in both counters).
    func noteEnvironmentRefusal() {
        refused.increment()
        refusedEnvironment.increment()
    }

    /// Writes the inventory the node's hello stated again when the replicated record still
    /// differs: a write lost to a leadership change would otherwise wait for the next hello.
    private func retryInventoryIfUnrecorded(_ node: String) {
        let unwritten = state.withLock { state -> NodeRecord? in
            guard let record = state.helloRecords[node], state.inventoryRecorded[node] != record else { return nil }
            return record
        }
        guard let unwritten else { return }
        recordInventory(unwritten)
    }

    /// An inventory the fleet refuses (another environment than the node enrolled for) is never written again: the
    /// session is refused with the reason and closed, as its hello would be.
    private func refuseSession(of node: String, _ reason: String) {
        let session = state.withLock { state in (state.helloRecords[node] = nil, state.sessions[node]).1 }
        noteEnvironmentRefusal()
        logger.warning("agent session refused", ["node": node, "reason": reason])
        session?.refuse(reason, logger: logger)
    }

    /// Writes the node's inventory through Raft when it differs from the
    /// replicated record, one write per node at a time.
    func recordInventory(_ record: NodeRecord) {
        state.withLock { state in
            if state.tables.windows[record.id] != nil { state.helloRecords[record.id] = record }
        }
        guard raft.view.nodes[record.id] != record else {
            state.withLock { $0.inventoryRecorded[record.id] = record }
            return
        }
        let claimed = state.withLock { $0.inventoryWritesInFlight.insert(record.id).inserted }
        guard claimed else { return }
        raft.submit(.write(FleetCodec.encode(.putNode(record)))) { [self] outcome in
            state.withLock { state in
                state.inventoryWritesInFlight.remove(record.id)
                if outcome.succeeded { state.inventoryRecorded[record.id] = record }
            }
            if case let .applied(.rejected(.invalidNode(reason))) = outcome { return refuseSession(of: record.id, reason) }
            if !outcome.succeeded {
                logger.warning("node inventory write failed", ["node": record.id, "outcome": outcome.logSummary])
            }
        }
    }

    /// Snapshots of every node the inventory or the windows know (or of
    /// `only` that one, if known), sorted by id.
    func snapshots(now: MonotonicInstant, wallClockMilliseconds: UInt64, only: String? = nil) -> [NodeSnapshot] {
        let inventory = raft.view.nodes
        return state.withLock { state in
            let ids: [String]
            if let only {
                ids = inventory[only] != nil || state.tables.windows[only] != nil ? [only] : []
            } else {
                ids = Set(inventory.keys).union(state.tables.windows.keys).sorted()
            }
            return snapshots(of: ids, in: state, inventory: inventory, now: now, wallClockMilliseconds: wallClockMilliseconds)
        }
    }

    /// The node list's entries, sorted by id, from what is kept between answers
    /// (`NodeListCache`): under the lock, each node's record and window are read in place and
    /// its kept fragments taken when they are still its own; the nodes that changed (each about
    /// once a report interval, all of them after a rollout) are rendered after the lock is let
    /// go, and kept for the next answers.
    func listing(now: MonotonicInstant, wallClockMilliseconds: UInt64) -> [NodeListCache.Entry] {
        let inventory = raft.view.nodes
        let listed = state.withLock { state in
            let since = state.leadership.since ?? now
            let ids = state.listCache.ids(inventory: inventory, tables: state.tables)
            let listed = ids.map { id in
                let window = state.tables.windows[id]
                let record = inventory[id] ?? state.helloRecords[id], latest = window?.latest
                return NodeListCache.Listed(
                    id: id, kept: state.listCache.kept(id: id, record: record, latest: latest), record: record, latest: latest,
                    status: settings.liveness.status(lastReportAt: window?.lastReportAt, leadingSince: since, now: now),
                    latestAgeMilliseconds: Self.ageMilliseconds(of: latest, at: wallClockMilliseconds))
            }
            state.listCache.forgetAllBut(ids)
            return listed
        }
        let (entries, rendered) = NodeListCache.entries(of: listed)
        if !rendered.isEmpty {
            state.withLock { state in
                for node in rendered { state.listCache.store(node.fragments, for: node.id) }
            }
        }
        return entries
    }

    /// How old `latest` is at `wallClockMilliseconds` (0 for a sample stamped in the future).
    private static func ageMilliseconds(of latest: Sample?, at wallClockMilliseconds: UInt64) -> UInt64? {
        latest.map { wallClockMilliseconds >= $0.timestampMilliseconds ? wallClockMilliseconds - $0.timestampMilliseconds : 0 }
    }

    private func snapshots(of ids: [String], in state: State, inventory: [String: NodeRecord], now: MonotonicInstant,
                           wallClockMilliseconds: UInt64) -> [NodeSnapshot] {
        let since = state.leadership.since ?? now
        return ids.map { id in
            let window = state.tables.windows[id]
            let latest = window?.latest
            return NodeSnapshot(
                id: id, record: inventory[id] ?? state.helloRecords[id],
                status: settings.liveness.status(lastReportAt: window?.lastReportAt, leadingSince: since, now: now),
                latest: latest,
                latestAgeMilliseconds: Self.ageMilliseconds(of: latest, at: wallClockMilliseconds))
        }
    }

    /// How many nodes this leader counts in each status; none when it does not act as leader.
    func statusCounts(now: MonotonicInstant) -> [NodeStatus: Int] {
        let inventory = raft.view.nodes
        return state.withLock { state in
            guard state.leadership.isActing(at: now), let since = state.leadership.since else { return [:] }
            var counts: [NodeStatus: Int] = [:]
            for id in Set(inventory.keys).union(state.tables.windows.keys) {
                let status = settings.liveness.status(lastReportAt: state.tables.windows[id]?.lastReportAt,
                                                      leadingSince: since, now: now)
                counts[status, default: 0] += 1
            }
            return counts
        }
    }

    func window(of node: String) -> NodeWindow? {
        state.withLock { $0.tables.windows[node] }
    }
}
