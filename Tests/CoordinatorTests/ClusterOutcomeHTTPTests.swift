@testable import Coordinator
import Cluster
import Consensus
import Fleet
import Testing

/// The renderer of outcomes pinned case by case: status, error code, message and Retry-After
/// are what the API answered before outcomes replaced rendered replies, byte for byte.
@Suite struct ClusterOutcomeHTTPTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let outcome: ClusterOutcome
        let status: Int
        let body: String
        let retryAfterSeconds: Int?

        var testDescription: String { "\(outcome)" }

        static func json(_ outcome: ClusterOutcome, _ status: Int, _ body: String) -> Row {
            Row(outcome: outcome, status: status, body: body, retryAfterSeconds: nil)
        }

        static func error(_ refusal: ClusterRefusal, _ status: Int, _ code: String, _ message: String, retry: Int? = nil) -> Row {
            failed(.refused(refusal), status, code, message, retry: retry)
        }

        static func failed(_ outcome: ClusterOutcome, _ status: Int, _ code: String, _ message: String, retry: Int? = nil) -> Row {
            Row(outcome: outcome, status: status, body: "{\"error\":{\"code\":\"\(code)\",\"message\":\"\(message)\"}}",
                retryAfterSeconds: retry)
        }
    }

    static let environment = EnvironmentRecord(name: "prod", defaultStrategy: .canary, requiresApproval: true,
                                               approvalTimeoutSeconds: 3_600)
    static let environmentJSON =
        "{\"name\":\"prod\",\"defaultStrategy\":\"canary\",\"requiresApproval\":true,\"approvalTimeoutSeconds\":3600}"
    static let node = NodeRecord(id: "web-1", environment: "prod")

    static let deployment = DeploymentRecord(id: "d-0123456789ab", module: "web", version: "2.0.0", environment: "prod",
                                             strategy: .direct, createdBy: "ada", createdAtMilliseconds: 5, state: .paused,
                                             waves: [WaveRecord()], nodes: [DeploymentNode(id: "web-1", wave: 0, previousVersion: nil)])

    static let applied: [Row] = [
        .json(.applied(.deploymentStored(deployment, change: .created)), 202, "{\"id\":\"d-0123456789ab\",\"state\":\"paused\"}"),
        .json(.applied(.deploymentStored(deployment, change: .action(.pause))), 200, DeploymentJSON.summary(deployment)),
        .json(.applied(.deploymentSummarized(DeploymentHeadline(deployment))), 200, DeploymentJSON.summary(deployment)),
        .failed(.applied(.rejected(.deploymentInProgress(id: "d-0123456789ab"))), 409, "deployment_in_progress",
                "deployment 'd-0123456789ab' of this module and environment has not finished; wait for it, or abort or roll it back"),
        .json(.applied(.environmentStored(environment, created: true)), 201, environmentJSON),
        .json(.applied(.environmentStored(environment, created: false)), 200, environmentJSON),
        .json(.applied(.environmentDeleted(name: "qa")), 200, "{\"deleted\":\"qa\"}"),
        .json(.applied(.memberStored(ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.4:7000"))), 201,
              "{\"name\":\"c4\",\"peerAddress\":\"10.0.0.4:7000\",\"role\":\"learner\"}"),
        .json(.applied(.memberDeleted(name: "c3")), 200, "{\"removed\":\"c3\"}"),
        .json(.applied(.addressesPublished(AdvertisedAddresses(name: "c1", apiAddress: "a:1", agentAddress: "b:2"))), 200,
              "{\"name\":\"c1\"}"),
        .json(.applied(.nodeStored(node, created: true)), 201, "{\"id\":\"web-1\"}"),
        .json(.applied(.nodeStored(node, created: false)), 200, "{\"id\":\"web-1\"}"),
        .json(.applied(.nodeDeleted(id: "web-2")), 200, "{\"deleted\":\"web-2\"}"),
        .json(.applied(.ticketKeyAdded(nameHex: "00ff")), 200, "{\"ticketKey\":\"00ff\"}"),
        .json(.applied(.nodeRevoked(NodeRevocation(node: "web-3", revokedAtMilliseconds: 1_800_000_000_123))), 200,
              "{\"node\":\"web-3\",\"revokedAtMilliseconds\":1800000000123}"),
        .json(.applied(.nodeUnrevoked(name: "web-3")), 200, "{\"unrevoked\":\"web-3\"}"),
        .failed(.applied(.rejected(.tooManyRevocations(maximum: 16_384))), 409, "limit_reached",
                "at most 16384 node names may be revoked; lift one that no longer matters (hotswap nodes unrevoke)"),
        .failed(.applied(.rejected(.notRevoked("web-4"))), 404, "not_found", "node 'web-4' is not revoked"),
        .failed(.applied(.rejected(.invalidName("Bad"))), 422, "invalid_environment",
                "environment name 'Bad' must match [a-z0-9][a-z0-9-]{0,62}"),
        .failed(.applied(.rejected(.notFound("gone"))), 404, "not_found", "environment 'gone' does not exist"),
        .failed(.applied(.rejected(.tooManyEnvironments(maximum: 64))), 409, "limit_reached", "at most 64 environments may exist"),
        .failed(.applied(.rejected(.invalidApprovalTimeout(5))), 422, "invalid_environment",
                "approval timeout 5 s must be between 60 s and 30 days"),
        .failed(.applied(.rejected(.tooManyMembers(maximum: 7))), 409, "limit_reached", "at most 7 coordinators may be registered"),
        .failed(.applied(.rejected(.invalidNode("no id"))), 422, "invalid_node", "invalid node: no id"),
        .failed(.applied(.rejected(.unknownNode("web-9"))), 404, "not_found", "node 'web-9' does not exist"),
        .failed(.applied(.rejected(.tooManyNodes(maximum: 16_384))), 409, "limit_reached", "at most 16384 nodes may be registered"),
        .failed(.applied(.rejected(.malformedTicketKey)), 422, "invalid_ticket_key",
                "a ticket key needs a 16-byte name and a 64-byte secret"),
        .failed(.applied(.rejected(.environmentInUse("qa", nodes: 1, example: "web-1"))), 409, "environment_in_use",
                "environment 'qa' still has 1 node (web-1); move or remove them first"),
    ]

    static let answered: [Row] = [
        .json(.leader(name: "c2", term: 12), 200, "{\"leader\":\"c2\",\"term\":12}"),
        .json(.document(Array("{\"nodes\":[]}".utf8)), 200, "{\"nodes\":[]}"),
    ]

    static let refused: [Row] = [
        .error(.noLeader("no leader is known yet; retry shortly"), 503, "no_leader", "no leader is known yet; retry shortly", retry: 1),
        .error(.tooManyPendingWrites, 429, "too_many_pending_writes", "too many writes in flight; retry shortly", retry: 1),
        .error(.tooManyPendingReads, 429, "too_many_pending_reads", "too many reads in flight; retry shortly", retry: 1),
        .error(.readTimeout, 503, "read_timeout", "no read index was confirmed in time; retry shortly", retry: 1),
        .error(.writeLost, 503, "proposal_lost", "leadership changed before the write committed; it was not applied — retry", retry: 1),
        .error(.leaderChanged, 503, "leader_changed",
               "the leader changed before answering; the write may have applied — retrying a PUT is safe", retry: 1),
        .error(.commitTimeout, 503, "commit_timeout",
               "the write was not committed in time; it may still apply — retrying a PUT is safe", retry: 1),
        .error(.transferTimeout, 503, "transfer_timeout", "leadership did not move in time; the transfer was abandoned", retry: 1),
        .error(.transferFailed(newLeader: "c3"), 409, "transfer_failed", "another node (c3) became leader", retry: 1),
        .error(.notVotingMember(name: "c9"), 404, "not_found", "'c9' is not a voting member of the cluster"),
        .error(.notMember(name: "c9"), 404, "not_found", "'c9' is not a member of the cluster"),
        .error(.invalidMemberName("bad/name"), 422, "invalid_member", "'bad/name' is not a valid node name"),
        .error(.invalidPeerAddress("nowhere"), 422, "invalid_member",
               "peerAddress: 'nowhere' is not HOST:PORT (a numeric IPv4, [IPv6] or a host name, and a port): no :PORT"),
        .error(.invalidPeerAddress("c5.example.:7000"), 422, "invalid_member",
               "peerAddress: 'c5.example.:7000' is not HOST:PORT (a numeric IPv4, [IPv6] or a host name, and a port): "
                   + "a host name may not end in '.'"),
        .error(.invalidPeerAddress(String(repeating: "a", count: 300) + ":1"), 422, "invalid_member",
               "peerAddress is longer than 256 bytes"),
        .error(.memberIDTaken(name: "c5", holder: "c2"), 409, "invalid_member", "'c5' hashes to the id of member c2; pick another name"),
        .error(.alreadyMember(name: "c1"), 409, "already_member", "'c1' is already a member"),
        .error(.membersLimitReached(maximum: 7), 409, "limit_reached", "a cluster holds at most 7 coordinators"),
        .error(.nodeNotFound(id: "web-9"), 404, "not_found", "node 'web-9' is not known to the leader"),
        .error(.nodeConnected(id: "web-5"), 409, "node_connected", "node 'web-5' has a live agent session on the leader; "
               + "stop its agent, or revoke it (hotswap nodes revoke web-5), then remove it"),
        .error(.environmentNotFound(name: "staging"), 404, "not_found", "environment 'staging' does not exist"),
        .error(.undecodableWrite(detail: "invalid value at byte 8: unknown cluster request"), 501, "undecodable_request",
               "the leader cannot decode this request (does it run an older build? upgrade every member before using what is new): "
                   + "invalid value at byte 8: unknown cluster request"),
        .error(.clusterVersionNotWritable, 422, "not_writable", "the cluster version is raised only by the leader, once every "
               + "member reads a newer fleet version; no request sets it"),
        .error(.requestTooLarge(frameBytesMaximum: 1_048_576), 413, "request_too_large",
               "the request does not fit one 1048576-byte peer frame"),
        .error(.answerTooLarge(bytes: 70_000_000, maximumBytes: 67_108_864), 500, "answer_too_large",
               "the answer of 70000000 bytes exceeds the 67108864-byte limit of answers forwarded between coordinators; "
                   + "ask the leader directly"),
        .error(.undecodableAnswer(detail: "input ends early at byte 9"), 502, "undecodable_answer",
               "the leader's answer could not be decoded (does it run an incompatible build?); the request may have applied: "
                   + "input ends early at byte 9"),
        .error(.forwardingBusy, 503, "forwarding_busy", "too many large answers are on their way to this coordinator; retry", retry: 1),
        .error(.clusterUpgrading(UpgradeBlock(member: "c2", reads: .advertised(fleetVersion: 5), entryVersion: 6)), 503,
               "cluster_upgrading", "member c2 reads fleet entries only up to version 5; this is a version-6 fleet entry, "
                   + "which the leader proposes only while no member is known to read less: upgrade c2 first", retry: 1),
        .error(.clusterVersionTooLow(ClusterVersionBlock(clusterVersion: 7, entryVersion: 8, member: "c3", reads: nil)), 503,
               "cluster_upgrading", "the cluster version is 7; this is a version-8 fleet entry, which needs cluster version 8 or "
                   + "later: member c3 has not been heard from by this leader yet (down, cut off, or just added); "
                   + "upgrade or start c3, or remove it", retry: 1),
    ]

    static let proposalRefusals: [Row] = [
        .error(.proposal(.leaseExpired), 503, "no_leader",
               "the leader's lease is not valid (no quorum confirmed it recently); retry shortly", retry: 1),
        .error(.proposal(.notLeader(leaderHint: nil)), 503, "no_leader", "not the leader, and no leader is known; retry later", retry: 1),
        .error(.proposal(.notLeader(leaderHint: 7)), 503, "no_leader", "not the leader; node 7 is", retry: 1),
        .error(.proposal(.leadershipTransferInProgress(to: 3)), 503, "no_leader",
               "leadership is being transferred to node 3; retry at the new leader", retry: 1),
        .error(.proposal(.tooLarge(bytes: 2_000_000, maximumBytes: 1_048_576)), 413, "proposal_too_large",
               "a proposal of 2000000 bytes exceeds the 1048576-byte limit"),
        .error(.proposal(.uncommittedLimitReached(maximumBytes: 67_108_864)), 503, "proposal_refused",
               "the leader already holds 67108864 uncommitted bytes; retry when the cluster catches up", retry: 1),
        .error(.proposal(.configChangeInProgress), 409, "membership_change_in_progress",
               "a membership change (or the new leader's first entry) is not committed yet; retry after it commits", retry: 1),
        .error(.proposal(.invalidMembershipChange(.alreadyMember(4))), 409, "invalid_membership_change",
               "membership change refused: node 4 is already a member; remove it first"),
        .error(.proposal(.invalidTransferTarget(9)), 409, "invalid_membership_change",
               "node 9 cannot take over leadership: it must be another voter"),
        .error(.proposal(.readQueueFull(maximum: 4_096)), 503, "proposal_refused",
               "4096 reads are already waiting for confirmation; retry shortly", retry: 1),
    ]

    @Test(arguments: applied + answered + refused + proposalRefusals)
    func everyOutcomeRendersItsStatusCodeMessageAndRetryAfter(row: Row) {
        let reply = HTTPReply(row.outcome)
        #expect(reply.status == row.status)
        #expect(String(decoding: reply.body, as: UTF8.self) == row.body)
        #expect(reply.retryAfterSeconds == row.retryAfterSeconds)
    }

    @Test func aDocumentIsRelayedByteForByte() {
        let document: [UInt8] = [0x7B, 0xFF, 0x00, 0x7D]
        #expect(HTTPReply(.document(document)) == HTTPReply(status: 200, body: document, retryAfterSeconds: nil))
    }

    @Test func anUnknownConsistencyIsABadRequest() {
        #expect(ReadConsistency.invalid == .error(400, "invalid_consistency",
                                                  "consistency must be linearizable (the default) or serializable"))
        #expect(String(decoding: ReadConsistency.invalid.body, as: UTF8.self) == "{\"error\":{\"code\":\"invalid_consistency\","
                + "\"message\":\"consistency must be linearizable (the default) or serializable\"}}")
    }
}
