import Certificates
import Cluster
import Fleet
import Gateway
import Primitives
import Transport

/// Everything a coordinator process needs to start, from flags and an
/// optional config file (see Docs/CONFIGURATION.md).
public struct CoordinatorConfiguration: Sendable {
    public var name: String
    public var dataDirectory: String
    public var tlsDirectory: String
    public var peerAddress: SocketAddress
    public var agentAddress: SocketAddress
    public var apiAddress: SocketAddress
    /// The founding members; nil means a single-node cluster of this node
    /// alone. Binding only at the first start (`FoundingRecord`).
    public var initialCluster: ClusterTopology?
    /// True for a member added to a running cluster (`member add`): it takes
    /// its membership from the leader's log instead of from `initialCluster`.
    public var joinsExistingCluster = false
    /// Mixed into a new cluster's identity at its founding (`--initial-cluster-token`), as etcd's;
    /// ignored once the data directory records one.
    public var initialClusterToken = ""
    /// What to publish as this node's API / agent address when the bound one
    /// is not what others should dial (a wildcard, NAT, a load balancer, a pod's DNS name).
    /// Published as written; a name is resolved by whoever dials it, at each dial.
    public var advertisedAPIAddress: HostPort?
    public var advertisedAgentAddress: HostPort?
    public var limits = CoordinatorLimits()
    public var raftTickInterval: Duration = .milliseconds(50)
    /// An agent silent this long is `suspect`, this long `down`; after a
    /// leader change none is either for the grace (agents re-attach).
    public var agentSuspectAfter: Duration = .seconds(3)
    public var agentDownAfter: Duration = .seconds(30)
    public var agentFailoverGrace: Duration = .seconds(10)
    /// How long a follower holds an agent's hello while it cannot name the
    /// acting leader; nil: four election timeouts (an election with a split vote).
    public var agentHelloHold: Duration?
    /// `agentHelloHold`, or its default when not given.
    public var agentHelloHoldInEffect: Duration {
        agentHelloHold ?? raftTickInterval * (raftElectionTimeoutTicks * 4)
    }
    /// The leader's per-node memory: full-resolution samples, minute
    /// summaries, and how many nodes may have a window at all.
    public var agentWindowSamples = 300
    public var agentWindowMinutes = 60
    public var agentNodesMaximum = agentNodesLimit
    /// The most `agentNodesMaximum` may be: the fleet's own bound on nodes.
    public static let agentNodesLimit = FleetState.nodesMaximum
    /// A node with no session and no report this long loses its window on the
    /// leader; at least `agentDownAfter + agentFailoverGrace` (`NodeRetention`).
    public var nodeRetention = NodeRetention.retentionDefault

    /// The shortest `nodeRetention` under these liveness settings (checked at start, where
    /// `agentSuspectAfter <= agentDownAfter` was checked first).
    public var nodeRetentionMinimum: Duration {
        NodeRetention.minimum(for: LivenessPolicy(suspectAfter: agentSuspectAfter, downAfter: agentDownAfter,
                                                  failoverGrace: agentFailoverGrace))
    }
    public var raftElectionTimeoutTicks = 10
    /// At least 4 ticks: the leader lease, ⌊(T − 1)·90/110⌋ ticks at the 10 % clock-drift bound
    /// (`Lease`), must outlast the one-tick heartbeat, which Raft checks at start; 3 gives a
    /// one-tick lease and a coordinator that refuses to start. At most 1,000.
    public static let electionTimeoutTicksRange = 4...1_000
    /// Applied entries between two snapshots of the fleet state; the log before a snapshot is dropped.
    public var raftSnapshotEveryEntries: UInt64 = 10_000
    /// How long audit records are kept (Docs/AUDIT.md).
    public var auditRetention = CoordinatorConfiguration.auditRetentionDefault
    public static let auditRetentionDefault: Duration = .seconds(90 * 86_400)
    /// An hour to ten years.
    public static let auditRetentionRange: ClosedRange<Duration> = .seconds(3_600) ... .seconds(3_650 * 86_400)
    /// Versions of each module kept recorded beside those nodes run (Docs/MODULES.md, "Retention").
    public var moduleRetention = FleetState.moduleRetentionDefault
    /// How long a finished deployment stays in the replicated state (DEPLOYMENTS.md, "Retention").
    public var deploymentRetention = CoordinatorConfiguration.deploymentRetentionDefault
    public static let deploymentRetentionDefault: Duration = .seconds(7 * 86_400)
    public static let deploymentRetentionRange: ClosedRange<Duration> = .seconds(3_600) ... .seconds(365 * 86_400)
    public static let moduleRetentionRange = FleetState.moduleRetentionRange
    /// The CA certificates the approval webhooks' `https` receivers are checked against
    /// (DEPLOYMENTS.md, "Approval webhook"): an internal CA's, named with `--approval-webhook-ca`,
    /// which must load or the coordinator does not start; nil: the system's trust roots
    /// (`approvalWebhookTrustRootsDefault`), whose absence only fails `https` deliveries.
    public var approvalWebhookTrustRoots: String?
    public static let approvalWebhookTrustRootsDefault = "/etc/ssl/certs/ca-certificates.crt"
    /// Whether approval webhooks may name a loopback address (`--approval-webhook-allow-loopback`,
    /// for tests and `hotswap dev`): off, an admin cannot make the leader POST to its own host's
    /// local services.
    public var approvalWebhookAllowsLoopback = false
    /// Users, tokens and rate limits of the API.
    public var access = AccessSettings()
    /// The cluster CA's private key (`--signing-key`): with it the agent port serves enrollment
    /// (Docs/CERTIFICATES.md, "Enrollment"); nil: it signs nothing and demands a certificate.
    public var signingKeyPath: String?
    /// How long the agent certificates it issues are valid (`--agent-certificate-lifetime`).
    public var agentCertificateLifetime: Duration = .seconds(AgentCertificateIssuer.lifetimeSecondsDefault)
    public static let agentCertificateLifetimeRange: ClosedRange<Duration> = {
        let seconds = AgentCertificateIssuer.lifetimeSecondsRange
        return .seconds(seconds.lowerBound) ... .seconds(seconds.upperBound)
    }()
    public static let snapshotEveryEntriesRange = 1...100_000_000
    /// Every flag's resolved value, secrets redacted, for `GET /api/v1/debug/configuration`.
    public var settingsReport = ConfigurationReport([])

