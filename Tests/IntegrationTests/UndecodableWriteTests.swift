import Cluster
import Foundation
import Primitives
import Testing
import TestSupport
import Wire

/// The leader refuses a write this build cannot decode before proposing it (`WriteCheck`): committed,
/// it would halt every member for good. No route sends such bytes (each refuses a bad name or body
/// first), so the write comes as a follower would forward it, on the leader's peer port. A request
/// of a kind this build does not know (a follower of a newer build) is refused at once the same way,
/// rather than left to time out on the follower.
@Suite(.serialized)
struct UndecodableWriteTests {
    @Test func aForwardedWriteThatDoesNotDecodeIsRefusedAndTheClusterCommitsOn() throws {
        let cluster = try ClusterFixture()
        let leader = try #require(cluster.agreedLeader())
        let member = try #require(cluster.names.first { $0 != leader })
        let certificates = cluster.certificates
        let client = try TestTLSClient(certificate: certificates.certificate(member), key: certificates.key(member),
                                       ca: certificates.ca)
        let (transcript, opened) = client.open(port: try #require(cluster.processes[leader]).peerPort)
        let connection = try #require(opened, "no connection to \(leader)'s peer port")
        defer { client.close(connection) }
        client.write(TestFrames.frame(kind: FrameKind.ping.rawValue, payload: try cluster.memberPing()), on: connection)
        let requestID = UInt64.random(in: 1...UInt64.max)
        let payload = ForwardedRequest(requestID: requestID, request: .write([0xFF])).encoded
        client.write(TestFrames.frame(kind: FrameKind.forwardProposal.rawValue, payload: payload), on: connection)
        var writer = BinaryWriter()
        let newerRequestID = requestID &+ 1
        writer.write(newerRequestID)
        client.write(TestFrames.frame(kind: FrameKind.forwardProposal.rawValue, payload: writer.bytes + [0xF0, 1, 2]), on: connection)

        // The leader answers on its own link to `member`, whose coordinator sent no such request
        // and logs the answer it drops, outcome and all.
        let memberLog = try #require(cluster.processes[member]).log
        for (id, what) in [(requestID, "undecodable write"), (newerRequestID, "request of an unknown kind")] {
            let answered = eventually(timeout: .seconds(10)) {
                memberLog.text.split(separator: "\n").contains { $0.contains("request=\(id)") && $0.contains("undecodableWrite") }
            }
            #expect(answered, "no refusal of the \(what) reached \(member): \(memberLog.text.suffix(3_000))")
        }
        #expect(!transcript.isClosed, "the leader closed the connection the request came on")
        #expect(cluster.putAcknowledged("after-undecodable"), "the cluster stopped committing writes")
        for name in cluster.names {
            #expect(try #require(cluster.processes[name]).process.isRunning, "\(name) stopped")
        }
    }
}
