import Cluster
import Consensus
import Fleet
import Primitives
import Transport

/// The leader's gates for rolling upgrades (CLUSTER.md, "Rolling upgrades" and "The cluster
/// version"): what each member's pings say it reads (`PeerReceiver`), the refusal of an entry
/// some member is known to read only older versions than (`MemberVersions`) or of a version above
/// the replicated cluster version, before it is proposed, and the raise of that version
/// (`ClusterVersionRaise`).
extension RaftService {
    /// What `entryRefusal` last logged.
    struct UpgradeGate {
        var lastBlock: UpgradeBlock?
        var lastClusterVersionBlock: ClusterVersionBlock?
    }

    /// What member `id`'s latest keepalive ping said, in the term and at the instant it is
    /// recorded; logged when it changes what is known. A ping of a member outside the
    /// configuration (removed, its connection not yet closed) is not kept: one added again is
    /// known from its pings then.
    func heard(_ reads: MemberReads, from id: NodeID, at now: MonotonicInstant = .now()) {
        loop.preconditionInLoop()
        let status = node.status
        guard status.membership.contains(id), memberVersions.heard(reads, from: id, term: status.term, at: now) else { return }
        let advertised = switch reads {
        case .unadvertised: "nothing (a build before advertisements)"
        case let .advertised(version): "fleet version \(version)"
        }
        logger.info("member's build advertises what it reads", ["member": directory.displayName(of: id), "reads": advertised])
    }

    /// Member `id`'s incoming link closed: until its next ping it does not count as heard in this
    /// term (it may come back on an older build), so it holds a raise of the cluster version back.
    func peerLinkClosed(_ id: NodeID) {
        loop.preconditionInLoop()
        memberVersions.linkClosed(from: id)
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

    /// Proposes a higher cluster version when every member reads one (`ClusterVersionRaise`).
    /// Proposed directly, not as a write: `entryRefusal` would refuse its version until it applied.
    func raiseClusterVersionIfDue(now: MonotonicInstant = .now()) {
        clusterVersionRaise.proposeIfDue(
            now: now, isLeaseValid: node.isLeaseValid, clusterVersion: fleet.clusterVersion, versions: memberVersions,
            selfID: selfMember.id,
            leadership: { [self] in
                let status = node.status
                return status.role == .leader ? ClusterVersionRaise.Leadership(term: status.term, membership: status.membership) : nil
            },
            propose: { [self] version, completion in
                propose(completion: completion) { (node: inout RaftNode) throws(ProposalError) in
                    try node.propose(FleetCodec.encode(.setClusterVersion(version)))
                }
            })
    }

    /// Answers a request `peer` forwarded with what its build decodes (`ClusterOutcome.decodable(by:)`).
    func answerForwarded(by peer: NodeID, _ completion: @escaping @Sendable (ClusterOutcome) -> Void)
        -> @Sendable (ClusterOutcome) -> Void {
        { [self] outcome in completion(outcome.decodable(by: memberVersions.reads(of: peer))) }
    }
}
