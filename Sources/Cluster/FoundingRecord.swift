import Observability
import Storage
import Transport

/// How a data directory's node first started: its name, the founding
/// members and whether it joined a running cluster. Written to `DIR/founding-cluster` at
/// the first start and binding from then on, as etcd binds a data directory
/// to the cluster it bootstrapped: otherwise a member restarted without
/// `--initial-cluster` (or with another one) would take itself for a cluster
/// of one — or of different voters — while its log holds no membership
/// change, and could elect itself beside the real cluster.
struct FoundingRecord: Equatable {
    static let fileName = "founding-cluster"

    /// The member whose directory this is.
    let member: String
    let topology: ClusterTopology
    let joining: Bool

    /// What this start uses, and the record to write first (nil: keep the file as it is).
    struct Decision {
        let topology: ClusterTopology
        let joining: Bool
        let write: FoundingRecord?
    }

    /// Why a start was refused: its flags contradict the record.
    struct Contradiction: Error, CustomStringConvertible {
        let description: String
    }

    /// Reconciles the flags of this start with the record, if there is one.
    /// No record: the flags (or this node alone) found it. A record and no
    /// `--initial-cluster`: the record, with this start's own peer address. A
    /// record and a flag naming the same members in the same mode: the flag,
    /// whose addresses are recorded if they moved. Any other flag is refused.
    static func decide(recorded: FoundingRecord?, flagged: ClusterTopology?, joining: Bool,
                       selfMember: ClusterTopology.Member) throws(Contradiction) -> Decision {
        guard let recorded else {
            let founding = FoundingRecord(member: selfMember.name, topology: flagged ?? ClusterTopology(members: [selfMember]),
                                          joining: joining)
            return Decision(topology: founding.topology, joining: joining, write: founding)
        }
        guard recorded.member == selfMember.name else {
            throw Contradiction(description: """
                this data directory is \(recorded.member)'s (of --initial-cluster \(recorded.topology.flagText)), \
                not \(selfMember.name)'s: give \(selfMember.name) its own data directory.
                """)
        }
        guard let flagged else {
            let members = recorded.topology.members.map { $0.name == selfMember.name ? selfMember : $0 }
            return Decision(topology: ClusterTopology(members: members), joining: recorded.joining, write: nil)
        }
        let current = FoundingRecord(member: recorded.member, topology: flagged, joining: joining)
        guard Set(flagged.members.map(\.name)) == Set(recorded.topology.members.map(\.name)), joining == recorded.joining else {
            throw Contradiction(description: """
                this data directory first started with --initial-cluster \(recorded.topology.flagText) \
                (\(recorded.mode)), but this start gives --initial-cluster \(flagged.flagText) \
                (\(current.mode)). The founding members are fixed once a member has started: \
                drop --initial-cluster to use the recorded ones, or give a different cluster an empty data directory. \
                Change the members of a running cluster with `hotswap cluster member`.
                """)
        }
        return Decision(topology: flagged, joining: joining, write: current == recorded ? nil : current)
    }

    /// As `--initial-cluster-state` spells it.
    var mode: String { joining ? "existing" : "new" }

    /// Reads the record of `configuration`'s data directory (the caller holds
    /// its lock), decides, and writes what the decision says before anything starts.
    static func settle(_ configuration: CoordinatorConfiguration, logger: Logger) throws -> Decision {
        let recorded = try read(dataDirectory: configuration.dataDirectory)
        let selfMember = ClusterTopology.Member(name: configuration.name, id: ClusterTopology.nodeID(forName: configuration.name),
                                                peerAddress: configuration.peerAddress)
        let decision = try decide(recorded: recorded, flagged: configuration.initialCluster,
                                  joining: configuration.joinsExistingCluster, selfMember: selfMember)
        if let record = decision.write {
            try record.write(dataDirectory: configuration.dataDirectory)
            logger.info(recorded == nil ? "founding members recorded" : "founding members' addresses updated",
                        ["members": record.topology.flagText, "mode": record.mode])
        } else if configuration.initialCluster == nil, let recorded {
            logger.info("founding members from the data directory", ["members": recorded.topology.flagText, "mode": recorded.mode])
        }
        return decision
    }

    // MARK: - The file

    /// The record in `dataDirectory`; nil before the first start.
    static func read(dataDirectory: String) throws -> FoundingRecord? {
        let path = "\(dataDirectory)/\(fileName)"
        guard let payload = try ChecksummedFile.read(path) else { return nil }
        guard let record = decode(payload) else {
            throw StorageError.corruptFile(path: path, reason: "its checksum holds but its text is not a founding record")
        }
        return record
    }

    func write(dataDirectory: String) throws {
        try ChecksummedFile.write(encoded, to: "\(dataDirectory)/\(Self.fileName)")
    }

    /// Three lines of text: the member's name, `new` or `existing`, then the
    /// members as `--initial-cluster` spells them.
    var encoded: [UInt8] { Array("\(member)\n\(mode)\n\(topology.flagText)\n".utf8) }

    static func decode(_ payload: [UInt8]) -> FoundingRecord? {
        let lines = String(decoding: payload, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 4, lines[3].isEmpty, lines[1] == "new" || lines[1] == "existing",
              let topology = try? ClusterTopology.parse(String(lines[2])),
              topology.member(named: String(lines[0])) != nil else { return nil }
        return FoundingRecord(member: String(lines[0]), topology: topology, joining: lines[1] == "existing")
    }
}
