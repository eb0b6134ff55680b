import Access
import Cluster
import Consensus
import Fleet
import Primitives
import Wire

/// The one place a `ClusterOutcome` becomes an HTTP answer: status, error code, message and
/// Retry-After. It lives with the routes rather than in `Cluster`, so the Raft loop, the
/// waiters and the peer protocol carry what happened, not how the API shows it; a follower
/// renders a forwarded outcome here exactly as the leader would have. Every refusal that may
/// clear by itself (no leader, a timeout, a busy queue, a lost race) says `Retry-After: 1`.
extension HTTPReply {
    init(_ outcome: ClusterOutcome) {
        switch outcome {
        case let .applied(fleetOutcome): self = Self.applied(fleetOutcome)
        case let .leader(name, term): self = .json(200, "{\"leader\":\(JSONText.quoted(name)),\"term\":\(term)}")
        case let .document(document): self = HTTPReply(status: 200, body: document, retryAfterSeconds: nil)
        case let .refused(refusal): self = Self.refused(refusal)
        }
    }

    private static func applied(_ outcome: FleetOutcome) -> HTTPReply {
        switch outcome {
        case let .environmentStored(record, created): .json(created ? 201 : 200, EnvironmentJSON.record(record))
        case let .environmentDeleted(name): .json(200, "{\"deleted\":\(JSONText.quoted(name))}")
        case let .memberStored(record):
            .json(201, "{\"name\":\(JSONText.quoted(record.name)),\"peerAddress\":\(JSONText.quoted(record.peerAddress)),"
                + "\"role\":\"learner\"}")
        case let .memberDeleted(name): .json(200, "{\"removed\":\(JSONText.quoted(name))}")
        case let .addressesPublished(addresses): .json(200, "{\"name\":\(JSONText.quoted(addresses.name))}")
        case let .nodeStored(record, created): .json(created ? 201 : 200, "{\"id\":\(JSONText.quoted(record.id))}")
        case let .nodeDeleted(id): .json(200, "{\"deleted\":\(JSONText.quoted(id))}")
        case let .ticketKeyAdded(nameHex): .json(200, "{\"ticketKey\":\(JSONText.quoted(nameHex))}")
        case let .nodeRevoked(revocation): .json(200, RevocationJSON.record(revocation))
        case let .nodeUnrevoked(name): .json(200, "{\"unrevoked\":\(JSONText.quoted(name))}")
        case let .adminBootstrapped(name): .json(201, "{\"bootstrapped\":\(JSONText.quoted(name))}")
        case .bootstrapSkipped: .json(200, "{\"bootstrapped\":null}")
        case let .userAdded(name, role): .json(201, "{\"name\":\(JSONText.quoted(name)),\"role\":\(JSONText.quoted(role.rawValue))}")
        case let .userDeleted(name):
            .json(200, "{\"deleted\":\(JSONText.quoted(name)),\"clientCertificates\":\(JSONText.quoted(Self.certificatesOutlive(name)))}")
        case let .passwordChanged(name): .json(200, "{\"passwordChanged\":\(JSONText.quoted(name))}")
        case let .loginFailureRecorded(name, failedLogins, lockedUntil):
            .json(200, "{\"user\":\(JSONText.quoted(name)),\"failedLogins\":\(failedLogins),\"lockedUntilMilliseconds\":\(lockedUntil)}")
        case let .accountLocked(name, until), let .loginSuccessWhileLocked(name, until):
            .error(401, "account_locked", "user '\(name)' is locked until \(until) ms after the epoch")
        case let .loginSuccessRecorded(name): .json(200, "{\"user\":\(JSONText.quoted(name))}")
        case let .userUnlocked(name): .json(200, "{\"unlocked\":\(JSONText.quoted(name))}")
        case let .signingKeyRotated(idHex): .json(200, "{\"kid\":\(JSONText.quoted(idHex))}")
        case .unknownLoginRecorded: .json(200, "{\"recorded\":true}")
        case let .auditCompacted(removed): .json(200, "{\"removed\":\(removed)}")
        case let .moduleStored(record, created): .json(created ? 201 : 200, ModuleJSON.record(record))
        case let .moduleDeleted(name, version):
            .json(200, "{\"deleted\":{\"name\":\(JSONText.quoted(name)),\"version\":\(JSONText.quoted(version))}}")
        case let .clusterVersionRaised(version), let .clusterVersionKept(version): .json(200, "{\"clusterVersion\":\(version)}")
        case let .moduleSigningKeysSet(environment, keys): .json(200, ModuleSigningRoutes.json(environment: environment, keys: keys))
        case let .deploymentStored(record, change):
            change == .created
                ? .json(202, "{\"id\":\(JSONText.quoted(record.id)),\"state\":\(JSONText.quoted(record.state.description))}")
                : .json(200, DeploymentJSON.summary(record))
        case let .deploymentSummarized(headline): .json(200, DeploymentJSON.summary(headline))
        case let .deploymentsCompacted(removed): .json(200, "{\"removed\":\(removed)}")
        case let .rolloutPolicySet(environment, policy): .json(200, RolloutPolicyJSON.document(environment: environment, policy: policy))
        case let .approvalWebhookSet(environment, webhook):
            .json(200, ApprovalWebhookJSON.document(environment: environment, webhook: webhook, fingerprint: SecretFingerprint.of))
        case let .joinTokenCreated(record): .json(201, JoinTokenJSON.record(record))
        case let .joinTokenUsed(id, node, uses):
            .json(200, "{\"id\":\(JSONText.quoted(id)),\"node\":\(JSONText.quoted(node)),\"usesRemaining\":\(uses)}")
        case let .joinTokenRevoked(id): .json(200, "{\"revoked\":\(JSONText.quoted(id))}")
        case let .rejected(rejection): rejected(rejection)
        }
    }

