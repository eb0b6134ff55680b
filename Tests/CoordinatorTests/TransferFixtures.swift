@testable import Coordinator
import Cluster
import Consensus
import Glibc
import Primitives
import Telemetry
import Transport
import Wire

/// Builders for chunked-transfer tests: snapshot messages of a given size,
/// the frames a transfer sends, and a scratch data directory.
enum TransferFixtures {
    static let leader = ClusterTopology.Member(name: "c1", id: ClusterTopology.nodeID(forName: "c1"),
                                               peerAddress: HostPort(try! SocketAddress(host: "127.0.0.1", port: 7001)))
    static let follower = ClusterTopology.Member(name: "c2", id: ClusterTopology.nodeID(forName: "c2"),
                                                 peerAddress: HostPort(try! SocketAddress(host: "127.0.0.1", port: 7002)))
    /// A forwarded document's deadline far enough away not to matter.
    static let documentDeadline = MonotonicInstant.now().advanced(by: .seconds(3_600))
    static let limits = TransferAssembler.Limits(snapshotBytesMaximum: 64 << 20, forwardedAnswerBytesMaximum: 1 << 20)

    /// Bytes that differ from position to position, so a misplaced chunk changes the data.
    static func data(count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    static func snapshotMessage(term: UInt64 = 3, index: UInt64 = 500, bytes: Int) -> Message {
        let membership = Membership(voters: [leader.id, follower.id])
        return Message(kind: .snapshot, from: leader.id, to: follower.id, term: term,
                       snapshot: Snapshot(metadata: SnapshotMetadata(index: index, term: term, membership: membership),
                                          data: data(count: bytes, seed: index)),
                       leaseTick: 42)
    }

    /// Every frame `transfer` sends, in order.
    static func frames(of transfer: OutgoingTransfer) -> [Frame] {
        var transfer = transfer
        var frames: [Frame] = []
        while let frame = try! transfer.nextFrame() { frames.append(frame) }
        return frames
    }

    static func chunks(of transfer: OutgoingTransfer) throws -> [TransferChunk] {
        try frames(of: transfer).filter { $0.kind == FrameKind.transferChunk.rawValue }.map { try TransferCodec.decodeChunk($0.payload) }
    }

    static func entries(of directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }
}
