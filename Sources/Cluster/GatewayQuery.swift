import Primitives

/// A read only the leader can answer, because node liveness and samples live
/// in its agent gateway, and each member's replication progress in its Raft
/// node, not in the replicated state. A follower forwards it like a write and
/// relays the answer.
public enum GatewayQuery: Sendable, Equatable {
    case nodes
    case node(id: String)
    case metrics(id: String, sinceMilliseconds: UInt64)
    case environment(name: String)
    /// The leader's `ClusterView`, with every member's match index, lag and last contact.
    case leaderView

    /// The environment query shows the environment's replicated record.
    public var readsReplicatedState: Bool {
        if case .environment = self { return true }
        return false
    }

    private enum Tag: UInt8 {
        case nodes = 1, node, metrics, environment, leaderView
    }

    public func encode(to writer: inout BinaryWriter) {
        switch self {
        case .nodes:
            writer.write(Tag.nodes.rawValue)
        case let .node(id):
            writer.write(Tag.node.rawValue)
            writer.write(id)
        case let .metrics(id, since):
            writer.write(Tag.metrics.rawValue)
            writer.write(id)
            writer.write(since)
        case let .environment(name):
            writer.write(Tag.environment.rawValue)
            writer.write(name)
        case .leaderView:
            writer.write(Tag.leaderView.rawValue)
        }
    }

    public static func decode(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> GatewayQuery {
        let offset = reader.offset
        switch Tag(rawValue: try reader.readUInt8()) {
        case .nodes: return .nodes
        case .node: return .node(id: try reader.readString(maximumBytes: ClusterRequest.nameBytesMaximum))
        case .metrics:
            return .metrics(id: try reader.readString(maximumBytes: ClusterRequest.nameBytesMaximum),
                            sinceMilliseconds: try reader.readUInt64())
        case .environment: return .environment(name: try reader.readString(maximumBytes: ClusterRequest.nameBytesMaximum))
        case .leaderView: return .leaderView
        case nil: throw .invalidValue(offset: offset, detail: "unknown gateway query")
        }
    }
}
