import Cluster
import Glibc
import Observability
import Primitives
import Storage

/// The founding record as the file `DIR/founding-cluster`, read and settled
/// before anything starts.
extension FoundingRecord {
    static let fileName = "founding-cluster"

    /// Reads the record of `configuration`'s data directory (the caller holds
    /// its lock), decides, and writes what the decision says before anything starts.
    static func settle(_ configuration: CoordinatorConfiguration, logger: Logger) throws -> Decision {
        let recorded = try read(dataDirectory: configuration.dataDirectory)
        let selfMember = ClusterTopology.Member(name: configuration.name, id: ClusterTopology.nodeID(forName: configuration.name),
                                                peerAddress: HostPort(configuration.peerAddress))
        var status = stat()
        let holdsLog = stat("\(configuration.dataDirectory)/\(StartupRecovery.raftSubdirectory)/wal", &status) == 0
        let decision = try decide(recorded: recorded, flagged: configuration.initialCluster,
                                  joining: configuration.joinsExistingCluster, selfMember: selfMember,
                                  token: configuration.initialClusterToken, holdsLog: holdsLog)
        if let record = decision.write {
            try record.write(dataDirectory: configuration.dataDirectory)
            if recorded == nil, !record.joining, record.topology.members.count > 1, configuration.initialClusterToken.isEmpty {
                logger.warning("founding a multi-member cluster without an --initial-cluster-token: another cluster founded "
                               + "with the same --initial-cluster gets the same identity", ["members": record.topology.flagText])
            }
            logger.info(recorded == nil ? "founding members recorded" : "founding members' addresses updated",
                        ["members": record.topology.flagText, "mode": record.mode, "cluster": "\(record.identity)"])
        } else if configuration.initialCluster == nil, let recorded {
            logger.info("founding members from the data directory", ["members": recorded.topology.flagText, "mode": recorded.mode])
        }
        return decision
    }

    /// The record in `dataDirectory`; nil before the first start.
    static func read(dataDirectory: String) throws -> FoundingRecord? {
        let path = "\(dataDirectory)/\(fileName)"
        guard let payload = try ChecksummedFile.read(path) else { return nil }
        do {
            return try decode(payload)
        } catch {
            throw StorageError.corruptFile(path: path, reason: "its checksum holds but its text is not a founding record: \(error)")
        }
    }

    func write(dataDirectory: String) throws {
        try ChecksummedFile.write(encoded, to: "\(dataDirectory)/\(Self.fileName)")
    }
}
