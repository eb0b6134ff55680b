import Consensus
import Primitives

/// The coordinators a cluster starts with, from `--initial-cluster
/// c1=HOST:PORT,c2=...` (a HOST is numeric or a name, resolved at each dial). A node's Raft ID is derived from its name (FNV-1a,
/// never zero), so every member computes the same IDs without coordination.
public struct ClusterTopology: Sendable, Equatable {
    /// One founding coordinator: its name, the Raft id derived from it, and where peers dial it.
    public struct Member: Sendable, Equatable {
        public let name: String
        public let id: NodeID
        /// As written: a name stays a name, which each dialling member resolves for itself.
        public let peerAddress: HostPort

        public init(name: String, id: NodeID, peerAddress: HostPort) {
            self.name = name
            self.id = id
            self.peerAddress = peerAddress
        }
    }

    public let members: [Member]

    public static let membersMaximum = 7

    public init(members: [Member]) {
        self.members = members
    }

    /// Reads `c1=HOST:PORT,c2=...`, refusing a member or a peer address named twice (two
    /// members cannot both listen on one address, and peers would reach only one of them).
    public static func parse(_ text: String) throws(TopologyError) -> ClusterTopology {
        var members: [Member] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw .malformed(String(item)) }
            let name = String(parts[0])
            let address: HostPort
            do {
                address = try HostPort(parsing: String(parts[1]), flag: "--initial-cluster")
            } catch {
                throw .address(String(item), error.reason)
            }
            guard !members.contains(where: { $0.name == name }) else { throw .duplicate(name) }
            if let other = members.first(where: { $0.peerAddress == address }) {
                throw .duplicateAddress(other.name, name, "\(address)")
            }
            members.append(Member(name: name, id: nodeID(forName: name), peerAddress: address))
        }
        guard !members.isEmpty, members.count <= membersMaximum else { throw .size(members.count) }
        guard Set(members.map(\.id)).count == members.count else { throw .idCollision }
        return ClusterTopology(members: members)
    }

    /// The members as `--initial-cluster` spells them; `parse` reads it back.
    public var flagText: String {
        members.map { "\($0.name)=\($0.peerAddress)" }.joined(separator: ",")
    }

    public func member(named name: String) -> Member? { members.first { $0.name == name } }
    public func member(id: NodeID) -> Member? { members.first { $0.id == id } }
    public func name(of id: NodeID) -> String? { member(id: id)?.name }

    /// FNV-1a 64 of the UTF-8 name; 0 is reserved for "no node" in Raft.
    public static func nodeID(forName name: String) -> NodeID {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash == 0 ? 1 : hash
    }
}

/// A malformed `--initial-cluster`.
public enum TopologyError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    /// An entry whose HOST:PORT is neither numeric nor a host name, and why.
    case address(String, String)
    case duplicate(String)
    /// Two members (the first, then the second) given the same peer address.
    case duplicateAddress(String, String, String)
    case size(Int)
    case idCollision

    public var description: String {
        switch self {
        case let .malformed(item): return "--initial-cluster entry '\(item)' is not NAME=HOST:PORT"
        case let .address(item, reason): return "--initial-cluster entry '\(item)' is not NAME=HOST:PORT: \(reason)"
        case let .duplicate(name): return "--initial-cluster names \(name) twice"
        case let .duplicateAddress(first, second, address):
            return "--initial-cluster gives \(first) and \(second) the same peer address \(address)"
        case let .size(count): return "--initial-cluster has \(count) members; 1 to \(ClusterTopology.membersMaximum) are allowed"
        case .idCollision: return "two member names hash to the same node id; rename one"
        }
    }
}
