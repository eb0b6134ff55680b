import Cluster
@testable import Coordinator
import Consensus
import Fleet
import Observability
import Primitives
import Testing

/// When the leader proposes a higher cluster version (`ClusterVersionRaise.proposeIfDue`): only
/// as leader with a valid lease, when every member was heard lately to read more; one at a time
/// and at most once a check interval; a raise in flight given up at its deadline or once this
/// node no longer leads in its term, and the late answer of one given up ending no other.
struct ClusterVersionRaiseTests {
    static let newest = FleetCodec.versionsRead.upperBound
    static let term: UInt64 = 4
    static let membership = Membership(voters: [1, 2, 3])
    static let start = MonotonicInstant(nanoseconds: 1_000_000_000_000)

    /// A raise, the members' pings (every member reads this build's newest version, heard at
    /// `start`), and what it proposed.
    final class Harness {
        let raise: ClusterVersionRaise
        var versions = MemberVersions()
        var proposed: [(UInt8, @Sendable (ClusterOutcome) -> Void)] = []
        var statusesComputed = 0

        init() {
            let (sink, _) = LogSink.capturing()
            raise = ClusterVersionRaise(logger: Logger(component: "test", sink: sink))
            for id: NodeID in [2, 3] {
                _ = versions.heard(.advertised(fleetVersion: newest), from: id, term: term, at: start)
            }
        }

        /// A check at `start` plus `after`; `leading` is the term this node leads in, nil when it does not.
        func check(after: Duration = .zero, leading: UInt64? = term, isLeaseValid: Bool = true, clusterVersion: UInt8? = 7) {
            raise.proposeIfDue(now: start.advanced(by: after), isLeaseValid: isLeaseValid, clusterVersion: clusterVersion,
                               versions: versions, selfID: 1,
                               leadership: {
                                   statusesComputed += 1
                                   return leading.map { ClusterVersionRaise.Leadership(term: $0, membership: membership) }
                               },
                               propose: { version, completion in proposed.append((version, completion)) })
        }
    }

    @Test func onlyALeaderWithAValidLeaseProposes() {
        let harness = Harness()
        harness.check(isLeaseValid: false)
        #expect(harness.statusesComputed == 0, "no lease, no status computed")
        harness.check(after: ClusterVersionRaise.checkInterval, leading: nil)
        #expect(harness.proposed.isEmpty)
        harness.check(after: ClusterVersionRaise.checkInterval * 2)
        #expect(harness.proposed.map(\.0) == [Self.newest])
        #expect(harness.raise.isRaising)
    }

    @Test func nothingIsProposedOnceTheClusterVersionIsWhatThisBuildReads() {
        let harness = Harness()
        harness.check(clusterVersion: Self.newest)
        #expect(harness.proposed.isEmpty && harness.statusesComputed == 0)
    }

    @Test func aMemberNotHeardLatelyHoldsTheRaiseBack() {
        let harness = Harness()
        harness.check(after: ClusterVersionRaise.heardWithin + .nanoseconds(1))
        #expect(harness.proposed.isEmpty)
    }

    @Test func aMemberWhoseLinkClosedHoldsTheRaiseBackUntilItsNextPing() {
        let harness = Harness()
        harness.versions.linkClosed(from: 2)
        harness.check()
        #expect(harness.proposed.isEmpty)
        _ = harness.versions.heard(.advertised(fleetVersion: Self.newest), from: 2, term: Self.term, at: Self.start)
        harness.check(after: ClusterVersionRaise.checkInterval)
        #expect(harness.proposed.map(\.0) == [Self.newest])
    }

    @Test func oneRaiseAtATimeAndAtMostOneCheckAnInterval() {
        let harness = Harness()
        harness.check()
        harness.check(after: ClusterVersionRaise.checkInterval)
        #expect(harness.proposed.count == 1, "a second while the first is in flight")
        harness.proposed[0].1(.refused(.commitTimeout))
        #expect(!harness.raise.isRaising)
        harness.check(after: ClusterVersionRaise.checkInterval + .milliseconds(999))
        #expect(harness.proposed.count == 1, "within the interval of the last check")
        harness.check(after: ClusterVersionRaise.checkInterval * 2)
        #expect(harness.proposed.count == 2)
    }

    @Test func aRaiseInFlightIsGivenUpAtItsDeadline() {
        let harness = Harness()
        harness.check()
        harness.check(after: ClusterVersionRaise.checkInterval)
        #expect(harness.proposed.count == 1 && harness.raise.isRaising)
        for id: NodeID in [2, 3] {
            _ = harness.versions.heard(.advertised(fleetVersion: Self.newest), from: id, term: Self.term,
                                       at: Self.start.advanced(by: ClusterVersionRaise.deadline))
        }
        harness.check(after: ClusterVersionRaise.deadline)
        #expect(harness.proposed.count == 2, "proposed again once the first was given up")
        harness.proposed[0].1(.refused(.commitTimeout))
        #expect(harness.raise.isRaising, "the late answer of the raise given up ends not the one in flight")
    }

    @Test func aRaiseInFlightIsGivenUpOnceThisNodeNoLongerLeadsInItsTerm() {
        let harness = Harness()
        harness.check()
        harness.check(after: ClusterVersionRaise.checkInterval, leading: nil, isLeaseValid: false)
        #expect(!harness.raise.isRaising, "stepped down")
        let next = Self.term + 1
        for id: NodeID in [2, 3] {
            _ = harness.versions.heard(.advertised(fleetVersion: Self.newest), from: id, term: next,
                                       at: Self.start.advanced(by: ClusterVersionRaise.checkInterval))
        }
        harness.check(after: ClusterVersionRaise.checkInterval * 2, leading: next)
        #expect(harness.proposed.count == 2, "elected again, it raises before the first raise's deadline")
    }
}
