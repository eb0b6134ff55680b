import Consensus
import Fleet
import Primitives

/// Every coordinator this node knows by name: the founding members from
/// `--initial-cluster` plus the members registered through Raft when they
/// were added. It answers "who is node X, where do I dial it" — membership
/// itself (who votes) is Raft's.
public struct MemberDirectory: Sendable {
    public let members: [ClusterTopology.Member]
    /// The API and agent addresses each coordinator published, by name.
    public let advertised: [String: AdvertisedAddresses]

    /// Builds the directory from the founding members and the fleet state's
    /// registered members and published addresses. A registered record
    /// overrides a founding member of the same name; one whose address does
    /// not parse (it came through the log) is left out.
    public init(founding: ClusterTopology, fleet: FleetState) {
        self.init(founding: founding, registered: fleet.sortedMembers, advertised: fleet.advertised)
    }

    public init(founding: ClusterTopology, registered records: [ClusterMemberRecord] = [],
         advertised: [String: AdvertisedAddresses] = [:]) {
        self.advertised = advertised
        var members = founding.members
        for record in records {
            let address: HostPort
            do {
                address = try HostPort(parsing: record.peerAddress, flag: "peerAddress")
            } catch {
                // The leader checks the address before proposing the record; one that does
                // not parse here came from another build, and a member it names stays unknown.
                continue
            }
            let member = ClusterTopology.Member(name: record.name, id: ClusterTopology.nodeID(forName: record.name),
                                                peerAddress: address)
            if let position = members.firstIndex(where: { $0.name == record.name }) {
                members[position] = member
            } else {
                members.append(member)
            }
        }
        self.members = members
    }

    public func member(named name: String) -> ClusterTopology.Member? { members.first { $0.name == name } }
    public func member(id: NodeID) -> ClusterTopology.Member? { members.first { $0.id == id } }

    /// The member's name, or `node-ID` for an id nobody registered.
    public func displayName(of id: NodeID) -> String { member(id: id)?.name ?? "node-\(id)" }
}
