import Primitives

/// One single-server membership change (dissertation §4.1): each one moves the cluster between
/// configurations whose majorities overlap, so no joint consensus is needed.
public enum MembershipChange: Sendable, Equatable {
    case addVoter(NodeID)
    case addLearner(NodeID)
    case promoteLearner(NodeID)
    case remove(NodeID)

    public var node: NodeID {
        switch self {
        case .addVoter(let id), .addLearner(let id), .promoteLearner(let id), .remove(let id): id
        }
    }

    fileprivate var tag: UInt8 {
        switch self {
        case .addVoter: 0
        case .addLearner: 1
        case .promoteLearner: 2
        case .remove: 3
        }
    }

    fileprivate init?(tag: UInt8, node: NodeID) {
        switch tag {
        case 0: self = .addVoter(node)
        case 1: self = .addLearner(node)
        case 2: self = .promoteLearner(node)
        case 3: self = .remove(node)
        default: return nil
        }
    }
}

/// The payload of a `.configChange` entry: the change and the whole membership it produces, so
/// a node that joins late adopts the membership without replaying earlier changes. `context` is
/// opaque to Raft; the application carries what it must know of the member (its address) there,
/// so the change and that knowledge commit in one entry.
public struct ConfigChangeRecord: Sendable, Equatable {
    static let formatVersion: UInt8 = 2
    public static let contextBytesMaximum = 1_024

    public var change: MembershipChange
    public var membership: Membership
    public var context: [UInt8]

    public init(change: MembershipChange, membership: Membership, context: [UInt8] = []) {
        precondition(context.count <= Self.contextBytesMaximum, "config-change context over its bound")
        self.change = change
        self.membership = membership
        self.context = context
    }

    /// `version | tag | node: u64 | voterCount: u16 | voters: u64… | learnerCount: u16 | learners: u64…
    /// | contextLength: u16 | context`, big-endian.
    public func encoded() -> [UInt8] {
        let byteCount = 16 + 8 * (membership.voters.count + membership.learners.count) + context.count
        var writer = BinaryWriter(reservingCapacity: byteCount)
        writer.write(ConfigChangeRecord.formatVersion)
        writer.write(change.tag)
        writer.write(change.node)
        for list in [membership.voters, membership.learners] {
            writer.write(UInt16(truncatingIfNeeded: list.count))
            for id in list { writer.write(id) }
        }
        writer.write(UInt16(truncatingIfNeeded: context.count))
        writer.write(contentsOf: context)
        assert(writer.bytes.count == byteCount)
        return writer.bytes
    }

    /// Decodes a payload; nil for anything malformed (it came from another node).
    public static func decode(_ bytes: [UInt8]) -> ConfigChangeRecord? {
        var reader = BinaryReader(bytes)
        do {
            guard try reader.readUInt8() == formatVersion else { return nil }
            let tag = try reader.readUInt8()
            guard let change = MembershipChange(tag: tag, node: try reader.readUInt64()) else { return nil }
            let voters = try readIDs(&reader)
            let learners = try readIDs(&reader)
            let contextCount = Int(try reader.readUInt16())
            guard contextCount <= contextBytesMaximum else { return nil }
            let context = try reader.readBytes(contextCount)
            try reader.expectEnd()
            guard voters.count + learners.count <= Membership.membersMaximum,
                !voters.contains(.none), !learners.contains(.none)
            else { return nil }
            return ConfigChangeRecord(change: change, membership: Membership(voters: voters, learners: learners), context: context)
        } catch {
            return nil  // truncated, a list over its bound, or bytes after the end
        }
    }

    /// A 16-bit count of at most `Membership.membersMaximum`, then that many IDs.
    private static func readIDs(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> [NodeID] {
        let start = reader.offset
        let count = Int(try reader.readUInt16())
        guard count <= Membership.membersMaximum else {
            throw .invalidValue(offset: start, detail: "\(count) members, over the limit of \(Membership.membersMaximum)")
        }
        var ids: [NodeID] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try reader.readUInt64()) }
        return ids
    }
}
