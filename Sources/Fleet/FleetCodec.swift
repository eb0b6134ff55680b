import Primitives

/// The binary form of fleet commands (Raft log entries) and of the whole
/// state (Raft snapshots). Versioned; decoding is bounded and rejects
/// anything it does not fully understand. Version 3 added ticket keys,
/// version 4 node revocations and `deleteUnusedEnvironment`; versions 2 and 3
/// (written before) still decode, so a data directory survives the upgrade.
///
/// Each entry is written in the lowest version that can express it, never below
/// `versionWrittenMinimum`: a command version 3 knows is written as version 3, a
/// snapshot without revocations too, so members of the build before version 4 (which
/// read 2...3) follow an upgraded leader until it has to say something new (CLUSTER.md,
/// "Rolling upgrades"). A tag is read only in versions that have it.
public enum FleetCodec {
    public static let versionsRead: ClosedRange<UInt8> = 2...4
    /// What the oldest build that may share a cluster with this one reads.
    static let versionWrittenMinimum: UInt8 = 3
    static let textBytesMaximum = 256

    private enum Tag: UInt8 {
        case putEnvironment = 1, deleteEnvironment, putMember, deleteMember, publishAddresses, putNode, deleteNode
        case addTicketKey, revokeNode, unrevokeNode, deleteUnusedEnvironment

        /// The version that introduced the tag.
        var since: UInt8 {
            switch self {
            case .putEnvironment, .deleteEnvironment, .putMember, .deleteMember, .publishAddresses, .putNode, .deleteNode: 2
            case .addTicketKey: 3
            case .revokeNode, .unrevokeNode, .deleteUnusedEnvironment: 4
            }
        }

        var versionWritten: UInt8 { max(since, FleetCodec.versionWrittenMinimum) }
    }

    public static func encode(_ command: FleetCommand) -> [UInt8] {
        var writer = BinaryWriter()
        func begin(_ tag: Tag) {
            writer.write(tag.versionWritten)
            writer.write(tag.rawValue)
        }
        switch command {
        case let .putEnvironment(record):
            begin(.putEnvironment)
            write(record, to: &writer)
        case let .deleteEnvironment(name):
            begin(.deleteEnvironment)
            writer.write(name)
        case let .deleteUnusedEnvironment(name):
            begin(.deleteUnusedEnvironment)
            writer.write(name)
        case let .putMember(record):
            begin(.putMember)
            write(record, to: &writer)
        case let .deleteMember(name):
            begin(.deleteMember)
            writer.write(name)
        case let .publishAddresses(addresses):
            begin(.publishAddresses)
            write(addresses, to: &writer)
        case let .putNode(record):
            begin(.putNode)
            write(record, to: &writer)
        case let .deleteNode(id):
            begin(.deleteNode)
            writer.write(id)
        case let .addTicketKey(record):
            begin(.addTicketKey)
            write(record, to: &writer)
        case let .revokeNode(revocation):
            begin(.revokeNode)
            write(revocation, to: &writer)
        case let .unrevokeNode(name):
            begin(.unrevokeNode)
            writer.write(name)
        }
        return writer.bytes
    }

    public static func decodeCommand(_ bytes: [UInt8]) throws(BinaryDecodingError) -> FleetCommand {
        var reader = BinaryReader(bytes)
        let version = try expectVersion(&reader)
        let tag = Tag(rawValue: try reader.readUInt8())
        if let tag, tag.since > version {
            throw .invalidValue(offset: 1, detail: "fleet command tag \(tag.rawValue) is not in version \(version)")
        }
        let command: FleetCommand
        switch tag {
        case .putEnvironment: command = .putEnvironment(try readEnvironment(&reader))
        case .deleteEnvironment:
            // The builds that wrote version 4 (before `deleteUnusedEnvironment` had its own tag) meant
            // the refusing deletion by this tag; versions 2 and 3 the unconditional one.
            let name = try readText(&reader)
            command = version >= 4 ? .deleteUnusedEnvironment(name: name) : .deleteEnvironment(name: name)
        case .deleteUnusedEnvironment: command = .deleteUnusedEnvironment(name: try readText(&reader))
        case .putMember: command = .putMember(try readMember(&reader))
        case .deleteMember: command = .deleteMember(name: try readText(&reader))
        case .publishAddresses: command = .publishAddresses(try readAddresses(&reader))
        case .putNode: command = .putNode(try readNode(&reader))
        case .deleteNode: command = .deleteNode(id: try readText(&reader))
        case .addTicketKey: command = .addTicketKey(try readTicketKey(&reader))
        case .revokeNode: command = .revokeNode(try readRevocation(&reader))
        case .unrevokeNode: command = .unrevokeNode(name: try readText(&reader))
        case nil: throw .invalidValue(offset: 1, detail: "unknown fleet command tag")
        }
        try reader.expectEnd()
        return command
    }

