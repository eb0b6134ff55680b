/// `GET /api/v1/cluster` as the CLI reads it: the asked member's view of
/// the members, leader, term, indexes and lease (`hotswap cluster status`,
/// and `hotswap dev`'s wait for an agreed leader).
public struct ClusterStatusView: Decodable {
    public struct Member: Decodable {
        public let name: String
        public let role: String
        public let peerAddress: String
        public let apiAddress: String
        public let isLeader: Bool
    }

    public let name: String
    public let role: String
    public let leader: String?
    public let term: UInt64
    public let commitIndex: UInt64
    public let appliedIndex: UInt64
    public let leaseRemainingMilliseconds: Int64
    public let members: [Member]
}
