import Primitives
import Rollout

/// The encoding of each record type, shared by commands and snapshots.
extension FleetCodec {
    static func readText(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> String {
        try reader.readString(maximumBytes: textBytesMaximum)
    }

    static func write(_ record: EnvironmentRecord, to writer: inout BinaryWriter) {
        writer.write(record.name)
        writer.write(record.defaultStrategy.rawValue)
        writer.write(record.requiresApproval)
        writer.write(record.approvalTimeoutSeconds)
    }

    static func readEnvironment(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> EnvironmentRecord {
        let name = try readText(&reader)
        let strategyOffset = reader.offset
        let strategyText = try readText(&reader)
        guard let strategy = RolloutStrategy(rawValue: strategyText) else {
            throw .invalidValue(offset: strategyOffset, detail: "unknown strategy '\(strategyText)'")
        }
        return EnvironmentRecord(name: name, defaultStrategy: strategy, requiresApproval: try reader.readBool(),
                                 approvalTimeoutSeconds: try reader.readUInt32())
    }

    static func write(_ record: ClusterMemberRecord, to writer: inout BinaryWriter) {
        writer.write(record.name)
        writer.write(record.peerAddress)
    }

    static func readMember(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ClusterMemberRecord {
        ClusterMemberRecord(name: try readText(&reader), peerAddress: try readText(&reader))
    }

    static func write(_ addresses: AdvertisedAddresses, to writer: inout BinaryWriter) {
        writer.write(addresses.name)
        writer.write(addresses.apiAddress)
        writer.write(addresses.agentAddress)
    }

    static func readAddresses(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> AdvertisedAddresses {
        AdvertisedAddresses(name: try readText(&reader), apiAddress: try readText(&reader),
                            agentAddress: try readText(&reader))
    }

    static func write(_ record: NodeRecord, to writer: inout BinaryWriter) {
        writer.write(record.id)
        writer.write(record.environment)
        writePairs(record.labels, to: &writer)
        writePairs(record.moduleVersions, to: &writer)
    }

    static func readNode(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> NodeRecord {
        NodeRecord(id: try readText(&reader), environment: try readText(&reader),
                   labels: try readPairs(&reader, maximum: NodeRecord.labelsMaximum),
                   moduleVersions: try readPairs(&reader, maximum: NodeRecord.modulesMaximum))
    }

    static func write(_ record: TicketKeyRecord, to writer: inout BinaryWriter) {
        writer.writeLengthPrefixed(record.name)
        writer.writeLengthPrefixed(record.secret)
        writer.write(record.createdAtMilliseconds)
    }

    static func readTicketKey(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> TicketKeyRecord {
        TicketKeyRecord(name: try reader.readLengthPrefixed(maximumBytes: TicketKeyRecord.nameBytes),
                        secret: try reader.readLengthPrefixed(maximumBytes: TicketKeyRecord.secretBytes),
                        createdAtMilliseconds: try reader.readUInt64())
    }

    static func write(_ revocation: NodeRevocation, to writer: inout BinaryWriter) {
        writer.write(revocation.node)
        writer.write(revocation.revokedAtMilliseconds)
    }

    static func readRevocation(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> NodeRevocation {
        NodeRevocation(node: try readText(&reader), revokedAtMilliseconds: try reader.readUInt64())
    }

    /// Key-sorted, so equal dictionaries encode to equal bytes on every replica.
    private static func writePairs(_ pairs: [String: String], to writer: inout BinaryWriter) {
        writer.write(UInt32(pairs.count))
        for key in pairs.keys.sorted() {
            writer.write(key)
            writer.write(pairs[key]!)
        }
    }

    private static func readPairs(_ reader: inout BinaryReader, maximum: Int) throws(BinaryDecodingError) -> [String: String] {
        let offset = reader.offset
        let count = Int(try reader.readUInt32())
        guard count <= maximum else { throw .invalidValue(offset: offset, detail: "\(count) pairs, over \(maximum)") }
        var pairs: [String: String] = [:]
        for _ in 0..<count {
            let key = try readText(&reader)
            pairs[key] = try readText(&reader)
        }
        return pairs
    }
}
