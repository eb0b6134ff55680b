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
    /// forward one as a write, bare or as the command of an audited request, and the refusal says
    /// so rather than blame an older build. Audited bytes that hold one are no command at all.
    @Test func aClusterVersionIsNoWrite() throws {
        let bare = FleetCodec.encode(.setClusterVersion(7))
        #expect(WriteCheck.refusal(for: bare) == .clusterVersionNotWritable)
        let error = try #require(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommandToAudit(bare) }
        #expect(WriteCheck.auditRefusal(for: bare, error: error) == .clusterVersionNotWritable)
        let other = FleetCodec.encode(.compactAudit(beforeMilliseconds: 1))
        let otherError = try #require(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommandToAudit(other) }
        #expect(WriteCheck.auditRefusal(for: other, error: otherError) == .undecodableWrite(detail: "\(otherError)"))
        let audited = FleetCodec.encode(.audited(AuditContext(user: "a", role: .admin, source: nil, atMilliseconds: 1),
                                                 .setClusterVersion(9)))
        guard case .undecodableWrite? = WriteCheck.refusal(for: audited) else {
            Issue.record("audited bytes holding a cluster version refused as \(String(describing: WriteCheck.refusal(for: audited)))")
            return
        }
    }

    /// Builds before modules do not know the refusal: they get the `undecodableWrite` they refused it as.
    @Test func anOlderFollowerGetsTheRefusalAsUndecodable() {
        let outcome = ClusterOutcome.refused(.clusterVersionNotWritable)
        let older = ClusterOutcome.refused(.undecodableWrite(detail: ClusterRefusal.clusterVersionNotWritableDetail))
        #expect(outcome.decodable(by: .advertised(fleetVersion: 7)) == older)
        #expect(outcome.decodable(by: .unadvertised) == older)
        #expect(outcome.decodable(by: nil) == older)
        #expect(outcome.decodable(by: .advertised(fleetVersion: 8)) == outcome)
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
