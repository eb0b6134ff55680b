import Gateway
import Primitives
import Telemetry
import Testing

struct NodeRetentionTests {
    static let retention: Duration = .seconds(86_400)

    static func second(_ seconds: Int64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: 1_000_000_000_000).advanced(by: .seconds(seconds))
    }

    static func tables(retention: Duration = retention, perSweep: Int = 1_024, evictionsPerSweep: Int = 64) -> GatewayTables {
        var limits = GatewayTables.Limits()
        limits.retention = retention
        limits.windowsPerSweepMaximum = perSweep
        limits.evictionsPerSweepMaximum = evictionsPerSweep
        return GatewayTables(limits: limits)
    }

    @Test(arguments: [
        (contact: Int64(0), now: Int64(0), expired: false),
        (contact: 0, now: 86_399, expired: false),
        (contact: 0, now: 86_400, expired: true),
        (contact: 0, now: 200_000, expired: true),
        (contact: 500, now: 86_400, expired: false),
        (contact: 500, now: 100, expired: false),
    ])
    func aContactExpiresExactlyAfterTheRetention(contact: Int64, now: Int64, expired: Bool) {
        #expect(NodeRetention.isExpired(lastContactAt: Self.second(contact), now: Self.second(now),
                                        retention: Self.retention) == expired)
    }

    @Test func onlySilentUnconnectedNodesPastTheRetentionAreEvicted() {
        var tables = Self.tables()
        #expect(tables.admit("old", at: Self.second(0)) == true)
        #expect(tables.admit("recent", at: Self.second(10)) == true)
        #expect(tables.admit("connected", at: Self.second(0)) == true)
        #expect(tables.ingest(NodeWindowTests.report(first: 1, seconds: 1...1), from: "reported", at: Self.second(5)) == 1)
        let evicted = tables.evictExpired(now: Self.second(86_405)) { $0 == "connected" }
        #expect(evicted.keys.sorted() == ["old", "reported"])
        #expect(tables.windows.keys.sorted() == ["connected", "recent"])
        let later = tables.evictExpired(now: Self.second(86_410)) { $0 == "connected" }
        #expect(later.keys.sorted() == ["recent"])
        #expect(tables.windows.keys.sorted() == ["connected"], "a node with a session keeps its window however long it is silent")
    }

    @Test func theRetentionRunsFromTheEndOfTheSession() {
        var tables = Self.tables()
        #expect(tables.admit("a", at: Self.second(0)) == true)
        tables.noteSessionEnded("a", at: Self.second(1_000))
        let atRetentionFromHello = tables.evictExpired(now: Self.second(86_400)) { _ in false }
        #expect(atRetentionFromHello.isEmpty)
        let atRetentionFromSessionEnd = tables.evictExpired(now: Self.second(87_400)) { _ in false }
        #expect(atRetentionFromSessionEnd.keys.sorted() == ["a"])
    }

    @Test func aHelloOrReportBeforeTheSweepKeepsTheWindow() {
        var tables = Self.tables()
        #expect(tables.admit("a", at: Self.second(0)) == true)
        #expect(tables.admit("a", at: Self.second(86_000)) == true, "the agent said hello again")
        let evicted = tables.evictExpired(now: Self.second(86_400)) { _ in false }
        #expect(evicted.isEmpty)
        #expect(tables.windows["a"] != nil)
    }

    @Test func aSweepLooksAtNoMoreThanItsBoundAndARoundCoversEveryWindow() {
        var tables = Self.tables(perSweep: 3)
        for index in 0..<10 { #expect(tables.admit("n\(index)", at: Self.second(0)) == true) }
        var looked: [String] = []
        let counts = (0..<4).map { _ in
            let evicted = tables.evictExpired(now: Self.second(90_000)) { node in
                looked.append(node)
                return false
            }
            return evicted.count
        }
        #expect(counts == [3, 3, 3, 1])
        #expect(Set(looked).count == 10 && looked.count == 10, "each window looked at once")
        #expect(tables.windows.isEmpty)
    }

    @Test func aSweepEvictsNoMoreThanItsBoundAndLeavesTheRestForTheNext() {
        var tables = Self.tables(perSweep: 10, evictionsPerSweep: 4)
        for index in 0..<10 { #expect(tables.admit("n\(index)", at: Self.second(0)) == true) }
        let counts = (0..<3).map { _ in tables.evictExpired(now: Self.second(90_000)) { _ in false }.count }
        #expect(counts == [4, 4, 2])
        #expect(tables.windows.isEmpty)
    }

    @Test func anEvictedNodeFreesItsPlaceInAFullTable() {
        var limits = GatewayTables.Limits()
        limits.nodesMaximum = 1
        limits.retention = .seconds(60)
        var tables = GatewayTables(limits: limits)
        #expect(tables.admit("a", at: Self.second(0)) == true)
        #expect(tables.admit("b", at: Self.second(30)) == false)
        let evicted = tables.evictExpired(now: Self.second(60)) { _ in false }
        #expect(evicted.keys.sorted() == ["a"])
        #expect(tables.admit("b", at: Self.second(61)) == true)
    }

    /// At the shortest retention allowed, a window is evicted only once its node shows `down`
    /// either way: evicting it changes nothing a listing shows.
    @Test(arguments: [
        LivenessPolicy(suspectAfter: .seconds(3), downAfter: .seconds(30), failoverGrace: .seconds(10)),
        LivenessPolicy(suspectAfter: .seconds(1), downAfter: .seconds(1), failoverGrace: .seconds(600)),
        LivenessPolicy(suspectAfter: .seconds(3_600), downAfter: .seconds(3_600), failoverGrace: .zero),
    ])
    func evictingAtTheMinimumRetentionNeverChangesTheListedStatus(liveness: LivenessPolicy) {
        let retention = NodeRetention.minimum(for: liveness)
        let span = Int64(retention.components.seconds) * 3
        let step = max(span / 37, 1)
        for leadingSince in stride(from: Int64(0), through: span, by: Int(step)) {
            for lastReport in stride(from: Int64(0), through: span, by: Int(step)) {
                let now = Self.second(lastReport).advanced(by: retention)
                let withWindow = liveness.status(lastReportAt: Self.second(lastReport), leadingSince: Self.second(leadingSince),
                                                 now: now)
                let evicted = liveness.status(lastReportAt: nil, leadingSince: Self.second(leadingSince), now: now)
                #expect(withWindow == evicted, "leading since \(leadingSince) s, last report at \(lastReport) s")
                if Self.second(lastReport) >= Self.second(leadingSince) { #expect(evicted == .down) }
            }
        }
    }
}
