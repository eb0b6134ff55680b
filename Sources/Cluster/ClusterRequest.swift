import Fleet
import Primitives
import Wire

/// What a coordinator asks of the leader: a fleet write, or one of the
/// cluster operations only a leader can start. A follower forwards it over
/// the peer link in this encoding and relays the leader's rendered answer.
public enum ClusterRequest: Sendable, Equatable {
    /// An encoded `FleetCommand`.
    case write([UInt8])
    case transferLeadership(to: String)
    case addMember(name: String, peerAddress: String)
    case removeMember(name: String)
    case gatewayQuery(GatewayQuery)
    /// Revoke a node name: the leader stamps the time into the `FleetCommand.revokeNode` it proposes.
    case revokeNode(name: String)
    /// Forget a node: the leader refuses while the node has a live agent session on it.
    case removeNode(id: String)
    /// An API request and the audit context of whoever made it: the fleet command the leader makes
    /// of the request is proposed as `FleetCommand.audited` (Docs/AUDIT.md). Never nested.
    indirect case audited(AuditContext, ClusterRequest)

    private enum Tag: UInt8 {
        case write = 1, transferLeadership, addMember, removeMember, gatewayQuery, revokeNode, removeNode, audited
    }

    public static let nameBytesMaximum = 256

    public var encoded: [UInt8] {
        var writer = BinaryWriter()
        switch self {
        case let .write(command):
            writer.write(Tag.write.rawValue)
            writer.writeLengthPrefixed(command)
        case let .transferLeadership(name):
            writer.write(Tag.transferLeadership.rawValue)
            writer.write(name)
        case let .addMember(name, peerAddress):
            writer.write(Tag.addMember.rawValue)
            writer.write(name)
            writer.write(peerAddress)
        case let .removeMember(name):
            writer.write(Tag.removeMember.rawValue)
            writer.write(name)
        case let .gatewayQuery(query):
            writer.write(Tag.gatewayQuery.rawValue)
            query.encode(to: &writer)
        case let .revokeNode(name):
            writer.write(Tag.revokeNode.rawValue)
            writer.write(name)
        case let .removeNode(id):
            writer.write(Tag.removeNode.rawValue)
            writer.write(id)
        case let .audited(context, request):
            writer.write(Tag.audited.rawValue)
            FleetCodec.write(context, to: &writer)
            return writer.bytes + request.encoded
        }
        return writer.bytes
    }

    public static func decode(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ClusterRequest {
        try decode(&reader, isInner: false)
    }

    private static func decode(_ reader: inout BinaryReader, isInner: Bool) throws(BinaryDecodingError) -> ClusterRequest {
        let tagOffset = reader.offset
        let request: ClusterRequest
        switch Tag(rawValue: try reader.readUInt8()) {
        case .write:
            request = .write(try reader.readLengthPrefixed(maximumBytes: FrameCodec.frameSizeMaximumBytesDefault))
        case .transferLeadership:
            request = .transferLeadership(to: try reader.readString(maximumBytes: nameBytesMaximum))
        case .addMember:
            request = .addMember(name: try reader.readString(maximumBytes: nameBytesMaximum),
                                 peerAddress: try reader.readString(maximumBytes: nameBytesMaximum))
        case .removeMember:
            request = .removeMember(name: try reader.readString(maximumBytes: nameBytesMaximum))
        case .gatewayQuery:
            request = .gatewayQuery(try GatewayQuery.decode(&reader))
        case .revokeNode:
            request = .revokeNode(name: try reader.readString(maximumBytes: nameBytesMaximum))
        case .removeNode:
            request = .removeNode(id: try reader.readString(maximumBytes: nameBytesMaximum))
        case .audited where !isInner:
            request = .audited(try FleetCodec.readAuditContext(&reader), try decode(&reader, isInner: true))
        case .audited:
            throw .invalidValue(offset: tagOffset, detail: "an audited request cannot be audited again")
        case nil:
            throw .invalidValue(offset: tagOffset, detail: "unknown cluster request")
        }
        return request
    }

    /// A leader change ends a forwarded write or query (the old leader will
    /// not answer it), but it is what a transfer is waiting for.
    public var endsWithLeaderChange: Bool {
        switch self {
        case .write, .gatewayQuery, .revokeNode, .removeNode: true
        case .transferLeadership, .addMember, .removeMember: false
        case let .audited(_, request): request.endsWithLeaderChange
        }
    }
}
