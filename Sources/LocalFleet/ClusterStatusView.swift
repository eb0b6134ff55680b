/// `GET /api/v1/cluster` as the CLI reads it: the asked member's (or, with
/// `view=leader`, the leader's) view of the members, leader, term, indexes and
/// lease (`hotswap cluster status`, and `hotswap dev`'s wait for an agreed
/// leader). The replication figures are optional: an older coordinator has none.
public struct ClusterStatusView: Decodable {
    public struct Member: Decodable {
        public let name: String
        public let role: String
        public let peerAddress: String
        public let apiAddress: String
        public let isLeader: Bool
        /// healthy, lagging, unreachable or unknown (`MemberHealth`).
        public let health: String?
        public let matchIndex: UInt64?
        /// Entries behind the leader's last index; nil when the answering member cannot tell.
        public let lag: UInt64?
        /// Since the answering member last heard from this one; nil: never.
        public let lastContactMilliseconds: Int64?
    }

    public let name: String
    public let role: String
    public let leader: String?
    public let term: UInt64
    public let commitIndex: UInt64
    public let appliedIndex: UInt64
    public let lastIndex: UInt64?
    public let leaseRemainingMilliseconds: Int64
    public let members: [Member]
}
