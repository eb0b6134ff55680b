import Consensus
import Fleet

/// What came of a request to the cluster, before any HTTP. The Raft loop, its waiters and the
/// leader's agent gateway produce it; a leader sends it back to the follower that forwarded the
/// request (`ForwardedAnswer`); only the API routes render it (`HTTPReply(_:)` in Coordinator),
/// so a follower answers exactly as the leader would.
public enum ClusterOutcome: Sendable, Equatable {
    /// A write committed and applied. A rejection is applied too: every replica refuses alike.
    case applied(FleetOutcome)
    /// A leadership transfer finished: `name` leads in `term`.
    case leader(name: String, term: UInt64)
    /// A node read answered by the acting leader's agent gateway: a JSON document rendered on the
    /// leader, because it is made from the gateway's tables (liveness, samples, summaries), which
    /// only the leader holds. A follower relays it as it came.
    case document([UInt8])
    case refused(ClusterRefusal)

    /// The outcome for a log line: a document by its size (it can be tens of megabytes, and a
    /// log line of its bytes would stall the loop that writes it), anything else as it is.
    public var logSummary: String {
        if case let .document(bytes) = self { return "document of \(bytes.count) bytes" }
        return "\(self)"
    }

    /// Whether the request did what it asked: false for a refusal and for a rejected write.
    public var succeeded: Bool {
        switch self {
        case .applied(.rejected), .refused: false
        case .applied, .leader, .document: true
        }
    }

    /// This outcome as a follower whose pings told `reads` decodes it. A deployment command's
    /// record (every node, every kept gate decision: megabytes for a large fleet) never goes back:
    /// a follower renders only its summary, so it gets the headline (`deploymentSummarized`), or,
    /// from builds before it, the summary's JSON as a document; a creation's record came in the
    /// request and goes back whole. Builds before
    /// advertisements do not know `clusterUpgrading`, and builds before the cluster version
    /// (reading less than `FleetCodec.versionFirstGatedByClusterVersion`) not
    /// `clusterVersionTooLow`, so they get it as `noLeader` with the same message: a 503 with
    /// `Retry-After: 1` too, not a 502 for an answer they cannot read. A follower not heard from
    /// gets the older form. Builds before modules do not know `clusterVersionNotWritable` either,
    /// and get it as the `undecodableWrite` they refused it as.
    public func decodable(by reads: MemberReads?) -> ClusterOutcome {
        switch self {
        case let .refused(.clusterUpgrading(block)) where reads == nil || reads == .unadvertised:
            .refused(.noLeader("\(block)"))
        case let .refused(.clusterVersionTooLow(block))
            where (reads?.fleetVersion ?? 0) < FleetCodec.versionFirstGatedByClusterVersion:
            .refused(.noLeader("\(block)"))
        case .refused(.clusterVersionNotWritable) where (reads?.fleetVersion ?? 0) < Self.clusterVersionNotWritableFirstKnown:
            .refused(.undecodableWrite(detail: ClusterRefusal.clusterVersionNotWritableDetail))
        case let .applied(.deploymentStored(record, change)) where change != .created:
            Self.summarized(DeploymentHeadline(record), reads: reads)
        default: self
        }
    }
}

extension ClusterOutcome {
    /// The fleet version of the first builds that decode `ClusterRefusal.clusterVersionNotWritable`.
    static let clusterVersionNotWritableFirstKnown: UInt8 = 8

    /// A deployment's summary for a follower reading `reads`: the headline when it decodes one,
    /// else the summary's JSON, which every build relays as a 200 document.
    static func summarized(_ headline: DeploymentHeadline, reads: MemberReads?) -> ClusterOutcome {
        guard (reads?.fleetVersion ?? 0) >= FleetCodec.deploymentHeadlineVersion else {
            return .document(Array(DeploymentJSON.summary(headline).utf8))
        }
        return .applied(.deploymentSummarized(headline))
    }
}

extension ClusterRefusal {
    /// Why a write that would set the cluster version is refused (`clusterVersionNotWritable`).
    public static let clusterVersionNotWritableDetail = "the cluster version is raised only by the leader, once every member "
        + "reads a newer fleet version; no request sets it"
}

/// Why the cluster did not carry out, or could not answer, a request.
public enum ClusterRefusal: Sendable, Equatable {
    /// No leader is known, or this coordinator cannot act for one (stopping, stopped, not
    /// acting as leader); `detail` says which.
    case noLeader(String)
    /// `RaftService.pendingProposalsMaximum` writes and operations already wait.
    case tooManyPendingWrites
    /// `ReadWaiters.pendingMaximum` reads already wait.
    case tooManyPendingReads
    /// No read index was confirmed within the read timeout.
    case readTimeout
    /// Raft refused the proposal, membership change, transfer or read.
    case proposal(ProposalError)
    /// Another term's entry took the write's log index: it was not applied.
    case writeLost
    /// The leader changed before answering a forwarded request, which may have applied.
    case leaderChanged
    /// The write did not commit in time; it may still apply.
    case commitTimeout
    /// Leadership did not move in time; the transfer was abandoned.
    case transferTimeout
    /// Another node than the transfer's target became leader.
    case transferFailed(newLeader: String)
    case notVotingMember(name: String)
    case notMember(name: String)
    case invalidMemberName(String)
    /// A new member's peer address that is not HOST:PORT.
    case invalidPeerAddress(String)
    /// The new member's `name` hashes to the node id of the member `holder`.
    case memberIDTaken(name: String, holder: String)
    case alreadyMember(name: String)
    case membersLimitReached(maximum: Int)
    case nodeNotFound(id: String)
    /// A node may not be removed while it has a live agent session on the leader.
    case nodeConnected(id: String)
    case environmentNotFound(name: String)
    /// A request a follower forwards does not fit one peer frame of this many bytes.
    case requestTooLarge(frameBytesMaximum: Int)
    /// A leader's answer larger than a follower assembles.
    case answerTooLarge(bytes: Int, maximumBytes: Int)
    /// Too many large answers are already on their way to the follower.
    case forwardingBusy
    /// A request the leader's build cannot decode, so a follower of a newer build asked for
    /// something new: a write refused before it is proposed (`WriteCheck`: committed, it would
    /// halt every replica, `ReplicationHalt`), or a forwarded request refused as it arrives
    /// (`ForwardedRequest.undecodable`). `detail` is the decoder's error.
    case undecodableWrite(detail: String)
    /// A member of the configuration is not known to read the fleet version of the entry this
    /// request would propose (`MemberVersions`): nothing was proposed.
    case clusterUpgrading(UpgradeBlock)
    /// The entry this request would propose is of a fleet version above the replicated cluster
    /// version (`MemberVersions.clusterVersionBlock`): nothing was proposed.
    case clusterVersionTooLow(ClusterVersionBlock)
    /// A write, bare or audited, that would set the cluster version: only the leader raises it,
    /// once every member reads a newer fleet version (`MemberVersions.clusterVersionToRaise`).
    case clusterVersionNotWritable
    /// The leader's answer to a forwarded request did not decode (a leader of an incompatible
    /// build, PROTOCOL.md): the request may or may not have applied. `detail` is the decoder's error.
    case undecodableAnswer(detail: String)
}
