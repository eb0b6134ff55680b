import Cluster
import Consensus
import Fleet
import Primitives
import Testing
import TestSupport
import Wire

@Suite struct ClusterOutcomeCodecTests {
    static let environment = EnvironmentRecord(name: "prod", defaultStrategy: .canary, requiresApproval: true,
                                               approvalTimeoutSeconds: 3_600)
    static let node = NodeRecord(id: "web-1", environment: "prod", labels: ["rack": "r1", "zone": "a"],
                                 moduleVersions: ["api": "1.2.0"])

    static let fleetOutcomes: [FleetOutcome] = [
        .environmentStored(environment, created: true), .environmentStored(environment, created: false),
        .environmentDeleted(name: "qa"), .memberStored(ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.4:7000")),
        .memberDeleted(name: "c3"), .addressesPublished(AdvertisedAddresses(name: "c1", apiAddress: "a:1", agentAddress: "b:2")),
        .nodeStored(node, created: true), .nodeStored(node, created: false), .nodeDeleted(id: "web-2"),
        .ticketKeyAdded(nameHex: "00112233445566778899aabbccddeeff"),
        .rejected(.invalidName("Bad")), .rejected(.notFound("gone")), .rejected(.tooManyEnvironments(maximum: 64)),
        .rejected(.invalidApprovalTimeout(5)), .rejected(.tooManyMembers(maximum: 7)), .rejected(.invalidNode("id '' must be 1-63 bytes")),
        .rejected(.unknownNode("web-9")), .rejected(.tooManyNodes(maximum: 16_384)), .rejected(.malformedTicketKey),
        .nodeRevoked(NodeRevocation(node: "web-3", revokedAtMilliseconds: 1_800_000_000_000)), .nodeUnrevoked(name: "web-3"),
        .rejected(.tooManyRevocations(maximum: 16_384)), .rejected(.notRevoked("web-4")),
        .rejected(.environmentInUse("qa", nodes: 2, example: "web-1")),
        .adminBootstrapped(name: "admin"), .bootstrapSkipped, .userAdded(name: "dev", role: .deployer),
        .userAdded(name: "root", role: .admin), .userAdded(name: "reader", role: .viewer), .userDeleted(name: "dev"),
        .passwordChanged(name: "admin"), .loginFailureRecorded(name: "admin", failedLogins: 4, lockedUntilMilliseconds: 0),
        .loginFailureRecorded(name: "admin", failedLogins: 0, lockedUntilMilliseconds: .max),
        .accountLocked(name: "admin", untilMilliseconds: 1_800_000_060_000), .loginSuccessRecorded(name: "admin"),
        .loginSuccessWhileLocked(name: "admin", untilMilliseconds: 1_800_000_060_000), .unknownLoginRecorded,
        .auditCompacted(removed: 0), .auditCompacted(removed: AuditTrail.recordsMaximum),
        .clusterVersionRaised(7), .clusterVersionKept(6),
        .userUnlocked(name: "admin"), .signingKeyRotated(idHex: "0011223344556677"),
        .rejected(.invalidUserName("Bad")), .rejected(.userExists("dev")), .rejected(.unknownUser("ghost")),
        .rejected(.tooManyUsers(maximum: 1_024)), .rejected(.lastAdmin("admin")), .rejected(.bootstrapNotAdmin("admin")),
        .rejected(.malformedPasswordDigest), .rejected(.malformedSigningKey), .rejected(.signingKeyExists("0011223344556677")),
        .rejected(.invalidKeyOverlap(milliseconds: 86_400_001)),
    ]

    static let proposalErrors: [ProposalError] = [
        .notLeader(leaderHint: nil), .notLeader(leaderHint: 7), .leaseExpired, .leadershipTransferInProgress(to: 3),
        .tooLarge(bytes: 2_000_000, maximumBytes: 1_048_576), .uncommittedLimitReached(maximumBytes: 64 << 20),
        .configChangeInProgress, .invalidMembershipChange(.invalidNodeID), .invalidMembershipChange(.alreadyMember(4)),
        .invalidMembershipChange(.notALearner(5)), .invalidMembershipChange(.notAMember(6)),
        .invalidMembershipChange(.wouldRemoveLastVoter), .invalidMembershipChange(.tooManyMembers), .invalidTransferTarget(9),
        .readQueueFull(maximum: 4_096),
    ]

    static let refusals: [ClusterRefusal] = [
        .noLeader("no leader is known yet; retry shortly"), .tooManyPendingWrites, .tooManyPendingReads, .readTimeout,
        .writeLost, .leaderChanged, .commitTimeout, .transferTimeout, .transferFailed(newLeader: "c3"),
        .notVotingMember(name: "c9"), .notMember(name: "c9"), .invalidMemberName("bad/name"), .invalidPeerAddress("nowhere"),
        .memberIDTaken(name: "c5", holder: "c2"), .alreadyMember(name: "c1"), .membersLimitReached(maximum: 7),
        .nodeNotFound(id: "web-9"), .environmentNotFound(name: "staging"), .requestTooLarge(frameBytesMaximum: 1_048_576),
        .answerTooLarge(bytes: 70_000_000, maximumBytes: 67_108_864), .forwardingBusy,
        .undecodableWrite(detail: "field at byte 2 declares 300 bytes, over the limit of 256"),
        .undecodableAnswer(detail: "unknown cluster outcome at byte 8"), .nodeConnected(id: "web-5"),
        .clusterUpgrading(UpgradeBlock(member: "c3", reads: .advertised(fleetVersion: 4), entryVersion: 6)),
        .clusterUpgrading(UpgradeBlock(member: "c2", reads: .unadvertised, entryVersion: 6)),
        .clusterUpgrading(UpgradeBlock(member: "c2", reads: .advertised(fleetVersion: 5), entryVersion: 6)),
        .clusterVersionTooLow(ClusterVersionBlock(clusterVersion: nil, entryVersion: 7, member: "c2", reads: nil)),
        .clusterVersionTooLow(ClusterVersionBlock(clusterVersion: 7, entryVersion: 8, member: "c3", reads: .advertised(fleetVersion: 7))),
        .clusterVersionTooLow(ClusterVersionBlock(clusterVersion: 7, entryVersion: 8, member: "c4", reads: .unadvertised)),
        .clusterVersionTooLow(ClusterVersionBlock(clusterVersion: 8, entryVersion: 9, member: nil, reads: nil)),
        .clusterVersionNotWritable,
    ] + proposalErrors.map(ClusterRefusal.proposal)

    static let every: [ClusterOutcome] = fleetOutcomes.map(ClusterOutcome.applied) + refusals.map(ClusterOutcome.refused) + [
        .leader(name: "c2", term: 12), .document(Array("{\"nodes\":[]}".utf8)), .document([]),
    ]

    @Test(arguments: every)
    func everyOutcomeDecodesToItselfWithItsRequestID(outcome: ClusterOutcome) throws {
        let answer = ForwardedAnswer(requestID: 0xFEED_0000_0000_0042, outcome: outcome)
        #expect(try ForwardedAnswer.decode(answer.encoded) == answer)
    }

    @Test(arguments: every)
    func everyShorterPrefixIsTruncated(outcome: ClusterOutcome) {
        expectEveryShorterPrefixTruncated(ForwardedAnswer(requestID: 1, outcome: outcome).encoded, ForwardedAnswer.decode)
    }

    @Test func trailingBytesAreRefused() {
        let bytes = ForwardedAnswer(requestID: 1, outcome: .refused(.readTimeout)).encoded
        #expect(throws: BinaryDecodingError.trailingBytes(offset: 10, count: 1)) { try ForwardedAnswer.decode(bytes + [0]) }
    }

    /// The tag of each level sits at a known offset after the 8-byte request id.
    @Test(arguments: [
        ([0], 8, "unknown cluster outcome"), ([5], 8, "unknown cluster outcome"), ([1, 0], 9, "unknown fleet outcome"),
        ([1, 9, 0], 10, "unknown fleet rejection"), ([4, 0], 9, "unknown cluster refusal"),
        ([4, 29], 9, "unknown cluster refusal"), ([4, 5, 10], 10, "unknown proposal error"),
        ([4, 5, 7, 7], 11, "unknown membership error"),
    ] as [([UInt8], Int, String)])
    func unknownTagsAreRefused(tags: [UInt8], offset: Int, detail: String) {
        let bytes = [UInt8](repeating: 0, count: 8) + tags
        #expect(throws: BinaryDecodingError.invalidValue(offset: offset, detail: detail)) { try ForwardedAnswer.decode(bytes) }
    }

    @Test func aLeaderHintsPresenceIsOneByteOfZeroOrOne() {
        let bytes = [UInt8](repeating: 0, count: 8) + [4, 5, 1, 2]
        #expect(throws: BinaryDecodingError.invalidValue(offset: 11, detail: "boolean byte 2")) { try ForwardedAnswer.decode(bytes) }
    }

    @Test func aWritesNamesAreBoundedAsInCommands() {
        let name = String(repeating: "n", count: 257)
        let bytes = ForwardedAnswer(requestID: 1, outcome: .applied(.environmentDeleted(name: name))).encoded
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 10, bytes: 257, maximumBytes: 256)) {
            try ForwardedAnswer.decode(bytes)
        }
    }

    @Test func aRoleIsOneKnownByte() {
        var bytes = ForwardedAnswer(requestID: 1, outcome: .applied(.userAdded(name: "a", role: .admin))).encoded
        #expect(bytes.last == 3)
        bytes[bytes.count - 1] = 4
        #expect(throws: BinaryDecodingError.invalidValue(offset: bytes.count - 1, detail: "unknown role 4")) {
            try ForwardedAnswer.decode(bytes)
        }
    }

    @Test func aDocumentOverTheFieldBoundIsRefusedBeforeItIsRead() {
        var writer = BinaryWriter()
        writer.write(UInt64(1))
        writer.write(UInt8(3))
        writer.write(UInt32(ClusterOutcomeCodec.fieldBytesMaximum + 1))
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 9, bytes: ClusterOutcomeCodec.fieldBytesMaximum + 1,
                                                          maximumBytes: ClusterOutcomeCodec.fieldBytesMaximum)) {
            try ForwardedAnswer.decode(writer.bytes)
        }
    }

    /// A previous build's answer (`id|status|retry|body`) does not decode; its leading id still
    /// names the request, which is refused as undecodable rather than left to time out.
    @Test func anUndecodableAnswerRefusesTheRequestItsLeadingIDNames() throws {
        var writer = BinaryWriter()
        writer.write(UInt64(0xABCD))
        writer.write(UInt16(200))
        let bytes = writer.bytes + [0, 0, 0, 0, 0x7B, 0x7D]
        let error = try #require(throws: BinaryDecodingError.self) { try ForwardedAnswer.decode(bytes) }
        #expect(ForwardedAnswer.undecodable(bytes, error: error)
            == ForwardedAnswer(requestID: 0xABCD, outcome: .refused(.undecodableAnswer(detail: "\(error)"))))
        #expect(ForwardedAnswer.undecodable(Array(bytes.prefix(7)), error: error) == nil, "seven bytes name no request")
    }

    @Test func aStreamedDocumentsContextIsItsRequestID() throws {
        let context = ForwardedAnswer.streamedContext(requestID: 77)
        #expect(try ForwardedAnswer.decodeStreamedContext(context) == 77)
        expectEveryShorterPrefixTruncated(context, ForwardedAnswer.decodeStreamedContext)
        #expect(throws: BinaryDecodingError.trailingBytes(offset: 8, count: 1)) {
            try ForwardedAnswer.decodeStreamedContext(context + [0])
        }
    }

    @Test func onlyRefusalsAndRejectedWritesFail() {
        let failed = Self.every.filter { !$0.succeeded }
        #expect(failed.count == Self.refusals.count + 22, "every refusal and the twenty-two fleet rejections")
        #expect(failed.allSatisfy {
            if case .refused = $0 { return true }
            if case .applied(.rejected) = $0 { return true }
            return false
        })
    }

    /// A node list can be tens of megabytes: its log line names its size, not its bytes.
    @Test func aDocumentIsLoggedByItsSize() {
        #expect(ClusterOutcome.document([UInt8](repeating: 32, count: 23_000_000)).logSummary == "document of 23000000 bytes")
        #expect(ClusterOutcome.refused(.readTimeout).logSummary.contains("readTimeout"))
    }
}
