import Consensus
import Fleet
import Gateway
import Transport
import Wire

/// What the API shows of the cluster and the replicated state, published by
/// the Raft loop after every Ready and read by API handlers on other loops.
struct ClusterView: Sendable {
    let selfName: String
    var directory: MemberDirectory
    var role: Role = .follower
    var term: UInt64 = 0
    var leaderName: String?
    var commitIndex: UInt64 = 0
    var appliedIndex: UInt64 = 0
    /// When this node's lease ends, on the monotonic clock; nil unless leader.
    /// Absolute, so a view published before a pause cannot show a live lease after it.
    var leaseExpiresAt: MonotonicInstant?
    var voters: [NodeID] = []
    var learners: [NodeID] = []
    var environments: [EnvironmentRecord] = []
    /// The replicated node inventory, by id.
    var nodes: [String: NodeRecord] = [:]

    init(selfName: String, directory: MemberDirectory) {
        self.selfName = selfName
        self.directory = directory
    }

    /// `nodes` is nil when the inventory is to stay as last published.
    mutating func update(status: Status, leaseExpiresAt: MonotonicInstant?, fleet: FleetState, nodes: [String: NodeRecord]?,
                         directory: MemberDirectory) {
        self.directory = directory
        if let nodes { self.nodes = nodes }
        role = status.role
        term = status.term
        leaderName = status.leader == .none ? nil : directory.displayName(of: status.leader)
        commitIndex = status.commit
        appliedIndex = status.applied
        self.leaseExpiresAt = status.role == .leader ? leaseExpiresAt : nil
        voters = status.membership.voters
        learners = status.membership.learners
        environments = fleet.sortedEnvironments
    }

    var isLeaderKnown: Bool { leaderName != nil }

    /// Where agents should go: the leader's name and published agent address
    /// (empty when unknown).
    var leaderAgentAddress: String {
        leaderName.flatMap { directory.advertised[$0]?.agentAddress } ?? ""
    }

    /// What an agent's hello is decided on (`HelloRoute`).
    var helloKnowledge: HelloRoute.Knowledge {
        HelloRoute.Knowledge(isActingLeader: isActingLeader, isLeader: role == .leader, term: term, leaderName: leaderName,
                             leaderAgentAddress: leaderAgentAddress)
    }

    /// Lease time left now; zero when not leader or the lease has run out.
    var leaseRemainingMilliseconds: Int64 {
        guard let leaseExpiresAt else { return 0 }
        return MonotonicInstant.now().duration(until: leaseExpiresAt).wholeMilliseconds
    }

    /// True only while this node is leader with a valid lease: the one state
    /// in which it may act as leader.
    var isActingLeader: Bool { role == .leader && leaseRemainingMilliseconds > 0 }

    var json: String {
        let members = (voters.map { ($0, "voter") } + learners.map { ($0, "learner") }).map { id, kind -> String in
            let member = directory.member(id: id)
            let name = directory.displayName(of: id)
            let advertised = directory.advertised[name]
            return "{\"name\":\(JSONText.quoted(name)),\"id\":\"\(id)\",\"role\":\"\(kind)\","
                + "\"peerAddress\":\(JSONText.quoted(member.map { "\($0.peerAddress)" } ?? "")),"
                + "\"apiAddress\":\(JSONText.quoted(advertised?.apiAddress ?? "")),"
                + "\"agentAddress\":\(JSONText.quoted(advertised?.agentAddress ?? "")),"
                + "\"isLeader\":\(name == leaderName)}"
        }
        return "{\"name\":\(JSONText.quoted(selfName)),\"role\":\(JSONText.quoted("\(role)")),"
            + "\"leader\":\(leaderName.map(JSONText.quoted) ?? "null"),\"term\":\(term),"
            + "\"commitIndex\":\(commitIndex),\"appliedIndex\":\(appliedIndex),"
            + "\"leaseRemainingMilliseconds\":\(leaseRemainingMilliseconds),\"actingAsLeader\":\(isActingLeader),"
            + "\"members\":[" + members.joined(separator: ",") + "]}"
    }
}
