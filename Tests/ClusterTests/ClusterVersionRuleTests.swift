import Cluster
import Consensus
import Fleet
import Primitives
import Testing

/// The replicated cluster version's rules: the leader raises it only once every member of the
/// configuration — learners too — was heard in its own term, recently and over a link still open, to
/// read more, never past what its own build reads and never lower; an entry of version 7 or later is proposed only under a cluster
/// version at least its own, while older entries answer only to the volatile gate.
struct ClusterVersionRuleTests {
    static let leader: NodeID = 1
    static let term: UInt64 = 9
    static let configuration = Membership(voters: [1, 2, 3], learners: [4])
    static let names: [NodeID: String] = [1: "c1", 2: "c2", 3: "c3", 4: "c4"]
    /// Pings count from this instant on; they arrive at it unless given.
    static let heardSince = MonotonicInstant(nanoseconds: 1_000_000_000_000)

    /// What each member's pings said, each in its term (this term unless given) at its instant,
    /// then the members whose links closed.
    static func versions(_ heard: [NodeID: MemberReads], terms: [NodeID: UInt64] = [:], at: [NodeID: MonotonicInstant] = [:],
                         linksClosed: [NodeID] = []) -> MemberVersions {
        var versions = MemberVersions()
        for (id, reads) in heard { _ = versions.heard(reads, from: id, term: terms[id] ?? term, at: at[id] ?? heardSince) }
        for id in linksClosed { versions.linkClosed(from: id) }
        return versions
    }

    static func all(_ version: UInt8) -> [NodeID: MemberReads] {
        [2: .advertised(fleetVersion: version), 3: .advertised(fleetVersion: version), 4: .advertised(fleetVersion: version)]
    }

    static func raise(_ versions: MemberVersions, current: UInt8? = nil, ownReads: UInt8 = 7,
                      membership: Membership = configuration) -> UInt8? {
        versions.clusterVersionToRaise(current: current, ownReads: ownReads, membership: membership, selfID: leader, term: term,
                                       heardSince: heardSince)
    }

    static func gate(_ versions: MemberVersions, entryVersion: UInt8, clusterVersion: UInt8?) -> ClusterVersionBlock? {
        versions.clusterVersionBlock(entryVersion: entryVersion, clusterVersion: clusterVersion, membership: configuration,
                                     selfID: leader, term: term) { names[$0] ?? "\($0)" }
    }

    struct RaiseCase: CustomTestStringConvertible, Sendable {
        let name: String
        let heard: [NodeID: MemberReads]
        var terms: [NodeID: UInt64] = [:]
        var at: [NodeID: MonotonicInstant] = [:]
        var linksClosed: [NodeID] = []
        var current: UInt8?
        var ownReads: UInt8 = 7
        var membership = ClusterVersionRuleTests.configuration
        let raised: UInt8?
        var testDescription: String { name }
    }

    static let raiseCases: [RaiseCase] = [
        RaiseCase(name: "every member reads 7: raised from unset to 7", heard: all(7), raised: 7),
        RaiseCase(name: "an unheard member blocks a raise", heard: all(7).filter { $0.key != 3 }, raised: nil),
        RaiseCase(name: "a member heard only in an earlier term blocks a raise", heard: all(7), terms: [2: term - 1], raised: nil),
        RaiseCase(name: "a member heard in this term whose link then closed blocks a raise", heard: all(7), linksClosed: [3],
                  raised: nil),
        RaiseCase(name: "a member heard in this term but not lately blocks a raise", heard: all(7),
                  at: [2: MonotonicInstant(nanoseconds: heardSince.nanoseconds - 1)], raised: nil),
        RaiseCase(name: "a learner counts: one reading 6", heard: all(7).merging([4: .advertised(fleetVersion: 6)]) { $1 },
                  raised: nil),
        RaiseCase(name: "a learner counts: one unheard", heard: all(7).filter { $0.key != 4 }, raised: nil),
        RaiseCase(name: "a member of a build before advertisements reads 3", heard: all(7).merging([2: .unadvertised]) { $1 },
                  raised: nil),
        RaiseCase(name: "a removed member does not count", heard: all(7).filter { $0.key != 3 },
                  membership: Membership(voters: [1, 2], learners: [4]), raised: 7),
        RaiseCase(name: "never past the leader's own build", heard: all(9), ownReads: 7, raised: 7),
        RaiseCase(name: "the least any member reads", heard: all(9).merging([3: .advertised(fleetVersion: 8)]) { $1 },
                  current: 7, ownReads: 9, raised: 8),
        RaiseCase(name: "never lowers", heard: all(7), current: 8, ownReads: 8, raised: nil),
        RaiseCase(name: "not again at the version in force", heard: all(7), current: 7, raised: nil),
        RaiseCase(name: "members of a build of version 6 leave it unset", heard: all(6), raised: nil),
        RaiseCase(name: "a single-member cluster raises to its own build", heard: [:],
                  membership: Membership(voters: [leader]), raised: 7),
    ]

