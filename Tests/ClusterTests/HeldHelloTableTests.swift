import Cluster
import Gateway
import Locking
import Primitives
import Telemetry
import Testing

@Suite struct HeldHelloTableTests {
    static let now = MonotonicInstant(nanoseconds: 1_000_000_000)
    static let electing = HelloRoute.Knowledge(isActingLeader: false, isLeader: false, term: 4, leaderName: nil, leaderAgentAddress: "")
    static let acting = HelloRoute.Knowledge(isActingLeader: true, isLeader: true, term: 4, leaderName: "c1", leaderAgentAddress: "a:1")

    /// Identities for held connections.
    final class Connection: Sendable {}

    @Test func theTableHoldsAtMostItsMaximumButAHeldConnectionMayHoldAgain() {
        var table = HeldHelloTable(maximum: 2, holdFor: .seconds(2))
        let connections = [Connection(), Connection(), Connection()]
        let held = [0, 1, 2, 1].map { table.hold(ObjectIdentifier(connections[$0]), formerLeader: nil, now: Self.now) { _ in } }
        #expect(held == [true, true, false, true], "the third is refused; the second may hold again")
        #expect(table.count == 2)
        table.release(ObjectIdentifier(connections[0]))
        let freed = table.hold(ObjectIdentifier(connections[2]), formerLeader: nil, now: Self.now) { _ in }
        #expect(freed)
    }

    @Test func anActingLeaderDecidesEveryHeldHello() {
        var table = HeldHelloTable(maximum: 4, holdFor: .seconds(2))
        let connections = [Connection(), Connection()]
        let resumed = Locked<[Bool]>([])
        for connection in connections {
            _ = table.hold(ObjectIdentifier(connection), formerLeader: nil, now: Self.now) { expired in
                resumed.withLock { $0.append(expired) }
            }
        }
        let electing = table.decide(Self.electing, now: Self.now)
        #expect(electing.isEmpty, "mid-election the hellos stay held")
        let due = table.decide(Self.acting, now: Self.now.advanced(by: .milliseconds(5)))
        for (resume, expired) in due { resume(expired) }
        #expect(resumed.withLock { $0 } == [false, false])
        #expect(table.count == 0)
    }

    @Test func aHoldRunsOutAtItsDeadline() {
        var table = HeldHelloTable(maximum: 4, holdFor: .seconds(2))
        let early = Connection()
        let late = Connection()
        _ = table.hold(ObjectIdentifier(early), formerLeader: nil, now: Self.now) { _ in }
        _ = table.hold(ObjectIdentifier(late), formerLeader: nil, now: Self.now.advanced(by: .seconds(1))) { _ in }
        let before = table.decide(Self.electing, now: Self.now)
        #expect(before.isEmpty)
        let first = table.decide(Self.electing, now: Self.now.advanced(by: .seconds(2)))
        #expect(first.map(\.holdExpired) == [true])
        #expect(table.count == 1)
        let second = table.decide(Self.electing, now: Self.now.advanced(by: .seconds(3)))
        #expect(second.map(\.holdExpired) == [true])
        #expect(table.count == 0)
    }

    @Test func knowledgeIsWorkedOutOnlyWhileAHelloIsHeld() {
        var table = HeldHelloTable(maximum: 4, holdFor: .seconds(2))
        let connection = Connection()
        let knowledgeAsked = Locked(0)
        func knowledge() -> HelloRoute.Knowledge {
            knowledgeAsked.withLock { $0 += 1 }
            return Self.electing
        }
        let empty = table.decide(knowledge(), now: Self.now)
        #expect(empty.isEmpty)
        #expect(knowledgeAsked.withLock { $0 } == 0, "no hello held, no knowledge worked out")
        _ = table.hold(ObjectIdentifier(connection), formerLeader: FormerLeader(name: "c1", term: 4), now: Self.now) { _ in }
        let held = table.decide(knowledge(), now: Self.now)
        #expect(held.isEmpty)
        #expect(knowledgeAsked.withLock { $0 } == 1)
        #expect(table.count == 1)
    }
}
