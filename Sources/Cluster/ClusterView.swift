import Consensus
import Fleet
import Gateway
import Primitives
import Wire

/// What the API shows of the cluster and the replicated state, published by
/// the Raft loop after every Ready and read by API handlers on other loops.
/// What depends on the time takes the instant; the coordinator reads the clock.
public struct ClusterView: Sendable {
    public let selfName: String
    public var directory: MemberDirectory
    public var role: Role = .follower
    public var term: UInt64 = 0
    public var leaderName: String?
    public var commitIndex: UInt64 = 0
    public var appliedIndex: UInt64 = 0
    /// When this node's lease ends, on the monotonic clock; nil unless leader.
    /// Absolute, so a view published before a pause cannot show a live lease after it.
    public var leaseExpiresAt: MonotonicInstant?
    public var voters: [NodeID] = []
    public var learners: [NodeID] = []
    public var environments: [EnvironmentRecord] = []
    /// The replicated node inventory, by id.
    public var nodes: [String: NodeRecord] = [:]
    /// The replicated deny-list of node names, by name (shares the fleet state's storage).
    public var revocations: [String: NodeRevocation] = [:]
    /// The API's users, by name, and the token-signing key ring, newest first (both share the
    /// fleet state's storage), so route handlers check tokens without asking the Raft loop.
    public var users: [String: UserRecord] = [:]
    public var signingKeys: [SigningKeyRecord] = []
    /// The audit trail (shares the fleet state's chunks: `AuditTrail`).
    public var audit = AuditTrail()
    /// Uploaded module versions, by name, then version (shares the fleet state's storage).
    public var modules: [String: [String: ModuleRecord]] = [:]
    /// The replicated cluster version; nil while never set.
    public var clusterVersion: UInt8?
    /// Environment → the module signing keys it trusts (`FleetState.moduleSigningKeys`).
    public var moduleSigningKeys: [String: [[UInt8]]] = [:]
    /// Environment → the rollout policy it set (`FleetState.rolloutPolicies`); absent: the defaults.
    public var rolloutPolicies: [String: EnvironmentRolloutPolicy] = [:]
    /// Environment → its approval webhook (`FleetState.approvalWebhooks`).
    public var approvalWebhooks: [String: ApprovalWebhook] = [:]
    /// Join tokens by id (`FleetState.joinTokens`): ids and hashes, never secrets.
    public var joinTokens: [String: JoinTokenRecord] = [:]
    /// Node name → the environment its enrollment bound it to (`FleetState.enrolledEnvironments`).
    public var enrolledEnvironments: [String: EnrolledBinding] = [:]
    /// The deployments, by id: what the leader's driver steps and the deployment routes show.
    public var deployments: [String: DeploymentRecord] = [:]
    /// The index of the last entry in this node's log.
    public var lastIndex: UInt64 = 0
    /// Each member's match index, as a leader tracks it; empty unless leader.
    public var matchIndexes: [NodeID: UInt64] = [:]
    /// When this node last received a Raft message from each member, on the monotonic clock.
    public var lastHeard: [NodeID: MonotonicInstant] = [:]
    /// How long a live member is never silent (an election timeout); longer is unreachable.
    public var silenceLimit: Duration = .milliseconds(500)

    public init(selfName: String, directory: MemberDirectory) {
        self.selfName = selfName
        self.directory = directory
    }

    /// `nodes` is nil when the inventory is to stay as last published.
    public mutating func update(status: Status, leaseExpiresAt: MonotonicInstant?, fleet: FleetState, nodes: [String: NodeRecord]?,
                         directory: MemberDirectory) {
        self.directory = directory
        if let nodes { self.nodes = nodes }
        role = status.role
        term = status.term
        leaderName = status.leader == .none ? nil : directory.displayName(of: status.leader)
        commitIndex = status.commit
        appliedIndex = status.applied
        lastIndex = status.lastIndex
        matchIndexes = status.progress.mapValues(\.match)
        self.leaseExpiresAt = status.role == .leader ? leaseExpiresAt : nil
        voters = status.membership.voters
        learners = status.membership.learners
        environments = fleet.sortedEnvironments
        revocations = fleet.revocations
        users = fleet.users
        signingKeys = fleet.signingKeys
        audit = fleet.audit
        modules = fleet.modules
        clusterVersion = fleet.clusterVersion
        moduleSigningKeys = fleet.moduleSigningKeys
        rolloutPolicies = fleet.rolloutPolicies
        approvalWebhooks = fleet.approvalWebhooks
        joinTokens = fleet.joinTokens
        enrolledEnvironments = fleet.enrolledEnvironments
        deployments = fleet.deployments
    }