    public init(name: String, dataDirectory: String, tlsDirectory: String,
                peerAddress: SocketAddress, agentAddress: SocketAddress, apiAddress: SocketAddress) {
        self.name = name
        self.dataDirectory = dataDirectory
        self.tlsDirectory = tlsDirectory
        self.peerAddress = peerAddress
        self.agentAddress = agentAddress
        self.apiAddress = apiAddress
    }

    public var caPath: String { "\(tlsDirectory)/ca.pem" }
    public var certificatePath: String { "\(tlsDirectory)/\(name).pem" }
    public var privateKeyPath: String { "\(tlsDirectory)/\(name).key" }

    /// True when this start founds a new cluster: a data directory with no founding record yet
    /// (never started) that does not join a running cluster. Such a coordinator needs the first
    /// admin's password (`access.bootstrapAdminPassword`).
    public func foundsNewCluster() throws -> Bool {
        try !joinsExistingCluster && FoundingRecord.read(dataDirectory: dataDirectory) == nil
    }
}

/// The coordinator's connection bounds and timeouts, with LAN-friendly defaults.
public struct CoordinatorLimits: Sendable {
    public var apiConnectionsMaximum = 4_096
    public var peerConnectionsMaximum = 64
    /// One connection per agent (its session on the leader, a standby on a
    /// follower) for the largest fleet (`FleetState.nodesMaximum`), plus room
    /// for the transient ones: first hellos about to be redirected, and a
    /// reconnecting agent's new connection while its old one times out.
    public var agentConnectionsMaximum = FleetState.nodesMaximum + 1_024
    /// Connections without a client certificate (only while enrolling, `--signing-key`): at most
    /// this many at once, on top of `agentConnectionsMaximum` (they never take an agent's slot) ...
    public var enrollmentConnectionsMaximum = 64
    /// ... at most this many from one source (an IPv4 address, an IPv6 /64) ...
    public var enrollmentConnectionsPerSourceMaximum = 4
    /// ... and each closed this long after its handshake, answered or not (the handshake has its own bound).
    public var enrollmentConnectionLifetime: Duration = .seconds(10)
    public var frameSizeMaximumBytes = 1 << 20
    public var frameIdleTimeout: Duration = .seconds(30)
    public var handshakeTimeout: Duration = .seconds(5)
    public var http = HTTPServerConfiguration()
    public var shutdownTimeout: Duration = .seconds(10)

    /// Descriptors the process needs with every connection bound full (established connections
    /// and each endpoint's pending handshakes, twice over: evicted handshakes hold their socket
    /// until their loop closes them, up to one budget's worth beside a full budget), plus a
    /// reserve for its files (log segments, snapshots, the lock) and event loops; below it,
    /// connections fail with EMFILE before the bounds refuse them.
    public var descriptorsWanted: Int {
        apiConnectionsMaximum + peerConnectionsMaximum + agentConnectionsMaximum + enrollmentConnectionsMaximum
            + 3 * 2 * ConnectionLimits().handshakesMaximum + 256
    }

    public init() {}
}

extension RaftService.Settings {
    /// The Raft service's settings `configuration` asks for.
    init(_ configuration: CoordinatorConfiguration) {
        self.init()
        tickInterval = configuration.raftTickInterval
        electionTimeoutTicks = configuration.raftElectionTimeoutTicks
        snapshotEveryEntries = configuration.raftSnapshotEveryEntries
        auditRetention = configuration.auditRetention
        moduleRetention = configuration.moduleRetention
    }
}
