/// Which cluster a coordinator belongs to, carried in its peer pings (`PeerAdvertisement`) and
/// checked on every peer connection's first frame, so that two clusters never exchange a Raft
/// message, even with the same CA, names and addresses: a cluster restored from a snapshot
/// beside the one it was saved from (Docs/CLUSTER.md, "Cluster identity").
public enum ClusterIdentity: Sendable, Equatable, CustomStringConvertible {
    /// A data directory founded before cluster IDs, or a peer of a build before them: matches only itself.
    case none
    /// A member that joined a running cluster (`--initial-cluster-state existing`) and has not yet
    /// heard the cluster's ID; it takes the first ID a peer shows it.
    case joining
    case id(UInt64)

    public var description: String {
        switch self {
        case .none: "none"
        case .joining: "joining"
        case let .id(value): Self.hex(value)
        }
    }

    /// 16 lower-case hex digits.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Every member of a new cluster derives the same ID without talking: FNV-1a-64 of a label,
    /// the founding members sorted by name (`name=host:port`), the optional
    /// `--initial-cluster-token`, and for a restore the saved snapshot's SHA-256 in hex, so a
    /// restored cluster's ID differs from the saved one's and from another restore's of another file.
    /// Never zero.
    public static func derive(topology: ClusterTopology, token: String, snapshotDigest: String) -> UInt64 {
        let members = topology.members.sorted { $0.name < $1.name }.map { "\($0.name)=\($0.peerAddress)" }
        let text = "hotswap-cluster-id\n\(members.joined(separator: ","))\n\(token)\n\(snapshotDigest)"
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash == 0 ? 1 : hash
    }

    /// What a member of identity `local` does with a connection whose peer shows `remote`.
    public enum Verdict: Sendable, Equatable {
        case admit
        /// Admit, and take `remote` as this member's identity from now on (a joining member's first peer).
        case adopt(ClusterIdentity)
        case refuse
    }

    /// Equal identities admit; a joining peer is admitted by anyone (it has no vote and learns the
    /// membership from the leader); a joining member admits the first peer and adopts its identity;
    /// any other pair (two IDs, an ID and none) is refused.
    public static func verdict(local: ClusterIdentity, remote: ClusterIdentity) -> Verdict {
        switch (local, remote) {
        case (_, .joining): .admit
        case (.joining, _): .adopt(remote)
        case (.none, .none): .admit
        case let (.id(ours), .id(theirs)) where ours == theirs: .admit
        default: .refuse
        }
    }
}
