import Cluster
import Consensus
import Fleet
import Primitives
import Transport

/// The leader's gates for rolling upgrades (CLUSTER.md, "Rolling upgrades" and "The cluster
/// version"): what each member's pings say it reads (`PeerReceiver`), the refusal of an entry
/// some member is known to read only older versions than (`MemberVersions`) or of a version above
/// the replicated cluster version, before it is proposed, and the raise of that version.
extension RaftService {
    /// What `entryRefusal` last logged, and the raise of the cluster version in flight: one at a
    /// time, looked for at most once a `clusterVersionRaiseInterval`.
    struct UpgradeGate {
        var lastBlock: UpgradeBlock?
        var lastClusterVersionBlock: ClusterVersionBlock?
        var isRaising = false
        var lastRaiseCheckAt: MonotonicInstant?
    }

    static let clusterVersionRaiseInterval: Duration = .seconds(1)

    /// What member `id`'s latest keepalive ping said, in the term it arrived in; logged when it
    /// changes what is known. A ping of a member outside the configuration (removed, its
    /// connection not yet closed) is not kept: one added again is known from its pings then.
    func heard(_ reads: MemberReads, from id: NodeID) {
        loop.preconditionInLoop()
        let status = node.status
        guard status.membership.contains(id), memberVersions.heard(reads, from: id, term: status.term) else { return }
        let advertised = switch reads {
        case .unadvertised: "nothing (a build before advertisements)"
        case let .advertised(version): "fleet version \(version)"
        }
        logger.info("member's build advertises what it reads", ["member": directory.displayName(of: id), "reads": advertised])
    }

    /// Why `bytes` (a write, or a membership change's context) may not be proposed now: a fleet
    /// command this build does not decode or a cluster version (`WriteCheck`), one of a version
    /// above the replicated cluster version, or one of a fleet version a member of the
    /// configuration is known to read only older versions than. `exempt` is the member a removal
    /// removes. A refusal is logged when it differs from the last one logged; an entry that
    /// passes ends the run.
    func entryRefusal(for bytes: [UInt8], exempt: NodeID? = nil) -> ClusterRefusal? {
        if let refusal = WriteCheck.refusal(for: bytes) { return refusal }
        guard let version = bytes.first, version > FleetCodec.versionWrittenMinimum else { return nil }
        let status = node.status
        let tooLow = memberVersions.clusterVersionBlock(entryVersion: version, clusterVersion: fleet.clusterVersion,
                                                        membership: status.membership, selfID: selfMember.id, term: status.term,
                                                        name: directory.displayName(of:))
        if let tooLow, tooLow != upgradeGate.lastClusterVersionBlock {
            logger.warning("entry refused: the cluster version is too low", ["reason": "\(tooLow)"])
        }
        upgradeGate.lastClusterVersionBlock = tooLow
        if let tooLow { return .clusterVersionTooLow(tooLow) }
        let block = memberVersions.block(entryVersion: version, membership: status.membership, selfID: selfMember.id,
                                         exempt: exempt, name: directory.displayName(of:))
        if let block, block != upgradeGate.lastBlock {
            logger.warning("entry refused: a member is known to read only older fleet versions", ["reason": "\(block)"])
        }
        upgradeGate.lastBlock = block
        return block.map { .clusterUpgrading($0) }
    }

    /// On the leader with a valid lease, at most once a `clusterVersionRaiseInterval` (the check
    /// computes a full `Status`, which the tick otherwise avoids) and one at a time: proposes
    /// `setClusterVersion` when every member was heard in this term to read more than the cluster
    /// version in force (`MemberVersions.clusterVersionToRaise`). Proposed directly, not as a
    /// write: `entryRefusal` would refuse its version until it applied.
    func raiseClusterVersionIfDue() {
        let ownReads = FleetCodec.versionsRead.upperBound
        guard !upgradeGate.isRaising, fleet.effectiveClusterVersion < ownReads, node.isLeaseValid else { return }
        let now = MonotonicInstant.now()
        if let last = upgradeGate.lastRaiseCheckAt, now < last.advanced(by: Self.clusterVersionRaiseInterval) { return }
        upgradeGate.lastRaiseCheckAt = now
        let status = node.status
        guard status.role == .leader,
              let version = memberVersions.clusterVersionToRaise(current: fleet.clusterVersion, ownReads: ownReads,
                                                                 membership: status.membership, selfID: selfMember.id,
                                                                 term: status.term) else { return }
        upgradeGate.isRaising = true
        logger.info("every member reads a newer fleet version: raising the cluster version", ["version": "\(version)"])
        propose(completion: { [self] outcome in
            upgradeGate.isRaising = false
            if !outcome.succeeded {
                logger.debug("raising the cluster version failed; retrying", ["outcome": outcome.logSummary])
            }
        }) { (node: inout RaftNode) throws(ProposalError) in try node.propose(FleetCodec.encode(.setClusterVersion(version))) }
    }

    /// Answers a request `peer` forwarded with what its build decodes (`ClusterOutcome.decodable(by:)`).
    func answerForwarded(by peer: NodeID, _ completion: @escaping @Sendable (ClusterOutcome) -> Void)
        -> @Sendable (ClusterOutcome) -> Void {
        { [self] outcome in completion(outcome.decodable(by: memberVersions.reads(of: peer))) }
    }
}