    /// The status of each refusal; its code is `FleetRejection.code`, which audit records name too.
    private static func rejected(_ rejection: FleetRejection) -> HTTPReply {
        let status = switch rejection {
        case .notFound, .unknownNode, .notRevoked, .unknownUser, .unknownModule, .unknownDeployment, .unknownJoinToken: 404
        case .selfApproval, .joinTokenRefused: 403
        case .tooManyEnvironments, .tooManyMembers, .tooManyNodes, .tooManyRevocations, .tooManyUsers, .environmentInUse, .userExists,
             .lastAdmin, .signingKeyExists, .moduleVersionExists, .tooManyModules, .tooManyModuleVersions,
             .moduleSignatureDiffers, .tooManyModuleVersionsInAll, .tooManyDeployments, .deploymentExists, .deploymentInProgress,
             .invalidTransition, .approvalExpired, .invalidDeploymentStep, .moduleInUse, .tooManyJoinTokens: 409
        case .invalidName, .invalidApprovalTimeout, .invalidNode, .malformedTicketKey, .invalidUserName, .bootstrapNotAdmin,
             .malformedPasswordDigest, .malformedSigningKey, .invalidKeyOverlap, .invalidModule, .invalidModuleSigningKeys,
             .invalidDeployment, .invalidRolloutPolicy, .invalidApprovalWebhook, .invalidJoinToken: 422
        }
        return .error(status, rejection.code, rejection.description)
    }

