import Cluster
import Fleet
import Primitives
import Testing

/// What may be proposed as a write: a fleet command this build decodes. Anything else would
/// commit and then halt every replica, so it is refused before Raft sees it.
@Suite struct WriteCheckTests {
    @Test func aCommandThatDecodesMayBeProposed() {
        let record = EnvironmentRecord(name: "edge", defaultStrategy: .canary, requiresApproval: false,
                                       approvalTimeoutSeconds: EnvironmentRecord.approvalTimeoutSecondsDefault)
        #expect(WriteCheck.refusal(for: FleetCodec.encode(.putEnvironment(record))) == nil)
        #expect(WriteCheck.refusal(for: FleetCodec.encode(.deleteEnvironment(name: "edge"))) == nil)
    }

    /// The encoder writes any length; the decoder reads names of at most 256 bytes. Before this
    /// check, `PUT /api/v1/environments/<300 letters>` committed such an entry.
    @Test func aNameLongerThanTheDecoderReadsIsRefused() throws {
        let bytes = FleetCodec.encode(.deleteEnvironment(name: String(repeating: "a", count: 300)))
        let error = try #require(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(bytes) }
        #expect(WriteCheck.refusal(for: bytes) == .undecodableWrite(detail: "\(error)"))
    }

    /// Only the leader raises the cluster version, once every member reads it: a follower cannot
    /// forward one as a write, bare or audited.
    @Test func aClusterVersionIsNoWrite() {
        #expect(WriteCheck.refusal(for: FleetCodec.encode(.setClusterVersion(7)))
            == .undecodableWrite(detail: "the cluster version is raised only by the leader, never as a write"))
        let audited = FleetCodec.encode(.audited(AuditContext(user: "a", role: .admin, source: nil, atMilliseconds: 1),
                                                 .setClusterVersion(9)))
        #expect(WriteCheck.refusal(for: audited) != nil)
    }

    @Test(arguments: [[UInt8](), [0xFF], [UInt8](repeating: 7, count: 40)])
    func bytesThatAreNoCommandAreRefused(bytes: [UInt8]) throws {
        let refusal = try #require(WriteCheck.refusal(for: bytes))
        guard case let .undecodableWrite(detail) = refusal else {
            Issue.record("refused as \(refusal)")
            return
        }
        #expect(!detail.isEmpty)
    }
}
