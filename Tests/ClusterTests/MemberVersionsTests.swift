import Cluster
import Consensus
import Fleet
import Primitives
import Testing

/// The leader's rule for rolling upgrades: an entry of a fleet version only when no member of
/// the configuration is known to read less, and what the members' pings tell it.
struct MemberVersionsTests {
    static let leader: NodeID = 1
    static let configuration = Membership(voters: [1, 2, 3], learners: [4])
    static let names: [NodeID: String] = [1: "c1", 2: "c2", 3: "c3", 4: "c4"]

    static func versions(_ heard: [NodeID: MemberReads]) -> MemberVersions {
        var versions = MemberVersions()
        for (id, reads) in heard { _ = versions.heard(reads, from: id, term: 1, at: MonotonicInstant(nanoseconds: 1)) }
        return versions
    }

    static func block(_ versions: MemberVersions, entryVersion: UInt8 = 6, membership: Membership = configuration,
                      exempt: NodeID? = nil) -> UpgradeBlock? {
        versions.block(entryVersion: entryVersion, membership: membership, selfID: leader, exempt: exempt) { names[$0] ?? "\($0)" }
    }

    static let everyoneCurrent: [NodeID: MemberReads] = [2: .advertised(fleetVersion: 6), 3: .advertised(fleetVersion: 6),
                                                         4: .advertised(fleetVersion: 7)]

    @Test func anEntryEveryMemberIsKnownToReadMayBeProposed() {
        #expect(Self.block(Self.versions(Self.everyoneCurrent)) == nil)
    }

    @Test func aMemberThatReadsOlderVersionsBlocksTheEntryAndIsNamed() {
        var heard = Self.everyoneCurrent
        heard[3] = .advertised(fleetVersion: 5)
        #expect(Self.block(Self.versions(heard)) == UpgradeBlock(member: "c3", reads: .advertised(fleetVersion: 5), entryVersion: 6))
        #expect(Self.block(Self.versions(heard), entryVersion: 5) == nil)
    }

    /// Not heard since the leader started (down, cut off, or a member just added): a minority
    /// that is down must not stop writes, so only what is known of a member holds entries back.
    @Test func aMemberNotHeardFromDoesNotHoldTheEntryBack() {
        var heard = Self.everyoneCurrent
        heard[2] = nil
        heard[4] = nil
        #expect(Self.block(Self.versions(heard)) == nil)
        heard[3] = .unadvertised
        #expect(Self.block(Self.versions(heard)) == UpgradeBlock(member: "c3", reads: .unadvertised, entryVersion: 6))
    }

    @Test func aLearnerCountsLikeAVoter() {
        var heard = Self.everyoneCurrent
        heard[4] = .unadvertised
        #expect(Self.block(Self.versions(heard)) == UpgradeBlock(member: "c4", reads: .unadvertised, entryVersion: 6))
    }

    /// A build before advertisements may read no more than the oldest build that shares a
    /// cluster: only the versions every build writes pass.
    @Test func aMemberThatAdvertisesNothingIsKnownToReadOnlyTheMinimumVersion() {
        let versions = Self.versions([2: .unadvertised, 3: .unadvertised, 4: .unadvertised])
        #expect(Self.block(versions, entryVersion: FleetCodec.versionWrittenMinimum) == nil)
        #expect(Self.block(versions, entryVersion: 4)?.member == "c2")
        #expect(MemberReads.unadvertised.fleetVersion == FleetCodec.versionWrittenMinimum)
    }

    /// Entries every build that may share the cluster reads (addresses, node inventory, ticket
    /// keys) are never held back, even by members of builds before advertisements.
    @Test func entriesOfTheMinimumVersionAlwaysPass() {
        let versions = Self.versions([2: .advertised(fleetVersion: 2), 3: .unadvertised, 4: .advertised(fleetVersion: 2)])
        #expect(Self.block(versions, entryVersion: FleetCodec.versionWrittenMinimum) == nil)
        #expect(Self.block(versions, entryVersion: 2) == nil)
    }

    @Test func aSingleMemberClusterIsTheLeaderAloneAndAlwaysReadsItsOwnEntries() {
        let leaderUnadvertised = Self.versions([Self.leader: .unadvertised])
        #expect(Self.block(leaderUnadvertised, membership: Membership(voters: [Self.leader])) == nil)
    }

