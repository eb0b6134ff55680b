import Consensus
import Fleet
import Primitives

/// The fleet version each member is known to read, and the leader's rule for what it may
/// propose (as etcd gates features on its cluster version): an entry of fleet version v only
/// when no member of the configuration — voter or learner — is known to read less than v, so
/// an upgraded leader never commits an entry that halts a member of an older build it talks to
/// (`ReplicationHalt`). Entries every build that may share the cluster reads
/// (`FleetCodec.versionWrittenMinimum`) always pass. Volatile: a coordinator knows what the
/// members' pings told it since it started. A member it has not heard from does not hold
/// entries back: a minority that is down must not stop writes, and a member down through an
/// upgrade is upgraded before it starts again (CLUSTER.md, "Rolling upgrades"). Entries of the
/// versions the replicated cluster version gates answer to it too (`clusterVersionBlock`), and
/// it is raised only once every member was heard in the leader's term, recently, over a link
/// still open (`clusterVersionToRaise`).
public struct MemberVersions: Sendable, Equatable {
    private var known: [NodeID: MemberReads] = [:]
    /// When and in which term each member's latest ping arrived; dropped when its link closes.
    private var lastPing: [NodeID: Ping] = [:]

    private struct Ping: Sendable, Equatable {
        let term: UInt64
        let at: MonotonicInstant
    }

    public init() {}

    public func reads(of id: NodeID) -> MemberReads? {
        known[id]
    }

    /// What `id`'s pings said, if one arrived in `term` over a link still open; nil when none did.
    public func reads(of id: NodeID, inTerm term: UInt64) -> MemberReads? {
        lastPing[id]?.term == term ? known[id] : nil
    }

    /// What `id`'s pings said, if one arrived in `term` at `since` or later over a link still
    /// open; nil when none did.
    public func reads(of id: NodeID, inTerm term: UInt64, heardSince since: MonotonicInstant) -> MemberReads? {
        guard let ping = lastPing[id], ping.term == term, ping.at >= since else { return nil }
        return known[id]
    }

    /// Records what `id`'s latest ping, arrived in `term` at `at`, said; true when that changes what was known.
    public mutating func heard(_ reads: MemberReads, from id: NodeID, term: UInt64, at: MonotonicInstant) -> Bool {
        lastPing[id] = Ping(term: term, at: at)
        return known.updateValue(reads, forKey: id) != reads
    }

    /// `id`'s link closed: it was not heard in this term as far as the cluster version goes (it
    /// may come back on another build), until its next ping. What it reads is kept for `block`:
    /// forgetting it there would only let through entries it may not read.
    public mutating func linkClosed(from id: NodeID) {
        lastPing[id] = nil
    }

    /// Forgets the members that left `membership`: they no longer count, and one that comes
    /// back is known again from its pings.
    public mutating func keep(only membership: Membership) {
        known = known.filter { membership.contains($0.key) }
        lastPing = lastPing.filter { membership.contains($0.key) }
    }

    /// Why an entry of `entryVersion` may not be proposed now, naming the first member (by id)
    /// known to read only older versions; nil when it may. The leader itself reads what it writes; `exempt`
    /// is a member the entry removes, which need not read it (it leaves at that entry).
    public func block(entryVersion: UInt8, membership: Membership, selfID: NodeID, exempt: NodeID? = nil,
                      name: (NodeID) -> String) -> UpgradeBlock? {
        guard entryVersion > FleetCodec.versionWrittenMinimum else { return nil }
        for id in membership.members where id != selfID && id != exempt {
            guard let reads = known[id], reads.fleetVersion < entryVersion else { continue }
            return UpgradeBlock(member: name(id), reads: reads, entryVersion: entryVersion)
        }
        return nil
    }
}

/// A member that keeps the leader from proposing an entry of a newer fleet version: the
/// refusal `ClusterRefusal.clusterUpgrading`.
public struct UpgradeBlock: Sendable, Equatable, CustomStringConvertible {
    public let member: String
    public let reads: MemberReads
    public let entryVersion: UInt8

    public init(member: String, reads: MemberReads, entryVersion: UInt8) {
        self.member = member
        self.reads = reads
        self.entryVersion = entryVersion
    }

    public var description: String {
        let entry = "this is a version-\(entryVersion) fleet entry, which the leader proposes only while no member is known to read less"
        switch reads {
        case .unadvertised:
            return "member \(member) runs a build that advertises no version, known to read fleet entries only up to version "
                + "\(FleetCodec.versionWrittenMinimum); \(entry): upgrade \(member) first"
        case let .advertised(version):
            return "member \(member) reads fleet entries only up to version \(version); \(entry): upgrade \(member) first"
        }
    }
}