    public static func encode(_ state: FleetState) -> [UInt8] {
        var writer = BinaryWriter(reservingCapacity: 256 + 64 * state.nodes.count)
        let version = state.revocations.isEmpty ? versionWrittenMinimum : Tag.revokeNode.versionWritten
        writer.write(version)
        writer.write(state.appliedIndex)
        writeTable(state.sortedEnvironments, to: &writer, write)
        writeTable(state.sortedMembers, to: &writer, write)
        writeTable(state.advertised.values.sorted { $0.name < $1.name }, to: &writer, write)
        writeTable(state.nodes.values.sorted { $0.id < $1.id }, to: &writer, write)
        writeTable(state.ticketKeys, to: &writer, write)
        if !state.revocations.isEmpty { writeTable(state.sortedRevocations, to: &writer, write) }
        return writer.bytes
    }

    public static func decodeState(_ bytes: [UInt8]) throws(BinaryDecodingError) -> FleetState {
        var reader = BinaryReader(bytes)
        let version = try expectVersion(&reader)
        let appliedIndex = try reader.readUInt64()
        let environments = try readTable(&reader, maximum: FleetState.environmentsMaximum, readEnvironment)
        let members = try readTable(&reader, maximum: FleetState.membersMaximum, readMember)
        let advertised = try readTable(&reader, maximum: FleetState.membersMaximum, readAddresses)
        let nodes = try readTable(&reader, maximum: FleetState.nodesMaximum, readNode)
        let ticketKeys = version >= 3 ? try readTable(&reader, maximum: FleetState.ticketKeysMaximum, readTicketKey) : []
        let revocations = version >= 4 ? try readTable(&reader, maximum: FleetState.revocationsMaximum, readRevocation) : []
        try reader.expectEnd()
        return FleetState(
            environments: Dictionary(environments.map { ($0.name, $0) }, uniquingKeysWith: { $1 }),
            members: Dictionary(members.map { ($0.name, $0) }, uniquingKeysWith: { $1 }),
            advertised: Dictionary(advertised.map { ($0.name, $0) }, uniquingKeysWith: { $1 }),
            nodes: Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { $1 }),
            ticketKeys: ticketKeys,
            revocations: Dictionary(revocations.map { ($0.node, $0) }, uniquingKeysWith: { $1 }),
            appliedIndex: appliedIndex)
    }

    private static func expectVersion(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> UInt8 {
        let found = try reader.readUInt8()
        guard versionsRead.contains(found) else { throw .unsupportedVersion(found) }
        return found
    }

    private static func writeTable<Record>(_ records: [Record], to writer: inout BinaryWriter,
                                           _ write: (Record, inout BinaryWriter) -> Void) {
        writer.write(UInt32(records.count))
        for record in records { write(record, &writer) }
    }

    private static func readTable<Record>(
        _ reader: inout BinaryReader, maximum: Int,
        _ read: (inout BinaryReader) throws(BinaryDecodingError) -> Record
    ) throws(BinaryDecodingError) -> [Record] {
        let offset = reader.offset
        let count = Int(try reader.readUInt32())
        guard count <= maximum else { throw .invalidValue(offset: offset, detail: "\(count) records, over \(maximum)") }
        var records: [Record] = []
        records.reserveCapacity(count)
        for _ in 0..<count { records.append(try read(&reader)) }
        return records
    }
}
