import Primitives

/// The binary form of fleet commands (Raft log entries) and of the whole
/// state (Raft snapshots). Versioned; decoding is bounded and rejects
/// anything it does not fully understand. Version 3 added ticket keys,
/// version 4 node revocations; versions 2 and 3 (written before) still
/// decode, so a data directory survives the upgrade.
public enum FleetCodec {
    static let version: UInt8 = 4
    public static let versionsRead: ClosedRange<UInt8> = 2...4
    static let textBytesMaximum = 256

    private enum Tag: UInt8 {
        case putEnvironment = 1, deleteEnvironment, putMember, deleteMember, publishAddresses, putNode, deleteNode
        case addTicketKey, revokeNode, unrevokeNode
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
        case let .publishAddresses(addresses):
            writer.write(Tag.publishAddresses.rawValue)
            write(addresses, to: &writer)
        case let .putNode(record):
            writer.write(Tag.putNode.rawValue)
            write(record, to: &writer)
        case let .deleteNode(id):
            writer.write(Tag.deleteNode.rawValue)
            writer.write(id)
        case let .addTicketKey(record):
            writer.write(Tag.addTicketKey.rawValue)
            write(record, to: &writer)
        case let .revokeNode(revocation):
            writer.write(Tag.revokeNode.rawValue)
            write(revocation, to: &writer)
        case let .unrevokeNode(name):
            writer.write(Tag.unrevokeNode.rawValue)
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
        case .deleteEnvironment: command = .deleteEnvironment(name: try readText(&reader))
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
        writer.write(version)
        writer.write(state.appliedIndex)
        writeTable(state.sortedEnvironments, to: &writer, write)
        writeTable(state.sortedMembers, to: &writer, write)
        writeTable(state.advertised.values.sorted { $0.name < $1.name }, to: &writer, write)
        writeTable(state.nodes.values.sorted { $0.id < $1.id }, to: &writer, write)
        writeTable(state.ticketKeys, to: &writer, write)
        writeTable(state.sortedRevocations, to: &writer, write)
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

    @discardableResult
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
