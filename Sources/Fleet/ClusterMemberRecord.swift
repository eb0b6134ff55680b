/// A coordinator that joined after the cluster was founded: its name and the
/// peer address the others dial. The founding members come from
/// `--initial-cluster` on every node; these records add the rest, replicated
/// with the membership change that admitted them.
public struct ClusterMemberRecord: Sendable, Equatable {
    public var name: String
    /// `HOST:PORT` of its mutual-TLS peer endpoint.
    public var peerAddress: String

    public init(name: String, peerAddress: String) {
        self.name = name
        self.peerAddress = peerAddress
    }
}