    @Test(arguments: raiseCases)
    func theLeaderRaisesTheClusterVersion(_ test: RaiseCase) {
        let versions = Self.versions(test.heard, terms: test.terms, at: test.at, linksClosed: test.linksClosed)
        #expect(Self.raise(versions, current: test.current, ownReads: test.ownReads, membership: test.membership) == test.raised)
    }

    @Test func keepingOnlyTheConfigurationForgetsWhenARemovedMemberWasHeard() {
        var versions = Self.versions(Self.all(7))
        versions.keep(only: Membership(voters: [1, 2, 3]))
        #expect(versions.reads(of: 4, inTerm: Self.term) == nil)
        #expect(versions.reads(of: 2, inTerm: Self.term) == .advertised(fleetVersion: 7))
        #expect(versions.reads(of: 2, inTerm: Self.term + 1) == nil, "heard in another term")
    }

    /// A member heard again after its link closed counts again: its next ping is all it takes.
    @Test func aPingAfterTheLinkClosedCountsAgain() {
        var versions = Self.versions(Self.all(8), linksClosed: [2])
        #expect(Self.raise(versions, current: 7, ownReads: 8) == nil)
        _ = versions.heard(.advertised(fleetVersion: 8), from: 2, term: Self.term, at: Self.heardSince)
        #expect(Self.raise(versions, current: 7, ownReads: 8) == 8)
    }

    /// Entries of version 6 and before answer only to the volatile gate, whatever the cluster version.
    @Test(arguments: [UInt8(3), 4, 5, 6])
    func entriesBeforeTheClusterVersionAreNotGatedByIt(entryVersion: UInt8) {
        #expect(Self.gate(MemberVersions(), entryVersion: entryVersion, clusterVersion: nil) == nil)
    }

    /// Version 7 and every later one (8 and on are gated alike): at most the cluster version in force.
    @Test(arguments: [(UInt8(7), UInt8?.some(7)), (7, 8), (8, 8), (9, 12)])
    func anEntryNoNewerThanTheClusterVersionPasses(entryVersion: UInt8, clusterVersion: UInt8?) {
        #expect(Self.gate(MemberVersions(), entryVersion: entryVersion, clusterVersion: clusterVersion) == nil)
    }

    @Test func anEntryNewerThanTheClusterVersionIsRefusedNamingTheFirstMemberNotKnownToReadIt() {
        let unheard = Self.gate(Self.versions([2: .advertised(fleetVersion: 7)]), entryVersion: 7, clusterVersion: nil)
        #expect(unheard == ClusterVersionBlock(clusterVersion: nil, entryVersion: 7, member: "c3", reads: nil))
        let older = Self.gate(Self.versions(Self.all(8).merging([3: .advertised(fleetVersion: 7)]) { $1 }), entryVersion: 8,
                              clusterVersion: 7)
        #expect(older == ClusterVersionBlock(clusterVersion: 7, entryVersion: 8, member: "c3", reads: .advertised(fleetVersion: 7)))
        let everyoneReads = Self.gate(Self.versions(Self.all(8)), entryVersion: 8, clusterVersion: 7)
        #expect(everyoneReads == ClusterVersionBlock(clusterVersion: 7, entryVersion: 8, member: nil, reads: nil))
    }

    @Test func theRefusalSaysTheClusterVersionWhatTheEntryNeedsAndTheMember() {
        let unset = ClusterVersionBlock(clusterVersion: nil, entryVersion: 7, member: "c3", reads: nil)
        #expect("\(unset)" == "the cluster version is unset (it counts as 6); this is a version-7 fleet entry, which needs "
            + "cluster version 7 or later: member c3 has not been heard from by this leader yet (down, cut off, or just added); "
            + "upgrade or start c3, or remove it")
        let older = ClusterVersionBlock(clusterVersion: 7, entryVersion: 8, member: "c2", reads: .advertised(fleetVersion: 7))
        #expect("\(older)".hasPrefix("the cluster version is 7; this is a version-8 fleet entry"))
        #expect("\(older)".contains("member c2 reads fleet entries only up to version 7"))
        let underWay = ClusterVersionBlock(clusterVersion: 7, entryVersion: 8, member: nil, reads: nil)
        #expect("\(underWay)".contains("raises the cluster version shortly"))
    }

    /// Followers of builds before the cluster version (and unheard ones) get it as `noLeader`
    /// with the same message; a follower that reads version 7 gets the refusal itself.
    @Test func anOlderFollowerGetsTheClusterVersionRefusalAsNoLeader() {
        let block = ClusterVersionBlock(clusterVersion: nil, entryVersion: 7, member: "c3", reads: nil)
        let outcome = ClusterOutcome.refused(.clusterVersionTooLow(block))
        #expect(outcome.decodable(by: .advertised(fleetVersion: 6)) == .refused(.noLeader("\(block)")))
        #expect(outcome.decodable(by: .unadvertised) == .refused(.noLeader("\(block)")))
        #expect(outcome.decodable(by: nil) == .refused(.noLeader("\(block)")))
        #expect(outcome.decodable(by: .advertised(fleetVersion: 7)) == outcome)
    }
}
