import Wire

/// The binary form of fleet commands (Raft log entries) and of the whole
/// state (Raft snapshots). Versioned; decoding is bounded and rejects
/// anything it does not fully understand.
public enum FleetCodec {
    static let version: UInt8 = 2
    static let textBytesMaximum = 256

    private enum Tag: UInt8 {
        case putEnvironment = 1
        case deleteEnvironment = 2
        case putMember = 3
        case deleteMember = 4
    }

    public static func encode(_ command: FleetCommand) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(version)
        switch command {
        case let .putEnvironment(record):
            writer.write(Tag.putEnvironment.rawValue)
            write(record, to: &writer)
        case let .deleteEnvironment(name):
            writer.write(Tag.deleteEnvironment.rawValue)
            writer.write(name)
        case let .putMember(record):
            writer.write(Tag.putMember.rawValue)
            write(record, to: &writer)
        case let .deleteMember(name):
            writer.write(Tag.deleteMember.rawValue)
            writer.write(name)
        }
        return writer.bytes
    }

    public static func decodeCommand(_ bytes: [UInt8]) throws(BinaryDecodingError) -> FleetCommand {
        var reader = BinaryReader(bytes)
        try expectVersion(&reader)
        let command: FleetCommand
        switch Tag(rawValue: try reader.readUInt8()) {
        case .putEnvironment: command = .putEnvironment(try readEnvironment(&reader))
        case .deleteEnvironment: command = .deleteEnvironment(name: try reader.readString(maximumBytes: textBytesMaximum))
        case .putMember: command = .putMember(try readMember(&reader))
        case .deleteMember: command = .deleteMember(name: try reader.readString(maximumBytes: textBytesMaximum))
        case nil: throw .invalidValue(offset: 1, detail: "unknown fleet command tag")
        }
        try reader.expectEnd()
        return command
    }

    public static func encode(_ state: FleetState) -> [UInt8] {
        var writer = BinaryWriter(reservingCapacity: 256)
        writer.write(version)
        writer.write(state.appliedIndex)
        let environments = state.sortedEnvironments
        writer.write(UInt32(environments.count))
        for record in environments { write(record, to: &writer) }
        let members = state.sortedMembers
        writer.write(UInt32(members.count))
        for record in members { write(record, to: &writer) }
        return writer.bytes
    }

    public static func decodeState(_ bytes: [UInt8]) throws(BinaryDecodingError) -> FleetState {
        var reader = BinaryReader(bytes)
        try expectVersion(&reader)
        let appliedIndex = try reader.readUInt64()
        let count = Int(try reader.readUInt32())
        guard count <= FleetState.environmentsMaximum else {
            throw .invalidValue(offset: 9, detail: "\(count) environments, over \(FleetState.environmentsMaximum)")
        }
        var environments: [String: EnvironmentRecord] = [:]
        for _ in 0..<count {
            let record = try readEnvironment(&reader)
            environments[record.name] = record
        }
        let membersOffset = reader.offset
        let memberCount = Int(try reader.readUInt32())
        guard memberCount <= FleetState.membersMaximum else {
            throw .invalidValue(offset: membersOffset, detail: "\(memberCount) members, over \(FleetState.membersMaximum)")
        }
        var members: [String: ClusterMemberRecord] = [:]
        for _ in 0..<memberCount {
            let record = try readMember(&reader)
            members[record.name] = record
        }
        try reader.expectEnd()
        return FleetState(environments: environments, members: members, appliedIndex: appliedIndex)
    }

    private static func expectVersion(_ reader: inout BinaryReader) throws(BinaryDecodingError) {
        let found = try reader.readUInt8()
        guard found == version else { throw .unsupportedVersion(found) }
    }

    private static func write(_ record: EnvironmentRecord, to writer: inout BinaryWriter) {
        writer.write(record.name)
        writer.write(record.defaultStrategy.rawValue)
        writer.write(record.requiresApproval)
        writer.write(record.approvalTimeoutSeconds)
    }

    private static func write(_ record: ClusterMemberRecord, to writer: inout BinaryWriter) {
        writer.write(record.name)
        writer.write(record.peerAddress)
    }

    private static func readMember(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ClusterMemberRecord {
        ClusterMemberRecord(name: try reader.readString(maximumBytes: textBytesMaximum),
                            peerAddress: try reader.readString(maximumBytes: textBytesMaximum))
    }

    private static func readEnvironment(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> EnvironmentRecord {
        let name = try reader.readString(maximumBytes: textBytesMaximum)
        let strategyOffset = reader.offset
        let strategyText = try reader.readString(maximumBytes: textBytesMaximum)
        guard let strategy = RolloutStrategy(rawValue: strategyText) else {
            throw .invalidValue(offset: strategyOffset, detail: "unknown strategy '\(strategyText)'")
        }
        return EnvironmentRecord(name: name, defaultStrategy: strategy, requiresApproval: try reader.readBool(),
                                 approvalTimeoutSeconds: try reader.readUInt32())
    }
}
