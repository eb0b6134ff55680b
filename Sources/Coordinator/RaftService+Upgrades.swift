import Cluster
import Consensus
import Fleet

/// The leader's gate for rolling upgrades (CLUSTER.md, "Rolling upgrades"): what each member's
/// pings say it reads (`PeerReceiver`), and the refusal of an entry some member is known to read
/// only older versions than (`MemberVersions`), before it is proposed.
extension RaftService {
    /// What member `id`'s latest keepalive ping said; logged when it changes what is known. A
    /// ping of a member outside the configuration (removed, its connection not yet closed) is
    /// not kept: one added again is known from its pings then.
    func heard(_ reads: MemberReads, from id: NodeID) {
        loop.preconditionInLoop()
        guard node.status.membership.contains(id), memberVersions.heard(reads, from: id) else { return }
        let advertised = switch reads {
        case .unadvertised: "nothing (a build before advertisements)"
        case let .advertised(version): "fleet version \(version)"
        }
        logger.info("member's build advertises what it reads", ["member": directory.displayName(of: id), "reads": advertised])
    }

    /// Why `bytes` (a write, or a membership change's context) may not be proposed now: a fleet
    /// command this build does not decode (`WriteCheck`), or one of a fleet version a member of
    /// the configuration is known to read only older versions than. `exempt` is the member a removal removes. A
    /// refusal is logged when it differs from the last one logged; an entry that passes ends the run.
    func entryRefusal(for bytes: [UInt8], exempt: NodeID? = nil) -> ClusterRefusal? {
        if let refusal = WriteCheck.refusal(for: bytes) { return refusal }
        guard let version = bytes.first, version > FleetCodec.versionWrittenMinimum else { return nil }
        let block = memberVersions.block(entryVersion: version, membership: node.status.membership, selfID: selfMember.id,
                                         exempt: exempt, name: directory.displayName(of:))
        if let block, block != lastUpgradeBlock {
            logger.warning("entry refused: a member is known to read only older fleet versions", ["reason": "\(block)"])
        }
        lastUpgradeBlock = block
        return block.map { .clusterUpgrading($0) }
    }

    /// Answers a request `peer` forwarded with what its build decodes (`ClusterOutcome.decodable(by:)`).
    func answerForwarded(by peer: NodeID, _ completion: @escaping @Sendable (ClusterOutcome) -> Void)
        -> @Sendable (ClusterOutcome) -> Void {
        { [self] outcome in completion(outcome.decodable(by: memberVersions.reads(of: peer))) }
    }
}