    /// A member removed from the configuration no longer counts, and what was known of it is
    /// forgotten; the member a removal removes need not read the removing entry.
    @Test func aRemovedMemberNoLongerCountsAndOneBeingRemovedIsExempt() {
        var heard = Self.everyoneCurrent
        heard[3] = .advertised(fleetVersion: 5)
        var versions = Self.versions(heard)
        #expect(Self.block(versions, exempt: 3) == nil)
        let smaller = Membership(voters: [1, 2], learners: [4])
        #expect(Self.block(versions, membership: smaller) == nil)
        versions.keep(only: smaller)
        #expect(versions.reads(of: 3) == nil && versions.reads(of: 2) == .advertised(fleetVersion: 6))
        #expect(Self.block(versions) == nil)
        _ = versions.heard(.advertised(fleetVersion: 5), from: 3, term: 1, at: MonotonicInstant(nanoseconds: 1))
        #expect(Self.block(versions) == UpgradeBlock(member: "c3", reads: .advertised(fleetVersion: 5), entryVersion: 6))
    }

    /// A member restarted with another build says so in its next ping: the latest ping wins.
    @Test func theLatestPingReplacesWhatWasKnown() {
        var versions = Self.versions(Self.everyoneCurrent)
        let repeated = versions.heard(.advertised(fleetVersion: 6), from: 2, term: 1, at: MonotonicInstant(nanoseconds: 1))
        let changed = versions.heard(.unadvertised, from: 2, term: 1, at: MonotonicInstant(nanoseconds: 1))
        #expect(!repeated && changed)
        #expect(Self.block(versions)?.reads == .unadvertised)
    }

    /// A closed link ends "heard in this term" (the cluster version's rule) but not what the
    /// member is known to read: the volatile gate keeps holding entries back for it.
    @Test func aClosedLinkKeepsWhatTheMemberReadsForTheGate() {
        var heard = Self.everyoneCurrent
        heard[3] = .advertised(fleetVersion: 5)
        var versions = Self.versions(heard)
        versions.linkClosed(from: 3)
        #expect(versions.reads(of: 3) == .advertised(fleetVersion: 5))
        #expect(versions.reads(of: 3, inTerm: 1) == nil)
        #expect(Self.block(versions) == UpgradeBlock(member: "c3", reads: .advertised(fleetVersion: 5), entryVersion: 6))
    }

    @Test func theRefusalNamesTheMemberAndWhatItReads() {
        let lagging = UpgradeBlock(member: "c2", reads: .advertised(fleetVersion: 5), entryVersion: 6)
        #expect("\(lagging)".hasPrefix("member c2 reads fleet entries only up to version 5; this is a version-6 fleet entry"))
        #expect("\(UpgradeBlock(member: "c4", reads: .unadvertised, entryVersion: 6))".contains("advertises no version"))
    }
}

/// The advertisement in a coordinator's keepalive pings, and the refusal as an older follower reads it.
struct PeerAdvertisementTests {
    @Test func theCurrentAdvertisementIsWhatThisBuildReadsAndDecodesToItself() throws {
        let current = PeerAdvertisement.current(identity: .none)
        #expect(current.fleetVersionRead == FleetCodec.versionsRead.upperBound)
        #expect(current.encoded == [2, FleetCodec.versionsRead.upperBound, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try PeerAdvertisement.decode(current.encoded) == current)
    }

    @Test func noBytesAdvertiseNothing() throws {
        #expect(try PeerAdvertisement.decode([]) == nil)
        #expect(MemberReads(nil) == .unadvertised)
        #expect(MemberReads(PeerAdvertisement(fleetVersionRead: 7, identity: .none)) == .advertised(fleetVersion: 7))
    }

    /// A later format may append fields; format 1 has none after the version.
    @Test func aLaterFormatMayAppendFieldsButFormatOneMayNot() throws {
        #expect(try PeerAdvertisement.decode([3, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0xBB])
            == PeerAdvertisement(fleetVersionRead: 8, identity: .none))
        #expect(throws: BinaryDecodingError.trailingBytes(offset: 2, count: 1)) { try PeerAdvertisement.decode([1, 6, 0]) }
        #expect(throws: BinaryDecodingError.self) { try PeerAdvertisement.decode([0, 6]) }
        #expect(throws: BinaryDecodingError.truncated(offset: 1)) { try PeerAdvertisement.decode([1]) }
    }

    /// Builds before advertisements cannot decode `clusterUpgrading`: they get the same message
    /// as `noLeader` (503, Retry-After: 1); a follower that advertises gets the refusal itself.
    @Test func anOlderFollowerGetsTheRefusalAsNoLeader() {
        let block = UpgradeBlock(member: "c3", reads: .advertised(fleetVersion: 5), entryVersion: 6)
        let outcome = ClusterOutcome.refused(.clusterUpgrading(block))
        #expect(outcome.decodable(by: .unadvertised) == .refused(.noLeader("\(block)")))
        #expect(outcome.decodable(by: nil) == .refused(.noLeader("\(block)")))
        #expect(outcome.decodable(by: .advertised(fleetVersion: 6)) == outcome)
        #expect(ClusterOutcome.refused(.commitTimeout).decodable(by: .unadvertised) == .refused(.commitTimeout))
    }
}
