import Cluster
import Primitives
import Testing

/// Each member's health, lag and last contact as the answering coordinator judges them.
struct MemberHealthTests {
    static let now = MonotonicInstant(nanoseconds: 100_000_000_000)
    static let limit = Duration.milliseconds(500)

    static func judge(isSelf: Bool = false, isLeader: Bool = false, viewerIsLeader: Bool = true, leaderLastIndex: UInt64 = 50,
                      match: UInt64? = 50, heardAgo: Duration? = .milliseconds(20), lagLimit: UInt64 = 10) -> MemberReplication {
        MemberReplication(isSelf: isSelf, isLeader: isLeader, viewerIsLeader: viewerIsLeader, leaderLastIndex: leaderLastIndex,
                          matchIndex: match,
                          lastHeard: heardAgo.map { MonotonicInstant(nanoseconds: now.nanoseconds - $0.wholeNanoseconds) },
                          now: now, silenceLimit: limit, lagLimit: lagLimit)
    }

    @Test func theLeaderJudgesEveryFollowerByLagAndSilence() {
        let healthy = Self.judge(match: 45)
        #expect(healthy.lag == 5 && healthy.matchIndex == 45 && healthy.lastContactMilliseconds == 20 && healthy.health == .healthy)
        let behind = Self.judge(match: 39)
        #expect(behind.lag == 11 && behind.matchIndex == 39 && behind.lastContactMilliseconds == 20 && behind.health == .lagging)
        #expect(Self.judge(match: 40).health == .healthy, "exactly at the limit still keeps pace")
        let silent = Self.judge(heardAgo: .milliseconds(501))
        #expect(silent.lag == 0 && silent.lastContactMilliseconds == 501 && silent.health == .unreachable)
        #expect(Self.judge(heardAgo: .milliseconds(500)).health == .healthy)
        let never = Self.judge(match: 0, heardAgo: nil)
        #expect(never.health == .unreachable && never.lastContactMilliseconds == nil)
        #expect(Self.judge(match: 0, heardAgo: .seconds(3)).health == .unreachable, "silence wins over lag: a frozen member")
    }

    @Test func aMatchAheadOfTheLastIndexIsNoNegativeLag() {
        #expect(Self.judge(leaderLastIndex: 50, match: 52).lag == 0)
    }

    @Test func theViewerItselfIsHealthyAndHeardNow() {
        let leader = Self.judge(isSelf: true, isLeader: true, match: nil, heardAgo: nil)
        #expect(leader.health == .healthy && leader.lag == 0 && leader.matchIndex == 50 && leader.lastContactMilliseconds == 0)
        let follower = Self.judge(isSelf: true, viewerIsLeader: false, match: nil, heardAgo: nil)
        #expect(follower.health == .healthy && follower.lag == nil && follower.matchIndex == nil)
    }

    @Test func aFollowerJudgesOnlyTheLeader() {
        let leader = Self.judge(isLeader: true, viewerIsLeader: false, match: nil, heardAgo: .milliseconds(30))
        #expect(leader.health == .healthy && leader.lag == nil && leader.lastContactMilliseconds == 30)
        #expect(Self.judge(isLeader: true, viewerIsLeader: false, match: nil, heardAgo: .seconds(2)).health == .unreachable)
        let other = Self.judge(viewerIsLeader: false, match: 50, heardAgo: .milliseconds(10))
        #expect(other.health == .unknown && other.lag == nil && other.matchIndex == nil, "a follower tracks no match index")
    }

    @Test(arguments: [
        (true, true, Duration?.none, UInt64?.none, MemberHealth.healthy),
        (false, false, .milliseconds(1), 0, .unknown),
        (false, true, nil, 0, .unreachable),
        (false, true, .seconds(1), 0, .unreachable),
        (false, true, .milliseconds(1), 11, .lagging),
        (false, true, .milliseconds(1), nil, .healthy),
    ])
    func theRuleInOrder(isSelf: Bool, isJudged: Bool, silentFor: Duration?, lag: UInt64?, expected: MemberHealth) {
        #expect(MemberHealth.classify(isSelf: isSelf, isJudged: isJudged, silentFor: silentFor, silenceLimit: Self.limit, lag: lag,
                                      lagLimit: 10) == expected)
    }
}
