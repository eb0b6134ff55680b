import Consensus
import Fleet
import Primitives

/// The replicated cluster version's two rules (CLUSTER.md, "The cluster version"), after etcd's
/// cluster version, which only rises and rises only once every member is known to run the newer
/// build. Unlike the volatile gate, what counts is only what each member's pings said in the
/// leader's own term, recently, over a link still open: a member not heard so — down, cut off,
/// or restarting perhaps on an older build — holds a raise back.
extension MemberVersions {
    /// The cluster version the leader is to propose now, or nil: the newest fleet version every
    /// member of `membership` — voters and learners — was heard in `term`, at `heardSince` or
    /// later and over a link still open, to read, capped by `ownReads` (what this build reads),
    /// when that is above the version in force (`current`, nil when never set). Never lower: a
    /// lower or equal one is nil.
    public func clusterVersionToRaise(current: UInt8?, ownReads: UInt8, membership: Membership, selfID: NodeID,
                                      term: UInt64, heardSince: MonotonicInstant) -> UInt8? {
        var version = ownReads
        for id in membership.members where id != selfID {
            guard let reads = reads(of: id, inTerm: term, heardSince: heardSince) else { return nil }
            version = min(version, reads.fleetVersion)
        }
        return version > (current ?? FleetState.clusterVersionUnset) ? version : nil
    }

    /// Why an entry of `entryVersion` may not be proposed under the cluster version `clusterVersion`
    /// (nil: never set), or nil when it may: every version from `FleetCodec.versionFirstGatedByClusterVersion`
    /// on needs a cluster version at least its own; earlier ones answer only to `block`. The
    /// refusal names the first member of `membership` not heard in `term` to read the entry.
    public func clusterVersionBlock(entryVersion: UInt8, clusterVersion: UInt8?, membership: Membership, selfID: NodeID,
                                    term: UInt64, name: (NodeID) -> String) -> ClusterVersionBlock? {
        guard entryVersion >= FleetCodec.versionFirstGatedByClusterVersion,
              entryVersion > (clusterVersion ?? FleetState.clusterVersionUnset) else { return nil }
        let lagging = membership.members.first { id in
            id != selfID && (reads(of: id, inTerm: term).map { $0.fleetVersion < entryVersion } ?? true)
        }
        return ClusterVersionBlock(clusterVersion: clusterVersion, entryVersion: entryVersion, member: lagging.map(name),
                                   reads: lagging.flatMap { reads(of: $0, inTerm: term) })
    }
}

/// An entry of a fleet version above the replicated cluster version: the refusal
/// `ClusterRefusal.clusterVersionTooLow`.
public struct ClusterVersionBlock: Sendable, Equatable, CustomStringConvertible {
    /// Nil while never set (it counts as `FleetState.clusterVersionUnset`).
    public let clusterVersion: UInt8?
    public let entryVersion: UInt8
    /// The first member not yet known to read the entry; nil when every member is, and the raise is under way.
    public let member: String?
    /// What that member's pings said in the leader's term; nil when none arrived.
    public let reads: MemberReads?

    public init(clusterVersion: UInt8?, entryVersion: UInt8, member: String?, reads: MemberReads?) {
        self.clusterVersion = clusterVersion
        self.entryVersion = entryVersion
        self.member = member
        self.reads = reads
    }

    public var description: String {
        let inForce = clusterVersion.map { "the cluster version is \($0)" }
            ?? "the cluster version is unset (it counts as \(FleetState.clusterVersionUnset))"
        let entry = "\(inForce); this is a version-\(entryVersion) fleet entry, which needs cluster version \(entryVersion) or later"
        guard let member else {
            return "\(entry): every member is known to read it, and the leader raises the cluster version shortly; "
                + "retry"
        }
        let known = switch reads {
        case nil: "has not been heard from by this leader yet (down, cut off, or just added)"
        case .unadvertised: "runs a build that advertises no version"
        case let .advertised(version)?: "reads fleet entries only up to version \(version)"
        }
        return "\(entry): member \(member) \(known); upgrade or start \(member), or remove it"
    }
}
