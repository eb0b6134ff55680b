import Cluster
import Consensus
import Fleet
import Observability
import Primitives
import Transport

/// The leader's raise of the replicated cluster version (CLUSTER.md, "The cluster version"). On
/// the leader with a valid lease, at most once a `checkInterval` (the check computes a full
/// `Status`, which the tick otherwise avoids) and one at a time, it proposes `setClusterVersion`
/// when every member was heard, in this term, within `heardWithin` and over a link still open, to
/// read more than the version in force (`MemberVersions.clusterVersionToRaise`). A raise in
/// flight is given up at its deadline, or at the first check where this node no longer leads in
/// the term it proposed in, so a leader elected again does not wait for it. Confined to the Raft
/// loop, like `AuditRetention`; `RaftService` owns it.
final class ClusterVersionRaise: @unchecked Sendable {
    static let checkInterval: Duration = .seconds(1)
    /// Three of the peer links' ping intervals: a member not heard for longer holds a raise back.
    static let heardWithin = PeerFlowControl.linkSettings.keepaliveInterval * 3
    /// How long a raise in flight is waited for: as long as any proposal is.
    static let deadline = RaftService.proposalTimeout

    /// This node's term and configuration while it leads.
    struct Leadership {
        let term: UInt64
        let membership: Membership
    }

    private struct InFlight {
        let number: UInt64
        let term: UInt64
        let deadline: MonotonicInstant
    }

    private let logger: Logger
    private var inFlight: InFlight?
    private var raisesProposed: UInt64 = 0
    private var nextCheckAt = MonotonicInstant(nanoseconds: 0)

    init(logger: Logger) {
        self.logger = logger
    }

    /// Whether a raise is in flight.
    var isRaising: Bool { inFlight != nil }

    /// Proposes a raise through `propose` when one is due. `clusterVersion` is the one in force
    /// (nil: never set), `versions` what the members' pings said, `leadership` this node's term
    /// and configuration, nil unless it leads; `propose` answers when the entry applies or fails.
    func proposeIfDue(now: MonotonicInstant, isLeaseValid: Bool, clusterVersion: UInt8?, versions: MemberVersions,
                      selfID: NodeID, leadership: () -> Leadership?,
                      propose: (UInt8, @escaping @Sendable (ClusterOutcome) -> Void) -> Void) {
        let ownReads = FleetCodec.versionsRead.upperBound
        if let raise = inFlight, now >= raise.deadline { giveUp("it did not apply in time") }
        guard (clusterVersion ?? FleetState.clusterVersionUnset) < ownReads, inFlight != nil || isLeaseValid,
              now >= nextCheckAt else { return }
        nextCheckAt = now.advanced(by: Self.checkInterval)
        let leading = leadership()
        if let raise = inFlight, leading?.term != raise.term { giveUp("this node no longer leads in term \(raise.term)") }
        guard inFlight == nil, isLeaseValid, let leading else { return }
        let window = min(now.nanoseconds, Self.heardWithin.wholeNanoseconds)
        guard let version = versions.clusterVersionToRaise(current: clusterVersion, ownReads: ownReads,
                                                           membership: leading.membership, selfID: selfID, term: leading.term,
                                                           heardSince: MonotonicInstant(nanoseconds: now.nanoseconds - window))
        else { return }
        raisesProposed += 1
        let raise = InFlight(number: raisesProposed, term: leading.term, deadline: now.advanced(by: Self.deadline))
        inFlight = raise
        logger.info("every member reads a newer fleet version: raising the cluster version", ["version": "\(version)"])
        propose(version) { [self] outcome in
            // The answer to a raise given up ends nothing: another may be in flight.
            guard inFlight?.number == raise.number else { return }
            inFlight = nil
            if !outcome.succeeded {
                logger.debug("raising the cluster version failed; retrying", ["outcome": outcome.logSummary])
            }
        }
    }

    private func giveUp(_ why: String) {
        inFlight = nil
        logger.debug("raise of the cluster version given up; retrying", ["reason": why])
    }
}