    public var isLeaderKnown: Bool { leaderName != nil }

    /// Why node `node`'s hello may not report `environment` with a certificate valid from `notBeforeSeconds`
    /// (`FleetState.enrolledEnvironmentRefusal`); nil when it may.
    public func enrolledEnvironmentRefusal(node: String, reports environment: String, notBeforeSeconds: Int64?,
                                           backdatingSeconds: Int64) -> String? {
        FleetState.enrolledEnvironmentRefusal(node: node, bound: enrolledEnvironments[node], reports: environment,
                                              notBeforeSeconds: notBeforeSeconds, backdatingSeconds: backdatingSeconds)
    }

    /// Where agents should go: the leader's name and published agent address
    /// (empty when unknown).
    public var leaderAgentAddress: String {
        leaderName.flatMap { directory.advertised[$0]?.agentAddress } ?? ""
    }

    /// What an agent's hello is decided on at `now` (`HelloRoute`).
    public func helloKnowledge(at now: MonotonicInstant) -> HelloRoute.Knowledge {
        HelloRoute.Knowledge(isActingLeader: isActingLeader(at: now), isLeader: role == .leader, term: term,
                             leaderName: leaderName, leaderAgentAddress: leaderAgentAddress)
    }

    /// Lease time left at `now`; zero when not leader or the lease has run out.
    public func leaseRemainingMilliseconds(at now: MonotonicInstant) -> Int64 {
        guard let leaseExpiresAt else { return 0 }
        return now.duration(until: leaseExpiresAt).wholeMilliseconds
    }

    /// True only while this node is leader with a valid lease: the one state
    /// in which it may act as leader.
    public func isActingLeader(at now: MonotonicInstant) -> Bool {
        role == .leader && leaseRemainingMilliseconds(at: now) > 0
    }

    /// How member `id` looks from this node at `now` (`MemberReplication`).
    public func replication(of id: NodeID, at now: MonotonicInstant) -> MemberReplication {
        let name = directory.displayName(of: id)
        return MemberReplication(isSelf: name == selfName, isLeader: name == leaderName, viewerIsLeader: role == .leader,
                                 leaderLastIndex: lastIndex, matchIndex: matchIndexes[id], lastHeard: lastHeard[id], now: now,
                                 silenceLimit: silenceLimit)
    }

    /// The view as the cluster API shows it at `now`.
    public func json(at now: MonotonicInstant) -> String {
        let members = (voters.map { ($0, "voter") } + learners.map { ($0, "learner") }).map { id, kind -> String in
            let member = directory.member(id: id)
            let name = directory.displayName(of: id)
            let advertised = directory.advertised[name]
            let replication = replication(of: id, at: now)
            return "{\"name\":\(JSONText.quoted(name)),\"id\":\"\(id)\",\"role\":\"\(kind)\","
                + "\"peerAddress\":\(JSONText.quoted(member.map { "\($0.peerAddress)" } ?? "")),"
                + "\"apiAddress\":\(JSONText.quoted(advertised?.apiAddress ?? "")),"
                + "\"agentAddress\":\(JSONText.quoted(advertised?.agentAddress ?? "")),"
                + "\"isLeader\":\(name == leaderName),\"health\":\"\(replication.health.rawValue)\","
                + "\"matchIndex\":\(Self.number(replication.matchIndex)),\"lag\":\(Self.number(replication.lag)),"
                + "\"lastContactMilliseconds\":\(Self.number(replication.lastContactMilliseconds))}"
        }
        return "{\"name\":\(JSONText.quoted(selfName)),\"role\":\(JSONText.quoted("\(role)")),"
            + "\"leader\":\(leaderName.map(JSONText.quoted) ?? "null"),\"term\":\(term),"
            + "\"commitIndex\":\(commitIndex),\"appliedIndex\":\(appliedIndex),\"lastIndex\":\(lastIndex),"
            + "\"nodesRecorded\":\(nodes.count),\"clusterVersion\":\(Self.number(clusterVersion)),"
            + "\"leaseRemainingMilliseconds\":\(leaseRemainingMilliseconds(at: now)),\"actingAsLeader\":\(isActingLeader(at: now)),"
            + "\"members\":[" + members.joined(separator: ",") + "]}"
    }

    /// A whole number in JSON, or `null`.
    private static func number<Value: BinaryInteger>(_ value: Value?) -> String {
        value.map { "\($0)" } ?? "null"
    }
}
