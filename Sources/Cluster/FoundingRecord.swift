/// How a data directory's node first started: its name, the founding
/// members and whether it joined a running cluster. Written to `DIR/founding-cluster` at
/// the first start and binding from then on, as etcd binds a data directory
/// to the cluster it bootstrapped: otherwise a member restarted without
/// `--initial-cluster` (or with another one) would take itself for a cluster
/// of one — or of different voters — while its log holds no membership
/// change, and could elect itself beside the real cluster.
public struct FoundingRecord: Equatable, Sendable {
    /// The member whose directory this is.
    public let member: String
    public let topology: ClusterTopology
    public let joining: Bool
    /// The cluster this directory belongs to (`ClusterIdentity`): derived at founding, `joining`
    /// until a joining member hears its cluster's, `none` for a record written before identities.
    public let identity: ClusterIdentity

    public init(member: String, topology: ClusterTopology, joining: Bool, identity: ClusterIdentity) {
        self.member = member
        self.topology = topology
        self.joining = joining
        self.identity = identity
    }

    /// This record with `identity` in place of its own.
    public func with(identity: ClusterIdentity) -> FoundingRecord {
        FoundingRecord(member: member, topology: topology, joining: joining, identity: identity)
    }

    /// What this start uses, and the record to write first (nil: keep the file as it is).
    public struct Decision: Equatable, Sendable {
        public let topology: ClusterTopology
        public let joining: Bool
        public let identity: ClusterIdentity
        public let write: FoundingRecord?
    }

    /// Why a start was refused: its flags contradict the record.
    public struct Contradiction: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Reconciles the flags of this start with the record, if there is one.
    /// No record: the flags (or this node alone) found it. A record and no
    /// `--initial-cluster`: the record, with this start's own peer address. A
    /// record and a flag naming the same members in the same mode: the flag,
    /// whose addresses are recorded if they moved. Any other flag is refused. A founding
    /// derives the cluster's identity from the members and `token` (a joining member waits to
    /// hear it); later starts keep the recorded one, whatever `token` says. A directory that
    /// already holds a Raft log but no record (from before records) keeps `none`, as its peers do.
    public static func decide(recorded: FoundingRecord?, flagged: ClusterTopology?, joining: Bool,
                              selfMember: ClusterTopology.Member, token: String = "",
                              holdsLog: Bool = false) throws(Contradiction) -> Decision {
        guard let recorded else {
            let topology = flagged ?? ClusterTopology(members: [selfMember])
            let identity = holdsLog ? ClusterIdentity.none : joining ? .joining
                : .id(ClusterIdentity.derive(topology: topology, token: token, snapshotDigest: ""))
            let founding = FoundingRecord(member: selfMember.name, topology: topology, joining: joining, identity: identity)
            return Decision(topology: founding.topology, joining: joining, identity: identity, write: founding)
        }
        guard recorded.member == selfMember.name else {
            throw Contradiction(description: """
                this data directory is \(recorded.member)'s (of --initial-cluster \(recorded.topology.flagText)), \
                not \(selfMember.name)'s: give \(selfMember.name) its own data directory.
                """)
        }
        guard let flagged else {
            let members = recorded.topology.members.map { $0.name == selfMember.name ? selfMember : $0 }
            return Decision(topology: ClusterTopology(members: members), joining: recorded.joining, identity: recorded.identity,
                            write: nil)
        }
        let current = FoundingRecord(member: recorded.member, topology: flagged, joining: joining, identity: recorded.identity)
        guard Set(flagged.members.map(\.name)) == Set(recorded.topology.members.map(\.name)), joining == recorded.joining else {
            throw Contradiction(description: """
                this data directory first started with --initial-cluster \(recorded.topology.flagText) \
                (\(recorded.mode)), but this start gives --initial-cluster \(flagged.flagText) \
                (\(current.mode)). The founding members are fixed once a member has started: \
                drop --initial-cluster to use the recorded ones, or give a different cluster an empty data directory. \
                Change the members of a running cluster with `hotswap cluster member`.
                """)
        }
        return Decision(topology: flagged, joining: joining, identity: recorded.identity, write: current == recorded ? nil : current)
    }

    /// As `--initial-cluster-state` spells it.
    public var mode: String { joining ? "existing" : "new" }

    /// Lines of text: the member's name, `new` or `existing`, the members as
    /// `--initial-cluster` spells them, then `cluster-id HEX` or `cluster-id joining` (no fourth
    /// line: `none`, as records written before identities are).
    public var encoded: [UInt8] {
        let identityLine = switch identity {
        case .none: ""
        case .joining: "cluster-id joining\n"
        case let .id(value): "cluster-id \(ClusterIdentity.hex(value))\n"
        }
        return Array("\(member)\n\(mode)\n\(topology.flagText)\n\(identityLine)".utf8)
    }

    /// Reads `encoded` back; the error says which part is wrong.
    public static func decode(_ payload: [UInt8]) throws(Malformed) -> FoundingRecord {
        let lines = String(decoding: payload, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 4 || lines.count == 5, lines[lines.count - 1].isEmpty else {
            throw Malformed(description: "it is not three or four lines")
        }
        let identity = lines.count == 5 ? try decodeIdentity(lines[3]) : ClusterIdentity.none
        guard lines[1] == "new" || lines[1] == "existing" else {
            throw Malformed(description: "its mode '\(lines[1])' is neither new nor existing")
        }
        let topology: ClusterTopology
        do {
            topology = try ClusterTopology.parse(String(lines[2]))
        } catch {
            throw Malformed(description: "its members: \(error)")
        }
        guard topology.member(named: String(lines[0])) != nil else {
            throw Malformed(description: "its member \(lines[0]) is not one of its members")
        }
        return FoundingRecord(member: String(lines[0]), topology: topology, joining: lines[1] == "existing", identity: identity)
    }

    private static func decodeIdentity(_ line: Substring) throws(Malformed) -> ClusterIdentity {
        guard line.hasPrefix("cluster-id ") else { throw Malformed(description: "its fourth line is not cluster-id") }
        let value = line.dropFirst("cluster-id ".count)
        if value == "joining" { return .joining }
        guard value.count == 16, let id = UInt64(value, radix: 16), id != 0 else {
            throw Malformed(description: "its cluster-id '\(value)' is not 16 hex digits other than zero")
        }
        return .id(id)
    }

    /// Why a record's text does not read back.
    public struct Malformed: Error, Equatable, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }
}