    private static func refused(_ refusal: ClusterRefusal) -> HTTPReply {
        switch refusal {
        case let .noLeader(detail): unavailable("no_leader", detail)
        case .tooManyPendingWrites: tooMany("too_many_pending_writes", "too many writes in flight; retry shortly")
        case .tooManyPendingReads: tooMany("too_many_pending_reads", "too many reads in flight; retry shortly")
        case .readTimeout: unavailable("read_timeout", "no read index was confirmed in time; retry shortly")
        case let .proposal(error): proposalRefused(error)
        case .writeLost: unavailable("proposal_lost", "leadership changed before the write committed; it was not applied — retry")
        case .leaderChanged:
            unavailable("leader_changed", "the leader changed before answering; the write may have applied — retrying a PUT is safe")
        case .commitTimeout:
            unavailable("commit_timeout", "the write was not committed in time; it may still apply — retrying a PUT is safe")
        case .transferTimeout: unavailable("transfer_timeout", "leadership did not move in time; the transfer was abandoned")
        case let .transferFailed(newLeader):
            .error(409, "transfer_failed", "another node (\(newLeader)) became leader", retryAfterSeconds: 1)
        case let .notVotingMember(name): .error(404, "not_found", "'\(name)' is not a voting member of the cluster")
        case let .notMember(name): .error(404, "not_found", "'\(name)' is not a member of the cluster")
        case let .invalidMemberName(name): .error(422, "invalid_member", "'\(name)' is not a valid node name")
        case let .invalidPeerAddress(address): .error(422, "invalid_member", Self.peerAddressProblem(address))
        case let .memberIDTaken(name, holder):
            .error(409, "invalid_member", "'\(name)' hashes to the id of member \(holder); pick another name")
        case let .alreadyMember(name): .error(409, "already_member", "'\(name)' is already a member")
        case let .membersLimitReached(maximum): .error(409, "limit_reached", "a cluster holds at most \(maximum) coordinators")
        case let .nodeNotFound(id): .error(404, "not_found", "node '\(id)' is not known to the leader")
        case let .nodeConnected(id):
            .error(409, "node_connected", "node '\(id)' has a live agent session on the leader; stop its agent, "
                + "or revoke it (hotswap nodes revoke \(id)), then remove it")
        case let .environmentNotFound(name): .error(404, "not_found", FleetRejection.notFound(name).description)
        case let .requestTooLarge(frameBytesMaximum):
            .error(413, "request_too_large", "the request does not fit one \(frameBytesMaximum)-byte peer frame")
        case let .answerTooLarge(bytes, maximumBytes):
            .error(500, "answer_too_large", "the answer of \(bytes) bytes exceeds the \(maximumBytes)-byte limit of answers "
                + "forwarded between coordinators; ask the leader directly")
        case .forwardingBusy:
            unavailable("forwarding_busy", "too many large answers are on their way to this coordinator; retry")
        case let .undecodableWrite(detail):
            .error(501, "undecodable_request", "the leader cannot decode this request (does it run an older build? "
                + "upgrade every member before using what is new): \(detail)")
        case let .clusterUpgrading(block): unavailable("cluster_upgrading", "\(block)")
        case let .clusterVersionTooLow(block): unavailable("cluster_upgrading", "\(block)")
        case .clusterVersionNotWritable: .error(422, "not_writable", ClusterRefusal.clusterVersionNotWritableDetail)
        case let .undecodableAnswer(detail):
            .error(502, "undecodable_answer", "the leader's answer could not be decoded (does it run an incompatible build?); "
                + "the request may have applied: \(detail)")
        }
    }

    private static func proposalRefused(_ error: ProposalError) -> HTTPReply {
        switch error {
        case .leaseExpired, .notLeader, .leadershipTransferInProgress: unavailable("no_leader", error.description)
        case .tooLarge: .error(413, "proposal_too_large", error.description)
        case .configChangeInProgress: .error(409, "membership_change_in_progress", error.description, retryAfterSeconds: 1)
        case .invalidMembershipChange, .invalidTransferTarget: .error(409, "invalid_membership_change", error.description)
        case .uncommittedLimitReached, .readQueueFull: unavailable("proposal_refused", error.description)
        }
    }

    /// What deleting user `name` leaves in force (Docs/ACCESS.md, "Client certificates"): a
    /// certificate names a user by name only, so one still valid speaks for whoever is added as
    /// `name` next, until its name is revoked.
    static func certificatesOutlive(_ name: String) -> String {
        "client certificates naming \(name) are not revoked by this: one still valid would act as a user added again as "
            + "\(name); revoke them with POST /api/v1/nodes/\(name)/revoke (hotswap nodes revoke \(name))"
    }

    /// 429 with `Retry-After: 1`: a bounded queue is full.
    private static func tooMany(_ code: String, _ message: String) -> HTTPReply {
        .error(429, code, message, retryAfterSeconds: 1)
    }

    /// 503 with `Retry-After: 1`: the refusal may clear by itself.
    private static func unavailable(_ code: String, _ message: String) -> HTTPReply {
        .error(503, code, message, retryAfterSeconds: 1)
    }

    /// Why a refused peer address is refused, read again from the text the refusal carries (its
    /// encoding between members holds the address only): the reason `HostPort` gives.
    static func peerAddressProblem(_ address: String) -> String {
        guard address.utf8.count <= ClusterRequest.nameBytesMaximum else {
            return "peerAddress is longer than \(ClusterRequest.nameBytesMaximum) bytes"
        }
        do {
            _ = try HostPort(parsing: address, flag: "peerAddress")
            return "peerAddress '\(address)' is not HOST:PORT"
        } catch {
            return "\(error)"
        }
    }
}
