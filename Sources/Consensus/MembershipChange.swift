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
        var bytes: [UInt8] = [ConfigChangeRecord.formatVersion, change.tag]
        ConfigChangeRecord.append(change.node, to: &bytes)
        for list in [membership.voters, membership.learners] {
            bytes.append(UInt8(truncatingIfNeeded: list.count >> 8))
            bytes.append(UInt8(truncatingIfNeeded: list.count))
            for id in list { ConfigChangeRecord.append(id, to: &bytes) }
        }
        bytes.append(UInt8(truncatingIfNeeded: context.count >> 8))
        bytes.append(UInt8(truncatingIfNeeded: context.count))
        bytes += context
        assert(bytes.count == 16 + 8 * (membership.voters.count + membership.learners.count) + context.count)
        return bytes
    }

    /// Decodes a payload; nil for anything malformed (it came from another node).
    public static func decode(_ bytes: [UInt8]) -> ConfigChangeRecord? {
        var reader = ByteReader(bytes: bytes)
        guard reader.readByte() == formatVersion, let tag = reader.readByte(),
            let node = reader.readUInt64(), let change = MembershipChange(tag: tag, node: node),
            let voters = reader.readIDs(), let learners = reader.readIDs(), let context = reader.readContext(),
            reader.isAtEnd
        else { return nil }
        guard voters.count + learners.count <= Membership.membersMaximum,
            !voters.contains(.none), !learners.contains(.none)
        else { return nil }
        return ConfigChangeRecord(
            change: change, membership: Membership(voters: voters, learners: learners), context: context)
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}

/// Bounds-checked reading of a config-change payload.
private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    var isAtEnd: Bool { offset == bytes.count }

    mutating func readByte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt64() -> UInt64? {
        guard bytes.count - offset >= 8 else { return nil }
        var value: UInt64 = 0
        for position in offset..<(offset + 8) { value = value << 8 | UInt64(bytes[position]) }
        offset += 8
        return value
    }

    mutating func readCount() -> Int? {
        guard let high = readByte(), let low = readByte() else { return nil }
        return Int(high) << 8 | Int(low)
    }

    mutating func readContext() -> [UInt8]? {
        guard let count = readCount(), count <= ConfigChangeRecord.contextBytesMaximum,
            bytes.count - offset >= count
        else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func readIDs() -> [NodeID]? {
        guard let count = readCount() else { return nil }
        guard count <= Membership.membersMaximum, bytes.count - offset >= count * 8 else { return nil }
        var ids: [NodeID] = []
        for _ in 0..<count {
            guard let id = readUInt64() else { return nil }
            ids.append(id)
        }
        return ids
    }
}
