@testable import Coordinator
import Cluster
import Consensus
import Fleet
import Observability
import Primitives
import Telemetry
import Transport
import Wire

/// What the published view says of the leadership, as a test spells it.
enum ViewScript: Equatable, CustomStringConvertible {
    /// Leader in `term`; its lease ends `lease` from now (`.zero`: already over).
    case leader(term: UInt64, lease: Duration)
    /// Not leader in `term`, naming `leader` (nil: none known). c2 published an
    /// agent address, c3 did not.
    case follower(term: UInt64, leader: String?)

    var description: String {
        switch self {
        case let .leader(term, lease): "leader(term \(term), lease \(lease))"
        case let .follower(term, leader): "follower(term \(term), leader \(leader ?? "none"))"
        }
    }
}

/// One coordinator's agent port on an embedded loop, without sockets or a
/// Raft log: an `AgentGateway` over a `ScriptedGatewayRaft`, reading the
/// loop's virtual clock, and agent connections through real `FrameChannel`s
/// to real `AgentSessionHandler`s. Everything runs on the test's thread.
final class AgentPort {
    static let selfName = "c1"
    static let agentAddresses = ["c1": "10.0.0.1:7100", "c2": "10.0.0.2:7100"]

    let embedded: EmbeddedEventLoop
    let raft: ScriptedGatewayRaft
    let gateway: AgentGateway
    let metrics = MetricsRegistry()
    let logs: LogCapture
    let ticketKeys = SessionTicketKeyRing()
    let revocations: AgentRevocations
    let idleTimeout: Duration
    private let logger: Logger
    private let directory: MemberDirectory
    private var connectionCount: UInt64 = 0

    init(settings: AgentGateway.Settings = AgentGateway.Settings(), idleTimeout: Duration = .seconds(30),
         clock: VirtualClock = VirtualClock()) throws {
        embedded = EmbeddedEventLoop(clock: clock)
        let topology = try ClusterTopology.parse("c1=127.0.0.1:7001,c2=127.0.0.1:7002,c3=127.0.0.1:7003")
        directory = MemberDirectory(founding: topology, advertised: Dictionary(uniqueKeysWithValues: Self.agentAddresses.map {
            ($0.key, AdvertisedAddresses(name: $0.key, apiAddress: "10.0.0.9:8443", agentAddress: $0.value))
        }))
        raft = ScriptedGatewayRaft(view: ClusterView(selfName: Self.selfName, directory: directory))
        let (sink, logs) = LogSink.capturing()
        self.logs = logs
        logger = Logger(component: "agent-port", minimumLevel: .debug, sink: sink)
        self.idleTimeout = idleTimeout
        revocations = AgentRevocations(logger: logger)
        gateway = AgentGateway(raft: raft, settings: settings, logger: logger, metrics: metrics, clock: embedded.clock)
    }

    var now: MonotonicInstant { embedded.now }

    /// The view `script` describes, at the virtual now, with the nodes Raft holds.
    func view(_ script: ViewScript) -> ClusterView {
        var view = ClusterView(selfName: Self.selfName, directory: directory)
        view.nodes = raft.view.nodes
        switch script {
        case let .leader(term, lease):
            view.role = .leader
            view.term = term
            view.leaderName = Self.selfName
            view.leaseExpiresAt = now.advanced(by: lease)
        case let .follower(term, leader):
            view.role = .follower
            view.term = term
            view.leaderName = leader
        }
        return view
    }

    /// Publishes a view as Raft does: the service's view changes, then the
    /// gateway follows it; then the loop runs what that queued.
    func publish(_ script: ViewScript) {
        let view = view(script)
        raft.set(view: view)
        gateway.follow(view)
        embedded.run()
    }

    /// Raft's view changes but the gateway has not heard of it yet (it
    /// follows on the Raft loop, sessions read the view on theirs).
    func publishToRaftOnly(_ script: ViewScript) {
        raft.set(view: view(script))
    }

    /// An agent connection whose certificate names `certified` (nil: no
    /// identity) and became valid at `notBeforeSeconds`, open and with its handshake done.
    func connect(certifiedAs certified: String?, notBeforeSeconds: Int64? = 1_700_000_000,
                 resumedSessionAge: Duration? = nil) -> AgentLink {
        connectionCount += 1
        let inner = EmbeddedConnection(loop: embedded.loop, id: connectionCount, peer: certified.map {
            AuthenticatedPeer(role: "agent", name: $0, notBeforeSeconds: notBeforeSeconds)
        })
        inner.isResumed = resumedSessionAge != nil
        inner.resumedSessionAge = resumedSessionAge
        let watched = WatchedConnection(inner)
        let handler = AgentSessionHandler(gateway: gateway, raft: raft, ticketKeys: ticketKeys, revocations: revocations,
                                          logger: logger)
        inner.handler = FrameChannel(connection: watched, frameSizeMaximumBytes: FrameCodec.frameSizeMaximumBytesDefault,
                                     idleTimeout: idleTimeout, receiver: handler)
        inner.open()
        return AgentLink(watched, embedded: embedded)
    }

    /// An agent of `node` that said hello and reported `samples` samples (numbered from 1).
    func reported(_ node: String, samples: Int) throws -> AgentLink {
        let agent = connect(certifiedAs: node)
        agent.send(AgentSays.hello(node))
        try agent.send(AgentSays.report(first: 1, count: samples))
        return agent
    }

    /// Log lines that contain `text`.
    func logLines(containing text: String) -> [String] {
        logs.lines.filter { $0.contains(text) }
    }
}

/// Builders for what an agent says.
enum AgentSays {
    static func hello(_ node: String, incarnation: UInt64 = 100, highestSeenTerm: UInt64 = 0,
                      environment: String = "prod", formerLeader: FormerLeader? = nil) -> AgentHello {
        AgentHello(nodeName: node, incarnation: incarnation, highestSeenTerm: highestSeenTerm,
                   reportIntervalMilliseconds: 1_000, environment: environment, labels: ["zone": "a"],
                   moduleVersions: ["api": "1.0"], formerLeader: formerLeader)
    }

    /// The record a `hello(node)` states.
    static func record(_ node: String, environment: String = "prod") -> NodeRecord {
        NodeRecord(id: node, environment: environment, labels: ["zone": "a"], moduleVersions: ["api": "1.0"])
    }

    /// `count` samples numbered from `first` (an empty report when 0).
    static func report(incarnation: UInt64 = 100, first: UInt64, count: Int, highestSeenTerm: UInt64 = 0) -> Report {
        Report(agentIncarnation: incarnation, highestSeenTerm: highestSeenTerm, firstSequence: first,
               samples: (0..<count).map { offset in
                   Sample(timestampMilliseconds: 1_700_000_000_000 + first + UInt64(offset), hostCPUBusyBasisPoints: 1_200,
                          hostMemoryUsedBytes: 1 << 30, hostMemoryTotalBytes: 1 << 32)
               })
    }
}
